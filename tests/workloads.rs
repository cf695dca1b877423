//! Scenario tests of workloads on a whole cluster (apiserver, etcd, scheduler, controllers,
//! kubelets and runtimes), each citing the Kubernetes behaviour it checks.

use k8s_sandbox::sim::component::Component;
use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn pod_lines(w: &mut World) -> Vec<String> {
    kubectl(w, "get pods --no-headers").stdout.lines().map(str::to_string).collect()
}

/// A Deployment creates a ReplicaSet, which creates pods; the scheduler binds them and the kubelets
/// run them: `kubectl create deployment` ends with every replica Running and the Deployment Available.
#[test]
fn deployment_reaches_running_and_available() {
    let mut w = World::new(1);
    assert_eq!(
        kubectl(&mut w, "create deployment web --image=nginx --replicas=3").stdout,
        "deployment.apps/web created\n"
    );
    w.run_for(60_000);
    let pods = pod_lines(&mut w);
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(pods.iter().all(|l| l.contains(" 1/1 ") && l.contains(" Running ")), "{pods:?}");
    let out = kubectl(&mut w, "wait --for=condition=Available deployment/web --timeout=1s");
    assert_eq!(out.stdout, "deployment.apps/web condition met\n", "{out:?}");
    // The default profile spreads replicas: three workers, three pods, none on the tainted control plane.
    let wide = kubectl(&mut w, "get pods -o wide --no-headers").stdout;
    assert!(!wide.contains("control-plane"), "{wide}");
    for n in ["sandbox-worker ", "sandbox-worker2", "sandbox-worker3"] {
        assert!(wide.contains(n), "{n} missing in {wide}");
    }
}

/// Without a kube-scheduler nothing binds pods: they stay Pending, and start once it is back.
#[test]
fn pods_wait_for_the_scheduler() {
    let mut w = World::new(2);
    w.set_component_running(&Component::Scheduler, false).expect("the scheduler can stop");
    kubectl(&mut w, "run lonely --image=nginx");
    w.run_for(30_000);
    assert!(kubectl(&mut w, "get pod lonely --no-headers").stdout.contains("Pending"));
    w.set_component_running(&Component::Scheduler, true).expect("the scheduler can start");
    w.run_for(30_000);
    let line = kubectl(&mut w, "get pod lonely --no-headers").stdout;
    assert!(line.contains("Running"), "{line}");
}

/// The same seed and the same commands give a byte-identical trace, scheduler choices included.
#[test]
fn whole_cluster_is_deterministic() {
    let run = |seed| {
        let mut w = World::new(seed);
        kubectl(&mut w, "create deployment web --image=nginx --replicas=4");
        w.run_for(20_000);
        w.k.trace.to_json_lines()
    };
    let a = run(9);
    assert_eq!(a, run(9));
    assert_ne!(a, run(10), "another seed should give other names and choices");
}

/// Node failure, as the node lifecycle controller handles it: the stopped kubelet stops renewing its
/// Lease, after the grace period NodeReady becomes Unknown and the node is tainted unreachable, and
/// after the pods' 300 s toleration (DefaultTolerationSeconds) they are evicted and their
/// ReplicaSet replaces them on the nodes that are left.
#[test]
fn dead_node_pods_are_replaced_elsewhere() {
    let mut w = World::new(3);
    kubectl(&mut w, "create deployment web --image=nginx --replicas=3");
    w.run_for(60_000);
    w.set_node_running("sandbox-worker2", false).expect("the node exists");
    w.run_for(90_000);
    let node = kubectl(&mut w, "get node sandbox-worker2 --no-headers").stdout;
    assert!(node.contains("NotReady"), "{node}");
    // Before the toleration runs out the pod is still bound to the dead node.
    assert!(kubectl(&mut w, "get pods -o wide --no-headers").stdout.contains("sandbox-worker2"));
    w.run_for(400_000);
    let wide = kubectl(&mut w, "get pods -o wide --no-headers").stdout;
    let running: Vec<&str> = wide.lines().filter(|l| l.contains(" Running ")).collect();
    assert_eq!(running.len(), 3, "{wide}");
    assert!(running.iter().all(|l| !l.contains("sandbox-worker2")), "{wide}");
}

