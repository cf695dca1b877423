//! The open watches of the apiserver, indexed as upstream's cacher indexes them, so that an event is
//! offered only to the watchers that can want it.
//!
//! Upstream (`staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go`) keeps `allWatchers` keyed by
//! scope (namespace, name) and `valueWatchers` keyed by an index value (`spec.nodeName` for pods). A pod
//! event on a 1,000-node cluster then reaches the one kubelet of its node, not all thousand. Here a
//! watcher sits in exactly one bucket, the most selective its selectors allow:
//!
//! ```text
//!   fieldSelector spec.nodeName=X (pods)  → by_node[X]
//!   fieldSelector metadata.name=X          → by_name[X]
//!   namespace N                             → by_namespace[N]
//!   otherwise                               → everyone
//! ```
//!
//! The buckets only narrow the candidates; each candidate still runs its full selectors. Candidates are
//! offered in the order the watches were opened, so traces do not depend on the index.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::fields::FieldSelector;
use super::request::EventType;
use crate::sim::api::ResourceType;
use crate::sim::api::selector::Selector;
use crate::sim::component::Component;
use crate::sim::store::EventKind;

/// One open watch.
#[derive(Debug, Clone)]
pub struct Watcher {
    pub id: u64,
    pub client: Component,
    pub resource: &'static ResourceType,
    pub namespace: Option<String>,
    pub labels: Selector,
    pub fields: FieldSelector,
}

impl Watcher {
    /// Runs for every candidate on every event: reads the object in place (no `Value::pointer`, which
    /// allocates a string per path segment).
    fn matches(&self, obj: &Value) -> bool {
        let ns_ok = self.namespace.as_deref().is_none_or(|ns| namespace_of(obj) == Some(ns));
        ns_ok && self.labels.matches_object(obj) && self.fields.matches(obj)
    }

    /// The event this watcher sees for a change, if any: an object moving out of a selector is
    /// DELETED for this watcher, one moving in is ADDED (as the real watch cache filters).
    pub fn event_for(&self, kind: EventKind, old: Option<&Value>, new: &Value) -> Option<EventType> {
        let was = old.is_some_and(|o| self.matches(o));
        match kind {
            EventKind::Delete => was.then_some(EventType::Deleted),
            EventKind::Put => match (was, self.matches(new)) {
                (false, true) => Some(EventType::Added),
                (true, true) => Some(EventType::Modified),
                (true, false) => Some(EventType::Deleted),
                (false, false) => None,
            },
        }
    }

    /// The bucket this watcher belongs in.
    fn bucket(&self) -> Bucket {
        if is_pods(self.resource)
            && let Some(node) = self.fields.equals("spec.nodeName")
        {
            return Bucket::Node(node.to_string());
        }
        if let Some(name) = self.fields.equals("metadata.name") {
            return Bucket::Name(name.to_string());
        }
        match &self.namespace {
            Some(ns) => Bucket::Namespace(ns.clone()),
            None => Bucket::Everyone,
        }
    }
}

fn is_pods(rt: &ResourceType) -> bool {
    rt.group.is_empty() && rt.plural == "pods"
}

fn str_field<'a>(obj: &'a Value, section: &str, field: &str) -> Option<&'a str> {
    obj.get(section)?.get(field)?.as_str()
}

fn namespace_of(obj: &Value) -> Option<&str> {
    str_field(obj, "metadata", "namespace")
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Bucket {
    Everyone,
    Namespace(String),
    Name(String),
    Node(String),
}

/// `(open order, watch id)` lists by a key (a namespace, a name, a node name).
type Keyed = HashMap<String, Vec<(u64, u64)>>;

/// The watchers of one resource, bucketed. Each list holds `(open order, watch id)`. The keyed maps
/// are looked up by `&str`, so offering an event allocates no key.
#[derive(Debug, Default)]
struct ResourceWatchers {
    everyone: Vec<(u64, u64)>,
    by_namespace: Keyed,
    by_name: Keyed,
    by_node: Keyed,
}

impl ResourceWatchers {
    fn map_mut<'a>(&'a mut self, bucket: &'a Bucket) -> Option<(&'a mut Keyed, &'a str)> {
        match bucket {
            Bucket::Everyone => None,
            Bucket::Namespace(k) => Some((&mut self.by_namespace, k)),
            Bucket::Name(k) => Some((&mut self.by_name, k)),
            Bucket::Node(k) => Some((&mut self.by_node, k)),
        }
    }

    fn push(&mut self, bucket: &Bucket, entry: (u64, u64)) {
        match self.map_mut(bucket) {
            None => self.everyone.push(entry),
            Some((map, key)) => map.entry(key.to_string()).or_default().push(entry),
        }
    }

    fn remove(&mut self, bucket: &Bucket, id: u64) {
        match self.map_mut(bucket) {
            None => self.everyone.retain(|(_, i)| *i != id),
            Some((map, key)) => {
                if let Some(list) = map.get_mut(key) {
                    list.retain(|(_, i)| *i != id);
                    if list.is_empty() {
                        map.remove(key);
                    }
                }
            }
        }
    }
}

