//! The provisioner's decisions, as tables of claims and caches (the library's `shouldProvision`,
//! local-path's `Provision`, `shouldDelete`).

use std::sync::Arc;

use serde_json::{Value, json};

use super::decide::{delete, provision, volume_name};
use super::resource;
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::EventType;
use crate::sim::client::{Action, Cache};

fn claim(annotations: Value) -> Value {
    json!({"metadata": {"name": "data-web-0", "namespace": "default", "uid": "1234", "resourceVersion": "7",
        "annotations": annotations},
        "spec": {"storageClassName": "standard", "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}}})
}

fn classes() -> Cache {
    let mut c = Cache::default();
    let standard = json!({"metadata": {"name": "standard"}, "provisioner": "rancher.io/local-path",
        "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"});
    c.apply(resource("storageclasses"), EventType::Added, Arc::new(standard));
    c
}

fn handed(node: Option<&str>) -> Value {
    let mut a = json!({"volume.kubernetes.io/storage-provisioner": "rancher.io/local-path"});
    if let Some(n) = node {
        a["volume.kubernetes.io/selected-node"] = json!(n);
    }
    claim(a)
}

fn reasons(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .map(|a| match a {
            Action::Event { reason, message, .. } => format!("{reason}: {message}"),
            Action::Create { object, .. } => format!("create {}", object["metadata"]["name"].as_str().unwrap_or("")),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn a_claim_with_a_node_gets_a_host_path_volume_on_it() {
    let got = provision(&handed(Some("sandbox-worker")), &Cache::default(), &classes()).expect("provisions");
    assert_eq!(
        reasons(&got),
        [
            "Provisioning: External provisioner is provisioning volume for claim \"default/data-web-0\"",
            "create pvc-1234",
            "ProvisioningSucceeded: Successfully provisioned volume pvc-1234",
        ]
    );
    let Action::Create { object: pv, .. } = &got[1] else { panic!("a create") };
    assert_eq!(pv.at("/spec/hostPath/path"), Some(&json!("/var/local-path-provisioner/pvc-1234_default_data-web-0")));
    assert_eq!(pv.at("/spec/claimRef/uid"), Some(&json!("1234")));
    assert_eq!(pv.at("/spec/capacity/storage"), Some(&json!("1Gi")));
    assert_eq!(pv.at("/spec/persistentVolumeReclaimPolicy"), Some(&json!("Delete")));
    assert_eq!(
        pv.at("/spec/nodeAffinity/required/nodeSelectorTerms/0/matchExpressions/0/values/0"),
        Some(&json!("sandbox-worker"))
    );
    assert_eq!(pv.at("/metadata/annotations/pv.kubernetes.io~1provisioned-by"), Some(&json!("rancher.io/local-path")));
}

#[test]
fn claims_not_ours_or_not_ready_are_left_alone() {
    let none = Cache::default();
    assert!(provision(&claim(json!({})), &none, &classes()).is_none(), "not handed to a provisioner");
    let other = claim(json!({"volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com"}));
    assert!(provision(&other, &none, &classes()).is_none(), "another provisioner's");
    assert!(provision(&handed(Some("w")), &none, &Cache::default()).is_none(), "class unknown");
    let mut bound = handed(Some("w"));
    bound["spec"]["volumeName"] = json!("pv1");
    assert!(provision(&bound, &none, &classes()).is_none(), "already bound");
    let mut volumes = Cache::default();
    volumes.apply(resource("persistentvolumes"), EventType::Added, Arc::new(json!({"metadata": {"name": "pvc-1234"}})));
    assert!(provision(&handed(Some("w")), &volumes, &classes()).is_none(), "already provisioned");
    let no_node = provision(&handed(None), &none, &classes()).expect("fails");
    assert_eq!(
        reasons(&no_node)[1],
        "ProvisioningFailed: failed to provision volume with StorageClass \"standard\": configuration error, no node was specified"
    );
    assert_eq!(volume_name(&handed(None)), "pvc-1234");
}

#[test]
fn released_volumes_of_its_own_with_delete_are_deleted() {
    let pv = |phase: &str, policy: &str, by: &str| {
        json!({"metadata": {"name": "pvc-1234", "annotations": {"pv.kubernetes.io/provisioned-by": by}},
            "spec": {"persistentVolumeReclaimPolicy": policy,
                "claimRef": {"namespace": "default", "name": "data-web-0", "uid": "1234"}},
            "status": {"phase": phase}})
    };
    let claims = Cache::default();
    assert!(matches!(delete(&pv("Released", "Delete", "rancher.io/local-path"), &claims), Some(Action::Delete { .. })));
    assert!(delete(&pv("Released", "Retain", "rancher.io/local-path"), &claims).is_none());
    assert!(delete(&pv("Bound", "Delete", "rancher.io/local-path"), &claims).is_none());
    assert!(delete(&pv("Released", "Delete", "other"), &claims).is_none());
}
