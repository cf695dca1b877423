//! Rewind scenarios on the real simulation: the past shows what had happened by then, forward
//! shows the rest again, the present comes back whole, and changing the past starts a new history.

use std::rc::Rc;

use yew::Reducible;

use crate::ui::bridge;
use crate::ui::clock::Speed;
use crate::ui::cluster::transcript::LineKind;
use crate::ui::cluster::{Cluster, ClusterAction, Origin};
use crate::ui::session::Op;

fn run(c: Rc<Cluster>, line: &str) -> Rc<Cluster> {
    c.reduce(ClusterAction::Run { line: line.into(), stdin: None, origin: Origin::Terminal })
}

/// Plays at max speed until `done` holds (at most `frames` frames).
fn play_until(mut c: Rc<Cluster>, frames: usize, done: impl Fn(&Cluster) -> bool) -> Rc<Cluster> {
    c = c.reduce(ClusterAction::SetSpeed(Speed::Max)).reduce(ClusterAction::SetPlaying(true));
    for _ in 0..frames {
        if done(&c) {
            break;
        }
        c = c.reduce(ClusterAction::Tick { real_ms: 33.0 });
    }
    c
}

/// The `web-` pods the diagram would draw, and how many of them are Running.
fn web_pods(c: &Cluster) -> (usize, usize) {
    let model = c.with_world(bridge::model).expect("not borrowed");
    let web: Vec<_> = model.pods.iter().filter(|p| p.name.starts_with("web-")).collect();
    (web.len(), web.iter().filter(|p| p.phase == "Running").count())
}

fn has(c: &Cluster, key: &str) -> bool {
    c.with_world(|w| bridge::object(w, key).is_some()).expect("not borrowed")
}

fn terminal(c: &Cluster) -> String {
    c.transcript.iter().map(|l| format!("{}\n", l.text)).collect()
}

/// A session: a deployment of 2 created, its pods Running (at the time returned), then a ConfigMap
/// created some seconds later; paused.
fn session() -> (Rc<Cluster>, f64) {
    let c = run(Rc::new(Cluster::new(1)), "kubectl create deployment web --image=nginx --replicas=2");
    let c = play_until(c, 10_000, |c| web_pods(c) == (2, 2));
    assert_eq!(web_pods(&c), (2, 2), "the deployment's pods run");
    let running = c.display;
    let c = play_until(c, 10_000, |c| c.display > running + 5_000.0);
    let c = run(c, "kubectl create configmap later --from-literal=a=b");
    let made = c.display;
    let c = play_until(c, 10_000, |c| c.display > made + 5_000.0);
    (c.reduce(ClusterAction::SetPlaying(false)), running)
}

#[test]
fn the_past_before_a_create_has_no_deployment_and_forward_shows_it_again() {
    let (c, running) = session();
    let (created, now) = (c.session.ops[0].at, c.display);
    let present = c.world_ref();

    let before = c.reduce(ClusterAction::Seek(created as f64 - 1.0));
    assert!(before.viewing_past() && !before.playing, "seeking pauses in the past");
    assert_eq!(web_pods(&before), (0, 0), "no web pods before the command");
    assert!(!has(&before, "/registry/deployments/default/web"));
    assert_eq!(before.session.ops.len(), 2, "the later actions are kept");
    assert_eq!(before.later_actions(), 2);
    assert_eq!(before.live_display(), now, "the present's time is still the end");
    assert!(terminal(&before).contains("Viewing the past at"), "{}", terminal(&before));
    assert!(!terminal(&before).contains("deployment.apps/web created"), "the terminal is as it was then");

    // Forward again, still in the past: the create is replayed, its pods are there.
    let forward = before.reduce(ClusterAction::Seek(running));
    assert!(forward.viewing_past());
    assert_eq!(forward.display, running);
    assert!(has(&forward, "/registry/deployments/default/web"));
    assert_eq!(web_pods(&forward), (2, 2));
    assert!(!has(&forward, "/registry/configmaps/default/later"), "the ConfigMap came after");
    assert!(terminal(&forward).contains("deployment.apps/web created"), "{}", terminal(&forward));
    assert_eq!(forward.later_actions(), 1);

    // Back to now: the very world that was set aside, the terminal as it was left.
    let back = forward.reduce(ClusterAction::BackToNow);
    assert!(!back.viewing_past());
    assert!(back.world_ref() == present, "the present is the same world, not a copy");
    assert_eq!(back.display, now);
    assert!(has(&back, "/registry/configmaps/default/later"));
    assert_eq!(web_pods(&back), (2, 2));
}

#[test]
fn seeking_at_or_after_the_present_is_the_present() {
    let (c, _) = session();
    let present = c.world_ref();
    let same = c.clone().reduce(ClusterAction::Seek(c.display + 5_000.0));
    assert!(!same.viewing_past() && same.world_ref() == present);
    let past = c.clone().reduce(ClusterAction::Seek(1.0));
    assert!(past.viewing_past());
    assert_eq!(past.display, past.world_now() as f64, "before boot ends, the earliest moment is shown");
    assert!(terminal(&past).contains("the earliest moment shown"));
    let back = past.reduce(ClusterAction::Seek(f64::INFINITY));
    assert!(!back.viewing_past() && back.world_ref() == present);
    let nan = c.reduce(ClusterAction::Seek(f64::NAN));
    assert!(nan.viewing_past(), "a NaN time is the start, never a panic");
}

