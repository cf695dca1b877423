//! The watch cache: the kube-apiserver's copy of every object, fed by its etcd watch, and the watchers
//! it fans events out to.
//!
//! ```text
//!   etcd ──EtcdWatch──► WatchCache::apply ──► objects (key → object with resourceVersion)
//!                                        └──► for each matching watcher: WatchNotice ──► client
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

use super::fields::FieldSelector;
use super::request::EventType;
use crate::sim::api::ResourceType;
use crate::sim::api::selector::Selector;
use crate::sim::component::Component;
use crate::sim::store::{EventKind, WatchEvent};

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
    /// Runs for every watcher on every event: reads the object in place (no `Value::pointer`, which
    /// allocates a string per path segment).
    fn matches(&self, obj: &Value) -> bool {
        let ns_ok = self
            .namespace
            .as_deref()
            .is_none_or(|ns| obj.get("metadata").and_then(|m| m.get("namespace")).and_then(Value::as_str) == Some(ns));
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
}

/// Decoded objects by storage key, and the watchers by resource.
#[derive(Debug, Default)]
pub struct WatchCache {
    objects: BTreeMap<String, Value>,
    pub revision: i64,
    watchers: BTreeMap<u64, Box<Watcher>>,
    by_resource: BTreeMap<&'static str, Vec<u64>>,
}

/// A decoded change: which resource, old and new object.
pub struct CacheChange {
    pub resource: &'static ResourceType,
    pub kind: EventKind,
    pub old: Option<Value>,
    pub new: Value,
}

impl WatchCache {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.objects.get(key)
    }

    /// Objects under a key prefix, in key order.
    pub fn list_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.range(prefix.to_string()..).take_while(move |(k, _)| k.starts_with(prefix)).map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Applies one etcd event; returns the decoded change, or None for keys it does not serve.
    pub fn apply(&mut self, ev: &WatchEvent) -> Option<CacheChange> {
        self.revision = self.revision.max(ev.kv.mod_revision);
        let resource = resource_for_key(&ev.kv.key)?;
        match ev.kind {
            EventKind::Put => {
                let mut obj: Value = serde_json::from_slice(&ev.kv.value).ok()?;
                set_resource_version(&mut obj, ev.kv.mod_revision);
                let old = self.objects.insert(ev.kv.key.to_string(), obj.clone());
                Some(CacheChange { resource, kind: EventKind::Put, old, new: obj })
            }
            EventKind::Delete => {
                let old = self.objects.remove(&*ev.kv.key)?;
                let mut gone = old.clone();
                set_resource_version(&mut gone, ev.kv.mod_revision);
                Some(CacheChange { resource, kind: EventKind::Delete, old: Some(old), new: gone })
            }
        }
    }

    pub fn add_watcher(&mut self, w: Watcher) {
        self.by_resource.entry(w.resource.plural).or_default().push(w.id);
        self.watchers.insert(w.id, Box::new(w));
    }

    /// Drops every watch of a client (it restarted or went away).
    pub fn remove_client(&mut self, client: &Component) {
        let gone: Vec<u64> = self.watchers.values().filter(|w| &w.client == client).map(|w| w.id).collect();
        for id in gone {
            if let Some(w) = self.watchers.remove(&id)
                && let Some(ids) = self.by_resource.get_mut(w.resource.plural)
            {
                ids.retain(|i| *i != id);
            }
        }
    }

    pub fn remove_watch(&mut self, id: u64) {
        if let Some(w) = self.watchers.remove(&id)
            && let Some(ids) = self.by_resource.get_mut(w.resource.plural)
        {
            ids.retain(|i| *i != id);
        }
    }

    /// Watchers of one resource, in the order they were opened.
    pub fn watchers_of<'a>(&'a self, rt: &ResourceType) -> impl Iterator<Item = &'a Watcher> + 'a {
        self.by_resource.get(rt.plural).into_iter().flatten().filter_map(|id| self.watchers.get(id).map(|w| &**w))
    }

    pub fn watcher_count(&self) -> usize {
        self.watchers.len()
    }
}

/// The apiserver sets `metadata.resourceVersion` from the etcd mod revision; it is never stored.
pub fn set_resource_version(obj: &mut Value, rev: i64) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), Value::String(rev.to_string()));
    }
}

/// The resource an etcd key belongs to: the longest matching storage prefix wins
/// (`/registry/services/specs/` and `/registry/services/endpoints/` are different resources), and
/// among resources sharing a prefix (core and events.k8s.io Events) the first listed.
pub fn resource_for_key(key: &str) -> Option<&'static ResourceType> {
    let rest = key.strip_prefix("/registry/")?;
    let mut best: Option<&'static ResourceType> = None;
    for rt in crate::sim::api::resources() {
        let matches = rest.strip_prefix(rt.etcd_prefix).is_some_and(|r| r.starts_with('/'));
        if matches && best.is_none_or(|b| rt.etcd_prefix.len() > b.etcd_prefix.len()) {
            best = Some(rt);
        }
    }
    best
}
