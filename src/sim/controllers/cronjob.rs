//! The CronJob controller (`pkg/controller/cronjob`, v2): on the virtual clock, creates a Job per
//! schedule time, named `<cronjob>-<scheduled time in minutes since the Unix epoch>` (the name is the
//! lock that keeps a time from running twice), honours `concurrencyPolicy`, `startingDeadlineSeconds`,
//! `suspend`, and keeps `successfulJobsHistoryLimit` / `failedJobsHistoryLimit` finished Jobs.
//!
//! Schedules are parsed by `api::cron` (robfig/cron's rules and messages). Simplified: `timeZone` is
//! ignored (schedules run in UTC, the default of kube-controller-manager in a container).

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::{Value, json};

use super::objects::{self, i64_at, str_at};
use super::{Controller, Outcome};
use crate::sim::api::cron::{CronSchedule as Schedule, parse_cron};
use crate::sim::api::{self, ResourceType};
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::{EPOCH_UNIX_SECS, Millis, parse_rfc3339, rfc3339};

/// `nextScheduleDelta`: wake a little after the schedule time.
const NEXT_SCHEDULE_DELTA_MS: Millis = 100;
/// More missed times than this and the controller complains (and starts only the latest).
const MAX_MISSED: usize = 100;

fn cronjobs() -> &'static ResourceType {
    api::resolve("cronjobs").expect("cronjobs are always served")
}

fn jobs() -> &'static ResourceType {
    api::resolve("jobs").expect("jobs are always served")
}

#[derive(Debug, Default)]
pub struct CronJobController {
    /// The status a sync computed while its Job create is in flight; the create's answer adds the Job.
    pending: std::collections::BTreeMap<ObjectKey, Value>,
    /// Jobs this controller created, by uid, until its cache shows them in `status.active` (upstream
    /// re-reads the CronJob from the apiserver to tell them from strangers).
    created: std::collections::BTreeSet<String>,
}

fn unix(ms: Millis) -> i64 {
    EPOCH_UNIX_SECS + (ms / 1000) as i64
}

fn virtual_ms(unix_secs: i64) -> Millis {
    ((unix_secs - EPOCH_UNIX_SECS).max(0) as Millis) * 1000
}

/// `getJobName`.
pub fn job_name(cronjob: &str, scheduled: Millis) -> String {
    format!("{cronjob}-{}", unix(scheduled).div_euclid(60))
}

/// The finished condition of a Job (`Complete` or `Failed`), if any.
fn finished(job: &Value) -> Option<&'static str> {
    ["Complete", "Failed"].into_iter().find(|t| objects::condition_true(job, t))
}

/// `mostRecentScheduleTime`: the latest missed time (if any) and how many were missed.
fn most_recent(cj: &Value, sched: &Schedule, now: Millis) -> (Option<Millis>, usize) {
    let mut earliest = cj
        .at("/status/lastScheduleTime")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .unwrap_or_else(|| objects::created_ms(cj));
    if let Some(d) = cj.at("/spec/startingDeadlineSeconds").and_then(Value::as_i64) {
        earliest = earliest.max(now.saturating_sub(d.max(0) as Millis * 1000));
    }
    let (mut t, mut last, mut n) = (unix(earliest), None, 0);
    while let Some(next) = sched.next_after(t) {
        if next > unix(now) {
            break;
        }
        last = Some(virtual_ms(next));
        n += 1;
        t = next;
        if n > MAX_MISSED * 10 {
            break;
        }
    }
    (last, n)
}

/// When to look again: just after the next schedule time.
fn requeue_after(sched: &Schedule, now: Millis) -> Option<Millis> {
    sched.next_after(unix(now)).map(|t| virtual_ms(t).saturating_sub(now) + NEXT_SCHEDULE_DELTA_MS)
}

