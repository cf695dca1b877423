//! Scenario tests of the presets on the real simulation: each preset is started as the menu starts
//! it, the cluster is played forward in virtual time, and the situation it promises is checked the
//! way Kubernetes defines it.

use std::rc::Rc;

use serde_json::Value;
use yew::Reducible;

use super::transcript::LineKind;
use super::{Cluster, ClusterAction, Origin};
use crate::ui::bridge;
use crate::ui::clock::Speed;
use crate::ui::session::Op;

/// Virtual time within which each situation must appear (generous: a failed test means "never").
const MINUTE: u64 = 60_000;

/// The playback speed of these tests: 100× (the fastest fixed speed). "max" would be faster, but it
/// advances each frame as far as a wall-clock budget allows, so what a test samples between frames
/// would depend on the machine's load.
const SPEED: Speed = Speed::Times(100.0);

fn start(preset: &str) -> Rc<Cluster> {
    Rc::new(Cluster::new(1)).reduce(ClusterAction::SetSpeed(SPEED)).reduce(ClusterAction::StartPreset(preset.into()))
}

/// Plays at 100× until `done` holds or `limit` of virtual time has passed; returns whether it held.
fn play_until(c: &mut Rc<Cluster>, limit: u64, mut done: impl FnMut(&Cluster) -> bool) -> bool {
    let end = c.world_now() + limit;
    while c.world_now() < end {
        if done(c) {
            return true;
        }
        *c = c.clone().reduce(ClusterAction::Tick { real_ms: 33.0 });
    }
    done(c)
}

/// The preset has run all its steps.
fn finished(c: &Cluster) -> bool {
    c.session.preset.is_none()
}

fn kubectl_lines(c: &Cluster) -> Vec<String> {
    c.session
        .ops
        .iter()
        .filter_map(|l| if let Op::Kubectl { line, .. } = &l.op { Some(line.clone()) } else { None })
        .collect()
}

fn said(c: &Cluster, text: &str) -> bool {
    c.transcript.iter().any(|l| l.text.contains(text))
}

/// Every object of a kind in `default`, as the apiserver returns it.
fn objects(c: &Cluster, kind: &str) -> Vec<Value> {
    c.with_world(|w| {
        bridge::names(w, kind, Some("default"))
            .iter()
            .filter_map(|n| bridge::object(w, &format!("/registry/{kind}/default/{n}")))
            .collect()
    })
    .unwrap_or_default()
}

fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

#[test]
fn rolling_update_moves_every_replica_to_the_new_replicaset() {
    let mut c = start("rolling-update");
    assert!(said(&c, "Rolling update: a Deployment of 4 nginx:1.26 pods"), "the preset says what to watch");
    assert_eq!(
        kubectl_lines(&c),
        ["kubectl create deployment web-rollout --image=nginx:1.26 --replicas=4"],
        "only the first step runs at once"
    );
    assert!(play_until(&mut c, 5 * MINUTE, finished), "the preset never got past its wait");
    assert_eq!(
        kubectl_lines(&c),
        [
            "kubectl create deployment web-rollout --image=nginx:1.26 --replicas=4",
            "kubectl rollout status deployment/web-rollout",
            "kubectl set image deployment/web-rollout nginx=nginx:1.27"
        ]
    );
    // The wait held: kubectl itself said the first rollout was complete before the image changed.
    assert!(said(&c, "deployment \"web-rollout\" successfully rolled out"), "{:?}", c.transcript);
    let times: Vec<u64> = c.session.ops.iter().map(|l| l.at).collect();
    assert!(times[1] > times[0] + 1_000, "the second step waited in virtual time: {times:?}");

    // kubernetes/pkg/controller/deployment/rolling.go: the new ReplicaSet is scaled up to
    // spec.replicas and every old one down to 0.
    let swapped = |c: &Cluster| {
        let sets = objects(c, "replicasets");
        let by_image =
            |image: &str| sets.iter().find(|rs| text(rs, "/spec/template/spec/containers/0/image") == image).cloned();
        match (by_image("nginx:1.26"), by_image("nginx:1.27")) {
            (Some(old), Some(new)) => {
                int(&old, "/spec/replicas") == 0
                    && int(&old, "/status/replicas") == 0
                    && int(&new, "/status/readyReplicas") == 4
            }
            _ => false,
        }
    };
    assert!(play_until(&mut c, 5 * MINUTE, swapped), "the ReplicaSets never swapped: {:?}", objects(&c, "replicasets"));
}

