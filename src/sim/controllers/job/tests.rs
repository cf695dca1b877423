//! Job scenarios: parallelism, completion, backoffLimit counting, backoff delays, deadline, policy.

use serde_json::{Value, json};

use super::*;
use crate::sim::controllers::testutil::*;

fn job(completions: Option<i64>, parallelism: i64, backoff: i64) -> Value {
    let mut j = json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"namespace": "default", "name": "pi", "uid": "uid-pi", "generation": 1},
        "spec": {"parallelism": parallelism, "backoffLimit": backoff, "template": template("pi", "perl")},
        "status": {"startTime": rfc3339(0)}
    });
    j["spec"]["template"]["spec"]["restartPolicy"] = json!("Never");
    if let Some(c) = completions {
        j["spec"]["completions"] = json!(c);
    }
    j
}

fn pod(j: &Value, name: &str, phase: &str, finished: Millis) -> Value {
    let mut p = pod_of(j, name, "n1", phase, None);
    p["metadata"]["creationTimestamp"] = json!(rfc3339(finished.saturating_sub(1000)));
    if matches!(phase, "Succeeded" | "Failed") {
        let code = if phase == "Failed" { 1 } else { 0 };
        p["status"]["containerStatuses"] =
            json!([{"name": "c", "state": {"terminated": {"exitCode": code, "finishedAt": rfc3339(finished)}}}]);
    }
    p
}

fn with(j: &Value, pods: Vec<Value>) -> Informers {
    let mut inf = Informers::default();
    inf.insert(j.clone());
    for p in pods {
        inf.insert(p);
    }
    inf
}

fn status(out: &[Action]) -> Value {
    status_updates(out, "Job").pop().map(|j| j["status"].clone()).unwrap_or(Value::Null)
}

fn cond<'a>(st: &'a Value, ty: &str) -> Option<&'a Value> {
    st["conditions"].as_array()?.iter().find(|c| c["type"] == ty)
}

#[test]
fn creates_up_to_parallelism_with_job_labels() {
    let j = job(Some(5), 2, 6);
    let out = sync_job(&with(&j, vec![]), &j, 1000, true);
    let pods = creates(&out.actions, "Pod");
    assert_eq!(pods.len(), 2);
    assert_eq!(pods[0]["metadata"]["generateName"], "pi-");
    assert_eq!(pods[0]["metadata"]["labels"]["batch.kubernetes.io/job-name"], "pi");
    assert_eq!(pods[0]["metadata"]["labels"]["controller-uid"], "uid-pi");
    let st = status(&out.actions);
    assert_eq!(
        (st["ready"].as_i64(), st["terminating"].as_i64()),
        (Some(0), Some(0)),
        "ready and terminating are always reported"
    );
    assert_eq!(st["uncountedTerminatedPods"], json!({}));
}

#[test]
fn remaining_completions_limit_active_pods() {
    let j = job(Some(3), 3, 6);
    let inf =
        with(&j, vec![pod(&j, "a", "Succeeded", 500), pod(&j, "b", "Succeeded", 600), pod(&j, "c", "Running", 0)]);
    let out = sync_job(&inf, &j, 1000, true);
    assert!(creates(&out.actions, "Pod").is_empty(), "1 completion left and 1 pod running");
}

#[test]
fn completion_sets_success_criteria_then_complete_with_event() {
    let j = job(Some(2), 1, 6);
    let inf = with(&j, vec![pod(&j, "a", "Succeeded", 500), pod(&j, "b", "Succeeded", 900)]);
    let out = sync_job(&inf, &j, 1000, true);
    let st = status(&out.actions);
    for ty in ["SuccessCriteriaMet", "Complete"] {
        let c = cond(&st, ty).expect("condition");
        assert_eq!(
            (c["reason"].as_str(), c["message"].as_str()),
            (Some("CompletionsReached"), Some("Reached expected number of succeeded pods"))
        );
    }
    assert_eq!(st["succeeded"], 2);
    assert_eq!(st["completionTime"], rfc3339(1000));
    assert_eq!(events(&out.actions), vec![("Completed".into(), "Job completed".into())]);
}

