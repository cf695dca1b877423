//! Shared informers with indexers: the component's [`Cache`] plus the indexes controllers look things up
//! by, so that a sync reads the pods of one owner instead of scanning every pod in the cluster.
//!
//! Indexes (kept in step with every applied event):
//! - owner uid → dependents (every ownerReference, controller or not): ReplicaSet → its pods, GC;
//! - uid → object: the garbage collector resolves owners by uid;
//! - node name → pods: DaemonSets, taint eviction, the scale-down "doubled up" rank;
//! - resource → objects without a controller: orphans a controller may adopt;
//! - resource, label key and value → objects: a Service's selector reads the pods it can match;
//! - controller uid → counts of its active and ready pods, so a ReplicaSet whose pods only changed
//!   status writes its status without reading every pod (150,000-pod clusters).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;

mod labels;
#[cfg(test)]
mod tests;

use self::labels::LabelIndex;
use super::{Cache, Change, ObjectKey, object_key, resource_id};
use crate::sim::api::meta::{self, controller_ref, controller_uid, owner_refs};
use crate::sim::api::selector::{map_selects, object_labels};
use crate::sim::api::{self, ResourceType, podutil};
use crate::sim::protocol::request::EventType;

/// `(group, plural)`, as [`resource_id`] names a resource.
pub type ResourceId = (&'static str, &'static str);

/// A reference to one cached object of any resource.
pub type ObjectRef = (ResourceId, ObjectKey);

#[derive(Debug, Default, Clone)]
pub struct Informers {
    cache: Cache,
    types: BTreeMap<ResourceId, &'static ResourceType>,
    dependents: BTreeMap<String, BTreeSet<ObjectRef>>,
    uids: BTreeMap<String, ObjectRef>,
    pods_by_node: BTreeMap<String, BTreeSet<ObjectKey>>,
    orphans: BTreeMap<ResourceId, BTreeSet<ObjectKey>>,
    pod_counts: BTreeMap<String, Box<PodCounts>>,
    labels: LabelIndex,
}

/// Pods of one controller, counted as they change.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PodCounts {
    /// Not finished and not being deleted (`controller.IsPodActive`).
    pub active: i64,
    /// Active and Ready.
    pub ready: i64,
}

fn is_pod(rt: &ResourceType) -> bool {
    rt.group.is_empty() && rt.plural == "pods"
}

impl Informers {
    /// Applies one watch event to the cache and the indexes; returns the change (None for bookmarks).
    pub fn apply(&mut self, rt: &'static ResourceType, event: EventType, obj: Arc<Value>) -> Option<Change> {
        let change = self.cache.apply(rt, event, obj)?;
        let rid = resource_id(rt);
        self.types.insert(rid, rt);
        if let Some(old) = &change.old {
            self.unindex(rt, rid, old);
        }
        if change.event != EventType::Deleted {
            self.index(rt, rid, &change.new);
        }
        self.relabel(rid, &change);
        Some(change)
    }

    /// Adds an object whose type follows from its `apiVersion` and `kind` (tests and tools).
    pub fn insert(&mut self, obj: Value) -> Option<Change> {
        let rt = api::for_kind(meta::api_version(&obj), meta::kind(&obj)).ok()?;
        self.apply(rt, EventType::Added, Arc::new(obj))
    }

    /// Removes an object (tests and tools).
    pub fn remove(&mut self, obj: Value) -> Option<Change> {
        let rt = api::for_kind(meta::api_version(&obj), meta::kind(&obj)).ok()?;
        self.apply(rt, EventType::Deleted, Arc::new(obj))
    }

    /// Keeps the label index in step; most updates (a pod's status) keep the labels and cost nothing here.
    fn relabel(&mut self, rid: ResourceId, change: &Change) {
        let deleted = change.event == EventType::Deleted;
        if !deleted && change.old.as_deref().is_some_and(|o| object_labels(o) == object_labels(&change.new)) {
            return;
        }
        let key = object_key(&change.new);
        if let Some(old) = &change.old {
            self.labels.remove(rid, &key, old);
        }
        if !deleted {
            self.labels.add(rid, &key, &change.new);
        }
    }

    fn index(&mut self, rt: &ResourceType, rid: ResourceId, obj: &Value) {
        let key = object_key(obj);
        let uid = meta::uid(obj);
        if !uid.is_empty() {
            self.uids.insert(uid.to_string(), (rid, key.clone()));
        }
        for r in owner_refs(obj) {
            if let Some(owner) = r.get("uid").and_then(Value::as_str) {
                self.dependents.entry(owner.to_string()).or_default().insert((rid, key.clone()));
            }
        }
        if controller_ref(obj).is_none() {
            self.orphans.entry(rid).or_default().insert(key.clone());
        }
        if is_pod(rt) {
            self.count(obj, 1);
            let node = podutil::node_name(obj);
            if !node.is_empty() {
                self.pods_by_node.entry(node.to_string()).or_default().insert(key);
            }
        }
    }

    fn count(&mut self, pod: &Value, sign: i64) {
        let Some(owner) = controller_uid(pod) else { return };
        if !podutil::is_active(pod) {
            return;
        }
        let c = self.pod_counts.entry(owner.to_string()).or_default();
        c.active += sign;
        if podutil::is_ready(pod) {
            c.ready += sign;
        }
        if **c == PodCounts::default() {
            self.pod_counts.remove(owner);
        }
    }

