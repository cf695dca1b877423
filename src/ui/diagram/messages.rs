//! The messages on the wire at the display time: one dot each, on its link, coloured by kind.

use std::rc::Rc;

use yew::prelude::*;

use super::num;
use crate::ui::cluster::{ClusterContext, MAX_DOTS};
use crate::ui::layout::Layout;
use crate::ui::state::Selection;
use crate::ui::traffic::{self, FlightState};

#[derive(Properties, PartialEq)]
pub struct MessageDotsProps {
    pub layout: Rc<Layout>,
    pub selected: Option<u64>,
    pub on_select: Callback<Selection>,
}

/// A dot to draw, read out of the trace.
struct Dot {
    id: u64,
    from: String,
    to: String,
    kind: &'static str,
    summary: String,
    x: f64,
    y: f64,
    state: FlightState,
}

#[function_component(MessageDots)]
pub fn message_dots(props: &MessageDotsProps) -> Html {
    let cluster = use_context::<ClusterContext>().expect("MessageDots is rendered inside the cluster provider");
    let display = cluster.display;
    let dots: Vec<Dot> = cluster
        .with_world(|w| {
            let entries = w.k.trace.entries();
            traffic::in_flight(entries, display, MAX_DOTS)
                .into_iter()
                .filter_map(|f| {
                    let e = &entries[f.index];
                    let p = props.layout.message_point(&e.from, &e.to, f.progress)?;
                    Some(Dot { id: e.id, from: e.from.clone(), to: e.to.clone(), kind: e.kind, summary: e.summary.clone(), x: p.x, y: p.y, state: f.state })
                })
                .collect()
        })
        .unwrap_or_default();

    html! {
        <g class="messages" aria-live="off">
            { for dots.into_iter().map(|d| {
                let on_select = props.on_select.clone();
                let id = d.id;
                let click = Callback::from(move |e: MouseEvent| {
                    e.stop_propagation();
                    on_select.emit(Selection::Message(id));
                });
                let state = match d.state {
                    FlightState::Moving => "moving",
                    FlightState::Dropped => "dropped",
                    FlightState::Held => "held",
                };
                let class = classes!("message", format!("kind-{}", d.kind), state, (props.selected == Some(d.id)).then_some("selected"));
                html! {
                    <g key={d.id} class={class} data-testid="message" data-id={d.id.to_string()} data-from={d.from.clone()} data-to={d.to.clone()}
                        data-kind={d.kind} transform={format!("translate({},{})", num(d.x), num(d.y))} onclick={click}>
                        <title>{ format!("{} → {}: {}{}", d.from, d.to, d.summary, match d.state { FlightState::Dropped => " (dropped: the link is cut)", FlightState::Held => " (held: the link is paused)", FlightState::Moving => "" }) }</title>
                        <circle class="hit" r="11" />
                        <circle class="dot" r="5.5" />
                    </g>
                }
            }) }
        </g>
    }
}
