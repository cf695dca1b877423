//! Whole-cluster scenarios for the controllers: apiserver, etcd, scheduler, kubelets and runtimes
//! all running, driven by kubectl as a learner would, each citing the behaviour it checks.

use crate::sim::kubectl::{self, NoFiles, Output};
use crate::sim::world::World;

fn k(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn apply(w: &mut World, yaml: &str) -> Output {
    kubectl::execute(w, "apply -f -", Some(yaml), &NoFiles)
}

fn deployment(image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: {image}\n"
    )
}

/// A template change rolls over to a new ReplicaSet (maxSurge 1 of 3 at 25%: one new pod first) and
/// the old one ends at 0 replicas; the Deployment reports NewReplicaSetAvailable.
#[test]
fn rolling_update_rolls_over_with_upstream_events() {
    let mut w = World::new(1);
    assert!(!apply(&mut w, &deployment("nginx:1.25")).failed);
    w.run_for(60_000);
    assert!(!apply(&mut w, &deployment("nginx:1.26")).failed);
    w.run_for(90_000);
    let rs = k(&mut w, "get rs --no-headers").stdout;
    let rows: Vec<Vec<&str>> = rs.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 2, "{rs}");
    assert!(rows.iter().any(|r| r[1] == "3" && r[3] == "3") && rows.iter().any(|r| r[1] == "0"), "{rs}");
    let describe = k(&mut w, "describe deployment web").stdout;
    assert!(describe.contains("Progressing    True    NewReplicaSetAvailable"), "{describe}");
    assert!(describe.contains(" from 0 to 1"), "the rollout starts with one surge pod: {describe}");
    assert!(describe.contains("Scaled down replica set"), "{describe}");
    let pods = k(&mut w, "get pods --no-headers").stdout;
    assert_eq!(pods.lines().filter(|l| l.contains("Running")).count(), 3, "{pods}");
}

/// Deleting a Deployment deletes its ReplicaSet and pods through the garbage collector.
#[test]
fn deleting_a_deployment_cascades() {
    let mut w = World::new(2);
    k(&mut w, "create deployment web --image=nginx --replicas=2");
    w.run_for(30_000);
    k(&mut w, "delete deployment web");
    w.run_for(60_000);
    assert_eq!(k(&mut w, "get rs,pods --no-headers").stdout.trim(), "");
}

/// A node whose kubelet stops is NotReady (Unknown) after node-monitor-grace-period (50 s) and tainted
/// unreachable:NoExecute; its pods, tolerating that for 300 s, are then evicted and replaced.
#[test]
fn a_lost_node_is_tainted_and_its_pods_evicted_after_300s() {
    let mut w = World::new(3);
    k(&mut w, "create deployment web --image=nginx --replicas=3");
    w.run_for(60_000);
    w.set_node_running("sandbox-worker", false).expect("the node exists");
    w.run_for(40_000);
    assert!(k(&mut w, "get node sandbox-worker --no-headers").stdout.contains(" Ready "), "not yet: 50 s grace");
    w.run_for(20_000);
    assert!(k(&mut w, "get node sandbox-worker --no-headers").stdout.contains("NotReady"));
    let node = k(&mut w, "get node sandbox-worker -o yaml").stdout;
    assert!(
        node.contains("node.kubernetes.io/unreachable") && node.contains("Kubelet stopped posting node status."),
        "{node}"
    );
    w.run_for(310_000);
    let events = k(&mut w, "get events").stdout;
    assert!(
        events.contains("TaintManagerEviction") && events.contains("Marking for deletion Pod default/web-"),
        "{events}"
    );
    let running = k(&mut w, "get pods -o wide --no-headers").stdout;
    let elsewhere = running.lines().filter(|l| l.contains("Running") && !l.contains("sandbox-worker ")).count();
    assert_eq!(elsewhere, 3, "replaced on the other nodes: {running}");
    w.set_node_running("sandbox-worker", true).expect("the node exists");
    w.run_for(30_000);
    assert!(!k(&mut w, "get node sandbox-worker -o yaml").stdout.contains("unreachable"), "taints removed on recovery");
}

/// backoffLimit 2: the third failed pod fails the Job (BackoffLimitExceeded); retries back off 10 s, 20 s.
#[test]
fn a_failing_job_stops_at_its_backoff_limit() {
    let mut w = World::new(4);
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: fail\nspec:\n  backoffLimit: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: f\n        image: busybox\n        command: [\"sh\", \"-c\", \"exit 1\"]\n";
    assert!(!apply(&mut w, job).failed);
    w.run_for(120_000);
    let pods = k(&mut w, "get pods --no-headers").stdout;
    assert_eq!(pods.lines().count(), 3, "{pods}");
    let d = k(&mut w, "describe job fail").stdout;
    assert!(d.contains("BackoffLimitExceeded") && d.contains("Job has reached the specified backoff limit"), "{d}");
    assert!(k(&mut w, "get job fail --no-headers").stdout.contains("Failed"));
}

/// OrderedReady: db-0, db-1, db-2 each start only after the previous one is Running and Ready, and
/// keep their names.
#[test]
fn statefulset_pods_start_in_order() {
    let mut w = World::new(5);
    let sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  replicas: 3\n  selector:\n    matchLabels:\n      app: db\n  template:\n    metadata:\n      labels:\n        app: db\n    spec:\n      containers:\n      - name: db\n        image: nginx\n";
    assert!(!apply(&mut w, sts).failed);
    w.run_for(90_000);
    let pods = k(&mut w, "get pods --no-headers").stdout;
    let names: Vec<&str> = pods.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(names, vec!["db-0", "db-1", "db-2"], "{pods}");
    let events = k(&mut w, "get events").stdout;
    assert!(!events.contains("delete Pod"), "no pod is replaced in a steady set: {events}");
}

/// Deleting a namespace removes its content, then the namespace (the `kubernetes` finalizer).
#[test]
fn deleting_a_namespace_removes_its_content_first() {
    let mut w = World::new(6);
    k(&mut w, "create namespace team");
    k(&mut w, "create deployment web --image=nginx --replicas=2 -n team");
    w.run_for(30_000);
    assert!(
        k(&mut w, "get sa default -n team --no-headers").stdout.starts_with("default"),
        "the service account controller made it"
    );
    k(&mut w, "delete namespace team");
    w.run_for(60_000);
    assert!(k(&mut w, "get ns team").failed);
    assert_eq!(k(&mut w, "get pods -n team --no-headers").stdout.trim(), "");
    assert!(k(&mut w, "get cm -A --no-headers").stdout.lines().all(|l| !l.starts_with("team ")), "its ConfigMaps too");
}
