//! The horizontal pod autoscaler (`pkg/controller/podautoscaler/horizontal.go`): every 15 s
//! (`--horizontal-pod-autoscaler-sync-period`) each HPA reads its target's scale, asks the Metrics API
//! for its pods' usage, proposes a replica count per metric, tempers the largest by stabilization and
//! rate limits, writes the target's `/scale` and reports status, conditions and events.
//!
//! ```text
//!  queue (every HPA once per 15 s) ─► reconcile: target's scale (informer) ─► LIST pods.metrics.k8s.io
//!  ─► on_result: per metric ceil(current × usage/target) ─► max ─► normalize ─► PUT scale
//!     ─► SuccessfulRescale event ─► PUT status (currentMetrics, AbleToScale/ScalingActive/ScalingLimited)
//! ```
//! Simplified: the target's scale is read from the informer cache (`scale::of` of the cached object)
//! rather than with a GET of `/scale`; a failed scale write is retried at the next sync without the
//! `FailedRescale` event.

mod behavior;
mod metric;
mod replicas;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use self::behavior::History;
use self::metric::Computed;
use super::Controller;
use super::objects::{self, str_at};
use crate::sim::api::pointer::Pointer;
use crate::sim::api::selector::parse_selector;
use crate::sim::api::{self, ResourceType, registry};
use crate::sim::apiserver::metrics::POD_METRICS;
use crate::sim::apiserver::scale;
use crate::sim::client::{Action, Change, Informers, ObjectKey, Outcome};
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, rfc3339};

/// `--horizontal-pod-autoscaler-sync-period`.
pub const SYNC_PERIOD_MS: Millis = 15_000;

fn hpas() -> &'static ResourceType {
    api::resolve("horizontalpodautoscalers").expect("HPAs are always served")
}

fn pods() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

/// The controller, with what it remembers per HPA (recommendations and rescales, as upstream's maps).
#[derive(Debug, Default)]
pub struct HpaController {
    history: BTreeMap<ObjectKey, History>,
}

/// The target's scale, or why it could not be read (`scaleForResourceMappings`).
fn target_scale(hpa: &Value, inf: &Informers) -> Result<(&'static ResourceType, Value), String> {
    let (api_version, kind) =
        (str_at(hpa, "/spec/scaleTargetRef/apiVersion"), str_at(hpa, "/spec/scaleTargetRef/kind"));
    let name = str_at(hpa, "/spec/scaleTargetRef/name");
    let rt = registry::for_kind(api_version, kind).map_err(|_| {
        let group = registry::split_api_version(api_version).0;
        format!("no matches for kind \"{kind}\" in group \"{group}\"")
    })?;
    if !scale::served(rt) {
        return Err("the server could not find the requested resource".into());
    }
    let obj = inf
        .get(rt, objects::namespace(hpa), name)
        .ok_or_else(|| format!("{} \"{name}\" not found", rt.group_resource()))?;
    Ok((rt, scale::of(obj)))
}

/// `setConditionInList`: updates in place (keeping the order), moving the transition time only when
/// the status changes.
fn set_condition(conditions: &mut Vec<Value>, ty: &str, status: bool, reason: &str, message: &str, now: Millis) {
    let status = if status { "True" } else { "False" };
    let pos = conditions.iter().position(|c| str_at(c, "/type") == ty).unwrap_or_else(|| {
        conditions.push(json!({"type": ty}));
        conditions.len() - 1
    });
    let c = &mut conditions[pos];
    if str_at(c, "/status") != status {
        c["lastTransitionTime"] = json!(rfc3339(now));
    }
    c["status"] = json!(status);
    c["reason"] = json!(reason);
    c["message"] = json!(message);
}

/// What the metrics ask for: (replicas, the rescale's reason, the metrics' statuses).
type Desired = (i64, String, Option<Vec<Value>>);

/// One sync's working state: the HPA's new status and the writes to make.
struct Sync<'a> {
    hpa: &'a Value,
    now: Millis,
    conditions: Vec<Value>,
    actions: Vec<Action>,
}

