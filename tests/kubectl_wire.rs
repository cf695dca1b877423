//! kubectl across the JSON wire the browser's two wasm modules speak: the same session run once
//! in-process and once through `wire::Remote` and `wire::serve` prints the same text, leaves the
//! same trace, and survives answers that cannot be read.

use std::cell::RefCell;

use k8s_sandbox::sim::kubectl::wire::{self, Remote};
use k8s_sandbox::sim::kubectl::{self, Cluster, NoFiles, Output};
use k8s_sandbox::sim::world::World;

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: talker
  labels: {app: talker}
spec:
  # Not on sandbox-worker, which the session drains (an unmanaged pod would stop the drain).
  nodeName: sandbox-worker2
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'echo hello from talker; sleep 3600']
";

/// A session that reaches every kind of wire message: REST calls of each verb and error, the
/// watch cache (`--wait`, `wait`), watches, kubelet exec/logs, metrics, and virtual-time waits.
const SESSION: &[(&str, Option<&str>)] = &[
    ("create deployment web --image=nginx --replicas=2", None),
    ("apply -f -", Some(POD)),
    ("wait --for=condition=Ready pod/talker --timeout=60s", None),
    ("rollout status deployment/web", None),
    ("get pods -o wide", None),
    ("get deploy web -o yaml", None),
    ("describe deployment web", None),
    ("get pods -w", None),
    ("logs talker", None),
    ("logs talker --timestamps", None),
    ("exec talker -- cat /etc/hostname", None),
    ("exec talker -- ls /nonexistent", None),
    ("top nodes", None),
    ("top pods", None),
    ("label pod talker tier=demo", None),
    ("patch deployment web -p '{\"spec\":{\"replicas\":3}}'", None),
    ("patch deployment web --type=merge -p '{\"metadata\":{\"labels\":{\"x\":\"y\"}}}'", None),
    ("scale deployment web --replicas=1", None),
    ("get pod nosuch", None),
    ("create deployment web --image=nginx", None),
    ("get nosuchkind", None),
    ("cordon sandbox-worker", None),
    ("drain sandbox-worker --ignore-daemonsets --delete-emptydir-data", None),
    ("uncordon sandbox-worker", None),
    ("delete pod talker --wait", None),
    ("logs talker", None),
    ("get pods -A", None),
];

fn boot(seed: u64) -> World {
    let mut w = World::new(seed);
    w.run_for(30_000);
    w
}

fn transcript(outputs: &[Output]) -> String {
    outputs.iter().map(|o| format!("{}{}{}\n", o.stdout, o.stderr, o.failed)).collect()
}

#[test]
fn a_session_through_the_wire_prints_and_does_the_same() {
    let mut direct = boot(7);
    let direct_out: Vec<Output> =
        SESSION.iter().map(|(line, stdin)| kubectl::execute(&mut direct, line, *stdin, &NoFiles)).collect();

    let world = RefCell::new(boot(7));
    let mut remote = Remote::new(|m: &str| wire::serve(&mut *world.borrow_mut(), m));
    let remote_out: Vec<Output> = SESSION
        .iter()
        .map(|(line, stdin)| {
            // The page sends the command line to the kubectl module and reads its output back.
            let (line, stdin) = wire::command_from_json(&wire::command_to_json(line, *stdin));
            wire::output_from_json(&wire::output_to_json(&kubectl::execute(
                &mut remote,
                &line,
                stdin.as_deref(),
                &NoFiles,
            )))
        })
        .collect();

    assert_eq!(transcript(&remote_out), transcript(&direct_out));
    let world = world.into_inner();
    assert_eq!(world.k.trace.total_sent(), direct.k.trace.total_sent(), "the same messages were sent");
    assert_eq!(world.now(), direct.now());
    // The session did reach what it means to cover.
    let text = transcript(&direct_out);
    for seen in [
        "hello from talker",
        "condition met",
        "successfully rolled out",
        "pods \"nosuch\" not found",
        "node/sandbox-worker drained",
        "MEMORY(bytes)",
    ] {
        assert!(text.contains(seen), "{seen:?} not in\n{text}");
    }
    assert_eq!(remote_out[7].watching.len(), 1, "get -w opened a watch across the wire");
    assert_eq!(remote_out[7].watching, direct_out[7].watching);
}

