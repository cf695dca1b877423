//! The inspector: the live YAML of the selected object and its history in etcd, the full content of
//! a selected message, a component's role and recent traffic (etcd's: its keys), Events, and a
//! pod's scheduling decision.

mod component_view;
mod decision_table;
mod diff;
mod endpoints_view;
mod etcd_view;
mod history_view;
mod message_view;
mod object_view;
mod rules_view;
mod store_view;
mod volume_view;

use yew::prelude::*;

use super::bridge::{self, Entries, TRACE_WINDOW, TraceEntry};
use super::cluster::{Cluster, ClusterAction, ClusterContext};
use super::session::Op;
use super::state::Selection;
use component_view::{ComponentView, Recent};
use endpoints_view::EndpointsView;
use etcd_view::EtcdView;
use message_view::MessageView;
use object_view::ObjectView;
use rules_view::RulesView;

/// How many of a component's recent messages are listed.
const RECENT: usize = 12;
/// How far back in the trace to look for them.
const RECENT_SCAN: usize = 5_000;
const _: () = assert!(RECENT_SCAN <= TRACE_WINDOW, "the trace keeps what the inspector scans");

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub selection: Selection,
    pub on_select: Callback<Selection>,
    pub dispatcher: UseReducerDispatcher<Cluster>,
}

#[component(Inspector)]
pub fn inspector(props: &InspectorProps) -> Html {
    let cluster = use_context::<ClusterContext>().expect("Inspector is rendered inside the cluster provider");
    let on_fault = {
        let d = props.dispatcher.clone();
        Callback::from(move |op: Op| d.dispatch(ClusterAction::Fault(op)))
    };
    let close = {
        let cb = props.on_select.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Selection::None))
    };
    // etcd's keys and a key's decoded history change only with the store's revision, not on every
    // tick the inspector re-renders for.
    let (revision, compacted) = cluster.with_world(bridge::etcd::revisions).unwrap_or_default();
    let store_view = {
        let cluster = cluster.clone();
        use_memo((props.selection.clone(), revision), move |(selection, _)| {
            cluster.with_world(|w| store_view::StoreView::of(w, selection)).unwrap_or_default()
        })
    };
    let body = match &props.selection {
        Selection::None => intro(),
        Selection::Message(id) => {
            match cluster.with_world(|w| find_message(w.trace(), *id).map(|e| (e, w.content(*id)))).flatten() {
                Some((entry, content)) => {
                    // A packet leaving a node's rules: those rules, with the ones it matched marked.
                    let rules = entry.from.strip_prefix("kube-proxy/").and_then(|node| {
                        cluster.with_world(|w| (w.proxy_rules(node), w.matched_rules(*id))).and_then(|(r, m)| {
                            r.map(|rules| html! { <RulesView node={node.to_string()} {rules} matched={m} /> })
                        })
                    });
                    html! {
                        <>
                            <MessageView {entry} {content} display={cluster.display} on_select={props.on_select.clone()} />
                            { rules.unwrap_or_default() }
                        </>
                    }
                }
                None => html! { <p>{ format!("Message {id} is no longer kept in the trace.") }</p> },
            }
        }
        Selection::Object(key) => {
            let (namespace, name) = namespace_and_name(key);
            let view = cluster.with_world(|w| {
                let object = bridge::object(w, key);
                let kind = object
                    .as_ref()
                    .and_then(|o| o.get("kind"))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let events = bridge::events_for(w, &namespace, &kind, &name);
                let decision =
                    key.starts_with("/registry/pods/").then(|| bridge::decision(w, &namespace, &name)).flatten();
                let node_running = key.strip_prefix("/registry/minions/").and_then(|n| bridge::node_running(w, n));
                // A claim's volume knows the node that holds the data.
                let volume = object.as_ref().and_then(|o| {
                    let bound = o
                        .pointer("/spec/volumeName")
                        .and_then(serde_json::Value::as_str)
                        .filter(|_| kind == "PersistentVolumeClaim");
                    let partner = bound.and_then(|v| bridge::object(w, &format!("/registry/persistentvolumes/{v}")));
                    volume_view::VolumeSummary::of(o, partner.as_ref())
                });
                // A Service: the endpoints kube-proxy's rules balance over.
                let endpoints = (kind == "Service").then(|| bridge::service_endpoints(w, &namespace, &name));
                (object, events, decision, node_running, volume, endpoints)
            });
            let (object, events, decision, node_running, volume, endpoints) = view.unwrap_or_default();
            let endpoints = endpoints.map(|rows| html! { <EndpointsView {rows} /> });
            let history = store_view.history.clone();
            html! {
                <>
                    <ObjectView key={key.clone()} storage_key={key.clone()} {object} {events} {decision} {node_running} {history} {volume} on_fault={on_fault.clone()} on_select={props.on_select.clone()} />
                    { endpoints.unwrap_or_default() }
                </>
            }
        }
        Selection::Component(id) => {
            let display = cluster.display;
            let (running, recent) = cluster
                .with_world(|w| (w.component_running(id), recent_messages(w.trace(), w.messages_sent(), id, display)))
                .unwrap_or((true, Recent::default()));
            // kube-proxy: its node's rules, marked with those the latest packet through them matched.
            let rules = id.strip_prefix("kube-proxy/").and_then(|node| {
                let latest = recent.messages.iter().find(|m| m.kind == "packet" && *m.from == **id).map(|m| m.id);
                cluster
                    .with_world(|w| (w.proxy_rules(node), latest.map(|m| w.matched_rules(m)).unwrap_or_default()))
                    .and_then(|(r, m)| {
                        r.map(|rules| html! { <RulesView node={node.to_string()} {rules} matched={m} /> })
                    })
            });
            // etcd's keys: the store under the apiserver, as etcdctl would list them (bridge::etcd).
            let etcd = (id == "etcd").then(|| {
                let keys = store_view.keys.clone();
                html! { <EtcdView {keys} {revision} {compacted} on_select={props.on_select.clone()} /> }
            });
            html! {
                <>
                    <ComponentView id={id.clone()} {running} {recent} on_select={props.on_select.clone()} on_fault={on_fault.clone()} />
                    { etcd.unwrap_or_default() }
                    { rules.unwrap_or_default() }
                </>
            }
        }
    };
    html! {
        <div class="inspector" data-testid="inspector" aria-label="Inspector">
            <div class="panel-title">
                <h2>{ "Inspector" }</h2>
                if props.selection != Selection::None {
                    <button class="close" onclick={close} aria-label="Close the inspector" title="Close">{ "×" }</button>
                }
            </div>
            <div class="inspector-body">{ body }</div>
        </div>
    }
}