/// An Indexed Job (`completionMode: Indexed`, `indexed_job_utils.go`): one pod per completion index, named
/// `<job>-<index>-<suffix>` with hostname `<job>-<index>`, each seeing its index in `JOB_COMPLETION_INDEX`
/// (the downward API reads the pod's `batch.kubernetes.io/job-completion-index` label); the Job
/// completes when every index has succeeded, listed as `completedIndexes: 0-2`.
#[test]
fn indexed_job_runs_each_index_once() {
    let mut w = World::new(1);
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: idx\nspec:\n  completions: 3\n  parallelism: 2\n  completionMode: Indexed\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: w\n        image: busybox\n        command: [\"sh\", \"-c\", \"echo index $JOB_COMPLETION_INDEX on $(hostname)\"]\n";
    let out = kubectl::execute(&mut w, "apply -f -", Some(job), &NoFiles);
    assert_eq!(out.stdout, "job.batch/idx created\n", "{out:?}");
    w.run_for(120_000);
    let status = kubectl(&mut w, "get job idx -o jsonpath={.status.completedIndexes}/{.status.succeeded}").stdout;
    assert_eq!(status, "0-2/3");
    let names = kubectl(&mut w, "get pods -o name").stdout;
    for i in 0..3 {
        let prefix = format!("pod/idx-{i}-");
        let pod = names.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("{prefix} in {names}"));
        let logs = kubectl(&mut w, &format!("logs {}", &pod[4..])).stdout;
        assert_eq!(logs, format!("index {i} on idx-{i}\n"));
    }
    assert_eq!(names.lines().count(), 3, "one pod per index: {names}");
    let done = kubectl(&mut w, "wait --for=condition=Complete job/idx --timeout=1s");
    assert_eq!(done.stdout, "job.batch/idx condition met\n");
}

/// A `successPolicy` (the docs' "Job success policy" example, `success_policy.go`): the Job succeeds as
/// soon as its leader index 0 has, before the workers are done. It gets `SuccessCriteriaMet` with reason
/// `SuccessPolicy`, the workers still running are deleted, and `Complete` follows once they are gone.
#[test]
fn a_success_policy_ends_an_indexed_job_when_its_leader_succeeds() {
    let mut w = World::new(1);
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: leader\nspec:\n  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n  successPolicy:\n    rules:\n    - succeededIndexes: \"0\"\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: w\n        image: busybox\n        command: [\"sh\", \"-c\", \"if [ $JOB_COMPLETION_INDEX = 0 ]; then sleep 5; else sleep 600; fi\"]\n";
    let out = kubectl::execute(&mut w, "apply -f -", Some(job), &NoFiles);
    assert_eq!(out.stdout, "job.batch/leader created\n", "{out:?}");
    w.run_for(90_000);
    let reasons = kubectl(&mut w, "get job leader -o jsonpath={.status.conditions[*].reason}").stdout;
    assert_eq!(reasons, "SuccessPolicy SuccessPolicy", "SuccessCriteriaMet, then Complete");
    let indexes = kubectl(&mut w, "get job leader -o jsonpath={.status.completedIndexes}").stdout;
    assert_eq!(indexes, "0", "the workers never finished");
    let pods = kubectl(&mut w, "get pods --no-headers").stdout;
    assert_eq!(pods.lines().count(), 1, "the workers were deleted: {pods}");
}

