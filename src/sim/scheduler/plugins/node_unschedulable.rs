//! NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes only pods that tolerate the
//! `node.kubernetes.io/unschedulable:NoSchedule` taint (DaemonSet pods do).

use crate::sim::api::nodefit::{Effect, Taint, tolerated};
use crate::sim::scheduler::framework::{ClusterEvent, Plugin, Status};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "NodeUnschedulable";
/// `nodeunschedulable.ErrReasonUnschedulable`.
pub const ERR_REASON: &str = "node(s) were unschedulable";
/// The taint a cordoned node implies (`v1.TaintNodeUnschedulable`).
pub const UNSCHEDULABLE_TAINT_KEY: &str = "node.kubernetes.io/unschedulable";

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct NodeUnschedulable;

impl Plugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        if !node.node.unschedulable {
            return Status::success();
        }
        let taint =
            Taint { key: UNSCHEDULABLE_TAINT_KEY.to_string(), value: String::new(), effect: Effect::NoSchedule };
        if tolerated(&pod.tolerations, &taint) { Status::success() } else { Status::unresolvable(ERR_REASON) }
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(
            event,
            ClusterEvent::NodeAdd
                | ClusterEvent::NodeUpdate { unschedulable: true, .. }
                | ClusterEvent::NodeUpdate { taints: true, .. }
        )
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
        let cordoned = node_info("n", "1", "1Gi", json!({"spec": {"unschedulable": true}}));
        let open = node_info("n", "1", "1Gi", json!({}));
        let tolerates =
            json!({"tolerations": [{"key": UNSCHEDULABLE_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}]});
        let cases = [
            (&open, json!({}), Code::Success),
            (&cordoned, json!({}), Code::UnschedulableAndUnresolvable),
            (&cordoned, tolerates, Code::Success),
            (
                &cordoned,
                json!({"tolerations": [{"key": "other", "operator": "Exists"}]}),
                Code::UnschedulableAndUnresolvable,
            ),
        ];
        for (node, spec, want) in cases {
            let s = NodeUnschedulable.filter(&pod("p", "", "", spec.clone()), node);
            assert_eq!(s.code, want, "{spec}");
        }
        assert_eq!(NodeUnschedulable.filter(&pod("p", "", "", json!({})), &cordoned).message(), ERR_REASON);
    }
}
