//! The architecture diagram: an SVG of the control plane, the nodes, their pods and the messages on
//! the wire. Positions come from [`Layout`]; this file only measures the space and draws.

mod component_box;
mod messages;
mod node_box;
mod pod_chip;

use std::rc::Rc;

use gloo::events::EventListener;
use yew::prelude::*;

use super::cluster::{ClusterContext, bridge};
use super::layout::Layout;
use super::layout::geometry::{Rect, svg_points};
use super::state::Selection;
use component_box::ComponentBoxView;
use messages::MessageDots;
use node_box::NodeBoxView;
use pod_chip::{PodChipView, more_chip};

/// Size assumed before the container has been measured.
const DEFAULT_SIZE: (f64, f64) = (800.0, 600.0);
/// The `performance.mark` set when the diagram is first in the DOM: `make bench-frames` reports
/// its time since navigation as the first render.
pub const FIRST_RENDER_MARK: &str = "diagram-first-render";

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub selection: Selection,
    pub on_select: Callback<Selection>,
}

/// The diagram panel.
#[function_component(Diagram)]
pub fn diagram(props: &DiagramProps) -> Html {
    let cluster = use_context::<ClusterContext>().expect("Diagram is rendered inside the cluster provider");
    let host = use_node_ref();
    let size = use_state(|| DEFAULT_SIZE);
    {
        let (host, size) = (host.clone(), size.clone());
        use_effect_with((), move |_| {
            // Effects run once the render is in the DOM: this is the first frame a person could see.
            if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
                let _ = perf.mark(FIRST_RENDER_MARK);
            }
            let measure = move || {
                if let Some(el) = host.cast::<web_sys::Element>() {
                    let (w, h) = (el.client_width() as f64, el.client_height() as f64);
                    if w > 0.0 && h > 0.0 {
                        size.set((w, h));
                    }
                }
            };
            measure();
            let listener = web_sys::window().map(|win| EventListener::new(&win, "resize", move |_| measure()));
            move || drop(listener)
        });
    }
    let model = cluster.with_world(bridge::model).unwrap_or_default();
    let layout = use_memo((model, SizeKey::from(*size)), |(m, s)| Layout::fit(m, s.0 as f64, s.1 as f64));
    let (l, scale) = (&layout.0, layout.1);
    let layout = Rc::new(layout.0.clone());
    let sel = &props.selection;
    let is_component = |id: &str| matches!(sel, Selection::Component(s) if s == id);
    let is_object = |key: &str| matches!(sel, Selection::Object(s) if s == key);
    let select = |s: Selection| {
        let cb = props.on_select.clone();
        Callback::from(move |()| cb.emit(s.clone()))
    };
    let component = |c: &super::layout::ComponentBox| {
        html! { <ComponentBoxView key={c.id.clone()} component={c.clone()} selected={is_component(&c.id)} on_select={select(Selection::Component(c.id.clone()))} /> }
    };

    html! {
        <div class="diagram-scroll" ref={host}>
            <svg class="diagram-svg" xmlns="http://www.w3.org/2000/svg" role="group" aria-label="Cluster architecture"
                viewBox={format!("0 0 {:.0} {:.0}", l.width, l.height)} width={format!("{:.0}", l.width * scale)} height={format!("{:.0}", l.height * scale)}>
                { frame(&l.control_plane, "Control plane") }
                <g class="links" aria-hidden="true">
                    { for l.links.iter().map(|link| html! { <polyline class="wire" points={svg_points(&link.path)} /> }) }
                </g>
                <g class="control-plane">
                    { for l.control.iter().map(component) }
                </g>
                { component(&l.kubectl) }
                <g class="tray" aria-label="Pods waiting for a node">
                    <text class="tray-label" x={num(l.tray.x)} y={num(l.tray.cy() + 4.0)}>{ "Unscheduled" }</text>
                    if l.unscheduled.chips.is_empty() {
                        <text class="tray-empty" x={num(l.tray.x + 86.0)} y={num(l.tray.cy() + 4.0)}>{ "none" }</text>
                    }
                    { for l.unscheduled.chips.iter().map(|c| html! {
                        <PodChipView key={c.pod.key()} chip={c.clone()} selected={is_object(&c.pod.key())} on_select={select(Selection::Object(c.pod.key()))} />
                    }) }
                    { l.unscheduled.more.as_ref().map(more_chip).unwrap_or_default() }
                </g>
                <g class="nodes">
                    { for l.nodes.iter().map(|n| html! {
                        <NodeBoxView key={n.node.name.clone()} node={n.clone()} selection={sel.clone()} on_select={props.on_select.clone()} />
                    }) }
                </g>
                <MessageDots layout={layout.clone()} on_select={props.on_select.clone()} selected={match sel { Selection::Message(id) => Some(*id), _ => None }} />
            </svg>
            if l.nodes.is_empty() {
                <p class="diagram-note">{ "No nodes have registered yet." }</p>
            }
        </div>
    }
}

/// The panel size in whole pixels (a memo key must compare exactly).
#[derive(Clone, Copy, PartialEq)]
struct SizeKey(i64, i64);

impl From<(f64, f64)> for SizeKey {
    fn from((w, h): (f64, f64)) -> Self {
        SizeKey(w.round() as i64, h.round() as i64)
    }
}

/// A labelled frame around a group of boxes.
fn frame(r: &Rect, title: &str) -> Html {
    html! {
        <>
            <rect class="frame" x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="10" />
            <text class="frame-title" x={num(r.x + 24.0)} y={num(r.y + 17.0)}>{ title.to_string() }</text>
        </>
    }
}

/// A coordinate as SVG attribute text.
fn num(v: f64) -> String {
    format!("{v:.1}")
}

/// Text centred in `r`, squeezed (`textLength`) when the estimate says it would overflow.
fn label(text: &str, r: &Rect, class: &'static str, char_w: f64) -> Html {
    let room = r.w - 10.0;
    let squeeze = (text.chars().count() as f64 * char_w > room).then(|| num(room));
    html! {
        <text class={class} x={num(r.cx())} y={num(r.cy() + 4.0)} text-anchor="middle" textLength={squeeze.clone()}
            lengthAdjust={squeeze.map(|_| "spacingAndGlyphs")}>{ text.to_string() }</text>
    }
}

/// Click and keyboard (Enter, Space) activation for an SVG group acting as a button.
fn activation(on: Callback<()>) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let click = {
        let on = on.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on.emit(());
        })
    };
    let key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            e.stop_propagation();
            on.emit(());
        }
    });
    (click, key)
}
