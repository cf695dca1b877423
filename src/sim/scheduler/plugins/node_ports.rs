//! NodePorts: a container's `hostPort` must be free on the node (same protocol, overlapping address).

use crate::sim::scheduler::framework::{ClusterEvent, Plugin, Status};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "NodePorts";
/// `nodeports.ErrReason`.
pub const ERR_REASON: &str = "node(s) didn't have free ports for the requested pod ports";

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct NodePorts;

impl Plugin for NodePorts {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        let clash = pod.host_ports.iter().any(|want| node.used_ports.iter().any(|used| used.conflicts(want)));
        if clash { Status::unschedulable(ERR_REASON) } else { Status::success() }
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(event, ClusterEvent::AssignedPodDelete | ClusterEvent::NodeAdd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::framework::Code;
    use crate::sim::scheduler::testing::{node_info, pod};
    use serde_json::json;
    use std::sync::Arc;

    fn ports(list: serde_json::Value) -> serde_json::Value {
        json!({"containers": [{"name": "c", "image": "nginx", "ports": list}]})
    }

    #[test]
    fn filter_table() {
        let mut node = node_info("n", "1", "1Gi", json!({}));
        node.add_pod(Arc::new(pod("web", "", "", ports(json!([{"containerPort": 80, "hostPort": 8080}, {"containerPort": 53, "hostPort": 53, "protocol": "UDP", "hostIP": "10.0.0.1"}])))));
        let cases = [
            (json!([]), Code::Success),
            (json!([{"containerPort": 80}]), Code::Success),
            (json!([{"containerPort": 80, "hostPort": 8080}]), Code::Unschedulable),
            (json!([{"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}]), Code::Success),
            (json!([{"containerPort": 53, "hostPort": 53, "protocol": "UDP", "hostIP": "10.0.0.2"}]), Code::Success),
            (json!([{"containerPort": 53, "hostPort": 53, "protocol": "UDP"}]), Code::Unschedulable),
            (json!([{"containerPort": 80, "hostPort": 8081}]), Code::Success),
        ];
        for (list, want) in cases {
            let s = NodePorts.filter(&pod("p", "", "", ports(list.clone())), &node);
            assert_eq!(s.code, want, "{list}");
        }
        let s = NodePorts.filter(&pod("p", "", "", ports(json!([{"containerPort": 1, "hostPort": 8080}]))), &node);
        assert_eq!(s.message(), ERR_REASON);
    }
}
