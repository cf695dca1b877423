//! What one scheduling attempt decided and why, kept for the UI ("why did my pod land on worker2?")
//! and turned into the `FailedScheduling` message when no node fits.
//!
//! Filter results are stored compactly: a node either passed every filter or was rejected by the
//! filter at position `k` (the ones before it passed, the ones after it did not run, as upstream
//! stops at the first failure). Scores are flat arrays, `[plugin][scored node]`.

use crate::sim::sort::StableSort;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::framework::Status;
use crate::sim::time::Millis;

/// How a scheduling attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The pod goes to this node.
    Fit(Arc<str>),
    /// Every node was rejected (see the node rows).
    Unfit,
    /// The cluster has no nodes at all (`ErrNoNodesAvailable`).
    NoNodes,
    /// A plugin failed; the pod is retried after a backoff.
    Error(String),
}

/// One filter plugin's verdict on one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The filter let the node through.
    Passed,
    /// The filter rejected the node, with its reasons.
    Rejected(Status),
    /// An earlier filter already rejected the node.
    NotRun,
}

/// One score plugin's contribution to one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreDetail {
    /// The score plugin.
    pub plugin: &'static str,
    /// Its weight in the profile.
    pub weight: i64,
    /// What Score returned.
    pub raw: i64,
    /// After NormalizeScore (0..=100).
    pub normalized: i64,
    /// `normalized * weight`, what the total adds up.
    pub weighted: i64,
    /// PreScore said Skip for this pod: the plugin gave every node 0.
    pub skipped: bool,
}

/// The record of one attempt.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The pod.
    pub namespace: String,
    /// The pod.
    pub name: String,
    /// When the attempt ran (virtual time).
    pub at: Millis,
    /// Which attempt this was (1 for the first).
    pub attempt: u32,
    /// How it ended.
    pub outcome: Outcome,
    /// The profile's filters, in the order they run.
    pub filter_plugins: Vec<&'static str>,
    /// The profile's scores with their weights.
    pub score_plugins: Vec<(&'static str, i64)>,
    /// Nodes in the cluster when the attempt ran.
    pub num_all_nodes: usize,
    /// The status of nodes PreFilter ruled out before filtering (never evaluated one by one).
    pub absent: Option<Status>,
    /// A PreFilter rejection message: the pod fits no node at all.
    pub pre_filter_msg: Option<String>,
    /// Nodes evaluated, in evaluation order (from the rotating start index).
    pub nodes: Vec<Arc<str>>,
    /// Per evaluated node: `None` passed all filters, `Some((k, status))` rejected by filter `k`.
    pub rejected: Vec<Option<(usize, Status)>>,
    /// Positions in `nodes` of the scored (feasible) nodes.
    pub scored: Vec<usize>,
    /// Raw scores, `[plugin][scored node]`.
    pub raw: Vec<i64>,
    /// Normalized scores, same layout.
    pub normalized: Vec<i64>,
    /// Per score plugin: PreScore said Skip.
    pub skipped: Vec<bool>,
    /// Weighted total per scored node.
    pub totals: Vec<i64>,
    /// The `Scheduled` / `FailedScheduling` message.
    pub message: String,
    /// Set when preemption nominated a node for the pod.
    pub nominated_node: Option<String>,
    /// `namespace/name` of the pods preemption evicts.
    pub victims: Vec<String>,
}

impl Decision {
    /// An empty record for one attempt; the cycle fills it in.
    pub fn new(
        namespace: &str,
        name: &str,
        at: Millis,
        attempt: u32,
        filter_plugins: Vec<&'static str>,
        score_plugins: Vec<(&'static str, i64)>,
    ) -> Self {
        Self {
            namespace: namespace.to_string(),
            name: name.to_string(),
            at,
            attempt,
            outcome: Outcome::Unfit,
            num_all_nodes: 0,
            absent: None,
            pre_filter_msg: None,
            filter_plugins,
            score_plugins,
            nodes: Vec::new(),
            rejected: Vec::new(),
            scored: Vec::new(),
            raw: Vec::new(),
            normalized: Vec::new(),
            skipped: Vec::new(),
            totals: Vec::new(),
            message: String::new(),
            nominated_node: None,
            victims: Vec::new(),
        }
    }

    /// The chosen node, if the pod fit.
    pub fn chosen(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Fit(n) => Some(n),
            _ => None,
        }
    }

