//! The messages on the wire at the display time: one dot each, on its link, coloured by kind.
//!
//! This is the one part of the diagram drawn on every tick, with up to [`MAX_DOTS`] dots, so it
//! is kept lean: one click listener on the group for all dots (a dot is found by its `data-id`),
//! and each dot's element built straight from its trace entry.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::{Shared, Tenths};
use crate::ui::bridge::{Fate, TraceEntry};
use crate::ui::cluster::{ClusterContext, MAX_DOTS};
use crate::ui::layout::Layout;
use crate::ui::layout::geometry::Point;
use crate::ui::state::Selection;
use crate::ui::traffic::{self, FlightState};

#[derive(Properties, PartialEq)]
pub struct MessageDotsProps {
    pub layout: Shared<Layout>,
    pub selected: Option<u64>,
    pub on_select: Callback<Selection>,
}

#[component(MessageDots)]
pub fn message_dots(props: &MessageDotsProps) -> Html {
    let cluster = use_context::<ClusterContext>().expect("MessageDots is rendered inside the cluster provider");
    let display = cluster.display;
    let dots = cluster
        .with_world(|w| {
            let entries = w.trace();
            traffic::in_flight(entries, display, MAX_DOTS)
                .into_iter()
                .filter_map(|f| {
                    let e = &entries[f.index];
                    let at = props.layout.message_point(&e.from, &e.to, f.progress)?;
                    Some(dot(e, at, f.state, props.selected == Some(e.id)))
                })
                .collect::<Html>()
        })
        .unwrap_or_default();
    let on_select = props.on_select.clone();
    let click = Callback::from(move |e: MouseEvent| {
        let id = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-testid=message]").ok().flatten())
            .and_then(|el| el.get_attribute("data-id"))
            .and_then(|id| id.parse().ok());
        if let Some(id) = id {
            e.stop_propagation();
            on_select.emit(Selection::Message(id));
        }
    });
    html! {
        <g class="messages" aria-live="off" onclick={click}>
            { dots }
        </g>
    }
}

/// One message's dot at `at`, with the summary as its tooltip.
fn dot(e: &TraceEntry, at: Point, state: FlightState, selected: bool) -> Html {
    let (state, note) = match state {
        FlightState::Moving => ("moving", ""),
        FlightState::Dropped if e.fate == Fate::Filtered => ("dropped", " (dropped by a NetworkPolicy)"),
        FlightState::Dropped => ("dropped", " (dropped: the link is cut)"),
        FlightState::Held => ("held", " (held: the link is paused)"),
    };
    let class = classes!("message", kind_class(e.kind), state, selected.then_some("selected"));
    html! {
        <g key={e.id} class={class} data-testid="message" data-id={e.id.to_string()} data-from={e.from.to_string()} data-to={e.to.to_string()}
            data-kind={e.kind} transform={format!("translate({},{})", Tenths(at.x), Tenths(at.y))}>
            <title>{ format!("{} → {}: {}{note}", e.from, e.to, e.summary) }</title>
            <circle class="hit" r="11" />
            <circle class="dot" r="5.5" />
        </g>
    }
}

/// The class that colours a message of trace kind `kind`, as a static string: a class built with
/// `format!` would be split and joined again by `classes!` for each of hundreds of dots per tick.
/// Kinds without a colour of their own get the default one.
fn kind_class(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "request" => "kind-request",
        "response" => "kind-response",
        "watch" => "kind-watch",
        "etcd" => "kind-etcd",
        "etcd-watch" => "kind-etcd-watch",
        "cri" => "kind-cri",
        "kubelet" => "kind-kubelet",
        "packet" => "kind-packet",
        "stream" => "kind-stream",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_the_simulation_sends_has_its_class() {
        for kind in ["request", "response", "watch", "etcd", "etcd-watch", "cri", "kubelet", "packet", "stream"] {
            assert_eq!(kind_class(kind).map(String::from), Some(format!("kind-{kind}")));
        }
        assert_eq!(kind_class("gossip"), None);
    }
}
