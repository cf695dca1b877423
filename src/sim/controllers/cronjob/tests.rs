//! CronJob scenarios on the virtual clock.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::*;
use crate::sim::controllers::testutil::*;

const MIN: Millis = 60_000;

fn cronjob(schedule: &str, policy: &str) -> Value {
    json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"namespace": "default", "name": "hello", "uid": "uid-hello", "creationTimestamp": rfc3339(0), "resourceVersion": "3"},
        "spec": {"schedule": schedule, "concurrencyPolicy": policy,
            "jobTemplate": {"metadata": {"labels": {"team": "a"}}, "spec": {"template": template("hello", "busybox")}}}
    })
}

fn child(cj: &Value, scheduled: Millis, finished: Option<&str>) -> Value {
    let mut j = job_for(cj, scheduled);
    j["metadata"]["uid"] = json!(format!("job-{scheduled}"));
    j["metadata"]["creationTimestamp"] = json!(rfc3339(scheduled));
    j["status"] = json!({"startTime": rfc3339(scheduled)});
    if let Some(c) = finished {
        j["status"]["conditions"] = json!([{"type": c, "status": "True"}]);
        j["status"]["completionTime"] = json!(rfc3339(scheduled + 5000));
    }
    j
}

fn sync(inf: &Informers, cj: &Value, now: Millis) -> (Vec<Action>, Option<Value>) {
    sync_cronjob(inf, cj, now, &BTreeSet::new())
}

#[test]
fn creates_the_job_for_the_latest_schedule_time_named_by_minutes_since_epoch() {
    let cj = cronjob("*/5 * * * *", "Allow");
    let mut inf = Informers::default();
    inf.insert(cj.clone());
    // Not yet due: only a wake-up just after 00:05.
    let (out, _) = sync(&inf, &cj, 2 * MIN);
    assert!(creates(&out, "Job").is_empty());
    assert!(out.contains(&Action::Requeue { key: ("default".into(), "hello".into()), after: 3 * MIN + 100 }));
    let (out, pending) = sync(&inf, &cj, 5 * MIN + 100);
    let job = creates(&out, "Job").remove(0);
    let minutes = (crate::sim::time::EPOCH_UNIX_SECS + 300) / 60;
    assert_eq!(job["metadata"]["name"], format!("hello-{minutes}"));
    assert_eq!(job["metadata"]["labels"]["team"], "a");
    assert_eq!(job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"], rfc3339(5 * MIN));
    assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    assert_eq!(pending.expect("status waits for the create")["lastScheduleTime"], rfc3339(5 * MIN));
}

#[test]
fn the_create_answer_records_the_job_in_active_with_an_event() {
    let cj = cronjob("*/5 * * * *", "Allow");
    let mut inf = Informers::default();
    inf.insert(cj.clone());
    let mut c = CronJobController::default();
    let key = ("default".to_string(), "hello".to_string());
    let out = c.reconcile(&key, &inf, 5 * MIN + 100, &mut Rng::new(1));
    let create = out.iter().find(|a| matches!(a, Action::Create { .. })).cloned().expect("a create");
    let made = child(&cj, 5 * MIN, None);
    let follow = c.on_result(&key, &create, Outcome::Done(&made), &inf, 5 * MIN + 200);
    assert_eq!(events(&follow), vec![("SuccessfulCreate".into(), format!("Created job {}", objects::name(&made)))]);
    let st = &status_updates(&follow, "CronJob")[0]["status"];
    assert_eq!(st["active"][0]["uid"], "job-300000");
    assert_eq!(st["lastScheduleTime"], rfc3339(5 * MIN));
}

#[test]
fn forbid_skips_while_a_job_runs_and_replace_deletes_it() {
    let mut cj = cronjob("*/5 * * * *", "Forbid");
    let running = child(&cj, 5 * MIN, None);
    cj["status"] = json!({"lastScheduleTime": rfc3339(5 * MIN), "active": [job_ref(&running)]});
    let mut inf = Informers::default();
    inf.insert(cj.clone());
    inf.insert(running.clone());
    let (out, _) = sync(&inf, &cj, 10 * MIN + 100);
    assert!(creates(&out, "Job").is_empty());
    assert!(events(&out).iter().any(|e| e.0 == "JobAlreadyActive"));

    cj["spec"]["concurrencyPolicy"] = json!("Replace");
    inf.insert(cj.clone());
    let (out, _) = sync(&inf, &cj, 10 * MIN + 100);
    assert_eq!(deletes(&out, "Job"), vec![objects::name(&running).to_string()]);
    assert!(creates(&out, "Job").is_empty(), "the replacement is created by the next sync");
}

#[test]
fn starting_deadline_misses_late_schedules() {
    let mut cj = cronjob("0 * * * *", "Allow");
    cj["spec"]["startingDeadlineSeconds"] = json!(30);
    let mut inf = Informers::default();
    inf.insert(cj.clone());
    // 00:00 is at virtual 0 + 60 min; at 61 min the start is 60 s late, past the 30 s deadline.
    let (out, _) = sync(&inf, &cj, 61 * MIN);
    assert!(creates(&out, "Job").is_empty());
    let (out, _) = sync(&inf, &cj, 60 * MIN + 20_000);
    assert_eq!(creates(&out, "Job").len(), 1, "20 s late is within the deadline");
}

#[test]
fn finished_jobs_leave_active_and_history_is_trimmed() {
    let mut cj = cronjob("*/5 * * * *", "Allow");
    let jobs: Vec<Value> = (1..=5).map(|i| child(&cj, i * 5 * MIN, Some("Complete"))).collect();
    cj["status"] = json!({"lastScheduleTime": rfc3339(25 * MIN), "active": [job_ref(&jobs[4])]});
    let mut inf = Informers::default();
    inf.insert(cj.clone());
    for j in &jobs {
        inf.insert(j.clone());
    }
    let (out, _) = sync(&inf, &cj, 26 * MIN);
    assert_eq!(
        deletes(&out, "Job"),
        vec![objects::name(&jobs[0]).to_string(), objects::name(&jobs[1]).to_string()],
        "successfulJobsHistoryLimit 3"
    );
    assert!(events(&out).contains(&(
        "SawCompletedJob".into(),
        format!("Saw completed job: {}, condition: Complete", objects::name(&jobs[4]))
    )));
    let st = &status_updates(&out, "CronJob")[0]["status"];
    assert!(st.get("active").is_none());
    assert_eq!(st["lastSuccessfulTime"], rfc3339(25 * MIN + 5000));
}

#[test]
fn bad_schedules_and_suspend() {
    let cj = cronjob("every minute", "Allow");
    let mut inf = Informers::default();
    inf.insert(cj.clone());
    let (out, _) = sync(&inf, &cj, MIN);
    assert_eq!(
        events(&out),
        vec![(
            "UnparseableSchedule".into(),
            "unparseable schedule: \"every minute\" : expected exactly 5 fields, found 2: [every minute]".into()
        )]
    );
    let mut s = cronjob("* * * * *", "Allow");
    s["spec"]["suspend"] = json!(true);
    let (out, _) = sync(&inf, &s, 10 * MIN);
    assert!(creates(&out, "Job").is_empty());
}

#[test]
fn missed_schedule_event_uses_rfc1123z() {
    assert_eq!(rfc1123z(0), "Wed, 01 Jan 2025 00:00:00 +0000");
}
