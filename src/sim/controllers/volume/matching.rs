//! Which PersistentVolume a claim may bind to (`pkg/controller/volume/persistentvolume/index.go` and
//! `volume/util.FindMatchingVolume`): same class, every requested access mode, the same volume mode,
//! the claim's label selector, at least the requested size; of those, the smallest.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use crate::sim::api::quantity::parse_bytes;
use crate::sim::api::selector;
use crate::sim::api::{self, ResourceType, meta};
use crate::sim::client::Informers;

pub fn volumes() -> &'static ResourceType {
    api::resolve("persistentvolumes").expect("persistentvolumes are always served")
}

pub fn claims() -> &'static ResourceType {
    api::resolve("persistentvolumeclaims").expect("persistentvolumeclaims are always served")
}

pub fn classes() -> &'static ResourceType {
    api::resolve("storageclasses").expect("storageclasses are always served")
}

pub use crate::sim::api::meta::storage_class as class_of;

/// Bytes of a `storage` quantity (in `spec.capacity` or `spec.resources.requests`); 0 when absent or odd.
fn storage_bytes(obj: &Value, path: &str) -> i64 {
    obj.at(path).and_then(Value::as_str).and_then(|q| parse_bytes(q).ok()).unwrap_or(0)
}

pub fn requested_bytes(claim: &Value) -> i64 {
    storage_bytes(claim, "/spec/resources/requests/storage")
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
    let Some(r) = volume.at("/spec/claimRef") else { return false };
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
    s("name") == meta::name(claim)
        && s("namespace") == meta::namespace(claim).unwrap_or("")
        && (s("uid").is_empty() || s("uid") == meta::uid(claim))
}

/// Why a volume cannot satisfy a claim (`checkVolumeSatisfyClaim`), in the controller's words; None if it can.
pub fn mismatch(volume: &Value, claim: &Value) -> Option<&'static str> {
    if storage_bytes(volume, "/spec/capacity/storage") < requested_bytes(claim) {
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

/// `findBestMatchForClaim`: a volume pre-bound to this claim if one is, else the smallest free volume that
/// satisfies it. With `delay_binding` (WaitForFirstConsumer) the controller binds no free volume: the
/// scheduler picks one on the pod's node.
pub fn best_match<'a>(inf: &'a Informers, claim: &Value, delay_binding: bool) -> Option<&'a Value> {
    let selector = claim.at("/spec/selector");
    let mut best: Option<(&Value, i64)> = None;
    for volume in inf.list(volumes(), None) {
        if meta::is_being_deleted(volume) || mismatch(volume, claim).is_some() {
            continue;
        }
        if volume.at("/spec/claimRef").is_some() {
            if is_bound_to(volume, claim) {
                return Some(volume);
            }
            continue;
        }
        if delay_binding {
            continue;
        }
        if selector.is_some_and(|s| !s.is_null()) && !selector::selects(selector, volume) {
            continue;
        }
        let size = storage_bytes(volume, "/spec/capacity/storage");
        if best.is_none_or(|(_, b)| size < b) {
            best = Some((volume, size));
        }
    }
    best.map(|(v, _)| v)
}