#[test]
fn backoff_limit_counts_failed_pods_as_upstream() {
    // exceedsBackoffLimit: failed > backoffLimit. With backoffLimit 2, the third failure ends the Job.
    let j = job(Some(1), 1, 2);
    let two = with(&j, vec![pod(&j, "a", "Failed", 100), pod(&j, "b", "Failed", 200)]);
    let out = sync_job(&two, &j, 100_000, true);
    assert!(cond(&status(&out.actions), "FailureTarget").is_none());
    assert_eq!(creates(&out.actions, "Pod").len(), 1, "retry after two failures");
    let three = with(&j, vec![pod(&j, "a", "Failed", 100), pod(&j, "b", "Failed", 200), pod(&j, "c", "Failed", 300)]);
    let out = sync_job(&three, &j, 100_000, true);
    let st = status(&out.actions);
    for ty in ["FailureTarget", "Failed"] {
        let c = cond(&st, ty).expect("condition");
        assert_eq!(
            (c["reason"].as_str(), c["message"].as_str()),
            (Some("BackoffLimitExceeded"), Some("Job has reached the specified backoff limit"))
        );
    }
    assert_eq!(st["failed"], 3);
    assert!(creates(&out.actions, "Pod").is_empty());
    assert_eq!(
        events(&out.actions),
        vec![("BackoffLimitExceeded".into(), "Job has reached the specified backoff limit".into())]
    );
}

#[test]
fn replacements_back_off_exponentially_after_failures() {
    let j = job(Some(1), 1, 6);
    // Two failures, the last at t=50s: the next pod waits 20 s.
    let inf = with(&j, vec![pod(&j, "a", "Failed", 40_000), pod(&j, "b", "Failed", 50_000)]);
    let out = sync_job(&inf, &j, 55_000, true);
    assert!(creates(&out.actions, "Pod").is_empty());
    assert_eq!(out.requeue, Some(15_000));
    let out = sync_job(&inf, &j, 70_000, true);
    assert_eq!(creates(&out.actions, "Pod").len(), 1);
}

#[test]
fn active_deadline_fails_the_job_and_deletes_running_pods() {
    let mut j = job(Some(1), 1, 6);
    j["spec"]["activeDeadlineSeconds"] = json!(30);
    let inf = with(&j, vec![pod(&j, "a", "Running", 0)]);
    let out = sync_job(&inf, &j, 10_000, true);
    assert_eq!(out.requeue, Some(20_000), "woken when the deadline passes");
    let out = sync_job(&inf, &j, 30_000, true);
    assert_eq!(deletes(&out.actions, "Pod"), vec!["a"]);
    let st = status(&out.actions);
    assert_eq!(cond(&st, "FailureTarget").expect("interim")["reason"], "DeadlineExceeded");
    assert!(cond(&st, "Failed").is_none(), "Failed waits until the pod is gone");
    assert_eq!(
        cond(&st, "FailureTarget").expect("interim")["message"],
        "Job was active longer than specified deadline"
    );
}

#[test]
fn pod_failure_policy_fail_job_and_ignore() {
    let mut j = job(Some(1), 1, 6);
    j["spec"]["podFailurePolicy"] =
        json!({"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]});
    let mut p = pod(&j, "a", "Failed", 100);
    p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] = json!(42);
    let out = sync_job(&with(&j, vec![p]), &j, 1000, true);
    let st = status(&out.actions);
    let f = cond(&st, "Failed").expect("failed");
    assert_eq!(f["reason"], "PodFailurePolicy");
    assert_eq!(f["message"], "Container c for pod default/a failed with exit code 42 matching FailJob rule at index 0");

    j["spec"]["podFailurePolicy"] =
        json!({"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [1]}}]});
    j["spec"]["backoffLimit"] = json!(0);
    let out = sync_job(&with(&j, vec![pod(&j, "a", "Failed", 100)]), &j, 1000, true);
    assert!(status(&out.actions).get("failed").is_none(), "ignored failures are not counted");
    assert_eq!(creates(&out.actions, "Pod").len(), 1);
}

#[test]
fn suspend_deletes_active_pods() {
    let mut j = job(Some(1), 1, 6);
    j["spec"]["suspend"] = json!(true);
    let out = sync_job(&with(&j, vec![pod(&j, "a", "Running", 0)]), &j, 1000, true);
    assert_eq!(deletes(&out.actions, "Pod"), vec!["a"]);
    assert_eq!(cond(&status(&out.actions), "Suspended").expect("suspended")["reason"], "JobSuspended");
}

#[test]
fn finished_jobs_are_left_alone() {
    let mut j = job(Some(1), 1, 6);
    j["status"]["conditions"] = json!([{"type": "Complete", "status": "True"}]);
    assert!(sync_job(&with(&j, vec![]), &j, 0, true).actions.is_empty());
}

mod indexed;
