//! Deployment status and its conditions (`progress.go`, `sync.go` `calculateStatus`): the counts, the
//! `Available` condition, and `Progressing` with its reasons: NewReplicaSetCreated, FoundNewReplicaSet,
//! ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused/Resumed.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::state::State;
use super::{max_unavailable, replicas};
use crate::sim::client::Action;
use crate::sim::controllers::objects::{self, i64_at};
use crate::sim::time::{Millis, parse_rfc3339};

const COUNTS: &[&str] = &["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"];

/// `HasProgressDeadline`: `progressDeadlineSeconds` (defaulted to 600) unless it is MaxInt32.
pub fn has_deadline(d: &Value) -> bool {
    i64_at(d, "/spec/progressDeadlineSeconds", 600) != i64::from(i32::MAX)
}

/// Sets a condition on the working Deployment (`SetDeploymentCondition`, with lastUpdateTime).
pub fn set(st: &mut State<'_>, ty: &str, status: &str, reason: &str, message: &str) {
    let mut conds = objects::conditions_of(&st.d);
    if objects::set_condition(&mut conds, ty, status, reason, message, st.now, true) {
        st.d["status"]["conditions"] = Value::Array(conds);
    }
}

fn count(status: &Value, f: &str) -> i64 {
    status.get(f).and_then(Value::as_i64).unwrap_or(0)
}

/// Whether two statuses differ (counts omitted on the wire count as 0).
pub fn status_differs(a: &Value, b: &Value) -> bool {
    let (sa, sb) = (a.get("status").cloned().unwrap_or(json!({})), b.get("status").cloned().unwrap_or(json!({})));
    COUNTS.iter().chain(&["observedGeneration", "collisionCount"]).any(|f| count(&sa, f) != count(&sb, f))
        || sa.get("conditions").cloned().unwrap_or(json!([])) != sb.get("conditions").cloned().unwrap_or(json!([]))
}

/// `calculateStatus`: counts from the ReplicaSets and the Available condition.
fn calculate(st: &State<'_>) -> Value {
    let all = st.all();
    let available = st.sum_status(&all, "availableReplicas");
    let total = st.sum_replicas(&all);
    let mut status = json!({"observedGeneration": objects::generation(&st.d)});
    let counts = [
        ("replicas", st.sum_status(&all, "replicas")),
        ("updatedReplicas", st.new_rs.map_or(0, |i| st.sum_status(&[i], "replicas"))),
        ("readyReplicas", st.sum_status(&all, "readyReplicas")),
        ("availableReplicas", available),
        ("unavailableReplicas", (total - available).max(0)),
    ];
    for (f, n) in counts {
        if n != 0 {
            status[f] = json!(n);
        }
    }
    if let Some(c) = st.d.at("/status/collisionCount") {
        status["collisionCount"] = c.clone();
    }
    let mut conds = objects::conditions_of(&st.d);
    if available >= replicas(&st.d) - max_unavailable(&st.d) {
        objects::set_condition(
            &mut conds,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            st.now,
            true,
        );
    } else {
        objects::set_condition(
            &mut conds,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            st.now,
            true,
        );
    }
    status["conditions"] = Value::Array(conds);
    status
}

/// `syncDeploymentStatus`: the scaling path's status (no progress estimate).
pub fn sync_status(st: &mut State<'_>) {
    let status = calculate(st);
    st.d["status"] = status;
}

/// `DeploymentComplete`: every desired replica updated and available, nothing old left.
pub fn complete(d: &Value, status: &Value) -> bool {
    let n = replicas(d);
    count(status, "updatedReplicas") == n
        && count(status, "replicas") == n
        && count(status, "availableReplicas") == n
        && count(status, "observedGeneration") >= objects::generation(d)
}

/// `DeploymentProgressing`: more updated, ready or available pods, or fewer old ones, than before.
fn progressing(old: &Value, new: &Value) -> bool {
    let old_olds = count(old, "replicas") - count(old, "updatedReplicas");
    let new_olds = count(new, "replicas") - count(new, "updatedReplicas");
    count(new, "updatedReplicas") > count(old, "updatedReplicas")
        || new_olds < old_olds
        || count(new, "readyReplicas") > count(old, "readyReplicas")
        || count(new, "availableReplicas") > count(old, "availableReplicas")
}

fn cond_in<'a>(status: &'a Value, ty: &str) -> Option<&'a Value> {
    status.get("conditions")?.as_array()?.iter().find(|c| c.get("type").and_then(Value::as_str) == Some(ty))
}

fn reason_of(c: Option<&Value>) -> &str {
    c.and_then(|c| c.get("reason")).and_then(Value::as_str).unwrap_or("")
}

fn deadline_ms(d: &Value) -> Millis {
    i64_at(d, "/spec/progressDeadlineSeconds", 600).max(0) as Millis * 1000
}

fn last_update(c: &Value) -> Millis {
    c.get("lastUpdateTime").and_then(Value::as_str).and_then(parse_rfc3339).unwrap_or(0)
}

