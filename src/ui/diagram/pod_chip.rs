//! A pod chip, coloured by phase (or Terminating), with a volume badge when the pod uses claims, and
//! the `+N` chip for pods without a slot.

use yew::prelude::*;

use super::{activation, num};
use crate::ui::layout::geometry::Rect;
use crate::ui::layout::{BADGE_W, MoreChip, PodChip, aggregate};
use crate::ui::model::PodModel;
use crate::ui::state::Selection;

#[derive(Properties, PartialEq)]
pub struct PodChipProps {
    pub chip: PodChip,
    pub selected: bool,
    /// The diagram's one callback; the chip sends its pod's storage key.
    pub on_select: Callback<Selection>,
}

#[component(PodChipView)]
pub fn pod_chip(props: &PodChipProps) -> Html {
    let PodChip { pod, rect: r, label } = &props.chip;
    let (click, key) = activation(props.on_select.reform({
        let key = pod.key();
        move |()| Selection::Object(key.clone())
    }));
    let status = pod.status().to_string();
    let class = classes!(
        "pod",
        format!("phase-{}", status.to_ascii_lowercase()),
        pod.is_system().then_some("system"),
        props.selected.then_some("selected")
    );
    html! {
        <g class={class} data-testid="pod" data-name={pod.name.clone()} data-namespace={pod.namespace.clone()}
            data-phase={pod.phase.clone()} data-status={status.clone()} tabindex="0" role="button"
            aria-label={format!("pod {}/{}, {status}", pod.namespace, pod.name)} onclick={click} onkeydown={key}>
            <title>{ format!("pod {}/{}: {status}", pod.namespace, pod.name) }</title>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx={num(r.h / 2.0)} />
            <circle class="pod-dot" cx={num(r.x + 9.0)} cy={num(r.cy())} r="3.5" />
            <text class="pod-label" x={num(r.x + 16.0)} y={num(r.cy() + 3.5)}>{ label.clone() }</text>
            { volume_badge(pod, r, &props.on_select) }
        </g>
    }
}

/// A small disk at the chip's right end for a pod that uses claims; a click opens the first claim in
/// the inspector (its phase, its volume, the node that holds the data).
fn volume_badge(pod: &PodModel, r: &Rect, on_select: &Callback<Selection>) -> Html {
    let Some(first) = pod.claims.first() else { return Html::default() };
    let (click, key) = activation(on_select.reform({
        let key = pod.claim_key(first);
        move |()| Selection::Object(key.clone())
    }));
    let (x, y) = (r.right() - BADGE_W + 1.0, r.y + 4.0);
    let body = format!("M{},{} v8 a5,2 0 0 0 10,0 v-8", num(x), num(y + 2.0));
    let names = pod.claims.join(", ");
    html! {
        <g class="pod-volume" data-testid="pod-volume" data-claims={names.clone()} tabindex="0" role="button"
            aria-label={format!("claims of pod {}: {names}", pod.name)} onclick={click} onkeydown={key}>
            <title>{ format!("PersistentVolumeClaim: {names}") }</title>
            <path d={body} />
            <ellipse cx={num(x + 5.0)} cy={num(y + 2.0)} rx="5" ry="2" />
        </g>
    }
}

/// The chip that stands for `count` pods that have no slot of their own, counted by status.
pub fn more_chip(more: &MoreChip) -> Html {
    let r = &more.rect;
    let statuses = more.statuses.iter().map(|(s, n)| format!("{s}={n}")).collect::<Vec<_>>().join(" ");
    html! {
        <g class="pod-more" data-testid="pod-aggregate" data-count={more.count.to_string()} data-statuses={statuses}>
            <title>{ aggregate::title(&more.statuses) }</title>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx={num(r.h / 2.0)} />
            <text x={num(r.cx())} y={num(r.cy() + 3.5)} text-anchor="middle">{ more.label.clone() }</text>
        </g>
    }
}
