//! The TTL-after-finished controller (`pkg/controller/ttlafterfinished`): a finished Job with
//! `spec.ttlSecondsAfterFinished` is deleted (with its pods, in the background) that many seconds
//! after it finished.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::Controller;
use super::job::is_finished;
use super::objects::{self, str_at};
use crate::sim::api::{self, ResourceType};
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, parse_rfc3339};

fn jobs() -> &'static ResourceType {
    api::resolve("jobs").expect("jobs are always served")
}

#[derive(Debug, Default)]
pub struct TtlAfterFinishedController;

/// When the Job finished: the last transition of its Complete or Failed condition.
fn finished_at(job: &Value) -> Option<Millis> {
    ["Complete", "Failed"]
        .into_iter()
        .filter_map(|t| objects::condition(job, t))
        .filter(|c| str_at(c, "/status") == "True")
        .filter_map(|c| parse_rfc3339(str_at(c, "/lastTransitionTime")))
        .max()
}

/// `processJob`: delete when the TTL has run out, else look again when it will.
pub fn sync(job: &Value, now: Millis) -> Vec<Action> {
    let Some(ttl) = job.at("/spec/ttlSecondsAfterFinished").and_then(Value::as_i64) else { return Vec::new() };
    if objects::is_deleting(job) || !is_finished(job) {
        return Vec::new();
    }
    let Some(done) = finished_at(job) else { return Vec::new() };
    let expires = done + ttl.max(0) as Millis * 1000;
    if now < expires {
        return vec![Action::Requeue { key: objects::key_of(job), after: expires - now }];
    }
    vec![Action::Delete {
        resource: jobs(),
        namespace: Some(objects::namespace(job).to_string()),
        name: objects::name(job).to_string(),
        propagation: Some("Background".into()),
        grace_seconds: None,
    }]
}

impl Controller for TtlAfterFinishedController {
    fn name(&self) -> &'static str {
        "ttl-after-finished"
    }

    fn event_source(&self) -> &'static str {
        "ttl-after-finished-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["jobs"]
    }

    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        let ttl = change.new.at("/spec/ttlSecondsAfterFinished").is_some();
        if ttl && is_finished(&change.new) { vec![objects::key_of(&change.new)] } else { Vec::new() }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        inf.get(jobs(), &key.0, &key.1).map(|j| sync(j, now)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::time::rfc3339;
    use serde_json::json;

    fn job(ttl: Option<i64>, finished: Option<Millis>) -> Value {
        let mut j = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"namespace": "default", "name": "pi"}, "spec": {}});
        if let Some(t) = ttl {
            j["spec"]["ttlSecondsAfterFinished"] = json!(t);
        }
        if let Some(f) = finished {
            j["status"] =
                json!({"conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": rfc3339(f)}]});
        }
        j
    }

    #[test]
    fn deletes_finished_jobs_when_their_ttl_runs_out() {
        assert!(sync(&job(None, Some(0)), 100_000).is_empty(), "no TTL: kept");
        assert!(sync(&job(Some(10), None), 100_000).is_empty(), "not finished: kept");
        assert_eq!(
            sync(&job(Some(10), Some(5_000)), 6_000),
            vec![Action::Requeue { key: ("default".into(), "pi".into()), after: 9_000 }]
        );
        let out = sync(&job(Some(10), Some(5_000)), 15_000);
        assert!(
            matches!(&out[..], [Action::Delete { name, propagation: Some(p), .. }] if name == "pi" && p == "Background")
        );
        assert!(
            matches!(&sync(&job(Some(0), Some(5_000)), 5_000)[..], [Action::Delete { .. }]),
            "ttl 0 deletes at once"
        );
    }
}