/// Found by `tests/fuzz.rs` (`odd_fields_never_panic_the_cluster`, seeds 3, 4 and 6): a pod template
/// asking for `cpu: 18446744073709551615` (a bare number too big for an int64). The scheduler read it
/// as no request and placed the pods, the kubelet read it (saturated) and rejected them `OutOfcpu`,
/// and the DaemonSet, ReplicaSet and StatefulSet controllers replaced the failed pods at once (a
/// DaemonSet: about 100,000 messages in 20 virtual seconds), and every `kubectl describe pods` listed the thousands of events.
/// The scheduler and the kubelet read a quantity alike, as upstream's share `resource.Quantity`, so
/// the pods wait in Pending for a node with room (`Insufficient cpu`) and nothing loops.
#[test]
fn a_request_no_node_can_hold_stays_pending_instead_of_looping() {
    let pod_spec = r#"{"containers": [{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "echo hi; sleep 5"],
        "resources": {"requests": {"cpu": 18446744073709551615, "memory": "64Mi"}, "limits": {"memory": "128Mi"}}}]}"#;
    let template = format!(r#"{{"metadata": {{"labels": {{"app": "x"}}}}, "spec": {pod_spec}}}"#);
    let selector = r#""selector": {"matchLabels": {"app": "x"}}"#;
    for (manifest, pods) in [
        // One pod per worker (the control plane's NoSchedule taint is not tolerated).
        (
            format!(
                r#"{{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {{"name": "ds"}}, "spec": {{{selector}, "template": {template}}}}}"#
            ),
            3,
        ),
        // The input proptest shrank it to; before the fix, its ReplicaSet replaced rejected pods.
        (
            format!(
                r#"{{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {{"name": "d"}}, "spec": {{"replicas": 2, {selector}, "template": {template}}}}}"#
            ),
            2,
        ),
        // OrderedReady: s-1 waits for s-0 to be Ready.
        (
            format!(
                r#"{{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {{"name": "s"}}, "spec": {{"replicas": 2, "serviceName": "s", {selector}, "template": {template}}}}}"#
            ),
            1,
        ),
    ] {
        let mut w = World::new(3);
        let out = kubectl::execute(&mut w, "apply -f -", Some(&manifest), &NoFiles);
        assert!(out.stderr.is_empty(), "{out:?}");
        let before = w.k.trace.total_sent();
        w.run_for(60_000);
        let sent = w.k.trace.total_sent() - before;
        let lines = pod_lines(&mut w);
        assert_eq!(lines.len(), pods, "{lines:?}");
        assert!(lines.iter().all(|l| l.contains(" Pending ")), "{lines:?}");
        let events = kubectl(&mut w, "get events --no-headers").stdout;
        assert_eq!(events.matches("SuccessfulCreate").count(), pods, "each pod created once: {events}");
        assert!(events.contains("Insufficient cpu") && !events.contains("OutOfcpu"), "{events}");
        // A quiet cluster with a few pending pods: a few hundred messages a minute, not 300,000.
        assert!(sent < 2_000, "{sent} messages in 60 s");
    }
}

/// The kubelet admits a pod against its Node as it is now (its node informer, as upstream's
/// `getNodeAnyWay`): a label added with `kubectl label node` satisfies a `nodeSelector` on a pod
/// bound to that node by name (no scheduler involved), where the labels it registered with did not.
#[test]
fn the_kubelet_admits_against_the_nodes_current_labels() {
    let mut w = World::new(1);
    kubectl(&mut w, "label nodes sandbox-worker disktype=ssd");
    w.run_for(1_000);
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ssd\nspec:\n  nodeName: sandbox-worker\n  nodeSelector:\n    disktype: ssd\n  containers:\n  - name: c\n    image: nginx\n";
    let out = kubectl::execute(&mut w, "apply -f -", Some(pod), &NoFiles);
    assert!(out.stderr.is_empty(), "{out:?}");
    w.run_for(20_000);
    let status = kubectl(&mut w, "get pod ssd -o jsonpath={.status.phase}/{.status.reason}").stdout;
    assert_eq!(status, "Running/");
}
