//! Whether a PersistentVolume can serve a claim, the one implementation the PV controller and the
//! scheduler's VolumeBinding share (upstream `component-helpers/storage/volume`: `FindMatchingVolume`,
//! `CheckVolumeModeMismatches`, `IsVolumeBoundToClaim`, and `CheckNodeAffinity`).

use serde_json::Value;

use super::meta;
use super::nodefit::NodeSelector;
use super::pointer::Pointer;
use super::quantity::parse_bytes;

pub use super::meta::storage_class as class_of;

/// On a claim: the node the scheduler picked for a WaitForFirstConsumer claim.
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
/// On a claim: the provisioner the PV controller handed it to (`setClaimProvisioner`).
pub const ANN_STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
/// On a claim: the binding is complete (`pv.kubernetes.io/bind-completed`).
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
/// On both: the PV controller or the scheduler (not the author) chose the partner.
pub const ANN_BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
/// On a volume: the provisioner that made it (and that deletes it when it is released).
pub const ANN_PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
/// A class whose volumes are made by hand only (`kubernetes.io/no-provisioner`).
pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// Bytes of a `storage` quantity (in `spec.capacity` or `spec.resources.requests`); 0 when absent or odd.
pub fn storage_bytes(obj: &Value, path: &str) -> i64 {
    obj.at(path).and_then(Value::as_str).and_then(|q| parse_bytes(q).ok()).unwrap_or(0)
}

pub fn requested_bytes(claim: &Value) -> i64 {
    storage_bytes(claim, "/spec/resources/requests/storage")
}

pub fn capacity_bytes(volume: &Value) -> i64 {
    storage_bytes(volume, "/spec/capacity/storage")
}

fn modes(obj: &Value) -> Vec<&str> {
    obj.at("/spec/accessModes").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

/// `Filesystem` unless set (the apiserver defaults it; an object from a test may lack it).
fn volume_mode(obj: &Value) -> &str {
    obj.at("/spec/volumeMode").and_then(Value::as_str).unwrap_or("Filesystem")
}

/// Whether the volume's `claimRef` names this claim (by uid when the ref has one: a new claim of the same
/// name is another claim).
pub fn is_bound_to(volume: &Value, claim: &Value) -> bool {
    let Some(r) = volume.at("/spec/claimRef").filter(|r| !r.is_null()) else { return false };
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
    s("name") == meta::name(claim)
        && s("namespace") == meta::namespace(claim).unwrap_or("")
        && (s("uid").is_empty() || s("uid") == meta::uid(claim))
}

/// Why a volume cannot satisfy a claim (`checkVolumeSatisfyClaim`), in the controller's words; None if it can.
pub fn mismatch(volume: &Value, claim: &Value) -> Option<&'static str> {
    if capacity_bytes(volume) < requested_bytes(claim) {
        return Some("requested PV is too small");
    }
    if class_of(volume) != class_of(claim) {
        return Some("storageClassName does not match");
    }
    if volume_mode(volume) != volume_mode(claim) {
        return Some("incompatible volumeMode");
    }
    let offered = modes(volume);
    if !modes(claim).iter().all(|m| offered.contains(m)) {
        return Some("incompatible accessMode");
    }
    None
}

/// A volume's `spec.nodeAffinity.required`, if it has one (local and local-path volumes do).
pub fn node_affinity(volume: &Value) -> Option<NodeSelector> {
    volume.at("/spec/nodeAffinity/required").map(NodeSelector::parse)
}

/// The value of one annotation, "" when absent.
pub fn annotation<'a>(obj: &'a Value, key: &str) -> &'a str {
    obj.at("/metadata/annotations").and_then(|a| a.get(key)).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matching_table() {
        let pv = json!({"metadata": {"name": "pv"}, "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
            "storageClassName": "manual"}});
        let claim = |size: &str, class: &str, mode: &str| {
            json!({"metadata": {"name": "c", "namespace": "default", "uid": "u1"},
                "spec": {"resources": {"requests": {"storage": size}}, "storageClassName": class, "accessModes": [mode]}})
        };
        let cases = [
            (claim("1Gi", "manual", "ReadWriteOnce"), None),
            (claim("2Gi", "manual", "ReadWriteOnce"), Some("requested PV is too small")),
            (claim("1Gi", "fast", "ReadWriteOnce"), Some("storageClassName does not match")),
            (claim("1Gi", "manual", "ReadWriteMany"), Some("incompatible accessMode")),
        ];
        for (c, want) in cases {
            assert_eq!(mismatch(&pv, &c), want);
        }
        let mut bound = pv.clone();
        bound["spec"]["claimRef"] = json!({"namespace": "default", "name": "c", "uid": "u1"});
        assert!(is_bound_to(&bound, &claim("1Gi", "manual", "ReadWriteOnce")));
        assert!(!is_bound_to(&pv, &claim("1Gi", "manual", "ReadWriteOnce")));
        assert!(node_affinity(&pv).is_none());
    }
}