#[test]
fn node_failure_replaces_the_lost_pods_on_other_workers() {
    let mut c = start("node-failure");
    assert!(play_until(&mut c, 5 * MINUTE, finished), "the preset never powered a node off");
    let victim = c
        .session
        .ops
        .iter()
        .find_map(|l| if let Op::Node { name, running: false } = &l.op { Some(name.clone()) } else { None })
        .expect("a node was powered off, through the same op as the diagram's button");
    assert!(!victim.contains("control-plane"), "a worker is powered off, not {victim}");
    let web = |c: &Cluster| {
        objects(c, "pods").into_iter().filter(|p| text(p, "/metadata/labels/app") == "web-spread").collect::<Vec<_>>()
    };
    let lost: Vec<String> = web(&c)
        .iter()
        .filter(|p| text(p, "/spec/nodeName") == victim)
        .map(|p| text(p, "/metadata/name").to_string())
        .collect();
    assert!(lost.len() >= 2, "the busiest of 3 workers under 6 replicas runs 2 or more: {lost:?}");

    // Node lifecycle: NotReady after the 50 s grace, NoExecute taint, eviction after the pods'
    // 300 s toleration for node.kubernetes.io/unreachable; the ReplicaSet replaces them.
    let replaced = |c: &Cluster| {
        let live: Vec<Value> = web(c)
            .into_iter()
            .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none() && text(p, "/status/phase") == "Running")
            .collect();
        live.len() == 6
            && live
                .iter()
                .all(|p| text(p, "/spec/nodeName") != victim && !lost.iter().any(|l| l == text(p, "/metadata/name")))
    };
    let at = c.world_now();
    assert!(play_until(&mut c, 10 * MINUTE, replaced), "the pods of {victim} were not replaced: {:?}", web(&c));
    assert!(c.world_now() - at > 300_000, "replacements come only after the toleration's 300 s");
}

#[test]
fn unschedulable_pod_stays_pending_with_failed_scheduling() {
    let mut c = start("unschedulable-pod");
    assert!(play_until(&mut c, MINUTE, finished), "the preset never saw FailedScheduling");
    // Half a minute later it is still waiting: nothing will ever fit it.
    play_until(&mut c, 30_000, |_| false);
    let pod =
        c.with_world(|w| bridge::object(w, "/registry/pods/default/too-big")).flatten().expect("the pod was created");
    assert_eq!(text(&pod, "/status/phase"), "Pending");
    assert_eq!(text(&pod, "/spec/nodeName"), "", "never bound");
    let events = c.with_world(|w| bridge::events_for(w, "default", "Pod", "too-big")).unwrap_or_default();
    let failed = events.iter().find(|e| e.reason == "FailedScheduling").expect("a FailedScheduling event");
    // schedule_one.go's FitError: "0/4 nodes are available: ..., 3 Insufficient cpu. preemption: ...".
    assert!(
        failed.message.starts_with("0/4 nodes are available: ") && failed.message.contains("3 Insufficient cpu."),
        "{}",
        failed.message
    );
    assert_eq!((failed.kind.as_str(), failed.from.as_str()), ("Warning", "default-scheduler"));
    assert!(said(&c, "FailedScheduling   pod/too-big"), "kubectl get events showed it: {:?}", c.transcript);
    // The inspector's decision table says why, node by node.
    let table =
        c.with_world(|w| bridge::decision(w, "default", "too-big")).flatten().expect("the scheduler kept its decision");
    assert_eq!(table.chosen, None);
    let insufficient =
        table.rows.iter().filter(|r| r.cells.iter().any(|cell| cell.contains("Insufficient cpu"))).count();
    assert_eq!(insufficient, 3, "{table:?}");
}

