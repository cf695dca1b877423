//! etcd's side of the inspector: the store's revision and its keys, filterable, each opening its history.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::ui::bridge::etcd::KeyRow;
use crate::ui::state::Selection;

/// Past this many matching keys the table is cut short (a big cluster has thousands).
const SHOWN: usize = 200;

#[derive(Properties, PartialEq)]
pub struct EtcdViewProps {
    /// Every live key; filtered here as the learner types.
    pub keys: Vec<KeyRow>,
    pub revision: i64,
    pub compacted: i64,
    pub on_select: Callback<Selection>,
}

#[component(EtcdView)]
pub fn etcd_view(props: &EtcdViewProps) -> Html {
    let filter = use_state(String::new);
    let on_input = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| filter.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let matching: Vec<&KeyRow> = props.keys.iter().filter(|k| k.key.contains(filter.as_str())).collect();
    let compacted = if props.compacted > 0 { format!(", compacted up to {}", props.compacted) } else { String::new() };
    html! {
        <div class="etcd-view" data-testid="etcd-keys">
            <h4>{ "Keys" }</h4>
            <p class="muted">{ format!("Revision {}{compacted}; {} live keys.", props.revision, props.keys.len()) }</p>
            <input type="search" class="filter" placeholder="filter keys, e.g. /registry/pods/" aria-label="Filter keys"
                value={(*filter).clone()} oninput={on_input} />
            <div class="table-scroll">
                <table class="etcd-keys">
                    <thead><tr><th>{ "Key" }</th><th title="create_revision">{ "Created" }</th>
                        <th title="mod_revision (the object's resourceVersion)">{ "Modified" }</th>
                        <th title="version: puts since creation">{ "Ver." }</th><th>{ "Bytes" }</th></tr></thead>
                    <tbody>
                        { for matching.iter().take(SHOWN).map(|k| {
                            let cb = props.on_select.clone();
                            let key = k.key.clone();
                            html! {
                                <tr>
                                    <td><button class="link" data-testid="etcd-key" data-key={k.key.clone()}
                                        onclick={Callback::from(move |_: MouseEvent| cb.emit(Selection::Object(key.clone())))}>
                                        { k.key.clone() }</button></td>
                                    <td>{ k.create_revision }</td><td>{ k.mod_revision }</td><td>{ k.version }</td><td>{ k.bytes }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
            if matching.len() > SHOWN {
                <p class="muted">{ format!("… and {} more: narrow the filter.", matching.len() - SHOWN) }</p>
            }
        </div>
    }
}
