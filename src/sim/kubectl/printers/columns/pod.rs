//! The Pod row: READY, the STATUS reason (Init:0/1, CrashLoopBackOff, Completed, Terminating, ...)
//! and RESTARTS with the time of the last restart, following `printPod` in printers.go.

use serde_json::Value;

use super::super::age;
use super::super::fields::{arr_at, at, bool_at, i64_at, obj_at, str_at};
use super::RowCtx;
use crate::sim::time::parse_rfc3339;

/// Wide columns: IP, NODE, NOMINATED NODE, READINESS GATES.
pub fn row(pod: &Value, ctx: &RowCtx) -> Vec<String> {
    let summary = summarize(pod);
    let restarts = match summary.last_restart {
        Some(ms) if summary.restarts != 0 => {
            format!("{} ({} ago)", summary.restarts, age::human_duration_signed(ctx.now as i64 - ms as i64))
        }
        _ => summary.restarts.to_string(),
    };
    let ip = arr_at(pod, &["status", "podIPs"])
        .first()
        .map(|ip| str_at(ip, &["ip"]))
        .filter(|s| !s.is_empty())
        .unwrap_or("<none>");
    vec![
        str_at(pod, &["metadata", "name"]).to_string(),
        format!("{}/{}", summary.ready, summary.total),
        summary.reason,
        restarts,
        ctx.age(pod),
        ip.to_string(),
        or_none(str_at(pod, &["spec", "nodeName"])),
        or_none(str_at(pod, &["status", "nominatedNodeName"])),
        readiness_gates(pod),
    ]
}

fn or_none(s: &str) -> String {
    if s.is_empty() { "<none>".to_string() } else { s.to_string() }
}

/// What `printPod` derives from the container statuses.
#[derive(Debug, Clone, PartialEq)]
pub struct PodSummary {
    /// Ready containers (including started restartable init containers).
    pub ready: i64,
    /// Containers counted in READY's denominator.
    pub total: usize,
    /// The STATUS column.
    pub reason: String,
    /// Restarts that RESTARTS shows.
    pub restarts: i64,
    /// When the most recent of those restarts ended, if known.
    pub last_restart: Option<u64>,
}

