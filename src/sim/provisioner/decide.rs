//! What the provisioner does with one claim or volume, as pure functions of its caches: the library's
//! `shouldProvision` and `provisionClaimOperation` with local-path's `Provision`, and `shouldDelete`.

use serde_json::{Value, json};

use super::{BASE_PATH, PROVISIONER_NAME, resource};
use crate::sim::api::meta;
use crate::sim::api::pointer::Pointer;
use crate::sim::api::volumes::{ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, annotation, class_of};
use crate::sim::client::{Action, Cache};

/// The beta twin of `volume.kubernetes.io/storage-provisioner`, which older PV controllers set.
const ANN_BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";

/// `pvc-<claim uid>`: the name the library gives a provisioned volume (`getProvisionedVolumeNameForClaim`).
pub fn volume_name(claim: &Value) -> String {
    format!("pvc-{}", meta::uid(claim))
}

fn event(regarding: &Value, event_type: &'static str, reason: &str, message: String) -> Action {
    Action::Event { regarding: regarding.clone(), event_type, reason: reason.to_string(), message }
}

/// The writes that provision `claim`, or None when it is not this provisioner's to provision now.
pub fn provision(claim: &Value, volumes: &Cache, classes: &Cache) -> Option<Vec<Action>> {
    if meta::is_being_deleted(claim) || !claim.at("/spec/volumeName").and_then(Value::as_str).unwrap_or("").is_empty() {
        return None;
    }
    let handed = annotation(claim, ANN_STORAGE_PROVISIONER);
    let handed = if handed.is_empty() { annotation(claim, ANN_BETA_STORAGE_PROVISIONER) } else { handed };
    if handed != PROVISIONER_NAME {
        return None;
    }
    let class_name = class_of(claim);
    let class = classes.get(resource("storageclasses"), "", class_name)?;
    if class.get("provisioner").and_then(Value::as_str) != Some(PROVISIONER_NAME) {
        return None;
    }
    let name = volume_name(claim);
    if volumes.get(resource("persistentvolumes"), "", &name).is_some() {
        return None;
    }
    let key = format!("{}/{}", meta::namespace(claim).unwrap_or(""), meta::name(claim));
    let node = annotation(claim, ANN_SELECTED_NODE);
    let mut actions = vec![event(
        claim,
        "Normal",
        "Provisioning",
        format!("External provisioner is provisioning volume for claim {key:?}"),
    )];
    if node.is_empty() {
        let msg = format!(
            "failed to provision volume with StorageClass {class_name:?}: configuration error, no node was specified"
        );
        actions.push(event(claim, "Warning", "ProvisioningFailed", msg));
        return Some(actions);
    }
    actions.push(Action::Create {
        resource: resource("persistentvolumes"),
        namespace: None,
        object: volume(claim, class, &name, node),
    });
    actions.push(event(claim, "Normal", "ProvisioningSucceeded", format!("Successfully provisioned volume {name}")));
    Some(actions)
}

/// local-path's `Provision`: a hostPath directory `<base>/<pv>_<namespace>_<claim>` on the node, bound to
/// that node by affinity; the library adds the `claimRef`, the class and the provisioned-by annotation.
fn volume(claim: &Value, class: &Value, name: &str, node: &str) -> Value {
    let ns = meta::namespace(claim).unwrap_or("");
    let path = format!("{BASE_PATH}/{name}_{ns}_{}", meta::name(claim));
    let storage = claim.at("/spec/resources/requests/storage").cloned().unwrap_or(json!("0"));
    json!({"apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": name, "annotations": {ANN_PROVISIONED_BY: PROVISIONER_NAME,
            "local.path.provisioner/selected-node": node}},
        "spec": {
            "accessModes": claim.at("/spec/accessModes").cloned().unwrap_or(json!([])),
            "capacity": {"storage": storage},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": ns,
                "name": meta::name(claim), "uid": meta::uid(claim), "resourceVersion": meta::resource_version(claim)},
            "hostPath": {"path": path, "type": "DirectoryOrCreate"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}},
            "persistentVolumeReclaimPolicy": class.get("reclaimPolicy").and_then(Value::as_str).unwrap_or("Delete"),
            "storageClassName": class_of(claim),
            "volumeMode": "Filesystem"}})
}

/// `shouldDelete`: a volume this provisioner made, Released, with policy Delete and its claim gone.
pub fn delete(volume: &Value, claims: &Cache) -> Option<Action> {
    if annotation(volume, ANN_PROVISIONED_BY) != PROVISIONER_NAME || meta::is_being_deleted(volume) {
        return None;
    }
    let phase = volume.at("/status/phase").and_then(Value::as_str);
    let policy = volume.at("/spec/persistentVolumeReclaimPolicy").and_then(Value::as_str);
    if phase != Some("Released") || policy != Some("Delete") {
        return None;
    }
    let r = volume.at("/spec/claimRef");
    let s = |k: &str| r.and_then(|r| r.get(k)).and_then(Value::as_str).unwrap_or("");
    let claim = claims.get(resource("persistentvolumeclaims"), s("namespace"), s("name"));
    if claim.is_some_and(|c| meta::uid(c) == s("uid")) {
        return None;
    }
    Some(Action::Delete {
        resource: resource("persistentvolumes"),
        namespace: None,
        name: meta::name(volume).to_string(),
        propagation: None,
        grace_seconds: None,
    })
}
