//! Rows for workload controllers: Deployment, ReplicaSet, ReplicationController, StatefulSet,
//! DaemonSet, Job, CronJob, HorizontalPodAutoscaler, PodDisruptionBudget, ControllerRevision, PodTemplate.

use serde_json::Value;

use super::super::age;
use super::super::fields::{
    arr_at, at, format_label_selector, format_labels, i64_at, int_or_string, label_selector_string, opt_bool, opt_i64,
    opt_str, str_at, string_map,
};
use super::{RowCtx, containers};

fn name(obj: &Value) -> String {
    str_at(obj, &["metadata", "name"]).to_string()
}

const TEMPLATE_CONTAINERS: &[&str] = &["spec", "template", "spec", "containers"];

/// Deployment READY (`ready/desired`), UP-TO-DATE, AVAILABLE; wide CONTAINERS, IMAGES, SELECTOR.
pub fn deployment(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let (names, images) = containers(obj, TEMPLATE_CONTAINERS);
    // printDeployment prints the selector's String(), `<invalid>` when it cannot be converted.
    let selector = match at(obj, &["spec", "selector"]).filter(|s| s.is_object()) {
        Some(sel) => label_selector_string(sel).unwrap_or_else(|| "<invalid>".into()),
        None => String::new(),
    };
    vec![
        name(obj),
        format!("{}/{}", i64_at(obj, &["status", "readyReplicas"]), i64_at(obj, &["spec", "replicas"])),
        i64_at(obj, &["status", "updatedReplicas"]).to_string(),
        i64_at(obj, &["status", "availableReplicas"]).to_string(),
        ctx.age(obj),
        names,
        images,
        selector,
    ]
}

/// ReplicaSet DESIRED, CURRENT, READY; wide CONTAINERS, IMAGES, SELECTOR.
pub fn replica_set(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let (names, images) = containers(obj, TEMPLATE_CONTAINERS);
    vec![
        name(obj),
        i64_at(obj, &["spec", "replicas"]).to_string(),
        i64_at(obj, &["status", "replicas"]).to_string(),
        i64_at(obj, &["status", "readyReplicas"]).to_string(),
        ctx.age(obj),
        names,
        images,
        format_label_selector(at(obj, &["spec", "selector"])),
    ]
}

/// ReplicationController: like a ReplicaSet, but its selector is a plain map.
pub fn replication_controller(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let mut row = replica_set(obj, ctx);
    row[7] = format_labels(&string_map(obj, &["spec", "selector"]));
    row
}

/// StatefulSet READY (`ready/desired`); wide CONTAINERS, IMAGES.
pub fn stateful_set(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let (names, images) = containers(obj, TEMPLATE_CONTAINERS);
    vec![
        name(obj),
        format!("{}/{}", i64_at(obj, &["status", "readyReplicas"]), i64_at(obj, &["spec", "replicas"])),
        ctx.age(obj),
        names,
        images,
    ]
}

/// DaemonSet counts, NODE SELECTOR; wide CONTAINERS, IMAGES, SELECTOR.
pub fn daemon_set(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let (names, images) = containers(obj, TEMPLATE_CONTAINERS);
    let status = |k: &str| i64_at(obj, &["status", k]).to_string();
    vec![
        name(obj),
        status("desiredNumberScheduled"),
        status("currentNumberScheduled"),
        status("numberReady"),
        status("updatedNumberScheduled"),
        status("numberAvailable"),
        format_labels(&string_map(obj, &["spec", "template", "spec", "nodeSelector"])),
        ctx.age(obj),
        names,
        images,
        format_label_selector(at(obj, &["spec", "selector"])),
    ]
}

/// `hasJobCondition`: the first condition of that type decides.
fn job_condition(obj: &Value, kind: &str) -> bool {
    arr_at(obj, &["status", "conditions"])
        .iter()
        .find(|c| str_at(c, &["type"]) == kind)
        .is_some_and(|c| str_at(c, &["status"]) == "True")
}

