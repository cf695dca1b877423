//! Pod predicates the workload controllers share (`pkg/api/v1/pod`, `pkg/controller/controller_utils.go`):
//! active, ready, available, the scale-down ranking, and building a pod from a template.

use crate::sim::api::pointer::Pointer;
use std::cmp::Ordering;

use serde_json::{Value, json};

use super::objects::{self, str_at};
use crate::sim::time::{Millis, parse_rfc3339};

// The predicates the client library's informers count by live in `api::podutil`.
pub use crate::sim::api::podutil::{is_active, is_ready, node_name, phase};

/// When the pod last became ready (the Ready condition's `lastTransitionTime`).
pub fn ready_since(pod: &Value) -> Option<Millis> {
    objects::condition(pod, "Ready")
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
}

/// `podutil.IsPodAvailable`: ready for at least `minReadySeconds`.
pub fn is_available(pod: &Value, min_ready_seconds: i64, now: Millis) -> bool {
    if !is_ready(pod) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    ready_since(pod).is_some_and(|t| t + (min_ready_seconds as u64) * 1000 <= now)
}

/// When a ready pod becomes available, if it is not yet (for requeueing after `minReadySeconds`).
pub fn available_at(pod: &Value, min_ready_seconds: i64) -> Option<Millis> {
    if !is_ready(pod) || min_ready_seconds <= 0 {
        return None;
    }
    ready_since(pod).map(|t| t + (min_ready_seconds as u64) * 1000)
}

fn phase_ordinal(pod: &Value) -> u8 {
    match phase(pod) {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    }
}

fn max_restarts(pod: &Value) -> i64 {
    pod.at("/status/containerStatuses")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|c| objects::i64_at(c, "/restartCount", 0)).max().unwrap_or(0))
        .unwrap_or(0)
}

