//! The native runner's scripts: the book's chapter 3 flow, the NetworkPolicy walk-through, data kept in a volume and every verb run end
//! to end and their transcripts are exactly the checked-in ones (virtual time and the seeded RNG make it reproducible).

use std::path::Path;

use k8s_sandbox::sim::kubectl::NoFiles;
use k8s_sandbox::sim::script::{self, DiskFiles};
use k8s_sandbox::sim::world::World;
use k8s_sandbox::test_support::corpus_root;

fn run_script(name: &str) -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    corpus_root()?;
    let text = std::fs::read_to_string(dir.join(name)).expect("the script is checked in");
    let steps = script::parse(&text).expect("the script parses");
    let mut world = World::new(1);
    Some(script::run(&mut world, &steps, &DiskFiles::new(&dir)))
}

/// Runs `tests/scripts/NAME.sh` on seed 1 and checks its transcript is `NAME.expected`, exactly.
fn transcript_matches_expected(name: &str) -> String {
    transcript_and_world(name).0
}

/// Like [`transcript_matches_expected`], also giving back the world the script left.
fn transcript_and_world(name: &str) -> (String, World) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let text = std::fs::read_to_string(dir.join(format!("{name}.sh"))).expect("the script is checked in");
    let steps = script::parse(&text).expect("the script parses");
    let mut world = World::new(1);
    let transcript = script::run(&mut world, &steps, &DiskFiles::new(&dir));
    let expected = std::fs::read_to_string(dir.join(format!("{name}.expected"))).expect("checked in");
    assert_eq!(transcript, expected, "{name}.sh");
    (transcript, world)
}

#[test]
fn chapter03_transcript_matches() {
    let Some(transcript) = run_script("chapter03.sh") else { return };
    let expected =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/chapter03.expected"))
            .expect("checked in");
    assert_eq!(transcript, expected);
    // What the chapter promises, independently of the golden file:
    assert!(transcript.contains("jokeapi   2/2     2            2"), "two replicas available");
    assert!(transcript.contains("dataprocessingjob   Complete   1/1"), "the job completes");
}

/// NetworkPolicy as kindnet enforces it, end to end: default-deny ingress drops the client's
/// connection (wget's `download timed out`), a policy for the client's label lets it through again,
/// default-deny egress breaks DNS (`no servers could be reached`), and bad fields are refused in
/// `ValidateNetworkPolicy`'s words. Needs no corpus: its manifests are heredocs.
#[test]
fn netpol_transcript_matches() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let text = std::fs::read_to_string(dir.join("netpol.sh")).expect("the script is checked in");
    let steps = script::parse(&text).expect("the script parses");
    let mut world = World::new(1);
    let transcript = script::run(&mut world, &steps, &DiskFiles::new(&dir));
    let expected = std::fs::read_to_string(dir.join("netpol.expected")).expect("checked in");
    assert_eq!(transcript, expected);
    assert_eq!(transcript.matches("wget: download timed out").count(), 2, "denied by ingress, then by egress");
    assert!(
        transcript.contains(";; connection timed out; no servers could be reached"),
        "default deny egress breaks DNS"
    );
    assert_eq!(transcript.matches("<h1>Welcome to nginx!</h1>").count(), 3, "allowed before, and after each fix");
}

/// Data lives in volumes: a PersistentVolume and a claim bind, and a file written by one pod on the
/// claim is read by the next pod on the same node.
#[test]
fn volumes_transcript_matches() {
    let Some(transcript) = run_script("volumes.sh") else { return };
    let expected =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/volumes.expected"))
            .expect("checked in");
    assert_eq!(transcript, expected);
    assert!(transcript.contains("task-pv-claim   Bound    task-pv-volume"), "the claim binds");
    assert_eq!(transcript.matches("Hello from Kubernetes storage\n").count(), 2, "read by both pods");
}