/// `getJobFromTemplate2`.
fn job_for(cj: &Value, scheduled: Millis) -> Value {
    let t = cj.at("/spec/jobTemplate").cloned().unwrap_or(json!({}));
    let mut annotations = t.at("/metadata/annotations").cloned().unwrap_or(json!({}));
    annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = json!(rfc3339(scheduled));
    let mut job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name(objects::name(cj), scheduled),
            "namespace": objects::namespace(cj),
            "annotations": annotations,
            "ownerReferences": [objects::controller_ref_to(cj, cronjobs())],
        },
        "spec": t.get("spec").cloned().unwrap_or(json!({})),
    });
    if let Some(l) = t.at("/metadata/labels") {
        job["metadata"]["labels"] = l.clone();
    }
    job
}

fn event(cj: &Value, ty: &'static str, reason: &str, message: String) -> Action {
    Action::Event { regarding: cj.clone(), event_type: ty, reason: reason.into(), message }
}

fn job_ref(job: &Value) -> Value {
    json!({
        "apiVersion": "batch/v1", "kind": "Job", "name": objects::name(job), "namespace": objects::namespace(job),
        "uid": objects::uid(job), "resourceVersion": str_at(job, "/metadata/resourceVersion"),
    })
}

fn delete_job(cj: &Value, job: &Value) -> Vec<Action> {
    vec![
        Action::Delete {
            resource: jobs(),
            namespace: Some(objects::namespace(job).to_string()),
            name: objects::name(job).to_string(),
            propagation: Some("Background".into()),
            grace_seconds: None,
        },
        event(cj, "Normal", "SuccessfulDelete", format!("Deleted job {}", objects::name(job))),
    ]
}

/// `syncCronJob` + `cleanupFinishedJobs`: the writes, and when a Job is created, the status to write
/// once its create is answered.
pub fn sync_cronjob(
    inf: &Informers,
    cj: &Value,
    now: Millis,
    created: &std::collections::BTreeSet<String>,
) -> (Vec<Action>, Option<Value>) {
    let mut out = Vec::new();
    let mut status = cj.get("status").cloned().unwrap_or(json!({}));
    let mut active: Vec<Value> = status.get("active").and_then(Value::as_array).cloned().unwrap_or_default();
    let children: Vec<&Value> = inf.controlled_by(jobs(), objects::uid(cj)).collect();
    let in_active = |active: &[Value], uid: &str| active.iter().any(|r| str_at(r, "/uid") == uid);
    for job in &children {
        let uid = objects::uid(job);
        match finished(job) {
            None if !in_active(&active, uid) => {
                if !created.contains(uid) {
                    out.push(event(
                        cj,
                        "Warning",
                        "UnexpectedJob",
                        format!("Saw a job that the controller did not create or forgot: {}", objects::name(job)),
                    ));
                }
                active.push(job_ref(job));
            }
            Some(cond) => {
                if in_active(&active, uid) {
                    active.retain(|r| str_at(r, "/uid") != uid);
                    out.push(event(
                        cj,
                        "Normal",
                        "SawCompletedJob",
                        format!("Saw completed job: {}, condition: {cond}", objects::name(job)),
                    ));
                }
                if cond == "Complete" {
                    let done = job.at("/status/completionTime").and_then(Value::as_str).and_then(parse_rfc3339);
                    let last = status.get("lastSuccessfulTime").and_then(Value::as_str).and_then(parse_rfc3339);
                    if let Some(d) = done.filter(|d| last.is_none_or(|l| *d > l)) {
                        status["lastSuccessfulTime"] = json!(rfc3339(d));
                    }
                }
            }
            None => {}
        }
    }
    active.retain(|r| {
        let gone = !children.iter().any(|j| objects::uid(j) == str_at(r, "/uid"));
        if gone {
            out.push(event(cj, "Normal", "MissingJob", format!("Active job went missing: {}", str_at(r, "/name"))));
        }
        !gone
    });
    out.extend(cleanup_finished(cj, &children));
    let mut requeue = None;
    let mut create = None;
    let suspended = cj.at("/spec/suspend").and_then(Value::as_bool) == Some(true);
    if !objects::is_deleting(cj) && !suspended {
        match parse_cron(str_at(cj, "/spec/schedule")) {
            Err(e) => out.push(event(
                cj,
                "Warning",
                "UnparseableSchedule",
                format!("unparseable schedule: {:?} : {e}", str_at(cj, "/spec/schedule")),
            )),
            Ok(sched) => {
                requeue = requeue_after(&sched, now);
                let (scheduled, missed) = most_recent(cj, &sched, now);
                if missed > MAX_MISSED {
                    out.push(event(cj, "Warning", "TooManyMissedTimes", format!("too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew")));
                }
                if let Some(t) = scheduled {
                    let too_late = cj
                        .at("/spec/startingDeadlineSeconds")
                        .and_then(Value::as_i64)
                        .is_some_and(|d| t + (d.max(0) as Millis) * 1000 < now);
                    let name = job_name(objects::name(cj), t);
                    let done = active.iter().any(|r| str_at(r, "/name") == name)
                        || status.get("lastScheduleTime").and_then(Value::as_str).and_then(parse_rfc3339) == Some(t);
                    let policy = str_at(cj, "/spec/concurrencyPolicy");
                    if too_late {
                        out.push(event(
                            cj,
                            "Warning",
                            "MissSchedule",
                            format!("Missed scheduled time to start a job: {}", rfc1123z(t)),
                        ));
                    } else if done {
                    } else if policy == "Forbid" && !active.is_empty() {
                        out.push(event(
                            cj,
                            "Normal",
                            "JobAlreadyActive",
                            "Not starting job because prior execution is running and concurrency policy is Forbid"
                                .into(),
                        ));
                    } else if policy == "Replace" && !active.is_empty() {
                        for r in &active {
                            if let Some(j) = children.iter().find(|j| objects::uid(j) == str_at(r, "/uid")) {
                                out.extend(delete_job(cj, j));
                            }
                        }
                        // Upstream returns an error here so the create follows in a new sync.
                        requeue = Some(1000);
                    } else {
                        create = Some(t);
                    }
                }
            }
        }
    }
    status["active"] = Value::Array(active);
    if status["active"].as_array().is_some_and(Vec::is_empty) {
        status.as_object_mut().map(|m| m.remove("active"));
    }
    if let Some(t) = create {
        // The Job's uid is only known from the create's answer: `on_result` adds it to `active`.
        out.push(Action::Create {
            resource: jobs(),
            namespace: Some(objects::namespace(cj).to_string()),
            object: job_for(cj, t),
        });
        status["lastScheduleTime"] = json!(rfc3339(t));
    }
    if let Some(after) = requeue {
        out.push(Action::Requeue { key: objects::key_of(cj), after });
    }
    if create.is_some() {
        return (out, Some(status));
    }
    if cj.get("status").cloned().unwrap_or(json!({})) != status {
        out.push(Action::UpdateStatus { resource: cronjobs(), object: objects::status_write(cj, status) });
    }
    (out, None)
}

