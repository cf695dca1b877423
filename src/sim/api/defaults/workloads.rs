//! Workload defaults (pkg/apis/apps/v1 and batch/v1 defaults.go) and the Job selector the
//! job strategy generates.

use super::pod::{default_template, each_object, set_default};
use crate::sim::api::meta::{at, object_at};
use serde_json::{Map, Value, json};

fn spec(obj: &mut Value) -> &mut Map<String, Value> {
    object_at(obj, &["spec"])
}

fn default_pod_template(obj: &mut Value) {
    default_template(spec(obj).entry("template").or_insert_with(|| json!({})));
}

/// Deployment: 1 replica, RollingUpdate 25%/25%, 10 old ReplicaSets, 600 s progress deadline.
pub(super) fn deployment(obj: &mut Value) {
    let s = spec(obj);
    set_default(s, "replicas", json!(1));
    let strategy = object_at(s.entry("strategy").or_insert_with(|| json!({})), &[]);
    set_default(strategy, "type", json!("RollingUpdate"));
    if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
        let ru = object_at(strategy.entry("rollingUpdate").or_insert_with(|| json!({})), &[]);
        set_default(ru, "maxUnavailable", json!("25%"));
        set_default(ru, "maxSurge", json!("25%"));
    }
    set_default(s, "revisionHistoryLimit", json!(10));
    set_default(s, "progressDeadlineSeconds", json!(600));
    default_pod_template(obj);
}

/// ReplicaSet: 1 replica.
pub(super) fn replica_set(obj: &mut Value) {
    set_default(spec(obj), "replicas", json!(1));
    default_pod_template(obj);
}

/// ReplicationController (`SetDefaults_ReplicationController`): an empty selector and empty labels
/// take the template's labels; 1 replica.
pub(super) fn replication_controller(obj: &mut Value) {
    let labels = at(obj, &["spec", "template", "metadata", "labels"]).filter(|l| !l.is_null()).cloned();
    if let Some(labels) = labels {
        let empty = |v: Option<&Value>| v.and_then(Value::as_object).is_none_or(Map::is_empty);
        if empty(at(obj, &["spec", "selector"])) {
            spec(obj).insert("selector".into(), labels.clone());
        }
        if empty(at(obj, &["metadata", "labels"])) {
            object_at(obj, &["metadata"]).insert("labels".into(), labels);
        }
    }
    set_default(spec(obj), "replicas", json!(1));
    if at(obj, &["spec", "template"]).is_some_and(|t| !t.is_null()) {
        default_pod_template(obj);
    }
}

/// DaemonSet: RollingUpdate one node at a time, 10 old revisions.
pub(super) fn daemon_set(obj: &mut Value) {
    let s = spec(obj);
    let strategy = object_at(s.entry("updateStrategy").or_insert_with(|| json!({})), &[]);
    set_default(strategy, "type", json!("RollingUpdate"));
    if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
        let ru = object_at(strategy.entry("rollingUpdate").or_insert_with(|| json!({})), &[]);
        set_default(ru, "maxUnavailable", json!(1));
        set_default(ru, "maxSurge", json!(0));
    }
    set_default(s, "revisionHistoryLimit", json!(10));
    default_pod_template(obj);
}

/// StatefulSet: OrderedReady, RollingUpdate from partition 0, PVCs retained, 1 replica.
pub(super) fn stateful_set(obj: &mut Value) {
    let s = spec(obj);
    set_default(s, "podManagementPolicy", json!("OrderedReady"));
    let strategy = object_at(s.entry("updateStrategy").or_insert_with(|| json!({})), &[]);
    if strategy.get("type").is_none_or(Value::is_null) {
        strategy.insert("type".into(), json!("RollingUpdate"));
        set_default(strategy, "rollingUpdate", json!({}));
    }
    if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate")
        && let Some(Value::Object(ru)) = strategy.get_mut("rollingUpdate")
    {
        set_default(ru, "partition", json!(0));
    }
    let retention = object_at(s.entry("persistentVolumeClaimRetentionPolicy").or_insert_with(|| json!({})), &[]);
    set_default(retention, "whenDeleted", json!("Retain"));
    set_default(retention, "whenScaled", json!("Retain"));
    set_default(s, "replicas", json!(1));
    set_default(s, "revisionHistoryLimit", json!(10));
    for pvc in each_object(s, "volumeClaimTemplates") {
        let meta = object_at(pvc.entry("metadata").or_insert_with(|| json!({})), &[]);
        set_default(meta, "creationTimestamp", Value::Null);
        let pvc_spec = object_at(pvc.entry("spec").or_insert_with(|| json!({})), &[]);
        set_default(pvc_spec, "volumeMode", json!("Filesystem"));
        let status = object_at(pvc.entry("status").or_insert_with(|| json!({})), &[]);
        set_default(status, "phase", json!("Pending"));
    }
    default_pod_template(obj);
}

