//! The PersistentVolume controller (`pkg/controller/volume/persistentvolume`, kube-controller-manager's
//! `persistentvolume-binder`): binds claims to volumes, keeps both sides' phases, and reclaims released
//! volumes. Claims and volumes share one work queue here: a claim's key has its namespace, a volume's
//! (cluster-scoped) key has none.
//!
//! As upstream, an unbound claim is looked at again every 15 s (`--pvclaimbinder-sync-period`): a volume
//! created later is found at the next sync, not at once.

mod claims;
mod matching;
#[cfg(test)]
mod tests;
mod volumes;

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use self::matching::{claims as claims_rt, volumes as volumes_rt};
use super::Controller;
use crate::sim::api::{ResourceType, meta};
use crate::sim::apiserver::request::{EventType, PatchType};
use crate::sim::client::{Action, Change, Informers, ObjectKey, object_key};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// `--pvclaimbinder-sync-period`.
pub const RESYNC_MS: Millis = 15_000;
pub use crate::sim::api::volumes::{ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE};

#[derive(Debug, Default)]
pub struct PersistentVolumeController;

/// An Event about `obj` from `persistentvolume-controller`.
fn event(obj: &Value, event_type: &'static str, reason: &str, message: &str) -> Action {
    Action::Event { regarding: obj.clone(), event_type, reason: reason.to_string(), message: message.to_string() }
}

/// A merge patch of the `status` subresource.
fn status_patch(rt: &'static ResourceType, obj: &Value, status: Value) -> Action {
    Action::Patch {
        resource: rt,
        namespace: meta::namespace(obj).map(str::to_string),
        name: meta::name(obj).to_string(),
        patch_type: PatchType::Merge,
        patch: json!({"status": status}),
        status: true,
    }
}

fn spec_patch(rt: &'static ResourceType, obj: &Value, patch: Value) -> Action {
    Action::Patch {
        resource: rt,
        namespace: meta::namespace(obj).map(str::to_string),
        name: meta::name(obj).to_string(),
        patch_type: PatchType::Merge,
        patch,
        status: false,
    }
}

fn annotated(obj: &Value, key: &str) -> bool {
    obj.at("/metadata/annotations").and_then(|a| a.get(key)).is_some()
}

/// `bind`: the volume's `claimRef`, then its phase; the claim's `volumeName`, then its phase, capacity and
/// access modes. Each half already written is skipped, so a bind cut short is finished by the next sync.
fn bind(volume: &Value, claim: &Value) -> Vec<Action> {
    let mut actions = Vec::new();
    let volume_name = meta::name(volume);
    let claim_ref = volume.at("/spec/claimRef");
    if claim_ref.and_then(|r| r.get("uid")).and_then(Value::as_str) != Some(meta::uid(claim)) {
        let mut patch = json!({"spec": {"claimRef": {
            "kind": "PersistentVolumeClaim", "apiVersion": "v1",
            "namespace": meta::namespace(claim).unwrap_or(""), "name": meta::name(claim),
            "uid": meta::uid(claim), "resourceVersion": meta::resource_version(claim),
        }}});
        if claim_ref.is_none() {
            patch["metadata"] = json!({"annotations": {ANN_BOUND_BY_CONTROLLER: "yes"}});
        }
        actions.push(spec_patch(volumes_rt(), volume, patch));
    }
    if volume.at("/status/phase").and_then(Value::as_str) != Some("Bound") {
        actions.push(status_patch(volumes_rt(), volume, json!({"phase": "Bound"})));
    }
    let named = claim.at("/spec/volumeName").and_then(Value::as_str).unwrap_or("");
    if named != volume_name || !annotated(claim, ANN_BIND_COMPLETED) {
        let mut annotations = json!({ANN_BIND_COMPLETED: "yes"});
        if named.is_empty() {
            annotations[ANN_BOUND_BY_CONTROLLER] = json!("yes");
        }
        let patch = json!({"metadata": {"annotations": annotations}, "spec": {"volumeName": volume_name}});
        actions.push(spec_patch(claims_rt(), claim, patch));
    }
    if claim.at("/status/phase").and_then(Value::as_str) != Some("Bound") {
        let status = json!({
            "phase": "Bound",
            "accessModes": volume.at("/spec/accessModes").cloned().unwrap_or(json!([])),
            "capacity": volume.at("/spec/capacity").cloned().unwrap_or(json!({})),
        });
        actions.push(status_patch(claims_rt(), claim, status));
    }
    actions
}

impl Controller for PersistentVolumeController {
    fn name(&self) -> &'static str {
        "persistentvolume-binder"
    }

    fn event_source(&self) -> &'static str {
        "persistentvolume-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["persistentvolumeclaims", "persistentvolumes", "storageclasses"]
    }

    /// The claim and volume workers are single, as upstream's.
    fn workers(&self) -> usize {
        1
    }

    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        let obj = &change.new;
        let deleted = change.event == EventType::Deleted;
        match change.resource.plural {
            "persistentvolumeclaims" if deleted => {
                // The volume it was bound to is now released.
                let v = obj.at("/spec/volumeName").and_then(Value::as_str).unwrap_or("");
                if v.is_empty() { Vec::new() } else { vec![(String::new(), v.to_string())] }
            }
            "persistentvolumeclaims" => vec![object_key(obj)],
            "persistentvolumes" if deleted => {
                // Its claim has lost its volume.
                let r = obj.at("/spec/claimRef");
                let s = |k: &str| r.and_then(|r| r.get(k)).and_then(Value::as_str).unwrap_or("").to_string();
                if s("name").is_empty() { Vec::new() } else { vec![(s("namespace"), s("name"))] }
            }
            "persistentvolumes" => {
                // `syncVolume` enqueues the claim a volume names but which is not bound yet, so that a
                // provisioned (or scheduler-chosen) volume is bound at once, not at the next resync.
                let mut keys = vec![(String::new(), meta::name(obj).to_string())];
                let r = obj.at("/spec/claimRef").filter(|r| !r.is_null());
                let s = |k: &str| r.and_then(|r| r.get(k)).and_then(Value::as_str).unwrap_or("").to_string();
                if !s("name").is_empty() && !s("namespace").is_empty() {
                    keys.push((s("namespace"), s("name")));
                }
                keys
            }
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, _now: Millis, _rng: &mut Rng) -> Vec<Action> {
        if key.0.is_empty() {
            inf.get(volumes_rt(), "", &key.1).map(|v| volumes::sync_volume(inf, v)).unwrap_or_default()
        } else {
            inf.get(claims_rt(), &key.0, &key.1).map(|c| claims::sync_claim(inf, c)).unwrap_or_default()
        }
    }
}
