//! A component: what it does, whether it runs (with a switch to stop it), and its latest messages.

use yew::prelude::*;

use crate::ui::bridge::TraceEntry;
use crate::ui::clock::format_clock;
use crate::ui::glossary;
use crate::ui::session::Op;
use crate::ui::state::Selection;

#[derive(Properties, PartialEq)]
pub struct ComponentViewProps {
    pub id: String,
    pub running: bool,
    pub recent: Vec<TraceEntry>,
    pub on_select: Callback<Selection>,
    pub on_fault: Callback<Op>,
}

#[component(ComponentView)]
pub fn component_view(props: &ComponentViewProps) -> Html {
    let entry = glossary::lookup(&props.id);
    let toggle = {
        let (cb, name, running) = (props.on_fault.clone(), props.id.clone(), props.running);
        Callback::from(move |_: MouseEvent| cb.emit(Op::Component { name: name.clone(), running: !running }))
    };
    // The learner's own kubectl is not a cluster process: it cannot be stopped. A node's processes
    // stop and start with their node.
    let can_stop = props.id != "kubectl";
    let node = props.id.split_once('/').map(|(_, n)| n.to_string());
    html! {
        <div class="component-view">
            <h3>{ props.id.clone() }</h3>
            if let Some(e) = entry {
                <p>{ e.does }</p>
                <p class="sends"><strong>{ "Sends: " }</strong>{ e.sends }</p>
            }
            if can_stop {
                <p class="state">
                    { if props.running { "Running. " } else { "Stopped: messages sent to it are ignored. " } }
                    <button onclick={toggle} data-testid="toggle-component">
                        { match (&node, props.running) {
                            (Some(n), true) => format!("Power off {n}"),
                            (Some(n), false) => format!("Power on {n}"),
                            (None, true) => "Stop it".to_string(),
                            (None, false) => "Start it".to_string(),
                        } }
                    </button>
                </p>
            }
            <h4>{ "Latest messages" }</h4>
            if props.recent.is_empty() {
                <p class="muted">{ "None yet." }</p>
            } else {
                <ol class="recent">
                    { for props.recent.iter().map(|m| {
                        let cb = props.on_select.clone();
                        let id = m.id;
                        let arrow = if *m.from == *props.id { format!("→ {}", m.to) } else { format!("← {}", m.from) };
                        html! {
                            <li>
                                <button class="link" data-testid="recent-message" data-summary={m.summary.clone()}
                                    onclick={Callback::from(move |_: MouseEvent| cb.emit(Selection::Message(id)))}>
                                    <span class="time">{ format_clock(m.sent_at as f64) }</span>{ " " }
                                    <span class={classes!("swatch", format!("kind-{}", m.kind))} />
                                    { format!("{arrow}: {}", m.summary) }
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
        </div>
    }
}
