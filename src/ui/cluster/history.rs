//! The rules of rewinding, on the learner's log alone: which actions a view of the past has replayed,
//! which commands only look (and may run in the past without changing its future), and what a
//! change made in the past discards.
//!
//! ```text
//!   log:   create@12s   scale@40s   get@55s   node-off@70s          now: 90s
//!   view the past at 45s:  replayed = [create, scale]   kept ahead = [get, node-off]
//!   `kubectl get pods` at 45s: answered from the past, not logged, nothing discarded
//!   `kubectl delete deploy web` at 45s: a new history: [create, scale, delete]; get and node-off
//!   are discarded, and listed in the terminal so that none is lost silently
//! ```

use crate::sim::time::Millis;
use crate::ui::bridge::split_words;
use crate::ui::clock::format_clock;
use crate::ui::session::{Logged, Op};

/// The sandbox's kubectl verbs that change the cluster, or wait on it (waiting runs the past's clock
/// ahead without the actions logged there). Every other verb reads and returns at once, and a verb
/// kubectl does not know changes nothing: a typo must not discard the learner's later work.
/// Verbs that change the cluster, or the learner's machine (a port-forward's listeners: starting
/// one, `kill`ing one, and `curl`, whose connection can end one).
const CHANGE_VERBS: [&str; 21] = [
    "apply",
    "create",
    "run",
    "delete",
    "label",
    "annotate",
    "scale",
    "wait",
    "rollout",
    "set",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "exec",
    "patch",
    "expose",
    "autoscale",
    "port-forward",
    "curl",
    "kill",
];

/// How many of the logged actions a cluster rebuilt at `t` has replayed: the prefix of the log that
/// happened at or before `t` (an action happens at the instant it was logged, so "as it was at t"
/// includes it). A prefix, not a filter: replay applies actions in log order.
pub fn replayed_by(ops: &[Logged], t: Millis) -> usize {
    ops.iter().take_while(|l| l.at <= t).count()
}

/// Whether an action only looks at the cluster: such a command, typed while viewing the past, is
/// answered there without starting a new history (looking must never cost the learner their
/// later work). Faults and added nodes always change the cluster.
pub fn reads_only(op: &Op) -> bool {
    let Op::Kubectl { line, .. } = op else { return false };
    // The sandbox's kubectl reads its verb first (after `kubectl` or `k`), as in the kubectl module.
    let Ok(words) = split_words(line) else { return true };
    let words = match words.first().map(String::as_str) {
        Some("kubectl" | "k") => &words[1..],
        _ => &words[..],
    };
    let Some(verb) = words.first() else { return true };
    let history = verb == "rollout" && words.get(1).is_some_and(|s| s == "history");
    !CHANGE_VERBS.contains(&verb.as_str()) || history || dry_run(&words[1..])
}

/// `--dry-run=client|server` (or `--dry-run client`): the command validates and prints, storing nothing.
fn dry_run(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| match w.strip_prefix("--dry-run") {
        Some(rest) => match rest.strip_prefix('=') {
            Some(value) => value != "none",
            None => rest.is_empty() && words.get(i + 1).is_some_and(|v| v != "none"),
        },
        None => false,
    })
}

/// Splits the log when the learner changes the past: the actions already replayed are kept, the
/// rest are returned (they belonged to a future that no longer happens).
pub fn branch(ops: &mut Vec<Logged>, replayed: usize) -> Vec<Logged> {
    ops.split_off(replayed.min(ops.len()))
}

/// One line naming an action, as the timeline's markers and the terminal's notes show it.
pub fn describe(op: &Op) -> String {
    match op {
        Op::Kubectl { line, stdin: Some(s) } => format!("{line}   ({} lines of YAML)", s.lines().count()),
        Op::Kubectl { line, stdin: None } => line.clone(),
        Op::Node { name, running: false } => format!("power off node {name}"),
        Op::Node { name, running: true } => format!("power on node {name}"),
        Op::Component { name, running: false } => format!("stop {name}"),
        Op::Component { name, running: true } => format!("start {name}"),
        Op::AddNode { name } => format!("add node {name}"),
    }
}

/// "1 action", "2 actions": how the notes count the learner's actions.
pub fn actions(n: usize) -> String {
    if n == 1 { "1 action".into() } else { format!("{n} actions") }
}