impl ResourceWatchers {
    /// Every entry, from every bucket.
    fn all(self) -> Vec<(u64, u64)> {
        let keyed = [self.by_namespace, self.by_name, self.by_node].into_iter().flat_map(|m| m.into_values().flatten());
        self.everyone.into_iter().chain(keyed).collect()
    }
}

fn bucket<'a>(map: &'a Keyed, key: Option<&str>) -> &'a [(u64, u64)] {
    key.and_then(|k| map.get(k)).map_or(&[], Vec::as_slice)
}

/// Every open watch, by id, and the per-resource buckets that find candidates for an event.
#[derive(Debug, Default)]
pub struct Watchers {
    by_id: BTreeMap<u64, Box<Watcher>>,
    by_resource: HashMap<&'static str, ResourceWatchers>,
    opened: u64,
}

impl Watchers {
    pub fn add(&mut self, w: Watcher) {
        self.opened += 1;
        let id = w.id;
        self.by_resource.entry(w.resource.plural).or_default().push(&w.bucket(), (self.opened, id));
        self.by_id.insert(id, Box::new(w));
    }

    /// Closes one watch; returns its client if it was open.
    pub fn remove(&mut self, id: u64) -> Option<Component> {
        let w = self.by_id.remove(&id)?;
        if let Some(rw) = self.by_resource.get_mut(w.resource.plural) {
            rw.remove(&w.bucket(), id);
        }
        Some(w.client)
    }

    /// Drops every watch of a client (it restarted or went away).
    pub fn remove_client(&mut self, client: &Component) {
        let gone: Vec<u64> = self.by_id.values().filter(|w| &w.client == client).map(|w| w.id).collect();
        for id in gone {
            self.remove(id);
        }
    }

    /// Closes every watch: returns each `(client, watch id)`, in the order they were opened.
    pub fn drain(&mut self) -> Vec<(Component, u64)> {
        let mut open: Vec<(u64, u64)> = self.by_resource.drain().flat_map(|(_, rw)| rw.all()).collect();
        open.sort_unstable();
        let mut by_id = std::mem::take(&mut self.by_id);
        open.into_iter().filter_map(|(_, id)| by_id.remove(&id).map(|w| (w.client, id))).collect()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The watchers of `rt` that can want a change from `old` to `new`, in the order they were opened.
    /// A superset of those whose selectors match: callers still ask [`Watcher::event_for`].
    pub fn candidates(&self, rt: &ResourceType, old: Option<&Value>, new: &Value) -> Vec<&Watcher> {
        let Some(rw) = self.by_resource.get(rt.plural) else { return Vec::new() };
        let mut picked: Vec<(u64, u64)> = rw.everyone.clone();
        for obj in old.into_iter().chain(Some(new)) {
            picked.extend_from_slice(bucket(&rw.by_namespace, namespace_of(obj)));
            picked.extend_from_slice(bucket(&rw.by_name, str_field(obj, "metadata", "name")));
            if is_pods(rt) {
                picked.extend_from_slice(bucket(&rw.by_node, str_field(obj, "spec", "nodeName")));
            }
        }
        picked.sort_unstable();
        picked.dedup();
        picked.into_iter().filter_map(|(_, id)| self.by_id.get(&id).map(|w| &**w)).collect()
    }
}

#[cfg(test)]
mod tests;
