//! The node lifecycle controller (`pkg/controller/nodelifecycle`): notices nodes whose kubelet went
//! silent, and turns node conditions into taints.
//!
//! ```text
//!  kubelet renews its Lease (kube-node-lease/<node>) every 10 s and posts node status
//!  controller: no renewal and no status for node-monitor-grace-period (50 s since 1.32)
//!     ──► Ready/MemoryPressure/DiskPressure/PIDPressure = Unknown "Kubelet stopped posting node status."
//!     ──► taints node.kubernetes.io/unreachable:NoExecute and :NoSchedule, pods marked not ready
//!  Ready=False (kubelet says so) ──► node.kubernetes.io/not-ready:NoExecute and :NoSchedule
//!  Ready=True again ──► those taints are removed
//! ```
//! The check runs on the `--node-monitor-period` grid (every 5 s). Simplified: no zone-based
//! eviction rate limiting (`--node-eviction-rate`); taints are applied at once.

use crate::sim::api::pointer::Pointer;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::objects::{self, str_at};
use super::tainteviction::taint;
use super::{Controller, pods};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::PatchType;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, rfc3339};

/// `--node-monitor-grace-period` (40 s before 1.32).
pub const NODE_MONITOR_GRACE_MS: Millis = 50_000;
/// `--node-monitor-period`.
pub const NODE_MONITOR_PERIOD_MS: Millis = 5_000;
pub const LEASE_NAMESPACE: &str = "kube-node-lease";

const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
const NOT_READY: &str = "node.kubernetes.io/not-ready";
/// Conditions the controller sets to Unknown when the kubelet goes silent.
const WATCHED_CONDITIONS: &[&str] = &["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];
/// NoSchedule taints that mirror conditions (`nodeConditionToTaintKeyStatusMap`).
const CONDITION_TAINTS: &[(&str, &str, &str)] = &[
    ("Ready", "False", NOT_READY),
    ("Ready", "Unknown", UNREACHABLE),
    ("MemoryPressure", "True", "node.kubernetes.io/memory-pressure"),
    ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
    ("NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"),
    ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
];

fn nodes() -> &'static ResourceType {
    api::resolve("nodes").expect("nodes are always served")
}

fn leases() -> &'static ResourceType {
    api::resolve("leases").expect("leases are always served")
}

fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

/// What the controller last observed of a node (`nodeHealthData`).
#[derive(Debug, Clone, Default, PartialEq)]
struct Health {
    /// When a lease renewal or a status post was last observed (the controller's own clock).
    probe: Millis,
    renew: String,
    heartbeat: String,
}

#[derive(Debug, Default)]
pub struct NodeLifecycleController {
    health: BTreeMap<String, Box<Health>>,
}

fn cond_status<'a>(node: &'a Value, ty: &str) -> Option<&'a str> {
    objects::condition(node, ty).map(|c| str_at(c, "/status"))
}

/// The taints a node should carry from the controller, given its (effective) conditions.
fn wanted_taints(node: &Value, now: Millis) -> Vec<Value> {
    let mut out = Vec::new();
    match cond_status(node, "Ready") {
        Some("False") => out.push(taint(NOT_READY, "NoExecute", now)),
        Some("Unknown") => out.push(taint(UNREACHABLE, "NoExecute", now)),
        _ => {}
    }
    for (ty, status, key) in CONDITION_TAINTS {
        if cond_status(node, ty) == Some(status) {
            out.push(taint(key, "NoSchedule", now));
        }
    }
    if node.at("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        out.push(taint("node.kubernetes.io/unschedulable", "NoSchedule", now));
    }
    out
}

/// The node's taints with the controller-managed ones made to match `wanted` (others untouched;
/// existing matching taints keep their `timeAdded`).
fn reconcile_taints(node: &Value, wanted: &[Value]) -> Option<Vec<Value>> {
    let managed = |t: &Value| {
        let k = str_at(t, "/key");
        k == UNREACHABLE
            || k == NOT_READY
            || k == "node.kubernetes.io/unschedulable"
            || CONDITION_TAINTS.iter().any(|c| c.2 == k)
    };
    let same =
        |a: &Value, b: &Value| str_at(a, "/key") == str_at(b, "/key") && str_at(a, "/effect") == str_at(b, "/effect");
    let current = objects::taints_of(node);
    let mut next: Vec<Value> =
        current.iter().filter(|t| !managed(t) || wanted.iter().any(|w| same(w, t))).cloned().collect();
    for w in wanted {
        if !next.iter().any(|t| same(t, w)) {
            next.push(w.clone());
        }
    }
    (next.as_slice() != current).then_some(next)
}

