//! Preemption (the `DefaultPreemption` PostFilter plugin): when no node fits, find a node where
//! evicting lower-priority pods would make room, and pick the one that hurts least.
//!
//! ```text
//!  nodes rejected as Unschedulable (not ...AndUnresolvable) ──► dry run per node:
//!     remove every lower-priority pod ─► still no fit? ─► node is no candidate
//!     else add them back, most important first, keeping each one that still lets the pod fit
//!  candidates ──► fewest PDB violations, lowest top victim priority, lowest priority sum,
//!                 fewest victims, latest start among top victims, first ──► nominated node + victims
//! ```
//! The victims are deleted by the actor; the pod waits with `status.nominatedNodeName` until they
//! are gone, then is scheduled again.

use crate::sim::sort::StableSort;
use std::sync::Arc;

use super::cluster::Cluster;
use super::cycle::run_filters;
use super::decision::{Decision, fit_error_message};
use super::framework::{Code, Status};
use super::nodeinfo::NodeInfo;
use super::podinfo::PodInfo;
use super::registry::Profile;
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// The status of nodes where evicting pods cannot help (absent from the dry run).
pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
/// The status of nodes with no lower-priority pod to evict.
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
/// `minCandidateNodesPercentage` and `minCandidateNodesAbsolute` of `DefaultPreemptionArgs`.
const MIN_CANDIDATE_PERCENTAGE: usize = 10;
const MIN_CANDIDATES: usize = 100;

/// What preemption decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Preemption {
    /// The node the pod is nominated to, when a candidate was found.
    pub nominated_node: Option<Arc<str>>,
    /// Pods to evict from that node.
    pub victims: Vec<Arc<PodInfo>>,
    /// The PostFilter message appended to `FailedScheduling` (empty when a candidate was found).
    pub message: String,
}

impl Preemption {
    fn failed(message: String) -> Self {
        Self { nominated_node: None, victims: Vec::new(), message: format!("preemption: {message}") }
    }
}

/// `MoreImportantPod`: higher priority, then the one that started earlier (not started = now).
fn more_important(a: &PodInfo, b: &PodInfo) -> std::cmp::Ordering {
    b.priority.cmp(&a.priority).then(a.started_at.unwrap_or(Millis::MAX).cmp(&b.started_at.unwrap_or(Millis::MAX)))
}

/// Runs preemption for a pod the cycle found no node for (`decision` holds the node statuses).
pub fn preempt(
    profile: &mut Profile,
    pod: &PodInfo,
    cluster: &Cluster,
    decision: &Decision,
    rng: &mut Rng,
) -> Preemption {
    if let Some(reason) = not_eligible(pod, cluster, decision) {
        return Preemption::failed(reason.to_string());
    }
    let potential: Vec<&NodeInfo> = decision
        .rejections()
        .filter(|(_, s)| s.code == Code::Unschedulable)
        .filter_map(|(n, _)| cluster.node(n))
        .collect();
    let all = cluster.nodes().len();
    if potential.is_empty() {
        return Preemption::failed(fit_error_message(all, std::iter::empty(), Some(NOT_HELPFUL), ""));
    }
    let wanted = (potential.len() * MIN_CANDIDATE_PERCENTAGE / 100).max(MIN_CANDIDATES).min(potential.len());
    let offset = rng.below(potential.len() as u64) as usize;
    let mut candidates: Vec<(Arc<str>, Vec<Arc<PodInfo>>)> = Vec::new();
    let mut statuses: Vec<Status> = Vec::new();
    for i in 0..potential.len() {
        let node = potential[(offset + i) % potential.len()];
        match select_victims_on_node(profile, pod, node, cluster) {
            Ok(victims) => candidates.push((node.node.name.clone(), victims)),
            Err(s) => statuses.push(s),
        }
        if candidates.len() >= wanted {
            break;
        }
    }
    if candidates.is_empty() {
        return Preemption::failed(fit_error_message(all, statuses.iter(), Some(NOT_HELPFUL), ""));
    }
    let (node, victims) = candidates.swap_remove(pick_one_node(&candidates));
    Preemption { nominated_node: Some(node), victims, message: String::new() }
}