    /// The position of a node among the evaluated ones (for the views below).
    pub fn node_index(&self, node: &str) -> Option<usize> {
        self.nodes.iter().position(|n| &**n == node)
    }

    /// Every filter plugin's verdict on evaluated node `i`.
    pub fn filter_verdicts(&self, i: usize) -> Vec<(&'static str, Verdict)> {
        let rejected = self.rejected.get(i).cloned().flatten();
        self.filter_plugins
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let v = match &rejected {
                    None => Verdict::Passed,
                    Some((at, s)) if *at == k => Verdict::Rejected(s.clone()),
                    Some((at, _)) if k < *at => Verdict::Passed,
                    Some(_) => Verdict::NotRun,
                };
                (*name, v)
            })
            .collect()
    }

    /// Every score plugin's numbers for evaluated node `i`; `None` if the node was not scored (it was
    /// rejected, or it was the only feasible node and scoring was not needed).
    pub fn scores(&self, i: usize) -> Option<Vec<ScoreDetail>> {
        let j = self.scored.iter().position(|&s| s == i)?;
        let n = self.scored.len();
        if self.raw.len() < self.score_plugins.len() * n {
            return None;
        }
        Some(
            self.score_plugins
                .iter()
                .enumerate()
                .map(|(p, (plugin, weight))| {
                    let normalized = self.normalized[p * n + j];
                    ScoreDetail {
                        plugin,
                        weight: *weight,
                        raw: self.raw[p * n + j],
                        normalized,
                        weighted: normalized * weight,
                        skipped: self.skipped[p],
                    }
                })
                .collect(),
        )
    }

    /// The weighted total of evaluated node `i`, if it was scored.
    pub fn total(&self, i: usize) -> Option<i64> {
        let j = self.scored.iter().position(|&s| s == i)?;
        self.totals.get(j).copied()
    }

    /// Rejected nodes with their statuses.
    pub fn rejections(&self) -> impl Iterator<Item = (&Arc<str>, &Status)> {
        self.nodes.iter().zip(&self.rejected).filter_map(|(n, r)| r.as_ref().map(|(_, s)| (n, s)))
    }

    /// The `FailedScheduling` message for an unfit pod, with the PostFilter (preemption) message.
    pub fn fit_error(&self, post_filter: &str) -> String {
        if let Some(msg) = &self.pre_filter_msg {
            let mut s = format!("0/{} nodes are available: {msg}.", self.num_all_nodes);
            if !post_filter.is_empty() {
                s.push(' ');
                s.push_str(post_filter);
            }
            return s;
        }
        let absent = self.absent.as_ref().and_then(|s| s.reasons.first()).map(|r| r.as_ref());
        fit_error_message(self.num_all_nodes, self.rejections().map(|(_, s)| s), absent, post_filter)
    }

    /// The attempt in words, for the story of a command: `chose sandbox-worker2: 3 of 4 nodes fit,
    /// highest score 87` (the score is the weighted total; a lone feasible node is not scored).
    pub fn in_words(&self) -> String {
        match &self.outcome {
            Outcome::Fit(node) => {
                let fit = self.rejected.iter().filter(|r| r.is_none()).count();
                let score = match self.node_index(node).and_then(|i| self.total(i)) {
                    Some(t) => format!(", highest score {t}"),
                    None => String::new(),
                };
                format!("chose {node}: {fit} of {} nodes fit{score}", self.num_all_nodes)
            }
            Outcome::Unfit | Outcome::NoNodes => format!("found no node: {}", self.message),
            Outcome::Error(e) => format!("could not schedule: {e}"),
        }
    }

    /// The plugins that rejected some node, sorted (what the queue uses to pick relevant events).
    pub fn unschedulable_plugins(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self
            .rejections()
            .map(|(_, s)| s.plugin)
            .chain(self.absent.iter().map(|s| s.plugin))
            .filter(|p| !p.is_empty())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// `FitError.Error()`: `0/N nodes are available: <count reason, ...>.` with the reasons counted over
/// nodes and sorted as strings; nodes without a status count under `absent`; then the PostFilter
/// (preemption) message.
pub fn fit_error_message<'a>(
    num_all_nodes: usize,
    statuses: impl Iterator<Item = &'a Status>,
    absent: Option<&str>,
    post_filter: &str,
) -> String {
    let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
    let mut explicit = 0;
    for s in statuses {
        explicit += 1;
        for r in &s.reasons {
            *histogram.entry(r.to_string()).or_default() += 1;
        }
    }
    if let Some(reason) = absent.filter(|_| explicit < num_all_nodes) {
        *histogram.entry(reason.to_string()).or_default() += num_all_nodes - explicit;
    }
    let mut parts: Vec<String> = histogram.into_iter().map(|(reason, n)| format!("{n} {reason}")).collect();
    parts.stable_sort();
    let mut msg = format!("0/{num_all_nodes} nodes are available:");
    if !parts.is_empty() {
        msg.push(' ');
        msg.push_str(&parts.join(", "));
        msg.push('.');
    }
    if !post_filter.is_empty() {
        msg.push(' ');
        msg.push_str(post_filter);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_error_message_counts_and_sorts_reasons() {
        let taint = Status::unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
        let mem = Status::unschedulable("Insufficient memory");
        let statuses = [taint, mem.clone(), mem.clone(), mem];
        let post = "preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.";
        assert_eq!(
            fit_error_message(4, statuses.iter(), None, post),
            "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient memory. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
        );
        let mut both = Status::unschedulable("Insufficient cpu");
        both.reasons.push("Insufficient memory".into());
        assert_eq!(
            fit_error_message(2, [both.clone(), both].iter(), None, ""),
            "0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory."
        );
        assert_eq!(
            fit_error_message(3, std::iter::empty(), Some("Preemption is not helpful for scheduling"), ""),
            "0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        );
        // Sorted as strings, like Go's sort.Strings: "10 ..." sorts before "2 ...".
        let many: Vec<Status> =
            (0..10).map(|_| Status::unschedulable("b")).chain((0..2).map(|_| Status::unschedulable("a"))).collect();
        assert_eq!(fit_error_message(12, many.iter(), None, ""), "0/12 nodes are available: 10 b, 2 a.");
    }

    #[test]
    fn verdicts_and_scores_views() {
        let mut d = Decision::new("default", "p", 5, 1, vec!["A", "B", "C"], vec![("S", 2), ("T", 1)]);
        d.nodes = vec![Arc::from("n1"), Arc::from("n2"), Arc::from("n3")];
        d.rejected = vec![Some((1, Status::unschedulable("no").with_plugin("B"))), None, None];
        d.scored = vec![1, 2];
        d.raw = vec![1, 2, 30, 40];
        d.normalized = vec![50, 100, 75, 100];
        d.skipped = vec![false, false];
        d.totals = vec![175, 300];
        d.outcome = Outcome::Fit(Arc::from("n3"));
        let v = d.filter_verdicts(0);
        assert_eq!(v[0].1, Verdict::Passed);
        assert!(matches!(v[1].1, Verdict::Rejected(_)));
        assert_eq!(v[2].1, Verdict::NotRun);
        assert!(d.filter_verdicts(1).iter().all(|(_, v)| *v == Verdict::Passed));
        assert_eq!(d.scores(0), None);
        let s = d.scores(2).expect("n3 was scored");
        assert_eq!((s[0].raw, s[0].normalized, s[0].weighted), (2, 100, 200));
        assert_eq!(d.total(2), Some(300));
        assert_eq!(d.chosen(), Some("n3"));
        assert_eq!(d.node_index("n2"), Some(1));
        assert_eq!(d.unschedulable_plugins(), ["B"]);
    }
}
