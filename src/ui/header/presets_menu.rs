//! The header's Presets menu: a button that opens the list of situations; picking one starts it.

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::ui::cluster::Cluster;
use crate::ui::dispatch;
use crate::ui::presets::PRESETS;

#[derive(Properties, PartialEq)]
pub struct PresetsMenuProps {
    pub dispatcher: UseReducerDispatcher<Cluster>,
}

#[component(PresetsMenu)]
pub fn presets_menu(props: &PresetsMenuProps) -> Html {
    let open = use_state(|| false);
    let host = use_node_ref();
    {
        // While open, a click anywhere outside the menu closes it, as a native menu does.
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
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_key = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    let pick = |name: &'static str| {
        let (open, d) = (open.clone(), props.dispatcher.clone());
        Callback::from(move |_: MouseEvent| {
            open.set(false);
            dispatch::start_preset(&d, name);
        })
    };
    html! {
        <div class="presets" data-testid="presets" ref={host} onkeydown={on_key}>
            <button class="presets-button" data-testid="presets-button" aria-haspopup="menu" aria-expanded={open.to_string()}
                onclick={toggle} title="Set up a situation to watch: the commands it runs appear in the terminal">{ "Presets ▾" }</button>
            if *open {
                <ul class="presets-menu" role="menu" aria-label="Presets">
                    { for PRESETS.iter().map(|p| html! {
                        <li role="none">
                            <button role="menuitem" data-testid="preset" data-name={p.name} onclick={pick(p.name)}>
                                <span class="preset-label">{ p.label }</span>
                                <span class="preset-hint">{ p.hint }</span>
                            </button>
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}
