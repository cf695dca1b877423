//! The watch cache: the kube-apiserver's copy of every object, fed by its etcd watch, and the watchers
//! it fans events out to.
//!
//! ```text
//!   etcd ──EtcdWatch──► WatchCache::apply ──► objects (key → object with resourceVersion)
//!                                        └──► Watchers::candidates ──► WatchNotice ──► client
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::history::History;
use super::watchers::Watchers;
use crate::sim::api::ResourceType;
use crate::sim::store::{EventKind, WatchEvent};

/// Decoded objects by storage key, and the watchers by resource.
#[derive(Debug, Default)]
pub struct WatchCache {
    /// Each version decoded once and shared with every notice and informer that carries it.
    objects: BTreeMap<String, Arc<Value>>,
    pub revision: i64,
    /// The open watches, indexed so an event reaches only the watchers that can want it.
    pub watchers: Watchers,
    /// Recent changes, for watches that resume from a resourceVersion.
    pub history: History,
    /// The revision of the last refill: older changes are already in the objects. (Several keys
    /// can change at one revision, so this is not `revision`.)
    refilled_at: i64,
}

/// A decoded change: which resource, old and new object (shared, so keeping it in the history costs
/// two reference counts).
#[derive(Clone)]
pub struct CacheChange {
    pub resource: &'static ResourceType,
    pub kind: EventKind,
    pub old: Option<Arc<Value>>,
    pub new: Arc<Value>,
}

impl WatchCache {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.objects.get(key).map(|v| &**v)
    }

    /// Objects under a key prefix, in key order.
    pub fn list_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.range(prefix.to_string()..).take_while(move |(k, _)| k.starts_with(prefix)).map(|(_, v)| &**v)
    }

    /// Like [`Self::list_prefix`], but the shared objects themselves (a WatchList's initial events).
    pub fn list_prefix_shared<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Arc<Value>> + 'a {
        self.objects.range(prefix.to_string()..).take_while(move |(k, _)| k.starts_with(prefix)).map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    fn remember(&mut self, revision: i64, change: CacheChange) -> CacheChange {
        self.history.push(revision, change.clone());
        change
    }

    /// Replaces every object with a fresh list from etcd at `revision` (a restarted apiserver's
    /// cache); the history starts there too.
    pub fn refill(&mut self, kvs: &[crate::sim::store::KeyValue], revision: i64) {
        self.objects.clear();
        for kv in kvs {
            if resource_for_key(&kv.key).is_none() {
                continue;
            }
            if let Ok(mut obj) = serde_json::from_slice::<Value>(&kv.value) {
                set_resource_version(&mut obj, kv.mod_revision);
                self.objects.insert(kv.key.to_string(), Arc::new(obj));
            }
        }
        self.revision = revision;
        self.refilled_at = revision;
        self.history.reset(revision);
    }

    /// Applies one etcd event; returns the decoded change, or None for keys it does not serve and
    /// for revisions the cache already holds (after a refill).
    pub fn apply(&mut self, ev: &WatchEvent) -> Option<CacheChange> {
        if ev.kv.mod_revision <= self.refilled_at {
            return None;
        }
        self.revision = self.revision.max(ev.kv.mod_revision);
        let resource = resource_for_key(&ev.kv.key)?;
        match ev.kind {
            EventKind::Put => {
                let mut obj: Value = serde_json::from_slice(&ev.kv.value).ok()?;
                set_resource_version(&mut obj, ev.kv.mod_revision);
                let obj = Arc::new(obj);
                let old = self.objects.insert(ev.kv.key.to_string(), obj.clone());
                Some(self.remember(ev.kv.mod_revision, CacheChange { resource, kind: EventKind::Put, old, new: obj }))
            }
            EventKind::Delete => {
                let old = self.objects.remove(&*ev.kv.key)?;
                let mut gone = (*old).clone();
                set_resource_version(&mut gone, ev.kv.mod_revision);
                let change = CacheChange { resource, kind: EventKind::Delete, old: Some(old), new: Arc::new(gone) };
                Some(self.remember(ev.kv.mod_revision, change))
            }
        }
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
