//! One scheduling cycle (upstream `schedule_one.go`): filter nodes until enough fit, score them, pick
//! the best.
//!
//! ```text
//!  nodes: n0 n1 n2 [n3 n4 n5 … n9] n0 n1 n2     start = where the last cycle stopped
//!                   └── filter until numFeasibleNodesToFind fit (all nodes below 100)
//!  feasible ──► PreScore ──► Score ──► Normalize ──► × weight ──► sum ──► highest (ties: rng)
//! ```
//! A pod with `status.nominatedNodeName` (set by an earlier preemption) tries that node first. Pods
//! nominated to a node with at least the same priority count as already running there.

use std::sync::Arc;

use super::cluster::Cluster;
use super::decision::{Decision, Outcome};
use super::framework::{Code, MAX_NODE_SCORE, Status};
use super::nodeinfo::NodeInfo;
use super::podinfo::PodInfo;
use super::registry::Profile;
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// At least this many nodes are scored when the cluster has them (`minFeasibleNodesToFind`).
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// The adaptive percentage never goes below this (`minFeasibleNodesPercentageToFind`).
pub const MIN_FEASIBLE_NODES_PERCENTAGE: usize = 5;

/// `numFeasibleNodesToFind`: all nodes below 100; else `percentage` of them (0 means adaptive:
/// `50 - nodes/125` percent, at least 5 %), and never fewer than 100.
pub fn num_feasible_nodes_to_find(num_all_nodes: usize, percentage: u32) -> usize {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all_nodes;
    }
    let percentage = match percentage as usize {
        0 => 50usize.saturating_sub(num_all_nodes / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE),
        p => p.min(100),
    };
    (num_all_nodes * percentage / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// Runs the profile's filters, first with the pods nominated to the node that are at least as
/// important as this one (`RunFilterPluginsWithNominatedPods`), then without them.
pub fn run_filters(
    profile: &Profile,
    pod: &PodInfo,
    node: &NodeInfo,
    cluster: &Cluster,
) -> Result<(), (usize, Status)> {
    let mut nominated = cluster
        .nominated_on(node.name())
        .filter(|p| p.priority >= pod.priority && !(p.namespace == pod.namespace && p.name == pod.name))
        .peekable();
    if nominated.peek().is_none() {
        return profile.filter(pod, node);
    }
    let mut with = node.clone();
    for p in nominated {
        with.add_pod(p.clone());
    }
    profile.filter(pod, &with)?;
    profile.filter(pod, node)
}

/// The scheduling algorithm: a profile and where the next node search starts.
#[derive(Debug)]
pub struct Algorithm {
    /// The plugins and their weights (`default-scheduler`).
    pub profile: Profile,
    /// `percentageOfNodesToScore` of the scheduler configuration; 0 (the default) is adaptive.
    pub percentage_of_nodes_to_score: u32,
    next_start: usize,
}

impl Default for Algorithm {
    fn default() -> Self {
        Self::new(Profile::default_profile())
    }
}

impl Algorithm {
    /// An algorithm over `profile`, adaptive percentage, starting at the first node.
    pub fn new(profile: Profile) -> Self {
        Self { profile, percentage_of_nodes_to_score: 0, next_start: 0 }
    }

    /// Where the next node search starts (`nextStartNodeIndex`).
    pub fn next_start(&self) -> usize {
        self.next_start
    }

    /// Decides where `pod` goes, without changing the cluster.
    pub fn schedule(&mut self, pod: &PodInfo, cluster: &Cluster, rng: &mut Rng, now: Millis, attempt: u32) -> Decision {
        let mut d = Decision::new(
            &pod.namespace,
            &pod.name,
            now,
            attempt,
            self.profile.filter_names(),
            self.profile.score_plugins(),
        );
        let nodes = cluster.nodes();
        if nodes.is_empty() {
            d.outcome = Outcome::NoNodes;
            return d;
        }
        d.num_all_nodes = nodes.len();
        let narrowed = match self.profile.pre_filter(pod, cluster) {
            Ok(n) => n,
            Err(s) if s.is_rejected() => {
                // Every node gets the same status, so the message is the PreFilter's alone.
                d.pre_filter_msg = Some(s.message());
                d.absent = Some(s);
                d.outcome = Outcome::Unfit;
                return d;
            }
            Err(s) => {
                d.outcome = Outcome::Error(s.message());
                return d;
            }
        };
        if let Some(node) = cluster.node(&pod.nominated_node_name) {
            // The node preemption freed is most likely the only fit: try it before the others.
            if run_filters(&self.profile, pod, node, cluster).is_ok() {
                d.nodes.push(node.node.name.clone());
                d.rejected.push(None);
                d.outcome = Outcome::Fit(node.node.name.clone());
                return d;
            }
        }
        let candidates: Vec<&NodeInfo> = match &narrowed {
            None => nodes.iter().collect(),
            Some((names, by)) => {
                let plugins = by.join(" ");
                d.absent = Some(
                    Status::unresolvable(format!("node(s) didn't satisfy plugin(s) [{plugins}]")).with_plugin(by[0]),
                );
                names.iter().filter_map(|n| cluster.node(n)).collect()
            }
        };
        let feasible = match self.find_feasible(pod, cluster, &candidates, &mut d) {
            Ok(f) => f,
            Err(message) => {
                d.outcome = Outcome::Error(message);
                return d;
            }
        };
        d.outcome = match feasible.len() {
            0 => Outcome::Unfit,
            // One feasible node: no need to score.
            1 => Outcome::Fit(feasible[0].node.name.clone()),
            _ => match self.prioritize(pod, cluster, &feasible, &mut d) {
                Ok(()) => Outcome::Fit(select_host(&d, rng)),
                Err(message) => Outcome::Error(message),
            },
        };
        d
    }

    /// Filters nodes from the rotating start until enough fit; records every verdict in `d`.
    fn find_feasible<'c>(
        &mut self,
        pod: &PodInfo,
        cluster: &Cluster,
        nodes: &[&'c NodeInfo],
        d: &mut Decision,
    ) -> Result<Vec<&'c NodeInfo>, String> {
        let n = nodes.len();
        let all = cluster.nodes().len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let to_find = num_feasible_nodes_to_find(n, self.percentage_of_nodes_to_score);
        let start = self.next_start % n;
        let mut feasible = Vec::with_capacity(to_find);
        d.nodes.reserve(to_find);
        d.rejected.reserve(to_find);
        d.scored.reserve(to_find);
        let mut processed = 0;
        for i in 0..n {
            let node = nodes[(start + i) % n];
            processed += 1;
            d.nodes.push(node.node.name.clone());
            match run_filters(&self.profile, pod, node, cluster) {
                Ok(()) => {
                    d.scored.push(d.nodes.len() - 1);
                    d.rejected.push(None);
                    feasible.push(node);
                    if feasible.len() >= to_find {
                        break;
                    }
                }
                Err((_, s)) if s.code == Code::Error => {
                    self.next_start = (self.next_start + processed) % all;
                    return Err(s.message());
                }
                Err(rejection) => d.rejected.push(Some(rejection)),
            }
        }
        // As upstream, the index advances modulo all nodes even when PreFilter narrowed the search.
        self.next_start = (self.next_start + processed) % all;
        Ok(feasible)
    }

    /// PreScore, Score and NormalizeScore of every score plugin, then the weighted totals.
    fn prioritize(
        &mut self,
        pod: &PodInfo,
        cluster: &Cluster,
        feasible: &[&NodeInfo],
        d: &mut Decision,
    ) -> Result<(), String> {
        let n = feasible.len();
        let plugins = d.score_plugins.len();
        d.skipped = self.profile.pre_score(pod, cluster, feasible).into_iter().map(|run| !run).collect();
        d.raw = vec![0; plugins * n];
        d.normalized = vec![0; plugins * n];
        for p in 0..plugins {
            if d.skipped[p] {
                continue;
            }
            let raw = &mut d.raw[p * n..(p + 1) * n];
            for (j, node) in feasible.iter().enumerate() {
                raw[j] = self.profile.score(p, pod, node, cluster);
            }
            let normalized = &mut d.normalized[p * n..(p + 1) * n];
            normalized.copy_from_slice(raw);
            self.profile.normalize(p, normalized);
            if let Some(bad) = normalized.iter().find(|s| !(0..=MAX_NODE_SCORE).contains(*s)) {
                return Err(format!(
                    "plugin {:?} returns an invalid score {bad}, it should in the range of [0, {MAX_NODE_SCORE}] after normalizing",
                    d.score_plugins[p].0
                ));
            }
        }
        d.totals = (0..n).map(|j| (0..plugins).map(|p| d.normalized[p * n + j] * d.score_plugins[p].1).sum()).collect();
        Ok(())
    }
}

