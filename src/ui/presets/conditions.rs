//! What presets read from the cluster: free names, whether a wait is over, which worker to power off.
//! Everything is read through the bridge from the kube-apiserver's objects, as a client would.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::ui::bridge::{self, Sim};
use crate::ui::model::natural_cmp;
use crate::ui::session::Until;

/// The namespace presets work in (kubectl's default when no `-n` is given).
const NAMESPACE: &str = "default";

/// `base`, or `base-2`, `base-3`, ... : the first name no object of `kind` has in the namespace.
pub fn free_name(world: &Sim, kind: &str, base: &str) -> String {
    let taken = bridge::names(world, kind, Some(NAMESPACE));
    std::iter::once(base.to_string())
        .chain((2..).map(|i| format!("{base}-{i}")))
        .find(|n| !taken.contains(n))
        .expect("an unbounded sequence of distinct names has one that a finite list lacks")
}

/// Whether the wait is over.
pub fn holds(until: &Until, world: &Sim) -> bool {
    match until {
        Until::RolledOut { deployment } => {
            bridge::object(world, &format!("/registry/deployments/{NAMESPACE}/{deployment}"))
                .is_some_and(|d| rolled_out(&d))
        }
        Until::FailedScheduling { pod } => {
            bridge::events_for(world, NAMESPACE, "Pod", pod).iter().any(|e| e.reason == "FailedScheduling")
        }
        Until::CrashLoopBackOff { pod } => bridge::object(world, &pod_key(pod)).is_some_and(|p| crash_looping(&p)),
    }
}

/// The worker (not the control-plane node) that is powered on and runs the most live pods labelled
/// `app=<app>`; ties go to the first in the diagram's order. None when no such pod runs anywhere.
pub fn busiest_worker(world: &Sim, app: &str) -> Option<String> {
    let model = bridge::model(world);
    let workers: Vec<&str> = model
        .nodes
        .iter()
        .filter(|n| !n.control_plane)
        .map(|n| n.name.as_str())
        .filter(|n| bridge::node_running(world, n) == Some(true))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for name in bridge::names(world, "pods", Some(NAMESPACE)) {
        let Some(pod) = bridge::object(world, &pod_key(&name)) else { continue };
        let labelled = pod.pointer("/metadata/labels/app").and_then(Value::as_str) == Some(app);
        let live = pod.pointer("/metadata/deletionTimestamp").is_none_or(Value::is_null);
        let node =
            pod.pointer("/spec/nodeName").and_then(Value::as_str).and_then(|n| workers.iter().find(|w| **w == n));
        if let (true, true, Some(node)) = (labelled, live, node) {
            *counts.entry(node).or_default() += 1;
        }
    }
    // Highest count first; among equals, the diagram's (natural) order.
    counts.into_iter().min_by(|a, b| b.1.cmp(&a.1).then_with(|| natural_cmp(a.0, b.0))).map(|(n, _)| n.to_string())
}

fn pod_key(name: &str) -> String {
    format!("/registry/pods/{NAMESPACE}/{name}")
}

/// kubectl's status viewer for a Deployment says "successfully rolled out": the controller has seen
/// the latest spec, every replica is updated, no old one is left, and all updated ones are available.
fn rolled_out(d: &Value) -> bool {
    let n = |p: &str| d.pointer(p).and_then(Value::as_i64).unwrap_or(0);
    let spec = d.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let updated = n("/status/updatedReplicas");
    n("/status/observedGeneration") >= n("/metadata/generation")
        && updated >= spec
        && n("/status/replicas") <= updated
        && n("/status/availableReplicas") >= updated
}

