//! What the scheduler knows of storage (its PersistentVolumeClaim and StorageClass informers): for each
//! claim whether it is bound or being deleted and its class, and which classes delay binding.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::framework::ClusterEvent;
use super::podinfo::PodKey;

/// One claim, as VolumeBinding's PreFilter reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimState {
    /// `spec.volumeName` is set.
    pub bound: bool,
    pub deleting: bool,
    /// `storageClassName` (or the beta annotation); "" for none.
    pub class: String,
}

#[derive(Debug, Default, Clone)]
pub struct Volumes {
    claims: BTreeMap<PodKey, ClaimState>,
    /// Classes with `volumeBindingMode: WaitForFirstConsumer`.
    delay_classes: BTreeSet<String>,
}

fn text<'a>(obj: &'a Value, path: &str) -> &'a str {
    obj.at(path).and_then(Value::as_str).unwrap_or("")
}

impl Volumes {
    pub fn claim(&self, namespace: &str, name: &str) -> Option<&ClaimState> {
        self.claims.get(&(namespace.to_string(), name.to_string()))
    }

    /// `IsDelayBindingMode`: the claim's class exists and waits for the first consumer.
    pub fn delays_binding(&self, claim: &ClaimState) -> bool {
        self.delay_classes.contains(&claim.class)
    }

    pub fn set_claim(&mut self, obj: &Value) -> Option<ClusterEvent> {
        let key = (text(obj, "/metadata/namespace").to_string(), text(obj, "/metadata/name").to_string());
        let class = crate::sim::api::meta::storage_class(obj);
        let state = ClaimState {
            bound: !text(obj, "/spec/volumeName").is_empty(),
            deleting: obj.at("/metadata/deletionTimestamp").is_some_and(|d| !d.is_null()),
            class: class.to_string(),
        };
        let changed = self.claims.get(&key) != Some(&state);
        self.claims.insert(key, state);
        changed.then_some(ClusterEvent::PvcChange)
    }

    pub fn remove_claim(&mut self, obj: &Value) {
        self.claims.remove(&(text(obj, "/metadata/namespace").to_string(), text(obj, "/metadata/name").to_string()));
    }

    pub fn set_class(&mut self, obj: &Value, deleted: bool) -> Option<ClusterEvent> {
        let name = text(obj, "/metadata/name").to_string();
        if deleted || text(obj, "/volumeBindingMode") != "WaitForFirstConsumer" {
            self.delay_classes.remove(&name);
        } else {
            self.delay_classes.insert(name);
        }
        (!deleted).then_some(ClusterEvent::StorageClassChange)
    }
}
