//! The scheduler's last decision for a pod as a table for the inspector: a row per node, a column
//! per plugin.

use super::Sim;
use crate::sim::scheduler::decision::Verdict;

/// The scheduler's last decision for a pod, as a table: one row per node, one column per plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionTable {
    pub plugins: Vec<String>,
    pub rows: Vec<DecisionRow>,
    pub chosen: Option<String>,
    pub message: String,
    /// Which scheduling attempt this was (1 for the first; more after backoffs).
    pub attempt: u32,
}

/// One node's verdicts: a filter failure reason or a score per plugin (empty when not run).
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRow {
    pub node: String,
    pub cells: Vec<String>,
    pub feasible: bool,
    pub total: Option<i64>,
}

/// The scheduling decision for a pod, if the scheduler kept one: filters show ✓, their rejection
/// reasons, or `–` when an earlier filter already rejected the node (upstream stops at the first
/// failure); scores show `normalized×weight`.
pub fn decision(sim: &Sim, namespace: &str, name: &str) -> Option<DecisionTable> {
    let d = sim.world.scheduler.last_decision(namespace, name)?;
    let mut plugins: Vec<String> = d.filter_plugins.iter().map(|p| p.to_string()).collect();
    plugins.extend(d.score_plugins.iter().map(|(p, _)| format!("{p} (score)")));
    let rows =
        d.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let mut cells: Vec<String> = d
                    .filter_verdicts(i)
                    .into_iter()
                    .map(|(_, v)| match v {
                        Verdict::Passed => "✓".to_string(),
                        Verdict::Rejected(s) => s.reasons.join(", "),
                        Verdict::NotRun => "–".to_string(),
                    })
                    .collect();
                match d.scores(i) {
                    Some(scores) => cells.extend(scores.iter().map(|s| {
                        if s.skipped { "skip".to_string() } else { format!("{}×{}", s.normalized, s.weight) }
                    })),
                    None => cells.extend(d.score_plugins.iter().map(|_| String::new())),
                }
                DecisionRow {
                    node: node.to_string(),
                    cells,
                    feasible: d.rejected.get(i).is_some_and(Option::is_none),
                    total: d.total(i),
                }
            })
            .collect();
    let mut message = d.message.clone();
    if let Some(n) = &d.nominated_node {
        message.push_str(&format!(" Preemption nominated {n}"));
        if !d.victims.is_empty() {
            message.push_str(&format!(", evicting {}", d.victims.join(", ")));
        }
        message.push('.');
    }
    Some(DecisionTable { plugins, rows, chosen: d.chosen().map(str::to_string), message, attempt: d.attempt })
}
