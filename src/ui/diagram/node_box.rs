//! One node: its frame and header, its kubelet, kube-proxy and container runtime, and its pods.

use yew::prelude::*;

use super::component_box::ComponentBoxView;
use super::pod_chip::{PodChipView, more_chip};
use super::{HopEnds, activation, num};
use crate::ui::layout::NodeBox;
use crate::ui::model::Readiness;
use crate::ui::state::Selection;

#[derive(Properties, PartialEq)]
pub struct NodeBoxProps {
    pub node: NodeBox,
    pub selection: Selection,
    /// The selected message's sender and receiver, marked when they are this node's components.
    pub hop: Option<HopEnds>,
    pub on_select: Callback<Selection>,
}

#[component(NodeBoxView)]
pub fn node_box(props: &NodeBoxProps) -> Html {
    let n = &props.node;
    let r = &n.rect;
    let key = n.node.key();
    let (click, keydown) = activation(props.on_select.reform({
        let key = key.clone();
        move |()| Selection::Object(key.clone())
    }));
    let status = n.status;
    let role = if n.node.control_plane { "control-plane" } else { "worker" };
    let readiness = match n.node.readiness {
        Readiness::Ready => "ready",
        Readiness::NotReady => "notready",
        Readiness::Unknown => "unknown",
    };
    let class = classes!(
        "node",
        readiness,
        (!n.running).then_some("off"),
        matches!(&props.selection, Selection::Object(k) if *k == key).then_some("selected")
    );
    let component = |c: &crate::ui::layout::ComponentBox| {
        let selected = matches!(&props.selection, Selection::Component(s) if *s == c.id);
        let hop_end = props.hop.as_ref().is_some_and(|h| h.touches(&c.id));
        html! { <ComponentBoxView component={c.clone()} {selected} {hop_end} on_select={props.on_select.clone()} /> }
    };
    html! {
        <g class={class} data-testid="node" data-name={n.node.name.clone()} data-status={status}>
            <g class="node-frame" tabindex="0" role="button" aria-label={format!("node {}, {role}, {status}", n.node.name)} onclick={click} onkeydown={keydown}>
                <title>{ format!("node {} ({role}): {status}", n.node.name) }</title>
                <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="8" />
                <circle class="node-status" cx={num(r.x + 12.0)} cy={num(r.y + 14.0)} r="4" />
                <text class="node-title" x={num(r.x + 21.0)} y={num(r.y + 18.0)}>{ n.title.clone() }</text>
                <text class="node-role" x={num(r.right() - 8.0)} y={num(r.y + 18.0)} text-anchor="end">{ status }</text>
            </g>
            { component(&n.kubelet) }
            { component(&n.proxy) }
            { component(&n.runtime) }
            { for n.pods.chips.iter().map(|c| {
                let key = c.pod.key();
                let selected = matches!(&props.selection, Selection::Object(k) if *k == key);
                html! { <PodChipView key={key} chip={c.clone()} selected={selected} on_select={props.on_select.clone()} /> }
            }) }
            { n.pods.more.as_ref().map(more_chip).unwrap_or_default() }
            if n.pods.chips.is_empty() && n.pods.more.is_none() {
                <text class="no-pods" x={num(r.x + 10.0)} y={num(r.y + 104.0)}>{ "no pods" }</text>
            }
        </g>
    }
}
