//! The architecture diagram: an SVG of the control plane, the nodes, their pods and the messages on
//! the wire. Positions come from [`Layout`]; this file only measures the space and draws.
//!
//! It renders on every tick of the clock, so the work is split by how often it changes: the boxes
//! ([`Architecture`]) only when the layout or the selection changes, the dots ([`MessageDots`]) on
//! every tick, in an SVG of their own laid over the boxes.

mod architecture;
mod component_box;
mod messages;
mod node_box;
mod pod_chip;

use std::rc::Rc;

use gloo::events::EventListener;
use yew::prelude::*;

use super::bridge;
use super::cluster::ClusterContext;
use super::layout::Layout;
use super::layout::geometry::Rect;
use super::model::ClusterModel;
use super::state::Selection;
use architecture::Architecture;
use messages::MessageDots;

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
#[component(Diagram)]
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
                    // The client size is rounded to the nearest pixel: a panel 770.9 wide says 771,
                    // and a drawing 771 wide would get a scroll bar. One pixel less always fits.
                    let (w, h) = ((el.client_width() - 1) as f64, (el.client_height() - 1) as f64);
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
    // Reading every node and pod is redone only when the apiserver's cache changed; which processes
    // are stopped is cheap to read and may change without it.
    let revision = cluster.with_world(bridge::cache_revision).unwrap_or_default();
    let objects = use_memo((cluster.world_ref(), revision), |_| {
        Shared(Rc::new(cluster.with_world(bridge::objects_model).unwrap_or_default()))
    });
    let stopped = cluster.with_world(|w| bridge::stopped(w, &objects.0)).unwrap_or_default();
    let layout = use_memo(((*objects).clone(), stopped, SizeKey::from(*size)), |(objects, stopped, s)| {
        let model = ClusterModel { stopped: stopped.clone(), ..(*objects.0).clone() };
        let (layout, scale) = Layout::fit(&model, s.0 as f64, s.1 as f64);
        (Shared(Rc::new(layout)), scale)
    });
    let (l, scale) = (&layout.0, layout.1);
    let selected_message = match &props.selection {
        Selection::Message(id) => Some(*id),
        _ => None,
    };
    let hop = selected_message.and_then(|id| cluster.with_world(|w| HopEnds::of(w.trace(), id)).flatten());

    let (view_box, width, height) = (
        format!("0 0 {:.0} {:.0}", l.width, l.height),
        format!("{:.0}", l.width * scale),
        format!("{:.0}", l.height * scale),
    );
    // The dots have an SVG of their own on top (a layer of its own, see `.diagram-messages`): moving
    // them every tick then never repaints the boxes underneath.
    html! {
        <div class="diagram-scroll" ref={host}>
            <svg class="diagram-svg" xmlns="http://www.w3.org/2000/svg" role="group" aria-label="Cluster architecture"
                viewBox={view_box.clone()} width={width.clone()} height={height.clone()}>
                <Architecture layout={l.clone()} selection={props.selection.clone()} {hop} on_select={props.on_select.clone()} />
            </svg>
            <svg class="diagram-svg diagram-messages" xmlns="http://www.w3.org/2000/svg" role="group" aria-label="Messages on the wire"
                viewBox={view_box} {width} {height}>
                <MessageDots layout={l.clone()} on_select={props.on_select.clone()} selected={selected_message} />
            </svg>
            if l.nodes.is_empty() {
                <p class="diagram-note">{ "No nodes have registered yet." }</p>
            }
        </div>
    }
}

/// The sender and receiver of the selected message (a story's hop), as the trace names them.
#[derive(Debug, Clone, PartialEq)]
pub struct HopEnds {
    pub from: Rc<str>,
    pub to: Rc<str>,
}

impl HopEnds {
    /// The ends of message `id`, while the trace keeps it (ids ascending: a binary search).
    fn of(entries: &bridge::Entries, id: u64) -> Option<HopEnds> {
        let e = entries.get(entries.partition_point(|e| e.id < id)).filter(|e| e.id == id)?;
        Some(HopEnds { from: Rc::from(&*e.from), to: Rc::from(&*e.to) })
    }

    /// Whether the process named `id` sent or received it.
    fn touches(&self, id: &str) -> bool {
        *self.from == *id || *self.to == *id
    }
}

/// A value shared through an `Rc` and compared by identity: as a prop it changes only when it is
/// rebuilt, so comparing it costs nothing however large it is.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
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

/// A coordinate as SVG attribute text, to a tenth of a unit.
fn num(v: f64) -> String {
    Tenths(v).to_string()
}

/// Writes a number to a tenth with integer formatting: `format!("{:.1}")` takes the slow exact path
/// of float formatting, and every moving dot needs two numbers per tick. Not finite numbers write 0.
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round();
        let tenths = if tenths.is_finite() { tenths as i64 } else { 0 };
        let sign = if tenths < 0 { "-" } else { "" };
        let abs = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", abs / 10, abs % 10)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_to_a_tenth() {
        let cases = [
            (0.0, "0.0"),
            (12.34, "12.3"),
            (12.35, "12.4"),
            (-3.06, "-3.1"),
            (-0.04, "0.0"),
            (1e6, "1000000.0"),
            (f64::NAN, "0.0"),
            (f64::INFINITY, "0.0"),
        ];
        for (v, want) in cases {
            assert_eq!(num(v), want, "{v}");
        }
        for v in [0.25, 7.5, 99.99, 480.05, -17.77] {
            assert!((num(v).parse::<f64>().expect("a number") - v).abs() <= 0.05 + 1e-9, "{v} -> {}", num(v));
        }
    }

    #[test]
    fn shared_props_compare_by_identity() {
        let a = Shared(Rc::new(vec![1, 2]));
        assert!(a == a.clone(), "the same value is no change");
        assert!(a != Shared(Rc::new(vec![1, 2])), "a rebuilt value is a change, even if equal");
        assert_eq!(a.len(), 2);
    }
}
