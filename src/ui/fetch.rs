//! Fetching a text file of the site (a lesson, the lesson index) when it is first needed, so that
//! the first visit downloads none of them. URLs resolve against the page: the site works from any
//! sub-path, and the Content-Security-Policy's `connect-src 'self'` allows it.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

// A small JS helper rather than web-sys's Request/Response bindings and wasm-bindgen-futures:
// one function, a few hundred bytes of wasm.
#[wasm_bindgen(inline_js = r#"
export function fetch_text(path) {
  return fetch(new URL(path, document.baseURI), { cache: "no-cache" }).then((r) =>
    r.ok ? r.text() : Promise.reject(new Error(r.status + " " + r.statusText)));
}
"#)]
extern "C" {
    fn fetch_text(path: &str) -> js_sys::Promise;
}

/// Fetches `path` (relative to the page) and calls `then` with its text, or why it could not be had
/// (`404 Not Found`, a network error).
pub fn text(path: &str, then: impl FnOnce(Result<String, String>) + 'static) {
    let then = std::rc::Rc::new(std::cell::RefCell::new(Some(then)));
    let (ok, err) = (then.clone(), then);
    let on_ok = Closure::once(move |text: JsValue| {
        if let Some(f) = ok.borrow_mut().take() {
            f(text.as_string().ok_or_else(|| "the answer is not text".to_string()));
        }
    });
    let on_err = Closure::once(move |e: JsValue| {
        let why = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"));
        if let Some(f) = err.borrow_mut().take() {
            f(Err(why));
        }
    });
    let _ = fetch_text(path).then2(&on_ok, &on_err);
    // Each closure is called at most once; the one that is not called is a few bytes kept for good.
    on_ok.forget();
    on_err.forget();
}
