//! Browser entry point: renders the Yew app (natively it only points to the `sandbox` runner).

fn main() {
    #[cfg(target_arch = "wasm32")]
    k8s_sandbox::ui::start();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("this binary is the web app; build it with `make serve`, or use `cargo run --bin sandbox`");
}