/// Job: one completion, parallelism 1, 6 retries, NonIndexed, not suspended; labels copied
/// from the template when the Job has none. Once the Job has a uid (the apiserver assigns it
/// before defaulting) the generated selector is added too, as the job strategy does on create.
pub(super) fn job(obj: &mut Value) {
    let s = spec(obj);
    if s.get("completions").is_none_or(Value::is_null) && s.get("parallelism").is_none_or(Value::is_null) {
        s.insert("completions".into(), json!(1));
        s.insert("parallelism".into(), json!(1));
    }
    set_default(s, "parallelism", json!(1));
    let per_index = s.get("backoffLimitPerIndex").is_some_and(|v| !v.is_null());
    set_default(s, "backoffLimit", json!(if per_index { i64::from(i32::MAX) } else { 6 }));
    set_default(s, "completionMode", json!("NonIndexed"));
    set_default(s, "suspend", json!(false));
    let failure_policy = s.get("podFailurePolicy").is_some_and(|v| !v.is_null());
    set_default(s, "podReplacementPolicy", json!(if failure_policy { "Failed" } else { "TerminatingOrFailed" }));
    default_pod_template(obj);
    copy_template_labels(obj);
    let uid = at(obj, &["metadata", "uid"]).and_then(Value::as_str).unwrap_or("").to_string();
    if !uid.is_empty() {
        generate_job_selector(obj, &uid);
    }
}

fn copy_template_labels(obj: &mut Value) {
    let template_labels = at(obj, &["spec", "template", "metadata", "labels"])
        .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        .cloned();
    let own_empty = at(obj, &["metadata", "labels"]).and_then(Value::as_object).is_none_or(Map::is_empty);
    if let (Some(labels), true) = (template_labels, own_empty) {
        object_at(obj, &["metadata"]).insert("labels".into(), labels);
    }
}

/// The job strategy's generated selector: template labels naming the Job and its uid, and a
/// selector on the uid, unless `manualSelector` is true. Call once the uid is known.
pub fn generate_job_selector(obj: &mut Value, uid: &str) {
    if at(obj, &["spec", "manualSelector"]).and_then(Value::as_bool) == Some(true) {
        return;
    }
    let name = at(obj, &["metadata", "name"]).and_then(Value::as_str).unwrap_or("").to_string();
    let labels = object_at(obj, &["spec", "template", "metadata", "labels"]);
    for key in ["batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name", "controller-uid", "job-name"] {
        let value = if key.ends_with("uid") { uid } else { name.as_str() };
        labels.entry(key.to_string()).or_insert_with(|| json!(value));
    }
    let selector = object_at(obj, &["spec", "selector", "matchLabels"]);
    selector.entry("batch.kubernetes.io/controller-uid".to_string()).or_insert_with(|| json!(uid));
    copy_template_labels(obj);
}

