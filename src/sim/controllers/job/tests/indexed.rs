//! Indexed Job scenarios: per-index backoff limits, success policies, and replacing only failed pods.

use serde_json::{Value, json};

use super::super::indexed::INDEX_KEY;
use super::super::per_index::FAILURE_COUNT_KEY;
use super::*;

fn indexed_job(completions: i64, parallelism: i64) -> Value {
    let mut j = job(Some(completions), parallelism, i64::from(i32::MAX));
    j["spec"]["completionMode"] = json!("Indexed");
    j
}

/// A pod of index `ix` that ran after `failures` failures of its index.
fn of_index(j: &Value, ix: i64, failures: i64, phase: &str, finished: Millis) -> Value {
    let mut p = pod(j, &format!("pi-{ix}-{failures}"), phase, finished);
    p["metadata"]["annotations"] = json!({INDEX_KEY: ix.to_string(), FAILURE_COUNT_KEY: failures.to_string()});
    p
}

fn created_indexes(out: &Synced) -> Vec<(String, String)> {
    let pods = creates(&out.actions, "Pod");
    let at = |p: &Value, k: &str| p["metadata"]["annotations"][k].as_str().unwrap_or("").to_string();
    pods.iter().map(|p| (at(p, INDEX_KEY), at(p, FAILURE_COUNT_KEY))).collect()
}

#[test]
fn a_failed_index_is_retried_until_its_own_limit() {
    let mut j = indexed_job(3, 3);
    j["spec"]["backoffLimitPerIndex"] = json!(1);
    let first = with(&j, vec![of_index(&j, 0, 0, "Failed", 1000), of_index(&j, 1, 0, "Running", 0)]);
    let out = sync_job(&first, &j, 1000, true);
    assert_eq!(created_indexes(&out), [("2".into(), "0".into())], "index 0 waits out its 10 s backoff");
    assert_eq!(out.requeue, Some(10_000));
    assert_eq!(status(&out.actions)["failedIndexes"], "", "reported, empty, for per-index Jobs");
    let out = sync_job(&first, &j, 11_000, true);
    assert_eq!(created_indexes(&out), [("0".into(), "1".into()), ("2".into(), "0".into())]);

    // The retry fails too: index 0 has spent its budget; the others go on.
    let second = with(
        &j,
        vec![
            of_index(&j, 0, 0, "Failed", 1000),
            of_index(&j, 0, 1, "Failed", 20_000),
            of_index(&j, 1, 0, "Running", 0),
        ],
    );
    let out = sync_job(&second, &j, 60_000, true);
    let st = status(&out.actions);
    assert_eq!(st["failedIndexes"], "0");
    assert_eq!(st["failed"], 2, "status.failed counts every failed pod");
    assert!(cond(&st, "FailureTarget").is_none(), "other indexes still run");
    assert_eq!(created_indexes(&out), [("2".into(), "0".into())], "index 0 is not retried");
}

#[test]
fn failed_indexes_fail_the_job_once_every_index_is_settled() {
    let mut j = indexed_job(2, 2);
    j["spec"]["backoffLimitPerIndex"] = json!(0);
    let inf = with(&j, vec![of_index(&j, 0, 0, "Failed", 1000), of_index(&j, 1, 0, "Succeeded", 2000)]);
    let st = status(&sync_job(&inf, &j, 3000, true).actions);
    assert_eq!((st["failedIndexes"].as_str(), st["completedIndexes"].as_str()), (Some("0"), Some("1")));
    let failed = cond(&st, "Failed").expect("Failed");
    assert_eq!(
        (failed["reason"].as_str(), failed["message"].as_str()),
        (Some("FailedIndexes"), Some("Job has failed indexes"))
    );
}

#[test]
fn max_failed_indexes_ends_the_job_early() {
    let mut j = indexed_job(5, 3);
    j["spec"]["backoffLimitPerIndex"] = json!(0);
    j["spec"]["maxFailedIndexes"] = json!(1);
    let inf = with(
        &j,
        vec![of_index(&j, 0, 0, "Failed", 1000), of_index(&j, 1, 0, "Failed", 1000), of_index(&j, 2, 0, "Running", 0)],
    );
    let out = sync_job(&inf, &j, 2000, true);
    let st = status(&out.actions);
    let target = cond(&st, "FailureTarget").expect("FailureTarget");
    assert_eq!(target["reason"], "MaxFailedIndexesExceeded");
    assert_eq!(target["message"], "Job has exceeded the specified maximal number of failed indexes");
    assert_eq!(deletes(&out.actions, "Pod"), ["pi-2-0"], "the running index is stopped");
}

#[test]
fn a_success_policy_completes_the_job_before_every_index() {
    let mut j = indexed_job(5, 5);
    j["spec"]["successPolicy"] = json!({"rules": [{"succeededIndexes": "0", "succeededCount": 1}]});
    let inf = with(&j, vec![of_index(&j, 0, 0, "Succeeded", 1000), of_index(&j, 1, 0, "Running", 0)]);
    let out = sync_job(&inf, &j, 2000, true);
    let st = status(&out.actions);
    let met = cond(&st, "SuccessCriteriaMet").expect("SuccessCriteriaMet");
    assert_eq!(
        (met["reason"].as_str(), met["message"].as_str()),
        (Some("SuccessPolicy"), Some("Matched rules at index 0"))
    );
    assert!(cond(&st, "Complete").is_none(), "Complete waits for the running pod");
    assert_eq!(deletes(&out.actions, "Pod"), ["pi-1-0"]);

    let mut done = j.clone();
    done["status"] = st;
    let out = sync_job(&with(&done, vec![of_index(&j, 0, 0, "Succeeded", 1000)]), &done, 3000, true);
    let complete = status(&out.actions);
    assert_eq!(cond(&complete, "Complete").expect("Complete")["reason"], "SuccessPolicy");
}

#[test]
fn replacement_policy_failed_waits_for_terminating_pods() {
    let mut j = job(Some(2), 2, 6);
    let mut going = pod(&j, "a", "Running", 0);
    going["metadata"]["deletionTimestamp"] = json!(rfc3339(500));
    let inf = with(&j, vec![going.clone()]);
    assert_eq!(creates(&sync_job(&inf, &j, 1000, true).actions, "Pod").len(), 2, "TerminatingOrFailed: at once");
    j["spec"]["podReplacementPolicy"] = json!("Failed");
    let inf = with(&j, vec![going]);
    let out = sync_job(&inf, &j, 1000, true);
    assert_eq!(creates(&out.actions, "Pod").len(), 1, "Failed: the terminating pod keeps its place");
    assert_eq!(status(&out.actions)["terminating"], 1);
}
