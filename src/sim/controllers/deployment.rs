//! The Deployment controller (`pkg/controller/deployment`): one ReplicaSet per pod template (named
//! `<deployment>-<pod-template-hash>`), rolled over by the RollingUpdate or Recreate strategy.
//!
//! ```text
//!  sync(d) ─ selector {}? ──► SelectingAll warning
//!          ─ being deleted ──► status only
//!          ─ paused ─────────► Progressing=Unknown DeploymentPaused; proportional scale; history cleanup
//!          ─ scaling event ──► proportional scale (desired-replicas annotation != spec.replicas)
//!          ─ Recreate ───────► old RSs to 0, wait for old pods to stop, new RS to full size
//!          ─ RollingUpdate ──► new RS up within maxSurge, old RSs down within maxUnavailable
//! ```
//! `kubectl rollout undo` writes an old template into the Deployment; the controller then finds the
//! ReplicaSet with that template and gives it the next revision.

use crate::sim::api::pointer::Pointer;
mod progress;
mod recreate;
mod replicasets_of;
mod rolling;
mod scale;
mod state;

use serde_json::Value;

use self::state::State;
use super::claim;
use super::objects::{self, i64_at};
use super::{Controller, Outcome, pods};
use crate::sim::api::selector;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::apiserver::status::Reason;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

pub const ANN_REVISION: &str = "deployment.kubernetes.io/revision";
pub const ANN_REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const ANN_DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
pub const ANN_MAX: &str = "deployment.kubernetes.io/max-replicas";
/// The label that ties a ReplicaSet and its pods to one pod template.
pub const HASH_LABEL: &str = "pod-template-hash";

fn deployments() -> &'static ResourceType {
    api::resolve("deployments").expect("deployments are always served")
}

fn replicasets() -> &'static ResourceType {
    api::resolve("replicasets").expect("replicasets are always served")
}

fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

/// `spec.replicas` (defaulted to 1).
pub fn replicas(obj: &Value) -> i64 {
    i64_at(obj, "/spec/replicas", 1)
}

pub fn is_rolling(d: &Value) -> bool {
    objects::str_at(d, "/spec/strategy/type") != "Recreate"
}

/// `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down; if both come to 0, unavailable is 1.
pub fn fenceposts(d: &Value) -> (i64, i64) {
    let n = replicas(d);
    let ru = d.at("/spec/strategy/rollingUpdate");
    let default = serde_json::json!("25%");
    // Defaulting gives each missing field 25%.
    let field = |f: &str| ru.and_then(|r| r.get(f)).filter(|v| !v.is_null()).unwrap_or(&default);
    let surge = objects::int_or_percent(Some(field("maxSurge")), n, true).unwrap_or(0);
    let unavailable = objects::int_or_percent(Some(field("maxUnavailable")), n, false).unwrap_or(0);
    if surge == 0 && unavailable == 0 { (0, 1) } else { (surge, unavailable) }
}

pub fn max_surge(d: &Value) -> i64 {
    if !is_rolling(d) {
        return 0;
    }
    fenceposts(d).0
}

pub fn max_unavailable(d: &Value) -> i64 {
    let n = replicas(d);
    if !is_rolling(d) || n == 0 {
        return 0;
    }
    fenceposts(d).1.min(n)
}

#[derive(Debug, Default)]
pub struct DeploymentController;

/// The Deployment that controls a ReplicaSet (by controllerRef), if cached with that uid.
fn owner_of(inf: &Informers, rs: &Value) -> Option<ObjectKey> {
    let r = objects::controller_ref(rs)?;
    if r.get("kind").and_then(Value::as_str) != Some("Deployment") {
        return None;
    }
    let d = inf.get(deployments(), objects::namespace(rs), r.get("name").and_then(Value::as_str)?)?;
    (objects::uid(d) == r.get("uid").and_then(Value::as_str).unwrap_or("")).then(|| objects::key_of(d))
}

fn rs_keys(inf: &Informers, change: &Change) -> Vec<ObjectKey> {
    let rs = &change.new;
    let mut keys: Vec<ObjectKey> = Vec::new();
    match owner_of(inf, rs) {
        Some(k) => keys.push(k),
        None if objects::controller_ref(rs).is_none() && change.event != EventType::Deleted => {
            // An orphan: every Deployment whose selector matches may adopt it.
            keys.extend(
                inf.list(deployments(), Some(objects::namespace(rs)))
                    .filter(|d| selector::selects(d.get("spec").and_then(|s| s.get("selector")), rs))
                    .map(objects::key_of),
            );
        }
        None => {}
    }
    if let Some(k) = change.old.as_deref().and_then(|o| owner_of(inf, o))
        && !keys.contains(&k)
    {
        keys.push(k);
    }
    keys
}

