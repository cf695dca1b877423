//! Tests for the resource quota controller: hand-filled informers, one sync, the status it writes.

use serde_json::json;
use std::sync::Arc;

use super::*;
use crate::sim::controllers::testutil::*;

fn quota(spec: Value, status: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ResourceQuota",
        "metadata": {"namespace": "default", "name": "q", "uid": "uid-q", "resourceVersion": "7"},
        "spec": spec, "status": status})
}

fn pod(name: &str, class: Option<&str>, phase: &str, cpu: Option<&str>) -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"namespace": "default", "name": name, "uid": format!("uid-{name}"), "resourceVersion": "5"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {"phase": phase}});
    if let Some(c) = class {
        p["spec"]["priorityClassName"] = json!(c);
    }
    if let Some(cpu) = cpu {
        p["spec"]["containers"][0]["resources"] = json!({"requests": {"cpu": cpu}, "limits": {"cpu": cpu}});
    }
    p
}

fn written(action: Option<Action>) -> Option<Value> {
    match action {
        Some(Action::UpdateStatus { object, .. }) => Some(object["status"].clone()),
        _ => None,
    }
}

/// `syncResourceQuota` on a new quota: status.hard copies spec.hard, status.used counts what runs.
#[test]
fn a_new_quota_gets_hard_and_used() {
    let mut inf = Informers::default();
    inf.insert(pod("a", None, "Running", Some("250m")));
    inf.insert(pod("b", None, "Pending", Some("250m")));
    inf.insert(pod("done", None, "Succeeded", Some("1")));
    inf.insert(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "default", "name": "cm"}}));
    let q =
        quota(json!({"hard": {"pods": "10", "requests.cpu": "2", "count/pods": "5", "configmaps": "3"}}), json!({}));
    let status = written(sync(&q, &inf, 0)).expect("a first sync writes status");
    assert_eq!(status["hard"], json!({"configmaps": "3", "count/pods": "5", "pods": "10", "requests.cpu": "2"}));
    assert_eq!(
        status["used"],
        json!({"configmaps": "1", "count/pods": "3", "pods": "2", "requests.cpu": "500m"}),
        "a finished pod is stored (count/pods) but uses no compute (pods)"
    );
    let synced = quota(q["spec"].clone(), status);
    assert_eq!(sync(&synced, &inf, 0), None, "nothing changed: no write");
}

/// Scopes decide which pods a quota counts, as in admission.
#[test]
fn scoped_quotas_count_only_their_pods() {
    let mut inf = Informers::default();
    inf.insert(pod("high", Some("high"), "Running", Some("1")));
    inf.insert(pod("low", Some("low"), "Running", Some("1")));
    inf.insert(pod("plain", None, "Running", None));
    let rows = [
        (
            json!({"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}),
            "1",
        ),
        (
            json!({"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "NotIn", "values": ["high"]}]}}),
            "2",
        ),
        (json!({"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "Exists"}]}}), "2"),
        (json!({"scopes": ["BestEffort"]}), "1"),
        (json!({"scopes": ["NotBestEffort"]}), "2"),
        (json!({}), "3"),
    ];
    for (mut spec, want) in rows {
        spec["hard"] = json!({"pods": "10"});
        let status = written(sync(&quota(spec.clone(), json!({})), &inf, 0)).expect("written");
        assert_eq!(status["used"]["pods"], json!(want), "{spec}");
    }
}

/// Replenishment: deletions and pods that finish make the namespace's quotas sync; creates do not
/// (admission charged them).
#[test]
fn replenishment_follows_deletes_and_finished_pods() {
    let mut inf = Informers::default();
    let q = quota(json!({"hard": {"pods": "2"}}), json!({"hard": {"pods": "2"}, "used": {"pods": "2"}}));
    inf.insert(q.clone());
    let mut c = ResourceQuotaController;
    let change = |event, old: Option<Value>, new: Value| Change {
        resource: rt("pods"),
        event,
        old: old.map(Arc::new),
        new: Arc::new(new),
    };
    let running = pod("a", None, "Running", None);
    let key = ("default".to_string(), "q".to_string());
    assert!(c.keys_for(&change(EventType::Added, None, running.clone()), &inf).is_empty());
    assert_eq!(c.keys_for(&change(EventType::Deleted, None, running.clone()), &inf), vec![key.clone()]);
    let done = pod("a", None, "Succeeded", None);
    assert_eq!(c.keys_for(&change(EventType::Modified, Some(running.clone()), done), &inf), vec![key.clone()]);
    let mut relabelled = running.clone();
    relabelled["metadata"]["labels"] = json!({"x": "y"});
    assert!(c.keys_for(&change(EventType::Modified, Some(running), relabelled), &inf).is_empty());
    let cm = Change {
        resource: rt("configmaps"),
        event: EventType::Deleted,
        old: None,
        new: Arc::new(json!({"metadata": {"namespace": "default", "name": "cm"}})),
    };
    assert!(c.keys_for(&cm, &inf).is_empty(), "the quota tracks no configmaps");
    let out = c.reconcile(&key, &inf, 0, &mut Rng::new(1));
    assert_eq!(written(out.first().cloned()).map(|s| s["used"].clone()), Some(json!({"pods": "0"})));
    assert!(matches!(out.last(), Some(Action::Requeue { after: RESYNC_MS, .. })), "the periodic full recalculation");
}
