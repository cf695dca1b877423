//! `syncClaim` (`pv_controller.go`): an unbound claim gets the best volume or waits, with the event that
//! says why; a claim that names a volume finishes that binding; a bound claim whose volume vanished is Lost.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::matching::{best_match, claims, class_of, classes, is_bound_to, mismatch, volumes};
use super::{ANN_BIND_COMPLETED, ANN_SELECTED_NODE, RESYNC_MS, annotated, bind, event, spec_patch, status_patch};
use crate::sim::api::meta;
use crate::sim::client::{Action, Informers, object_key};

use crate::sim::api::volumes::{ANN_STORAGE_PROVISIONER as ANN_PROVISIONER, NO_PROVISIONER};

/// The beta twin of the annotation an external provisioner watches for (`setClaimProvisioner`).
const ANN_BETA_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";

/// The claim stays Pending and is looked at again at the next periodic sync, with `why` as its event.
fn pending(claim: &Value, why: Option<Action>) -> Vec<Action> {
    let mut actions: Vec<Action> = why.into_iter().collect();
    if claim.at("/status/phase").and_then(Value::as_str) != Some("Pending") {
        actions.push(status_patch(claims(), claim, json!({"phase": "Pending"})));
    }
    actions.push(Action::Requeue { key: object_key(claim), after: RESYNC_MS });
    actions
}

/// A bound claim that cannot have its volume: a Warning, and phase Lost.
fn lost(claim: &Value, reason: &str, message: &str) -> Vec<Action> {
    let mut actions = vec![event(claim, "Warning", reason, message)];
    if claim.at("/status/phase").and_then(Value::as_str) != Some("Lost") {
        actions.push(status_patch(claims(), claim, json!({"phase": "Lost"})));
    }
    actions
}

pub fn sync_claim(inf: &Informers, claim: &Value) -> Vec<Action> {
    if meta::is_being_deleted(claim) {
        return Vec::new();
    }
    let volume_name = claim.at("/spec/volumeName").and_then(Value::as_str).unwrap_or("");
    let bound = annotated(claim, ANN_BIND_COMPLETED);
    if volume_name.is_empty() {
        return sync_unbound(inf, claim);
    }
    let Some(volume) = inf.get(volumes(), "", volume_name) else {
        if bound {
            // `syncBoundClaim`: the volume it was bound to is gone.
            return lost(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
        }
        // Pre-bound by its author to a volume that does not exist (yet): wait for it.
        return pending(claim, None);
    };
    if volume.at("/spec/claimRef").is_none() || is_bound_to(volume, claim) {
        if !bound && let Some(why) = mismatch(volume, claim) {
            let msg = format!("Cannot bind to requested volume \"{volume_name}\": {why}");
            return pending(claim, Some(event(claim, "Warning", "VolumeMismatch", &msg)));
        }
        return bind(volume, claim);
    }
    if bound {
        return lost(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
    }
    let msg = format!("volume \"{volume_name}\" already bound to a different claim.");
    pending(claim, Some(event(claim, "Warning", "FailedBinding", &msg)))
}

/// `syncUnboundClaim` for a claim that names no volume.
fn sync_unbound(inf: &Informers, claim: &Value) -> Vec<Action> {
    let class_name = class_of(claim);
    let class = (!class_name.is_empty()).then(|| inf.get(classes(), "", class_name)).flatten();
    let delay = class.and_then(|c| c.at("/volumeBindingMode")).and_then(Value::as_str) == Some("WaitForFirstConsumer");
    if let Some(volume) = best_match(inf, claim, delay) {
        return bind(volume, claim);
    }
    let selected_node = annotated(claim, ANN_SELECTED_NODE);
    if delay && !selected_node {
        let why =
            event(claim, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
        return pending(claim, Some(why));
    }
    if class_name.is_empty() {
        let msg = "no persistent volumes available for this claim and no storage class is set";
        return pending(claim, Some(event(claim, "Normal", "FailedBinding", msg)));
    }
    let Some(class) = class else {
        let msg = format!("storageclass.storage.k8s.io \"{class_name}\" not found");
        return pending(claim, Some(event(claim, "Warning", "ProvisioningFailed", &msg)));
    };
    provision(claim, class)
}

/// `provisionClaim` for a class whose provisioner is not built in (every provisioner today is CSI or
/// external): mark the claim for that provisioner and wait for it to create a volume.
fn provision(claim: &Value, class: &Value) -> Vec<Action> {
    let provisioner = class.get("provisioner").and_then(Value::as_str).unwrap_or("");
    if provisioner == NO_PROVISIONER {
        let msg = format!("no volume plugin matched name: {provisioner}");
        return pending(claim, Some(event(claim, "Warning", "ProvisioningFailed", &msg)));
    }
    let mut actions = Vec::new();
    let annotations = claim.at("/metadata/annotations");
    if annotations.and_then(|a| a.get(ANN_PROVISIONER)).and_then(Value::as_str) != Some(provisioner) {
        let patch =
            json!({"metadata": {"annotations": {ANN_PROVISIONER: provisioner, ANN_BETA_PROVISIONER: provisioner}}});
        actions.push(spec_patch(claims(), claim, patch));
    }
    let msg = format!(
        "Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
    );
    actions.extend(pending(claim, Some(event(claim, "Normal", "ExternalProvisioning", &msg))));
    actions
}