#[test]
fn unreadable_answers_become_errors_not_panics() {
    for answer in ["", "null", "{}", "[1,2]", "{\"ok\":", "{\"err\":{\"code\":\"x\"}}", "{\"no_route\":5}"] {
        let mut remote = Remote::new(|_: &str| answer.to_string());
        let out = kubectl::execute(&mut remote, "get pods", None, &NoFiles);
        assert!(out.failed, "{answer:?}: {out:?}");
        assert!(out.stderr.contains("could not be read"), "{answer:?}: {}", out.stderr);
        // Commands that wait return too (returning at all is the check).
        for waits in [
            "wait --for=delete pod/x --timeout=60s",
            "rollout status deployment/web --timeout=5m",
            "delete pod x --wait",
        ] {
            kubectl::execute(&mut remote, waits, None, &NoFiles);
        }
        // The other calls fall back to nothing rather than stopping the page.
        assert_eq!(remote.cached("/registry/pods/default/x"), None);
        assert_eq!(remote.pod_usage(), Vec::new());
        assert_eq!(remote.node_usage("sandbox-worker"), None);
    }
    let out = wire::output_from_json("not json");
    assert!(out.failed && out.stderr.starts_with("error: the kubectl module's answer could not be read"), "{out:?}");
}

#[test]
fn the_cluster_side_refuses_messages_it_cannot_read() {
    let mut w = boot(1);
    let before = w.k.trace.total_sent();
    for message in [
        "",
        "{}",
        "{\"op\":\"teleport\"}",
        "{\"op\":\"call\",\"req\":{\"verb\":\"get\",\"group\":\"\",\"resource\":\"unicorns\"}}",
        "{\"op\":\"call\"}",
    ] {
        let answer = wire::serve(&mut w, message);
        assert!(answer.contains("\"err\""), "{message:?} -> {answer}");
    }
    assert_eq!(w.k.trace.total_sent(), before, "nothing was sent");
}

#[test]
fn watch_rows_and_requests_round_trip() {
    let mut w = boot(1);
    let out = kubectl::execute(&mut w, "get nodes -w", None, &NoFiles);
    let watch = &out.watching[0];
    let nodes = vec![w.apiserver.cache.get("/registry/minions/sandbox-worker").cloned().expect("a worker")];
    let (kind, options, objects) =
        wire::watch_rows_from_json(&wire::watch_rows_to_json(watch.kind, &watch.options, nodes.clone()));
    assert_eq!((kind.as_str(), options, objects), (watch.kind, watch.options, nodes));
}

/// With the pod's node powered off, exec, logs and top print the same "no route" errors across the
/// wire as in-process (the kubelet is not reachable, so the answer is the address dialled).
#[test]
fn a_powered_off_node_answers_the_same_across_the_wire() {
    let setup = || {
        let mut w = boot(3);
        assert!(!kubectl::execute(&mut w, "apply -f -", Some(POD), &NoFiles).failed);
        w.run_for(30_000);
        let node = w
            .apiserver
            .cache
            .get("/registry/pods/default/talker")
            .and_then(|p| p.pointer("/spec/nodeName")?.as_str().map(str::to_string))
            .expect("scheduled");
        w.set_node_running(&node, false).expect("the node powers off");
        w
    };
    let lines = ["logs talker", "exec talker -- ls /", "top nodes", "top pods", "top node sandbox-worker"];
    let mut direct = setup();
    let want: Vec<Output> = lines.iter().map(|l| kubectl::execute(&mut direct, l, None, &NoFiles)).collect();
    let world = RefCell::new(setup());
    let mut remote = Remote::new(|m: &str| wire::serve(&mut *world.borrow_mut(), m));
    let got: Vec<Output> = lines.iter().map(|l| kubectl::execute(&mut remote, l, None, &NoFiles)).collect();
    assert_eq!(transcript(&got), transcript(&want));
    assert!(transcript(&want).contains("no route to host"), "{}", transcript(&want));
}

/// A cluster whose clock cannot be read does not hang a kubectl that waits for a condition: the
/// clock it assumes moves on, and the wait times out as it would.
#[test]
fn an_unreadable_clock_does_not_hang_a_wait() {
    const BIG: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n  - {name: c, image: nginx, resources: {requests: {cpu: '1000'}}}\n";
    let mut w = boot(1);
    assert!(!kubectl::execute(&mut w, "apply -f -", Some(BIG), &NoFiles).failed);
    let world = RefCell::new(w);
    let mut remote = Remote::new(|m: &str| {
        if m.contains("\"now\"") { "garbled".to_string() } else { wire::serve(&mut *world.borrow_mut(), m) }
    });
    let out = kubectl::execute(&mut remote, "wait --for=condition=Ready pod/big --timeout=60s", None, &NoFiles);
    assert!(out.failed && out.stderr.contains("timed out waiting for the condition"), "{out:?}");
    let (a, b) = (remote.now(), remote.now());
    assert!(b > a, "the assumed clock must move");
}
