//! PodTopologySpread: keep matching pods evenly spread over topology domains (zones, nodes).
//!
//! `DoNotSchedule` constraints filter: placing the pod in a domain must not make it exceed the least
//! loaded domain by more than `maxSkew`. `ScheduleAnyway` constraints, and the cluster's default
//! constraints for pods without any (hostname skew 3, zone skew 5), only score.
//!
//! ```text
//!   zone-a: ●●   zone-b: ●   maxSkew 1   placing in zone-a: 3 - 1 = 2 > 1  rejected
//!                                        placing in zone-b: 2 - 1 = 1      fits
//! ```

use std::sync::Arc;

use crate::sim::api::nodefit::{Effect, tolerated};
use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{ClusterEvent, Plugin, PreFilterResult, Status};
use crate::sim::scheduler::labels::Selector;
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;
use crate::sim::scheduler::terms::SpreadConstraint;

mod filtering;
mod scoring;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "PodTopologySpread";
/// `podtopologyspread.ErrReasonConstraintsNotMatch`.
pub const ERR_CONSTRAINTS_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints";
/// `podtopologyspread.ErrReasonNodeLabelNotMatch`.
pub const ERR_NODE_LABEL_NOT_MATCH: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";
/// The node label that makes every node its own domain.
pub const HOSTNAME_KEY: &str = "kubernetes.io/hostname";
/// The zone label the default constraints spread over.
pub const ZONE_KEY: &str = "topology.kubernetes.io/zone";

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct PodTopologySpread {
    filter_state: filtering::FilterState,
    score_state: scoring::ScoreState,
}

impl Plugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter(&mut self, pod: &PodInfo, cluster: &Cluster) -> PreFilterResult {
        self.filter_state = filtering::FilterState::build(pod, cluster);
        Ok(None)
    }

    fn filter(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        self.filter_state.check(pod, node)
    }

    fn remove_pod(&mut self, pod: &PodInfo, victim: &PodInfo, node: &NodeInfo) {
        self.filter_state.update(pod, victim, node, -1);
    }

    fn add_pod(&mut self, pod: &PodInfo, added: &PodInfo, node: &NodeInfo) {
        self.filter_state.update(pod, added, node, 1);
    }

    fn pre_score(&mut self, pod: &PodInfo, cluster: &Cluster, feasible: &[&NodeInfo]) -> bool {
        self.score_state = scoring::ScoreState::build(pod, cluster, feasible);
        !self.score_state.is_empty()
    }

    fn score(&self, pod: &PodInfo, node: &NodeInfo, _cluster: &Cluster) -> i64 {
        self.score_state.score(pod, node)
    }

    fn normalize(&self, scores: &mut [i64]) {
        self.score_state.normalize(scores);
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(
            event,
            ClusterEvent::AssignedPodAdd
                | ClusterEvent::AssignedPodUpdate
                | ClusterEvent::AssignedPodDelete
                | ClusterEvent::NodeAdd
                | ClusterEvent::NodeDelete
                | ClusterEvent::NodeUpdate { labels: true, .. }
                | ClusterEvent::NodeUpdate { taints: true, .. }
        )
    }
}

/// `matchNodeInclusionPolicies`: does this node take part in the constraint's domains?
fn node_included(c: &SpreadConstraint, pod: &PodInfo, node: &NodeInfo) -> bool {
    if c.honor_node_affinity && !pod.matches_node_selector(node.name(), &node.node.labels) {
        return false;
    }
    if c.honor_node_taints {
        let blocking = node.node.taints.iter().filter(|t| matches!(t.effect, Effect::NoSchedule | Effect::NoExecute));
        if blocking.clone().any(|t| !tolerated(&pod.tolerations, t)) {
            return false;
        }
    }
    true
}

/// `countPodsMatchSelector`: live pods of the namespace whose labels match.
fn count_matching(pods: &[Arc<PodInfo>], selector: &Selector, namespace: &str) -> i64 {
    pods.iter().filter(|p| !p.deleting && p.namespace == namespace && selector.matches(&p.labels)).count() as i64
}

/// Whether the node has every topology key of the constraints.
fn has_all_keys(node: &NodeInfo, constraints: &[SpreadConstraint]) -> bool {
    constraints.iter().all(|c| node.node.labels.contains_key(&c.topology_key))
}
