//! The namespace controller (`pkg/controller/namespace/deletion`): a namespace being deleted keeps its
//! `kubernetes` finalizer until everything in it is gone; then the controller removes the finalizer
//! through the `finalize` subresource and the apiserver deletes the namespace.
//!
//! Simplified: content is deleted object by object (the simulated apiserver has no DELETE collection),
//! covering the resources this kube-controller-manager watches; Events are left behind, and the
//! NamespaceContentRemaining / NamespaceFinalizersRemaining status conditions are not written.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::objects::{self, str_at};
use super::{Controller, pods};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, parse_rfc3339};

/// How long to wait before looking again when nothing tells us when content will be gone.
pub const RECHECK_MS: Millis = 5_000;

const WATCHED: &[&str] = &[
    "namespaces",
    "pods",
    "replicasets",
    "replicationcontrollers",
    "deployments",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "services",
    "endpoints",
    "endpointslices",
    "configmaps",
    "secrets",
    "serviceaccounts",
    "persistentvolumeclaims",
    "controllerrevisions",
    "resourcequotas",
    "limitranges",
    "leases",
];

fn namespaces() -> &'static ResourceType {
    api::resolve("namespaces").expect("namespaces are always served")
}

#[derive(Debug, Default)]
pub struct NamespaceController;

/// `syncNamespace` for a namespace being deleted.
pub fn sync_namespace(inf: &Informers, ns: &Value, now: Millis) -> Vec<Action> {
    let name = objects::name(ns);
    let finalizers: Vec<&str> = ns
        .at("/spec/finalizers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !objects::is_deleting(ns) || !finalizers.contains(&"kubernetes") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut remaining = 0usize;
    let mut wait: Option<Millis> = None;
    for rt in inf.resource_types().filter(|rt| rt.namespaced) {
        for obj in inf.list(rt, Some(name)) {
            remaining += 1;
            if objects::is_deleting(obj) {
                // Pods finish their graceful termination on their kubelet: look again when it is due.
                if rt.plural == "pods" && !pods::node_name(obj).is_empty() {
                    let due = parse_rfc3339(str_at(obj, "/metadata/deletionTimestamp")).unwrap_or(now);
                    let left = due.saturating_sub(now).max(1000);
                    wait = Some(wait.map_or(left, |w| w.min(left)));
                }
                continue;
            }
            out.push(Action::Delete {
                resource: rt,
                namespace: Some(name.to_string()),
                name: objects::name(obj).to_string(),
                propagation: Some("Background".into()),
                grace_seconds: None,
            });
        }
    }
    if remaining > 0 {
        out.push(Action::Requeue { key: (String::new(), name.to_string()), after: wait.unwrap_or(RECHECK_MS) });
        return out;
    }
    // Empty: drop our finalizer through `namespaces/<name>/finalize` (the manager routes it there).
    let mut finalized = ns.clone();
    finalized["spec"]["finalizers"] = json!(finalizers.into_iter().filter(|f| *f != "kubernetes").collect::<Vec<_>>());
    vec![Action::UpdateStatus { resource: namespaces(), object: finalized }]
}

impl Controller for NamespaceController {
    fn name(&self) -> &'static str {
        "namespace"
    }

    fn event_source(&self) -> &'static str {
        "namespace-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        WATCHED
    }

    /// `--concurrent-namespace-syncs` defaults to 10.
    fn workers(&self) -> usize {
        10
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        let obj = &change.new;
        if change.resource.plural == "namespaces" {
            return if objects::is_deleting(obj) {
                vec![(String::new(), objects::name(obj).to_string())]
            } else {
                Vec::new()
            };
        }
        // Content leaving a terminating namespace may make it empty.
        let ns = objects::namespace(obj);
        let terminating = inf.get(namespaces(), "", ns).is_some_and(objects::is_deleting);
        if change.event == EventType::Deleted && terminating {
            vec![(String::new(), ns.to_string())]
        } else {
            Vec::new()
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        match inf.get(namespaces(), "", &key.1) {
            Some(ns) => sync_namespace(inf, ns, now),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controllers::testutil::*;
    use crate::sim::time::rfc3339;

    fn terminating(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "uid": "ns-uid", "deletionTimestamp": rfc3339(0)},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Terminating"}})
    }

    #[test]
    fn deletes_content_then_finalizes_when_empty() {
        let mut inf = Informers::default();
        inf.insert(terminating("team"));
        let mut rs = replicaset("web", 1, "web");
        rs["metadata"]["namespace"] = json!("team");
        inf.insert(rs.clone());
        inf.insert(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "team", "name": "cfg", "uid": "c"}}));
        inf.insert(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "other", "name": "keep", "uid": "k"}}));
        let ns = inf.get(namespaces(), "", "team").cloned().expect("cached");
        let out = sync_namespace(&inf, &ns, 1000);
        assert_eq!(deletes(&out, "ReplicaSet"), vec!["web"]);
        assert_eq!(deletes(&out, "ConfigMap"), vec!["cfg"], "only this namespace's content");
        assert!(out.iter().any(|a| matches!(a, Action::Requeue { .. })));
        assert!(status_updates(&out, "Namespace").is_empty(), "not finalized while content remains");

        let mut nc = NamespaceController;
        let ch = inf.remove(rs).expect("change");
        assert_eq!(
            nc.keys_for(&ch, &inf),
            vec![(String::new(), "team".to_string())],
            "content leaving wakes the namespace"
        );
        inf.remove(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "team", "name": "cfg", "uid": "c"}}));
        let out = sync_namespace(&inf, &ns, 2000);
        let fin = &status_updates(&out, "Namespace")[0];
        assert_eq!(fin["spec"]["finalizers"], json!([]));
    }

    #[test]
    fn terminating_pods_are_waited_for_not_deleted_again() {
        let mut inf = Informers::default();
        inf.insert(terminating("team"));
        let mut p = pod_of(&replicaset("rs", 1, "web"), "p", "w1", "Running", None);
        p["metadata"]["namespace"] = json!("team");
        p["metadata"]["deletionTimestamp"] = json!(rfc3339(30_000));
        inf.insert(p);
        let ns = inf.get(namespaces(), "", "team").cloned().expect("cached");
        let out = sync_namespace(&inf, &ns, 10_000);
        assert_eq!(out, vec![Action::Requeue { key: (String::new(), "team".into()), after: 20_000 }]);
    }

    #[test]
    fn active_namespaces_are_left_alone() {
        let mut ns = terminating("team");
        ns["metadata"].as_object_mut().expect("meta").remove("deletionTimestamp");
        assert!(sync_namespace(&Informers::default(), &ns, 0).is_empty());
    }
}