/// `time.RFC1123Z` as the MissSchedule event prints it.
fn rfc1123z(t: Millis) -> String {
    let s = rfc3339(t);
    let days = (t / 1000) as i64 / 86_400 + (EPOCH_UNIX_SECS / 86_400);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m: usize = s[5..7].parse().unwrap_or(1);
    format!("{wd}, {} {} {} {} +0000", &s[8..10], month[(m.max(1) - 1).min(11)], &s[0..4], &s[11..19])
}

/// `cleanupFinishedJobs`: keep the newest `successfulJobsHistoryLimit` (3) and `failedJobsHistoryLimit` (1).
fn cleanup_finished(cj: &Value, children: &[&Value]) -> Vec<Action> {
    let mut out = Vec::new();
    for (cond, field, default) in
        [("Complete", "successfulJobsHistoryLimit", 3), ("Failed", "failedJobsHistoryLimit", 1)]
    {
        let limit = i64_at(cj, &format!("/spec/{field}"), default).max(0) as usize;
        let mut done: Vec<&&Value> =
            children.iter().filter(|j| finished(j) == Some(cond) && !objects::is_deleting(j)).collect();
        if done.len() <= limit {
            continue;
        }
        let started = |j: &Value| {
            j.at("/status/startTime")
                .and_then(Value::as_str)
                .and_then(parse_rfc3339)
                .unwrap_or_else(|| objects::created_ms(j))
        };
        done.stable_sort_by(|a, b| (started(a), objects::name(a)).cmp(&(started(b), objects::name(b))));
        let n = done.len() - limit;
        for j in done.into_iter().take(n) {
            out.extend(delete_job(cj, j));
        }
    }
    out
}

