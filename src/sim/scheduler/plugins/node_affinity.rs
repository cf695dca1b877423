//! NodeAffinity: `nodeSelector` and required node affinity filter nodes; preferred node affinity terms
//! add their weights to the nodes they match.

use std::collections::BTreeSet;

use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{
    ClusterEvent, MAX_NODE_SCORE, Plugin, PreFilterResult, Status, default_normalize,
};
use crate::sim::scheduler::labels::Op;
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "NodeAffinity";
/// `nodeaffinity.ErrReasonPod`.
pub const ERR_REASON: &str = "node(s) didn't match Pod's node affinity/selector";
/// `errReasonConflict`: every term names nodes, but no node satisfies a whole term.
pub const ERR_CONFLICT: &str = "pod affinity terms conflict";

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct NodeAffinity;

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        NAME
    }

    /// Pods pinned to named nodes (`matchFields` on `metadata.name`, as DaemonSet pods are) only
    /// need those nodes filtered; the others are reported as not satisfying this plugin.
    fn pre_filter(&mut self, pod: &PodInfo, _cluster: &Cluster) -> PreFilterResult {
        let Some(required) = &pod.node_affinity.required else { return Ok(None) };
        let mut names: Option<BTreeSet<String>> = None;
        for term in &required.terms {
            let mut term_names: Option<BTreeSet<String>> = None;
            for r in term.fields.iter().filter(|r| r.key == "metadata.name" && r.op == Op::In) {
                let these: BTreeSet<String> = r.values.iter().cloned().collect();
                term_names = Some(match term_names {
                    None => these,
                    Some(prev) => prev.intersection(&these).cloned().collect(),
                });
            }
            // A term without a node name allows every node: the terms are ORed.
            let Some(term_names) = term_names else { return Ok(None) };
            names.get_or_insert_with(BTreeSet::new).extend(term_names);
        }
        match names {
            Some(n) if n.is_empty() => Err(Status::unresolvable(ERR_CONFLICT)),
            other => Ok(other),
        }
    }

    fn filter(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        if pod.matches_node_selector(node.name(), &node.node.labels) {
            Status::success()
        } else {
            Status::unresolvable(ERR_REASON)
        }
    }

    /// Skip when the pod prefers nothing.
    fn pre_score(&mut self, pod: &PodInfo, _cluster: &Cluster, _feasible: &[&NodeInfo]) -> bool {
        !pod.preferred_node_affinity.is_empty()
    }

    fn score(&self, pod: &PodInfo, node: &NodeInfo, _cluster: &Cluster) -> i64 {
        pod.preferred_node_affinity
            .iter()
            .filter(|p| p.term.matches(node.name(), &node.node.labels))
            .map(|p| p.weight)
            .sum()
    }

    fn normalize(&self, scores: &mut [i64]) {
        default_normalize(MAX_NODE_SCORE, false, scores);
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(event, ClusterEvent::NodeAdd | ClusterEvent::NodeUpdate { labels: true, .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::framework::Code;
    use crate::sim::scheduler::testing::{cluster, node_info, pod};
    use serde_json::json;

    fn labeled(name: &str, labels: serde_json::Value) -> NodeInfo {
        node_info(name, "1", "1Gi", json!({"metadata": {"labels": labels}}))
    }

    #[test]
    fn filter_table() {
        let ssd = labeled("a", json!({"disk": "ssd", "zone": "z1"}));
        let required = |op: &str, values: serde_json::Value| {
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": op, "values": values}]}]}}}})
        };
        let cases = [
            (json!({}), Code::Success),
            (json!({"nodeSelector": {"disk": "ssd"}}), Code::Success),
            (json!({"nodeSelector": {"disk": "hdd"}}), Code::UnschedulableAndUnresolvable),
            (json!({"nodeSelector": {"disk": "ssd", "gpu": "yes"}}), Code::UnschedulableAndUnresolvable),
            (required("In", json!(["ssd", "nvme"])), Code::Success),
            (required("NotIn", json!(["ssd"])), Code::UnschedulableAndUnresolvable),
            (required("Exists", json!([])), Code::Success),
        ];
        for (spec, want) in cases {
            let s = NodeAffinity.filter(&pod("p", "", "", spec.clone()), &ssd);
            assert_eq!(s.code, want, "{spec}");
        }
        let s = NodeAffinity.filter(&pod("p", "", "", json!({"nodeSelector": {"disk": "hdd"}})), &ssd);
        assert_eq!(s.message(), ERR_REASON);
    }

    #[test]
    fn pre_filter_narrows_to_named_nodes() {
        let c = cluster(&[], &[]);
        let fields = |terms: serde_json::Value| {
            pod(
                "p",
                "",
                "",
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}}),
            )
        };
        let name_in = |names: serde_json::Value| json!({"matchFields": [{"key": "metadata.name", "operator": "In", "values": names}]});
        let set = |names: &[&str]| Some(names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>());
        let mut pl = NodeAffinity;
        assert_eq!(pl.pre_filter(&pod("p", "", "", json!({})), &c), Ok(None));
        assert_eq!(pl.pre_filter(&fields(json!([name_in(json!(["w1"]))])), &c), Ok(set(&["w1"])));
        assert_eq!(
            pl.pre_filter(&fields(json!([name_in(json!(["w1"])), name_in(json!(["w2"]))])), &c),
            Ok(set(&["w1", "w2"]))
        );
        let with_labels = json!({"matchExpressions": [{"key": "disk", "operator": "Exists"}]});
        assert_eq!(
            pl.pre_filter(&fields(json!([name_in(json!(["w1"])), with_labels])), &c),
            Ok(None),
            "an ORed term without names allows all"
        );
        let conflicting = json!({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a"]}, {"key": "metadata.name", "operator": "In", "values": ["b"]}]});
        assert_eq!(
            pl.pre_filter(&fields(json!([conflicting])), &c).map_err(|s| s.message()),
            Err(ERR_CONFLICT.to_string())
        );
    }

    #[test]
    fn preferred_terms_score_by_weight() {
        let c = cluster(&[], &[]);
        let nodes = [
            labeled("a", json!({"zone": "z1"})),
            labeled("b", json!({"zone": "z2", "disk": "ssd"})),
            labeled("c", json!({})),
        ];
        let term =
            |key: &str, value: &str| json!({"matchExpressions": [{"key": key, "operator": "In", "values": [value]}]});
        let p = pod(
            "p",
            "",
            "",
            json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 10, "preference": term("zone", "z1")}, {"weight": 30, "preference": term("disk", "ssd")}, {"weight": 10, "preference": term("zone", "z2")}
            ]}}}),
        );
        let mut pl = NodeAffinity;
        assert!(pl.pre_score(&p, &c, &[]));
        let mut raw: Vec<i64> = nodes.iter().map(|n| pl.score(&p, n, &c)).collect();
        assert_eq!(raw, [10, 40, 0]);
        pl.normalize(&mut raw);
        assert_eq!(raw, [25, 100, 0]);
        assert!(!pl.pre_score(&pod("q", "", "", json!({})), &c, &[]), "nothing preferred: Skip");
    }
}
