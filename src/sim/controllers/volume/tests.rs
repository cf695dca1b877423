//! The binding rules of `pv_controller.go` and `index.go`, one case each, on a hand-filled cache.

use serde_json::{Value, json};

use super::*;
use crate::sim::controllers::testutil::{events, patches};

fn pv(name: &str, size: &str, class: &str, modes: &[&str]) -> Value {
    json!({"apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": name, "uid": format!("uid-{name}"), "resourceVersion": "3", "labels": {"size": size}},
        "spec": {"capacity": {"storage": size}, "accessModes": modes, "storageClassName": class,
            "persistentVolumeReclaimPolicy": "Retain", "volumeMode": "Filesystem", "hostPath": {"path": "/mnt/data"}}})
}

fn pvc(name: &str, size: &str, class: Option<&str>) -> Value {
    let mut c = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"namespace": "default", "name": name, "uid": format!("uid-{name}"), "resourceVersion": "4"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}, "volumeMode": "Filesystem"}});
    if let Some(cl) = class {
        c["spec"]["storageClassName"] = json!(cl);
    }
    c
}

fn class(name: &str, provisioner: &str, mode: &str) -> Value {
    json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
        "provisioner": provisioner, "volumeBindingMode": mode})
}

fn sync(objects: &[Value], claim: &Value) -> Vec<Action> {
    let mut inf = Informers::default();
    for o in objects.iter().chain([claim]) {
        inf.insert(o.clone());
    }
    claims::sync_claim(&inf, claim)
}

/// The volume a sync's actions bind the claim to (the claim's `spec.volumeName` patch), if any.
fn bound_to(actions: &[Action]) -> Option<String> {
    patches(actions)
        .into_iter()
        .find_map(|(_, p)| p.pointer("/spec/volumeName").and_then(Value::as_str).map(str::to_string))
}

#[test]
fn binds_the_smallest_volume_that_fits_class_modes_and_size() {
    let claim = pvc("data", "3Gi", Some("manual"));
    let volumes = [
        pv("big", "10Gi", "manual", &["ReadWriteOnce"]),
        pv("small", "5Gi", "manual", &["ReadWriteOnce", "ReadOnlyMany"]),
        pv("tiny", "1Gi", "manual", &["ReadWriteOnce"]),
        pv("other-class", "4Gi", "fast", &["ReadWriteOnce"]),
        pv("read-only", "4Gi", "manual", &["ReadOnlyMany"]),
    ];
    let actions = sync(&volumes, &claim);
    assert_eq!(bound_to(&actions).as_deref(), Some("small"));
    let (volume, patch) = &patches(&actions)[0];
    assert_eq!(volume, "small");
    assert_eq!(patch["spec"]["claimRef"]["uid"], "uid-data");
    assert_eq!(patch["metadata"]["annotations"][ANN_BOUND_BY_CONTROLLER], "yes");
    let claim_status = patches(&actions).into_iter().find(|(n, p)| n == "data" && p.get("status").is_some());
    assert_eq!(
        claim_status.map(|(_, p)| p["status"].clone()),
        Some(
            json!({"phase": "Bound", "accessModes": ["ReadWriteOnce", "ReadOnlyMany"], "capacity": {"storage": "5Gi"}})
        )
    );
    assert!(events(&actions).is_empty(), "a bind records no event");
}

#[test]
fn a_label_selector_narrows_the_volumes() {
    let mut claim = pvc("data", "1Gi", Some("manual"));
    claim["spec"]["selector"] = json!({"matchLabels": {"size": "10Gi"}});
    let volumes = [pv("big", "10Gi", "manual", &["ReadWriteOnce"]), pv("small", "5Gi", "manual", &["ReadWriteOnce"])];
    assert_eq!(bound_to(&sync(&volumes, &claim)).as_deref(), Some("big"));
}

#[test]
fn a_volume_pre_bound_to_the_claim_wins_and_one_bound_elsewhere_is_skipped() {
    let claim = pvc("data", "1Gi", Some("manual"));
    let mut reserved = pv("reserved", "10Gi", "manual", &["ReadWriteOnce"]);
    reserved["spec"]["claimRef"] = json!({"namespace": "default", "name": "data"});
    let mut taken = pv("taken", "1Gi", "manual", &["ReadWriteOnce"]);
    taken["spec"]["claimRef"] = json!({"namespace": "default", "name": "other", "uid": "uid-other"});
    let volumes = [reserved, taken, pv("free", "2Gi", "manual", &["ReadWriteOnce"])];
    let actions = sync(&volumes, &claim);
    assert_eq!(bound_to(&actions).as_deref(), Some("reserved"));
    let (_, patch) = &patches(&actions)[0];
    assert!(patch.get("metadata").is_none(), "the author chose this volume, not the controller");
}

