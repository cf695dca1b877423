//! The pods/eviction subresource's PodDisruptionBudget check (`pkg/registry/core/pod/storage/eviction.go`):
//! an eviction that would take a budget below what it allows is refused `429 TooManyRequests`, and a
//! pod covered by two budgets `500`; otherwise the eviction deletes the pod as a DELETE would. kubectl
//! drain sends the eviction and retries a 429 every five seconds.
//!
//! Simplified: no disruption controller keeps `status.disruptionsAllowed`; the budget is computed here
//! from the pods as the watch cache holds them, and the expected pod count is the number of matching
//! pods that are not terminating or finished, rather than the owning controllers' `spec.replicas`.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use crate::sim::api::{self, selector};
use crate::sim::apiserver::cache::WatchCache;
use crate::sim::protocol::status::{Reason, Status};

/// The eviction subresource's answer for `pod`: Ok when it may go, or the Status that refuses it.
pub fn check(pod: &Value, cache: &WatchCache) -> Result<(), Status> {
    let ns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default");
    let (Some(pdbs), Some(pods)) = (api::resolve("poddisruptionbudgets"), api::resolve("pods")) else { return Ok(()) };
    let budgets: Vec<Value> = cache.list_prefix(&api::storage_prefix(pdbs, Some(ns))).cloned().collect();
    if budgets.is_empty() {
        return Ok(());
    }
    let neighbours: Vec<Value> = cache.list_prefix(&api::storage_prefix(pods, Some(ns))).cloned().collect();
    match refusal(pod, &budgets, &neighbours) {
        None => Ok(()),
        Some(VIOLATION) => Err(Status::new(429, Reason::TooManyRequests, VIOLATION)),
        Some(other) => Err(Status::internal(other)),
    }
}

/// The eviction API's refusal (429 TooManyRequests) when a budget has no disruption left.
pub const VIOLATION: &str = "Cannot evict pod as it would violate the pod's disruption budget.";
/// The eviction API's answer (500) when several budgets select the pod.
pub const MANY: &str =
    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.";

fn ready(pod: &Value) -> bool {
    pod.at("/status/conditions").and_then(Value::as_array).is_some_and(|cs| {
        cs.iter().any(|c| {
            c.get("type").and_then(Value::as_str) == Some("Ready")
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
    })
}

fn deleting(pod: &Value) -> bool {
    pod.at("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null())
}

fn phase(pod: &Value) -> &str {
    pod.at("/status/phase").and_then(Value::as_str).unwrap_or_default()
}

/// `intstr.GetScaledValueFromIntOrPercent`: an int, or a percentage of `total` rounded up.
fn scaled(v: &Value, total: i64) -> Option<i64> {
    if let Some(n) = v.as_i64() {
        return Some(n);
    }
    let pct: i64 = v.as_str()?.strip_suffix('%')?.parse().ok()?;
    Some((pct * total + 99) / 100)
}

/// Why the pod may not be evicted now, or `None` if it may. `pdbs` are the budgets of the pod's
/// namespace, `pods` the pods of that namespace (the pod itself included).
pub fn refusal(pod: &Value, pdbs: &[Value], pods: &[Value]) -> Option<&'static str> {
    // `canIgnorePDB`: finished or not-yet-running pods are deleted without consulting budgets.
    if matches!(phase(pod), "Succeeded" | "Failed" | "Pending") || deleting(pod) {
        return None;
    }
    let matching: Vec<&Value> = pdbs.iter().filter(|b| selector::selects(b.at("/spec/selector"), pod)).collect();
    let pdb = match matching.as_slice() {
        [] => return None,
        [one] => *one,
        _ => return Some(MANY),
    };
    let sel = pdb.at("/spec/selector");
    let covered: Vec<&Value> = pods
        .iter()
        .filter(|p| selector::selects(sel, p))
        .filter(|p| !deleting(p) && !matches!(phase(p), "Succeeded" | "Failed"))
        .collect();
    let expected = covered.len() as i64;
    let healthy = covered.iter().filter(|p| ready(p)).count() as i64;
    let desired = if let Some(min) = pdb.at("/spec/minAvailable") {
        scaled(min, expected).unwrap_or(0)
    } else if let Some(max) = pdb.at("/spec/maxUnavailable") {
        expected - scaled(max, expected).unwrap_or(0)
    } else {
        0
    };
    let allowed = (healthy - desired).max(0);
    // An unready pod may go while the budget is met (`IfHealthyBudget`); a ready one needs a spare disruption.
    let ok = if ready(pod) { allowed > 0 } else { healthy >= desired };
    (!ok).then_some(VIOLATION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, ready: bool) -> Value {
        json!({"metadata": {"name": name, "labels": {"app": "web"}}, "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}})
    }

    fn pdb(spec: Value) -> Value {
        let mut s = spec;
        s["selector"] = json!({"matchLabels": {"app": "web"}});
        json!({"spec": s})
    }

    #[test]
    fn budgets_allow_or_refuse() {
        let pods = vec![pod("a", true), pod("b", true), pod("c", true)];
        let cases = [
            (json!({"minAvailable": 2}), None),
            (json!({"minAvailable": 3}), Some(VIOLATION)),
            (json!({"maxUnavailable": 0}), Some(VIOLATION)),
            (json!({"maxUnavailable": 1}), None),
            (json!({"minAvailable": "100%"}), Some(VIOLATION)),
            (json!({"minAvailable": "50%"}), None),
        ];
        for (spec, want) in cases {
            assert_eq!(refusal(&pods[0], &[pdb(spec.clone())], &pods), want, "{spec}");
        }
    }

    #[test]
    fn terminating_pods_no_longer_count_and_pending_pods_ignore_budgets() {
        let mut gone = pod("b", true);
        gone["metadata"]["deletionTimestamp"] = json!("2025-01-01T00:00:00Z");
        let pods = vec![pod("a", true), gone, pod("c", true)];
        assert_eq!(refusal(&pods[0], &[pdb(json!({"minAvailable": 2}))], &pods), Some(VIOLATION));
        let mut pending = pod("d", false);
        pending["status"]["phase"] = json!("Pending");
        assert_eq!(refusal(&pending, &[pdb(json!({"minAvailable": 3}))], &pods), None);
    }

    #[test]
    fn unready_pod_goes_while_the_budget_holds() {
        let pods = vec![pod("a", false), pod("b", true), pod("c", true)];
        assert_eq!(refusal(&pods[0], &[pdb(json!({"minAvailable": 2}))], &pods), None);
        assert_eq!(refusal(&pods[0], &[pdb(json!({"minAvailable": 3}))], &pods), Some(VIOLATION));
    }

    #[test]
    fn two_budgets_are_an_error_and_none_means_free() {
        let pods = vec![pod("a", true)];
        assert_eq!(
            refusal(&pods[0], &[pdb(json!({"minAvailable": 0})), pdb(json!({"minAvailable": 0}))], &pods),
            Some(MANY)
        );
        assert_eq!(refusal(&pods[0], &[], &pods), None);
        let other = json!({"spec": {"selector": {"matchLabels": {"app": "db"}}, "minAvailable": 5}});
        assert_eq!(refusal(&pods[0], &[other], &pods), None);
    }
}
