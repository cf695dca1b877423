//! NodeResourcesBalancedAllocation: prefer nodes where CPU and memory would be used in similar
//! proportions after placing the pod (score = (1 - standard deviation of the fractions) x 100).

use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{MAX_NODE_SCORE, Plugin};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "NodeResourcesBalancedAllocation";

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct BalancedAllocation;

/// `balancedResourceScorer` for the `(requested, allocatable)` pairs (resources with nothing
/// allocatable are left out; fractions are capped at 1).
pub fn balanced_score(pairs: &[(i64, i64)]) -> i64 {
    let fractions = || pairs.iter().filter(|(_, a)| *a != 0).map(|(r, a)| (*r as f64 / *a as f64).min(1.0));
    let n = fractions().count();
    let std = match n {
        0 | 1 => 0.0,
        2 => {
            let mut f = fractions();
            let (a, b) = (f.next().unwrap_or(0.0), f.next().unwrap_or(0.0));
            ((a - b) / 2.0).abs()
        }
        n => {
            let mean = fractions().sum::<f64>() / n as f64;
            (fractions().map(|f| (f - mean) * (f - mean)).sum::<f64>() / n as f64).sqrt()
        }
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

impl Plugin for BalancedAllocation {
    fn name(&self) -> &'static str {
        NAME
    }

    /// Skipped for BestEffort pods, so that they do not all pile onto one node (kubernetes#129138).
    fn pre_score(&mut self, pod: &PodInfo, _cluster: &Cluster, _feasible: &[&NodeInfo]) -> bool {
        pod.requests.milli_cpu != 0 || pod.requests.memory != 0
    }

    /// Uses the actual requests (no 100m / 200Mi defaults), as upstream's `useRequested`.
    fn score(&self, pod: &PodInfo, node: &NodeInfo, _cluster: &Cluster) -> i64 {
        let alloc = &node.node.allocatable;
        balanced_score(&[
            (node.requested.milli_cpu + pod.requests.milli_cpu, alloc.milli_cpu),
            (node.requested.memory + pod.requests.memory, alloc.memory),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::testing::{cluster, node_info, pod};
    use serde_json::json;

    #[test]
    fn balanced_score_table() {
        let cases: [(&[(i64, i64)], i64); 5] = [
            (&[(500, 1000), (2, 4)], 100),
            (&[(1000, 1000), (0, 4)], 50),
            (&[(3000, 1000), (0, 4)], 50),
            (&[(250, 1000), (0, 0)], 100),
            (&[(1, 2), (1, 4), (1, 8)], 84),
        ];
        for (pairs, want) in cases {
            assert_eq!(balanced_score(pairs), want, "{pairs:?}");
        }
    }

    #[test]
    fn best_effort_pods_skip_and_others_score() {
        let c = cluster(&[], &[]);
        let node = node_info("n", "4", "8Gi", json!({}));
        let mut pl = BalancedAllocation;
        assert!(!pl.pre_score(&pod("p", "", "", json!({})), &c, &[]));
        let p = pod("p", "2", "2Gi", json!({}));
        assert!(pl.pre_score(&p, &c, &[]));
        // cpu 2/4 = 0.5, memory 2/8 = 0.25: std 0.125 -> 87
        assert_eq!(pl.score(&p, &node, &c), 87);
    }
}