/// CronJob: Allow concurrency, not suspended, keep 3 successful and 1 failed Job.
pub(super) fn cron_job(obj: &mut Value) {
    let s = spec(obj);
    set_default(s, "concurrencyPolicy", json!("Allow"));
    set_default(s, "suspend", json!(false));
    set_default(s, "successfulJobsHistoryLimit", json!(3));
    set_default(s, "failedJobsHistoryLimit", json!(1));
    let job_template = s.entry("jobTemplate").or_insert_with(|| json!({}));
    set_default(object_at(job_template, &["metadata"]), "creationTimestamp", Value::Null);
    default_template(object_at(job_template, &["spec"]).entry("template").or_insert_with(|| json!({})));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_defaults() {
        let mut d = json!({"spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {"metadata": {"labels": {"app": "x"}},
            "spec": {"containers": [{"name": "x", "image": "nginx:1.27"}]}}}});
        deployment(&mut d);
        let s = &d["spec"];
        assert_eq!(
            (s["replicas"].clone(), s["revisionHistoryLimit"].clone(), s["progressDeadlineSeconds"].clone()),
            (json!(1), json!(10), json!(600))
        );
        assert_eq!(
            s["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        );
        assert_eq!(s["template"]["metadata"]["creationTimestamp"], Value::Null);
        assert_eq!(s["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert!(s["template"]["spec"].get("enableServiceLinks").is_none(), "only Pods get SetDefaults_Pod");
        let mut recreate = json!({"spec": {"strategy": {"type": "Recreate"}}});
        deployment(&mut recreate);
        assert_eq!(recreate["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn stateful_and_daemon_sets() {
        let mut sts = json!({"spec": {"volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]}});
        stateful_set(&mut sts);
        let s = &sts["spec"];
        assert_eq!(s["updateStrategy"], json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}));
        assert_eq!(s["persistentVolumeClaimRetentionPolicy"], json!({"whenDeleted": "Retain", "whenScaled": "Retain"}));
        assert_eq!(s["podManagementPolicy"], "OrderedReady");
        assert_eq!(s["volumeClaimTemplates"][0]["spec"]["volumeMode"], "Filesystem");
        assert_eq!(s["volumeClaimTemplates"][0]["status"]["phase"], "Pending");
        let mut on_delete = json!({"spec": {"updateStrategy": {"type": "OnDelete"}}});
        stateful_set(&mut on_delete);
        assert_eq!(on_delete["spec"]["updateStrategy"], json!({"type": "OnDelete"}));
        let mut ds = json!({"spec": {}});
        daemon_set(&mut ds);
        assert_eq!(
            ds["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        );
    }

    #[test]
    fn job_defaults_and_selector() {
        let mut j = json!({"metadata": {"name": "pi"}, "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl:5.34.0"}],
            "restartPolicy": "Never"}}}});
        job(&mut j);
        let s = &j["spec"];
        assert_eq!(
            (s["completions"].clone(), s["parallelism"].clone(), s["backoffLimit"].clone()),
            (json!(1), json!(1), json!(6))
        );
        assert_eq!((s["completionMode"].clone(), s["suspend"].clone()), (json!("NonIndexed"), json!(false)));
        assert_eq!(s["podReplacementPolicy"], "TerminatingOrFailed");
        assert!(s.get("manualSelector").is_none());
        generate_job_selector(&mut j, "uid-1");
        assert_eq!(j["spec"]["selector"], json!({"matchLabels": {"batch.kubernetes.io/controller-uid": "uid-1"}}));
        assert_eq!(j["spec"]["template"]["metadata"]["labels"]["job-name"], "pi");
        assert_eq!(j["metadata"]["labels"]["batch.kubernetes.io/controller-uid"], "uid-1");
        let mut parallel = json!({"spec": {"parallelism": 3}});
        job(&mut parallel);
        assert!(parallel["spec"].get("completions").is_none(), "work-queue jobs keep completions unset");
        let mut with_uid = json!({"metadata": {"name": "w", "uid": "u-9"}, "spec": {}});
        job(&mut with_uid);
        assert_eq!(with_uid["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], "u-9");
        let mut manual = json!({"metadata": {"name": "m"}, "spec": {"manualSelector": true}});
        generate_job_selector(&mut manual, "u");
        assert!(manual["spec"].get("selector").is_none());
    }

    #[test]
    fn cron_job_defaults() {
        let mut c = json!({"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "busybox"}]}}}}}});
        cron_job(&mut c);
        let s = &c["spec"];
        assert_eq!(
            (
                s["concurrencyPolicy"].clone(),
                s["successfulJobsHistoryLimit"].clone(),
                s["failedJobsHistoryLimit"].clone()
            ),
            (json!("Allow"), json!(3), json!(1))
        );
        assert!(s["jobTemplate"]["spec"].get("backoffLimit").is_none(), "job defaults apply to Jobs, not templates");
        assert_eq!(s["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"], "Always");
    }
}
