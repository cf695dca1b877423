//! The expand controller (`pkg/controller/volume/expand`, kube-controller-manager's
//! `persistentvolume-expander`, events from `volume_expand`): when a Bound claim asks for more storage
//! than its `status.capacity`, it finds the volume plugin that would grow the volume. No volume the
//! sandbox can hold has an in-tree expandable plugin (hostPath, local, and CSI volumes are grown by an
//! external resizer, if the driver ships one), so it answers as upstream does then: a `Normal`
//! `ExternalExpanding` event, "waiting for an external controller to expand this PVC", and nothing more.
//! kind's local-path-provisioner has no resizer: on kind the claim keeps its capacity.

use serde_json::Value;

use super::Controller;
use crate::sim::api::pointer::Pointer;
use crate::sim::api::quantity::{Quantity, parse_quantity};
use crate::sim::api::{self, ResourceType, meta};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::{Action, Change, Informers, ObjectKey, object_key};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// The event `syncHandler` records when no in-tree plugin can expand the volume.
pub const EXTERNAL_EXPANDING: &str = "waiting for an external controller to expand this PVC";

fn rt(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("claims and volumes are always served")
}

fn quantity(obj: &Value, pointer: &str) -> Quantity {
    obj.at(pointer).and_then(Value::as_str).and_then(|q| parse_quantity(q).ok()).unwrap_or(Quantity::from_millis(0))
}

fn request(claim: &Value) -> Quantity {
    quantity(claim, "/spec/resources/requests/storage")
}

fn capacity(claim: &Value) -> Quantity {
    quantity(claim, "/status/capacity/storage")
}

#[derive(Debug, Default)]
pub struct ExpandController;

impl Controller for ExpandController {
    fn name(&self) -> &'static str {
        "persistentvolume-expander"
    }

    fn event_source(&self) -> &'static str {
        "volume_expand"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["persistentvolumeclaims", "persistentvolumes"]
    }

    /// `enqueuePVC` on add, and on an update that changed the request or the status capacity; only
    /// Bound claims are queued.
    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        let claim = &change.new;
        if change.resource.plural != "persistentvolumeclaims" || change.event == EventType::Deleted {
            return Vec::new();
        }
        let changed =
            change.old.as_ref().is_none_or(|old| request(old) != request(claim) || capacity(old) != capacity(claim));
        let bound = claim.at("/status/phase").and_then(Value::as_str) == Some("Bound");
        if changed && bound { vec![object_key(claim)] } else { Vec::new() }
    }

    /// `syncHandler`: a claim bound to its volume (the volume's `claimRef` naming it) that asks for
    /// more than it has gets the `ExternalExpanding` event.
    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, _now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(claim) = inf.get(rt("persistentvolumeclaims"), &key.0, &key.1) else { return Vec::new() };
        let volume_name = claim.at("/spec/volumeName").and_then(Value::as_str).unwrap_or("");
        let Some(volume) = inf.get(rt("persistentvolumes"), "", volume_name) else { return Vec::new() };
        let claim_ref = |f: &str| volume.at(&format!("/spec/claimRef/{f}")).and_then(Value::as_str);
        if claim_ref("namespace") != meta::namespace(claim) || claim_ref("uid") != Some(meta::uid(claim)) {
            return Vec::new();
        }
        if request(claim) <= capacity(claim) {
            return Vec::new();
        }
        vec![Action::Event {
            regarding: claim.clone(),
            event_type: "Normal",
            reason: "ExternalExpanding".into(),
            message: EXTERNAL_EXPANDING.into(),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claim(request: &str, capacity: &str, phase: &str) -> Value {
        json!({"metadata": {"namespace": "default", "name": "data", "uid": "u1"},
            "spec": {"volumeName": "pv1", "resources": {"requests": {"storage": request}}},
            "status": {"phase": phase, "capacity": {"storage": capacity}}})
    }

    fn volume(uid: &str) -> Value {
        json!({"metadata": {"name": "pv1"}, "spec": {"capacity": {"storage": "1Gi"},
            "claimRef": {"namespace": "default", "name": "data", "uid": uid}}, "status": {"phase": "Bound"}})
    }

    fn informers(claim: &Value, volume: &Value) -> Informers {
        let mut inf = Informers::default();
        inf.apply(rt("persistentvolumeclaims"), EventType::Added, claim.clone().into());
        inf.apply(rt("persistentvolumes"), EventType::Added, volume.clone().into());
        inf
    }

    /// Each row: the claim's request and capacity, the volume's claimRef uid; whether the event comes.
    #[test]
    fn sync_table() {
        let cases = [
            ("2Gi", "1Gi", "u1", true),
            ("1Gi", "1Gi", "u1", false),
            ("1024Mi", "1Gi", "u1", false),
            ("2Gi", "1Gi", "someone-else", false),
        ];
        for (req, cap, uid, want) in cases {
            let c = claim(req, cap, "Bound");
            let mut ctl = ExpandController;
            let got =
                ctl.reconcile(&("default".into(), "data".into()), &informers(&c, &volume(uid)), 0, &mut Rng::new(1));
            assert_eq!(!got.is_empty(), want, "{req} {cap} {uid}");
            if let Some(Action::Event { reason, message, event_type, .. }) = got.first() {
                assert_eq!(
                    (*event_type, reason.as_str(), message.as_str()),
                    ("Normal", "ExternalExpanding", EXTERNAL_EXPANDING)
                );
            }
        }
    }

    /// Only Bound claims whose request or capacity changed are queued.
    #[test]
    fn queues_bound_claims_whose_size_changed() {
        let inf = Informers::default();
        let change = |old: Option<Value>, new: Value| Change {
            resource: rt("persistentvolumeclaims"),
            event: if old.is_some() { EventType::Modified } else { EventType::Added },
            old: old.map(Into::into),
            new: new.into(),
        };
        let mut ctl = ExpandController;
        let grown = change(Some(claim("1Gi", "1Gi", "Bound")), claim("2Gi", "1Gi", "Bound"));
        assert_eq!(ctl.keys_for(&grown, &inf).len(), 1);
        let relabelled = change(Some(claim("2Gi", "1Gi", "Bound")), claim("2Gi", "1Gi", "Bound"));
        assert!(ctl.keys_for(&relabelled, &inf).is_empty());
        assert!(ctl.keys_for(&change(None, claim("1Gi", "", "Pending")), &inf).is_empty());
        assert_eq!(ctl.keys_for(&change(None, claim("1Gi", "1Gi", "Bound")), &inf).len(), 1);
    }
}
