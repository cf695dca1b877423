//! A node and what is placed on it (upstream `framework.NodeInfo`): the node's parsed object plus the
//! pods counted on it and their summed requests, kept up to date incrementally as pods come and go.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use std::sync::Arc;

use serde_json::Value;

use super::labels::{Labels, string_map};
use super::podinfo::{PodInfo, normalized_image_name};
use super::resources::Resources;
use crate::sim::api::nodefit::HostPort;
use crate::sim::api::nodefit::Taint;

/// The parts of a Node object the scheduler reads. Shared (`Arc`) so that copies of a `NodeInfo`, as
/// preemption makes them, do not copy labels and taints.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    /// `metadata.name`, shared with the decisions that mention the node.
    pub name: Arc<str>,
    /// `metadata.labels` (topology keys, hostname, selectors match on these).
    pub labels: Labels,
    /// `spec.taints`.
    pub taints: Vec<Taint>,
    /// `spec.unschedulable` (`kubectl cordon`).
    pub unschedulable: bool,
    /// `status.allocatable`: what pods may request in total.
    pub allocatable: Resources,
    /// Normalized image name -> size in bytes, from `status.images`.
    pub images: Vec<(String, i64)>,
}

impl NodeSpec {
    /// Parses a Node object; missing fields read as empty (a node without allocatable fits nothing).
    pub fn parse(node: &Value) -> NodeSpec {
        let name = node.at("/metadata/name").and_then(Value::as_str).unwrap_or_default();
        let mut images: Vec<(String, i64)> = node
            .at("/status/images")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|img| {
                let size = img.get("sizeBytes").and_then(Value::as_i64).unwrap_or(0);
                super::labels::strings(img.get("names")).into_iter().map(move |n| (normalized_image_name(&n), size))
            })
            .collect();
        images.stable_sort();
        images.dedup_by(|a, b| a.0 == b.0);
        NodeSpec {
            name: Arc::from(name),
            labels: string_map(node.at("/metadata/labels")),
            taints: Taint::parse_list(node.at("/spec/taints")),
            unschedulable: node.at("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false),
            allocatable: Resources::from_list(node.at("/status/allocatable")),
            images,
        }
    }

    /// The size of an image if the node has it.
    pub fn image_size(&self, normalized: &str) -> Option<i64> {
        self.images.binary_search_by(|(n, _)| n.as_str().cmp(normalized)).ok().map(|i| self.images[i].1)
    }
}

/// A node with its pods and running totals.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    /// The node object as last seen.
    pub node: Arc<NodeSpec>,
    /// Pods counted here: bound, and assumed while their binding is in flight.
    pub pods: Vec<Arc<PodInfo>>,
    /// Sum of the pods' requests (what `NodeResourcesFit` filters against).
    pub requested: Resources,
    /// Sum with the 100m / 200Mi defaults for containers without requests (what scores use).
    pub non_zero_cpu: i64,
    /// Same, for memory.
    pub non_zero_memory: i64,
    /// Host ports in use, one entry per binding (a pod may bind several).
    pub used_ports: Vec<HostPort>,
}

impl NodeInfo {
    /// A node with nothing on it yet.
    pub fn new(node: Arc<NodeSpec>) -> Self {
        Self {
            node,
            pods: Vec::new(),
            requested: Resources::default(),
            non_zero_cpu: 0,
            non_zero_memory: 0,
            used_ports: Vec::new(),
        }
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.node.name
    }

    /// Counts a pod on the node (bound, assumed, or tried there by preemption's dry run).
    pub fn add_pod(&mut self, pod: Arc<PodInfo>) {
        self.requested.add(&pod.requests);
        self.non_zero_cpu += pod.non_zero_cpu;
        self.non_zero_memory += pod.non_zero_memory;
        self.used_ports.extend(pod.host_ports.iter().cloned());
        self.pods.push(pod);
    }

    /// Removes a pod by namespace and name; returns it if it was here.
    pub fn remove_pod(&mut self, namespace: &str, name: &str) -> Option<Arc<PodInfo>> {
        let i = self.pods.iter().position(|p| p.namespace == namespace && p.name == name)?;
        let pod = self.pods.swap_remove(i);
        self.requested.sub(&pod.requests);
        self.non_zero_cpu -= pod.non_zero_cpu;
        self.non_zero_memory -= pod.non_zero_memory;
        for hp in &pod.host_ports {
            if let Some(j) = self.used_ports.iter().position(|u| u == hp) {
                self.used_ports.swap_remove(j);
            }
        }
        Some(pod)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, cpu: &str, port: Option<i64>) -> Arc<PodInfo> {
        let ports = port.map_or(json!([]), |p| json!([{"containerPort": 80, "hostPort": p}]));
        Arc::new(PodInfo::parse(&json!({
            "metadata": {"namespace": "default", "name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx", "ports": ports, "resources": {"requests": {"cpu": cpu}}}]}
        })))
    }

    #[test]
    fn parse_node_spec() {
        let spec = NodeSpec::parse(&json!({
            "metadata": {"name": "worker", "labels": {"kubernetes.io/hostname": "worker"}},
            "spec": {"unschedulable": true, "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]},
            "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
                       "images": [{"names": ["nginx:1.25", "docker.io/library/nginx@sha256:abc"], "sizeBytes": 70000000}, {"names": ["busybox"], "sizeBytes": 4000000}]}
        }));
        assert_eq!(&*spec.name, "worker");
        assert!(spec.unschedulable);
        assert_eq!(spec.taints.len(), 1);
        assert_eq!((spec.allocatable.milli_cpu, spec.allocatable.allowed_pods), (2000, 110));
        assert_eq!(spec.image_size("nginx:1.25"), Some(70000000));
        assert_eq!(spec.image_size("busybox:latest"), Some(4000000));
        assert_eq!(spec.image_size("redis:latest"), None);
    }

    #[test]
    fn add_and_remove_keep_totals() {
        let mut n = NodeInfo::new(Arc::new(NodeSpec::parse(&json!({"metadata": {"name": "n"}}))));
        n.add_pod(pod("a", "200m", Some(8080)));
        n.add_pod(pod("b", "300m", None));
        assert_eq!((n.requested.milli_cpu, n.pods.len(), n.used_ports.len()), (500, 2, 1));
        assert_eq!(n.non_zero_memory, 2 * super::super::resources::DEFAULT_MEMORY_REQUEST);
        assert!(n.remove_pod("default", "a").is_some());
        assert!(n.remove_pod("default", "a").is_none());
        assert_eq!((n.requested.milli_cpu, n.pods.len(), n.used_ports.len()), (300, 1, 0));
    }
}
