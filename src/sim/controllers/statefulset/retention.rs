//! `persistentVolumeClaimRetentionPolicy` (`stateful_set_utils.go`: `updateClaimOwnerRefForSetAndPod`):
//! the set's claims are deleted by the garbage collector through owner references. `whenDeleted: Delete`
//! makes the StatefulSet an owner of each claim (deleted with the set); `whenScaled: Delete` makes a
//! condemned pod (ordinal past `replicas`) the owner of its claims (deleted with the pod on scale-down).
//! `Retain` removes the reference this controller set. The references are plain owners (not controllers).

use serde_json::{Value, json};

use super::{claim_name, claim_templates, pvcs};
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::PatchType;
use crate::sim::client::{Action, Informers};
use crate::sim::controllers::objects::{self, str_at};

fn reference(api_version: &str, kind: &str, owner: &Value) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "name": objects::name(owner), "uid": objects::uid(owner)})
}

/// The patches that give the claims of `pod` (ordinal `ordinal`) the owners the policy asks for.
/// `scaled_down`: the pod is condemned (`!podInOrdinalRange`).
pub fn claim_owner_patches(inf: &Informers, set: &Value, pod: &Value, ordinal: i64, scaled_down: bool) -> Vec<Action> {
    let policy = |f: &str| match str_at(set, &format!("/spec/persistentVolumeClaimRetentionPolicy/{f}")) {
        "Delete" => "Delete",
        _ => "Retain",
    };
    let (when_deleted, when_scaled) = (policy("whenDeleted"), policy("whenScaled"));
    // The cases of `updateClaimOwnerRefForSetAndPod`: (set is an owner, pod is an owner).
    let (by_set, by_pod) = match (when_scaled, when_deleted) {
        ("Retain", "Retain") => (false, false),
        ("Retain", _) => (true, false),
        (_, "Retain") => (false, scaled_down),
        _ => (!scaled_down, scaled_down),
    };
    let ns = objects::namespace(set);
    let mut out = Vec::new();
    for t in claim_templates(set) {
        let name = claim_name(str_at(t, "/metadata/name"), objects::name(set), ordinal);
        let Some(claim) = inf.get(pvcs(), ns, &name) else { continue };
        let current: Vec<Value> =
            claim.at("/metadata/ownerReferences").and_then(Value::as_array).cloned().unwrap_or_default();
        let is = |r: &Value, owner: &Value| r.get("uid").and_then(Value::as_str) == Some(objects::uid(owner));
        let mut wanted: Vec<Value> = current.iter().filter(|r| !is(r, set) && !is(r, pod)).cloned().collect();
        let keep_or = |owner: &Value, api: &str, kind: &str| {
            current.iter().find(|r| is(r, owner)).cloned().unwrap_or_else(|| reference(api, kind, owner))
        };
        if by_set {
            wanted.push(keep_or(set, "apps/v1", "StatefulSet"));
        }
        if by_pod {
            wanted.push(keep_or(pod, "v1", "Pod"));
        }
        if wanted != current {
            out.push(Action::Patch {
                resource: pvcs(),
                namespace: Some(ns.to_string()),
                name,
                patch_type: PatchType::Merge,
                patch: json!({"metadata": {"ownerReferences": wanted}}),
                status: false,
            });
        }
    }
    out
}