/// The Job STATUS column (1.33): Complete, Failed, Terminating, Suspended, FailureTarget or Running.
pub fn job_status(obj: &Value) -> &'static str {
    if job_condition(obj, "Complete") {
        "Complete"
    } else if job_condition(obj, "Failed") {
        "Failed"
    } else if at(obj, &["metadata", "deletionTimestamp"]).is_some_and(|d| !d.is_null()) {
        "Terminating"
    } else if job_condition(obj, "Suspended") {
        "Suspended"
    } else if job_condition(obj, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

/// Job STATUS, COMPLETIONS (`1/1`, `0/1 of 3`), DURATION; wide CONTAINERS, IMAGES, SELECTOR.
pub fn job(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let succeeded = i64_at(obj, &["status", "succeeded"]);
    let completions = match opt_i64(obj, &["spec", "completions"]) {
        Some(c) => format!("{succeeded}/{c}"),
        None => match opt_i64(obj, &["spec", "parallelism"]).unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let start = opt_str(obj, &["status", "startTime"]);
    let duration = match (start, opt_str(obj, &["status", "completionTime"])) {
        (None, _) => String::new(),
        (Some(s), None) => ctx.since(Some(s)),
        (Some(s), Some(c)) => age::between(Some(s), Some(c)).unwrap_or_default(),
    };
    let (names, images) = containers(obj, TEMPLATE_CONTAINERS);
    vec![
        name(obj),
        job_status(obj).to_string(),
        completions,
        duration,
        ctx.age(obj),
        names,
        images,
        format_label_selector(at(obj, &["spec", "selector"])),
    ]
}

/// `printBoolPtr`: True, False or `<unset>`.
pub fn bool_ptr(v: Option<bool>) -> String {
    match v {
        Some(true) => "True".into(),
        Some(false) => "False".into(),
        None => "<unset>".into(),
    }
}

/// CronJob SCHEDULE, TIMEZONE, SUSPEND, ACTIVE, LAST SCHEDULE; wide CONTAINERS, IMAGES, SELECTOR.
pub fn cron_job(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let last = match opt_str(obj, &["status", "lastScheduleTime"]) {
        Some(ts) => ctx.since(Some(ts)),
        None => "<none>".into(),
    };
    let (names, images) = containers(obj, &["spec", "jobTemplate", "spec", "template", "spec", "containers"]);
    vec![
        name(obj),
        str_at(obj, &["spec", "schedule"]).to_string(),
        opt_str(obj, &["spec", "timeZone"]).unwrap_or("<none>").to_string(),
        bool_ptr(opt_bool(obj, &["spec", "suspend"])),
        arr_at(obj, &["status", "active"]).len().to_string(),
        last,
        ctx.age(obj),
        names,
        images,
        format_label_selector(at(obj, &["spec", "jobTemplate", "spec", "selector"])),
    ]
}

/// PodDisruptionBudget MIN AVAILABLE / MAX UNAVAILABLE (`N/A` when unset) and ALLOWED DISRUPTIONS.
pub fn pdb(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let field = |k: &str| match at(obj, &["spec", k]) {
        Some(v) if !v.is_null() => int_or_string(Some(v)),
        _ => "N/A".into(),
    };
    vec![
        name(obj),
        field("minAvailable"),
        field("maxUnavailable"),
        i64_at(obj, &["status", "disruptionsAllowed"]).to_string(),
        ctx.age(obj),
    ]
}

/// ControllerRevision CONTROLLER (`daemonset.apps/name`) and REVISION.
pub fn controller_revision(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let owner = arr_at(obj, &["metadata", "ownerReferences"])
        .iter()
        .find(|r| at(r, &["controller"]).and_then(Value::as_bool) == Some(true));
    let controller = match owner {
        Some(r) => {
            let api_version = str_at(r, &["apiVersion"]);
            let group = if api_version.contains('/') { api_version.split('/').next().unwrap_or("") } else { "" };
            let kind = str_at(r, &["kind"]);
            let gk = if group.is_empty() { kind.to_string() } else { format!("{kind}.{group}") };
            if gk.is_empty() {
                str_at(r, &["name"]).to_string()
            } else {
                format!("{}/{}", gk.to_lowercase(), str_at(r, &["name"]))
            }
        }
        None => "<none>".into(),
    };
    vec![name(obj), controller, i64_at(obj, &["revision"]).to_string(), ctx.age(obj)]
}

/// PodTemplate CONTAINERS, IMAGES, POD LABELS.
pub fn pod_template(obj: &Value, _ctx: &RowCtx) -> Vec<String> {
    let (names, images) = containers(obj, &["template", "spec", "containers"]);
    vec![name(obj), names, images, format_labels(&string_map(obj, &["template", "metadata", "labels"]))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CTX: RowCtx = RowCtx { now: 3_600_000 };

    fn web() -> Value {
        json!({"metadata": {"name": "web", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}, {"name": "side", "image": "busybox"}]}}},
            "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}})
    }

    #[test]
    fn deployment_and_replica_set_rows() {
        assert_eq!(
            deployment(&web(), &CTX),
            ["web", "2/3", "3", "2", "60m", "nginx,side", "nginx:1.27,busybox", "app=web"]
        );
        assert_eq!(
            replica_set(&web(), &CTX),
            ["web", "3", "3", "2", "60m", "nginx,side", "nginx:1.27,busybox", "app=web"]
        );
        assert_eq!(deployment(&json!({}), &CTX)[1..5], ["0/0", "0", "0", "<unknown>"]);
        let bad = json!({"spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "?"}]}}});
        assert_eq!(deployment(&bad, &CTX)[7], "<invalid>");
    }

    #[test]
    fn job_status_and_completions() {
        let mut j = json!({"metadata": {"name": "pi", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"completions": 1}, "status": {"startTime": "2025-01-01T00:00:00Z"}});
        assert_eq!(job(&j, &CTX)[1..5], ["Running", "0/1", "60m", "60m"]);
        j["status"] = json!({"startTime": "2025-01-01T00:00:00Z", "completionTime": "2025-01-01T00:00:09Z", "succeeded": 1,
            "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]});
        assert_eq!(job(&j, &CTX)[1..4], ["Complete", "1/1", "9s"]);
        let par = json!({"spec": {"parallelism": 3}, "status": {"conditions": [{"type": "Failed", "status": "True"}]}});
        assert_eq!(job(&par, &CTX)[1..4], ["Failed", "0/1 of 3", ""]);
        let sus = json!({"status": {"conditions": [{"type": "Suspended", "status": "True"}]}});
        assert_eq!(job_status(&sus), "Suspended");
    }

    #[test]
    fn cron_job_row() {
        let cj = json!({"metadata": {"name": "hello"}, "spec": {"schedule": "*/1 * * * *", "suspend": false},
            "status": {"active": [{"name": "hello-1"}], "lastScheduleTime": "2025-01-01T00:59:00Z"}});
        assert_eq!(cron_job(&cj, &CTX)[1..7], ["*/1 * * * *", "<none>", "False", "1", "60s", "<unknown>"]);
    }

    #[test]
    fn pdb_and_controller_revision() {
        let p = json!({"spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 1}});
        assert_eq!(pdb(&p, &CTX)[1..4], ["50%", "N/A", "1"]);
        let cr = json!({"metadata": {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "fluentd", "controller": true}]}, "revision": 2});
        assert_eq!(controller_revision(&cr, &CTX)[1..3], ["daemonset.apps/fluentd", "2"]);
        assert_eq!(controller_revision(&json!({}), &CTX)[1], "<none>");
    }

    #[test]
    fn daemon_and_stateful_sets() {
        let ds = json!({"spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}}}},
            "status": {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 1}});
        assert_eq!(daemon_set(&ds, &CTX)[1..7], ["2", "2", "1", "0", "0", "kubernetes.io/os=linux"]);
        assert_eq!(stateful_set(&web(), &CTX)[1], "2/3");
        let rc = json!({"spec": {"selector": {"app": "x"}}});
        assert_eq!(replication_controller(&rc, &CTX)[7], "app=x");
    }
}