fn deletion_cost(pod: &Value) -> i64 {
    objects::annotation(pod, "controller.kubernetes.io/pod-deletion-cost").and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// `logarithmicRankDiff`: compares ages on a log2 scale of nanoseconds, so pods of roughly the same age
/// count as equal and scale-down spreads over them (LogarithmicScaleDown, GA since 1.31).
fn log_rank_diff(t1: Millis, t2: Millis, now: Millis) -> i64 {
    let rank = |t: Millis| if now > t { ((now - t) as f64 * 1e6).log2() as i64 } else { -1 };
    rank(t1) - rank(t2)
}

/// Newer first on the log scale, then uid; `None` when the times are equal.
fn newer_first(a: (Option<Millis>, &str), b: (Option<Millis>, &str), now: Millis) -> Option<Ordering> {
    if a.0 == b.0 {
        return None;
    }
    match (a.0, b.0) {
        // afterOrZero: an empty time sorts first.
        (None, _) => Some(Ordering::Less),
        (_, None) => Some(Ordering::Greater),
        (Some(x), Some(y)) => {
            let d = log_rank_diff(x, y, now);
            Some(if d == 0 {
                a.1.cmp(b.1)
            } else if d < 0 {
                Ordering::Less
            } else {
                Ordering::Greater
            })
        }
    }
}

/// `controller.ActivePodsWithRanks.Less`: the order in which a ReplicaSet deletes pods on scale-down,
/// first to delete first. `rank_*` is how many related pods share the pod's node.
pub fn deletion_order(a: &Value, rank_a: usize, b: &Value, rank_b: usize, now: Millis) -> Ordering {
    // 1. Unassigned < assigned.
    let (na, nb) = (node_name(a), node_name(b));
    if na != nb && (na.is_empty() || nb.is_empty()) {
        return if na.is_empty() { Ordering::Less } else { Ordering::Greater };
    }
    // 2. Pending < Unknown < Running.
    let (pa, pb) = (phase_ordinal(a), phase_ordinal(b));
    if pa != pb {
        return pa.cmp(&pb);
    }
    // 3. Not ready < ready.
    let (ra, rb) = (is_ready(a), is_ready(b));
    if ra != rb {
        return if !ra { Ordering::Less } else { Ordering::Greater };
    }
    // 4. Lower pod-deletion-cost < higher.
    let (ca, cb) = (deletion_cost(a), deletion_cost(b));
    if ca != cb {
        return ca.cmp(&cb);
    }
    // 5. Doubled up (more related pods on the node) < not.
    if rank_a != rank_b {
        return rank_b.cmp(&rank_a);
    }
    // 6. Ready for less time < more time.
    if ra
        && rb
        && let Some(o) = newer_first((ready_since(a), objects::uid(a)), (ready_since(b), objects::uid(b)), now)
    {
        return o;
    }
    // 7. More restarts < fewer.
    let (xa, xb) = (max_restarts(a), max_restarts(b));
    if xa != xb {
        return xb.cmp(&xa);
    }
    // 8. Newer < older.
    let created = |p: &Value| parse_rfc3339(str_at(p, "/metadata/creationTimestamp"));
    newer_first((created(a), objects::uid(a)), (created(b), objects::uid(b)), now).unwrap_or(Ordering::Equal)
}

/// `controller.GetPodFromTemplate`: a pod for `template`, named `<prefix>` + a suffix the apiserver
/// generates, carrying the template's labels, annotations and finalizers and the controller reference.
pub fn from_template(template: &Value, generate_name: &str, controller_ref: Value) -> Value {
    let meta = template.get("metadata");
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"generateName": generate_name},
        "spec": template.get("spec").cloned().unwrap_or(json!({})),
    });
    for field in ["labels", "annotations", "finalizers"] {
        if let Some(v) = meta.and_then(|m| m.get(field)).filter(|v| !v.is_null()) {
            pod["metadata"][field] = v.clone();
        }
    }
    pod["metadata"]["ownerReferences"] = json!([controller_ref]);
    pod
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::time::rfc3339;

    fn pod(name: &str, node: &str, phase: &str, ready_at: Option<Millis>, created: Millis) -> Value {
        let mut p = json!({"metadata": {"name": name, "uid": name, "creationTimestamp": rfc3339(created)}, "spec": {"nodeName": node}, "status": {"phase": phase}});
        if let Some(t) = ready_at {
            p["status"]["conditions"] = json!([{"type": "Ready", "status": "True", "lastTransitionTime": rfc3339(t)}]);
        }
        p
    }

    #[test]
    fn deletion_order_follows_active_pods_with_ranks() {
        let now = 10_000_000;
        let cases = [
            (pod("a", "", "Pending", None, 0), pod("b", "n1", "Pending", None, 0), Ordering::Less, "unscheduled first"),
            (
                pod("a", "n1", "Pending", None, 0),
                pod("b", "n1", "Running", None, 0),
                Ordering::Less,
                "pending before running",
            ),
            (
                pod("a", "n1", "Running", None, 0),
                pod("b", "n1", "Running", Some(0), 0),
                Ordering::Less,
                "not ready before ready",
            ),
            (
                pod("a", "n1", "Running", Some(9_000_000), 0),
                pod("b", "n1", "Running", Some(1_000), 0),
                Ordering::Less,
                "ready for less time first",
            ),
            (
                pod("a", "n1", "Running", None, 9_000_000),
                pod("b", "n1", "Running", None, 1_000),
                Ordering::Less,
                "newer first",
            ),
        ];
        for (a, b, want, why) in cases {
            assert_eq!(deletion_order(&a, 0, &b, 0, now), want, "{why}");
            assert_eq!(deletion_order(&b, 0, &a, 0, now), want.reverse(), "{why} (reversed)");
        }
        let a = pod("a", "n1", "Running", None, 0);
        let b = pod("b", "n2", "Running", None, 0);
        assert_eq!(deletion_order(&a, 3, &b, 1, now), Ordering::Less, "doubled-up pods go first");
        let mut costly = a.clone();
        costly["metadata"]["annotations"] = json!({"controller.kubernetes.io/pod-deletion-cost": "100"});
        assert_eq!(deletion_order(&costly, 0, &b, 0, now), Ordering::Greater, "higher deletion cost goes last");
    }

    #[test]
    fn availability_needs_min_ready_seconds() {
        let p = pod("a", "n", "Running", Some(1000), 0);
        assert!(is_available(&p, 0, 1000));
        assert!(!is_available(&p, 5, 5999));
        assert!(is_available(&p, 5, 6000));
        assert_eq!(available_at(&p, 5), Some(6000));
        assert!(!is_available(&pod("b", "n", "Running", None, 0), 0, 1000));
    }

    #[test]
    fn active_excludes_finished_and_deleting() {
        assert!(is_active(&pod("a", "n", "Running", None, 0)));
        assert!(!is_active(&pod("a", "n", "Succeeded", None, 0)));
        let mut d = pod("a", "n", "Running", None, 0);
        d["metadata"]["deletionTimestamp"] = json!(rfc3339(5));
        assert!(!is_active(&d));
    }

    #[test]
    fn pod_from_template_copies_metadata_and_sets_owner() {
        let t = json!({"metadata": {"labels": {"app": "web"}, "annotations": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}});
        let p = from_template(&t, "web-abc-", json!({"uid": "u", "controller": true}));
        assert_eq!(p["metadata"]["generateName"], "web-abc-");
        assert_eq!(p["metadata"]["labels"]["app"], "web");
        assert_eq!(p["metadata"]["annotations"]["a"], "b");
        assert_eq!(p["metadata"]["ownerReferences"][0]["uid"], "u");
        assert_eq!(p["spec"]["containers"][0]["name"], "c");
    }
}