#[test]
fn an_unbound_claim_waits_with_the_reason_upstream_gives() {
    let rwx = {
        let mut c = pvc("rwx", "1Gi", None);
        c["spec"]["accessModes"] = json!(["ReadWriteMany"]);
        c
    };
    let cases: Vec<(Vec<Value>, Value, &str, &str)> = vec![
        (
            vec![pv("rwo", "5Gi", "", &["ReadWriteOnce"])],
            rwx,
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
        ),
        (vec![], pvc("c", "1Gi", Some("gone")), "ProvisioningFailed", "storageclass.storage.k8s.io \"gone\" not found"),
        (
            vec![class("local", "kubernetes.io/no-provisioner", "Immediate")],
            pvc("c", "1Gi", Some("local")),
            "ProvisioningFailed",
            "no volume plugin matched name: kubernetes.io/no-provisioner",
        ),
        (
            vec![
                class("standard", "rancher.io/local-path", "WaitForFirstConsumer"),
                pv("v", "5Gi", "standard", &["ReadWriteOnce"]),
            ],
            pvc("c", "1Gi", Some("standard")),
            "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding",
        ),
        (
            vec![class("fast", "k8s.io/minikube-hostpath", "Immediate")],
            pvc("c", "1Gi", Some("fast")),
            "ExternalProvisioning",
            "Waiting for a volume to be created either by the external provisioner 'k8s.io/minikube-hostpath' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
        ),
    ];
    for (objects, claim, reason, message) in cases {
        let actions = sync(&objects, &claim);
        assert_eq!(bound_to(&actions), None, "{reason}");
        assert_eq!(events(&actions), vec![(reason.to_string(), message.to_string())]);
        assert!(
            actions.iter().any(|a| matches!(a, Action::Requeue { after: RESYNC_MS, .. })),
            "{reason}: looked at again at the next periodic sync"
        );
        let pending = patches(&actions).into_iter().any(|(_, p)| p["status"]["phase"] == "Pending");
        assert!(pending, "{reason}: the claim is marked Pending");
    }
}

#[test]
fn an_external_provisioner_is_named_on_the_claim() {
    let actions = sync(&[class("fast", "k8s.io/minikube-hostpath", "Immediate")], &pvc("c", "1Gi", Some("fast")));
    let annotations = patches(&actions).into_iter().find_map(|(_, p)| p.pointer("/metadata/annotations").cloned());
    assert_eq!(
        annotations.map(|a| a["volume.kubernetes.io/storage-provisioner"].clone()),
        Some(json!("k8s.io/minikube-hostpath"))
    );
}

#[test]
fn a_claim_that_names_a_volume_takes_it_or_says_why_not() {
    let mut claim = pvc("data", "1Gi", Some("manual"));
    claim["spec"]["volumeName"] = json!("mine");
    assert_eq!(bound_to(&sync(&[pv("mine", "2Gi", "manual", &["ReadWriteOnce"])], &claim)).as_deref(), Some("mine"));

    let mut taken = pv("mine", "2Gi", "manual", &["ReadWriteOnce"]);
    taken["spec"]["claimRef"] = json!({"namespace": "default", "name": "other", "uid": "uid-other"});
    let actions = sync(&[taken], &claim);
    assert_eq!(
        events(&actions),
        vec![("FailedBinding".into(), "volume \"mine\" already bound to a different claim.".into())]
    );

    let actions = sync(&[pv("mine", "512Mi", "manual", &["ReadWriteOnce"])], &claim);
    assert_eq!(
        events(&actions),
        vec![("VolumeMismatch".into(), "Cannot bind to requested volume \"mine\": requested PV is too small".into())]
    );

    let actions = sync(&[], &claim);
    assert!(events(&actions).is_empty() && bound_to(&actions).is_none(), "waits for the volume to appear");
}

