//! Which PersistentVolume a claim may bind to (`pkg/controller/volume/persistentvolume/index.go` and
//! `volume/util.FindMatchingVolume`): same class, every requested access mode, the same volume mode,
//! the claim's label selector, at least the requested size; of those, the smallest.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

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

use crate::sim::api::volumes::capacity_bytes;
pub use crate::sim::api::volumes::{class_of, is_bound_to, mismatch};

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
        let size = capacity_bytes(volume);
        if best.is_none_or(|(_, b)| size < b) {
            best = Some((volume, size));
        }
    }
    best.map(|(v, _)| v)
}