fn intro() -> Html {
    html! {
        <div class="intro">
            <p>{ "Click a component, a node, a pod or a moving message to inspect it." }</p>
            <ul class="legend">
                <li><span class="swatch kind-request" />{ "request" }</li>
                <li><span class="swatch kind-response" />{ "response" }</li>
                <li><span class="swatch kind-watch" />{ "watch event" }</li>
                <li><span class="swatch kind-etcd" />{ "etcd" }</li>
                <li><span class="swatch kind-cri" />{ "CRI (kubelet ↔ runtime)" }</li>
                <li><span class="swatch kind-kubelet" />{ "kubelet API (metrics-server's scrape)" }</li>
                <li><span class="swatch kind-packet" />{ "packet (data plane: pod → rules → CNI → pod)" }</li>
                <li><span class="swatch kind-stream" />{ "stream (exec, attach, logs, port-forward)" }</li>
            </ul>
            <ul class="legend">
                { for ["Pending", "Running", "Succeeded", "Failed", "Unknown", "Terminating"].iter().map(|p| html! {
                    <li><span class={classes!("swatch", "pod-swatch", format!("phase-{}", p.to_ascii_lowercase()))} />{ *p }</li>
                }) }
            </ul>
        </div>
    }
}

/// The trace entry with `id`, while it is kept: ids grow in send order, so a binary search finds it.
fn find_message(entries: &Entries, id: u64) -> Option<TraceEntry> {
    let i = entries.partition_point(|e| e.id < id);
    entries.get(i).filter(|e| e.id == id).cloned()
}

