//! The Job controller (`pkg/controller/job`): runs pods until `completions` succeed, at most
//! `parallelism` at a time, and gives up after `backoffLimit` failures or `activeDeadlineSeconds`.
//!
//! As in 1.33 (JobPodReplacementPolicy on), a verdict is recorded first as an interim condition
//! (`SuccessCriteriaMet` / `FailureTarget`) and becomes `Complete` / `Failed` once no pod of the Job is
//! still running or terminating. Replacements of failed pods back off 10 s, 20 s, 40 s ... up to 6 min.
//!
//! `completionMode: Indexed` gives each pod a completion index (`indexed.rs`), with optional per-index
//! failure budgets (`per_index.rs`) and early success (`success_policy.rs`). With `podReplacementPolicy:
//! Failed` a pod is replaced only once it has fully terminated, not as soon as it starts terminating.
//!
//! Simplified: the `batch.kubernetes.io/job-tracking` pod finalizer and `uncountedTerminatedPods` are not
//! used (finished pods are counted while they exist; counts never go down).

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
mod failure_policy;
pub mod indexed;
mod per_index;
mod success_policy;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use self::failure_policy::Verdict;
use super::objects::{self, i64_at, str_at};
use super::{Controller, Outcome, pods};
use crate::sim::api::{self, ResourceType};
use crate::sim::client::Expectations;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, parse_rfc3339, rfc3339};

/// `DefaultJobPodFailureBackOff` and `MaxJobPodFailureBackOff`.
pub const POD_FAILURE_BACKOFF_MS: Millis = 10_000;
pub const MAX_POD_FAILURE_BACKOFF_MS: Millis = 360_000;
/// `MaxBatchSize`: the most pods one sync creates.
const MAX_BATCH: i64 = 500;

fn jobs() -> &'static ResourceType {
    api::resolve("jobs").expect("jobs are always served")
}

fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

#[derive(Debug, Default)]
pub struct JobController {
    expectations: Expectations,
}

/// Whether the Job has a final condition (`Complete` or `Failed`).
pub fn is_finished(job: &Value) -> bool {
    objects::condition_true(job, "Complete") || objects::condition_true(job, "Failed")
}

/// When a pod finished: its containers' latest `finishedAt`, else when it was created.
fn finished_at(pod: &Value) -> Millis {
    pod.at("/status/containerStatuses")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .filter_map(|c| c.at("/state/terminated/finishedAt").and_then(Value::as_str).and_then(parse_rfc3339))
                .max()
        })
        .unwrap_or_else(|| objects::created_ms(pod))
}

/// A job condition, with lastProbeTime as the Job API has it; no change when status and reason hold.
fn set_cond(conds: &mut Vec<Value>, ty: &str, status: &str, reason: &str, message: &str, now: Millis) {
    if objects::set_condition(conds, ty, status, reason, message, now, false)
        && let Some(c) = conds.last_mut()
    {
        c["lastProbeTime"] = json!(rfc3339(now));
    }
}

/// The pod a Job creates: the template plus the labels that tie it to its Job.
fn new_pod(job: &Value) -> Value {
    let template = job.at("/spec/template").cloned().unwrap_or(json!({}));
    let mut pod =
        pods::from_template(&template, &format!("{}-", objects::name(job)), objects::controller_ref_to(job, jobs()));
    pod["metadata"]["namespace"] = json!(objects::namespace(job));
    let labels = objects::map_at(&mut pod, &["metadata", "labels"]);
    for (k, v) in [
        ("batch.kubernetes.io/controller-uid", objects::uid(job)),
        ("batch.kubernetes.io/job-name", objects::name(job)),
        ("controller-uid", objects::uid(job)),
        ("job-name", objects::name(job)),
    ] {
        labels.entry(k).or_insert_with(|| json!(v));
    }
    pod
}

/// The outcome of one `syncJob`: the writes, how many pods it creates, and when to look again.
pub struct Synced {
    pub actions: Vec<Action>,
    pub creates: i64,
    pub requeue: Option<Millis>,
}

