//! What the scheduler knows of storage (its PersistentVolumeClaim, PersistentVolume and StorageClass
//! informers): for each claim whether it is bound or being deleted, its class and selected node; the
//! volumes themselves (VolumeBinding matches free ones to claims); and each class's binding mode and
//! provisioner.

use std::collections::BTreeMap;

use crate::sim::api::pointer::Pointer;
use crate::sim::api::volumes::{ANN_BIND_COMPLETED, ANN_SELECTED_NODE, annotation};
use serde_json::Value;

use super::framework::ClusterEvent;
use super::podinfo::PodKey;

/// One claim, as VolumeBinding reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimState {
    /// `spec.volumeName` is set.
    pub bound: bool,
    /// The PV controller finished the binding (`pv.kubernetes.io/bind-completed`).
    pub bind_completed: bool,
    pub deleting: bool,
    /// `storageClassName` (or the beta annotation); "" for none.
    pub class: String,
    /// `spec.volumeName`.
    pub volume_name: String,
    /// `volume.kubernetes.io/selected-node`, "" when unset.
    pub selected_node: String,
    /// The claim as last seen (the matching rules read its request, modes and selector).
    pub object: Value,
}

/// One StorageClass, as VolumeBinding reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassState {
    /// `volumeBindingMode: WaitForFirstConsumer`.
    pub delay: bool,
    pub provisioner: String,
}

#[derive(Debug, Default, Clone)]
pub struct Volumes {
    claims: BTreeMap<PodKey, ClaimState>,
    classes: BTreeMap<String, ClassState>,
    /// PersistentVolumes by name.
    volumes: BTreeMap<String, Value>,
}

fn text<'a>(obj: &'a Value, path: &str) -> &'a str {
    obj.at(path).and_then(Value::as_str).unwrap_or("")
}

fn key_of(obj: &Value) -> PodKey {
    (text(obj, "/metadata/namespace").to_string(), text(obj, "/metadata/name").to_string())
}

impl Volumes {
    pub fn claim(&self, namespace: &str, name: &str) -> Option<&ClaimState> {
        self.claims.get(&(namespace.to_string(), name.to_string()))
    }

    pub fn class(&self, name: &str) -> Option<&ClassState> {
        self.classes.get(name)
    }

    pub fn volume(&self, name: &str) -> Option<&Value> {
        self.volumes.get(name)
    }

    /// Every PersistentVolume, by name.
    pub fn volumes(&self) -> impl Iterator<Item = &Value> {
        self.volumes.values()
    }

    /// `IsDelayBindingMode`: the claim's class exists and waits for the first consumer.
    pub fn delays_binding(&self, claim: &ClaimState) -> bool {
        self.classes.get(&claim.class).is_some_and(|c| c.delay)
    }

    pub fn set_claim(&mut self, obj: &Value) -> Option<ClusterEvent> {
        let key = key_of(obj);
        let state = ClaimState {
            bound: !text(obj, "/spec/volumeName").is_empty(),
            bind_completed: obj.at("/metadata/annotations").and_then(|a| a.get(ANN_BIND_COMPLETED)).is_some(),
            deleting: obj.at("/metadata/deletionTimestamp").is_some_and(|d| !d.is_null()),
            class: crate::sim::api::meta::storage_class(obj).to_string(),
            volume_name: text(obj, "/spec/volumeName").to_string(),
            selected_node: annotation(obj, ANN_SELECTED_NODE).to_string(),
            object: obj.clone(),
        };
        let old = self.claims.get(&key);
        let changed = old.is_none_or(|o| {
            (o.bound, o.bind_completed, o.deleting, &o.class, &o.selected_node)
                != (state.bound, state.bind_completed, state.deleting, &state.class, &state.selected_node)
        });
        self.claims.insert(key, state);
        changed.then_some(ClusterEvent::PvcChange)
    }

    pub fn remove_claim(&mut self, obj: &Value) {
        self.claims.remove(&key_of(obj));
    }

    pub fn set_class(&mut self, obj: &Value, deleted: bool) -> Option<ClusterEvent> {
        let name = text(obj, "/metadata/name").to_string();
        if deleted {
            self.classes.remove(&name);
            return None;
        }
        let state = ClassState {
            delay: text(obj, "/volumeBindingMode") == "WaitForFirstConsumer",
            provisioner: text(obj, "/provisioner").to_string(),
        };
        self.classes.insert(name, state);
        Some(ClusterEvent::StorageClassChange)
    }

    pub fn set_volume(&mut self, obj: &Value, deleted: bool) -> Option<ClusterEvent> {
        let name = text(obj, "/metadata/name").to_string();
        if deleted {
            self.volumes.remove(&name);
            return None;
        }
        self.volumes.insert(name, obj.clone());
        Some(ClusterEvent::PvChange)
    }
}
