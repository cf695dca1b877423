//! The resource quota controller (`pkg/controller/resourcequota`): keeps each quota's `status.hard`
//! (a copy of `spec.hard`) and `status.used` (what the namespace's objects use) current.
//!
//! ```text
//!  quota added / spec.hard changed ──────────────► sync: recount every tracked resource
//!  pod deleted or finished, object deleted ──────► sync the namespace's quotas that track it
//!  every 5 minutes (--resource-quota-sync-period) ► sync again (the full recalculation)
//! ```
//! Creates are not watched: the ResourceQuota admission plugin charged them already. This is
//! "replenishment": usage only goes down through the controller. A sync writes status with the
//! quota's resourceVersion, so a charge admission made meanwhile wins and the sync runs again.

use serde_json::Value;

use super::Controller;
use super::objects;
use crate::sim::api::quota::{self, Usage};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// `--resource-quota-sync-period`: how often every quota is recounted.
pub const RESYNC_MS: Millis = 5 * 60 * 1000;

/// The kinds whose usage the controller can count (one informer each). Object-count quotas on other
/// kinds (`count/ingresses.networking.k8s.io`) read as 0.
const COUNTED: &[&str] = &[
    "resourcequotas",
    "pods",
    "services",
    "configmaps",
    "secrets",
    "persistentvolumeclaims",
    "replicationcontrollers",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
];

fn quotas() -> &'static ResourceType {
    api::resolve("resourcequotas").expect("resourcequotas are always served")
}

#[derive(Debug, Default)]
pub struct ResourceQuotaController;

/// The resource type of a `plural.group` the controller counts, if it watches it.
fn counted_type(plural: &str, group: &str) -> Option<&'static ResourceType> {
    let rt = api::resources().iter().find(|r| r.plural == plural && r.group == group)?;
    COUNTED.contains(&rt.plural).then_some(rt)
}

/// `CalculateUsage`: for each kind the hard limits name, the sum over the namespace's objects that
/// the quota's scopes select, masked to the tracked names (each starts at 0).
pub fn calculate_usage(quota_obj: &Value, inf: &Informers, now: Millis) -> Usage {
    let hard = quota::hard(quota_obj, "spec");
    let scopes = quota::scope_selectors(quota_obj);
    let ns = objects::namespace(quota_obj);
    let mut kinds: Vec<(&str, &str)> = hard.keys().filter_map(|r| quota::kind_of(r)).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut used = Usage::new();
    for (plural, group) in kinds {
        let tracked = quota::matching_resources(hard.keys(), plural, group);
        let mut sum: Usage = tracked.iter().map(|r| (r.clone(), api::quantity::Quantity::from_millis(0))).collect();
        if let Some(rt) = counted_type(plural, group) {
            let pod = plural == "pods" && group.is_empty();
            for obj in inf.list(rt, Some(ns)) {
                if scopes.iter().all(|s| pod && quota::pod_matches_scope(s, obj)) {
                    sum = quota::add(&sum, &quota::usage(obj, plural, group, now));
                }
            }
        }
        used = quota::add(&used, &quota::mask(&sum, &tracked));
    }
    used
}

/// Whether two lists hold the same names with equal values (`quota.Equals`: notation aside).
fn equal(a: &Usage, b: &Usage) -> bool {
    a.len() == b.len() && a.iter().all(|(k, q)| b.get(k).is_some_and(|o| o.cmp(q).is_eq()))
}

/// `syncResourceQuota`: status.hard from spec.hard, status.used recounted; written only when either changed.
pub fn sync(quota_obj: &Value, inf: &Informers, now: Millis) -> Option<Action> {
    let hard = quota::hard(quota_obj, "spec");
    let has_status = |f: &str| quota_obj.get("status").and_then(|s| s.get(f)).is_some_and(|v| !v.is_null());
    let used = calculate_usage(quota_obj, inf, now);
    let dirty = !has_status("hard")
        || !has_status("used")
        || !equal(&hard, &quota::hard(quota_obj, "status"))
        || !equal(&used, &quota::used(quota_obj));
    if !dirty {
        return None;
    }
    let status = serde_json::json!({"hard": quota::to_json(&hard), "used": quota::to_json(&used)});
    Some(Action::UpdateStatus { resource: quotas(), object: objects::status_write(quota_obj, status) })
}

/// The quotas of a namespace that track something objects of `plural.group` use (`replenishQuota`).
fn quotas_tracking(inf: &Informers, ns: &str, plural: &str, group: &str) -> Vec<ObjectKey> {
    inf.list(quotas(), Some(ns))
        .filter(|q| !quota::matching_resources(quota::hard(q, "status").keys(), plural, group).is_empty())
        .map(objects::key_of)
        .collect()
}

impl Controller for ResourceQuotaController {
    fn name(&self) -> &'static str {
        "resourcequota"
    }

    fn event_source(&self) -> &'static str {
        "resource-quota-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        COUNTED
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        let rt = change.resource;
        let obj = &change.new;
        if rt.plural == "resourcequotas" {
            // `addQuota` and `updateQuota`: a new quota, or new hard limits, need a full count.
            let hard_changed = change.old.as_deref().is_none_or(|o| o.get("spec") != obj.get("spec"));
            return if change.event != EventType::Deleted && hard_changed {
                vec![objects::key_of(obj)]
            } else {
                Vec::new()
            };
        }
        // The quota monitor's replenishment: deletions, and pods that stopped using compute.
        let released = match change.event {
            EventType::Deleted => true,
            _ if rt.plural == "pods" => change.old.as_deref().is_some_and(|old| finished(obj) && !finished(old)),
            _ => false,
        };
        if !released {
            return Vec::new();
        }
        quotas_tracking(inf, objects::namespace(obj), rt.plural, rt.group)
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(q) = inf.get(quotas(), &key.0, &key.1) else { return Vec::new() };
        let mut out: Vec<Action> = sync(q, inf, now).into_iter().collect();
        out.push(Action::Requeue { key: key.clone(), after: RESYNC_MS });
        out
    }
}

/// A pod in a terminal phase: `QuotaV1Pod` turns false on the update that finishes it. (A pod
/// deleted past its grace period also stops counting; its final deletion replenishes then.)
fn finished(pod: &Value) -> bool {
    matches!(objects::str_at(pod, "/status/phase"), "Succeeded" | "Failed")
}

#[cfg(test)]
mod tests;
