//! A stored object: its live YAML (as `kubectl get -o yaml` shows it), its Events, its history in
//! etcd with what the last revision changed, a pod's scheduling decision, a node's power switch, and
//! a claim's or volume's binding in a line.

use serde_json::Value;
use yew::prelude::*;

use super::decision_table::DecisionTableView;
use super::history_view::HistoryView;
use super::volume_view::{VolumeSummary, VolumeView};
use crate::ui::bridge::etcd::HistoryRow;
use crate::ui::bridge::{DecisionTable, EventRow};
use crate::ui::session::Op;
use crate::ui::state::Selection;

#[derive(Properties, PartialEq)]
pub struct ObjectViewProps {
    pub storage_key: String,
    pub object: Option<Value>,
    pub events: Vec<EventRow>,
    pub decision: Option<DecisionTable>,
    /// Some for nodes: whether the node is powered on.
    pub node_running: Option<bool>,
    /// The key's retained revisions in etcd, oldest first.
    pub history: Vec<HistoryRow>,
    /// Some for claims and volumes: phase, bound partner, the node holding the data.
    pub volume: Option<VolumeSummary>,
    pub on_fault: Callback<Op>,
    pub on_select: Callback<Selection>,
}

#[component(ObjectView)]
pub fn object_view(props: &ObjectViewProps) -> Html {
    let yaml = use_memo(props.object.clone(), |o| o.as_ref().map(to_yaml));
    let Some(obj) = &props.object else {
        return html! {
            <>
                <p>{ format!("{} does not exist (any more).", props.storage_key) }</p>
                <HistoryView rows={props.history.clone()} />
            </>
        };
    };
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("Object");
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let power = props.node_running.map(|running| {
        let (cb, node) = (props.on_fault.clone(), name.to_string());
        let toggle = Callback::from(move |_: MouseEvent| cb.emit(Op::Node { name: node.clone(), running: !running }));
        html! {
            <p class="state">
                { if running { "Powered on. " } else { "Powered off: its kubelet stops renewing the node's lease. " } }
                <button onclick={toggle} data-testid="toggle-node">{ if running { "Power off" } else { "Power on" } }</button>
            </p>
        }
    });
    html! {
        <div class="object-view">
            <h3>{ format!("{kind} {name}") }</h3>
            { power.unwrap_or_default() }
            if let Some(summary) = &props.volume {
                <VolumeView summary={summary.clone()} on_select={props.on_select.clone()} />
            }
            if let Some(table) = &props.decision {
                <DecisionTableView table={table.clone()} />
            }
            <h4>{ "Events" }</h4>
            if props.events.is_empty() {
                <p class="muted">{ "<none>" }</p>
            } else {
                <div class="table-scroll">
                    <table class="events">
                        <thead><tr><th>{ "Type" }</th><th>{ "Reason" }</th><th>{ "From" }</th><th>{ "Message" }</th></tr></thead>
                        <tbody>
                            { for props.events.iter().map(|e| html! {
                                <tr class={classes!((e.kind == "Warning").then_some("warning"))}>
                                    <td>{ e.kind.clone() }</td><td>{ e.reason.clone() }</td><td>{ e.from.clone() }</td>
                                    <td>{ if e.count > 1 { format!("{} (x{})", e.message, e.count) } else { e.message.clone() } }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
            <h4>{ "Live YAML" }</h4>
            <pre class="yaml">{ (*yaml).clone().unwrap_or_default() }</pre>
            <HistoryView rows={props.history.clone()} />
        </div>
    }
}

/// The object as kubectl prints it with `-o yaml` (the same printer: keys sorted, kubectl's quoting);
/// managedFields are hidden, as kubectl does by default.
pub(super) fn to_yaml(obj: &Value) -> String {
    let mut obj = obj.clone();
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    crate::ui::bridge::to_yaml(&obj)
}
