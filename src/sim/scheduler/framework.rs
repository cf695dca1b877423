//! The scheduling framework's vocabulary: a plugin's `Status`, the `Plugin` trait with its extension
//! points (PreFilter, Filter, PreScore, Score, NormalizeScore), and the cluster events that send
//! unschedulable pods back to the queue.
//!
//! As in the Go framework, one plugin type may implement several extension points; here they are
//! default methods of one trait, and the profile (see `registry`) says which points a plugin is used at.
//! Per-cycle state (upstream's `CycleState`) lives in the plugin itself: cycles run one at a time.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use super::cluster::Cluster;
use super::nodeinfo::NodeInfo;
use super::podinfo::PodInfo;

/// The highest score a plugin gives a node (`framework.MaxNodeScore`).
pub const MAX_NODE_SCORE: i64 = 100;

/// The outcome class of a plugin call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The node passes.
    Success,
    /// Something went wrong inside the scheduler; the pod is retried after a backoff.
    Error,
    /// The pod does not fit this node now; preemption may help.
    Unschedulable,
    /// The pod does not fit this node and preempting pods there would not change that.
    UnschedulableAndUnresolvable,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Code::Success => "Success",
            Code::Error => "Error",
            Code::Unschedulable => "Unschedulable",
            Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
        })
    }
}

/// A plugin's verdict with its reasons, worded as upstream so that `FailedScheduling` events match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The outcome class.
    pub code: Code,
    /// What the user reads, one entry per reason (`Insufficient cpu`, `Insufficient memory`).
    pub reasons: Vec<Cow<'static, str>>,
    /// The plugin that returned it (empty for framework-made statuses).
    pub plugin: &'static str,
}

impl Status {
    /// The node passes.
    pub fn success() -> Self {
        Self { code: Code::Success, reasons: Vec::new(), plugin: "" }
    }

    /// A status with one reason.
    pub fn new(code: Code, reason: impl Into<Cow<'static, str>>) -> Self {
        Self { code, reasons: vec![reason.into()], plugin: "" }
    }

    /// Rejected for now; preemption may make room.
    pub fn unschedulable(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Code::Unschedulable, reason)
    }

    /// Rejected whatever is evicted (taints, selectors, node names).
    pub fn unresolvable(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Code::UnschedulableAndUnresolvable, reason)
    }

    /// The plugin itself failed.
    pub fn error(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Code::Error, message)
    }

    /// Records which plugin spoke (the queue requeues by plugin).
    pub fn with_plugin(mut self, plugin: &'static str) -> Self {
        self.plugin = plugin;
        self
    }

    /// `Status.IsSuccess`.
    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }

    /// Unschedulable or UnschedulableAndUnresolvable (`Status.IsRejected`).
    pub fn is_rejected(&self) -> bool {
        matches!(self.code, Code::Unschedulable | Code::UnschedulableAndUnresolvable)
    }

    /// The reasons joined by `, ` (`Status.Message`).
    pub fn message(&self) -> String {
        self.reasons.join(", ")
    }
}

/// What PreFilter returns: all nodes (`None`), only the named ones, or a rejection.
pub type PreFilterResult = Result<Option<BTreeSet<String>>, Status>;

/// A change in the cluster that may make an unschedulable pod schedulable (upstream `ClusterEvent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterEvent {
    /// A node joined.
    NodeAdd,
    /// A node changed in a way scheduling can see; the flags say what changed.
    #[allow(missing_docs)]
    NodeUpdate { labels: bool, taints: bool, allocatable: bool, unschedulable: bool, images: bool },
    /// A node left.
    NodeDelete,
    /// A pod was bound (or assumed) to a node.
    AssignedPodAdd,
    /// A scheduled pod's labels changed.
    AssignedPodUpdate,
    /// A scheduled pod went away (deleted, finished, or its binding failed).
    AssignedPodDelete,
    /// A PersistentVolumeClaim was added or changed (created, bound).
    PvcChange,
    /// A StorageClass was added or changed.
    StorageClassChange,
    /// A PersistentVolume was added or changed (created by a provisioner, released).
    PvChange,
}

