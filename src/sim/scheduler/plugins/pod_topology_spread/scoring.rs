//! The score half of PodTopologySpread: fewer matching pods in a node's domains is better, each
//! constraint weighted by `ln(number of domains + 2)` so that small topologies are not drowned out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{HOSTNAME_KEY, ZONE_KEY, count_matching, node_included};
use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::fasthash::FastMap;
use crate::sim::scheduler::framework::MAX_NODE_SCORE;
use crate::sim::scheduler::labels::Selector;
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;
use crate::sim::scheduler::terms::SpreadConstraint;

/// Which pods a soft constraint counts.
#[derive(Debug, Clone)]
enum Matcher {
    /// An explicit constraint's label selector (in the pod's namespace).
    Selector(Selector),
    /// The cluster default constraints: pods of the same controller. Upstream derives a selector from
    /// the Services, ReplicaSets and StatefulSets selecting the pod; the controller stands in for it.
    Controller,
}

#[derive(Debug, Clone)]
struct Soft {
    constraint: SpreadConstraint,
    matcher: Matcher,
}

/// Upstream's `preScoreState`.
#[derive(Debug, Default, Clone)]
pub struct ScoreState {
    soft: Vec<Soft>,
    /// Feasible nodes missing a topology key of explicit constraints: scored 0.
    ignored: BTreeSet<Arc<str>>,
    /// `ignored`, by position in the feasible list (for `normalize`).
    ignored_at: Vec<bool>,
    counts: Vec<BTreeMap<String, i64>>,
    weights: Vec<f64>,
    /// Default constraints: the controller's pods per node (the hostname domain counts).
    host_counts: FastMap<Arc<str>, i64>,
}

/// `v1.DefaultConstraints` for system-defaulted spreading.
fn default_constraints() -> Vec<Soft> {
    [(HOSTNAME_KEY, 3), (ZONE_KEY, 5)]
        .into_iter()
        .map(|(key, skew)| Soft {
            constraint: SpreadConstraint {
                max_skew: skew,
                topology_key: key.to_string(),
                hard: false,
                selector: Selector::Nothing,
                min_domains: None,
                honor_node_affinity: true,
                honor_node_taints: false,
            },
            matcher: Matcher::Controller,
        })
        .collect()
}

impl ScoreState {
    pub fn is_empty(&self) -> bool {
        self.soft.is_empty()
    }

    pub fn build(pod: &PodInfo, cluster: &Cluster, feasible: &[&NodeInfo]) -> Self {
        // Nodes must have every key only for the pod's own constraints, so that nodes without a zone
        // label still get hostname spreading from the defaults.
        let (soft, require_all) = if !pod.spread.is_empty() {
            let soft = pod
                .spread
                .iter()
                .filter(|c| !c.hard)
                .map(|c| Soft { constraint: c.clone(), matcher: Matcher::Selector(c.selector.clone()) })
                .collect();
            (soft, true)
        } else {
            (if pod.controller_uid.is_some() { default_constraints() } else { Vec::new() }, false)
        };
        if soft.is_empty() {
            return Self::default();
        }
        let mut s = ScoreState { counts: vec![BTreeMap::new(); soft.len()], soft, ..Self::default() };
        for node in feasible {
            let ignore = require_all && !s.has_all_keys(node);
            s.ignored_at.push(ignore);
            if ignore {
                s.ignored.insert(node.node.name.clone());
                continue;
            }
            for (i, c) in s.soft.iter().enumerate() {
                let key = &c.constraint.topology_key;
                if key != HOSTNAME_KEY {
                    let value = node.node.labels.get(key).map_or("", String::as_str);
                    if !s.counts[i].contains_key(value) {
                        s.counts[i].insert(value.to_string(), 0);
                    }
                }
            }
        }
        let scored_nodes = feasible.len() - s.ignored.len();
        s.weights = s
            .soft
            .iter()
            .zip(&s.counts)
            .map(|(c, domains)| {
                let size = if c.constraint.topology_key == HOSTNAME_KEY { scored_nodes } else { domains.len() };
                ((size + 2) as f64).ln()
            })
            .collect();
        match pod.controller_uid.as_deref().filter(|_| !require_all) {
            // Default constraints: walk only the nodes that run pods of the same controller.
            Some(uid) => {
                for (name, n) in cluster.controller_pods(uid).into_iter().flatten() {
                    s.host_counts.insert(name.clone(), i64::from(*n));
                    if let Some(node) = cluster.node(name) {
                        s.add_counts(pod, node, |_| i64::from(*n), require_all);
                    }
                }
            }
            None => {
                for node in cluster.nodes() {
                    s.add_counts(
                        pod,
                        node,
                        |m| match m {
                            Matcher::Selector(sel) => count_matching(&node.pods, sel, &pod.namespace),
                            Matcher::Controller => 0,
                        },
                        require_all,
                    );
                }
            }
        }
        s
    }