/// Every watched condition Unknown, as `tryUpdateNodeHealth` writes them.
fn unknown_conditions(node: &Value, now: Millis) -> Vec<Value> {
    let mut conds = objects::conditions_of(node);
    for ty in WATCHED_CONDITIONS {
        match conds.iter_mut().find(|c| str_at(c, "/type") == *ty) {
            Some(c) if str_at(c, "/status") != "Unknown" => {
                c["status"] = json!("Unknown");
                c["reason"] = json!("NodeStatusUnknown");
                c["message"] = json!("Kubelet stopped posting node status.");
                c["lastTransitionTime"] = json!(rfc3339(now));
            }
            Some(_) => {}
            None => conds.push(json!({
                "type": ty, "status": "Unknown", "reason": "NodeStatusNeverUpdated", "message": "Kubelet never posted node status.",
                "lastHeartbeatTime": rfc3339(objects::created_ms(node)), "lastTransitionTime": rfc3339(now)
            })),
        }
    }
    conds
}

/// `MarkPodsNotReady`: pods on the node get Ready=False, and a `NodeNotReady` event each.
fn mark_pods_not_ready(inf: &Informers, node: &str, now: Millis) -> Vec<Action> {
    let mut out = Vec::new();
    for p in inf.pods_on_node(node).filter(|p| pods::is_ready(p) && !objects::is_deleting(p)) {
        let mut conds = objects::conditions_of(p);
        objects::set_condition(&mut conds, "Ready", "False", "", "", now, false);
        let mut w = p.clone();
        w["status"]["conditions"] = Value::Array(conds.into_iter().map(strip_empty).collect());
        out.push(Action::UpdateStatus { resource: pods_rt(), object: w });
        out.push(Action::Event {
            regarding: p.clone(),
            event_type: "Warning",
            reason: "NodeNotReady".into(),
            message: "Node is not ready".into(),
        });
    }
    out
}

fn strip_empty(mut c: Value) -> Value {
    if let Some(m) = c.as_object_mut() {
        m.retain(|_, v| v != "");
    }
    c
}

/// The next tick of the monitor grid at or after `t`.
fn next_tick(t: Millis) -> Millis {
    t.div_ceil(NODE_MONITOR_PERIOD_MS) * NODE_MONITOR_PERIOD_MS
}