/// Computes READY, STATUS and RESTARTS the way the apiserver's table convertor does.
pub fn summarize(pod: &Value) -> PodSummary {
    let init_specs = arr_at(pod, &["spec", "initContainers"]);
    let is_sidecar = |name: &str| {
        init_specs.iter().any(|c| str_at(c, &["name"]) == name && str_at(c, &["restartPolicy"]) == "Always")
    };
    let mut total = arr_at(pod, &["spec", "containers"]).len();
    total += init_specs.iter().filter(|c| str_at(c, &["restartPolicy"]) == "Always").count();

    let phase = str_at(pod, &["status", "phase"]);
    let mut reason = phase.to_string();
    let status_reason = str_at(pod, &["status", "reason"]);
    if !status_reason.is_empty() {
        reason = status_reason.to_string();
    }
    for c in arr_at(pod, &["status", "conditions"]) {
        if str_at(c, &["type"]) == "PodScheduled" && str_at(c, &["reason"]) == "SchedulingGated" {
            reason = "SchedulingGated".to_string();
        }
    }

    let mut ready = 0;
    let mut restarts = 0;
    let mut sidecar_restarts = 0;
    let mut last_restart: Option<u64> = None;
    let mut last_sidecar_restart: Option<u64> = None;
    let mut initializing = false;
    let init_statuses = arr_at(pod, &["status", "initContainerStatuses"]);
    for (i, c) in init_statuses.iter().enumerate() {
        restarts += i64_at(c, &["restartCount"]);
        let finished = last_termination(c);
        last_restart = later(last_restart, finished);
        let sidecar = is_sidecar(str_at(c, &["name"]));
        if sidecar {
            sidecar_restarts += i64_at(c, &["restartCount"]);
            last_sidecar_restart = later(last_sidecar_restart, finished);
        }
        let terminated = obj_at(c, &["state", "terminated"]).map(|_| &c["state"]["terminated"]);
        let waiting = obj_at(c, &["state", "waiting"]).map(|_| &c["state"]["waiting"]);
        if terminated.is_some_and(|t| i64_at(t, &["exitCode"]) == 0) {
            continue;
        }
        if sidecar && bool_at(c, &["started"]) {
            if bool_at(c, &["ready"]) {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            let r = str_at(t, &["reason"]);
            reason = if !r.is_empty() {
                format!("Init:{r}")
            } else if i64_at(t, &["signal"]) != 0 {
                format!("Init:Signal:{}", i64_at(t, &["signal"]))
            } else {
                format!("Init:ExitCode:{}", i64_at(t, &["exitCode"]))
            };
        } else if let Some(w) =
            waiting.filter(|w| !str_at(w, &["reason"]).is_empty() && str_at(w, &["reason"]) != "PodInitializing")
        {
            reason = format!("Init:{}", str_at(w, &["reason"]));
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    let initialized = arr_at(pod, &["status", "conditions"])
        .iter()
        .any(|c| str_at(c, &["type"]) == "Initialized" && str_at(c, &["status"]) == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for c in arr_at(pod, &["status", "containerStatuses"]).iter().rev() {
            restarts += i64_at(c, &["restartCount"]);
            last_restart = later(last_restart, last_termination(c));
            let waiting_reason = at(c, &["state", "waiting"]).filter(|w| w.is_object()).map(|w| str_at(w, &["reason"]));
            let terminated = at(c, &["state", "terminated"]).filter(|t| t.is_object());
            if let Some(r) = waiting_reason.filter(|r| !r.is_empty()) {
                reason = r.to_string();
            } else if let Some(t) = terminated {
                let r = str_at(t, &["reason"]);
                reason = if !r.is_empty() {
                    r.to_string()
                } else if i64_at(t, &["signal"]) != 0 {
                    format!("Signal:{}", i64_at(t, &["signal"]))
                } else {
                    format!("ExitCode:{}", i64_at(t, &["exitCode"]))
                };
            } else if bool_at(c, &["ready"]) && at(c, &["state", "running"]).is_some_and(Value::is_object) {
                has_running = true;
                ready += 1;
            }
        }
        // A pod whose last container completed but another still runs shows as Running/NotReady.
        if reason == "Completed" && has_running {
            let pod_ready = arr_at(pod, &["status", "conditions"])
                .iter()
                .any(|c| str_at(c, &["type"]) == "Ready" && str_at(c, &["status"]) == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_string();
        }
    }

    let deleting = at(pod, &["metadata", "deletionTimestamp"]).is_some_and(|d| !d.is_null());
    if deleting && status_reason == "NodeLost" {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Failed" && phase != "Succeeded" {
        reason = "Terminating".to_string();
    }

    PodSummary { ready, total, reason, restarts, last_restart }
}

/// `lastState.terminated.finishedAt` of a container status, when it parses.
fn last_termination(status: &Value) -> Option<u64> {
    at(status, &["lastState", "terminated"])
        .filter(|t| t.is_object())
        .and_then(|t| parse_rfc3339(str_at(t, &["finishedAt"])))
}

fn later(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// READINESS GATES: `<none>` or `true-conditions/gates`.
fn readiness_gates(pod: &Value) -> String {
    let gates = arr_at(pod, &["spec", "readinessGates"]);
    if gates.is_empty() {
        return "<none>".to_string();
    }
    let conditions = arr_at(pod, &["status", "conditions"]);
    let true_count = gates
        .iter()
        .filter(|g| {
            let t = str_at(g, &["conditionType"]);
            conditions.iter().find(|c| str_at(c, &["type"]) == t).is_some_and(|c| str_at(c, &["status"]) == "True")
        })
        .count();
    format!("{true_count}/{}", gates.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(status: Value) -> Value {
        json!({"metadata": {"name": "p", "creationTimestamp": "2025-01-01T00:00:00Z"},
               "spec": {"containers": [{"name": "app"}], "initContainers": []},
               "status": status})
    }

    fn status_of(p: &Value) -> (String, String, i64) {
        let s = summarize(p);
        (format!("{}/{}", s.ready, s.total), s.reason, s.restarts)
    }

    #[test]
    fn running_ready_pod() {
        let p = pod(json!({"phase": "Running", "containerStatuses": [
            {"name": "app", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": "2025-01-01T00:00:01Z"}}}]}));
        assert_eq!(status_of(&p), ("1/1".into(), "Running".into(), 0));
    }

    #[test]
    fn waiting_reasons_replace_the_phase() {
        for reason in ["ContainerCreating", "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff"] {
            let p = pod(json!({"phase": "Pending", "containerStatuses": [
                {"name": "app", "ready": false, "restartCount": 2, "state": {"waiting": {"reason": reason}}}]}));
            assert_eq!(status_of(&p), ("0/1".into(), reason.into(), 2));
        }
    }

    #[test]
    fn terminated_containers_show_reason_signal_or_exit_code() {
        let cases = [
            (json!({"reason": "Completed", "exitCode": 0}), "Completed"),
            (json!({"reason": "OOMKilled", "exitCode": 137}), "OOMKilled"),
            (json!({"signal": 9, "exitCode": 137}), "Signal:9"),
            (json!({"exitCode": 3}), "ExitCode:3"),
        ];
        for (term, want) in cases {
            let p = pod(json!({"phase": "Running", "containerStatuses": [
                {"name": "app", "state": {"terminated": term}}]}));
            assert_eq!(summarize(&p).reason, want);
        }
    }

    #[test]
    fn init_containers_report_progress_and_failures() {
        let mut p = pod(json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "init-a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
            {"name": "init-b", "state": {"running": {}}}],
            "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}]}));
        p["spec"]["initContainers"] = json!([{"name": "init-a"}, {"name": "init-b"}]);
        assert_eq!(status_of(&p), ("0/1".into(), "Init:1/2".into(), 0));

        p["status"]["initContainerStatuses"][1]["state"] = json!({"waiting": {"reason": "CrashLoopBackOff"}});
        assert_eq!(summarize(&p).reason, "Init:CrashLoopBackOff");
        p["status"]["initContainerStatuses"][1]["state"] = json!({"terminated": {"exitCode": 1, "reason": "Error"}});
        assert_eq!(summarize(&p).reason, "Init:Error");
        p["status"]["initContainerStatuses"][1]["state"] = json!({"terminated": {"exitCode": 2}});
        assert_eq!(summarize(&p).reason, "Init:ExitCode:2");
    }

    #[test]
    fn sidecar_init_containers_count_towards_ready() {
        let mut p = pod(json!({"phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}],
            "initContainerStatuses": [{"name": "proxy", "started": true, "ready": true, "restartCount": 1,
                "state": {"running": {}}}],
            "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}}]}));
        p["spec"]["initContainers"] = json!([{"name": "proxy", "restartPolicy": "Always"}]);
        assert_eq!(status_of(&p), ("2/2".into(), "Running".into(), 1));
    }

    #[test]
    fn terminating_and_node_lost() {
        let mut p = pod(json!({"phase": "Running", "containerStatuses": [
            {"name": "app", "ready": true, "state": {"running": {}}}]}));
        p["metadata"]["deletionTimestamp"] = json!("2025-01-01T00:01:00Z");
        assert_eq!(summarize(&p).reason, "Terminating");
        p["status"]["reason"] = json!("NodeLost");
        assert_eq!(summarize(&p).reason, "Unknown");
        p["status"]["reason"] = json!(null);
        p["status"]["phase"] = json!("Succeeded");
        assert_eq!(summarize(&p).reason, "Succeeded");
    }

    #[test]
    fn completed_with_a_running_sibling_is_not_ready() {
        let p = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "a", "ready": true, "state": {"running": {}}},
                {"name": "b", "state": {"terminated": {"reason": "Completed"}}}]}});
        assert_eq!(summarize(&p).reason, "NotReady");
    }

    #[test]
    fn restarts_show_time_since_last_restart() {
        let p = pod(json!({"phase": "Running", "containerStatuses": [{"name": "app", "ready": true,
            "restartCount": 3, "state": {"running": {}},
            "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2025-01-01T00:08:00Z"}}}]}));
        let ctx = RowCtx { now: 10 * 60_000 };
        let cells = row(&p, &ctx);
        assert_eq!(cells[..5], ["p", "1/1", "Running", "3 (2m ago)", "10m"]);
        assert_eq!(cells[5..], ["<none>", "<none>", "<none>", "<none>"]);
    }

    #[test]
    fn garbage_pods_do_not_panic() {
        for v in [
            json!(null),
            json!([]),
            json!({"status": "x"}),
            json!({"status": {"containerStatuses": [1, "a", null]}}),
            json!({"status": {"initContainerStatuses": [{"state": {"terminated": "x"}}]}}),
        ] {
            let s = summarize(&v);
            assert!(s.total == 0 && s.ready == 0, "{v}");
            let _ = row(&v, &RowCtx { now: 0 });
        }
    }

    #[test]
    fn readiness_gates_count_true_conditions() {
        let p = json!({"spec": {"readinessGates": [{"conditionType": "a"}, {"conditionType": "b"}]},
            "status": {"conditions": [{"type": "a", "status": "True"}, {"type": "b", "status": "False"}]}});
        assert_eq!(readiness_gates(&p), "1/2");
    }
}