/// `syncJob`.
pub fn sync_job(inf: &Informers, job: &Value, now: Millis, may_create: bool) -> Synced {
    let mut out = Synced { actions: Vec::new(), creates: 0, requeue: None };
    if is_finished(job) {
        return out;
    }
    let owned: Vec<&Value> = inf.controlled_by(pods_rt(), objects::uid(job)).collect();
    let active: Vec<&Value> = owned.iter().copied().filter(|p| pods::is_active(p)).collect();
    let terminating_pods: Vec<&Value> = owned
        .iter()
        .copied()
        .filter(|p| objects::is_deleting(p) && !matches!(pods::phase(p), "Succeeded" | "Failed"))
        .collect();
    let terminating = terminating_pods.len() as i64;
    let succeeded_pods: Vec<&Value> = owned.iter().copied().filter(|p| pods::phase(p) == "Succeeded").collect();
    let mut fail_job = None;
    let mut counted_failures: Vec<&Value> = Vec::new();
    for p in owned.iter().copied().filter(|p| pods::phase(p) == "Failed") {
        match failure_policy::judge(job, p) {
            Verdict::FailJob(m) => {
                fail_job.get_or_insert(m);
            }
            Verdict::Ignore => {}
            Verdict::Count | Verdict::FailIndex => counted_failures.push(p),
        }
    }
    let succeeded = i64_at(job, "/status/succeeded", 0).max(succeeded_pods.len() as i64);
    let completions = job.at("/spec/completions").and_then(Value::as_i64);
    // Indexed: the indexes that have succeeded, and active pods whose index is wrong (none, out of range,
    // already succeeded, or taken by another active pod), which are deleted.
    let indexed = indexed::is_indexed(job) && completions.is_some();
    let per_index = per_index::limit(job).filter(|_| indexed);
    let c = completions.unwrap_or(0);
    let (mut done, mut lost) = (BTreeSet::new(), BTreeSet::new());
    let (active, misindexed) = if indexed {
        let status_indexes = |f: &str| indexed::parse_intervals(job.at(f).and_then(Value::as_str).unwrap_or(""), c);
        done = status_indexes("/status/completedIndexes");
        done.extend(succeeded_pods.iter().filter_map(|p| indexed::index_of(p)).filter(|i| *i < c));
        if let Some(limit) = per_index {
            // `calculateFailedIndexes`: an index that has succeeded cannot fail any more.
            lost = status_indexes("/status/failedIndexes");
            let failed_now = counted_failures.iter().filter(|p| per_index::is_index_failed(job, p, limit));
            lost.extend(failed_now.filter_map(|p| indexed::index_of(p)).filter(|i| *i < c && !done.contains(i)));
        }
        let mut seen = BTreeSet::new();
        active.iter().copied().partition(|p| {
            indexed::index_of(p).is_some_and(|i| i < c && !done.contains(&i) && !lost.contains(&i) && seen.insert(i))
        })
    } else {
        (active, Vec::new())
    };
    let failed = i64_at(job, "/status/failed", 0).max(counted_failures.len() as i64);
    let suspended = job.at("/spec/suspend").and_then(Value::as_bool) == Some(true);
    let start =
        job.at("/status/startTime").and_then(Value::as_str).and_then(parse_rfc3339).or((!suspended).then_some(now));
    let mut conds = objects::conditions_of(job);
    let ns = objects::namespace(job).to_string();
    let delete = |p: &Value| -> Vec<Action> {
        vec![
            Action::Delete {
                resource: pods_rt(),
                namespace: Some(ns.clone()),
                name: objects::name(p).to_string(),
                propagation: None,
                grace_seconds: None,
            },
            Action::Event {
                regarding: job.clone(),
                event_type: "Normal",
                reason: "SuccessfulDelete".into(),
                message: format!("Deleted pod: {}", objects::name(p)),
            },
        ]
    };

    // The verdict, if any: an earlier FailureTarget, the failure policy, the backoff limit, the deadline.
    let backoff_limit = i64_at(job, "/spec/backoffLimit", 6);
    let on_failure_restarts: i64 = if str_at(job, "/spec/template/spec/restartPolicy") == "OnFailure" {
        active
            .iter()
            .map(|p| {
                p.at("/status/containerStatuses")
                    .and_then(Value::as_array)
                    .map_or(0, |a| a.iter().map(|c| i64_at(c, "/restartCount", 0)).sum::<i64>())
            })
            .sum()
    } else {
        0
    };
    let deadline = job.at("/spec/activeDeadlineSeconds").and_then(Value::as_i64).map(|s| s.max(0) as Millis * 1000);
    let verdict = |reason: &str, message: &str| Some((reason.to_string(), message.to_string()));
    let max_failed = job.at("/spec/maxFailedIndexes").and_then(Value::as_i64);
    let failure = if let Some(c) = objects::condition(job, "FailureTarget").filter(|c| str_at(c, "/status") == "True") {
        verdict(str_at(c, "/reason"), str_at(c, "/message"))
    } else if let Some(m) = fail_job {
        verdict("PodFailurePolicy", &m)
    } else if failed > backoff_limit
        || (backoff_limit > 0 && on_failure_restarts >= backoff_limit)
        || (backoff_limit == 0 && on_failure_restarts > 0)
    {
        verdict("BackoffLimitExceeded", "Job has reached the specified backoff limit")
    } else if deadline.zip(start).is_some_and(|(d, s)| now >= s + d && !suspended) {
        verdict("DeadlineExceeded", "Job was active longer than specified deadline")
    } else if max_failed.is_some_and(|m| lost.len() as i64 > m) {
        verdict("MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes")
    } else if !lost.is_empty() && (lost.len() + done.len()) as i64 >= c {
        verdict("FailedIndexes", "Job has failed indexes")
    } else {
        None
    };
    let parallelism = i64_at(job, "/spec/parallelism", 1).max(0);
    let reached = || verdict("CompletionsReached", "Reached expected number of succeeded pods");
    let success =
        if let Some(c) = objects::condition(job, "SuccessCriteriaMet").filter(|c| str_at(c, "/status") == "True") {
            verdict(str_at(c, "/reason"), str_at(c, "/message"))
        } else if indexed && done.len() as i64 >= c {
            reached()
        } else if let Some(m) = indexed.then(|| success_policy::matched(job, c, &done)).flatten() {
            verdict("SuccessPolicy", &m)
        } else {
            match completions {
                Some(c) if !indexed && succeeded >= c => reached(),
                None if succeeded > 0 && active.is_empty() => reached(),
                _ => None,
            }
        };
    for p in &misindexed {
        out.actions.extend(delete(p));
    }

    let mut completion_time = None;
    let mut active_count = active.len() as i64;
    if let Some((reason, message)) = failure {
        set_cond(&mut conds, "FailureTarget", "True", &reason, &message, now);
        for p in &active {
            out.actions.extend(delete(p));
        }
        if active.is_empty() && misindexed.is_empty() && terminating == 0 {
            set_cond(&mut conds, "Failed", "True", &reason, &message, now);
            out.actions.push(Action::Event { regarding: job.clone(), event_type: "Warning", reason, message });
        }
        active_count = 0;
    } else if let Some((reason, message)) = success {
        set_cond(&mut conds, "SuccessCriteriaMet", "True", &reason, &message, now);
        for p in &active {
            out.actions.extend(delete(p));
        }
        if active.is_empty() && misindexed.is_empty() && terminating == 0 {
            set_cond(&mut conds, "Complete", "True", &reason, &message, now);
            completion_time = Some(now);
            out.actions.push(Action::Event {
                regarding: job.clone(),
                event_type: "Normal",
                reason: "Completed".into(),
                message: "Job completed".into(),
            });
        }
        active_count = 0;
    } else if suspended {
        for p in &active {
            out.actions.extend(delete(p));
        }
        active_count = 0;
        if objects::condition(job, "Suspended").is_none_or(|c| str_at(c, "/status") != "True") {
            set_cond(&mut conds, "Suspended", "True", "JobSuspended", "Job suspended", now);
            out.actions.push(Action::Event {
                regarding: job.clone(),
                event_type: "Normal",
                reason: "Suspended".into(),
                message: "Job suspended".into(),
            });
        }
    } else {
        if objects::condition_true(job, "Suspended") {
            set_cond(&mut conds, "Suspended", "False", "JobResumed", "Job resumed", now);
            out.actions.push(Action::Event {
                regarding: job.clone(),
                event_type: "Normal",
                reason: "Resumed".into(),
                message: "Job resumed".into(),
            });
        }
        let want = match completions {
            Some(c) if indexed => parallelism.min(c - (done.len() + lost.len()) as i64).max(0),
            Some(c) => parallelism.min(c - succeeded).max(0),
            None if succeeded > 0 => 0,
            None => parallelism,
        };
        // `onlyReplaceFailedPods`: with podReplacementPolicy Failed a terminating pod still holds its place.
        let waiting = if str_at(job, "/spec/podReplacementPolicy") == "Failed" { terminating } else { 0 };
        let diff = want - active.len() as i64 - waiting;
        if diff > 0 && may_create && per_index.is_some() {
            let running: BTreeSet<i64> = active.iter().filter_map(|p| indexed::index_of(p)).collect();
            let mut held: BTreeSet<i64> = running.clone();
            if waiting > 0 {
                held.extend(terminating_pods.iter().filter_map(|p| indexed::index_of(p)));
            }
            let settled: BTreeSet<i64> = done.union(&lost).copied().collect();
            let last = per_index::last_failed(&counted_failures, c, &settled, &running);
            for ix in indexed::pending(c, &settled, &held, diff.min(MAX_BATCH)) {
                let before = last.get(&ix).copied();
                match per_index::remaining_backoff(before, now) {
                    0 => {
                        let mut object = indexed::with_index(new_pod(job), job, ix);
                        per_index::annotate(&mut object, per_index::next_counts(job, before));
                        out.creates += 1;
                        out.actions.push(Action::Create { resource: pods_rt(), namespace: Some(ns.clone()), object });
                    }
                    wait => out.requeue = Some(out.requeue.map_or(wait, |r| r.min(wait))),
                }
            }
        } else if diff > 0 && may_create {
            // Back off replacements after failures (10 s doubling to 6 min), counted since the last success.
            let last_success = succeeded_pods.iter().map(|p| finished_at(p)).max().unwrap_or(0);
            let recent: Vec<Millis> =
                counted_failures.iter().map(|p| finished_at(p)).filter(|t| *t >= last_success).collect();
            let wait = match recent.iter().max() {
                Some(last) => {
                    let backoff =
                        (POD_FAILURE_BACKOFF_MS << (recent.len() - 1).min(10)).min(MAX_POD_FAILURE_BACKOFF_MS);
                    (last + backoff).saturating_sub(now)
                }
                None => 0,
            };
            if wait > 0 {
                out.requeue = Some(wait);
            } else {
                let n = diff.min(MAX_BATCH);
                let pods: Vec<Value> = if indexed {
                    let mut running: BTreeSet<i64> = active.iter().filter_map(|p| indexed::index_of(p)).collect();
                    if waiting > 0 {
                        running.extend(terminating_pods.iter().filter_map(|p| indexed::index_of(p)));
                    }
                    let free = indexed::pending(c, &done, &running, n);
                    free.into_iter().map(|i| indexed::with_index(new_pod(job), job, i)).collect()
                } else {
                    (0..n).map(|_| new_pod(job)).collect()
                };
                out.creates = pods.len() as i64;
                for object in pods {
                    out.actions.push(Action::Create { resource: pods_rt(), namespace: Some(ns.clone()), object });
                }
            }
        } else if diff < 0 {
            let mut victims = active.clone();
            victims.stable_sort_by(|a, b| pods::deletion_order(a, 0, b, 0, now));
            for p in victims.into_iter().take((-diff) as usize) {
                out.actions.extend(delete(p));
            }
        }
        if let (Some(d), Some(s)) = (deadline, start) {
            let left = (s + d).saturating_sub(now).max(1);
            out.requeue = Some(out.requeue.map_or(left, |r| r.min(left)));
        }
    }

    let ready = active.iter().filter(|p| pods::is_ready(p)).count() as i64;
    let mut status = json!({"ready": if active_count == 0 { 0 } else { ready }, "terminating": terminating, "uncountedTerminatedPods": {}});
    for (f, n) in [("active", active_count), ("succeeded", succeeded), ("failed", failed)] {
        if n != 0 {
            status[f] = json!(n);
        }
    }
    if let Some(s) = start {
        status["startTime"] = json!(rfc3339(s));
    }
    if indexed && !done.is_empty() {
        status["completedIndexes"] = json!(indexed::format_intervals(&done));
    }
    if per_index.is_some() {
        status["failedIndexes"] = json!(indexed::format_intervals(&lost));
    }
    if let Some(t) =
        completion_time.or_else(|| job.at("/status/completionTime").and_then(Value::as_str).and_then(parse_rfc3339))
    {
        status["completionTime"] = json!(rfc3339(t));
    }
    if !conds.is_empty() {
        status["conditions"] = Value::Array(conds);
    }
    if job.get("status") != Some(&status) {
        out.actions.push(Action::UpdateStatus { resource: jobs(), object: objects::status_write(job, status) });
    }
    out
}

