//! `syncVolume` (`pv_controller.go`): a volume's phase follows its claim (Available, Bound, Released), and a
//! released volume is reclaimed by its policy.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::matching::{claims, volumes};
use super::{ANN_BOUND_BY_CONTROLLER, annotated, event, spec_patch, status_patch};
use crate::sim::client::{Action, Informers};

/// Sets the volume's phase (and message) unless it already has it (`updateVolumePhase`).
fn phase(volume: &Value, phase: &str, message: Option<&str>) -> Option<Action> {
    let now = volume.at("/status/phase").and_then(Value::as_str);
    (now != Some(phase)).then(|| {
        let mut status = json!({"phase": phase});
        if let Some(m) = message {
            status["message"] = json!(m);
        }
        status_patch(volumes(), volume, status)
    })
}

/// `provisioned-by`: a dynamically provisioned volume, which its provisioner deletes when released.
use crate::sim::api::volumes::ANN_PROVISIONED_BY as ANN_DYNAMICALLY_PROVISIONED;

pub fn sync_volume(inf: &Informers, volume: &Value) -> Vec<Action> {
    let Some(r) = volume.at("/spec/claimRef").filter(|r| !r.is_null()) else {
        return phase(volume, "Available", None).into_iter().collect();
    };
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
    if s("uid").is_empty() {
        // Pre-bound by its author to a claim that is not bound yet: the claim's sync binds it.
        return phase(volume, "Available", None).into_iter().collect();
    }
    let claim = inf.get(claims(), s("namespace"), s("name")).filter(|c| c.at("/metadata/uid") == r.get("uid"));
    let Some(claim) = claim else { return release(volume) };
    let claim_volume = claim.at("/spec/volumeName").and_then(Value::as_str).unwrap_or("");
    let name = volume.at("/metadata/name").and_then(Value::as_str).unwrap_or("");
    if claim_volume == name {
        return phase(volume, "Bound", None).into_iter().collect();
    }
    if claim_volume.is_empty() {
        // The claim's half of the binding is not written yet: its own sync finishes it.
        return Vec::new();
    }
    // The claim went to another volume: a binding this controller made is undone (`unbindVolume`).
    if annotated(volume, ANN_BOUND_BY_CONTROLLER) {
        let patch = json!({"metadata": {"annotations": {ANN_BOUND_BY_CONTROLLER: null}}, "spec": {"claimRef": null}});
        return vec![
            spec_patch(volumes(), volume, patch),
            status_patch(volumes(), volume, json!({"phase": "Available"})),
        ];
    }
    Vec::new()
}

/// The claim is gone: the volume is Released, then reclaimed (`reclaimVolume`). Retain keeps it for an
/// administrator; Delete is done by the provisioner of a dynamically provisioned volume; a volume made by
/// hand has no deleter in a kind cluster (and Recycle no recycler), so it fails, as upstream's plugins do.
fn release(volume: &Value) -> Vec<Action> {
    let current = volume.at("/status/phase").and_then(Value::as_str).unwrap_or("");
    if current == "Failed" {
        return Vec::new();
    }
    let name = volume.at("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let policy = volume.at("/spec/persistentVolumeReclaimPolicy").and_then(Value::as_str).unwrap_or("Retain");
    let provisioned = annotated(volume, ANN_DYNAMICALLY_PROVISIONED);
    match policy {
        "Delete" if !provisioned => {
            let msg = format!(
                "error getting deleter volume plugin for volume \"{name}\": no deletable volume plugin matched"
            );
            let mut actions = vec![event(volume, "Warning", "VolumeFailedDelete", &msg)];
            actions.extend(phase(volume, "Failed", Some(&msg)));
            actions
        }
        "Recycle" => {
            let msg = "No recycler plugin found for the volume!";
            let mut actions = vec![event(volume, "Warning", "VolumeFailedRecycle", msg)];
            actions.extend(phase(volume, "Failed", Some(msg)));
            actions
        }
        _ => phase(volume, "Released", None).into_iter().collect(),
    }
}
