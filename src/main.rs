//! Browser entry point: renders the Yew app (natively it only points to the `sandbox` runner).

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<k8s_sandbox::ui::App>::new().render();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("this binary is the web app; build it with `make serve`, or use `cargo run --bin sandbox`");
}