/// A container of the pod waits with reason CrashLoopBackOff (what `kubectl get pods` shows as STATUS).
fn crash_looping(pod: &Value) -> bool {
    pod.pointer("/status/containerStatuses").and_then(Value::as_array).is_some_and(|cs| {
        cs.iter().any(|c| c.pointer("/state/waiting/reason").and_then(Value::as_str) == Some("CrashLoopBackOff"))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rolled_out_follows_kubectls_status_viewer() {
        let deploy = |generation: i64, status: Value| json!({"metadata": {"generation": generation}, "spec": {"replicas": 4}, "status": status});
        let cases = [
            (
                deploy(
                    1,
                    json!({"observedGeneration": 1, "updatedReplicas": 4, "replicas": 4, "availableReplicas": 4}),
                ),
                true,
            ),
            (
                deploy(
                    2,
                    json!({"observedGeneration": 1, "updatedReplicas": 4, "replicas": 4, "availableReplicas": 4}),
                ),
                false,
            ),
            (
                deploy(
                    1,
                    json!({"observedGeneration": 1, "updatedReplicas": 3, "replicas": 4, "availableReplicas": 4}),
                ),
                false,
            ),
            (
                deploy(
                    1,
                    json!({"observedGeneration": 1, "updatedReplicas": 4, "replicas": 5, "availableReplicas": 4}),
                ),
                false,
            ),
            (
                deploy(
                    1,
                    json!({"observedGeneration": 1, "updatedReplicas": 4, "replicas": 4, "availableReplicas": 3}),
                ),
                false,
            ),
            (deploy(1, json!({})), false),
            (json!({"metadata": {}, "status": {"replicas": 1, "updatedReplicas": 1, "availableReplicas": 1}}), true),
        ];
        for (d, want) in cases {
            assert_eq!(rolled_out(&d), want, "{d}");
        }
    }

    #[test]
    fn crash_looping_reads_the_waiting_reason() {
        let pod = |state: Value| json!({"status": {"containerStatuses": [{"name": "a", "state": {"running": {}}}, {"name": "b", "state": state}]}});
        assert!(crash_looping(&pod(json!({"waiting": {"reason": "CrashLoopBackOff"}}))));
        assert!(!crash_looping(&pod(json!({"waiting": {"reason": "ContainerCreating"}}))));
        assert!(!crash_looping(&pod(json!({"terminated": {"reason": "Error"}}))));
        assert!(!crash_looping(&json!({"status": {}})));
    }

    #[test]
    fn free_names_skip_what_exists() {
        let mut world = Sim::unbooted(1);
        assert_eq!(free_name(&world, "pods", "p"), "p");
        for line in [
            "kubectl run p --image=nginx",
            "kubectl run p-2 --image=nginx",
            "kubectl create deployment p --image=nginx",
        ] {
            let out = bridge::kubectl(&mut world, line, None);
            assert!(out.stderr.is_empty(), "{line}: {}", out.stderr);
        }
        assert_eq!(free_name(&world, "pods", "p"), "p-3");
        assert_eq!(free_name(&world, "deployments", "p"), "p-2");
        assert_eq!(free_name(&world, "deployments", "q"), "q");
    }

    #[test]
    fn the_busiest_running_worker_is_chosen() {
        let mut world = Sim::unbooted(1);
        assert_eq!(busiest_worker(&world, "web"), None, "no pods, no worker");
        let _ = bridge::kubectl(&mut world, "kubectl create deployment web --image=nginx --replicas=5", None);
        world.run_for(30_000);
        let per_node = |world: &Sim| {
            let model = bridge::model(world);
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for p in model.pods.iter().filter(|p| p.name.starts_with("web-")) {
                *counts.entry(p.node.clone().unwrap_or_default()).or_default() += 1;
            }
            counts
        };
        let counts = per_node(&world);
        let chosen = busiest_worker(&world, "web").expect("web pods run on workers");
        assert_eq!(Some(&counts[&chosen]), counts.values().max(), "{chosen} in {counts:?}");
        assert_eq!(busiest_worker(&world, "other"), None, "another app's pods do not count");
        // A powered-off worker is never chosen again.
        let off = crate::ui::session::Op::Node { name: chosen.clone(), running: false };
        bridge::apply(&mut world, &off).expect("the worker exists");
        assert_ne!(busiest_worker(&world, "web").as_deref(), Some(chosen.as_str()));
    }
}
