//! The watcher index narrows candidates without losing a watcher that wants the event.

use super::*;
use serde_json::json;

fn rt(plural: &str) -> &'static ResourceType {
    crate::sim::api::resolve(plural).expect("served")
}

fn watcher(id: u64, plural: &str, namespace: Option<&str>, fields: &str) -> Watcher {
    Watcher {
        id,
        client: Component::Kubectl,
        resource: rt(plural),
        namespace: namespace.map(str::to_string),
        labels: Selector::default(),
        fields: FieldSelector::parse(fields).expect("a valid field selector"),
    }
}

fn pod(ns: &str, name: &str, node: &str) -> Value {
    json!({"metadata": {"namespace": ns, "name": name}, "spec": {"nodeName": node}})
}

fn ids(ws: Vec<&Watcher>) -> Vec<u64> {
    ws.into_iter().map(|w| w.id).collect()
}

#[test]
fn a_pod_event_reaches_only_its_nodes_watcher_and_the_unindexed_ones() {
    let mut ws = Watchers::default();
    ws.add(watcher(10, "pods", None, "spec.nodeName=n1"));
    ws.add(watcher(11, "pods", None, "spec.nodeName=n2"));
    ws.add(watcher(12, "pods", None, "spec.nodeName="));
    ws.add(watcher(13, "pods", None, ""));
    ws.add(watcher(14, "nodes", None, ""));
    assert_eq!(ids(ws.candidates(rt("pods"), None, &pod("default", "a", "n1"))), vec![10, 13]);
    // Binding: the old object had no node, the new one has n2; both sides are offered.
    let unbound = pod("default", "a", "");
    assert_eq!(ids(ws.candidates(rt("pods"), Some(&unbound), &pod("default", "a", "n2"))), vec![11, 12, 13]);
}

#[test]
fn candidates_come_in_the_order_the_watches_were_opened() {
    let mut ws = Watchers::default();
    ws.add(watcher(50, "pods", None, ""));
    ws.add(watcher(7, "pods", Some("default"), ""));
    ws.add(watcher(30, "pods", None, "metadata.name=a"));
    ws.add(watcher(1, "pods", None, "spec.nodeName=n1"));
    assert_eq!(ids(ws.candidates(rt("pods"), None, &pod("default", "a", "n1"))), vec![50, 7, 30, 1]);
    assert_eq!(ids(ws.candidates(rt("pods"), None, &pod("other", "b", "n2"))), vec![50]);
}

#[test]
fn removing_a_watch_or_a_client_empties_its_bucket() {
    let mut ws = Watchers::default();
    ws.add(watcher(1, "pods", Some("default"), ""));
    ws.add(watcher(2, "pods", None, "spec.nodeName=n1"));
    let mut sched = watcher(3, "pods", None, "");
    sched.client = Component::Scheduler;
    ws.add(sched);
    ws.remove(1);
    assert_eq!(ids(ws.candidates(rt("pods"), None, &pod("default", "a", "n1"))), vec![2, 3]);
    ws.remove_client(&Component::Kubectl);
    assert_eq!(ids(ws.candidates(rt("pods"), None, &pod("default", "a", "n1"))), vec![3]);
    assert_eq!(ws.len(), 1);
    ws.remove(99);
    assert_eq!(ws.len(), 1, "removing an unknown watch changes nothing");
}

/// Against brute force: every watcher whose selectors give it an event is among the candidates.
#[test]
fn no_watcher_that_wants_an_event_is_left_out() {
    let selectors = ["", "spec.nodeName=n1", "spec.nodeName!=n1", "metadata.name=a", "metadata.namespace=x"];
    let namespaces = [None, Some("default"), Some("x")];
    let mut ws = Watchers::default();
    let mut all = Vec::new();
    let mut id = 0;
    for plural in ["pods", "services"] {
        for ns in namespaces {
            for f in selectors {
                id += 1;
                let w = watcher(id, plural, ns, f);
                all.push(w.clone());
                ws.add(w);
            }
        }
    }
    let objects =
        [pod("default", "a", "n1"), pod("x", "a", ""), pod("x", "b", "n2"), json!({"metadata": {"name": "a"}})];
    for plural in ["pods", "services"] {
        for old in objects.iter().map(Some).chain([None]) {
            for new in &objects {
                for kind in [EventKind::Put, EventKind::Delete] {
                    let want: Vec<u64> = all
                        .iter()
                        .filter(|w| w.resource.plural == plural && w.event_for(kind, old, new).is_some())
                        .map(|w| w.id)
                        .collect();
                    let got = ids(ws.candidates(rt(plural), old, new));
                    assert!(want.iter().all(|w| got.contains(w)), "{plural} {old:?} -> {new}: {want:?} not in {got:?}");
                }
            }
        }
    }
}