/// The HorizontalPodAutoscaler walkthrough: php-apache scales up under a busybox `wget` loop
/// (`SuccessfulRescale ... above target`) and back to one replica once the load has been gone for
/// the 5 minute stabilization window; kubectl refuses what has no scale and min > max.
#[test]
fn hpa_transcript_matches() {
    let (transcript, mut world) = transcript_and_world("hpa");
    assert!(transcript.contains("cpu: <unknown>/50%"), "no metrics before the first scrape");
    assert!(transcript.contains("error: cannot autoscale a Pod: could not find scale subresource"));
    // `describe` prints ages from the client's clock, which under `sandbox compare` is not the
    // sandbox's: it is checked here, on the world the script left, rather than in the script.
    let describe = k8s_sandbox::sim::kubectl::execute(&mut world, "describe hpa php-apache", None, &NoFiles);
    let text = describe.stdout;
    assert!(text.contains("Reference:                                             Deployment/php-apache"), "{text}");
    assert!(
        text.contains("New size: 4; reason: cpu resource utilization (percentage of request) above target"),
        "{text}"
    );
    assert!(
        text.contains("New size: 7; reason: cpu resource utilization (percentage of request) above target"),
        "{text}"
    );
    assert!(text.contains("New size: 1; reason: All metrics below target"), "back down after the window: {text}");
    assert!(text.contains("ScalingLimited  True    TooFewReplicas"), "{text}");
}

