//! The taint-eviction-controller (`pkg/controller/tainteviction`, split from node lifecycle in 1.29):
//! pods on a node with a `NoExecute` taint they do not tolerate are deleted at once; pods tolerating it
//! for `tolerationSeconds` (300 s from the DefaultTolerationSeconds admission plugin for not-ready and
//! unreachable) are deleted when that time is up, unless the taint goes away first.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::objects::{self, str_at};
use super::{Controller, pods};
use crate::sim::api::nodefit::{Taint, Toleration};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{EventType, PatchType};
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, rfc3339};

fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

fn nodes() -> &'static ResourceType {
    api::resolve("nodes").expect("nodes are always served")
}

#[derive(Debug, Default)]
pub struct TaintEvictionController {
    /// Pods with an eviction scheduled, and when it was scheduled (the timed queue's `CreatedAt`).
    scheduled: BTreeMap<ObjectKey, Millis>,
}

fn no_execute(node: &Value) -> Vec<&Value> {
    objects::taints_of(node).iter().filter(|t| str_at(t, "/effect") == "NoExecute").collect()
}

/// `getMinTolerationTime` over the tolerations used against `taints`: `None` if some taint is not
/// tolerated (evict now), `Some(None)` if tolerated forever, `Some(Some(ms))` otherwise.
pub fn toleration_window(taints: &[&Value], tolerations: &[Value]) -> Option<Option<Millis>> {
    let parsed: Vec<Toleration> = tolerations.iter().map(Toleration::parse).collect();
    let mut used: Vec<&Value> = Vec::new();
    for t in taints {
        // A taint with an unknown effect cannot be tolerated (and is not NoExecute anyway).
        let taint = Taint::parse(t)?;
        let i = parsed.iter().position(|tol| tol.tolerates(&taint))?;
        used.push(&tolerations[i]);
    }
    let mut min: Option<i64> = None;
    for tol in used {
        if let Some(s) = tol.get("tolerationSeconds").and_then(Value::as_i64) {
            if s <= 0 {
                return Some(Some(0));
            }
            min = Some(min.map_or(s, |m| m.min(s)));
        }
    }
    Some(min.map(|s| s as Millis * 1000))
}

fn event(pod: &Value, message: String) -> Action {
    Action::Event { regarding: pod.clone(), event_type: "Normal", reason: "TaintManagerEviction".into(), message }
}

/// `addConditionAndDeletePod`: mark the pod as a disruption target, then delete it.
fn evict(pod: &Value, now: Millis) -> Vec<Action> {
    let ns = objects::namespace(pod).to_string();
    let mut conds = objects::conditions_of(pod);
    objects::set_condition(
        &mut conds,
        "DisruptionTarget",
        "True",
        "DeletionByTaintManager",
        "Taint manager: deleting due to NoExecute taint",
        now,
        false,
    );
    vec![
        event(pod, format!("Marking for deletion Pod {ns}/{}", objects::name(pod))),
        Action::Patch {
            resource: pods_rt(),
            namespace: Some(ns.clone()),
            name: objects::name(pod).to_string(),
            patch_type: PatchType::Merge,
            patch: json!({"status": {"conditions": conds}}),
            status: true,
        },
        Action::Delete {
            resource: pods_rt(),
            namespace: Some(ns),
            name: objects::name(pod).to_string(),
            propagation: None,
            grace_seconds: None,
        },
    ]
}

impl TaintEvictionController {
    fn cancel(&mut self, key: &ObjectKey, pod: Option<&Value>) -> Vec<Action> {
        match (self.scheduled.remove(key), pod) {
            (Some(_), Some(p)) => vec![event(p, format!("Cancelling deletion of Pod {}/{}", key.0, key.1))],
            _ => Vec::new(),
        }
    }
}

impl Controller for TaintEvictionController {
    fn name(&self) -> &'static str {
        "taint-eviction-controller"
    }

    fn event_source(&self) -> &'static str {
        "taint-eviction-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["nodes", "pods"]
    }

    /// `UpdateWorkerSize`.
    fn workers(&self) -> usize {
        8
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        let new = &change.new;
        if change.resource.plural == "nodes" {
            let changed =
                change.event != EventType::Modified || change.old.as_deref().map(no_execute) != Some(no_execute(new));
            if !changed {
                return Vec::new();
            }
            return inf.pods_on_node(objects::name(new)).map(objects::key_of).collect();
        }
        let old = change.old.as_deref();
        let same = old.is_some_and(|o| {
            pods::node_name(o) == pods::node_name(new)
                && objects::tolerations_of(&o["spec"]) == objects::tolerations_of(&new["spec"])
        });
        if change.event == EventType::Modified && same {
            return Vec::new();
        }
        if pods::node_name(new).is_empty() && change.event != EventType::Deleted {
            return Vec::new();
        }
        vec![objects::key_of(new)]
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(pod) = inf.get(pods_rt(), &key.0, &key.1) else {
            self.scheduled.remove(key);
            return Vec::new();
        };
        if objects::is_deleting(pod) {
            self.scheduled.remove(key);
            return Vec::new();
        }
        let node = inf.get(nodes(), "", pods::node_name(pod));
        let taints = node.map(no_execute).unwrap_or_default();
        if taints.is_empty() {
            return self.cancel(key, Some(pod));
        }
        match toleration_window(&taints, objects::tolerations_of(&pod["spec"])) {
            None => {
                self.scheduled.remove(key);
                evict(pod, now)
            }
            Some(None) => self.cancel(key, Some(pod)),
            Some(Some(window)) => {
                let start = *self.scheduled.entry(key.clone()).or_insert(now);
                let due = start + window;
                if now >= due {
                    self.scheduled.remove(key);
                    return evict(pod, now);
                }
                vec![Action::Requeue { key: key.clone(), after: due - now }]
            }
        }
    }
}

