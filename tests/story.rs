//! The story of a command: every message a command set off, followed through the causes the kernel
//! records, from kubectl's request to the status coming back.

use k8s_sandbox::sim::kubectl::{self, NoFiles};
use k8s_sandbox::sim::trace::story::{self, Hop};
use k8s_sandbox::sim::world::World;

/// Runs `command` on a booted default cluster, then `for_ms` of virtual time, and returns its story.
fn story_of(command: &str, stdin: Option<&str>, for_ms: u64) -> (World, Vec<Hop>) {
    let mut w = World::new(1);
    w.k.trace.set_window(usize::MAX);
    let start = w.k.next_id();
    let out = kubectl::execute(&mut w, command, stdin, &NoFiles);
    assert!(!out.stderr.contains("error"), "{command}: {}", out.stderr);
    w.run_for(for_ms);
    let hops = story::story(&w.k.trace, start);
    (w, hops)
}

const ONE_REPLICA: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
";

/// The position of the first hop whose line contains every one of `words`.
fn find(hops: &[Hop], words: &[&str]) -> Option<usize> {
    find_after(hops, 0, words)
}

/// The same, from position `from` on.
fn find_after(hops: &[Hop], from: usize, words: &[&str]) -> Option<usize> {
    hops.iter().skip(from).position(|h| words.iter().all(|w| h.line.contains(w))).map(|p| p + from)
}

#[test]
fn applying_a_deployment_tells_every_component_in_causal_order() {
    let (_, hops) = story_of("kubectl apply -f -", Some(ONE_REPLICA), 30_000);
    let text = story::numbered(&hops);
    assert!(hops.len() >= 15, "only {} hops:\n{text}", hops.len());
    // Every hop but the command's own has a cause, and the cause was told before it.
    for (i, h) in hops.iter().enumerate() {
        if let Some(c) = h.caused_by {
            assert!(c < i, "hop {} is caused by the later hop {}:\n{text}", i + 1, c + 1);
        }
    }
    assert_eq!(hops[0].caused_by, None, "{text}");
    assert!(hops[0].line.contains("kubectl → kube-apiserver"), "{text}");
    // The chain, in order: the write, the controllers, the scheduler's choice, the kubelet's CRI
    // calls, and the status coming back.
    let started = find(&hops, &["→ container-runtime/sandbox-", "StartContainer"]).unwrap_or(hops.len());
    let chain = [
        find(&hops, &["kube-apiserver → etcd", "/registry/deployments/default/web"]),
        find(&hops, &["kube-controller-manager → kube-apiserver", "replicasets"]),
        find(&hops, &["kube-controller-manager → kube-apiserver", "pods"]),
        find(&hops, &["kube-scheduler → kube-apiserver", "binding", "kube-scheduler chose sandbox-"]),
        find(&hops, &["kubelet/sandbox-", "→ container-runtime/sandbox-", "RunPodSandbox"]),
        find(&hops, &["kubelet/sandbox-", "→ container-runtime/sandbox-", "StartContainer"]),
        find_after(&hops, started, &["kubelet/sandbox-", "→ kube-apiserver", "/status"]),
        find_after(&hops, started, &["kube-apiserver → kube-controller-manager", "MODIFIED Deployment default/web"]),
    ];
    let found: Vec<usize> = chain.iter().map(|p| p.unwrap_or_else(|| panic!("{chain:?} in:\n{text}"))).collect();
    assert!(found.windows(2).all(|w| w[0] < w[1]), "out of causal order {found:?}:\n{text}");
}

#[test]
fn a_story_leaves_out_what_the_cluster_was_doing_anyway() {
    // A read sets nothing off: its story is the request, the apiserver's quorum read from etcd, and
    // the answer.
    let (w, hops) = story_of("kubectl get pods", None, 30_000);
    let text = story::numbered(&hops);
    assert_eq!(hops.len(), 4, "{text}");
    assert!(hops[1].line.contains("kube-apiserver → etcd: range /registry/pods/default/"), "{text}");
    assert!(hops[3].line.contains("kube-apiserver → kubectl: 200 PodList"), "{text}");
    assert_eq!(hops.iter().map(|h| h.caused_by).collect::<Vec<_>>(), [None, Some(0), Some(1), Some(2)]);
    // ... while the cluster went on sending its own heartbeats and leases meanwhile.
    assert!(w.k.trace.len() > 2 + 100, "the cluster was quiet: {}", w.k.trace.len());
}