/// Recreate waits for old pods to be gone: a deleted pod wakes its Deployment.
fn pod_keys(inf: &Informers, change: &Change) -> Vec<ObjectKey> {
    if change.event != EventType::Deleted {
        return Vec::new();
    }
    let Some(rs_ref) = objects::controller_ref(&change.new) else { return Vec::new() };
    let Some(rs) = rs_ref
        .get("name")
        .and_then(Value::as_str)
        .and_then(|n| inf.get(replicasets(), objects::namespace(&change.new), n))
    else {
        return Vec::new();
    };
    match owner_of(inf, rs) {
        Some(k) if inf.get(deployments(), &k.0, &k.1).is_some_and(|d| !is_rolling(d)) => vec![k],
        _ => Vec::new(),
    }
}

impl Controller for DeploymentController {
    fn name(&self) -> &'static str {
        "deployment"
    }

    fn event_source(&self) -> &'static str {
        "deployment-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["deployments", "replicasets", "pods"]
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        match change.resource.plural {
            "deployments" => vec![objects::key_of(&change.new)],
            "replicasets" => rs_keys(inf, change),
            _ => pod_keys(inf, change),
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(d) = inf.get(deployments(), &key.0, &key.1) else { return Vec::new() };
        sync_deployment(inf, d, now)
    }

    fn on_result(
        &mut self,
        key: &ObjectKey,
        action: &Action,
        outcome: Outcome<'_>,
        inf: &Informers,
        now: Millis,
    ) -> Vec<Action> {
        let Action::Create { object, .. } = action else { return Vec::new() };
        let Outcome::Failed(s) = outcome else { return Vec::new() };
        let Some(d) = inf.get(deployments(), &key.0, &key.1) else { return Vec::new() };
        replicasets_of::create_failed(inf, d, object, s, now)
            .into_iter()
            .chain((s.reason != Reason::AlreadyExists).then(|| Action::Event {
                regarding: d.clone(),
                event_type: "Warning",
                reason: "ReplicaSetCreateError".into(),
                message: format!("Failed to create new replica set {:?}: {}", objects::name(object), s.message),
            }))
            .collect()
    }
}

/// `syncDeployment`.
pub fn sync_deployment(inf: &Informers, d: &Value, now: Millis) -> Vec<Action> {
    let selector = d.at("/spec/selector");
    if selector.is_some_and(selector::is_empty_label_selector) {
        let mut out = vec![Action::Event {
            regarding: d.clone(),
            event_type: "Warning",
            reason: "SelectingAll".into(),
            message: "This deployment is selecting all pods. A non-empty selector is required.".into(),
        }];
        if i64_at(d, "/status/observedGeneration", 0) < objects::generation(d) {
            let mut w = d.clone();
            w["status"]["observedGeneration"] = objects::generation(d).into();
            out.push(Action::UpdateStatus { resource: deployments(), object: w });
        }
        return out;
    }
    let claimed = claim::claim(inf, d, deployments(), replicasets(), selector);
    let rss: Vec<Value> = claimed.owned.iter().map(|v| (*v).clone()).collect();
    let mut st = State::new(inf, d, rss, claimed.patches, now);
    if objects::is_deleting(d) {
        replicasets_of::sync_revision(&mut st, false);
        progress::sync_status(&mut st);
        return st.finish();
    }
    progress::check_paused(&mut st);
    if d.at("/spec/paused").and_then(Value::as_bool) == Some(true) {
        scale::sync(&mut st);
        return st.finish();
    }
    if scale::is_scaling_event(&mut st) {
        scale::sync(&mut st);
        return st.finish();
    }
    if is_rolling(d) {
        rolling::rollout(&mut st);
    } else {
        recreate::rollout(&mut st);
    }
    st.finish()
}

/// Pods of the Deployment's ReplicaSets, by ReplicaSet index in `st.rss` (for Recreate).
fn pods_by_rs<'a>(st: &State<'a>) -> Vec<Vec<&'a Value>> {
    st.rss.iter().map(|rs| st.inf.controlled_by(pods_rt(), objects::uid(rs)).collect()).collect()
}

/// `oldPodsRunning`: any old ReplicaSet still counts pods, or a pod of an old one may still run.
fn old_pods_running(st: &State<'_>) -> bool {
    if st.sum_status(&st.olds(), "replicas") > 0 {
        return true;
    }
    let by_rs = pods_by_rs(st);
    st.olds().into_iter().any(|i| by_rs[i].iter().any(|p| !matches!(pods::phase(p), "Failed" | "Succeeded")))
}

#[cfg(test)]
mod tests;
