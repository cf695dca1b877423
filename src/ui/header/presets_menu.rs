//! The header's Presets menu: a button that opens the list of situations; picking one starts it.

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
    super::outside_click::use_close_on_outside_click(&open, &host);
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
