//! TaintToleration: a node's `NoSchedule`/`NoExecute` taints keep out pods that do not tolerate them;
//! `PreferNoSchedule` taints only lower the node's score.

use crate::sim::api::nodefit::{Effect, find_untolerated};
use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{ClusterEvent, MAX_NODE_SCORE, Plugin, Status, default_normalize};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "TaintToleration";

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct TaintToleration;

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        let untolerated = find_untolerated(&node.node.taints, &pod.tolerations, |t| {
            matches!(t.effect, Effect::NoSchedule | Effect::NoExecute)
        });
        match untolerated {
            None => Status::success(),
            Some(t) => Status::unresolvable(format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value)),
        }
    }

    /// The number of `PreferNoSchedule` taints the pod does not tolerate (fewer is better).
    fn score(&self, pod: &PodInfo, node: &NodeInfo, _cluster: &Cluster) -> i64 {
        // Only tolerations for PreferNoSchedule (or for every effect) count here.
        let tolerates = |t: &_| {
            pod.tolerations
                .iter()
                .any(|tol| tol.effect.is_none_or(|e| e == Effect::PreferNoSchedule) && tol.tolerates(t))
        };
        node.node.taints.iter().filter(|t| t.effect == Effect::PreferNoSchedule && !tolerates(t)).count() as i64
    }

    fn normalize(&self, scores: &mut [i64]) {
        default_normalize(MAX_NODE_SCORE, true, scores);
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(event, ClusterEvent::NodeAdd | ClusterEvent::NodeUpdate { taints: true, .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::framework::Code;
    use crate::sim::scheduler::testing::{cluster, node_info, pod};
    use serde_json::json;

    fn tainted(taints: serde_json::Value) -> NodeInfo {
        node_info("n", "1", "1Gi", json!({"spec": {"taints": taints}}))
    }

    #[test]
    fn filter_table() {
        let cp = json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
        let cases = [
            (json!([]), json!([]), Code::Success, ""),
            (
                cp.clone(),
                json!([]),
                Code::UnschedulableAndUnresolvable,
                "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
            ),
            (
                cp.clone(),
                json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]),
                Code::Success,
                "",
            ),
            (
                json!([{"key": "gpu", "value": "true", "effect": "NoExecute"}]),
                json!([]),
                Code::UnschedulableAndUnresolvable,
                "node(s) had untolerated taint {gpu: true}",
            ),
            (json!([{"key": "slow", "effect": "PreferNoSchedule"}]), json!([]), Code::Success, ""),
        ];
        for (taints, tolerations, want, msg) in cases {
            let s = TaintToleration
                .filter(&pod("p", "", "", json!({"tolerations": tolerations})), &tainted(taints.clone()));
            assert_eq!((s.code, s.message().as_str()), (want, msg), "{taints}");
        }
    }

    #[test]
    fn score_counts_untolerated_prefer_no_schedule_and_normalizes_reversed() {
        let c = cluster(&[], &[]);
        let nodes = [
            tainted(json!([])),
            tainted(json!([{"key": "a", "effect": "PreferNoSchedule"}])),
            tainted(json!([{"key": "a", "effect": "PreferNoSchedule"}, {"key": "b", "effect": "PreferNoSchedule"}])),
        ];
        let p = pod("p", "", "", json!({"tolerations": [{"key": "b", "operator": "Exists", "effect": "NoSchedule"}]}));
        let mut raw: Vec<i64> = nodes.iter().map(|n| TaintToleration.score(&p, n, &c)).collect();
        assert_eq!(raw, [0, 1, 2], "a NoSchedule toleration does not help against PreferNoSchedule");
        TaintToleration.normalize(&mut raw);
        assert_eq!(raw, [100, 50, 0]);
        let tolerant = pod("p", "", "", json!({"tolerations": [{"key": "b", "operator": "Exists"}]}));
        assert_eq!(TaintToleration.score(&tolerant, &nodes[2], &c), 1);
    }
}
