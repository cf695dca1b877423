//! The DaemonSet controller (`pkg/controller/daemon`): one pod on every node the pod template fits
//! (nodeSelector, required node affinity, NoSchedule/NoExecute taints against its tolerations).
//!
//! Pods are not bound here: each gets a required node affinity `matchFields metadata.name In [node]`
//! (since 1.12) and the scheduler places it. Daemon pods also get automatic tolerations, so they keep
//! running on not-ready or unreachable nodes and schedule onto nodes under pressure.
//!
//! A failed daemon pod is deleted (and replaced) behind a per-node back-off, 1 s doubling to 15 min
//! (`failedPodsBackoff`): when the kubelet keeps rejecting the pod the scheduler placed, the controller
//! and the kubelet would otherwise fight in a hot loop ("This is a critical place where DS is often
//! fighting with kubelet that rejects pods. We need to avoid hot looping and backoff.").

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::objects::{self, i64_at, str_at};
use super::{Controller, Outcome, pods};
use crate::sim::api::nodefit::{Effect, RequiredNodeAffinity, Taint, Toleration, find_untolerated};
use crate::sim::api::selector::object_labels;
use crate::sim::api::{self, ResourceType};
use crate::sim::client::Expectations;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::node::backoff::Backoff;
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

fn daemonsets() -> &'static ResourceType {
    api::resolve("daemonsets").expect("daemonsets are always served")
}

fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

fn nodes() -> &'static ResourceType {
    api::resolve("nodes").expect("nodes are always served")
}

/// `failedPodsBackoff`'s bounds, as kube-controller-manager creates it: `flowcontrol.NewBackOff(1s, 15m)`.
pub const FAILED_POD_BACKOFF_MS: (Millis, Millis) = (1_000, 900_000);

#[derive(Debug)]
pub struct DaemonSetController {
    expectations: Expectations,
    /// Per DaemonSet generation and node (`failedPodsBackoffKey`): how long to wait before deleting
    /// the next failed pod there.
    failed_pods_backoff: Backoff,
}

impl Default for DaemonSetController {
    fn default() -> Self {
        let (initial, max) = FAILED_POD_BACKOFF_MS;
        Self { expectations: Expectations::default(), failed_pods_backoff: Backoff::new(initial, max) }
    }
}

/// `failedPodsBackoffKey`: a new generation of the DaemonSet starts its back-off afresh.
fn failed_pods_backoff_key(ds: &Value, node: &str) -> String {
    format!("{}/{}/{node}", objects::uid(ds), i64_at(ds, "/status/observedGeneration", 0))
}