#[test]
fn crash_loop_restarts_with_a_growing_back_off() {
    let mut c = start("crash-loop");
    assert!(play_until(&mut c, MINUTE, finished), "the pod never reached CrashLoopBackOff");
    assert!(said(&c, "CrashLoopBackOff"), "kubectl get pod showed the status: {:?}", c.transcript);
    let restarts = |c: &Cluster| {
        c.with_world(|w| bridge::object(w, "/registry/pods/default/crash-loop"))
            .flatten()
            .map_or(0, |p| int(&p, "/status/containerStatuses/0/restartCount"))
    };
    // kubelet: the back-off doubles from 10 s after each crash (up to 5 minutes).
    let mut restarted_at = Vec::new();
    let mut seen = restarts(&c);
    play_until(&mut c, 3 * MINUTE, |c| {
        let now = restarts(c);
        if now > seen {
            seen = now;
            restarted_at.push(c.world_now());
        }
        false
    });
    assert!(seen >= 3, "restartCount {seen}");
    let gaps: Vec<u64> = restarted_at.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.len() >= 2 && gaps.windows(2).all(|g| g[1] > g[0]), "the back-off grows: {gaps:?}");
    let pod =
        c.with_world(|w| bridge::object(w, "/registry/pods/default/crash-loop")).flatten().expect("the pod exists");
    assert_eq!(int(&pod, "/status/containerStatuses/0/lastState/terminated/exitCode"), 1);
}

#[test]
fn a_waiting_preset_continues_after_a_reload_and_replays_the_same() {
    let c = start("rolling-update");
    let waiting = c.session.preset.clone().expect("the preset waits for the first rollout");
    assert!(matches!(waiting.steps.first(), Some(crate::ui::session::Step::Wait { .. })), "{waiting:?}");
    // What is saved now, as the page saves it.
    let mut saved = (*c.session).clone();
    saved.now = c.world_now();
    let mut again = Rc::new(Cluster::replay(saved, None, 0)).reduce(ClusterAction::SetSpeed(SPEED));
    assert_eq!(again.session.preset.as_ref(), Some(&waiting));
    assert!(play_until(&mut again, 5 * MINUTE, finished), "the reloaded page finished the preset");
    assert_eq!(kubectl_lines(&again).len(), 3);
    // A replay of the finished session rebuilds the same cluster, message for message.
    let mut done = (*again.session).clone();
    done.now = again.world_now();
    let replayed = Cluster::replay(done, None, 0);
    let trace = |c: &Cluster| c.with_world(|w| w.whole_trace()).expect("not borrowed");
    let (a, b) = (trace(&replayed), trace(&again));
    let first = a.iter().zip(&b).position(|(x, y)| x != y);
    assert!(
        a == b,
        "replay differs at {first:?}: {:?} vs {:?}; ops {:?}",
        first.map(|i| &a[i]),
        first.map(|i| &b[i]),
        again.session.ops
    );
}

#[test]
fn presets_pick_free_names_and_replace_a_waiting_one() {
    let c = start("crash-loop").reduce(ClusterAction::StartPreset("crash-loop".into()));
    assert!(said(&c, "The crash-loop preset stopped waiting"), "{:?}", c.transcript);
    assert_eq!(kubectl_lines(&c)[1], "kubectl run crash-loop-2 --image=busybox:1.36 -- sh -c \"exit 1\"");
    let c = c.reduce(ClusterAction::StartPreset("no-such".into()));
    assert_eq!(
        c.transcript.last().map(|l| (l.kind, l.text.as_str())),
        Some((LineKind::Stderr, "there is no preset \"no-such\""))
    );
}

#[test]
fn a_wait_that_cannot_end_gives_up() {
    let mut c = start("crash-loop");
    c = c.reduce(ClusterAction::Run {
        line: "kubectl delete pod crash-loop --now".into(),
        stdin: None,
        origin: Origin::Terminal,
    });
    assert!(play_until(&mut c, 12 * MINUTE, finished), "the preset kept waiting for a deleted pod");
    assert!(
        said(
            &c,
            "The crash-loop preset stopped waiting for pod \"crash-loop\" to reach CrashLoopBackOff after 10 minutes"
        ),
        "{:?}",
        c.transcript
    );
    assert_eq!(kubectl_lines(&c).len(), 2, "its last step was not run");
}
