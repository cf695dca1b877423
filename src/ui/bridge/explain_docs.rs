//! kubectl explain's API documentation, fetched the first time the learner runs `kubectl explain`.
//!
//! The descriptions are 83 KB gzip (`sim::api::strict::docs` says why they are not in the page's
//! wasm): index.html names the file (`<meta name="explain-docs">`, copied into the site from
//! static/explain/ by trunk) and `ui::dispatch` waits for it before an explain command, as it waits
//! for the kubectl module. The text goes to whichever instance runs kubectl: the page's own when
//! kubectl is linked in, the kubectl module's in the release build (`--cfg split_kubectl`). If the
//! file cannot be fetched, explain runs without descriptions and the next explain tries again.
//! Natively the documentation is built in, so nothing is ever needed.

use crate::ui::bridge::split_words;

/// Whether `line` runs `kubectl explain` and the documentation is not installed yet.
pub fn needed(line: &str) -> bool {
    !installed() && is_explain(line)
}

fn is_explain(line: &str) -> bool {
    let Ok(words) = split_words(line) else { return false };
    let mut words = words.iter().map(String::as_str);
    let first = words.next();
    let command = if matches!(first, Some("kubectl" | "k")) { words.next() } else { first };
    command == Some("explain")
}

#[cfg(not(target_arch = "wasm32"))]
fn installed() -> bool {
    true
}

#[cfg(not(target_arch = "wasm32"))]
pub fn when_loaded(then: impl FnOnce(Result<(), String>) + 'static) {
    then(Ok(()));
}

#[cfg(target_arch = "wasm32")]
use web::installed;
#[cfg(target_arch = "wasm32")]
pub use web::when_loaded;

#[cfg(target_arch = "wasm32")]
mod web {
    //! The fetch, and handing the text to the instance that runs kubectl.
    use std::cell::Cell;

    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    // The file's URL resolves against the page, so the site works from any sub-path. A fetch that
    // fails is not remembered: the next explain asks again.
    #[wasm_bindgen(inline_js = r#"
export function explain_docs_fetch() {
  const meta = document.querySelector('meta[name="explain-docs"]');
  const href = meta && meta.getAttribute("content");
  if (!href) return Promise.reject(new Error("the page does not name its explain documentation"));
  return fetch(new URL(href, document.baseURI)).then((r) => {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.text();
  });
}
export function explain_docs_install_in_module(text) { return window.k8sSandboxKubectl.install_docs(text); }
"#)]
    extern "C" {
        fn explain_docs_fetch() -> js_sys::Promise;
        #[cfg_attr(not(split_kubectl), allow(dead_code))]
        #[wasm_bindgen(catch)]
        fn explain_docs_install_in_module(text: &str) -> Result<String, JsValue>;
    }

    thread_local!(static INSTALLED: Cell<bool> = const { Cell::new(false) });

    pub fn installed() -> bool {
        INSTALLED.with(Cell::get)
    }

    /// Installs the text where kubectl runs; the error says why it was refused.
    fn install(text: &str) -> Result<(), String> {
        #[cfg(not(split_kubectl))]
        let result = crate::sim::api::strict::docs::install(text).map_err(|e| e.to_string());
        // The module answers "" or why it refused the text; a trap there is kubectl's to report.
        #[cfg(split_kubectl)]
        let result = match explain_docs_install_in_module(text) {
            Ok(why) if why.is_empty() => Ok(()),
            Ok(why) => Err(why),
            Err(_) => Err("kubectl could not take the explain documentation".to_string()),
        };
        if result.is_ok() {
            INSTALLED.with(|i| i.set(true));
        }
        result
    }

    /// Fetches and installs the documentation, then calls `then` with the outcome.
    pub fn when_loaded(then: impl FnOnce(Result<(), String>) + 'static) {
        let then = std::rc::Rc::new(std::cell::RefCell::new(Some(then)));
        let (ok, err) = (then.clone(), then);
        let on_ok = Closure::once(move |text: JsValue| {
            let result = text.as_string().ok_or_else(|| "the explain documentation is not text".to_string());
            if let Some(f) = ok.borrow_mut().take() {
                f(result.and_then(|t| install(&t)));
            }
        });
        let on_err = Closure::once(move |e: JsValue| {
            let why = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default();
            if let Some(f) = err.borrow_mut().take() {
                f(Err(format!("the explain documentation could not be fetched ({why})")));
            }
        });
        let _ = explain_docs_fetch().then2(&on_ok, &on_err);
        on_ok.forget();
        on_err.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_explain_commands_need_the_documentation() {
        for line in ["kubectl explain pod", "k explain deploy.spec", "explain pods --recursive"] {
            assert!(is_explain(line), "{line}");
        }
        for line in ["kubectl get pods", "kubectl", "", "kubectl 'explain", "echo explain"] {
            assert!(!is_explain(line), "{line}");
        }
        assert!(!needed("kubectl explain pod"), "natively the documentation is built in");
    }
}