/// `PodEligibleToPreemptOthers`.
fn not_eligible(pod: &PodInfo, cluster: &Cluster, decision: &Decision) -> Option<&'static str> {
    if pod.never_preempts {
        return Some("not eligible due to preemptionPolicy=Never.");
    }
    let node = cluster.node(&pod.nominated_node_name)?;
    let unresolvable =
        decision.rejections().any(|(n, s)| **n == *node.name() && s.code == Code::UnschedulableAndUnresolvable);
    if !unresolvable && node.pods.iter().any(|p| p.deleting && p.priority < pod.priority) {
        // An earlier preemption for this pod is still evicting there: wait for it.
        return Some("not eligible due to a terminating pod on the nominated node.");
    }
    None
}

/// `SelectVictimsOnNode`: the fewest, least important lower-priority pods whose eviction lets the
/// pod fit, or why there are none.
fn select_victims_on_node(
    profile: &mut Profile,
    pod: &PodInfo,
    node: &NodeInfo,
    cluster: &Cluster,
) -> Result<Vec<Arc<PodInfo>>, Status> {
    let mut potential: Vec<Arc<PodInfo>> = node.pods.iter().filter(|p| p.priority < pod.priority).cloned().collect();
    if potential.is_empty() {
        return Err(Status::unresolvable(NO_VICTIMS));
    }
    let mut trial = node.clone();
    for v in &potential {
        trial.remove_pod(&v.namespace, &v.name);
        profile.remove_pod(pod, v, &trial);
    }
    if let Err((_, status)) = run_filters(profile, pod, &trial, cluster) {
        for v in &potential {
            profile.add_pod(pod, v, node);
        }
        return Err(status);
    }
    potential.stable_sort_by(|a, b| more_important(a, b));
    let mut victims = Vec::new();
    for v in potential {
        trial.add_pod(v.clone());
        profile.add_pod(pod, &v, &trial);
        if run_filters(profile, pod, &trial, cluster).is_err() {
            trial.remove_pod(&v.namespace, &v.name);
            profile.remove_pod(pod, &v, &trial);
            victims.push(v);
        }
    }
    // Leave the plugins' pre-computed state as the cycle built it.
    for v in &victims {
        profile.add_pod(pod, v, node);
    }
    Ok(victims)
}

