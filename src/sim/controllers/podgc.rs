//! The pod garbage collector (`pkg/controller/podgc`): pods bound to a node that no longer exists are
//! marked Failed (condition `DisruptionTarget`, reason `DeletionByPodGC`) and deleted at once, after the
//! node has been missing for the 40 s quarantine; beyond `--terminated-pod-gc-threshold` (12,500)
//! finished pods, the oldest are deleted.
//!
//! Upstream checks every 20 s and asks the apiserver whether the node is really gone after the
//! quarantine; here the collector looks when pods or nodes change and trusts its node informer.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::objects::{self, str_at};
use super::{Controller, pods};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::PatchType;
use crate::sim::client::{Action, Change, Informers, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::sort::StableSort;
use crate::sim::time::{Millis, rfc3339};

/// `quarantineTime`.
pub const QUARANTINE_MS: Millis = 40_000;
/// `--terminated-pod-gc-threshold`'s default.
pub const TERMINATED_THRESHOLD: usize = 12_500;

fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

fn nodes() -> &'static ResourceType {
    api::resolve("nodes").expect("nodes are always served")
}

/// The one key the collector works on: it looks at the whole cluster each time.
fn gc_key() -> ObjectKey {
    (String::new(), "podgc".to_string())
}

#[derive(Debug, Default)]
pub struct PodGcController {
    /// Missing nodes that still have pods, and since when they are missing (the quarantine queue).
    quarantined: BTreeMap<String, Millis>,
    threshold: Option<usize>,
}

impl PodGcController {
    /// A collector with another terminated-pod threshold (tests).
    pub fn with_threshold(threshold: usize) -> Self {
        PodGcController { threshold: Some(threshold), ..Self::default() }
    }
}

/// `markFailedAndDeletePodWithCondition`: the status says why, then the pod is deleted without grace.
fn fail_and_delete(pod: &Value, now: Millis) -> Vec<Action> {
    let condition = json!({"type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC",
        "message": "PodGC: node no longer exists", "lastTransitionTime": rfc3339(now)});
    let ns = objects::namespace(pod).to_string();
    let name = objects::name(pod).to_string();
    let mut actions = Vec::new();
    if !matches!(pods::phase(pod), "Succeeded" | "Failed") {
        actions.push(Action::Patch {
            resource: pods_rt(),
            namespace: Some(ns.clone()),
            name: name.clone(),
            patch_type: PatchType::Strategic,
            patch: json!({"status": {"phase": "Failed", "conditions": [condition]}}),
            status: true,
        });
    }
    actions.push(delete(ns, name, Some(0)));
    actions
}

fn delete(ns: String, name: String, grace_seconds: Option<i64>) -> Action {
    Action::Delete { resource: pods_rt(), namespace: Some(ns), name, propagation: None, grace_seconds }
}

impl PodGcController {
    /// `gcOrphaned`: pods of nodes missing for the quarantine are deleted; the next look is when the
    /// earliest quarantine ends.
    fn orphans(&mut self, inf: &Informers, now: Millis, out: &mut Vec<Action>) -> Option<Millis> {
        let mut by_node: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
        for pod in inf.list(pods_rt(), None) {
            let node = pods::node_name(pod);
            if !node.is_empty() && inf.get(nodes(), "", node).is_none() && !objects::is_deleting(pod) {
                by_node.entry(node).or_default().push(pod);
            }
        }
        self.quarantined.retain(|n, _| by_node.contains_key(n.as_str()));
        let mut next: Option<Millis> = None;
        for (node, orphans) in by_node {
            let since = *self.quarantined.entry(node.to_string()).or_insert(now);
            let due = since + QUARANTINE_MS;
            if now < due {
                next = Some(next.map_or(due, |n| n.min(due)));
                continue;
            }
            for pod in orphans {
                out.extend(fail_and_delete(pod, now));
            }
        }
        next
    }

