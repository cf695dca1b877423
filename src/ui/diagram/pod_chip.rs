//! A pod chip, coloured by phase (or Terminating), and the `+N` chip for pods without a slot.

use yew::prelude::*;

use super::{activation, num};
use crate::ui::layout::{MoreChip, PodChip, aggregate};
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
    let class = classes!("pod", format!("phase-{}", status.to_ascii_lowercase()), props.selected.then_some("selected"));
    html! {
        <g class={class} data-testid="pod" data-name={pod.name.clone()} data-namespace={pod.namespace.clone()}
            data-phase={pod.phase.clone()} data-status={status.clone()} tabindex="0" role="button"
            aria-label={format!("pod {}/{}, {status}", pod.namespace, pod.name)} onclick={click} onkeydown={key}>
            <title>{ format!("pod {}/{}: {status}", pod.namespace, pod.name) }</title>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx={num(r.h / 2.0)} />
            <circle class="pod-dot" cx={num(r.x + 9.0)} cy={num(r.cy())} r="3.5" />
            <text class="pod-label" x={num(r.x + 16.0)} y={num(r.cy() + 3.5)}>{ label.clone() }</text>
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
