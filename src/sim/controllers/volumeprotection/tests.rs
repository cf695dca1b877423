//! Table tests of the protection controllers' syncs.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::sim::client::Informers;

fn informers(objects: &[(&str, Value)]) -> Informers {
    let mut inf = Informers::default();
    for (plural, obj) in objects {
        inf.apply(rt(plural), EventType::Added, Arc::new(obj.clone()));
    }
    inf
}

fn claim(deleting: bool, finalizers: &[&str]) -> Value {
    let mut c =
        json!({"metadata": {"name": "data", "namespace": "default", "resourceVersion": "5", "finalizers": finalizers}});
    if deleting {
        c["metadata"]["deletionTimestamp"] = json!("2025-01-01T00:00:00Z");
    }
    c
}

fn pod(node: &str, phase: &str) -> Value {
    json!({"metadata": {"name": "web-0", "namespace": "default"}, "spec": {"nodeName": node,
        "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}, "status": {"phase": phase}})
}

fn finalizers_after(actions: &[Action]) -> Option<Value> {
    match actions {
        [] => None,
        [Action::Update { object, .. }] => Some(object["metadata"]["finalizers"].clone()),
        other => panic!("unexpected {other:?}"),
    }
}

/// Each row: the claim, the pods, and the finalizers written (None: nothing written).
#[test]
fn pvc_protection_table() {
    let cases = [
        (claim(false, &[]), vec![], Some(json!([PVC_PROTECTION]))),
        (claim(false, &[PVC_PROTECTION]), vec![], None),
        (claim(true, &[PVC_PROTECTION]), vec![pod("w1", "Running")], None),
        (claim(true, &[PVC_PROTECTION]), vec![pod("", "Pending")], Some(json!([]))),
        (claim(true, &[PVC_PROTECTION]), vec![pod("w1", "Succeeded")], Some(json!([]))),
        (claim(true, &[PVC_PROTECTION, "x/keep"]), vec![], Some(json!(["x/keep"]))),
        (claim(true, &[]), vec![], None),
    ];
    for (i, (c, pods, want)) in cases.into_iter().enumerate() {
        let mut objects = vec![("persistentvolumeclaims", c)];
        objects.extend(pods.into_iter().map(|p| ("pods", p)));
        let inf = informers(&objects);
        let got = PvcProtectionController.reconcile(&("default".into(), "data".into()), &inf, 0, &mut Rng::new(1));
        assert_eq!(finalizers_after(&got), want, "row {i}");
    }
}

#[test]
fn pv_protection_waits_while_bound() {
    let volume = |phase: &str| {
        json!({"metadata": {"name": "pv1", "finalizers": [PV_PROTECTION], "deletionTimestamp": "2025-01-01T00:00:00Z"},
            "status": {"phase": phase}})
    };
    let key = (String::new(), "pv1".to_string());
    let inf = informers(&[("persistentvolumes", volume("Bound"))]);
    assert!(PvProtectionController.reconcile(&key, &inf, 0, &mut Rng::new(1)).is_empty());
    let inf = informers(&[("persistentvolumes", volume("Released"))]);
    let got = PvProtectionController.reconcile(&key, &inf, 0, &mut Rng::new(1));
    assert_eq!(finalizers_after(&got), Some(json!([])));
}
