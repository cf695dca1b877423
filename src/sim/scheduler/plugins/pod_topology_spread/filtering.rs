//! The filter half of PodTopologySpread: matching-pod counts per domain, built once per cycle.

use std::collections::BTreeMap;

use super::{ERR_CONSTRAINTS_NOT_MATCH, ERR_NODE_LABEL_NOT_MATCH, count_matching, has_all_keys, node_included};
use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::Status;
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;
use crate::sim::scheduler::terms::SpreadConstraint;

/// Upstream's `preFilterState`.
#[derive(Debug, Default, Clone)]
pub struct FilterState {
    constraints: Vec<SpreadConstraint>,
    /// Per constraint: topology value -> matching pods in that domain.
    counts: Vec<BTreeMap<String, i64>>,
}

impl FilterState {
    /// Counts matching pods in every domain of every node that has all the constraints' keys.
    pub fn build(pod: &PodInfo, cluster: &Cluster) -> Self {
        let constraints: Vec<SpreadConstraint> = pod.spread.iter().filter(|c| c.hard).cloned().collect();
        let mut counts = vec![BTreeMap::new(); constraints.len()];
        if constraints.is_empty() {
            return Self::default();
        }
        for node in cluster.nodes() {
            if !has_all_keys(node, &constraints) {
                continue;
            }
            for (i, c) in constraints.iter().enumerate() {
                if !node_included(c, pod, node) {
                    continue;
                }
                let value = node.node.labels[&c.topology_key].clone();
                *counts[i].entry(value).or_insert(0) += count_matching(&node.pods, &c.selector, &pod.namespace);
            }
        }
        Self { constraints, counts }
    }

    /// `matchNum + selfMatch - globalMin <= maxSkew` for every constraint.
    pub fn check(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        for (i, c) in self.constraints.iter().enumerate() {
            let Some(value) = node.node.labels.get(&c.topology_key) else {
                return Status::unresolvable(ERR_NODE_LABEL_NOT_MATCH);
            };
            let domains = &self.counts[i];
            // With fewer domains than minDomains the global minimum is taken as 0.
            let min = if c.min_domains.is_some_and(|m| (domains.len() as i64) < m) {
                0
            } else {
                domains.values().copied().min().unwrap_or(0)
            };
            let self_match = i64::from(c.selector.matches(&pod.labels));
            let matching = domains.get(value).copied().unwrap_or(0);
            if matching + self_match - min > c.max_skew {
                return Status::unschedulable(ERR_CONSTRAINTS_NOT_MATCH);
            }
        }
        Status::success()
    }

    /// PreFilterExtensions: `other` leaves (`delta` -1) or joins (+1) `node`.
    pub fn update(&mut self, pod: &PodInfo, other: &PodInfo, node: &NodeInfo, delta: i64) {
        if !has_all_keys(node, &self.constraints) || other.namespace != pod.namespace {
            return;
        }
        for (i, c) in self.constraints.iter().enumerate() {
            if !node_included(c, pod, node) || !c.selector.matches(&other.labels) {
                continue;
            }
            *self.counts[i].entry(node.node.labels[&c.topology_key].clone()).or_insert(0) += delta;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::framework::Code;
    use crate::sim::scheduler::testing::{cluster, node_value, pod, pod_value};
    use serde_json::{Value, json};

    fn zoned(name: &str, zone: &str) -> Value {
        node_value(name, "4", "8Gi", json!({"metadata": {"labels": {"topology.kubernetes.io/zone": zone}}}))
    }

    fn web(name: &str, node: &str) -> Value {
        pod_value(name, "", "", json!({"nodeName": node}), json!({"labels": {"app": "web"}}))
    }

    fn spread_pod(max_skew: i64, extra: Value) -> PodInfo {
        let mut c = json!({"maxSkew": max_skew, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule",
                           "labelSelector": {"matchLabels": {"app": "web"}}});
        crate::sim::scheduler::testing::merge(&mut c, extra);
        PodInfo::parse(&pod_value(
            "new",
            "",
            "",
            json!({"topologySpreadConstraints": [c]}),
            json!({"labels": {"app": "web"}}),
        ))
    }

    #[test]
    fn filter_table() {
        // zone-a has 2 matching pods, zone-b 1, zone-c none (a node without the zone label is ignored).
        let c = cluster(
            &[
                zoned("a1", "a"),
                zoned("a2", "a"),
                zoned("b1", "b"),
                zoned("c1", "c"),
                node_value("bare", "4", "8Gi", json!({})),
            ],
            &[
                web("w1", "a1"),
                web("w2", "a2"),
                web("w3", "b1"),
                pod_value("other", "", "", json!({"nodeName": "c1"}), json!({"labels": {"app": "db"}})),
            ],
        );
        let cases = [
            (spread_pod(1, json!({})), "a1", Code::Unschedulable),
            (spread_pod(1, json!({})), "b1", Code::Unschedulable),
            (spread_pod(1, json!({})), "c1", Code::Success),
            (spread_pod(2, json!({})), "b1", Code::Success),
            (spread_pod(1, json!({})), "bare", Code::UnschedulableAndUnresolvable),
            // Only 3 domains exist but 4 are wanted: the minimum counts as 0.
            (spread_pod(2, json!({"minDomains": 4})), "b1", Code::Success),
            (spread_pod(2, json!({"minDomains": 4})), "a1", Code::Unschedulable),
        ];
        for (p, node, want) in cases {
            let mut pl = super::super::PodTopologySpread::default();
            use crate::sim::scheduler::framework::Plugin;
            assert_eq!(pl.pre_filter(&p, &c), Ok(None));
            let s = pl.filter(&p, c.node(node).expect("node exists"));
            assert_eq!(s.code, want, "{node} {:?}", p.spread[0]);
        }
        let state = FilterState::build(&spread_pod(1, json!({})), &c);
        assert_eq!(
            state.check(&spread_pod(1, json!({})), c.node("a1").expect("a1")).message(),
            ERR_CONSTRAINTS_NOT_MATCH
        );
        assert_eq!(
            state.check(&spread_pod(1, json!({})), c.node("bare").expect("bare")).message(),
            ERR_NODE_LABEL_NOT_MATCH
        );
    }

    #[test]
    fn soft_constraints_do_not_filter_and_updates_move_counts() {
        let c = cluster(&[zoned("a1", "a"), zoned("b1", "b")], &[web("w1", "a1"), web("w2", "a1")]);
        let soft = spread_pod(1, json!({"whenUnsatisfiable": "ScheduleAnyway"}));
        assert!(FilterState::build(&soft, &c).check(&soft, c.node("a1").expect("a1")).is_success());
        let hard = spread_pod(1, json!({}));
        let mut state = FilterState::build(&hard, &c);
        let a1 = c.node("a1").expect("a1");
        assert!(!state.check(&hard, a1).is_success());
        let victim = pod("w1", "", "", json!({}));
        state.update(&hard, &victim, a1, -1);
        assert!(!state.check(&hard, a1).is_success(), "an unlabeled pod does not count");
        let w1 = PodInfo::parse(&web("w1", "a1"));
        state.update(&hard, &w1, a1, -1);
        assert!(!state.check(&hard, a1).is_success(), "1 + 1 - 0 = 2 > 1");
        let w2 = PodInfo::parse(&web("w2", "a1"));
        state.update(&hard, &w2, a1, -1);
        assert!(state.check(&hard, a1).is_success(), "0 + 1 - 0 = 1");
        state.update(&hard, &w2, a1, 1);
        assert!(!state.check(&hard, a1).is_success(), "add_pod undoes remove_pod");
    }
}
