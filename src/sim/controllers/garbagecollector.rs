//! The garbage collector (`pkg/controller/garbagecollector`): ownerReferences across every resource.
//!
//! - Background: the owner is gone, so a dependent whose owners are all gone is deleted.
//! - Foreground: the owner has `deletionTimestamp` and the `foregroundDeletion` finalizer; its
//!   dependents are deleted, and once none with `blockOwnerDeletion` is left the finalizer is removed
//!   (the apiserver then deletes the owner).
//! - Orphan: the owner has the `orphan` finalizer; the reference is removed from every dependent,
//!   then the finalizer.
//!
//! Keys name a resource too: `(namespace, "<group>/<plural>/<name>")`. Upstream confirms a missing
//! owner with a live GET; here an owner counts as gone once the informer saw it deleted, or after it
//! stayed unknown for [`UNKNOWN_OWNER_GRACE_MS`] (a reference to something that never existed).

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::objects::{self, str_at};
use super::{Controller, claim};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{EventType, PatchType};
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// How long an owner may be unknown to the cache before its dependents count as orphaned.
pub const UNKNOWN_OWNER_GRACE_MS: Millis = 5_000;

/// What the garbage collector watches: everything that owns or is owned in this cluster.
const WATCHED: &[&str] = &[
    "pods",
    "replicasets",
    "replicationcontrollers",
    "deployments",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "services",
    "endpoints",
    "endpointslices",
    "configmaps",
    "secrets",
    "serviceaccounts",
    "persistentvolumeclaims",
    "controllerrevisions",
    "leases",
    "nodes",
];

#[derive(Debug, Default)]
pub struct GarbageCollector {
    /// Uids the informers saw deleted while something still referenced them.
    deleted: BTreeSet<String>,
    /// When a dependent was first seen pointing at an owner the cache does not know.
    unknown_since: BTreeMap<ObjectKey, Millis>,
}

/// The GC's key for an object of `rt`.
pub fn gc_key(rt: &ResourceType, obj: &Value) -> ObjectKey {
    (objects::namespace(obj).to_string(), format!("{}/{}/{}", rt.group, rt.plural, objects::name(obj)))
}

fn resolve_key(key: &ObjectKey) -> Option<(&'static ResourceType, &str)> {
    let mut parts = key.1.splitn(3, '/');
    let (group, plural, name) = (parts.next()?, parts.next()?, parts.next()?);
    let rt = api::resolve(plural).filter(|rt| rt.group == group)?;
    Some((rt, name))
}

fn refs_changed(change: &Change) -> bool {
    let old = change.old.as_deref();
    change.event == EventType::Added
        || old.map(objects::owner_refs) != Some(objects::owner_refs(&change.new))
        || old.map(objects::is_deleting) != Some(objects::is_deleting(&change.new))
        || old.map(objects::finalizers) != Some(objects::finalizers(&change.new))
}

fn ns_of(obj: &Value) -> Option<String> {
    Some(objects::namespace(obj).to_string()).filter(|n| !n.is_empty())
}

/// A patch setting the finalizers (conditional on the resourceVersion the decision was made on).
fn set_finalizers(rt: &'static ResourceType, obj: &Value, keep: Vec<&str>) -> Action {
    let mut meta = json!({"finalizers": keep});
    if let Some(rv) = obj.at("/metadata/resourceVersion") {
        meta["resourceVersion"] = rv.clone();
    }
    Action::Patch {
        resource: rt,
        namespace: ns_of(obj),
        name: objects::name(obj).to_string(),
        patch_type: PatchType::Merge,
        patch: json!({"metadata": meta}),
        status: false,
    }
}

fn delete(rt: &'static ResourceType, obj: &Value, policy: &str) -> Action {
    Action::Delete {
        resource: rt,
        namespace: ns_of(obj),
        name: objects::name(obj).to_string(),
        propagation: Some(policy.into()),
        grace_seconds: None,
    }
}

/// How an owner reference looks from a dependent.
enum Owner {
    /// Exists and is not waiting for its dependents.
    Solid,
    /// Being deleted in the foreground: waiting for dependents to go.
    Waiting,
    /// Gone.
    Dangling,
    /// Not in the cache, not seen deleted: maybe the cache is behind.
    Unknown,
}

impl GarbageCollector {
    fn owner_state(&self, inf: &Informers, r: &Value) -> Owner {
        let uid = str_at(r, "/uid");
        match inf.by_uid(uid) {
            Some((_, o)) if objects::is_deleting(o) && objects::finalizers(o).contains(&"foregroundDeletion") => {
                Owner::Waiting
            }
            Some(_) => Owner::Solid,
            None if self.deleted.contains(uid) => Owner::Dangling,
            None => Owner::Unknown,
        }
    }