fn owner_key(inf: &Informers, pod: &Value) -> Option<ObjectKey> {
    let r = objects::controller_ref(pod)?;
    if r.get("kind").and_then(Value::as_str) != Some("Job") {
        return None;
    }
    let job = inf.get(jobs(), objects::namespace(pod), r.get("name").and_then(Value::as_str)?)?;
    (objects::uid(job) == r.get("uid").and_then(Value::as_str).unwrap_or("")).then(|| objects::key_of(job))
}

impl Controller for JobController {
    fn name(&self) -> &'static str {
        "job"
    }

    fn event_source(&self) -> &'static str {
        "job-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["jobs", "pods"]
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        if change.resource.plural == "jobs" {
            return vec![objects::key_of(&change.new)];
        }
        let Some(k) = owner_key(inf, &change.new) else { return Vec::new() };
        if change.event == crate::sim::apiserver::request::EventType::Added {
            self.expectations.creation_observed(&k);
        }
        vec![k]
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(job) = inf.get(jobs(), &key.0, &key.1) else {
            self.expectations.delete(key);
            return Vec::new();
        };
        if objects::is_deleting(job) {
            return Vec::new();
        }
        let synced = sync_job(inf, job, now, self.expectations.satisfied(key, now));
        if synced.creates > 0 {
            self.expectations.expect(key, synced.creates, [], now);
        }
        let mut out = synced.actions;
        if let Some(after) = synced.requeue {
            out.push(Action::Requeue { key: key.clone(), after });
        }
        out
    }

    fn on_result(
        &mut self,
        key: &ObjectKey,
        action: &Action,
        outcome: Outcome<'_>,
        inf: &Informers,
        _now: Millis,
    ) -> Vec<Action> {
        let Action::Create { .. } = action else { return Vec::new() };
        let regarding = inf.get(jobs(), &key.0, &key.1).cloned().unwrap_or(
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"namespace": key.0, "name": key.1}}),
        );
        self.expectations.pod_create_events(key, outcome, regarding)
    }
}

#[cfg(test)]
mod tests;
