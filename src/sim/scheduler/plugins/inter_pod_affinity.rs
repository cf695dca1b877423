//! InterPodAffinity: place a pod near (affinity) or away from (anti-affinity) pods with given labels,
//! where "near" means the same value of a topology label (same node, same zone).
//!
//! The filter enforces the pod's required terms and the required anti-affinity terms of pods already
//! running (a running pod's anti-affinity also keeps newcomers away). Preferred terms, of both sides,
//! only score.

use std::collections::BTreeMap;

use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{ClusterEvent, Plugin, PreFilterResult, Status};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

mod filtering;
mod scoring;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "InterPodAffinity";
/// `interpodaffinity.ErrReasonAffinityRulesNotMatch`.
pub const ERR_AFFINITY: &str = "node(s) didn't match pod affinity rules";
/// `ErrReasonAntiAffinityRulesNotMatch`.
pub const ERR_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
/// `ErrReasonExistingAntiAffinityRulesNotMatch`.
pub const ERR_EXISTING_ANTI_AFFINITY: &str = "node(s) didn't satisfy existing pods anti-affinity rules";

/// Counts per topology pair `(key, value)`; zero entries are removed, as upstream's map does.
type PairCounts = BTreeMap<(String, String), i64>;

/// Adds `delta` to the pair of `node`'s value for `key`, if the node has that label.
fn bump(counts: &mut PairCounts, node: &NodeInfo, key: &str, delta: i64) {
    let Some(value) = node.node.labels.get(key) else { return };
    let pair = (key.to_string(), value.clone());
    let n = counts.entry(pair.clone()).or_insert(0);
    *n += delta;
    if *n == 0 {
        counts.remove(&pair);
    }
}

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct InterPodAffinity {
    filter_state: filtering::FilterState,
    score_state: scoring::ScoreState,
}

impl Plugin for InterPodAffinity {
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

    fn pre_score(&mut self, pod: &PodInfo, cluster: &Cluster, _feasible: &[&NodeInfo]) -> bool {
        self.score_state = scoring::ScoreState::build(pod, cluster);
        !self.score_state.is_empty()
    }

    fn score(&self, _pod: &PodInfo, node: &NodeInfo, _cluster: &Cluster) -> i64 {
        self.score_state.score(node)
    }

    fn normalize(&self, scores: &mut [i64]) {
        scoring::normalize(scores);
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(
            event,
            ClusterEvent::AssignedPodAdd
                | ClusterEvent::AssignedPodUpdate
                | ClusterEvent::AssignedPodDelete
                | ClusterEvent::NodeAdd
                | ClusterEvent::NodeUpdate { labels: true, .. }
        )
    }
}
