//! In-browser smoke test: the Yew app mounts in real (headless) Chromium and renders its regions.
//!
//! Run by `make test-web` through wasm-bindgen-test-runner; natively this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The regions every later feature hangs off; the full list is checked end to end in tests/e2e.rs.
const REGIONS: [&str; 3] = ["diagram", "terminal", "editor"];

/// Lets the browser run queued tasks: Yew renders from its scheduler, not inside `render()`.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        web_sys::window()
            .expect("a browser test runs in a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 0)
            .expect("setTimeout with a function and a 0 ms delay cannot fail");
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.expect("the promise only ever resolves");
}

#[wasm_bindgen_test]
async fn app_renders_its_regions_into_a_host_element() {
    let document = web_sys::window().and_then(|w| w.document()).expect("a browser test has a document");
    let host = document.create_element("div").expect("creating a div works");
    document.body().expect("the test page has a body").append_child(&host).expect("appending to body works");

    yew::Renderer::<k8s_sandbox::ui::App>::with_root(host.clone()).render();

    // A few tasks at most: a render that never arrives fails below instead of hanging.
    for _ in 0..20 {
        if host.child_element_count() > 0 {
            break;
        }
        next_task().await;
    }
    for region in REGIONS {
        let selector = format!("[data-testid=\"{region}\"]");
        let found = host.query_selector(&selector).expect("the selector is valid CSS");
        assert!(found.is_some(), "the app rendered no {selector}; it rendered: {}", host.inner_html());
    }
}
