//! NodeName: a pod that already names its node (`spec.nodeName`) fits only that node.

use crate::sim::scheduler::framework::{ClusterEvent, Plugin, Status};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "NodeName";
/// `nodename.ErrReason`.
pub const ERR_REASON: &str = "node(s) didn't match the requested node name";

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct NodeName;

impl Plugin for NodeName {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        if pod.node_name.is_empty() || pod.node_name == node.name() {
            Status::success()
        } else {
            Status::unresolvable(ERR_REASON)
        }
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(event, ClusterEvent::NodeAdd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::framework::Code;
    use crate::sim::scheduler::testing::{node_info, pod};
    use serde_json::json;

    #[test]
    fn filter_table() {
        let node = node_info("worker", "1", "1Gi", json!({}));
        let cases = [
            (json!({}), Code::Success),
            (json!({"nodeName": "worker"}), Code::Success),
            (json!({"nodeName": "worker2"}), Code::UnschedulableAndUnresolvable),
        ];
        for (spec, want) in cases {
            let s = NodeName.filter(&pod("p", "", "", spec.clone()), &node);
            assert_eq!(s.code, want, "{spec}");
            if want != Code::Success {
                assert_eq!(s.message(), ERR_REASON);
            }
        }
    }
}
