//! The page's side of the separately loaded kubectl module (release builds, `--cfg split_kubectl`):
//! loading it, and answering its API calls from the world of the command it runs.

use std::cell::Cell;

use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::sim::kubectl::printers::table::TableOptions;
use crate::sim::kubectl::{Output, wire};
use crate::sim::world::World;

// The module's files are named in index.html by scripts/kubectl-module.sh (they sit in a directory
// named by a hash of their content, so a browser never pairs a cached module with a newer page).
// URLs resolve against the page, so the site works from any sub-path.
#[wasm_bindgen(inline_js = r#"
export function kubectl_load() {
  if (!window.k8sSandboxKubectlLoading) {
    const meta = document.querySelector('meta[name="kubectl-module"]');
    const js = meta && meta.getAttribute("content"), wasm = meta && meta.getAttribute("data-wasm");
    // A module that failed to load stays failed for its URL (the module map keeps the failure), so
    // a retry asks for it under a query it has not seen.
    const attempt = (window.k8sSandboxKubectlAttempts = (window.k8sSandboxKubectlAttempts || 0) + 1);
    const url = js && new URL(js, document.baseURI);
    if (url && attempt > 1) url.searchParams.set("attempt", String(attempt));
    window.k8sSandboxKubectlLoading = (js && wasm
        ? import(url.href)
            .then((m) => m.default({ module_or_path: new URL(wasm, document.baseURI) }).then(() => { window.k8sSandboxKubectl = m; }))
        : Promise.reject(new Error("the page does not name its kubectl module")))
      .catch((e) => {
        window.k8sSandboxKubectlLoading = null;
        throw new Error("kubectl could not be loaded (" + ((e && e.message) || e) + ")");
      });
  }
  return window.k8sSandboxKubectlLoading;
}
export function kubectl_ready() { return !!window.k8sSandboxKubectl; }
export function kubectl_loading() { return !!window.k8sSandboxKubectlLoading; }
export function kubectl_execute(message) { return window.k8sSandboxKubectl.execute(message); }
export function kubectl_watch_rows(message) { return window.k8sSandboxKubectl.watch_rows(message); }
export function kubectl_yaml_error_line(text) { return window.k8sSandboxKubectl.yaml_error_line(text); }
export function kubectl_set_host(serve) { window.k8sSandboxHost = serve; }
"#)]
extern "C" {
    fn kubectl_load() -> js_sys::Promise;
    fn kubectl_ready() -> bool;
    fn kubectl_loading() -> bool;
    #[wasm_bindgen(catch)]
    fn kubectl_execute(message: &str) -> Result<String, JsValue>;
    #[wasm_bindgen(catch)]
    fn kubectl_watch_rows(message: &str) -> Result<String, JsValue>;
    #[wasm_bindgen(catch)]
    fn kubectl_yaml_error_line(text: &str) -> Result<u32, JsValue>;
    fn kubectl_set_host(serve: &JsValue);
}