/// `AddOrUpdateDaemonPodTolerations`: what every daemon pod tolerates (network-unavailable only
/// for host-network pods, as upstream).
pub fn add_daemon_tolerations(spec: &mut Value) {
    let mut wanted = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    let mut tols: Vec<Value> = objects::tolerations_of(spec).to_vec();
    for (key, effect) in wanted {
        tols.retain(|t| !(str_at(t, "/key") == key && str_at(t, "/effect") == effect));
        tols.push(json!({"key": key, "operator": "Exists", "effect": effect}));
    }
    spec["tolerations"] = Value::Array(tols);
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the pod may only go to `node`.
pub fn pin_to_node(spec: &mut Value, node: &str) {
    let term = json!({"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]});
    let aff = objects::map_at(spec, &["affinity", "nodeAffinity"]);
    let req = aff.entry("requiredDuringSchedulingIgnoredDuringExecution").or_insert_with(|| json!({}));
    req["nodeSelectorTerms"] = json!([term]);
}

/// `NodeShouldRunDaemonPod`: (should run, should continue running).
pub fn should_run(ds: &Value, node: &Value) -> (bool, bool) {
    let mut spec = ds.at("/spec/template/spec").cloned().unwrap_or(json!({}));
    add_daemon_tolerations(&mut spec);
    let fixed = str_at(&spec, "/nodeName");
    let name = objects::name(node);
    let affinity = RequiredNodeAffinity::of_spec(Some(&spec));
    if (!fixed.is_empty() && fixed != name) || !affinity.matches(name, &object_labels(node)) {
        return (false, false);
    }
    let taints = Taint::parse_list(node.get("spec").and_then(|s| s.get("taints")));
    let tols = Toleration::parse_list(spec.get("tolerations"));
    if find_untolerated(&taints, &tols, |t| matches!(t.effect, Effect::NoSchedule | Effect::NoExecute)).is_some() {
        // Already running daemon pods stay unless a NoExecute taint is not tolerated.
        return (false, find_untolerated(&taints, &tols, |t| t.effect == Effect::NoExecute).is_none());
    }
    (true, true)
}

/// As upstream, the collision count always enters the hash (0 when unset).
fn revision_hash(ds: &Value) -> String {
    objects::compute_hash(
        ds.at("/spec/template").unwrap_or(&Value::Null),
        Some(i64_at(ds, "/status/collisionCount", 0)),
    )
}

/// `NewPod` for `node`.
fn new_pod(ds: &Value, node: &str) -> Value {
    let template = ds.at("/spec/template").cloned().unwrap_or(json!({}));
    let mut pod = pods::from_template(
        &template,
        &format!("{}-", objects::name(ds)),
        objects::controller_ref_to(ds, daemonsets()),
    );
    pod["metadata"]["namespace"] = json!(objects::namespace(ds));
    let labels = objects::map_at(&mut pod, &["metadata", "labels"]);
    labels.insert("controller-revision-hash".into(), json!(revision_hash(ds)));
    labels.insert("pod-template-generation".into(), json!(objects::generation(ds).to_string()));
    add_daemon_tolerations(&mut pod["spec"]);
    pin_to_node(&mut pod["spec"], node);
    pod
}

/// The node a daemon pod is for: where it runs, or the node its affinity pins it to.
pub fn pod_node(pod: &Value) -> String {
    let bound = pods::node_name(pod);
    if !bound.is_empty() {
        return bound.to_string();
    }
    pod.at("/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchFields/0/values/0")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// One pass of `manage` + `rollingUpdate` + `updateDaemonSetStatus`. Failed pods are deleted only
/// outside `backoff` (which this pass advances); one still in back-off keeps its node's slot, and the
/// DaemonSet is looked at again when the delay has passed.
pub fn sync_ds(
    inf: &Informers,
    ds: &Value,
    now: Millis,
    may_create: bool,
    backoff: &mut Backoff,
) -> (Vec<Action>, i64) {
    let mut by_node: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for p in inf.controlled_by(pods_rt(), objects::uid(ds)) {
        if !objects::is_deleting(p) {
            by_node.entry(pod_node(p)).or_default().push(p);
        }
    }
    let ns = objects::namespace(ds).to_string();
    let hash = revision_hash(ds);
    let min_ready = i64_at(ds, "/spec/minReadySeconds", 0);
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
                regarding: ds.clone(),
                event_type: "Normal",
                reason: "SuccessfulDelete".into(),
                message: format!("Deleted pod: {}", objects::name(p)),
            },
        ]
    };
    let (mut out, mut creates) = (Vec::new(), 0);
    let mut requeue_after = Millis::MAX;
    let (mut desired, mut scheduled, mut misscheduled, mut ready, mut available, mut updated) = (0, 0, 0, 0, 0, 0);
    let mut old_on_nodes: Vec<&Value> = Vec::new();
    for node in inf.list(nodes(), None) {
        let name = objects::name(node);
        let (run, keep) = should_run(ds, node);
        let here = by_node.remove(name).unwrap_or_default();
        if run {
            desired += 1;
        }
        if !here.is_empty() {
            if run { scheduled += 1 } else { misscheduled += 1 }
        }
        if keep {
            let (failed, live): (Vec<&Value>, Vec<&Value>) = here.iter().partition(|p| pods::phase(p) == "Failed");
            for p in failed {
                let key = failed_pods_backoff_key(ds, name);
                if backoff.in_backoff_since_update(&key, now) {
                    // `enqueueDaemonSetAfter(ds, delay)`: the whole current delay, as upstream.
                    requeue_after = requeue_after.min(backoff.get(&key));
                    continue;
                }
                backoff.next(&key, now);
                out.push(Action::Event {
                    regarding: ds.clone(),
                    event_type: "Warning",
                    reason: "FailedDaemonPod".into(),
                    message: format!(
                        "Found failed daemon pod {}/{} on node {name}, will try to kill it",
                        objects::namespace(p),
                        objects::name(p)
                    ),
                });
                out.extend(delete(p));
            }
            // A failed pod deleted now is replaced by the next sync, once its deletion is seen
            // ("we will create it in the next sync loop"), so each round waits for the back-off.
            if here.is_empty() && run && may_create {
                out.push(Action::Create {
                    resource: pods_rt(),
                    namespace: Some(ns.clone()),
                    object: new_pod(ds, name),
                });
                creates += 1;
            }
            let mut live = live;
            live.stable_sort_by(|a, b| {
                (objects::created_ms(a), objects::name(a)).cmp(&(objects::created_ms(b), objects::name(b)))
            });
            for extra in live.iter().skip(1) {
                out.extend(delete(extra));
            }
            if let Some(p) = live.first() {
                ready += i64::from(pods::is_ready(p));
                available += i64::from(pods::is_available(p, min_ready, now));
                if objects::label(p, "controller-revision-hash") == Some(hash.as_str()) {
                    updated += 1;
                } else {
                    old_on_nodes.push(p);
                }
            }
        } else {
            for p in here {
                out.extend(delete(p));
            }
        }
    }
    // Pods for nodes that no longer exist.
    for p in by_node.into_values().flatten() {
        out.extend(delete(p));
    }
    // RollingUpdate: replace old pods while fewer than maxUnavailable are unavailable.
    if str_at(ds, "/spec/updateStrategy/type") != "OnDelete" {
        let max_unavail =
            objects::int_or_percent(ds.at("/spec/updateStrategy/rollingUpdate/maxUnavailable"), desired, true)
                .filter(|n| *n > 0)
                .unwrap_or(1);
        let mut budget = max_unavail - (desired - available);
        for p in old_on_nodes {
            if budget <= 0 {
                break;
            }
            out.extend(delete(p));
            if pods::is_available(p, min_ready, now) {
                budget -= 1;
            }
        }
    }
    let status = json!({
        "currentNumberScheduled": scheduled,
        "numberMisscheduled": misscheduled,
        "desiredNumberScheduled": desired,
        "numberReady": ready,
        "observedGeneration": objects::generation(ds),
        "updatedNumberScheduled": updated,
        "numberAvailable": available,
        "numberUnavailable": (desired - available).max(0),
    });
    let cur = ds.get("status").cloned().unwrap_or(json!({}));
    let differs = status
        .as_object()
        .expect("built as an object")
        .iter()
        .any(|(k, v)| cur.get(k).and_then(Value::as_i64).unwrap_or(0) != v.as_i64().unwrap_or(0));
    if differs {
        let mut s = status;
        s.as_object_mut().expect("built as an object").retain(|k, v| {
            v != &json!(0)
                || matches!(
                    k.as_str(),
                    "currentNumberScheduled" | "numberMisscheduled" | "desiredNumberScheduled" | "numberReady"
                )
        });
        out.push(Action::UpdateStatus { resource: daemonsets(), object: objects::status_write(ds, s) });
    }
    if requeue_after != Millis::MAX {
        out.push(Action::Requeue { key: objects::key_of(ds), after: requeue_after });
    }
    (out, creates)
}

fn owner_key(inf: &Informers, pod: &Value) -> Option<ObjectKey> {
    let r = objects::controller_ref(pod)?;
    if r.get("kind").and_then(Value::as_str) != Some("DaemonSet") {
        return None;
    }
    let ds = inf.get(daemonsets(), objects::namespace(pod), r.get("name").and_then(Value::as_str)?)?;
    (objects::uid(ds) == r.get("uid").and_then(Value::as_str).unwrap_or("")).then(|| objects::key_of(ds))
}

impl Controller for DaemonSetController {
    fn name(&self) -> &'static str {
        "daemonset"
    }

    fn event_source(&self) -> &'static str {
        "daemonset-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["daemonsets", "pods", "nodes"]
    }

    /// `--concurrent-daemonset-syncs` defaults to 2.
    fn workers(&self) -> usize {
        2
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        match change.resource.plural {
            "daemonsets" => vec![objects::key_of(&change.new)],
            "pods" => {
                let Some(k) = owner_key(inf, &change.new) else { return Vec::new() };
                if change.event == crate::sim::apiserver::request::EventType::Added {
                    self.expectations.creation_observed(&k);
                }
                vec![k]
            }
            // A node came, went or changed labels/taints: every DaemonSet takes another look
            // (`shouldIgnoreNodeUpdate`: heartbeats alone do not count).
            _ => {
                let relevant = |n: &Value| {
                    (
                        n.at("/metadata/labels").cloned(),
                        n.at("/spec").cloned(),
                        objects::condition(n, "Ready").map(|c| str_at(c, "/status").to_string()),
                    )
                };
                if change.event == crate::sim::apiserver::request::EventType::Modified
                    && change.old.as_deref().map(relevant) == Some(relevant(&change.new))
                {
                    return Vec::new();
                }
                inf.list(daemonsets(), None).map(objects::key_of).collect()
            }
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(ds) = inf.get(daemonsets(), &key.0, &key.1) else {
            self.expectations.delete(key);
            return Vec::new();
        };
        if objects::is_deleting(ds) {
            return Vec::new();
        }
        let may_create = self.expectations.satisfied(key, now);
        let (out, creates) = sync_ds(inf, ds, now, may_create, &mut self.failed_pods_backoff);
        if creates > 0 {
            self.expectations.expect(key, creates, [], now);
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
        let regarding = inf.get(daemonsets(), &key.0, &key.1).cloned().unwrap_or(
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"namespace": key.0, "name": key.1}}),
        );
        self.expectations.pod_create_events(key, outcome, regarding)
    }
}

#[cfg(test)]
mod tests;
