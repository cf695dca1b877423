//! One process box (kube-apiserver, etcd, a kubelet, ...), clickable to inspect it.

use yew::prelude::*;

use super::{activation, label, num};
use crate::ui::glossary;
use crate::ui::layout::{CHAR_W, ComponentBox};
use crate::ui::state::Selection;

#[derive(Properties, PartialEq)]
pub struct ComponentBoxProps {
    pub component: ComponentBox,
    pub selected: bool,
    /// One end of the selected message (the story's hop): its sender or its receiver.
    #[prop_or_default]
    pub hop_end: bool,
    /// The diagram's one callback (it keeps its identity, so an unchanged box skips its render);
    /// the box sends its own selection.
    pub on_select: Callback<Selection>,
}

#[component(ComponentBoxView)]
pub fn component_box(props: &ComponentBoxProps) -> Html {
    let c = &props.component;
    let r = &c.rect;
    let role = c.id.split('/').next().unwrap_or_default().to_string();
    let (click, key) = activation(props.on_select.reform({
        let id = c.id.clone();
        move |()| Selection::Component(id.clone())
    }));
    let title = match glossary::lookup(&c.id) {
        Some(e) => format!("{}: {}{}", c.id, e.does, if c.running { "" } else { " (stopped)" }),
        None => c.id.clone(),
    };
    let class = classes!(
        "component",
        format!("role-{role}"),
        (!c.running).then_some("stopped"),
        props.selected.then_some("selected"),
        props.hop_end.then_some("hop-end")
    );
    html! {
        <g class={class} data-testid="component" data-name={c.id.clone()} tabindex="0" role="button"
            aria-label={format!("{}{}", c.id, if c.running { "" } else { ", stopped" })} aria-pressed={props.selected.to_string()}
            onclick={click} onkeydown={key}>
            <title>{ title }</title>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="6" />
            { label(c.label, r, "component-label", CHAR_W) }
        </g>
    }
}