    /// `gcTerminated`: the oldest finished pods beyond the threshold.
    fn terminated(&self, inf: &Informers, out: &mut Vec<Action>) {
        let threshold = self.threshold.unwrap_or(TERMINATED_THRESHOLD);
        let mut done: Vec<&Value> = inf
            .list(pods_rt(), None)
            .filter(|p| matches!(pods::phase(p), "Succeeded" | "Failed") && !objects::is_deleting(p))
            .collect();
        if done.len() <= threshold {
            return;
        }
        done.stable_sort_by_key(|p| (objects::created_ms(p), objects::key_of(p)));
        let extra = done.len() - threshold;
        for p in done.into_iter().take(extra) {
            out.push(delete(objects::namespace(p).to_string(), objects::name(p).to_string(), Some(0)));
        }
    }
}

impl Controller for PodGcController {
    fn name(&self) -> &'static str {
        "pod-garbage-collector"
    }

    fn event_source(&self) -> &'static str {
        "pod-garbage-collector"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["pods", "nodes"]
    }

    fn workers(&self) -> usize {
        1
    }

    /// A pod bound to a missing node, a node going away, or a pod finishing: look at the cluster.
    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        let obj = &change.new;
        let wanted = match change.resource.plural {
            "nodes" => change.event == crate::sim::apiserver::request::EventType::Deleted,
            "pods" => {
                let node = pods::node_name(obj);
                (!node.is_empty() && inf.get(nodes(), "", node).is_none())
                    || matches!(str_at(obj, "/status/phase"), "Succeeded" | "Failed")
            }
            _ => false,
        };
        if wanted { vec![gc_key()] } else { Vec::new() }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let mut out = Vec::new();
        self.terminated(inf, &mut out);
        if let Some(due) = self.orphans(inf, now, &mut out) {
            out.push(Action::Requeue { key: key.clone(), after: due.saturating_sub(now).max(1) });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controllers::testutil::{deletes, node, patches};

    fn pod(name: &str, node_name: &str, phase: &str, created: Millis) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": name,
            "uid": format!("uid-{name}"), "creationTimestamp": rfc3339(created)},
            "spec": {"nodeName": node_name}, "status": {"phase": phase}})
    }

    #[test]
    fn pods_of_a_missing_node_are_failed_and_deleted_after_the_quarantine() {
        let mut inf = Informers::default();
        inf.insert(node("worker"));
        inf.insert(pod("kept", "worker", "Running", 0));
        inf.insert(pod("orphan", "foo-node", "Pending", 0));
        let mut gc = PodGcController::default();
        let first = gc.reconcile(&gc_key(), &inf, 1_000, &mut Rng::new(1));
        assert_eq!(first, vec![Action::Requeue { key: gc_key(), after: QUARANTINE_MS }], "quarantined first");
        let later = gc.reconcile(&gc_key(), &inf, 1_000 + QUARANTINE_MS, &mut Rng::new(1));
        assert_eq!(deletes(&later, "Pod"), ["orphan"]);
        let (_, status) = &patches(&later)[0];
        assert_eq!(status["status"]["phase"], "Failed");
        assert_eq!(status["status"]["conditions"][0]["reason"], "DeletionByPodGC");
        assert!(later.iter().any(|a| matches!(a, Action::Delete { grace_seconds: Some(0), .. })), "no grace");
        // The node came back during the quarantine: nothing to do.
        let mut gc = PodGcController::default();
        gc.reconcile(&gc_key(), &inf, 0, &mut Rng::new(1));
        inf.insert(node("foo-node"));
        assert!(gc.reconcile(&gc_key(), &inf, QUARANTINE_MS, &mut Rng::new(1)).is_empty());
    }

    #[test]
    fn the_oldest_finished_pods_beyond_the_threshold_are_deleted() {
        let mut inf = Informers::default();
        inf.insert(node("worker"));
        for (i, phase) in ["Succeeded", "Failed", "Succeeded", "Running"].iter().enumerate() {
            inf.insert(pod(&format!("p{i}"), "worker", phase, 100_000 - i as Millis * 10_000));
        }
        let mut gc = PodGcController::with_threshold(1);
        let out = gc.reconcile(&gc_key(), &inf, 200_000, &mut Rng::new(1));
        assert_eq!(deletes(&out, "Pod"), ["p2", "p1"], "oldest first, running pods never");
    }
}