    fn has_all_keys(&self, node: &NodeInfo) -> bool {
        self.soft.iter().all(|c| node.node.labels.contains_key(&c.constraint.topology_key))
    }

    /// Adds a node's matching pods to the domains it belongs to (per-node counts are taken in `score`).
    fn add_counts(&mut self, pod: &PodInfo, node: &NodeInfo, count: impl Fn(&Matcher) -> i64, require_all: bool) {
        if require_all && !self.has_all_keys(node) {
            return;
        }
        for (i, c) in self.soft.iter().enumerate() {
            let key = &c.constraint.topology_key;
            if key == HOSTNAME_KEY || !node_included(&c.constraint, pod, node) {
                continue;
            }
            let value = node.node.labels.get(key).map_or("", String::as_str);
            if let Some(total) = self.counts[i].get_mut(value) {
                *total += count(&c.matcher);
            }
        }
    }

    /// Matching pods in the node's domains, weighted, plus `maxSkew - 1` per constraint.
    pub fn score(&self, pod: &PodInfo, node: &NodeInfo) -> i64 {
        if !self.ignored.is_empty() && self.ignored.contains(&*node.node.name) {
            return 0;
        }
        let mut score = 0.0;
        for (i, c) in self.soft.iter().enumerate() {
            let key = &c.constraint.topology_key;
            let Some(value) = node.node.labels.get(key) else { continue };
            let count = if key == HOSTNAME_KEY {
                match &c.matcher {
                    Matcher::Selector(sel) => count_matching(&node.pods, sel, &pod.namespace),
                    Matcher::Controller => self.host_counts.get(node.name()).copied().unwrap_or(0),
                }
            } else {
                self.counts[i].get(value).copied().unwrap_or(0)
            };
            score += count as f64 * self.weights[i] + (c.constraint.max_skew - 1) as f64;
        }
        score.round() as i64
    }

    /// Fewest matching pods -> 100; ignored nodes -> 0.
    pub fn normalize(&self, scores: &mut [i64]) {
        let ignored = |i: usize| self.ignored_at.get(i).copied().unwrap_or(false);
        let considered = scores.iter().enumerate().filter(|(i, _)| !ignored(*i)).map(|(_, s)| *s);
        let (min, max) = considered.fold((i64::MAX, 0), |(lo, hi), s| (lo.min(s), hi.max(s)));
        for (i, s) in scores.iter_mut().enumerate() {
            *s = if ignored(i) {
                0
            } else if max == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE * (max + min - *s) / max
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::testing::{cluster, node_value, pod_value};
    use serde_json::{Value, json};

    fn zoned(name: &str, zone: &str) -> Value {
        node_value(name, "4", "8Gi", json!({"metadata": {"labels": {"topology.kubernetes.io/zone": zone}}}))
    }

    fn replica(name: &str, node: &str) -> Value {
        pod_value(
            name,
            "",
            "",
            json!({"nodeName": node}),
            json!({"labels": {"app": "web"}, "ownerReferences": [{"uid": "rs-1", "controller": true}]}),
        )
    }

    fn scores(p: &PodInfo, c: &Cluster) -> Vec<i64> {
        let feasible: Vec<&NodeInfo> = c.nodes().iter().collect();
        let state = ScoreState::build(p, c, &feasible);
        let mut raw: Vec<i64> = feasible.iter().map(|n| state.score(p, n)).collect();
        state.normalize(&mut raw);
        raw
    }

    #[test]
    fn default_constraints_spread_replicas_of_one_controller() {
        let c = cluster(
            &[zoned("a1", "a"), zoned("a2", "a"), zoned("b1", "b")],
            &[replica("r1", "a1"), replica("r2", "a1"), replica("r3", "a2")],
        );
        let p = PodInfo::parse(&replica("new", ""));
        // a1: 2 on node, 3 in zone a; a2: 1 and 3; b1: 0 and 0 -> b1 best, a1 worst.
        assert_eq!(scores(&p, &c), [46, 53, 100]);
        let orphan = PodInfo::parse(&pod_value("lone", "", "", json!({}), json!({})));
        assert!(ScoreState::build(&orphan, &c, &[]).is_empty(), "no controller, no default spreading");
    }

    #[test]
    fn explicit_soft_constraints_ignore_nodes_without_the_key() {
        let c = cluster(
            &[zoned("a1", "a"), zoned("b1", "b"), node_value("bare", "4", "8Gi", json!({}))],
            &[pod_value("w", "", "", json!({"nodeName": "a1"}), json!({"labels": {"app": "web"}}))],
        );
        let p = PodInfo::parse(&pod_value(
            "new",
            "",
            "",
            json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}}]}),
            json!({"labels": {"app": "web"}}),
        ));
        assert_eq!(scores(&p, &c), [0, 100, 0]);
        let hard_only = PodInfo::parse(&pod_value(
            "h",
            "",
            "",
            json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {}}]}),
            json!({}),
        ));
        assert!(ScoreState::build(&hard_only, &c, &[]).is_empty(), "hard constraints do not score");
    }
}
