//! A component: what it does, whether it runs (with a switch to stop it), and its latest messages.

use yew::prelude::*;

use crate::ui::bridge::TraceEntry;
use crate::ui::clock::format_clock;
use crate::ui::glossary;
use crate::ui::session::Op;
use crate::ui::state::Selection;

/// A component's latest messages, and how far back they were searched for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recent {
    /// Newest first.
    pub messages: Vec<TraceEntry>,
    /// How many of the messages sent by the display time were searched.
    pub searched: usize,
    /// Whether older messages exist that were not searched: past the search, or no longer kept.
    pub earlier: bool,
}

impl Recent {
    /// What an empty list says: "None yet." only if nothing was left unsearched.
    fn none_text(&self) -> String {
        match (self.earlier, self.searched) {
            (false, _) => "None yet.".to_string(),
            (true, 0) => "None kept from this time: older messages are no longer kept.".to_string(),
            (true, n) => format!("None in the last {n} messages (earlier ones are not searched)."),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ComponentViewProps {
    pub id: String,
    pub running: bool,
    pub recent: Recent,
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
    let can_stop = props.id != "kubectl" && !props.id.starts_with("pod/") && !props.id.starts_with("kindnet/");
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
            if props.recent.messages.is_empty() {
                <p class="muted">{ props.recent.none_text() }</p>
            } else {
                <ol class="recent">
                    { for props.recent.messages.iter().map(|m| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_list_says_how_far_back_it_looked() {
        let cases = [
            (false, 40, "None yet."),
            (true, 0, "None kept from this time: older messages are no longer kept."),
            (true, 5_000, "None in the last 5000 messages (earlier ones are not searched)."),
        ];
        for (earlier, searched, want) in cases {
            assert_eq!(Recent { messages: vec![], searched, earlier }.none_text(), want);
        }
    }
}
