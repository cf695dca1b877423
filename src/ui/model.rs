//! What the diagram shows, as plain data read from the cluster's objects (testable without a browser).
//!
//! The diagram never draws from the simulation's internals: it reads nodes and pods the way a client
//! would (from the kube-apiserver's watch cache) and which processes are stopped.

use crate::sim::sort::StableSort;
use std::collections::BTreeSet;

use serde_json::Value;

/// A node's `Ready` condition, as `kubectl get nodes` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    NotReady,
    /// The node controller could not hear from the kubelet (`status: Unknown`).
    Unknown,
}

/// One node of the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeModel {
    pub name: String,
    /// Carries the `node-role.kubernetes.io/control-plane` label (kind's control-plane node).
    pub control_plane: bool,
    pub readiness: Readiness,
    /// `spec.unschedulable` (cordoned).
    pub cordoned: bool,
}

/// One pod, with what its chip shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PodModel {
    pub namespace: String,
    pub name: String,
    /// `spec.nodeName`: None until the scheduler binds it.
    pub node: Option<String>,
    /// `status.phase`; a pod the apiserver has just created has none yet, which kubectl shows as Pending.
    pub phase: String,
    /// `metadata.deletionTimestamp` is set: kubectl shows `Terminating`.
    pub terminating: bool,
    /// The PersistentVolumeClaims its volumes use (filled in by the bridge, which reads them as the
    /// simulation does): the chip wears a volume badge that opens them.
    pub claims: Vec<String>,
}

impl PodModel {
    /// One of the pods kind runs for the cluster itself (CoreDNS, kube-proxy, kindnet, the static
    /// control plane, the local-path provisioner), drawn apart from the learner's.
    pub fn is_system(&self) -> bool {
        matches!(self.namespace.as_str(), "kube-system" | "local-path-storage")
    }

    /// Reads a pod object; None when it lacks a name (never the case for stored objects).
    pub fn from_object(obj: &Value) -> Option<Self> {
        let meta = obj.get("metadata")?;
        Some(Self {
            namespace: str_at(meta, "/namespace").unwrap_or("default").to_string(),
            name: str_at(meta, "/name")?.to_string(),
            node: str_at(obj, "/spec/nodeName").filter(|n| !n.is_empty()).map(str::to_string),
            phase: str_at(obj, "/status/phase").unwrap_or("Pending").to_string(),
            terminating: meta.get("deletionTimestamp").is_some_and(|v| !v.is_null()),
            claims: Vec::new(),
        })
    }

    /// The storage key of the pod's claim `name` (claims live in the pod's namespace).
    pub fn claim_key(&self, name: &str) -> String {
        format!("/registry/persistentvolumeclaims/{}/{name}", self.namespace)
    }

    /// The storage key, which the inspector uses to find the live object again.
    pub fn key(&self) -> String {
        format!("/registry/pods/{}/{}", self.namespace, self.name)
    }

    /// The word a chip shows and colours by: the phase, or `Terminating` once deletion started.
    pub fn status(&self) -> &str {
        if self.terminating { "Terminating" } else { &self.phase }
    }
}

impl NodeModel {
    pub fn from_object(obj: &Value) -> Option<Self> {
        let name = str_at(obj, "/metadata/name")?.to_string();
        let control_plane = obj
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane"));
        let ready = obj
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| str_at(c, "/type") == Some("Ready")))
            .and_then(|c| str_at(c, "/status"));
        let readiness = match ready {
            Some("True") => Readiness::Ready,
            Some("False") => Readiness::NotReady,
            // A node that never reported, or whose kubelet went silent.
            _ => Readiness::Unknown,
        };
        let cordoned = obj.pointer("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false);
        Some(Self { name, control_plane, readiness, cordoned })
    }

    pub fn key(&self) -> String {
        format!("/registry/minions/{}", self.name)
    }
}

/// Everything the diagram's layout depends on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterModel {
    /// Control-plane nodes first, then by name with numbers in numeric order (`kind-worker2` before
    /// `kind-worker10`), which reads better in a grid than kubectl's plain string order.
    pub nodes: Vec<NodeModel>,
    /// Pods by namespace then name.
    pub pods: Vec<PodModel>,
    /// Components (as the trace names them) that are stopped.
    pub stopped: BTreeSet<String>,
}

impl ClusterModel {
    /// Builds the model from node and pod objects; objects that cannot be read are skipped.
    pub fn from_objects<'a>(
        nodes: impl IntoIterator<Item = &'a Value>,
        pods: impl IntoIterator<Item = &'a Value>,
        stopped: BTreeSet<String>,
    ) -> Self {
        let mut nodes: Vec<NodeModel> = nodes.into_iter().filter_map(NodeModel::from_object).collect();
        nodes.stable_sort_by(|a, b| b.control_plane.cmp(&a.control_plane).then_with(|| natural_cmp(&a.name, &b.name)));
        let pods = pods.into_iter().filter_map(PodModel::from_object).collect();
        Self { nodes, pods, stopped }
    }

    /// Pods bound to `node`: the learner's in namespace/name order, then the cluster's own (kind's
    /// kube-system and local-path-storage), so that those are the first summed up as `+N`.
    pub fn pods_on<'a>(&'a self, node: &'a str) -> impl Iterator<Item = &'a PodModel> + 'a {
        let on = move |p: &&PodModel| p.node.as_deref() == Some(node);
        let learners = self.pods.iter().filter(on).filter(|p| !p.is_system());
        learners.chain(self.pods.iter().filter(on).filter(|p| p.is_system()))
    }

    /// Pods the scheduler has not bound yet (or bound to a node that no longer exists).
    pub fn unscheduled(&self) -> impl Iterator<Item = &PodModel> + '_ {
        self.pods.iter().filter(|p| p.node.as_deref().is_none_or(|n| !self.nodes.iter().any(|node| node.name == n)))
    }
}

