//! Garbage collector scenarios: background, foreground and orphan propagation.

use serde_json::{Value, json};

use super::*;
use crate::sim::controllers::testutil::*;
use crate::sim::time::rfc3339;

fn rs_with_pods(inf: &mut Informers, n: usize) -> (Value, Vec<Value>) {
    let rs = replicaset("web-abc", n as i64, "web");
    inf.insert(rs.clone());
    let pods: Vec<Value> = (0..n).map(|i| pod_of(&rs, &format!("web-abc-{i}"), "n1", "Running", None)).collect();
    for p in &pods {
        inf.insert(p.clone());
    }
    (rs, pods)
}

fn run(gc: &mut GarbageCollector, inf: &Informers, keys: &[ObjectKey], now: Millis) -> Vec<Action> {
    keys.iter().flat_map(|k| gc.reconcile(k, inf, now, &mut Rng::new(1))).collect()
}

fn deleting(mut obj: Value, finalizer: &str) -> Value {
    obj["metadata"]["deletionTimestamp"] = json!(rfc3339(0));
    obj["metadata"]["finalizers"] = json!([finalizer]);
    obj
}

#[test]
fn background_deletes_dependents_of_a_deleted_owner() {
    let mut inf = Informers::default();
    let (rs, _) = rs_with_pods(&mut inf, 2);
    let mut gc = GarbageCollector::default();
    let ch = inf.remove(rs).expect("change");
    let keys = gc.keys_for(&ch, &inf);
    assert_eq!(keys.len(), 2, "both pods are looked at");
    let out = run(&mut gc, &inf, &keys, 0);
    assert_eq!(deletes(&out, "Pod"), vec!["web-abc-0", "web-abc-1"]);
    assert!(out.iter().all(|a| matches!(a, Action::Delete { propagation: Some(p), .. } if p == "Background")));
}

#[test]
fn foreground_deletes_blocking_dependents_first_then_drops_the_finalizer() {
    let mut inf = Informers::default();
    let (rs, pods) = rs_with_pods(&mut inf, 2);
    let owner = deleting(rs.clone(), "foregroundDeletion");
    let ch = inf.insert(owner.clone()).expect("change");
    let mut gc = GarbageCollector::default();
    let keys = gc.keys_for(&ch, &inf);
    let out = run(&mut gc, &inf, &keys, 0);
    assert_eq!(deletes(&out, "Pod"), vec!["web-abc-0", "web-abc-1"]);
    assert!(patches(&out).is_empty(), "the finalizer stays while blocking dependents exist");
    // A dependent being deleted still blocks.
    inf.insert(deleting(pods[0].clone(), "x"));
    inf.remove(pods[1].clone());
    let out = run(&mut gc, &inf, &keys, 1);
    assert!(patches(&out).is_empty());
    assert!(deletes(&out, "Pod").is_empty(), "no second delete for a pod already going");
    let ch = inf.remove(pods[0].clone()).expect("change");
    let keys = gc.keys_for(&ch, &inf);
    assert!(keys.contains(&gc_key(rt("replicasets"), &owner)), "the waiting owner is woken");
    let out = run(&mut gc, &inf, &keys, 2);
    assert_eq!(
        patches(&out),
        vec![("web-abc".to_string(), json!({"metadata": {"finalizers": [], "resourceVersion": "10"}}))]
    );
}

#[test]
fn orphan_removes_owner_references_then_the_finalizer() {
    let mut inf = Informers::default();
    let (rs, pods) = rs_with_pods(&mut inf, 2);
    let ch = inf.insert(deleting(rs.clone(), "orphan")).expect("change");
    let mut gc = GarbageCollector::default();
    let keys = gc.keys_for(&ch, &inf);
    let out = run(&mut gc, &inf, &keys, 0);
    let p = patches(&out);
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].1["metadata"]["ownerReferences"], json!([]));
    assert!(deletes(&out, "Pod").is_empty(), "orphaned pods live on");
    for pod in &pods {
        let mut released = pod.clone();
        released["metadata"]["ownerReferences"] = json!([]);
        inf.insert(released);
    }
    let out = run(&mut gc, &inf, &keys, 1);
    assert_eq!(
        patches(&out),
        vec![("web-abc".to_string(), json!({"metadata": {"finalizers": [], "resourceVersion": "10"}}))]
    );
}

#[test]
fn an_unknown_owner_gets_a_grace_period_then_counts_as_gone() {
    let mut inf = Informers::default();
    let mut pod = pod_of(&replicaset("ghost", 1, "web"), "p", "", "Pending", None);
    pod["metadata"]["ownerReferences"][0]["uid"] = json!("never-seen");
    let ch = inf.insert(pod).expect("change");
    let mut gc = GarbageCollector::default();
    let keys = gc.keys_for(&ch, &inf);
    let out = run(&mut gc, &inf, &keys, 1000);
    assert_eq!(out, vec![Action::Requeue { key: keys[0].clone(), after: UNKNOWN_OWNER_GRACE_MS }]);
    let out = run(&mut gc, &inf, &keys, 1000 + UNKNOWN_OWNER_GRACE_MS);
    assert_eq!(deletes(&out, "Pod"), vec!["p"]);
}

#[test]
fn a_remaining_owner_keeps_the_dependent_but_dangling_refs_are_dropped() {
    let mut inf = Informers::default();
    let (rs, _) = rs_with_pods(&mut inf, 0);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "default", "name": "cfg", "uid": "uid-cfg"}});
    inf.insert(cm.clone());
    let mut pod = pod_of(&rs, "p", "", "Pending", None);
    pod["metadata"]["ownerReferences"] = json!([{"uid": "uid-web-abc", "kind": "ReplicaSet", "name": "web-abc"}, {"uid": "uid-cfg", "kind": "ConfigMap", "name": "cfg"}]);
    inf.insert(pod);
    let mut gc = GarbageCollector::default();
    let ch = inf.remove(rs).expect("change");
    let keys = gc.keys_for(&ch, &inf);
    let out = run(&mut gc, &inf, &keys, 0);
    assert!(deletes(&out, "Pod").is_empty());
    let p = patches(&out);
    assert_eq!(p[0].1["metadata"]["ownerReferences"], json!([{"uid": "uid-cfg", "kind": "ConfigMap", "name": "cfg"}]));
}

#[test]
fn keys_name_their_resource() {
    let pod = json!({"metadata": {"namespace": "default", "name": "web"}});
    let k = gc_key(rt("pods"), &pod);
    assert_eq!(k, ("default".to_string(), "/pods/web".to_string()));
    assert_eq!(resolve_key(&k).map(|(rt, n)| (rt.plural, n)), Some(("pods", "web")));
    assert_eq!(
        resolve_key(&("default".into(), "apps/deployments/web".into())).map(|(rt, _)| rt.kind),
        Some("Deployment")
    );
    assert!(resolve_key(&("default".into(), "nonsense".into())).is_none());
}
