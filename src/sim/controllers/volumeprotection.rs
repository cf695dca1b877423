//! The pvc-protection and pv-protection controllers (`pkg/controller/volume/pvcprotection`,
//! `pkg/controller/volume/pvprotection`): a claim being deleted keeps its `kubernetes.io/pvc-protection`
//! finalizer while a scheduled pod that has not finished uses it, and a volume being deleted keeps
//! `kubernetes.io/pv-protection` while it is Bound; then the finalizer goes and the deletion completes.
//! Both also add their finalizer to an object that lacks it (one created before the admission plugin).
//!
//! As upstream asks its informer and, when the informer finds no user, the apiserver too (`askAPIServer`),
//! here the informer alone is asked: it is what the controller has watched, and no pod can be created
//! with a claim that is being deleted once the claim is marked.

#[cfg(test)]
mod tests;

use serde_json::{Value, json};

use super::Controller;
use crate::sim::api::podutil::{claim_names, node_name, phase};
use crate::sim::api::pointer::Pointer;
use crate::sim::api::{self, ResourceType, meta};
use crate::sim::apiserver::protection::{PV_PROTECTION, PVC_PROTECTION};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::{Action, Change, Informers, ObjectKey, object_key};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

fn rt(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("pods, claims and volumes are always served")
}

fn finalizers(obj: &Value) -> Vec<&str> {
    obj.at("/metadata/finalizers").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

/// `addFinalizer` / `removeFinalizer`: an update of the whole object (conditional on its resourceVersion).
fn set_finalizer(resource: &'static ResourceType, obj: &Value, finalizer: &str, present: bool) -> Action {
    let mut list: Vec<&str> = finalizers(obj).into_iter().filter(|f| *f != finalizer).collect();
    if present {
        list.push(finalizer);
    }
    let mut object = obj.clone();
    object["metadata"]["finalizers"] = json!(list);
    Action::Update { resource, object }
}

/// The sync both controllers share: add the finalizer to a live object, remove it from one being
/// deleted that is no longer `in_use`.
fn sync(resource: &'static ResourceType, obj: &Value, finalizer: &str, in_use: impl Fn() -> bool) -> Vec<Action> {
    let has = finalizers(obj).contains(&finalizer);
    if !meta::is_being_deleted(obj) {
        return if has { Vec::new() } else { vec![set_finalizer(resource, obj, finalizer, true)] };
    }
    if has && !in_use() { vec![set_finalizer(resource, obj, finalizer, false)] } else { Vec::new() }
}

/// `podUsesPVC`: a pod counts once it is scheduled (the kubelet refuses to start a pod whose claim is
/// being deleted) and until it has finished.
pub fn pod_uses(pod: &Value, claim: &str) -> bool {
    !node_name(pod).is_empty()
        && !matches!(phase(pod), "Succeeded" | "Failed")
        && claim_names(pod).iter().any(|c| c == claim)
}

#[derive(Debug, Default)]
pub struct PvcProtectionController;

impl Controller for PvcProtectionController {
    fn name(&self) -> &'static str {
        "persistentvolumeclaim-protection"
    }

    fn event_source(&self) -> &'static str {
        "pvc-protection-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["persistentvolumeclaims", "pods"]
    }

    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        let obj = &change.new;
        match change.resource.plural {
            "persistentvolumeclaims" if change.event != EventType::Deleted => vec![object_key(obj)],
            // `podAddedDeletedUpdated`: the claims a pod uses may have lost their last user.
            "pods" => {
                let ns = meta::namespace(obj).unwrap_or("").to_string();
                claim_names(obj).into_iter().map(|c| (ns.clone(), c)).collect()
            }
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, _now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(claim) = inf.get(rt("persistentvolumeclaims"), &key.0, &key.1) else { return Vec::new() };
        let in_use = || inf.list(rt("pods"), Some(&key.0)).any(|p| pod_uses(p, &key.1));
        sync(rt("persistentvolumeclaims"), claim, PVC_PROTECTION, in_use)
    }
}

#[derive(Debug, Default)]
pub struct PvProtectionController;

impl Controller for PvProtectionController {
    fn name(&self) -> &'static str {
        "persistentvolume-protection"
    }

    fn event_source(&self) -> &'static str {
        "pv-protection-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["persistentvolumes"]
    }

    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        if change.event == EventType::Deleted {
            return Vec::new();
        }
        vec![(String::new(), meta::name(&change.new).to_string())]
    }

    /// `isVolumeUsed`: a Bound volume is in use.
    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, _now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(volume) = inf.get(rt("persistentvolumes"), "", &key.1) else { return Vec::new() };
        let bound = || volume.at("/status/phase").and_then(Value::as_str) == Some("Bound");
        sync(rt("persistentvolumes"), volume, PV_PROTECTION, bound)
    }
}