thread_local! {
    /// The world a running kubectl command may reach: set only while `execute` waits for the module.
    static SERVING: Cell<*mut World> = const { Cell::new(std::ptr::null_mut()) };
    /// Set while the page answers one of the module's calls: a trap then is the page's own.
    static IN_SERVE: Cell<bool> = const { Cell::new(false) };
    /// Why the module stopped, once it has: a trapped wasm instance is not called again.
    static STOPPED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Whether the module is loaded.
pub fn ready() -> bool {
    kubectl_ready()
}

/// Whether the module is being fetched (a command typed meanwhile waits for the same download).
pub fn loading() -> bool {
    kubectl_loading()
}

/// Runs a command line in the module; its API calls come back through `serve`.
pub fn execute(world: &mut World, line: &str, stdin: Option<&str>) -> Output {
    if !ready() {
        let mut out = Output::default();
        out.err("error: kubectl is not loaded yet");
        return out;
    }
    if let Some(why) = STOPPED.with(|s| s.borrow().clone()) {
        return stopped(&why);
    }
    register_host();
    // The caller's `&mut World` is not used again until the module returns, so while it runs the
    // pointer is the only way to the world; `serve` uses it for one message at a time.
    let previous = SERVING.with(|s| s.replace(world));
    let answer = kubectl_execute(&wire::command_to_json(line, stdin));
    SERVING.with(|s| s.set(previous));
    match answer {
        Ok(answer) => wire::output_from_json(&answer),
        // A trap while the page was answering one of kubectl's calls is the page's own: it goes on
        // up as before this module existed, to index.html's crash banner.
        Err(e) if IN_SERVE.with(|f| f.replace(false)) => wasm_bindgen::throw_val(e),
        // A trap in kubectl (a panic in the release build) stops the module, not the cluster: the
        // world only changed through whole API calls, so the page goes on without kubectl.
        Err(e) => {
            let why = reason(&e);
            STOPPED.with(|s| *s.borrow_mut() = Some(why.clone()));
            stopped(&why)
        }
    }
}

fn stopped(why: &str) -> Output {
    let mut out = Output::default();
    // A reload replays the session, and with it the command that stopped kubectl: say so.
    out.err(format!("error: kubectl stopped after an internal error ({why}); the cluster runs on without it. A reload replays your session, this command included; Reset starts a fresh cluster"));
    out
}

/// The rows of a `get -w` stream, printed by the module's printers.
pub fn watch_rows(kind: &str, options: &TableOptions, objects: Vec<Value>) -> String {
    if !ready() || STOPPED.with(|s| s.borrow().is_some()) {
        return String::new();
    }
    kubectl_watch_rows(&wire::watch_rows_to_json(kind, options, objects)).unwrap_or_else(|e| {
        STOPPED.with(|s| *s.borrow_mut() = Some(reason(&e)));
        String::new()
    })
}

/// The line of the first YAML syntax error in a manifest (`sim::api::decode::yaml_error_line`),
/// for the editor after a failed Apply; nothing while the module is not loaded or has stopped.
pub fn yaml_error_line(text: &str) -> Option<usize> {
    if !ready() || STOPPED.with(|s| s.borrow().is_some()) {
        return None;
    }
    match kubectl_yaml_error_line(text) {
        Ok(line) => usize::try_from(line).ok().filter(|l| *l > 0),
        Err(e) => {
            STOPPED.with(|s| *s.borrow_mut() = Some(reason(&e)));
            None
        }
    }
}

/// A thrown JS value as text (`RuntimeError: unreachable`).
fn reason(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.to_string())).unwrap_or_else(|| format!("{e:?}"))
}

/// One message from the module (`wire::Remote`), answered from the world of the running command.
fn serve(message: String) -> String {
    let world = SERVING.with(Cell::get);
    if world.is_null() {
        return r#"{"err":"no kubectl command is running"}"#.to_string();
    }
    IN_SERVE.with(|f| f.set(true));
    // SAFETY: set by `execute` from a live `&mut World` whose owner is blocked in the module's call.
    let answer = wire::serve(unsafe { &mut *world }, &message);
    IN_SERVE.with(|f| f.set(false));
    answer
}

/// Gives the module its way back to the world (once; the closure lives as long as the page).
fn register_host() {
    thread_local!(static DONE: Cell<bool> = const { Cell::new(false) });
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    let host = Closure::<dyn Fn(String) -> String>::new(serve);
    kubectl_set_host(host.as_ref().unchecked_ref());
    host.forget();
}

/// Calls `then` with the outcome of loading the module (at once if it is loaded).
pub fn when_loaded(then: impl FnOnce(Result<(), String>) + 'static) {
    let then = std::rc::Rc::new(std::cell::RefCell::new(Some(then)));
    let (ok, err) = (then.clone(), then);
    let on_ok = Closure::once(move |_: JsValue| {
        if let Some(f) = ok.borrow_mut().take() {
            f(Ok(()));
        }
    });
    let on_err = Closure::once(move |e: JsValue| {
        let why = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "kubectl could not be loaded".into());
        if let Some(f) = err.borrow_mut().take() {
            f(Err(why));
        }
    });
    let _ = kubectl_load().then2(&on_ok, &on_err);
    on_ok.forget();
    on_err.forget();
}

/// Calls `start` when the module has loaded; if it cannot load, the rejection is left unhandled
/// so that index.html's loading notice gives it as the reason the page could not start.
pub fn start_when_loaded(start: impl FnOnce() + 'static) {
    let on_ok = Closure::once(move |_: JsValue| start());
    let _ = kubectl_load().then(&on_ok);
    on_ok.forget();
}
