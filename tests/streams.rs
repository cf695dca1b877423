//! `kubectl exec` and `kubectl logs` travel as real kubectl's do: a request for the pod's `exec` or
//! `log` subresource to the kube-apiserver, which reads the pod from etcd, checks it
//! (`ExecLocation`/`LogLocation` in `pkg/registry/core/pod/strategy.go`) and dials the kubelet of
//! its node on :10250 (`pkg/kubelet/server/server.go`), which has the runtime run the command (CRI
//! `Exec`); the answers flow back the same way. Every hop is a message in the trace.

use k8s_sandbox::sim::component::Component;
use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::network::LinkState;
use k8s_sandbox::sim::world::World;

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: talker
spec:
  nodeName: sandbox-worker2
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'echo hello from talker; sleep 3600']
";

fn cluster() -> World {
    let mut w = World::new(7);
    let out = kubectl::execute(&mut w, "apply -f -", Some(POD), &NoFiles);
    assert!(!out.failed, "{}", out.stderr);
    w.run_for(30_000);
    w
}

fn run(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

/// The messages sent since trace id `from`, as `from -> to kind: summary`.
fn hops(w: &World, from: u64) -> Vec<String> {
    w.k.trace
        .entries()
        .iter()
        .filter(|e| e.id >= from)
        .map(|e| format!("{} -> {} {}: {}", e.from, e.to, e.kind, e.summary))
        .collect()
}

/// The hops of one exec after kubectl's two reads of the pod (`ExecOptions.Run` reads it again).
#[test]
fn exec_goes_kubectl_apiserver_kubelet_runtime_and_back() {
    let mut w = cluster();
    let start = w.k.next_id();
    let out = run(&mut w, "exec talker -- cat /etc/hostname");
    assert_eq!((out.stdout.as_str(), out.failed), ("talker\n", false), "{}", out.stderr);
    // The container id and the revision differ from run to run of the test's setup.
    let all: Vec<String> = hops(&w, start)
        .into_iter()
        .map(|h| match (h.find("cri: Exec "), h.find("revision ")) {
            (Some(i), _) => format!("{}<id> {}", &h[..i + 10], h[i + 10..].split_once(' ').map_or("", |x| x.1)),
            (_, Some(i)) => format!("{}N", &h[..i + 9]),
            _ => h,
        })
        .collect();
    let at = all.iter().position(|h| h.contains("/exec?")).expect("an exec request");
    assert_eq!(
        all[at..],
        [
            "kubectl -> kube-apiserver request: POST /api/v1/namespaces/default/pods/talker/exec?command=cat&command=/etc/hostname&container=main&stderr=true&stdout=true",
            "kube-apiserver -> etcd etcd: range /registry/pods/default/talker",
            "etcd -> kube-apiserver etcd: 1 key(s), revision N",
            "kube-apiserver -> kubelet/sandbox-worker2 stream: POST /exec/default/talker/main cat /etc/hostname",
            "kubelet/sandbox-worker2 -> container-runtime/sandbox-worker2 cri: Exec <id> cat /etc/hostname",
            "container-runtime/sandbox-worker2 -> kubelet/sandbox-worker2 cri: ExecStream 7 bytes, exit 0",
            "kubelet/sandbox-worker2 -> kube-apiserver stream: 101 stream: 7 bytes, exit 0",
            "kube-apiserver -> kubectl response: 101 Switching Protocols, 7 bytes, exit 0",
        ]
        .map(String::from)
    );
}

#[test]
fn logs_are_read_from_the_kubelet_through_the_apiserver() {
    let mut w = cluster();
    let start = w.k.next_id();
    let out = run(&mut w, "logs talker");
    assert_eq!(out.stdout, "hello from talker\n");
    let all = hops(&w, start);
    let at = all.iter().position(|h| h.contains("/log?")).expect("a log request");
    assert_eq!(
        all[at..].iter().filter(|h| h.contains(" stream: ")).cloned().collect::<Vec<_>>(),
        [
            "kube-apiserver -> kubelet/sandbox-worker2 stream: GET /containerLogs/default/talker/main",
            "kubelet/sandbox-worker2 -> kube-apiserver stream: 200 1 log lines",
        ]
        .map(String::from)
    );
    assert_eq!(all.last().map(String::as_str), Some("kube-apiserver -> kubectl response: 200 log (1 lines)"));
}

/// A command's exit code and a command the image lacks, as kubectl prints them.
#[test]
fn exit_codes_and_missing_commands_come_back_on_the_stream() {
    let mut w = cluster();
    let out = run(&mut w, "exec talker -- sh -c 'echo out; exit 3'");
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.failed),
        ("out\n", "command terminated with exit code 3\n", true)
    );
    // The pause image has no shell: the runtime fails to start the process.
    let pause = "apiVersion: v1\nkind: Pod\nmetadata: {name: pause}\nspec:\n  containers:\n  - {name: p, image: registry.k8s.io/pause:3.10}\n";
    assert!(!kubectl::execute(&mut w, "apply -f -", Some(pause), &NoFiles).failed);
    w.run_for(20_000);
    let out = run(&mut w, "exec pause -- sh");
    assert!(
        out.stderr.starts_with("error: Internal error occurred: error executing command in container"),
        "{}",
        out.stderr
    );
    let out = run(&mut w, "exec talker -c nope -- ls");
    assert_eq!(out.stderr, "Error from server (BadRequest): container nope is not valid for pod talker\n");
}

/// The node is powered off: nothing answers at its address, and the apiserver's proxy says so at once.
#[test]
fn a_node_that_is_down_answers_with_the_apiservers_dial_error() {
    let mut w = cluster();
    w.set_node_running("sandbox-worker2", false).expect("the node powers off");
    let ip = w.nodes["sandbox-worker2"].config.internal_ip.clone();
    let out = run(&mut w, "exec talker -- ls /");
    assert_eq!(
        out.stderr,
        format!("Error from server: error dialing backend: dial tcp {ip}:10250: connect: no route to host\n")
    );
    let out = run(&mut w, "logs talker");
    assert_eq!(
        out.stderr,
        format!(
            "Error from server: Get \"https://{ip}:10250/containerLogs/default/talker/main\": dial tcp {ip}:10250: connect: no route to host\n"
        )
    );
}

/// The link from the apiserver to the kubelet drops packets: the dial times out after 30 s.
#[test]
fn a_partitioned_kubelet_times_the_dial_out() {
    let mut w = cluster();
    let kubelet = Component::Kubelet("sandbox-worker2".into());
    w.set_link(&Component::ApiServer, &kubelet, LinkState::Partitioned);
    let ip = w.nodes["sandbox-worker2"].config.internal_ip.clone();
    let before = w.now();
    let out = run(&mut w, "exec talker -- ls /");
    assert_eq!(out.stderr, format!("Error from server: error dialing backend: dial tcp {ip}:10250: i/o timeout\n"));
    assert!(w.now() - before >= 30_000, "waited {} ms", w.now() - before);
}

/// A command that waits on the network keeps the stream open that long: the cluster runs on.
#[test]
fn a_command_that_times_out_holds_kubectl_as_long() {
    let mut w = cluster();
    let before = w.now();
    let out = run(&mut w, "exec talker -- wget -T 5 -q -O- http://10.1.2.3/");
    assert!(out.failed);
    assert!(w.now() - before >= 5_000, "waited {} ms", w.now() - before);
}