fn owner_key(inf: &Informers, job: &Value) -> Option<ObjectKey> {
    let r = objects::controller_ref(job)?;
    if r.get("kind").and_then(Value::as_str) != Some("CronJob") {
        return None;
    }
    let cj = inf.get(cronjobs(), objects::namespace(job), r.get("name").and_then(Value::as_str)?)?;
    (objects::uid(cj) == r.get("uid").and_then(Value::as_str).unwrap_or("")).then(|| objects::key_of(cj))
}

impl Controller for CronJobController {
    fn name(&self) -> &'static str {
        "cronjob"
    }

    fn event_source(&self) -> &'static str {
        "cronjob-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["cronjobs", "jobs"]
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        if change.resource.plural == "cronjobs" {
            return vec![objects::key_of(&change.new)];
        }
        owner_key(inf, &change.new).into_iter().collect()
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(cj) = inf.get(cronjobs(), &key.0, &key.1) else { return Vec::new() };
        let cached_active = |uid: &String| {
            cj.at("/status/active")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|r| str_at(r, "/uid") == uid))
        };
        self.created.retain(|u| !cached_active(u));
        let (out, pending) = sync_cronjob(inf, cj, now, &self.created);
        match pending {
            Some(st) => self.pending.insert(key.clone(), st),
            None => self.pending.remove(key),
        };
        out
    }

    /// After the create: the `SuccessfulCreate` event, and the status with the new Job in `active`.
    fn on_result(
        &mut self,
        key: &ObjectKey,
        action: &Action,
        outcome: Outcome<'_>,
        inf: &Informers,
        _now: Millis,
    ) -> Vec<Action> {
        let Action::Create { object, .. } = action else { return Vec::new() };
        let Some(cj) = inf.get(cronjobs(), &key.0, &key.1) else { return Vec::new() };
        let scheduled =
            objects::annotation(object, "batch.kubernetes.io/cronjob-scheduled-timestamp").and_then(parse_rfc3339);
        let mut status = self.pending.remove(key).unwrap_or_else(|| cj.get("status").cloned().unwrap_or(json!({})));
        let job = match outcome {
            Outcome::Done(job) => {
                self.created.insert(objects::uid(job).to_string());
                let mut out =
                    vec![event(cj, "Normal", "SuccessfulCreate", format!("Created job {}", objects::name(job)))];
                let mut active = status.get("active").and_then(Value::as_array).cloned().unwrap_or_default();
                active.push(job_ref(job));
                status["active"] = Value::Array(active);
                if let Some(t) = scheduled {
                    status["lastScheduleTime"] = json!(rfc3339(t));
                }
                out.push(Action::UpdateStatus { resource: cronjobs(), object: objects::status_write(cj, status) });
                return out;
            }
            Outcome::Failed(s) if s.reason == crate::sim::apiserver::status::Reason::AlreadyExists => {
                inf.get(jobs(), &key.0, objects::name(object))
            }
            Outcome::Failed(s) => {
                return vec![event(cj, "Warning", "FailedCreate", format!("Error creating job: {}", s.message))];
            }
            Outcome::Skipped => return Vec::new(),
        };
        // Already created earlier (the status write was lost): record it if it is ours and missing.
        match job {
            Some(j)
                if objects::is_controlled_by(j, cj)
                    && !status
                        .get("active")
                        .and_then(Value::as_array)
                        .is_some_and(|a| a.iter().any(|r| str_at(r, "/uid") == objects::uid(j))) =>
            {
                let mut active = status.get("active").and_then(Value::as_array).cloned().unwrap_or_default();
                active.push(job_ref(j));
                status["active"] = Value::Array(active);
                if let Some(t) = scheduled {
                    status["lastScheduleTime"] = json!(rfc3339(t));
                }
                vec![Action::UpdateStatus { resource: cronjobs(), object: objects::status_write(cj, status) }]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
