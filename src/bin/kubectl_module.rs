//! The release site's kubectl, a wasm module of its own that the page loads the first time the
//! learner needs it (src/ui/bridge/kubectl.rs says why). It holds kubectl's commands and printers
//! and no cluster: every API call goes to the page as JSON (`sim::kubectl::wire`), which answers it
//! from the world, as real kubectl talks to a kube-apiserver. Natively there is nothing to run.

#[cfg(target_arch = "wasm32")]
mod module {
    use k8s_sandbox::sim::kubectl::printers::table::table;
    use k8s_sandbox::sim::kubectl::{self, NoFiles, wire};
    use wasm_bindgen::prelude::*;

    // The page sets `k8sSandboxHost` before its first command (ui/bridge/kubectl/remote.rs).
    #[wasm_bindgen(inline_js = "export function host_call(message) { return window.k8sSandboxHost(message); }")]
    extern "C" {
        fn host_call(message: &str) -> String;
    }

    /// Runs one command line (`wire::command_to_json`); answers with `wire::output_to_json`.
    #[wasm_bindgen]
    pub fn execute(message: &str) -> String {
        let (line, stdin) = wire::command_from_json(message);
        let mut cluster = wire::Remote::new(|m: &str| host_call(m));
        wire::output_to_json(&kubectl::execute(&mut cluster, &line, stdin.as_deref(), &NoFiles))
    }

    /// Installs kubectl explain's documentation, which the page fetches on the first explain
    /// (ui/bridge/explain_docs.rs); answers "" or why the text was refused.
    #[wasm_bindgen]
    pub fn install_docs(text: &str) -> String {
        k8s_sandbox::sim::api::strict::docs::install(text).err().map(|e| e.to_string()).unwrap_or_default()
    }

    /// The rows of a `get -w` stream (`wire::watch_rows_to_json`), as kubectl prints them.
    #[wasm_bindgen]
    pub fn watch_rows(message: &str) -> String {
        let (kind, options, objects) = wire::watch_rows_from_json(message);
        table(&kind, &objects, &options)
    }

    /// The 1-based line of the first YAML syntax error in a manifest, 0 if none
    /// (`sim::api::decode::yaml_error_line`): the page's editor asks after a failed Apply, so that
    /// the YAML parser is not in the page's own download.
    #[wasm_bindgen]
    pub fn yaml_error_line(text: &str) -> u32 {
        k8s_sandbox::sim::api::decode::yaml_error_line(text).and_then(|l| u32::try_from(l).ok()).unwrap_or(0)
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("this binary is the web app's kubectl module; `make dist` builds it for the browser");
}