    /// Counts of the pods controlled by `owner_uid`.
    pub fn pod_counts(&self, owner_uid: &str) -> PodCounts {
        self.pod_counts.get(owner_uid).map(|c| **c).unwrap_or_default()
    }

    fn unindex(&mut self, rt: &ResourceType, rid: ResourceId, obj: &Value) {
        let key = object_key(obj);
        let uid = meta::uid(obj);
        if self.uids.get(uid).is_some_and(|r| r.0 == rid && r.1 == key) {
            self.uids.remove(uid);
        }
        for r in owner_refs(obj) {
            if let Some(owner) = r.get("uid").and_then(Value::as_str)
                && let Some(set) = self.dependents.get_mut(owner)
            {
                set.remove(&(rid, key.clone()));
                if set.is_empty() {
                    self.dependents.remove(owner);
                }
            }
        }
        if let Some(set) = self.orphans.get_mut(&rid) {
            set.remove(&key);
        }
        if is_pod(rt) {
            self.count(obj, -1);
            let node = podutil::node_name(obj);
            if let Some(set) = self.pods_by_node.get_mut(node) {
                set.remove(&key);
                if set.is_empty() {
                    self.pods_by_node.remove(node);
                }
            }
        }
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    pub fn get(&self, rt: &ResourceType, namespace: &str, name: &str) -> Option<&Value> {
        self.cache.get(rt, namespace, name)
    }

    pub fn get_shared(&self, rt: &ResourceType, namespace: &str, name: &str) -> Option<Arc<Value>> {
        self.cache.get_shared(rt, namespace, name)
    }

    /// Objects of one resource, in key order; `namespace: None` lists all namespaces.
    pub fn list<'a>(&'a self, rt: &ResourceType, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Value> + 'a {
        self.cache.list(rt, namespace)
    }

    /// How many objects of a resource are cached (0 for an unknown plural).
    pub fn count_of(&self, plural: &str) -> usize {
        api::resolve(plural).map_or(0, |rt| self.cache.count(rt))
    }

    /// The resource types this cache has seen events for.
    pub fn resource_types(&self) -> impl Iterator<Item = &'static ResourceType> + '_ {
        self.types.values().copied()
    }

    /// Objects of `rt` whose controller is the object with `owner_uid`.
    pub fn controlled_by<'a>(&'a self, rt: &'a ResourceType, owner_uid: &str) -> impl Iterator<Item = &'a Value> + 'a {
        let rid = resource_id(rt);
        let owner = owner_uid.to_string();
        self.dependents
            .get(owner_uid)
            .into_iter()
            .flatten()
            .filter(move |(r, _)| *r == rid)
            .filter_map(move |(_, (ns, n))| self.cache.get(rt, ns, n))
            .filter(move |o| controller_uid(o) == Some(owner.as_str()))
    }

    /// Every object (any resource) with an ownerReference to `owner_uid`.
    pub fn dependents_of<'a>(
        &'a self,
        owner_uid: &str,
    ) -> impl Iterator<Item = (&'static ResourceType, &'a Value)> + 'a {
        self.dependents.get(owner_uid).into_iter().flatten().filter_map(move |(rid, (ns, n))| {
            let rt = *self.types.get(rid)?;
            Some((rt, self.cache.get(rt, ns, n)?))
        })
    }

    /// The object with this uid, whatever its resource.
    pub fn by_uid(&self, uid: &str) -> Option<(&'static ResourceType, &Value)> {
        let (rid, (ns, n)) = self.uids.get(uid)?;
        let rt = *self.types.get(rid)?;
        Some((rt, self.cache.get(rt, ns, n)?))
    }

    /// Pods bound to `node`.
    pub fn pods_on_node<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a Value> + 'a {
        let pods = api::resolve("pods");
        self.pods_by_node.get(node).into_iter().flatten().filter_map(move |(ns, n)| self.cache.get(pods?, ns, n))
    }

    /// Objects of `rt` in `namespace` labelled `key=value`, read from the label index.
    pub fn labelled<'a>(
        &'a self,
        rt: &'a ResourceType,
        namespace: &'a str,
        key: &str,
        value: &str,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.labels.keys(resource_id(rt), namespace, key, value).filter_map(move |(ns, n)| self.cache.get(rt, ns, n))
    }

    /// Objects of `rt` in `namespace` that a map selector (a Service's `spec.selector`) selects: the
    /// candidates come from the label index, each checked against the whole selector. A missing or empty
    /// selector selects nothing (`map_selects`).
    pub fn selected_by_map<'a>(
        &'a self,
        rt: &'a ResourceType,
        namespace: &'a str,
        selector: Option<&'a Value>,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        let map = selector.and_then(Value::as_object);
        map.into_iter()
            .flat_map(move |m| self.labels.candidates(resource_id(rt), namespace, m))
            .filter_map(move |(ns, n)| self.cache.get(rt, ns, n))
            .filter(move |o| map_selects(selector, o))
    }

    /// Objects of `rt` in `namespace` that have no controller (candidates for adoption).
    pub fn orphans<'a>(&'a self, rt: &'a ResourceType, namespace: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.orphans
            .get(&resource_id(rt))
            .into_iter()
            .flatten()
            .filter(move |(ns, _)| ns == namespace)
            .filter_map(move |(ns, n)| self.cache.get(rt, ns, n))
    }
}