/// The highest total; among equal totals each is equally likely (reservoir sampling with `rng`).
fn select_host(d: &Decision, rng: &mut Rng) -> Arc<str> {
    let mut best = 0;
    let mut ties = 1;
    for j in 1..d.totals.len() {
        if d.totals[j] > d.totals[best] {
            best = j;
            ties = 1;
        } else if d.totals[j] == d.totals[best] {
            ties += 1;
            if rng.below(ties) == 0 {
                best = j;
            }
        }
    }
    d.nodes[d.scored[best]].clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::decision::fit_error_message;
    use crate::sim::scheduler::testing::{cluster, node_value, pod, pod_value};
    use serde_json::{Value, json};

    fn filler(name: &str, node: &str, cpu: &str, memory: &str) -> Value {
        pod_value(name, cpu, memory, json!({"nodeName": node}), json!({}))
    }

    fn run(c: &Cluster, p: &PodInfo, seed: u64) -> Decision {
        Algorithm::default().schedule(p, c, &mut Rng::new(seed), 1_000, 1)
    }

    #[test]
    fn num_feasible_nodes_table() {
        for (nodes, want) in
            [(0, 0), (50, 50), (99, 99), (100, 100), (150, 100), (200, 100), (1000, 420), (5000, 500), (6000, 300)]
        {
            assert_eq!(num_feasible_nodes_to_find(nodes, 0), want, "{nodes} nodes");
        }
        for (nodes, pct, want) in [(50, 1, 50), (5000, 1, 100), (5000, 30, 1500), (5000, 100, 5000), (5000, 250, 5000)]
        {
            assert_eq!(num_feasible_nodes_to_find(nodes, pct), want, "{nodes} nodes at {pct}%");
        }
    }

    #[test]
    fn four_nodes_least_allocated_wins_whatever_the_seed() {
        let nodes: Vec<Value> = (1..=4).map(|i| node_value(&format!("worker{i}"), "4", "8Gi", json!({}))).collect();
        let pods = [
            filler("a", "worker1", "3", "6Gi"),
            filler("b", "worker2", "2", "4Gi"),
            filler("c", "worker3", "1", "2Gi"),
            filler("d", "worker4", "2500m", "5Gi"),
        ];
        let c = cluster(&nodes, &pods);
        let p = pod("web", "500m", "1Gi", json!({}));
        for seed in 0..20 {
            let d = run(&c, &p, seed);
            assert_eq!(d.chosen(), Some("worker3"), "seed {seed}");
        }
        let d = run(&c, &p, 0);
        let i = d.node_index("worker3").expect("evaluated");
        let fit =
            d.scores(i).expect("scored").into_iter().find(|s| s.plugin == "NodeResourcesFit").expect("fit scores");
        // cpu: 4000 - (1000 + 500) -> 62; memory: 8Gi - 3Gi -> 62
        assert_eq!((fit.raw, fit.normalized, fit.weighted), (62, 62, 62));
        assert_eq!(d.scored.len(), 4);
    }

    #[test]
    fn ties_are_broken_by_the_seeded_rng() {
        let nodes: Vec<Value> = (1..=4).map(|i| node_value(&format!("worker{i}"), "4", "8Gi", json!({}))).collect();
        let c = cluster(&nodes, &[]);
        let p = pod("web", "100m", "100Mi", json!({}));
        let picks: std::collections::BTreeSet<String> =
            (0..40).filter_map(|s| run(&c, &p, s).chosen().map(str::to_string)).collect();
        assert_eq!(picks.len(), 4, "every tied node gets picked by some seed: {picks:?}");
        assert_eq!(run(&c, &p, 7).chosen(), run(&c, &p, 7).chosen());
    }

    #[test]
    fn unfit_pod_gets_upstreams_message() {
        let cp = node_value(
            "control-plane",
            "4",
            "8Gi",
            json!({"spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}}),
        );
        let mut nodes = vec![cp];
        nodes.extend((1..=3).map(|i| node_value(&format!("worker{i}"), "4", "8Gi", json!({}))));
        let c = cluster(&nodes, &[]);
        let d = run(&c, &pod("big", "1", "16Gi", json!({})), 1);
        assert_eq!(d.outcome, Outcome::Unfit);
        assert_eq!(
            fit_error_message(4, d.rejections().map(|(_, s)| s), None, ""),
            "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient memory."
        );
        assert_eq!(d.unschedulable_plugins(), ["NodeResourcesFit", "TaintToleration"]);
        assert_eq!(run(&cluster(&[], &[]), &pod("p", "", "", json!({})), 1).outcome, Outcome::NoNodes);
    }

    #[test]
    fn search_rotates_and_stops_after_enough_feasible_nodes() {
        let nodes: Vec<Value> = (0..200).map(|i| node_value(&format!("n{i:03}"), "4", "8Gi", json!({}))).collect();
        let c = cluster(&nodes, &[]);
        let mut algo = Algorithm::default();
        let p = pod("p", "100m", "", json!({}));
        let d = algo.schedule(&p, &c, &mut Rng::new(1), 0, 1);
        assert_eq!((d.nodes.len(), d.scored.len(), algo.next_start()), (100, 100, 100));
        let d = algo.schedule(&p, &c, &mut Rng::new(1), 0, 1);
        assert_eq!(&*d.nodes[0], "n100");
        assert_eq!(algo.next_start(), 0);
    }

    #[test]
    fn nominated_node_is_tried_first_and_single_fit_is_not_scored() {
        let nodes: Vec<Value> = (1..=3).map(|i| node_value(&format!("worker{i}"), "4", "8Gi", json!({}))).collect();
        let c = cluster(&nodes, &[filler("x", "worker1", "3", "")]);
        let mut p = pod("p", "100m", "", json!({}));
        p.nominated_node_name = "worker1".into();
        let d = run(&c, &p, 3);
        assert_eq!((d.chosen(), d.nodes.len(), d.scored.len()), (Some("worker1"), 1, 0));
        let only = cluster(&nodes[..1], &[]);
        let d = run(&only, &pod("q", "1", "", json!({})), 3);
        assert_eq!((d.chosen(), d.scored.len(), d.totals.len()), (Some("worker1"), 1, 0));
        assert_eq!(d.scores(0), None);
    }

    #[test]
    fn nominated_pods_hold_their_room_against_lower_priority_pods() {
        let c0 = cluster(&[node_value("only", "2", "4Gi", json!({}))], &[]);
        let mut c = c0.clone();
        let mut big = PodInfo::parse(&pod_value("big", "1500m", "", json!({"priority": 100}), json!({})));
        big.nominated_node_name = "only".into();
        c.set_pod(big);
        let low = PodInfo::parse(&pod_value("low", "1", "", json!({"priority": 10}), json!({})));
        assert_eq!(run(&c, &low, 1).outcome, Outcome::Unfit);
        let high = PodInfo::parse(&pod_value("high", "1", "", json!({"priority": 1000}), json!({})));
        assert_eq!(run(&c, &high, 1).chosen(), Some("only"));
        assert_eq!(run(&c0, &low, 1).chosen(), Some("only"));
    }
}