impl Sync<'_> {
    fn condition(&mut self, ty: &str, status: bool, reason: &str, message: &str) {
        set_condition(&mut self.conditions, ty, status, reason, message, self.now);
    }

    fn event(&mut self, warning: bool, reason: &str, message: String) {
        let event_type = if warning { "Warning" } else { "Normal" };
        self.actions.push(Action::Event { regarding: self.hpa.clone(), event_type, reason: reason.into(), message });
    }

    /// `setStatus` + `updateStatusIfNeeded`: writes the status only when it changed.
    fn finish(mut self, current: i64, desired: i64, metrics: Option<Vec<Value>>, rescaled: bool) -> Vec<Action> {
        let old = self.hpa.get("status").cloned().unwrap_or(json!({}));
        let mut status = json!({"currentReplicas": current, "desiredReplicas": desired});
        let last = if rescaled { Some(json!(rfc3339(self.now))) } else { old.get("lastScaleTime").cloned() };
        if let Some(t) = last {
            status["lastScaleTime"] = t;
        }
        if let Some(m) = metrics.filter(|m| !m.is_empty()) {
            status["currentMetrics"] = json!(m);
        }
        if !self.conditions.is_empty() {
            status["conditions"] = json!(self.conditions);
        }
        if status != old {
            let mut obj = objects::status_write(self.hpa, status);
            // The only writer of this status: unconditional, so a scale write's echo cannot conflict.
            if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
            }
            self.actions.push(Action::UpdateStatus { resource: hpas(), object: obj });
        }
        self.actions
    }
}

impl HpaController {
    /// `reconcileAutoscaler`. `metrics` is the Metrics API's answer once it has been asked; `None`
    /// returns the query when the metrics are needed.
    fn sync(
        &mut self,
        key: &ObjectKey,
        inf: &Informers,
        now: Millis,
        metrics: Option<Result<&Value, &str>>,
    ) -> Vec<Action> {
        let Some(hpa) = inf.get(hpas(), &key.0, &key.1) else {
            self.history.remove(key);
            return Vec::new();
        };
        let conditions = hpa.at("/status/conditions").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut s = Sync { hpa, now, conditions, actions: Vec::new() };
        let old_desired = hpa.at("/status/desiredReplicas").and_then(Value::as_i64).unwrap_or(0);
        let (rt, scale) = match target_scale(hpa, inf) {
            Ok(t) => t,
            Err(e) => {
                s.event(true, "FailedGetScale", e.clone());
                let msg = format!("the HPA controller was unable to get the target's current scale: {e}");
                s.condition("AbleToScale", false, "FailedGetScale", &msg);
                let current = hpa.at("/status/currentReplicas").and_then(Value::as_i64).unwrap_or(0);
                return s.finish(current, old_desired, None, false);
            }
        };
        s.condition(
            "AbleToScale",
            true,
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        );
        let current = scale.at("/spec/replicas").and_then(Value::as_i64).unwrap_or(0);
        let min = hpa.at("/spec/minReplicas").and_then(Value::as_i64).unwrap_or(1);
        let max = hpa.at("/spec/maxReplicas").and_then(Value::as_i64).unwrap_or(1);
        let (desired, reason, statuses) = if current == 0 && min != 0 {
            let msg = "scaling is disabled since the replica count of the target is zero";
            s.condition("ScalingActive", false, "ScalingDisabled", msg);
            (0, String::new(), None)
        } else if current > max {
            (max, "Current number of replicas above Spec.MaxReplicas".to_string(), None)
        } else if current < min {
            (min, "Current number of replicas below Spec.MinReplicas".to_string(), None)
        } else {
            let Some(metrics) = metrics else {
                let selector = str_at(&scale, "/status/selector").to_string();
                return vec![Action::List {
                    resource: &POD_METRICS,
                    namespace: Some(key.0.clone()),
                    label_selector: Some(selector),
                }];
            };
            let Ok(selector) = parse_selector(str_at(&scale, "/status/selector")) else {
                s.condition(
                    "ScalingActive",
                    false,
                    "InvalidSelector",
                    "the HPA target's scale has an invalid selector",
                );
                return s.finish(current, old_desired, None, false);
            };
            if selector.requirements.is_empty() {
                s.event(true, "SelectorRequired", "selector is required".into());
                s.condition("ScalingActive", false, "InvalidSelector", "the HPA target's scale is missing a selector");
                return s.finish(current, old_desired, None, false);
            }
            let targeted: Vec<&Value> = inf.list(pods(), Some(&key.0)).filter(|p| selector.matches_object(p)).collect();
            match self.desired_from_metrics(&mut s, key, current, (min, max), &targeted, metrics) {
                Ok(r) => r,
                Err(statuses) => return s.finish(current, old_desired, Some(statuses), false),
            }
        };
        let rescale = desired != current;
        if rescale {
            s.actions.push(Action::UpdateScale {
                resource: rt,
                namespace: key.0.clone(),
                name: str_at(hpa, "/spec/scaleTargetRef/name").to_string(),
                replicas: desired,
            });
            let msg = format!("the HPA controller was able to update the target scale to {desired}");
            s.condition("AbleToScale", true, "SucceededRescale", &msg);
            s.event(false, "SuccessfulRescale", format!("New size: {desired}; reason: {reason}"));
            let behavior = hpa.at("/spec/behavior");
            self.history.entry(key.clone()).or_default().record_rescale(behavior, current, desired, now);
        }
        s.finish(current, desired, statuses, rescale)
    }