#[test]
fn a_bound_claim_whose_volume_is_gone_is_lost() {
    let mut claim = pvc("data", "1Gi", Some("manual"));
    claim["spec"]["volumeName"] = json!("gone");
    claim["metadata"]["annotations"] = json!({ANN_BIND_COMPLETED: "yes"});
    let actions = sync(&[], &claim);
    assert_eq!(
        events(&actions),
        vec![("ClaimLost".into(), "Bound claim has lost its PersistentVolume. Data on the volume is lost!".into())]
    );
    assert!(patches(&actions).iter().any(|(_, p)| p["status"]["phase"] == "Lost"));
}

fn sync_volume(objects: &[Value], volume: &Value) -> Vec<Action> {
    let mut inf = Informers::default();
    for o in objects.iter().chain([volume]) {
        inf.insert(o.clone());
    }
    volumes::sync_volume(&inf, volume)
}

fn phases(actions: &[Action]) -> Vec<String> {
    patches(actions).into_iter().filter_map(|(_, p)| p["status"]["phase"].as_str().map(str::to_string)).collect()
}

#[test]
fn a_volume_phase_follows_its_claim_and_its_reclaim_policy() {
    let free = pv("v", "1Gi", "manual", &["ReadWriteOnce"]);
    assert_eq!(phases(&sync_volume(&[], &free)), ["Available"]);

    let mut bound = free.clone();
    bound["spec"]["claimRef"] = json!({"namespace": "default", "name": "data", "uid": "uid-data"});
    let mut claim = pvc("data", "1Gi", Some("manual"));
    claim["spec"]["volumeName"] = json!("v");
    assert_eq!(phases(&sync_volume(&[claim.clone()], &bound)), ["Bound"]);

    // The claim is gone, or a new claim of the same name (another uid) stands in its place: Released.
    assert_eq!(phases(&sync_volume(&[], &bound)), ["Released"]);
    let mut successor = claim.clone();
    successor["metadata"]["uid"] = json!("uid-new");
    assert_eq!(phases(&sync_volume(&[successor], &bound)), ["Released"]);

    // Delete on a volume made by hand: no deleter plugin in kind, so the volume fails.
    let mut delete = bound.clone();
    delete["spec"]["persistentVolumeReclaimPolicy"] = json!("Delete");
    let actions = sync_volume(&[], &delete);
    assert_eq!(phases(&actions), ["Failed"]);
    assert_eq!(events(&actions)[0].0, "VolumeFailedDelete");
}

#[test]
fn a_controller_binding_the_claim_left_is_undone() {
    let mut v = pv("v", "1Gi", "manual", &["ReadWriteOnce"]);
    v["spec"]["claimRef"] = json!({"namespace": "default", "name": "data", "uid": "uid-data"});
    v["metadata"]["annotations"] = json!({ANN_BOUND_BY_CONTROLLER: "yes"});
    let mut claim = pvc("data", "1Gi", Some("manual"));
    claim["spec"]["volumeName"] = json!("elsewhere");
    let actions = sync_volume(&[claim], &v);
    assert_eq!(patches(&actions)[0].1["spec"]["claimRef"], Value::Null);
    assert_eq!(phases(&actions), ["Available"]);
}

#[test]
fn changes_map_to_claim_and_volume_keys() {
    let mut c = PersistentVolumeController;
    let inf = Informers::default();
    let change = |obj: Value, event| Change {
        resource: crate::sim::api::for_kind(meta::api_version(&obj), meta::kind(&obj)).expect("served"),
        event,
        old: None,
        new: obj.into(),
    };
    let mut claim = pvc("data", "1Gi", None);
    assert_eq!(c.keys_for(&change(claim.clone(), EventType::Added), &inf), [("default".into(), "data".into())]);
    assert!(
        c.keys_for(&change(claim.clone(), EventType::Deleted), &inf).is_empty(),
        "never bound: no volume to release"
    );
    claim["spec"]["volumeName"] = json!("v");
    assert_eq!(c.keys_for(&change(claim, EventType::Deleted), &inf), [(String::new(), "v".into())]);
    let mut v = pv("v", "1Gi", "", &["ReadWriteOnce"]);
    assert_eq!(c.keys_for(&change(v.clone(), EventType::Modified), &inf), [(String::new(), "v".into())]);
    v["spec"]["claimRef"] = json!({"namespace": "default", "name": "data"});
    assert_eq!(c.keys_for(&change(v, EventType::Deleted), &inf), [("default".into(), "data".into())]);
}
