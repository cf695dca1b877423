//! `backoffLimitPerIndex` (`indexed_job_utils.go`, `backoff_utils.go`): an Indexed Job may give each
//! index its own budget of failures instead of one for the whole Job.
//!
//! Each pod carries how many pods of its index failed before it (annotation
//! `batch.kubernetes.io/job-index-failure-count`; failures a podFailurePolicy `Ignore` rule excused are
//! counted apart in `...-ignored-failure-count`). When a pod fails and its count has already reached
//! `backoffLimitPerIndex`, its index is failed for good and listed in `status.failedIndexes`; otherwise
//! the index gets a replacement whose count is one more, after a backoff of 10 s doubling per failure of
//! that index (up to 6 min). `maxFailedIndexes` bounds how many indexes may fail before the whole Job does.
//!
//! Simplified: a per-index Job's replacements wait only for their own index's backoff, and the failed
//! pods are read while they exist (no `job-tracking` finalizer holds them for the count).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::failure_policy::{self, Verdict};
use super::{MAX_POD_FAILURE_BACKOFF_MS, POD_FAILURE_BACKOFF_MS, finished_at, indexed};
use crate::sim::api::meta;
use crate::sim::api::pointer::Pointer;
use crate::sim::time::Millis;

/// `batch.JobIndexFailureCountAnnotation`.
pub const FAILURE_COUNT_KEY: &str = "batch.kubernetes.io/job-index-failure-count";
/// `batch.JobIndexIgnoredFailureCountAnnotation`.
pub const IGNORED_COUNT_KEY: &str = "batch.kubernetes.io/job-index-ignored-failure-count";

/// `spec.backoffLimitPerIndex`, for an Indexed Job that sets it.
pub fn limit(job: &Value) -> Option<i64> {
    indexed::is_indexed(job).then(|| job.at("/spec/backoffLimitPerIndex").and_then(Value::as_i64)).flatten()
}

/// `parseInt32`: a count annotation, 0 when absent, malformed, negative or above int32.
fn count_at(pod: &Value, key: &str) -> i64 {
    let raw = pod.at("/metadata/annotations").and_then(|a| a.get(key)).and_then(Value::as_str);
    raw.and_then(|s| s.parse::<i64>().ok()).filter(|n| (0..=i64::from(i32::MAX)).contains(n)).unwrap_or(0)
}

/// The failures of this pod's index before it: (counted, ignored).
pub fn counts(pod: &Value) -> (i64, i64) {
    (count_at(pod, FAILURE_COUNT_KEY), count_at(pod, IGNORED_COUNT_KEY))
}

/// `isIndexFailed`: a `FailIndex` rule matched, or a counted failure found the index's budget spent.
pub fn is_index_failed(job: &Value, pod: &Value, limit: i64) -> bool {
    match failure_policy::judge(job, pod) {
        Verdict::FailIndex => true,
        Verdict::Count => counts(pod).0 >= limit,
        Verdict::Ignore | Verdict::FailJob(_) => false,
    }
}

/// `getNewIndexFailureCounts`: the counts a replacement of `replaced` carries.
pub fn next_counts(job: &Value, replaced: Option<&Value>) -> (i64, i64) {
    let Some(pod) = replaced else { return (0, 0) };
    let (counted, ignored) = counts(pod);
    match failure_policy::judge(job, pod) {
        Verdict::Ignore => (counted, ignored + 1),
        _ => (counted + 1, ignored),
    }
}

/// `getPodsWithDelayedDeletionPerIndex`: for each index still to run (neither succeeded, failed nor
/// running), its latest failed pod, the one a replacement continues the count of.
pub fn last_failed<'a>(
    failed_pods: &[&'a Value],
    completions: i64,
    settled: &BTreeSet<i64>,
    running: &BTreeSet<i64>,
) -> BTreeMap<i64, &'a Value> {
    let mut last: BTreeMap<i64, &Value> = BTreeMap::new();
    for &p in failed_pods {
        let Some(ix) = indexed::index_of(p).filter(|i| *i < completions) else { continue };
        if settled.contains(&ix) || running.contains(&ix) {
            continue;
        }
        let absolute = |p: &Value| {
            let (c, i) = counts(p);
            c + i
        };
        let later = last.get(&ix).is_none_or(|q| absolute(q) <= absolute(p) && finished_at(p) >= finished_at(q));
        if later {
            last.insert(ix, p);
        }
    }
    last
}