#[test]
fn runner_binary_reports_malformed_scripts() {
    let exe = env!("CARGO_BIN_EXE_sandbox");
    let dir = std::env::temp_dir().join(format!("sandbox-runner-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("bad.sh");
    std::fs::write(&bad, "kubectl get pods\nsleep forever\n").expect("write script");
    let out = std::process::Command::new(exe).args(["run", bad.to_str().expect("utf-8 path")]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: invalid duration \"forever\""));
    // A kubectl error is printed, not an exit code.
    std::fs::write(&bad, "kubectl get nosuchkind\n").expect("write script");
    let out = std::process::Command::new(exe).args(["run", bad.to_str().expect("utf-8 path")]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "$ kubectl get nosuchkind\nerror: the server doesn't have a resource type \"nosuchkind\"\n"
    );
}

/// `--trace FILE` holds every message even when the run sends far more than the trace keeps in
/// memory: the file is byte for byte the whole trace of the same run kept in full.
#[test]
fn runner_trace_file_has_every_message_past_the_window() {
    let dir = std::env::temp_dir().join(format!("sandbox-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script_path = dir.join("scale.sh");
    let text = "kubectl create deployment web --image=nginx --replicas=3\nsleep 30s\n\
                kubectl scale deployment web --replicas=1\nsleep 10s\nkubectl get pods\n";
    std::fs::write(&script_path, text).expect("write script");
    let steps = script::parse(text).expect("the script parses");
    let mut whole = World::new(1);
    whole.k.trace.set_window(usize::MAX);
    let transcript = script::run(&mut whole, &steps, &DiskFiles::new(&dir));
    let expected = whole.k.trace.to_json_lines();
    const WINDOW: usize = 50;
    assert!(expected.lines().count() > 10 * WINDOW, "the run is much longer than the window");

    let trace_path = dir.join("trace.jsonl");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["run", "--trace", path(&trace_path), "--trace-window", &WINDOW.to_string(), path(&script_path)])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), transcript, "the window changes nothing the run does");
    let written = std::fs::read_to_string(&trace_path).expect("the trace file is written");
    assert!(written == expected, "{} lines written, {} sent", written.lines().count(), expected.lines().count());
    let _ = std::fs::remove_dir_all(&dir);
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Every verb of the sandbox's kubectl (`verbs.sh`): its transcript is the checked-in one, which
/// `tests/serve.rs` also holds against kubectl 1.33 through `sandbox serve`.
#[test]
fn verbs_transcript_matches() {
    let transcript = transcript_matches_expected("verbs");
    assert!(transcript.contains("deployment.apps/web scaled"), "scale goes through the scale subresource");
}

/// PersistentVolume, claim and StorageClass as kubectl 1.33 describes them (`storage.sh`): the
/// transcript is the checked-in one, which `tests/serve.rs` also holds against kubectl 1.33.
#[test]
fn storage_transcript_matches() {
    let transcript = transcript_matches_expected("storage");
    assert!(transcript.contains("Claim:           default/task-pv-claim"), "the volume names its claim");
    assert!(transcript.contains("Used By:       task-pv-pod"), "the claim names the pod using it");
}

/// Events from both recorders (`events.sh`), which `tests/serve.rs` also reads through kubectl 1.33.
#[test]
fn events_transcript_matches() {
    let transcript = transcript_matches_expected("events");
    assert!(
        transcript.contains("default-scheduler, default-scheduler-sandbox-control-plane"),
        "the scheduler's reporter"
    );
}

/// `kubectl logs` with each option (`logs.sh`), which `tests/serve.rs` also runs through kubectl 1.33
/// against the log subresource of `sandbox serve`.
#[test]
fn logs_transcript_matches() {
    let transcript = transcript_matches_expected("logs");
    assert!(transcript.contains("$ kubectl logs -f once\none\ntwo\n"), "a finished container's log, followed");
    assert!(transcript.contains("error: container nope is not valid for pod two\n"));
}

/// kubectl's waiting commands (`wait.sh`: wait, rollout status, cordon, drain against a budget), which
/// `tests/serve.rs` also runs through kubectl 1.33: the same requests, the same words.
#[test]
fn wait_transcript_matches() {
    let transcript = transcript_matches_expected("wait");
    assert!(
        transcript
            .contains("$ kubectl wait --for=condition=Available deployment/web\ndeployment.apps/web condition met\n")
    );
    assert!(
        transcript.contains("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.")
    );
    assert!(
        transcript.contains("pod/web-5c94f75b5d-dlr9v evicted\nnode/sandbox-worker drained\n"),
        "evicted once the budget is gone"
    );
}

/// Ingress as kind's guide sets it up (ingress-nginx from the guide's URL, bundled): the backend's
/// page through the controller, 503 for a Service that does not exist, the default backend's 404 for
/// a host no rule takes, the published address `localhost` after the status sync, a bad path type
/// refused.
#[test]
fn ingress_transcript_matches() {
    let transcript = transcript_matches_expected("ingress");
    assert_eq!(
        transcript.matches("<h1>Welcome to nginx!</h1>").count(),
        1,
        "the backend's page through the controller"
    );
    assert!(transcript.contains("HTTP/1.1 503 Service Temporarily Unavailable"), "no such Service");
    assert!(transcript.contains("HTTP/1.1 404 Not Found\nContent-Length: 146"), "the default backend");
    assert!(transcript.contains("web    nginx   foo.local   localhost   80"), "the published address");
    assert!(transcript.contains("Unsupported value: \"Regex\""), "a bad path type");
}

/// `kubectl port-forward` and the learner's machine's curl (`portforward.sh`): nginx's page through a
/// pod's forward, a Deployment's and a Service's (its port to the targetPort), a port in use, a port
/// nothing listens on in the pod (containerd's error, then the forward ends), `kill` and `jobs`.
#[test]
fn portforward_transcript_matches() {
    let transcript = transcript_matches_expected("portforward");
    assert_eq!(transcript.matches("<h1>Welcome to nginx!</h1>").count(), 1, "nginx's page through the forward");
    assert!(transcript.contains("$ kubectl port-forward svc/web 18082:8080 &\nForwarding from 127.0.0.1:18082 -> 80\n"));
    assert!(transcript.contains("bind: address already in use"));
    assert!(transcript.contains("error: lost connection to pod\ncurl: (52) Empty reply from server\n"));
    assert!(transcript.contains("[1]   Terminated              kubectl port-forward pod/lone 18080:80\n"));
}