/// What the terminal says when a change in the past discards later actions: each one, with its
/// time, so that the learner can type it again.
pub fn discarded_note(at: Millis, discarded: &[Logged]) -> String {
    let when = format_clock(at as f64);
    match discarded.len() {
        0 => format!("A new history starts at {when}: nothing was logged after it."),
        n => {
            let list: String =
                discarded.iter().map(|l| format!("\n  {}  {}", format_clock(l.at as f64), describe(&l.op))).collect();
            let actions = if n == 1 { "action was".to_string() } else { format!("{n} later actions were") };
            format!("You changed the past: a new history starts at {when}, and your {actions} discarded:{list}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubectl(at: Millis, line: &str) -> Logged {
        Logged { at, op: Op::Kubectl { line: line.into(), stdin: None } }
    }

    fn log() -> Vec<Logged> {
        vec![
            kubectl(12_000, "kubectl create deployment web --image=nginx"),
            kubectl(40_000, "kubectl scale deployment web --replicas=5"),
            kubectl(40_000, "kubectl get pods"),
            Logged { at: 70_000, op: Op::Node { name: "sandbox-worker2".into(), running: false } },
        ]
    }

    #[test]
    fn replayed_is_the_prefix_at_or_before_the_time() {
        let cases =
            [(0, 0), (11_999, 0), (12_000, 1), (39_999, 1), (40_000, 3), (69_999, 3), (70_000, 4), (u64::MAX, 4)];
        for (t, want) in cases {
            assert_eq!(replayed_by(&log(), t), want, "at {t}");
        }
        assert_eq!(replayed_by(&[], 5), 0);
        // Out of order (a hand-edited link): replay applies in log order, so the prefix stops early.
        let odd = vec![kubectl(50, "kubectl get pods"), kubectl(10, "kubectl get nodes")];
        assert_eq!(replayed_by(&odd, 20), 0);
    }

    #[test]
    fn reading_commands_do_not_branch_and_changes_do() {
        let cases = [
            ("kubectl get pods -o wide", true),
            ("k describe deployment web", true),
            ("kubectl get pods -w", true),
            ("kubectl logs web-1 -f", true),
            ("kubectl rollout history deployment/web", true),
            ("kubectl create deployment web --image=nginx --dry-run=client -o yaml", true),
            ("kubectl apply -f - --dry-run=server", true),
            ("kubectl run x --image=nginx --dry-run client", true),
            ("kubectl version", true),
            ("kubectl", true),
            ("kubectl 'unclosed", true),
            ("kubectl --help", true),
            ("kubectl apply -f -", false),
            ("kubectl apply -f - --dry-run=none", false),
            ("kubectl run x --image=nginx --dry-run none", false),
            ("kubectl create deployment web --image=nginx", false),
            ("kubectl delete pod web-1", false),
            ("kubectl wait --for=condition=Available deployment/web", false),
            ("kubectl rollout status deployment/web", false),
            ("kubectl rollout undo deployment/web", false),
            ("kubectl scale deployment web --replicas=3", false),
            ("kubectl get-pods", true),
            ("kubectl edit deployment web", true),
            ("kubectl cordon sandbox-worker", false),
            ("kubectl label pod web-1 tier=front", false),
            ("kubectl exec web-1 -- ls", false),
        ];
        for (line, want) in cases {
            assert_eq!(reads_only(&Op::Kubectl { line: line.into(), stdin: None }), want, "{line}");
        }
        assert!(!reads_only(&Op::Node { name: "w".into(), running: false }));
        assert!(!reads_only(&Op::Component { name: "kube-scheduler".into(), running: true }));
        assert!(!reads_only(&Op::AddNode { name: "w4".into() }));
    }

    #[test]
    fn a_branch_keeps_the_replayed_prefix_and_returns_the_rest() {
        let mut ops = log();
        let gone = branch(&mut ops, 1);
        assert_eq!(ops, log()[..1]);
        assert_eq!(gone, log()[1..]);
        let mut ops = log();
        assert!(branch(&mut ops, 4).is_empty(), "nothing after the end");
        assert_eq!(ops, log());
        let mut ops = log();
        assert!(branch(&mut ops, 99).is_empty(), "an index past the end is the end");
        let mut ops = log();
        assert_eq!(branch(&mut ops, 0), log());
        assert!(ops.is_empty());
    }

    #[test]
    fn the_note_lists_every_discarded_action() {
        let note = discarded_note(30_000, &log()[1..]);
        assert!(
            note.starts_with(
                "You changed the past: a new history starts at 00:30.000, and your 3 later actions were discarded:"
            ),
            "{note}"
        );
        for want in [
            "00:40.000  kubectl scale deployment web --replicas=5",
            "00:40.000  kubectl get pods",
            "01:10.000  power off node sandbox-worker2",
        ] {
            assert!(note.contains(want), "{want} missing from {note}");
        }
        assert!(
            discarded_note(30_000, &log()[3..]).contains("your action was discarded:\n  01:10.000  power off node")
        );
        assert_eq!(discarded_note(5_000, &[]), "A new history starts at 00:05.000: nothing was logged after it.");
        assert_eq!([actions(0), actions(1), actions(2)], ["0 actions", "1 action", "2 actions"]);
    }

    #[test]
    fn actions_are_described_as_the_learner_did_them() {
        let cases = [
            (
                Op::Kubectl { line: "kubectl apply -f -".into(), stdin: Some("a: 1\nb: 2\n".into()) },
                "kubectl apply -f -   (2 lines of YAML)",
            ),
            (Op::Kubectl { line: "kubectl get pods".into(), stdin: None }, "kubectl get pods"),
            (Op::Node { name: "w".into(), running: false }, "power off node w"),
            (Op::Node { name: "w".into(), running: true }, "power on node w"),
            (Op::Component { name: "etcd".into(), running: false }, "stop etcd"),
            (Op::Component { name: "etcd".into(), running: true }, "start etcd"),
            (Op::AddNode { name: "w4".into() }, "add node w4"),
        ];
        for (op, want) in cases {
            assert_eq!(describe(&op), want);
        }
    }
}
