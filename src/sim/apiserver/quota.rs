//! The ResourceQuota admission plugin (`plugin/resourcequota`, `CheckRequest`): a create is measured
//! against every quota of its namespace that selects it, and the new `status.used` of each is
//! written in the same etcd transaction as the object.
//!
//! ```text
//!  create ──► quotas of the namespace (watch cache) ──► matches? (status.hard names, scopes)
//!     │            └─ Constraints: cpu/memory stated?  └─ status.used known for what it tracks?
//!     └──► used + request <= hard ? ──► charges: quota with new status.used, compared on its revision
//!  etcd txn: [object missing, each quota unchanged] ──► put object, put each quota
//!            compare failed on a quota ──► recompute from the (now newer) cache, as the plugin retries
//! ```
//! The real plugin writes the quota first (an update with a resourceVersion precondition) and the
//! object after; one transaction here gives the same guarantee: a burst of creates cannot pass a limit.

use serde_json::Value;

use super::cache::WatchCache;
use super::status::Status;
use crate::sim::api::quota::{self, Usage};
use crate::sim::api::{self, ResourceType, meta::str_at};
use crate::sim::time::Millis;

/// A quota's new state, to be written with the object, if its revision is still `revision`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaCharge {
    pub key: String,
    pub revision: i64,
    pub quota: Value,
}

/// `hasUsageStats`: the controller has counted every tracked resource at least once.
fn has_usage_stats(q: &Value, tracked: &[String]) -> bool {
    let used = quota::used(q);
    tracked.iter().all(|r| used.contains_key(r))
}

fn revision_of(q: &Value) -> i64 {
    str_at(q, &["metadata", "resourceVersion"]).and_then(|r| r.parse().ok()).unwrap_or(0)
}

/// `CheckRequest` on a create: the charges to write, or the plugin's refusal.
pub fn admit(
    obj: &Value,
    rt: &ResourceType,
    name: &str,
    ns: &str,
    cache: &WatchCache,
    now: Millis,
) -> Result<Vec<QuotaCharge>, Status> {
    let quotas_rt = api::resolve("resourcequotas").expect("resourcequotas are served");
    let prefix = api::storage_prefix(quotas_rt, Some(ns));
    let forbidden = |why: String| Status::forbidden(rt, name, &why);
    let mut interesting: Vec<&Value> = Vec::new();
    for q in cache.list_prefix(&prefix) {
        if !quota::matches(q, obj, rt.plural, rt.group) {
            continue;
        }
        let qname = str_at(q, &["metadata", "name"]).unwrap_or_default();
        let hard = quota::hard(q, "status");
        let tracked = quota::matching_resources(hard.keys(), rt.plural, rt.group);
        if rt.plural == "pods" && rt.group.is_empty() {
            quota::pod_constraints(&tracked, obj).map_err(|e| forbidden(format!("failed quota: {qname}: {e}")))?;
        }
        if !has_usage_stats(q, &tracked) {
            return Err(forbidden(format!("status unknown for quota: {qname}, resources: {}", tracked.join(","))));
        }
        interesting.push(q);
    }
    let delta = quota::usage(obj, rt.plural, rt.group, now);
    let zero = crate::sim::api::quantity::Quantity::from_millis(0);
    if interesting.is_empty() || delta.values().all(|q| q.cmp(&zero).is_eq()) {
        return Ok(Vec::new());
    }
    let mut charges = Vec::new();
    for q in interesting {
        let qname = str_at(q, &["metadata", "name"]).unwrap_or_default();
        let hard = quota::hard(q, "status");
        let used = quota::used(q);
        let hard_names: Vec<String> = hard.keys().cloned().collect();
        let requested = quota::mask(&delta, &hard_names);
        let new_usage = quota::add(&used, &requested);
        let requested_names: Vec<String> = requested.keys().cloned().collect();
        let over = quota::exceeded(&quota::mask(&new_usage, &requested_names), &hard);
        if !over.is_empty() {
            let show = |list: &Usage| quota::pretty(&quota::mask(list, &over));
            return Err(forbidden(format!(
                "exceeded quota: {qname}, requested: {}, used: {}, limited: {}",
                show(&requested),
                show(&used),
                show(&hard)
            )));
        }
        if new_usage == used {
            continue;
        }
        let mut charged = q.clone();
        if let Some(m) = charged.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        charged["status"]["used"] = quota::to_json(&new_usage);
        let key = api::storage_key(quotas_rt, Some(ns), qname);
        charges.push(QuotaCharge { key, revision: revision_of(q), quota: charged });
    }
    Ok(charges)
}

#[cfg(test)]
mod tests;
