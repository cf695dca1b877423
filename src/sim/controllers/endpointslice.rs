//! The EndpointSlice controller (`pkg/controller/endpointslice`): for each Service with a selector,
//! EndpointSlices `<service>-<random>` (owned by the Service, labelled `kubernetes.io/service-name`)
//! of at most 100 endpoints each, one per pod IP with its ready/serving/terminating conditions.
//!
//! As upstream's reconciler, an endpoint stays in the slice it is in: a pod change rewrites only that
//! slice, new endpoints fill slices with room (same ports) before a new slice is created, and a
//! Service without endpoints keeps one empty placeholder slice, which its first endpoints then fill
//! (keeping its name, as `finalize` turns a create and a delete into one update).

use crate::sim::api::pointer::Pointer;
mod slots;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use self::slots::Slots;
use super::members::{Member, Members, has_selector, services};
use super::{Controller, Outcome, objects};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
/// `--max-endpoints-per-slice`.
pub const MAX_PER_SLICE: usize = 100;

fn slices() -> &'static ResourceType {
    api::resolve("endpointslices").expect("endpointslices are always served")
}

#[derive(Debug, Default)]
pub struct EndpointSliceController {
    members: Members,
    /// Per Service: which endpoint sits in which slice (rebuilt from the cache when unknown).
    state: BTreeMap<ObjectKey, Slots>,
}

/// A pod's endpoint in a slice.
pub fn endpoint(m: &Member) -> Value {
    let mut e = json!({
        "addresses": [m.ip],
        "conditions": {"ready": m.ready && !m.terminating, "serving": m.ready, "terminating": m.terminating},
        "targetRef": m.target,
    });
    if !m.node.is_empty() {
        e["nodeName"] = json!(m.node);
    }
    if let Some(h) = &m.hostname {
        e["hostname"] = json!(h);
    }
    e
}

fn labels_for(svc: &Value) -> Value {
    let mut labels = svc.at("/metadata/labels").cloned().unwrap_or(json!({}));
    labels[SERVICE_NAME_LABEL] = json!(objects::name(svc));
    labels[MANAGED_BY_LABEL] = json!(MANAGED_BY);
    labels
}

/// The slices this controller manages for a Service, by name.
fn owned_slices<'a>(inf: &'a Informers, svc: &'a Value) -> impl Iterator<Item = &'a Value> + 'a {
    inf.controlled_by(slices(), objects::uid(svc)).filter(|s| objects::label(s, MANAGED_BY_LABEL) == Some(MANAGED_BY))
}

impl EndpointSliceController {
    /// `reconcile` for one Service.
    pub fn sync(&mut self, inf: &Informers, key: &ObjectKey) -> Vec<Action> {
        let Some(svc) = inf.get(services(), &key.0, &key.1) else {
            // The garbage collector removes the slices of a deleted Service.
            self.state.remove(key);
            self.members.forget(key);
            return Vec::new();
        };
        if !has_selector(svc) {
            return Vec::new();
        }
        if self.members.of(key).is_none() {
            self.members.rebuild(inf, key);
            self.state.remove(key);
        }
        let members = &self.members;
        let slots = self
            .state
            .entry(key.clone())
            .or_insert_with(|| Slots::from_slices(owned_slices(inf, svc), members.of(key).unwrap_or(&BTreeMap::new())));
        let labels = labels_for(svc);
        let mut out = Vec::new();
        for w in slots.take_writes() {
            match w {
                slots::Write::Create { endpoints, ports } => {
                    let slice = json!({
                        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                        "metadata": {"generateName": format!("{}-", objects::name(svc)), "namespace": key.0, "labels": labels,
                            "ownerReferences": [objects::controller_ref_to(svc, services())]},
                        "addressType": "IPv4", "endpoints": endpoints, "ports": ports,
                    });
                    out.push(Action::Create { resource: slices(), namespace: Some(key.0.clone()), object: slice });
                }
                slots::Write::Update { name, endpoints, ports } => {
                    let Some(cur) = inf.get(slices(), &key.0, &name) else { continue };
                    let mut s = cur.clone();
                    s["endpoints"] = endpoints;
                    s["ports"] = ports;
                    s["metadata"]["labels"] = labels.clone();
                    if s != *cur {
                        out.push(Action::Update { resource: slices(), object: s });
                    }
                }
                slots::Write::Delete { name } => {
                    out.push(Action::Delete {
                        resource: slices(),
                        namespace: Some(key.0.clone()),
                        name,
                        propagation: None,
                        grace_seconds: None,
                    });
                }
            }
        }
        out
    }

    fn pods_changed(&mut self, inf: &Informers, change: &Change) -> Vec<ObjectKey> {
        let touched = self.members.pod_changed(inf, change);
        let pod_key = objects::key_of(&change.new);
        for svc in &touched {
            let member = self.members.of(svc).and_then(|m| m.get(&pod_key)).cloned();
            if let Some(slots) = self.state.get_mut(svc) {
                match member {
                    Some(m) => slots.put(&pod_key, endpoint(&m), &m.ports),
                    None => slots.remove(&pod_key),
                }
            }
        }
        touched
    }
}

fn service_of(slice: &Value) -> Option<ObjectKey> {
    objects::label(slice, SERVICE_NAME_LABEL).map(|s| (objects::namespace(slice).to_string(), s.to_string()))
}

impl Controller for EndpointSliceController {
    fn name(&self) -> &'static str {
        "endpointslice"
    }

    fn event_source(&self) -> &'static str {
        "endpoint-slice-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["services", "pods", "endpointslices"]
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        match change.resource.plural {
            "services" => {
                let key = objects::key_of(&change.new);
                let spec_or_labels_changed = change.old.as_deref().is_none_or(|o| {
                    o.get("spec") != change.new.get("spec")
                        || o.at("/metadata/labels") != change.new.at("/metadata/labels")
                });
                if change.event == EventType::Deleted || spec_or_labels_changed {
                    self.members.forget(&key);
                    self.state.remove(&key);
                }
                vec![key]
            }
            "pods" => self.pods_changed(inf, change),
            _ => {
                let Some(k) = service_of(&change.new) else { return Vec::new() };
                // A slice removed by someone else: rebuild from what is left.
                if change.event == EventType::Deleted
                    && self.state.get(&k).is_some_and(|s| s.knows(objects::name(&change.new)))
                {
                    self.state.remove(&k);
                }
                vec![k]
            }
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, _now: Millis, _rng: &mut Rng) -> Vec<Action> {
        self.sync(inf, key)
    }

    fn on_result(
        &mut self,
        key: &ObjectKey,
        action: &Action,
        outcome: Outcome<'_>,
        _inf: &Informers,
        _now: Millis,
    ) -> Vec<Action> {
        let Some(slots) = self.state.get_mut(key) else { return Vec::new() };
        match (action, outcome) {
            (Action::Create { object, .. }, Outcome::Done(made)) => {
                slots.created(object.get("endpoints").unwrap_or(&Value::Null), objects::name(made))
            }
            // Anything else that failed: start over from the cache on the retry.
            (_, Outcome::Failed(_) | Outcome::Skipped) => {
                self.state.remove(key);
            }
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests;