/// A scheduler plugin. Implement the extension points the plugin takes part in; the defaults do nothing.
pub trait Plugin: fmt::Debug {
    /// The name in the registry and in messages (`NodeResourcesFit`).
    fn name(&self) -> &'static str;

    /// PreFilter: compute per-pod state once before the nodes are filtered. `Ok(Some(names))` narrows
    /// the search to those nodes (upstream `PreFilterResult`); `Err` rejects the pod on every node.
    fn pre_filter(&mut self, _pod: &PodInfo, _cluster: &Cluster) -> PreFilterResult {
        Ok(None)
    }

    /// Filter: can the pod run on this node?
    fn filter(&self, _pod: &PodInfo, _node: &NodeInfo) -> Status {
        Status::success()
    }

    /// PreFilterExtensions.RemovePod: preemption is trying the node without `victim`.
    fn remove_pod(&mut self, _pod: &PodInfo, _victim: &PodInfo, _node: &NodeInfo) {}

    /// PreFilterExtensions.AddPod: undoes `remove_pod`.
    fn add_pod(&mut self, _pod: &PodInfo, _added: &PodInfo, _node: &NodeInfo) {}

    /// PreScore: prepare scoring over the feasible nodes. `false` means Skip: the plugin gives every
    /// node 0 for this pod.
    fn pre_score(&mut self, _pod: &PodInfo, _cluster: &Cluster, _feasible: &[&NodeInfo]) -> bool {
        true
    }

    /// Score: how good the node is for the pod (raw; see `normalize`).
    fn score(&self, _pod: &PodInfo, _node: &NodeInfo, _cluster: &Cluster) -> i64 {
        0
    }

    /// NormalizeScore: rescale the raw scores of all feasible nodes to `0..=MAX_NODE_SCORE`.
    fn normalize(&self, _scores: &mut [i64]) {}

    /// EventsToRegister: whether `event` may make a pod this plugin rejected schedulable.
    fn requeue_on(&self, _event: &ClusterEvent) -> bool {
        false
    }
}

/// `helper.DefaultNormalizeScore`: scale to `0..=max` by the highest score; `reverse` turns "more is
/// worse" counts into scores.
pub fn default_normalize(max: i64, reverse: bool, scores: &mut [i64]) {
    let highest = scores.iter().copied().max().unwrap_or(0);
    if highest == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max);
        }
        return;
    }
    for s in scores.iter_mut() {
        let v = max * *s / highest;
        *s = if reverse { max - v } else { v };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_helpers() {
        let s = Status::unschedulable("Insufficient cpu").with_plugin("NodeResourcesFit");
        assert!(s.is_rejected() && !s.is_success());
        assert_eq!(s.plugin, "NodeResourcesFit");
        let mut two = Status::unschedulable("Insufficient cpu");
        two.reasons.push("Insufficient memory".into());
        assert_eq!(two.message(), "Insufficient cpu, Insufficient memory");
        assert!(!Status::error("boom").is_rejected());
        assert!(Status::success().is_success());
        assert_eq!(Code::UnschedulableAndUnresolvable.to_string(), "UnschedulableAndUnresolvable");
    }

    #[test]
    fn default_normalize_table() {
        let cases: [(&[i64], bool, &[i64]); 4] = [
            (&[0, 0], false, &[0, 0]),
            (&[0, 0], true, &[100, 100]),
            (&[1, 2, 4], false, &[25, 50, 100]),
            (&[1, 2, 4], true, &[75, 50, 0]),
        ];
        for (input, reverse, want) in cases {
            let mut s = input.to_vec();
            default_normalize(MAX_NODE_SCORE, reverse, &mut s);
            assert_eq!(s, want, "{input:?} reverse={reverse}");
        }
    }
}