    /// The owner's side: foreground and orphan finalizers.
    fn as_owner(&self, inf: &Informers, rt: &'static ResourceType, obj: &Value) -> Vec<Action> {
        let finalizers = objects::finalizers(obj);
        let uid = objects::uid(obj);
        let dependents: Vec<(&'static ResourceType, &Value)> = inf.dependents_of(uid).collect();
        let without = |f: &str| finalizers.iter().copied().filter(|x| *x != f).collect::<Vec<_>>();
        if finalizers.contains(&"orphan") {
            if dependents.is_empty() {
                return vec![set_finalizers(rt, obj, without("orphan"))];
            }
            return dependents.into_iter().map(|(drt, d)| claim::release(d, drt, uid)).collect();
        }
        if finalizers.contains(&"foregroundDeletion") {
            let blocking = |d: &Value| {
                objects::owner_refs(d).iter().any(|r| {
                    str_at(r, "/uid") == uid && r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true)
                })
            };
            if !dependents.iter().any(|(_, d)| blocking(d)) {
                return vec![set_finalizers(rt, obj, without("foregroundDeletion"))];
            }
            return dependents
                .into_iter()
                .filter(|(_, d)| !objects::is_deleting(d))
                .map(|(drt, d)| {
                    delete(
                        drt,
                        d,
                        if inf.dependents_of(objects::uid(d)).next().is_some() { "Foreground" } else { "Background" },
                    )
                })
                .collect();
        }
        Vec::new()
    }

    /// The dependent's side (`attemptToDeleteItem`).
    fn as_dependent(
        &mut self,
        inf: &Informers,
        key: &ObjectKey,
        rt: &'static ResourceType,
        obj: &Value,
        now: Millis,
    ) -> Vec<Action> {
        let refs = objects::owner_refs(obj);
        if refs.is_empty() || objects::is_deleting(obj) {
            self.unknown_since.remove(key);
            return Vec::new();
        }
        let (mut solid, mut waiting, mut gone, mut unknown) = (0, Vec::new(), Vec::new(), false);
        for r in refs {
            match self.owner_state(inf, r) {
                Owner::Solid => solid += 1,
                Owner::Waiting => waiting.push(str_at(r, "/uid")),
                Owner::Dangling => gone.push(str_at(r, "/uid")),
                Owner::Unknown => unknown = true,
            }
        }
        if unknown {
            let since = *self.unknown_since.entry(key.clone()).or_insert(now);
            if now < since + UNKNOWN_OWNER_GRACE_MS {
                return vec![Action::Requeue { key: key.clone(), after: since + UNKNOWN_OWNER_GRACE_MS - now }];
            }
            for r in refs {
                if matches!(self.owner_state(inf, r), Owner::Unknown) {
                    gone.push(str_at(r, "/uid"));
                }
            }
        }
        self.unknown_since.remove(key);
        if solid > 0 {
            if gone.is_empty() && waiting.is_empty() {
                return Vec::new();
            }
            // Some owner remains: only drop the references to the others.
            let keep: Vec<Value> = refs
                .iter()
                .filter(|r| !gone.contains(&str_at(r, "/uid")) && !waiting.contains(&str_at(r, "/uid")))
                .cloned()
                .collect();
            let mut meta = json!({"ownerReferences": keep, "uid": objects::uid(obj)});
            if let Some(rv) = obj.at("/metadata/resourceVersion") {
                meta["resourceVersion"] = rv.clone();
            }
            return vec![Action::Patch {
                resource: rt,
                namespace: ns_of(obj),
                name: objects::name(obj).to_string(),
                patch_type: PatchType::Merge,
                patch: json!({"metadata": meta}),
                status: false,
            }];
        }
        let has_dependents = inf.dependents_of(objects::uid(obj)).next().is_some();
        let policy = if !waiting.is_empty() && has_dependents { "Foreground" } else { "Background" };
        vec![delete(rt, obj, policy)]
    }
}

impl Controller for GarbageCollector {
    fn name(&self) -> &'static str {
        "garbage-collector"
    }

    fn event_source(&self) -> &'static str {
        "garbage-collector-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        WATCHED
    }

    /// `--concurrent-gc-syncs` defaults to 20.
    fn workers(&self) -> usize {
        20
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        let obj = &change.new;
        let mut keys = Vec::new();
        if change.event == EventType::Deleted {
            // Its dependents may now be orphans.
            let uid = objects::uid(obj);
            let dependents: Vec<ObjectKey> = inf.dependents_of(uid).map(|(rt, d)| gc_key(rt, d)).collect();
            if !dependents.is_empty() {
                self.deleted.insert(uid.to_string());
            }
            keys.extend(dependents);
        } else if refs_changed(change) {
            keys.push(gc_key(change.resource, obj));
        }
        // Owners waiting on this object (foreground/orphan) take another look when it changes or goes.
        let mut refs: Vec<&Value> = objects::owner_refs(obj).iter().collect();
        if let Some(old) = &change.old {
            refs.extend(objects::owner_refs(old));
        }
        if change.event == EventType::Deleted || refs_changed(change) {
            for r in refs {
                if let Some((ort, o)) = inf.by_uid(str_at(r, "/uid"))
                    && objects::is_deleting(o)
                {
                    keys.push(gc_key(ort, o));
                }
            }
        }
        keys.stable_sort();
        keys.dedup();
        keys
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some((rt, name)) = resolve_key(key) else { return Vec::new() };
        let Some(obj) = inf.get(rt, &key.0, name) else {
            self.unknown_since.remove(key);
            return Vec::new();
        };
        if self.deleted.len() > 10_000 {
            self.deleted.retain(|u| inf.dependents_of(u).next().is_some());
        }
        let mut out = if objects::is_deleting(obj) { self.as_owner(inf, rt, obj) } else { Vec::new() };
        out.extend(self.as_dependent(inf, key, rt, obj, now));
        out
    }
}

#[cfg(test)]
mod tests;
