//! The still part of the diagram: the control plane, kubectl, the unscheduled tray, the wires and
//! the nodes with their pods. It renders only when the layout or the selection changes.

use yew::prelude::*;

use super::component_box::ComponentBoxView;
use super::node_box::NodeBoxView;
use super::pod_chip::{PodChipView, more_chip};
use super::{HopEnds, Shared, num};
use crate::ui::layout::geometry::{Point, Rect, svg_points};
use crate::ui::layout::{ComponentBox, Layout};
use crate::ui::state::Selection;

#[derive(Properties, PartialEq)]
pub struct ArchitectureProps {
    pub layout: Shared<Layout>,
    pub selection: Selection,
    /// The selected message's ends: their boxes are marked and its path drawn.
    pub hop: Option<HopEnds>,
    pub on_select: Callback<Selection>,
}

#[component(Architecture)]
pub fn architecture(props: &ArchitectureProps) -> Html {
    let l = &props.layout;
    let sel = &props.selection;
    let is_component = |id: &str| matches!(sel, Selection::Component(s) if s == id);
    let is_object = |key: &str| matches!(sel, Selection::Object(s) if s == key);
    let component = |c: &ComponentBox| {
        let hop_end = props.hop.as_ref().is_some_and(|h| h.touches(&c.id));
        html! { <ComponentBoxView key={c.id.clone()} component={c.clone()} selected={is_component(&c.id)} {hop_end} on_select={props.on_select.clone()} /> }
    };
    html! {
        <>
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
                    <PodChipView key={c.pod.key()} chip={c.clone()} selected={is_object(&c.pod.key())} on_select={props.on_select.clone()} />
                }) }
                { l.unscheduled.more.as_ref().map(more_chip).unwrap_or_default() }
            </g>
            <g class="nodes">
                { for l.nodes.iter().map(|n| html! {
                    <NodeBoxView key={n.node.name.clone()} node={n.clone()} selection={sel.clone()} hop={props.hop.clone()} on_select={props.on_select.clone()} />
                }) }
            </g>
            { props.hop.as_ref().map(|h| hop_path(l, h)).unwrap_or_default() }
        </>
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

/// The selected message's way from its sender to its receiver, with an arrowhead at the receiver:
/// the hop stays visible after its dot has arrived (a story is stepped through at leisure).
fn hop_path(l: &Layout, h: &HopEnds) -> Html {
    const STEPS: usize = 24;
    let points: Vec<Point> =
        (0..=STEPS).filter_map(|i| l.message_point(&h.from, &h.to, i as f64 / STEPS as f64)).collect();
    let [.., before, tip] = points.as_slice() else { return Html::default() };
    let (dx, dy) = (tip.x - before.x, tip.y - before.y);
    let len = dx.hypot(dy);
    if len == 0.0 {
        return Html::default();
    }
    // An arrowhead 11 units long, 8 wide, pointing along the path's last step.
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (tip.x - ux * 11.0, tip.y - uy * 11.0);
    let head = format!(
        "{},{} {},{} {},{}",
        num(tip.x),
        num(tip.y),
        num(bx - uy * 4.0),
        num(by + ux * 4.0),
        num(bx + uy * 4.0),
        num(by - ux * 4.0)
    );
    html! {
        <g class="hop-path" data-testid="hop-path" aria-hidden="true">
            <polyline points={svg_points(&points)} />
            <polygon points={head} />
        </g>
    }
}