/// `syncRolloutStatus`: status plus the Progressing estimate; requeues a stuck rollout for the moment
/// its deadline passes.
pub fn sync_rollout_status(st: &mut State<'_>) {
    let mut status = calculate(st);
    let mut conds: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    let deadline = has_deadline(&st.d);
    if !deadline {
        objects::remove_condition(&mut conds, "Progressing");
    }
    let current = objects::condition(&st.d, "Progressing").cloned();
    let is_complete = count(&status, "replicas") == count(&status, "updatedReplicas")
        && reason_of(current.as_ref()) == "NewReplicaSetAvailable";
    let rs_name = st.new_rs.map(|i| objects::name(&st.rss[i]).to_string());
    let subject = match &rs_name {
        Some(n) => format!("ReplicaSet {n:?}"),
        None => format!("Deployment {:?}", objects::name(&st.d)),
    };
    let old_status = st.d.get("status").cloned().unwrap_or(json!({}));
    status["conditions"] = Value::Array(conds.clone());
    if deadline && !is_complete {
        if complete(&st.d, &status) {
            objects::set_condition(
                &mut conds,
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                &format!("{subject} has successfully progressed."),
                st.now,
                true,
            );
        } else if progressing(&old_status, &status) {
            // Progress refreshes lastUpdateTime even with the same reason; the transition time stays.
            let keep = current
                .as_ref()
                .filter(|c| c.get("status").and_then(Value::as_str) == Some("True"))
                .and_then(|c| c.get("lastTransitionTime").cloned());
            objects::remove_condition(&mut conds, "Progressing");
            objects::set_condition(
                &mut conds,
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                &format!("{subject} is progressing."),
                st.now,
                true,
            );
            if let (Some(t), Some(c)) = (keep, conds.last_mut()) {
                c["lastTransitionTime"] = t;
            }
        } else if timed_out(&st.d, cond_in(&status, "Progressing"), st.now) {
            objects::set_condition(
                &mut conds,
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                &format!("{subject} has timed out progressing."),
                st.now,
                true,
            );
        }
    }
    replica_failures(st, &mut conds);
    status["conditions"] = Value::Array(conds);
    st.d["status"] = status;
    if let Some(after) = stuck_requeue(st) {
        st.post.push(Action::Requeue { key: objects::key_of(st.orig), after });
    }
}

/// `DeploymentTimedOut`.
fn timed_out(d: &Value, cond: Option<&Value>, now: Millis) -> bool {
    let Some(c) = cond else { return false };
    match reason_of(Some(c)) {
        "NewReplicaSetAvailable" => false,
        "ProgressDeadlineExceeded" => true,
        _ => last_update(c) + deadline_ms(d) < now,
    }
}

/// ReplicaSet `ReplicaFailure` conditions surface on the Deployment (the new ReplicaSet's first).
fn replica_failures(st: &State<'_>, conds: &mut Vec<Value>) {
    let order: Vec<usize> = st.new_rs.into_iter().chain(st.olds()).collect();
    let failure = order.into_iter().find_map(|i| objects::condition(&st.rss[i], "ReplicaFailure").cloned());
    match failure {
        Some(f) => {
            let s = f.get("status").and_then(Value::as_str).unwrap_or("True");
            let t = f.get("lastTransitionTime").and_then(Value::as_str).and_then(parse_rfc3339).unwrap_or(st.now);
            objects::set_condition(
                conds,
                "ReplicaFailure",
                s,
                reason_of(Some(&f)),
                objects::str_at(&f, "/message"),
                t,
                true,
            );
        }
        None => {
            objects::remove_condition(conds, "ReplicaFailure");
        }
    }
}

/// `requeueStuckDeployment`: when to look again so the deadline is noticed (None: no need).
fn stuck_requeue(st: &State<'_>) -> Option<Millis> {
    let current = objects::condition(st.orig, "Progressing")?;
    if !has_deadline(&st.d)
        || complete(&st.d, &st.d["status"])
        || reason_of(Some(current)) == "ProgressDeadlineExceeded"
    {
        return None;
    }
    let due = last_update(current) + deadline_ms(&st.d);
    // Add a second to avoid milliseconds skew, as upstream does.
    Some(if due <= st.now + 1000 { 1000 } else { due - st.now + 1000 })
}

/// `checkPausedConditions`: a paused rollout is not timed out; resuming restarts the clock.
pub fn check_paused(st: &mut State<'_>) {
    if !has_deadline(&st.d) {
        return;
    }
    let reason = reason_of(objects::condition(&st.d, "Progressing")).to_string();
    if reason == "ProgressDeadlineExceeded" {
        return;
    }
    let paused = st.d.at("/spec/paused").and_then(Value::as_bool) == Some(true);
    if paused && reason != "DeploymentPaused" {
        set(st, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused");
    } else if !paused && reason == "DeploymentPaused" {
        set(st, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed");
    }
}