impl Controller for NodeLifecycleController {
    fn name(&self) -> &'static str {
        "node-lifecycle-controller"
    }

    fn event_source(&self) -> &'static str {
        "node-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["nodes", "leases", "pods"]
    }

    fn workers(&self) -> usize {
        1
    }

    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        let obj = &change.new;
        match change.resource.plural {
            "nodes" => vec![(String::new(), objects::name(obj).to_string())],
            "leases" if objects::namespace(obj) == LEASE_NAMESPACE => {
                vec![(String::new(), objects::name(obj).to_string())]
            }
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let name = key.1.as_str();
        let Some(node) = inf.get(nodes(), "", name) else {
            self.health.remove(name);
            return Vec::new();
        };
        let renew = inf
            .get(leases(), LEASE_NAMESPACE, name)
            .map(|l| str_at(l, "/spec/renewTime").to_string())
            .unwrap_or_default();
        let heartbeat =
            objects::condition(node, "Ready").map(|c| str_at(c, "/lastHeartbeatTime").to_string()).unwrap_or_default();
        let h = self
            .health
            .entry(name.to_string())
            .or_insert_with(|| Box::new(Health { probe: now, renew: renew.clone(), heartbeat: heartbeat.clone() }));
        if h.renew != renew || h.heartbeat != heartbeat {
            **h = Health { probe: now, renew, heartbeat };
        }
        let probe = h.probe;
        let mut out = Vec::new();
        let mut effective = node.clone();
        let was_ready = cond_status(node, "Ready") == Some("True");
        if now > probe + NODE_MONITOR_GRACE_MS && cond_status(node, "Ready") != Some("Unknown") {
            effective["status"]["conditions"] = Value::Array(unknown_conditions(node, now));
            out.push(Action::UpdateStatus { resource: nodes(), object: effective.clone() });
            out.push(Action::Event {
                regarding: node.clone(),
                event_type: "Normal",
                reason: "NodeNotReady".into(),
                message: format!("Node {name} status is now: NodeNotReady"),
            });
            if was_ready {
                out.extend(mark_pods_not_ready(inf, name, now));
            }
        }
        if let Some(taints) = reconcile_taints(&effective, &wanted_taints(&effective, now)) {
            let patch = json!({"metadata": {"resourceVersion": str_at(node, "/metadata/resourceVersion")}, "spec": {"taints": taints}});
            // The status write above changes the resourceVersion: the taint patch follows unconditionally then.
            let patch = if out.is_empty() { patch } else { json!({"spec": patch["spec"].clone()}) };
            out.push(Action::Patch {
                resource: nodes(),
                namespace: None,
                name: name.to_string(),
                patch_type: PatchType::Merge,
                patch,
                status: false,
            });
        }
        if cond_status(&effective, "Ready") != Some("Unknown") {
            let due = next_tick(probe + NODE_MONITOR_GRACE_MS + 1);
            out.push(Action::Requeue { key: key.clone(), after: due.saturating_sub(now).max(1) });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controllers::testutil::*;

    fn lease(node: &str, renew: Millis) -> Value {
        json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"namespace": LEASE_NAMESPACE, "name": node}, "spec": {"holderIdentity": node, "leaseDurationSeconds": 40, "renewTime": rfc3339(renew)}})
    }

    fn key(n: &str) -> ObjectKey {
        (String::new(), n.into())
    }

    #[test]
    fn a_silent_kubelet_makes_the_node_unknown_and_unreachable_after_the_grace_period() {
        let mut inf = Informers::default();
        inf.insert(node("w1"));
        inf.insert(lease("w1", 0));
        let running = pod_of(&replicaset("rs", 1, "web"), "p", "w1", "Running", Some(0));
        inf.insert(running);
        let mut c = NodeLifecycleController::default();
        let out = c.reconcile(&key("w1"), &inf, 1_000, &mut Rng::new(1));
        assert_eq!(out, vec![Action::Requeue { key: key("w1"), after: 54_000 }], "checked on the 5 s grid after 50 s");
        // Still renewing: no change.
        inf.insert(lease("w1", 10_000));
        let out = c.reconcile(&key("w1"), &inf, 10_000, &mut Rng::new(1));
        assert!(status_updates(&out, "Node").is_empty());
        // Silent for 50 s.
        let out = c.reconcile(&key("w1"), &inf, 60_001, &mut Rng::new(1));
        let n = &status_updates(&out, "Node")[0];
        let ready = objects::condition(n, "Ready").expect("ready");
        assert_eq!(
            (ready["status"].as_str(), ready["reason"].as_str(), ready["message"].as_str()),
            (Some("Unknown"), Some("NodeStatusUnknown"), Some("Kubelet stopped posting node status."))
        );
        assert_eq!(objects::condition(n, "MemoryPressure").expect("added")["reason"], "NodeStatusNeverUpdated");
        let p = patches(&out);
        let taints = &p.iter().find(|(n, _)| n == "w1").expect("taint patch").1["spec"]["taints"];
        let keys: Vec<(&str, &str)> =
            taints.as_array().expect("taints").iter().map(|t| (str_at(t, "/key"), str_at(t, "/effect"))).collect();
        assert_eq!(keys, vec![(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")]);
        assert!(events(&out).contains(&("NodeNotReady".into(), "Node w1 status is now: NodeNotReady".into())));
        let pod_ready = &status_updates(&out, "Pod")[0];
        assert_eq!(objects::condition(pod_ready, "Ready").expect("ready")["status"], "False");
    }

    #[test]
    fn kubelet_reported_not_ready_taints_and_recovery_removes_taints() {
        let mut inf = Informers::default();
        let mut n = node("w1");
        n["status"]["conditions"][0]["status"] = json!("False");
        n["spec"]["taints"] = json!([{"key": "dedicated", "effect": "NoSchedule"}]);
        inf.insert(n.clone());
        let mut c = NodeLifecycleController::default();
        let out = c.reconcile(&key("w1"), &inf, 1_000, &mut Rng::new(1));
        let taints = patches(&out)[0].1["spec"]["taints"].clone();
        let keys: Vec<&str> = taints.as_array().expect("taints").iter().map(|t| str_at(t, "/key")).collect();
        assert_eq!(keys, vec!["dedicated", NOT_READY, NOT_READY], "the user's taint stays");
        n["spec"]["taints"] = taints;
        n["status"]["conditions"][0]["status"] = json!("True");
        n["status"]["conditions"][0]["lastHeartbeatTime"] = json!(rfc3339(2000));
        inf.insert(n);
        let out = c.reconcile(&key("w1"), &inf, 2_000, &mut Rng::new(1));
        assert_eq!(patches(&out)[0].1["spec"]["taints"], json!([{"key": "dedicated", "effect": "NoSchedule"}]));
    }

    #[test]
    fn pressure_and_cordon_become_noschedule_taints() {
        let mut n = node("w1");
        n["status"]["conditions"] =
            json!([{"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "True"}]);
        n["spec"]["unschedulable"] = json!(true);
        let keys: Vec<String> = wanted_taints(&n, 0).iter().map(|t| str_at(t, "/key").to_string()).collect();
        assert_eq!(keys, vec!["node.kubernetes.io/disk-pressure", "node.kubernetes.io/unschedulable"]);
    }
}