/// `pickOneNodeForPreemption` (no PodDisruptionBudgets here, so the first rule never decides).
fn pick_one_node(candidates: &[(Arc<str>, Vec<Arc<PodInfo>>)]) -> usize {
    let top_priority = |v: &[Arc<PodInfo>]| v.first().map_or(i64::MIN, |p| i64::from(p.priority));
    let priority_sum =
        |v: &[Arc<PodInfo>]| v.iter().map(|p| i64::from(p.priority) + i64::from(i32::MAX) + 1).sum::<i64>();
    // The earliest start among the highest-priority victims; later is better (less work lost).
    let earliest_top_start = |v: &[Arc<PodInfo>]| {
        let top = top_priority(v);
        v.iter()
            .filter(|p| i64::from(p.priority) == top)
            .map(|p| p.started_at.unwrap_or(Millis::MAX))
            .min()
            .unwrap_or(Millis::MAX)
    };
    let mut best: Vec<usize> = (0..candidates.len()).collect();
    let keep_min = |best: &mut Vec<usize>, f: &dyn Fn(usize) -> i128| {
        let min = best.iter().map(|&i| f(i)).min().unwrap_or(0);
        best.retain(|&i| f(i) == min);
    };
    keep_min(&mut best, &|i| i128::from(top_priority(&candidates[i].1)));
    keep_min(&mut best, &|i| i128::from(priority_sum(&candidates[i].1)));
    keep_min(&mut best, &|i| candidates[i].1.len() as i128);
    keep_min(&mut best, &|i| -i128::from(earliest_top_start(&candidates[i].1)));
    best[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::cycle::Algorithm;
    use crate::sim::scheduler::decision::Outcome;
    use crate::sim::scheduler::testing::{cluster, node_value, pod_value};
    use serde_json::{Value, json};

    fn running(name: &str, node: &str, cpu: &str, priority: i64) -> Value {
        pod_value(name, cpu, "", json!({"nodeName": node, "priority": priority}), json!({}))
    }

    fn pending(name: &str, cpu: &str, memory: &str, extra: Value) -> PodInfo {
        let mut spec = json!({"priority": 1000});
        crate::sim::scheduler::testing::merge(&mut spec, extra);
        PodInfo::parse(&pod_value(name, cpu, memory, spec, json!({})))
    }

    /// Schedules, expects no fit, then preempts.
    fn attempt(c: &Cluster, p: &PodInfo) -> Preemption {
        let mut algo = Algorithm::default();
        let d = algo.schedule(p, c, &mut Rng::new(1), 0, 1);
        assert_eq!(d.outcome, Outcome::Unfit);
        preempt(&mut algo.profile, p, c, &d, &mut Rng::new(1))
    }

    fn names(v: &[Arc<PodInfo>]) -> Vec<&str> {
        v.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn evicts_the_fewest_least_important_pods() {
        let c = cluster(
            &[node_value("worker", "2", "4Gi", json!({}))],
            &[
                running("p1", "worker", "500m", 1),
                running("p3", "worker", "500m", 3),
                running("p2", "worker", "500m", 2),
                running("vip", "worker", "400m", 5000),
            ],
        );
        let r = attempt(&c, &pending("urgent", "1", "", json!({})));
        assert_eq!(r.nominated_node.as_deref(), Some("worker"));
        // 1.9 of 2 CPUs are used: two 500m pods must go, and p3, the most important, is kept.
        assert_eq!(names(&r.victims), ["p2", "p1"]);
        assert_eq!(r.message, "");
    }

    #[test]
    fn upstream_message_when_nothing_can_be_evicted() {
        let cp = node_value(
            "control-plane",
            "4",
            "8Gi",
            json!({"spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}}),
        );
        let mut nodes = vec![cp];
        nodes.extend((1..=3).map(|i| node_value(&format!("worker{i}"), "4", "8Gi", json!({}))));
        let pods: Vec<Value> = (1..=3)
            .map(|i| {
                pod_value(
                    &format!("same{i}"),
                    "",
                    "6Gi",
                    json!({"nodeName": format!("worker{i}"), "priority": 1000}),
                    json!({}),
                )
            })
            .collect();
        let c = cluster(&nodes, &pods);
        let r = attempt(&c, &pending("big", "", "4Gi", json!({})));
        assert_eq!(r.nominated_node, None);
        assert_eq!(
            r.message,
            "preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn still_no_fit_after_evicting_everything_reports_the_filter() {
        let c = cluster(&[node_value("small", "1", "4Gi", json!({}))], &[running("low", "small", "500m", 0)]);
        let r = attempt(&c, &pending("huge", "2", "", json!({})));
        assert_eq!(r.message, "preemption: 0/1 nodes are available: 1 Insufficient cpu.");
        let only_unresolvable = cluster(&[node_value("n", "1", "1Gi", json!({"spec": {"unschedulable": true}}))], &[]);
        let r = attempt(&only_unresolvable, &pending("p", "100m", "", json!({})));
        assert_eq!(r.message, "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    }

    #[test]
    fn preemption_policy_never_and_terminating_victims_block_it() {
        let c = cluster(&[node_value("worker", "1", "4Gi", json!({}))], &[running("low", "worker", "1", 0)]);
        let r = attempt(&c, &pending("polite", "1", "", json!({"preemptionPolicy": "Never"})));
        assert_eq!(r.message, "preemption: not eligible due to preemptionPolicy=Never.");
        let dying = pod_value(
            "low",
            "1",
            "",
            json!({"nodeName": "worker", "priority": 0}),
            json!({"deletionTimestamp": "2024-01-01T00:00:00Z"}),
        );
        let c = cluster(&[node_value("worker", "1", "4Gi", json!({}))], &[dying]);
        let mut p = pending("urgent", "1", "", json!({}));
        p.nominated_node_name = "worker".into();
        let r = attempt(&c, &p);
        assert_eq!(r.message, "preemption: not eligible due to a terminating pod on the nominated node.");
    }

    #[test]
    fn daemonset_pod_pinned_to_a_full_node_reads_like_upstream() {
        let nodes: Vec<Value> = (1..=4).map(|i| node_value(&format!("w{i}"), "1", "4Gi", json!({}))).collect();
        let c = cluster(&nodes, &[pod_value("busy", "1", "", json!({"nodeName": "w1", "priority": 1000}), json!({}))]);
        let pinned = json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["w1"]}]}]}}}});
        let p = pending("ds-abcde", "100m", "", pinned);
        let mut algo = Algorithm::default();
        let d = algo.schedule(&p, &c, &mut Rng::new(1), 0, 1);
        assert_eq!((d.outcome.clone(), d.nodes.len()), (Outcome::Unfit, 1), "only the named node is filtered");
        let r = preempt(&mut algo.profile, &p, &c, &d, &mut Rng::new(1));
        assert_eq!(
            d.fit_error(&r.message),
            "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling."
        );
        assert_eq!(d.unschedulable_plugins(), ["NodeAffinity", "NodeResourcesFit"]);
        let conflict = pending(
            "x",
            "",
            "",
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["w1"]}, {"key": "metadata.name", "operator": "In", "values": ["w2"]}]}]}}}}),
        );
        let d = algo.schedule(&conflict, &c, &mut Rng::new(1), 0, 1);
        assert_eq!(d.fit_error(""), "0/4 nodes are available: pod affinity terms conflict.");
    }

    #[test]
    fn picks_the_node_whose_victims_matter_least() {
        let nodes: Vec<Value> = ["a", "b", "c"].iter().map(|n| node_value(n, "1", "4Gi", json!({}))).collect();
        let c = cluster(
            &nodes,
            &[
                running("a-mid", "a", "1", 50),
                running("b-low1", "b", "500m", 10),
                running("b-low2", "b", "500m", 10),
                running("c-low", "c", "1", 10),
            ],
        );
        let r = attempt(&c, &pending("urgent", "1", "", json!({})));
        // b and c both top out at priority 10; c loses one pod, b two (higher priority sum).
        assert_eq!(r.nominated_node.as_deref(), Some("c"));
        assert_eq!(names(&r.victims), ["c-low"]);
    }

    #[test]
    fn dry_run_leaves_plugin_state_untouched() {
        let spread = json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]});
        let web = |name: &str, node: &str, prio: i64| {
            pod_value(name, "1", "", json!({"nodeName": node, "priority": prio}), json!({"labels": {"app": "web"}}))
        };
        let c = cluster(
            &[node_value("a", "1", "4Gi", json!({})), node_value("b", "1", "4Gi", json!({}))],
            &[web("w1", "a", 0), web("w2", "b", 0)],
        );
        let mut p = pending("new", "1", "", spread);
        p.labels.insert("app".into(), "web".into());
        let mut algo = Algorithm::default();
        let d = algo.schedule(&p, &c, &mut Rng::new(1), 0, 1);
        let r = preempt(&mut algo.profile, &p, &c, &d, &mut Rng::new(1));
        assert_eq!(r.victims.len(), 1);
        // After the dry runs the spread counts are as before: both nodes still hold one web pod.
        let again = crate::sim::scheduler::cycle::run_filters(&algo.profile, &p, c.node("a").expect("a"), &c);
        assert_eq!(again.map_err(|(_, s)| s.message()), Err("Insufficient cpu".to_string()));
    }
}