/// Compares names with runs of digits compared as numbers: `w2` < `w10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (da, db) = (
            a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len(),
            b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len(),
        );
        if da > 0 && db > 0 {
            let (na, nb) = (a[..da].trim_start_matches('0'), b[..db].trim_start_matches('0'));
            let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if ord.is_ne() {
                return ord;
            }
            (a, b) = (&a[da..], &b[db..]);
            continue;
        }
        let (mut ca, mut cb) = (a.chars(), b.chars());
        match (ca.next(), cb.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (x, y) if x != y => return x.cmp(&y),
            _ => (a, b) = (ca.as_str(), cb.as_str()),
        }
    }
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pods_read_phase_node_and_deletion() {
        let cases = [
            (json!({"metadata": {"name": "a", "namespace": "ns"}}), Some(("ns", "a", None, "Pending", false))),
            (
                json!({"metadata": {"name": "b"}, "spec": {"nodeName": "w1"}, "status": {"phase": "Running"}}),
                Some(("default", "b", Some("w1"), "Running", false)),
            ),
            (
                json!({"metadata": {"name": "c", "deletionTimestamp": "2025-01-01T00:00:00Z"}, "spec": {"nodeName": ""}}),
                Some(("default", "c", None, "Pending", true)),
            ),
            (json!({"metadata": {}}), None),
            (json!("not an object"), None),
        ];
        for (obj, want) in cases {
            let got = PodModel::from_object(&obj);
            let got = got
                .as_ref()
                .map(|p| (p.namespace.as_str(), p.name.as_str(), p.node.as_deref(), p.phase.as_str(), p.terminating));
            assert_eq!(got, want, "{obj}");
        }
    }

    #[test]
    fn status_prefers_terminating() {
        let mut p =
            PodModel::from_object(&json!({"metadata": {"name": "x"}, "status": {"phase": "Running"}})).expect("named");
        assert_eq!(p.status(), "Running");
        p.terminating = true;
        assert_eq!(p.status(), "Terminating");
        assert_eq!(p.key(), "/registry/pods/default/x");
    }

    #[test]
    fn nodes_read_readiness_and_role() {
        let cases = [
            (
                json!({"metadata": {"name": "n"}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}),
                Readiness::Ready,
            ),
            (
                json!({"metadata": {"name": "n"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}),
                Readiness::NotReady,
            ),
            (
                json!({"metadata": {"name": "n"}, "status": {"conditions": [{"type": "MemoryPressure", "status": "True"}]}}),
                Readiness::Unknown,
            ),
            (json!({"metadata": {"name": "n"}}), Readiness::Unknown),
        ];
        for (obj, want) in cases {
            assert_eq!(NodeModel::from_object(&obj).expect("named").readiness, want, "{obj}");
        }
        let cp = json!({"metadata": {"name": "cp", "labels": {"node-role.kubernetes.io/control-plane": ""}}, "spec": {"unschedulable": true}});
        let cp = NodeModel::from_object(&cp).expect("named");
        assert!(cp.control_plane && cp.cordoned);
        assert_eq!(NodeModel::from_object(&json!({"metadata": {"labels": {}}})), None);
    }

    #[test]
    fn natural_order() {
        use std::cmp::Ordering::*;
        let cases = [
            ("w2", "w10", Less),
            ("w10", "w2", Greater),
            ("w", "w1", Less),
            ("a", "b", Less),
            ("w02", "w2", Equal),
            ("x9y", "x10a", Less),
            ("", "", Equal),
            ("kind-worker", "kind-worker2", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(natural_cmp(a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn cluster_model_orders_nodes_and_finds_unscheduled_pods() {
        let nodes = [
            json!({"metadata": {"name": "w10"}}),
            json!({"metadata": {"name": "w2"}}),
            json!({"metadata": {"name": "w1"}}),
            json!({"metadata": {"name": "z-cp", "labels": {"node-role.kubernetes.io/control-plane": ""}}}),
        ];
        let pods = [
            json!({"metadata": {"name": "on-w1"}, "spec": {"nodeName": "w1"}}),
            json!({"metadata": {"name": "waiting"}}),
            json!({"metadata": {"name": "orphan"}, "spec": {"nodeName": "gone"}}),
        ];
        let m = ClusterModel::from_objects(&nodes, &pods, BTreeSet::new());
        let names: Vec<_> = m.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["z-cp", "w1", "w2", "w10"]);
        assert_eq!(m.pods_on("w1").map(|p| p.name.as_str()).collect::<Vec<_>>(), ["on-w1"]);
        assert_eq!(m.pods_on("w2").count(), 0);
        assert_eq!(m.unscheduled().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["waiting", "orphan"]);
    }
}