    /// `computeReplicasForMetrics` and the normalization: (desired, rescale reason, metric statuses),
    /// or the statuses when no metric could be computed (or some failed and the rest would scale down).
    fn desired_from_metrics(
        &mut self,
        s: &mut Sync<'_>,
        key: &ObjectKey,
        current: i64,
        bounds: (i64, i64),
        targeted: &[&Value],
        metrics: Result<&Value, &str>,
    ) -> Result<Desired, Vec<Value>> {
        let specs = metric::specs(s.hpa);
        let mut statuses = vec![json!({"type": ""}); specs.len()];
        let (mut proposed, mut name) = (0, String::new());
        let mut invalid: Option<(&'static str, String, String)> = None;
        let mut invalid_count = 0;
        for (i, spec) in specs.iter().enumerate() {
            match metric::compute(spec, current, targeted, metrics, s.now) {
                Computed::Ok { proposal, status, name: n } => {
                    statuses[i] = status;
                    if proposed == 0 || proposal.replicas > proposed {
                        (proposed, name) = (proposal.replicas, n);
                    }
                }
                Computed::Failed { reason, inner, outer } => {
                    s.event(true, reason, inner.clone());
                    invalid_count += 1;
                    invalid.get_or_insert((reason, inner, outer));
                }
            }
        }
        if let Some((reason, inner, outer)) = &invalid
            && (invalid_count >= specs.len() || proposed < current)
        {
            let msg = format!("the HPA was unable to compute the replica count: {inner}");
            s.condition("ScalingActive", false, reason, &msg);
            let all =
                format!("invalid metrics ({invalid_count} invalid out of {}), first error is: {outer}", specs.len());
            s.event(true, "FailedComputeMetricsReplicas", all);
            return Err(statuses);
        }
        let msg = format!("the HPA was able to successfully calculate a replica count from {name}");
        s.condition("ScalingActive", true, "ValidMetricFound", &msg);
        let reason = match proposed.cmp(&current) {
            std::cmp::Ordering::Greater => format!("{name} above target"),
            std::cmp::Ordering::Less => "All metrics below target".to_string(),
            std::cmp::Ordering::Equal => String::new(),
        };
        let n = self.history.entry(key.clone()).or_default().normalize(
            s.hpa.at("/spec/behavior"),
            current,
            proposed,
            bounds,
            s.now,
        );
        s.condition("AbleToScale", true, n.able.0, n.able.1);
        s.condition("ScalingLimited", n.limited, n.limit.0, n.limit.1);
        Ok((n.replicas, reason, Some(statuses)))
    }
}

impl Controller for HpaController {
    fn name(&self) -> &'static str {
        "horizontalpodautoscaling"
    }

    fn event_source(&self) -> &'static str {
        "horizontal-pod-autoscaler"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["horizontalpodautoscalers", "pods", "deployments", "replicasets", "statefulsets", "replicationcontrollers"]
    }

    fn enqueue_delay(&self) -> Millis {
        SYNC_PERIOD_MS
    }

    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        if change.resource.plural == "horizontalpodautoscalers" {
            vec![objects::key_of(&change.new)]
        } else {
            Vec::new()
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let mut actions = self.sync(key, inf, now, None);
        if inf.get(hpas(), &key.0, &key.1).is_some() {
            actions.push(Action::Requeue { key: key.clone(), after: SYNC_PERIOD_MS });
        }
        actions
    }

    fn on_result(
        &mut self,
        key: &ObjectKey,
        action: &Action,
        outcome: Outcome<'_>,
        inf: &Informers,
        now: Millis,
    ) -> Vec<Action> {
        if !matches!(action, Action::List { .. }) {
            return Vec::new();
        }
        match outcome {
            Outcome::Done(list) => self.sync(key, inf, now, Some(Ok(list))),
            Outcome::Failed(status) => self.sync(key, inf, now, Some(Err(&status.message))),
            Outcome::Skipped => Vec::new(),
        }
    }
}