/// `getRemainingTimePerIndex`: how long the index's replacement still waits after `last` failed.
pub fn remaining_backoff(last: Option<&Value>, now: Millis) -> Millis {
    let Some(pod) = last else { return 0 };
    let (counted, ignored) = counts(pod);
    let failures = counted + ignored + 1;
    let backoff = (POD_FAILURE_BACKOFF_MS << (failures - 1).clamp(0, 10)).min(MAX_POD_FAILURE_BACKOFF_MS);
    (finished_at(pod) + backoff).saturating_sub(now)
}

/// Writes the counts on a new pod of the index (`addIndexFailureCountAnnotation`).
pub fn annotate(pod: &mut Value, (counted, ignored): (i64, i64)) {
    meta::set_annotation(pod, FAILURE_COUNT_KEY, &counted.to_string());
    if ignored > 0 {
        meta::set_annotation(pod, IGNORED_COUNT_KEY, &ignored.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failed(index: i64, counted: &str, finished: Millis) -> Value {
        let finished = crate::sim::time::rfc3339(finished);
        json!({"metadata": {"name": format!("p-{index}-{counted}"), "namespace": "default",
            "annotations": {indexed::INDEX_KEY: index.to_string(), FAILURE_COUNT_KEY: counted}},
            "status": {"phase": "Failed", "containerStatuses": [{"name": "c",
                "state": {"terminated": {"exitCode": 1, "finishedAt": finished}}}]}})
    }

    #[test]
    fn counts_read_as_upstream_parses_them() {
        assert_eq!(counts(&failed(0, "2", 1000)), (2, 0));
        for bad in ["-1", "x", "4294967296"] {
            assert_eq!(counts(&failed(0, bad, 1000)), (0, 0), "{bad} reads as 0");
        }
    }

    #[test]
    fn an_index_fails_once_its_budget_is_spent() {
        let job = json!({"spec": {"completionMode": "Indexed", "backoffLimitPerIndex": 1}});
        assert!(!is_index_failed(&job, &failed(0, "0", 1000), 1), "first failure: retried");
        assert!(is_index_failed(&job, &failed(0, "1", 1000), 1), "second failure: index failed");
        let fail_index = json!({"spec": {"completionMode": "Indexed", "backoffLimitPerIndex": 5, "podFailurePolicy":
            {"rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [1]}}]}}});
        assert!(is_index_failed(&fail_index, &failed(0, "0", 1000), 5), "FailIndex at once");
    }

    #[test]
    fn a_replacement_continues_the_latest_count_and_backs_off() {
        let job = json!({"spec": {"completionMode": "Indexed", "backoffLimitPerIndex": 3}});
        let (a, b) = (failed(2, "0", 1000), failed(2, "1", 30_000));
        let pods = [&a, &b];
        let last = last_failed(&pods, 5, &BTreeSet::new(), &BTreeSet::new());
        assert_eq!(last.get(&2).map(|p| meta::name(p)), Some("p-2-1"));
        assert_eq!(next_counts(&job, last.get(&2).copied()), (2, 0));
        assert_eq!(remaining_backoff(last.get(&2).copied(), 35_000), 15_000, "second failure: 20 s after 30 s");
        assert!(last_failed(&pods, 5, &[2].into(), &BTreeSet::new()).is_empty(), "a settled index needs none");
        assert!(last_failed(&pods, 2, &BTreeSet::new(), &BTreeSet::new()).is_empty(), "out of range");
    }
}