/// The taint the node lifecycle controller puts on a node (NoExecute ones carry `timeAdded`).
pub fn taint(key: &str, effect: &str, now: Millis) -> Value {
    let mut t = json!({"key": key, "effect": effect});
    if effect == "NoExecute" {
        t["timeAdded"] = json!(rfc3339(now));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controllers::testutil::*;

    fn tainted(key: &str) -> Value {
        let mut n = node("w1");
        n["spec"]["taints"] = json!([taint(key, "NoExecute", 0)]);
        n
    }

    fn pod(tolerations: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": "x", "uid": "ux"}, "spec": {"nodeName": "w1", "tolerations": tolerations}, "status": {"phase": "Running"}})
    }

    fn default_tolerations() -> Value {
        json!([
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ])
    }

    fn run(c: &mut TaintEvictionController, inf: &Informers, now: Millis) -> Vec<Action> {
        c.reconcile(&("default".into(), "x".into()), inf, now, &mut Rng::new(1))
    }

    #[test]
    fn untolerated_noexecute_taint_evicts_at_once_with_event_and_condition() {
        let mut inf = Informers::default();
        inf.insert(tainted("dedicated"));
        inf.insert(pod(json!([])));
        let mut c = TaintEvictionController::default();
        let out = run(&mut c, &inf, 1000);
        assert_eq!(events(&out), vec![("TaintManagerEviction".into(), "Marking for deletion Pod default/x".into())]);
        assert_eq!(deletes(&out, "Pod"), vec!["x"]);
        let p = patches(&out);
        assert_eq!(p[0].1["status"]["conditions"][0]["reason"], "DeletionByTaintManager");
    }

    #[test]
    fn toleration_seconds_delay_the_eviction_and_a_removed_taint_cancels_it() {
        let mut inf = Informers::default();
        inf.insert(tainted("node.kubernetes.io/unreachable"));
        inf.insert(pod(default_tolerations()));
        let mut c = TaintEvictionController::default();
        assert_eq!(
            run(&mut c, &inf, 1000),
            vec![Action::Requeue { key: ("default".into(), "x".into()), after: 300_000 }]
        );
        assert_eq!(
            run(&mut c, &inf, 200_000),
            vec![Action::Requeue { key: ("default".into(), "x".into()), after: 101_000 }],
            "the window counts from when it was first scheduled"
        );
        assert_eq!(deletes(&run(&mut c, &inf, 301_000), "Pod"), vec!["x"]);
        // Again, but the node recovers before the 300 s are up.
        let mut c = TaintEvictionController::default();
        run(&mut c, &inf, 0);
        inf.insert(node("w1"));
        assert_eq!(
            events(&run(&mut c, &inf, 10_000)),
            vec![("TaintManagerEviction".into(), "Cancelling deletion of Pod default/x".into())]
        );
    }

    #[test]
    fn tolerating_forever_never_evicts() {
        let mut inf = Informers::default();
        inf.insert(tainted("node.kubernetes.io/unreachable"));
        inf.insert(pod(
            json!([{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]),
        ));
        let mut c = TaintEvictionController::default();
        assert!(run(&mut c, &inf, 10_000_000).is_empty());
    }

    #[test]
    fn window_table() {
        let t = json!({"key": "a", "effect": "NoExecute"});
        let u = json!({"key": "b", "effect": "NoExecute"});
        let a = json!({"key": "a", "operator": "Exists", "tolerationSeconds": 60});
        let b = json!({"key": "b", "operator": "Exists", "tolerationSeconds": 30});
        let b_forever = json!({"key": "b", "operator": "Exists"});
        assert_eq!(toleration_window(&[&t, &u], &[a.clone(), b]), Some(Some(30_000)), "the shortest wins");
        assert_eq!(toleration_window(&[&t, &u], &[a.clone(), b_forever]), Some(Some(60_000)), "forever does not count");
        assert_eq!(toleration_window(&[&t, &u], &[a]), None, "b is not tolerated");
        assert_eq!(
            toleration_window(&[&t], &[json!({"key": "a", "operator": "Exists", "tolerationSeconds": -5})]),
            Some(Some(0))
        );
    }
}
