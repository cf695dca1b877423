//! NodeResourcesFit: the pod's requests must fit in what the node has left (allocatable minus the
//! requests of the pods already there, assumed ones included); among fitting nodes the least
//! allocated scores best (the default `LeastAllocated` strategy, CPU and memory weighted 1:1).

use std::borrow::Cow;

use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{ClusterEvent, MAX_NODE_SCORE, Plugin, Status};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "NodeResourcesFit";

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct NodeResourcesFit;

/// The reasons `fitsRequest` gives, in its order: pods, cpu, memory, ephemeral-storage, extended.
pub fn insufficient(pod: &PodInfo, node: &NodeInfo) -> Vec<Cow<'static, str>> {
    let mut reasons: Vec<Cow<'static, str>> = Vec::new();
    let alloc = &node.node.allocatable;
    let used = &node.requested;
    if node.pods.len() as i64 + 1 > alloc.allowed_pods {
        reasons.push("Too many pods".into());
    }
    let want = &pod.requests;
    if want.is_zero() {
        return reasons;
    }
    if want.milli_cpu > 0 && want.milli_cpu > alloc.milli_cpu - used.milli_cpu {
        reasons.push("Insufficient cpu".into());
    }
    if want.memory > 0 && want.memory > alloc.memory - used.memory {
        reasons.push("Insufficient memory".into());
    }
    if want.ephemeral_storage > 0 && want.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage {
        reasons.push("Insufficient ephemeral-storage".into());
    }
    for (name, q) in &want.scalar {
        let free = alloc.scalar.get(name).copied().unwrap_or(0) - used.scalar.get(name).copied().unwrap_or(0);
        if *q > 0 && *q > free {
            reasons.push(format!("Insufficient {name}").into());
        }
    }
    reasons
}

/// `leastRequestedScore`: the unused share of one resource, 0..=100.
pub fn least_requested(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

impl Plugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        let reasons = insufficient(pod, node);
        if reasons.is_empty() {
            Status::success()
        } else {
            Status { code: crate::sim::scheduler::framework::Code::Unschedulable, reasons, plugin: "" }
        }
    }

    /// LeastAllocated over CPU and memory, counting 100m / 200Mi for containers without requests.
    fn score(&self, pod: &PodInfo, node: &NodeInfo, _cluster: &Cluster) -> i64 {
        let alloc = &node.node.allocatable;
        let pairs = [
            (node.non_zero_cpu + pod.non_zero_cpu, alloc.milli_cpu),
            (node.non_zero_memory + pod.non_zero_memory, alloc.memory),
        ];
        let (mut sum, mut weights) = (0, 0);
        for (requested, capacity) in pairs {
            if capacity == 0 {
                continue;
            }
            sum += least_requested(requested, capacity);
            weights += 1;
        }
        if weights == 0 { 0 } else { sum / weights }
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(
            event,
            ClusterEvent::AssignedPodDelete
                | ClusterEvent::NodeAdd
                | ClusterEvent::NodeUpdate { allocatable: true, .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::framework::Code;
    use crate::sim::scheduler::testing::{cluster, node_info, pod};
    use serde_json::json;
    use std::sync::Arc;

    fn busy_node() -> NodeInfo {
        let mut n = node_info(
            "n",
            "2",
            "4Gi",
            json!({"status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "3", "nvidia.com/gpu": "1"}}}),
        );
        n.add_pod(Arc::new(pod("a", "1500m", "1Gi", json!({}))));
        n.add_pod(Arc::new(pod("b", "", "", json!({}))));
        n
    }

    #[test]
    fn filter_table() {
        let node = busy_node();
        let gpu = |n: &str| json!({"containers": [{"name": "c", "image": "cuda", "resources": {"limits": {"nvidia.com/gpu": n}}}]});
        let cases = [
            (pod("p", "500m", "1Gi", json!({})), Code::Success, ""),
            (pod("p", "600m", "1Gi", json!({})), Code::Unschedulable, "Insufficient cpu"),
            (pod("p", "600m", "4Gi", json!({})), Code::Unschedulable, "Insufficient cpu, Insufficient memory"),
            (pod("p", "", "", json!({})), Code::Success, ""),
            (pod("p", "", "", gpu("1")), Code::Success, ""),
            (pod("p", "", "", gpu("2")), Code::Unschedulable, "Insufficient nvidia.com/gpu"),
            // init containers run one at a time: the larger of init (3 cpu) and app (0.1) counts.
            (
                pod(
                    "p",
                    "100m",
                    "",
                    json!({"initContainers": [{"name": "i", "image": "x", "resources": {"requests": {"cpu": "3"}}}]}),
                ),
                Code::Unschedulable,
                "Insufficient cpu",
            ),
            // overhead (RuntimeClass) adds to the request.
            (pod("p", "400m", "", json!({"overhead": {"cpu": "200m"}})), Code::Unschedulable, "Insufficient cpu"),
        ];
        for (p, want, msg) in cases {
            let s = NodeResourcesFit.filter(&p, &node);
            assert_eq!((s.code, s.message().as_str()), (want, msg), "{:?}", p.requests);
        }
    }

    #[test]
    fn too_many_pods_even_for_best_effort() {
        let mut node = busy_node();
        node.add_pod(Arc::new(pod("c", "", "", json!({}))));
        let s = NodeResourcesFit.filter(&pod("p", "", "", json!({})), &node);
        assert_eq!(s.message(), "Too many pods");
    }

    #[test]
    fn least_allocated_score_table() {
        let c = cluster(&[], &[]);
        let empty = node_info("e", "4", "8Gi", json!({}));
        let cases = [
            // (1000/4000 used -> 75) + (2Gi/8Gi used -> 75) / 2
            (pod("p", "1", "2Gi", json!({})), 75),
            // nothing requested: 100m and 200Mi are assumed -> cpu 97, memory 97
            (pod("p", "", "", json!({})), 97),
            (pod("p", "8", "16Gi", json!({})), 0),
        ];
        for (p, want) in cases {
            assert_eq!(NodeResourcesFit.score(&p, &empty, &c), want, "{:?}", p.requests);
        }
        assert_eq!(least_requested(1, 0), 0);
        assert_eq!(least_requested(5, 4), 0);
    }
}
