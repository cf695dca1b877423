//! Scenario tests of the cluster state: commands, playback at 1×, stepping, max speed and replay,
//! on the real simulation (each builds a fresh kind-like cluster).

use std::rc::Rc;

use yew::Reducible;

use super::transcript::LineKind;
use super::{Cluster, ClusterAction, Origin};
use crate::ui::clock::Speed;
use crate::ui::session::Op;
use crate::ui::traffic;

fn run(c: Rc<Cluster>, line: &str) -> Rc<Cluster> {
    c.reduce(ClusterAction::Run { line: line.into(), stdin: None, origin: Origin::Terminal })
}

fn trace_len(c: &Cluster) -> usize {
    c.with_world(|w| w.trace().len()).expect("not borrowed")
}

#[test]
fn commands_are_echoed_answered_and_logged() {
    let c = run(Rc::new(Cluster::new(1)), "kubectl run web --image=nginx");
    let kinds: Vec<LineKind> = c.transcript.iter().map(|l| l.kind).collect();
    assert_eq!(kinds.first(), Some(&LineKind::Command));
    assert!(kinds.len() >= 2, "kubectl answered: {:?}", c.transcript);
    assert_eq!(c.session.ops.len(), 1);
    assert!(
        matches!(&c.session.ops[0].op, Op::Kubectl { line, stdin: None } if line == "kubectl run web --image=nginx")
    );
}

#[test]
fn playing_at_1x_shows_every_message_on_the_wire() {
    every_message_is_drawn(None);
}

/// Once the trace's window is full, its length stops growing: playback counts messages instead,
/// so it still stops at each new one and draws it.
#[test]
fn playing_at_1x_with_a_full_trace_window_still_shows_every_message() {
    const WINDOW: usize = 20;
    let sent = every_message_is_drawn(Some(WINDOW));
    assert!(sent > 5 * WINDOW as u64, "the window filled many times over: {sent} messages");
}

/// Plays a command's messages at 1× (with the trace keeping only `window` messages, if given);
/// returns how many messages were sent in all.
fn every_message_is_drawn(window: Option<usize>) -> u64 {
    // The clock slows down for hops and never jumps over a send: each message the command
    // caused is drawn in at least one frame.
    let c = Rc::new(Cluster::new(1));
    if let Some(n) = window {
        c.world.borrow_mut().set_trace_window(n);
    }
    let mut counted = c.with_world(|w| w.messages_sent()).expect("not borrowed");
    let c = run(c, "kubectl run web --image=nginx");
    let start = c.display;
    let mut c = c;
    let mut seen = std::collections::BTreeSet::new();
    // Every message sent after `start`, gathered frame by frame (the window drops them later).
    let mut sent = std::collections::BTreeMap::new();
    for _ in 0..20_000 {
        c = c.reduce(ClusterAction::Tick { real_ms: 33.0 });
        c.with_world(|w| {
            let entries = w.trace();
            let total = w.messages_sent();
            assert!(total - counted <= entries.len() as u64, "all sent since the last frame are kept, to be checked");
            counted = total;
            seen.extend(traffic::in_flight(entries, c.display, usize::MAX).iter().map(|f| entries[f.index].id));
            sent.extend(entries.iter().filter(|e| e.sent_at as f64 >= start).map(|e| (e.id, e.clone())));
        });
        if c.display > start + 3_000.0 {
            break;
        }
    }
    assert!(c.display > start + 3_000.0, "time moved on: {start} -> {}", c.display);
    let missed: Vec<_> = sent
        .values()
        .filter(|e| (e.deliver_at as f64) < c.display && e.deliver_at > e.sent_at)
        .filter(|e| !seen.contains(&e.id))
        .map(|e| e.summary.clone())
        .collect();
    assert!(missed.is_empty(), "never drawn: {missed:?}");
    c.with_world(|w| w.messages_sent()).expect("not borrowed")
}

#[test]
fn step_shows_the_next_change_and_pauses() {
    let c = run(Rc::new(Cluster::new(1)), "kubectl run web --image=nginx");
    let before = c.display;
    let c = c.reduce(ClusterAction::Step);
    assert!(!c.playing);
    let next = c.with_world(|w| traffic::next_change(w.trace(), before)).flatten();
    assert_eq!(Some(c.display), next, "one step is one send or arrival");
}

#[test]
fn replaying_a_session_rebuilds_the_same_cluster() {
    let mut c = Rc::new(Cluster::new(7));
    c = run(c, "kubectl run web --image=nginx");
    for _ in 0..200 {
        c = c.reduce(ClusterAction::Tick { real_ms: 33.0 });
    }
    c = run(c, "kubectl get pods");
    let mut session = (*c.session).clone();
    session.now = c.world_now();
    let again = Cluster::replay(session, None, 0);
    assert_eq!(again.world_now(), c.world_now());
    let trace = |c: &Cluster| c.with_world(|w| w.whole_trace()).expect("not borrowed");
    assert_eq!(trace(&again), trace(&c), "same seed and actions, same trace");
    assert_eq!(trace_len(&again), trace_len(&c));
}

#[test]
fn max_speed_runs_ahead_and_shows_no_lag() {
    let c = Rc::new(Cluster::new(1)).reduce(ClusterAction::SetSpeed(Speed::Max));
    let before = c.world_now();
    let c = c.reduce(ClusterAction::Tick { real_ms: 33.0 });
    assert!(c.world_now() > before);
    assert_eq!(c.display, c.world_now() as f64);
}

#[test]
fn editor_outcomes_carry_the_error_and_its_line() {
    use crate::ui::editor::errors::kubectl_error_line;
    let apply = |yaml: &str| {
        let c = Rc::new(Cluster::new(1)).reduce(ClusterAction::Run {
            line: "kubectl apply -f -".into(),
            stdin: Some(yaml.into()),
            origin: Origin::Editor,
        });
        c.last_apply.clone().expect("an Apply from the editor gets an outcome")
    };
    let bad = apply("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n");
    assert!(!bad.ok);
    assert_eq!(kubectl_error_line(&bad.text), Some(5), "{}", bad.text);
    let good = apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n");
    assert!(good.ok, "{}", good.text);
    assert!(good.text.contains("configmap/settings created"), "{}", good.text);
}

#[test]
fn get_watch_prints_until_interrupted() {
    let mut c = run(Rc::new(Cluster::new(1)), "kubectl get pods -w");
    assert_eq!(c.watching.len(), 1);
    c = run(c, "kubectl run web --image=nginx");
    for _ in 0..50 {
        c = c.reduce(ClusterAction::SetSpeed(Speed::Max)).reduce(ClusterAction::Tick { real_ms: 33.0 });
    }
    assert!(c.transcript.iter().any(|l| l.kind == LineKind::Stdout && l.text.starts_with("web")), "{:?}", c.transcript);
    c = c.reduce(ClusterAction::Interrupt);
    assert!(c.watching.is_empty());
}