/// The latest messages to or from `id` sent by display time `t`, newest first, searching the
/// newest [`RECENT_SCAN`] kept entries (`sent` is every message sent, kept or not).
fn recent_messages(entries: &Entries, sent: u64, id: &str, t: f64) -> Recent {
    let end = entries.partition_point(|e| e.sent_at as f64 <= t);
    let start = end.saturating_sub(RECENT_SCAN);
    let messages =
        entries.range(start..end).rev().filter(|e| *e.from == *id || *e.to == *id).take(RECENT).cloned().collect();
    let not_kept = sent.saturating_sub(entries.len() as u64);
    Recent { messages, searched: end - start, earlier: start > 0 || not_kept > 0 }
}

/// `/registry/pods/ns/name` → (ns, name); cluster-scoped keys have an empty namespace.
fn namespace_and_name(key: &str) -> (String, String) {
    let parts: Vec<&str> = key.trim_start_matches("/registry/").split('/').collect();
    match parts.as_slice() {
        [_, name] => (String::new(), name.to_string()),
        [.., ns, name] => (ns.to_string(), name.to_string()),
        _ => (String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::bridge::Fate;

    fn entry(id: u64, from: &str, to: &str, sent_at: u64) -> TraceEntry {
        TraceEntry {
            id,
            from: from.into(),
            to: to.into(),
            kind: "request",
            summary: String::new(),
            key: None,
            revision: None,
            sent_at,
            deliver_at: sent_at + 2,
            fate: Fate::Delivered,
            cause: None,
            decision: None,
        }
    }

    #[test]
    fn keys_split_into_namespace_and_name() {
        let cases = [
            ("/registry/pods/default/web-1", ("default", "web-1")),
            ("/registry/minions/kind-worker", ("", "kind-worker")),
            ("/registry/services/specs/shop/api", ("shop", "api")),
            ("nonsense", ("", "")),
        ];
        for (key, (ns, name)) in cases {
            assert_eq!(namespace_and_name(key), (ns.to_string(), name.to_string()), "{key}");
        }
    }

    #[test]
    fn messages_are_found_by_id_and_by_component() {
        let entries = Entries::from([
            entry(3, "kubectl", "kube-apiserver", 0),
            entry(5, "kube-apiserver", "etcd", 1),
            entry(9, "kube-apiserver", "kubectl", 4),
        ]);
        assert_eq!(find_message(&entries, 5).map(|e| e.id), Some(5));
        assert_eq!(find_message(&entries, 4), None);
        assert_eq!(find_message(&entries, 10), None);
        let ids = |t| recent_messages(&entries, 3, "kubectl", t).messages.iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(ids(10.0), [9, 3]);
        assert_eq!(ids(2.0), [3], "messages not yet sent at the display time are not listed");
        assert!(recent_messages(&entries, 3, "etcd", -1.0).messages.is_empty());
    }

    #[test]
    fn a_component_with_no_recent_messages_says_whether_earlier_ones_were_searched() {
        let entries = Entries::from([entry(7, "kubectl", "kube-apiserver", 0), entry(8, "kube-apiserver", "etcd", 1)]);
        // (messages sent in all, display time) -> what etcd's list says.
        let cases = [
            (2, 0.0, Recent { messages: vec![], searched: 1, earlier: false }),
            (2, -1.0, Recent { messages: vec![], searched: 0, earlier: false }),
            (6, 0.0, Recent { messages: vec![], searched: 1, earlier: true }),
        ];
        for (sent, t, want) in cases {
            assert_eq!(recent_messages(&entries, sent, "etcd", t), want, "{sent} sent, at {t}");
        }
        let busy: Entries = (0..RECENT_SCAN as u64 + 10).map(|i| entry(i, "kubectl", "kube-apiserver", i)).collect();
        let got = recent_messages(&busy, busy.len() as u64, "etcd", f64::INFINITY);
        assert_eq!((got.searched, got.earlier), (RECENT_SCAN, true), "past the scan is not searched");
    }
}