#[test]
fn an_unschedulable_pod_tells_why_no_node_fits() {
    let big = "apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n  - name: big\n    image: nginx\n    resources: {requests: {cpu: '500'}}\n";
    let (_, hops) = story_of("kubectl apply -f -", Some(big), 5_000);
    let text = story::numbered(&hops);
    assert!(
        find(&hops, &["kube-scheduler found no node: 0/4 nodes are available", "Insufficient cpu"]).is_some(),
        "{text}"
    );
}

#[test]
fn the_same_command_tells_the_same_story() {
    let (_, a) = story_of("kubectl apply -f -", Some(ONE_REPLICA), 10_000);
    let (_, b) = story_of("kubectl apply -f -", Some(ONE_REPLICA), 10_000);
    assert_eq!(story::numbered(&a), story::numbered(&b));
}

#[test]
fn a_story_of_messages_no_longer_kept_is_empty() {
    let mut w = World::new(1);
    w.k.trace.set_window(10);
    let start = w.k.next_id();
    kubectl::execute(&mut w, "kubectl create deployment web --image=nginx", None, &NoFiles);
    w.run_for(30_000);
    let hops = story::story(&w.k.trace, start);
    // Only what is still kept can be told; the start is long gone, so nothing reaches kubectl's request.
    assert!(hops.is_empty(), "{}", story::numbered(&hops));
}

/// Runs `sandbox story` with `args` and a script holding `text`; (exit code, stdout, stderr).
fn sandbox_story(text: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let dir = std::env::temp_dir().join(format!("sandbox-story-{}-{}", std::process::id(), args.len()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("s.sh");
    std::fs::write(&script, text).expect("write script");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg("story")
        .args(args)
        .arg(script.to_str().expect("utf-8 path"))
        .output()
        .expect("runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn sandbox_story_prints_the_last_commands_story_as_numbered_lines() {
    let script = "kubectl create namespace demo\nkubectl create deployment web --image=nginx -n demo\n";
    let (code, out, err) = sandbox_story(script, &["--seed", "2", "--for", "10s"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("$ kubectl create deployment web --image=nginx -n demo\ndeployment.apps/web created\n"),
        "{out}"
    );
    assert!(out.contains("\nThe story ("), "{out}");
    assert!(
        out.contains("\n1. +0ms kubectl → kube-apiserver: POST /apis/apps/v1/namespaces/demo/deployments"),
        "{out}"
    );
    assert!(out.contains("kube-scheduler chose sandbox-"), "{out}");
    // Only the last command's story: the namespace was created before it.
    assert!(!out.contains("/registry/namespaces/demo"), "{out}");
}

#[test]
fn sandbox_story_refuses_what_it_cannot_tell() {
    let (code, _, err) = sandbox_story("sleep 5s\n", &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("has no kubectl command to tell the story of"), "{err}");
    let (code, _, err) = sandbox_story("kubectl get pods\n", &["--for", "soon"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--for needs a duration (e.g. 30s, 2m), got \"soon\""), "{err}");
    let (code, _, err) = sandbox_story("kubectl apply -f - <<EOF\nkind: Pod\n", &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("heredoc <<EOF is not closed"), "{err}");
}

#[test]
fn a_story_told_as_the_trace_grows_is_the_story_told_at_the_end() {
    // The app reads a story a frame at a time; it must be the story told all at once.
    let mut w = World::new(1);
    w.k.trace.set_window(usize::MAX);
    let mut growing = story::Story::new(w.k.next_id());
    let start = growing.start();
    kubectl::execute(&mut w, "kubectl apply -f -", Some(ONE_REPLICA), &NoFiles);
    for _ in 0..100 {
        w.run_for(97);
        growing.extend(w.k.trace.entries());
    }
    assert_eq!(growing.hops(), story::story(&w.k.trace, start).as_slice());
    assert!(!growing.incomplete());
    assert!(growing.hops().windows(2).all(|p| p[0].sent_at <= p[1].sent_at), "hops are in send order");
}

#[test]
fn a_story_whose_messages_left_the_window_says_so() {
    let mut w = World::new(1);
    w.k.trace.set_window(50);
    let mut s = story::Story::new(w.k.next_id());
    kubectl::execute(&mut w, "kubectl apply -f -", Some(ONE_REPLICA), &NoFiles);
    w.run_for(10_000);
    s.extend(w.k.trace.entries());
    assert!(s.incomplete(), "the command's first messages were pushed out of a 50-message window");
}