#[test]
fn a_rebuild_and_a_forward_replay_reach_the_same_cluster() {
    let (c, _) = session();
    let (created, now) = (c.session.ops[0].at as f64, c.display);
    let target = (created + now) / 2.0;
    let trace = |c: &Cluster| c.with_world(|w| w.whole_trace()).expect("not borrowed");
    let stepped = c.clone().reduce(ClusterAction::Seek(created - 1.0)).reduce(ClusterAction::Seek(target));
    let rebuilt = c.reduce(ClusterAction::Seek(target));
    assert_eq!(stepped.world_now(), rebuilt.world_now());
    assert_eq!(trace(&stepped), trace(&rebuilt), "same seed and actions, same trace, however it got there");
}

#[test]
fn playing_in_the_past_replays_the_later_actions_and_returns_to_the_present() {
    let (c, _) = session();
    let present = c.world_ref();
    let created = c.session.ops[0].at as f64;
    let mut c = c.reduce(ClusterAction::Seek(created - 1.0)).reduce(ClusterAction::SetPlaying(true));
    let mut saw_configmap_created = false;
    for _ in 0..2_000 {
        c = c.reduce(ClusterAction::SetSpeed(Speed::Max)).reduce(ClusterAction::Tick { real_ms: 33.0 });
        saw_configmap_created |= terminal(&c).contains("configmap/later created");
        if !c.viewing_past() {
            break;
        }
    }
    assert!(!c.viewing_past(), "playing reaches the present");
    assert!(saw_configmap_created, "the later command was replayed on the way");
    assert!(c.world_ref() == present);
    assert!(terminal(&c).contains("Back to the present"));
}

#[test]
fn stepping_in_the_past_stops_at_a_logged_action() {
    let (c, _) = session();
    let created = c.session.ops[0].at;
    let mut c = c.reduce(ClusterAction::Seek(created as f64 - 5.0));
    for _ in 0..10_000 {
        if c.later_actions() < 2 {
            break;
        }
        assert!(c.display <= created as f64, "a step never passes an action not yet replayed");
        c = c.reduce(ClusterAction::Step);
    }
    assert_eq!(c.later_actions(), 1, "the create was replayed when its time came");
    assert!(has(&c, "/registry/deployments/default/web"));
}

#[test]
fn reading_in_the_past_keeps_the_later_actions() {
    let (c, _) = session();
    let made = c.session.ops[1].at as f64;
    let past = run(c.reduce(ClusterAction::Seek(made - 1.0)), "kubectl get configmaps");
    assert!(past.viewing_past(), "a reading command does not branch");
    assert_eq!(past.session.ops.len(), 2, "and is not logged");
    let text = terminal(&past);
    // Only the root-ca-cert-publisher's ConfigMap: `later` was made after this moment.
    let answer = text.rsplit("kubectl get configmaps\n").next().unwrap_or_default();
    assert!(
        answer.starts_with("NAME               DATA   AGE\nkube-root-ca.crt   1 ") && answer.lines().count() == 2,
        "answered from the past: {text}"
    );
    let dry = run(past, "kubectl create configmap other --from-literal=a=b --dry-run=client -o yaml");
    assert!(dry.viewing_past() && dry.session.ops.len() == 2, "a dry run stores nothing");
}

#[test]
fn changing_the_past_discards_the_later_actions_and_says_so() {
    let (c, _) = session();
    let first = c.session.ops[0].clone();
    let branched =
        run(c.reduce(ClusterAction::Seek(first.at as f64 + 1_000.0)), "kubectl scale deployment web --replicas=3");
    assert!(!branched.viewing_past(), "the changed past is the new present");
    let lines: Vec<_> = branched.session.ops.iter().map(|l| &l.op).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], &first.op);
    assert!(matches!(lines[1], Op::Kubectl { line, .. } if line == "kubectl scale deployment web --replicas=3"));
    let note =
        branched.transcript.iter().rfind(|l| l.kind == LineKind::Info).map(|l| l.text.clone()).unwrap_or_default();
    assert!(note.contains("your action was discarded") && note.contains("kubectl create configmap later"), "{note}");
    let after = play_until(branched, 10_000, |c| web_pods(c) == (3, 3));
    assert!(!has(&after, "/registry/configmaps/default/later"), "the discarded action never happens");
    assert_eq!(web_pods(&after), (3, 3));
}

#[test]
fn a_fault_in_the_past_branches_and_a_refused_one_does_not() {
    let (c, _) = session();
    let past = c.reduce(ClusterAction::Seek(2_000.0));
    let refused = past.reduce(ClusterAction::Fault(Op::Node { name: "nope".into(), running: false }));
    assert!(refused.viewing_past() && refused.session.ops.len() == 2, "nothing happened, nothing is discarded");
    let node = refused.reduce(ClusterAction::Fault(Op::Node { name: "sandbox-worker".into(), running: false }));
    assert!(!node.viewing_past());
    assert_eq!(node.session.ops.len(), 1, "both later actions gave way to the fault");
    assert!(terminal(&node).contains("2 later actions were discarded"), "{}", terminal(&node));
}
