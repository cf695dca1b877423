//! The header menus' shared behaviour: while a menu is open, a click anywhere outside it closes it,
//! as a native menu does.

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Closes `open` on a click outside the element `host` refers to, for as long as it is open.
#[hook]
pub fn use_close_on_outside_click(open: &UseStateHandle<bool>, host: &NodeRef) {
    let (open, host) = (open.clone(), host.clone());
    use_effect_with(*open, move |is_open| {
        let listener = is_open.then(|| web_sys::window().and_then(|w| w.document())).flatten().map(|doc| {
            EventListener::new(&doc, "click", move |e| {
                let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                let inside = host.cast::<web_sys::Node>().is_some_and(|h| h.contains(target.as_ref()));
                if !inside {
                    open.set(false);
                }
            })
        });
        move || drop(listener)
    });
}
