//! Scenario tests of data in volumes: what containers write lives on the node's disk, in an emptyDir
//! for the pod's life, in a hostPath or a PersistentVolume's directory for the node's. Each cites
//! the Kubernetes behaviour it checks.

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::node::host::{empty_dir, machine_id};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn ok(w: &mut World, line: &str) -> String {
    let out = kubectl(w, line);
    assert!(!out.failed, "{line}: {out:?}");
    out.stdout
}

fn apply(w: &mut World, yaml: &str) {
    let out = kubectl::execute(w, "apply -f -", Some(yaml), &NoFiles);
    assert!(!out.failed, "{out:?}");
}

fn jsonpath(w: &mut World, what: &str, path: &str) -> String {
    ok(w, &format!("get {what} -o jsonpath={{{path}}}"))
}

/// The docs' "Configure a Pod to Use a PersistentVolume for Storage": a hostPath PV and a claim of
/// class `manual`, bound by the PV controller, mounted by a Deployment pinned to one node.
const PV_AND_CLAIM: &str = "apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /mnt/data
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 3Gi
";

const WRITER: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: store
spec:
  replicas: 1
  selector:
    matchLabels: {app: store}
  template:
    metadata:
      labels: {app: store}
    spec:
      nodeSelector:
        kubernetes.io/hostname: sandbox-worker
      containers:
      - name: app
        image: busybox:1.37
        command: [sh, -c, 'hostname >> /data/visits; sleep 3600']
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: task-pv-claim
";

fn store_pod(w: &mut World) -> String {
    jsonpath(w, "pods -l app=store --field-selector=status.phase=Running", ".items[0].metadata.name")
}

/// A PersistentVolume outlives the pods that mount it: a file written by one pod (its start-up
/// script, and `kubectl exec`) is there for the next pod that mounts the same claim on that node,
/// here after `kubectl rollout restart` replaced the Deployment's pod.
#[test]
fn a_claim_keeps_its_files_across_pods() {
    let mut w = World::new(3);
    apply(&mut w, PV_AND_CLAIM);
    w.run_for(5_000);
    assert_eq!(jsonpath(&mut w, "pvc task-pv-claim", ".status.phase"), "Bound");
    apply(&mut w, WRITER);
    w.run_for(30_000);
    let first = store_pod(&mut w);
    assert!(!first.is_empty(), "{}", ok(&mut w, "get pods"));
    ok(&mut w, &format!("exec {first} -- sh -c 'echo hello > /data/greeting'"));
    assert_eq!(ok(&mut w, &format!("exec {first} -- cat /data/greeting")), "hello\n");

    ok(&mut w, "rollout restart deployment store");
    w.run_for(60_000);
    let second = store_pod(&mut w);
    assert_ne!(first, second, "the rollout replaced the pod");
    assert_eq!(ok(&mut w, &format!("exec {second} -- cat /data/greeting")), "hello\n");
    assert_eq!(ok(&mut w, &format!("exec {second} -- cat /data/visits")), format!("{first}\n{second}\n"));
    assert_eq!(ok(&mut w, &format!("exec {second} -- ls /data")), "greeting\nvisits\n");
    assert_eq!(ok(&mut w, &format!("exec {second} -- wc -l /data/visits")), "2 /data/visits\n");
}

/// The kubelet mounts volumes before it starts containers: a pod whose claim does not exist (placed
/// with `nodeName`, past the scheduler, which would wait for the claim) waits in ContainerCreating
/// with the volume manager's words, and starts once the claim is bound
/// (`desired_state_of_world_populator.go` `getPVCExtractPV`, `volume_manager.go`
/// `WaitForAttachAndMount`).
#[test]
fn a_pod_waits_for_its_claim() {
    let mut w = World::new(4);
    apply(
        &mut w,
        "apiVersion: v1
kind: Pod
metadata:
  name: waiter
spec:
  nodeName: sandbox-worker
  containers:
  - name: app
    image: busybox:1.37
    command: [sleep, '3600']
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: task-pv-claim
",
    );
    w.run_for(20_000);
    assert!(ok(&mut w, "get pod waiter").contains("ContainerCreating"));
    let events = ok(&mut w, "describe pod waiter");
    assert!(
        events.contains("FailedMount") && events.contains("persistentvolumeclaims \"task-pv-claim\" not found"),
        "{events}"
    );
    assert!(
        events.contains("unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/task-pv-claim"),
        "{events}"
    );
    apply(&mut w, PV_AND_CLAIM);
    w.run_for(150_000);
    assert_eq!(jsonpath(&mut w, "pod waiter", ".status.phase"), "Running");
}

/// An emptyDir is created when the pod is set up on the node, shared by its containers (the init
/// container's file is what the app container reads) and removed when the pod is deleted.
#[test]
fn an_empty_dir_is_shared_by_the_pods_containers_and_goes_with_it() {
    let mut w = World::new(5);
    apply(
        &mut w,
        "apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  initContainers:
  - name: prepare
    image: busybox:1.37
    command: [sh, -c, 'echo ready > /work/state; date > /work/when']
    volumeMounts:
    - {name: work, mountPath: /work}
  containers:
  - name: app
    image: busybox:1.37
    command: [sh, -c, 'cat /work/state; sleep 3600']
    volumeMounts:
    - {name: work, mountPath: /work}
  volumes:
  - name: work
    emptyDir: {}
",
    );
    w.run_for(30_000);
    assert_eq!(ok(&mut w, "logs shared -c app"), "ready\n");
    assert_eq!(ok(&mut w, "exec shared -c app -- ls /work"), "state\nwhen\n");
    let node = jsonpath(&mut w, "pod shared", ".spec.nodeName");
    let uid = jsonpath(&mut w, "pod shared", ".metadata.uid");
    let dir = empty_dir(&uid, "work");
    let now = w.now();
    assert_eq!(w.nodes[&node].kubelet.host.borrow().fs.read(&format!("{dir}/state"), now).as_deref(), Some("ready\n"));
    ok(&mut w, "delete pod shared");
    w.run_for(40_000);
    let now = w.now();
    assert!(!w.nodes[&node].kubelet.host.borrow().fs.is_dir(&dir, now), "the emptyDir went with its pod");
}

/// A hostPath volume is the node's own directory: a DaemonSet's init container reads the node's
/// `/etc/machine-id` (a stable id per node) and every pod starts; a `type: Directory` path that is
/// not there fails the mount with the hostPath plugin's words (`host_path.go` `checkType`).
#[test]
fn host_path_sees_the_nodes_files() {
    let mut w = World::new(6);
    apply(
        &mut w,
        "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-id
spec:
  selector:
    matchLabels: {app: node-id}
  template:
    metadata:
      labels: {app: node-id}
    spec:
      initContainers:
      - name: read-id
        image: busybox:1.37
        command: [sh, -c, 'set -e; test -s /host/etc/machine-id; cat /host/etc/machine-id']
        volumeMounts:
        - {name: etc, mountPath: /host/etc, readOnly: true}
      containers:
      - name: app
        image: busybox:1.37
        command: [sleep, '3600']
      volumes:
      - name: etc
        hostPath:
          path: /etc
          type: Directory
",
    );
    w.run_for(40_000);
    let names = ok(&mut w, "get pods -l app=node-id -o jsonpath={.items[*].metadata.name}");
    let names: Vec<&str> = names.split_whitespace().collect();
    assert_eq!(names.len(), 3, "one per worker");
    for pod in names {
        assert_eq!(jsonpath(&mut w, &format!("pod {pod}"), ".status.phase"), "Running");
        let node = jsonpath(&mut w, &format!("pod {pod}"), ".spec.nodeName");
        assert_eq!(ok(&mut w, &format!("logs {pod} -c read-id")), format!("{}\n", machine_id(&node)));
    }
    apply(
        &mut w,
        "apiVersion: v1
kind: Pod
metadata:
  name: missing-dir
spec:
  containers:
  - name: app
    image: busybox:1.37
    command: [sleep, '3600']
    volumeMounts:
    - {name: v, mountPath: /v}
  volumes:
  - name: v
    hostPath:
      path: /srv/nothing-here
      type: Directory
",
    );
    w.run_for(10_000);
    let events = ok(&mut w, "describe pod missing-dir");
    assert!(
        events.contains(
            "MountVolume.SetUp failed for volume \"v\" : hostPath type check failed: /srv/nothing-here is not a directory"
        ),
        "{events}"
    );
}

/// `kubectl exec` writes land on the node's disk under a mount (and in the container's own layer
/// elsewhere), so the next exec reads them; a read-only mount refuses the write.
#[test]
fn exec_writes_and_reads_back() {
    let mut w = World::new(7);
    apply(
        &mut w,
        "apiVersion: v1
kind: Pod
metadata:
  name: box
spec:
  containers:
  - name: app
    image: busybox:1.37
    command: [sleep, '3600']
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: conf, mountPath: /conf, readOnly: true}
  volumes:
  - name: data
    emptyDir: {}
  - name: conf
    emptyDir: {}
",
    );
    w.run_for(20_000);
    ok(&mut w, "exec box -- sh -c 'echo hi > /data/f'");
    ok(&mut w, "exec box -- sh -c 'echo there >> /data/f'");
    assert_eq!(ok(&mut w, "exec box -- cat /data/f"), "hi\nthere\n");
    assert_eq!(ok(&mut w, "exec box -- grep -c h /data/f"), "2\n");
    ok(&mut w, "exec box -- sh -c 'echo mine > /tmp/own'");
    assert_eq!(ok(&mut w, "exec box -- cat /tmp/own"), "mine\n");
    ok(&mut w, "exec box -- rm /data/f");
    let gone = kubectl(&mut w, "exec box -- cat /data/f");
    assert!(gone.failed && gone.stdout.contains("can't open '/data/f': No such file or directory"), "{gone:?}");
    let ro = kubectl(&mut w, "exec box -- sh -c 'echo x > /conf/y'");
    assert!(ro.stdout.contains("can't create /conf/y: Read-only file system"), "{ro:?}");
}

/// A ConfigMap volume shows the object's current data once the kubelet has re-read it (its sync
/// period, 1 min); a `subPath` mount keeps the content it started with, as upstream.
#[test]
fn config_map_volumes_follow_their_object() {
    let mut w = World::new(8);
    ok(&mut w, "create configmap cfg --from-literal=mode=v1");
    apply(
        &mut w,
        "apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  containers:
  - name: app
    image: busybox:1.37
    command: [sleep, '3600']
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: cfg, mountPath: /etc/mode, subPath: mode}
  volumes:
  - name: cfg
    configMap:
      name: cfg
",
    );
    w.run_for(20_000);
    assert_eq!(ok(&mut w, "exec reader -- cat /etc/cfg/mode"), "v1\n");
    ok(&mut w, "patch configmap cfg -p '{\"data\":{\"mode\":\"v2\"}}'");
    w.run_for(1_000);
    assert_eq!(ok(&mut w, "exec reader -- cat /etc/cfg/mode"), "v1\n", "not before the kubelet re-reads it");
    w.run_for(61_000);
    assert_eq!(ok(&mut w, "exec reader -- cat /etc/cfg/mode"), "v2\n");
    assert_eq!(ok(&mut w, "exec reader -- cat /etc/mode"), "v1\n", "a subPath mount is not updated");
}

/// A sidecar (an init container with `restartPolicy: Always`) starts before the main container, so
/// the main container's loop sees the file the sidecar writes five seconds in, at that moment.
#[test]
fn a_main_container_waits_for_its_sidecars_file() {
    let mut w = World::new(9);
    apply(
        &mut w,
        "apiVersion: v1
kind: Pod
metadata:
  name: pair
spec:
  initContainers:
  - name: producer
    image: busybox:1.37
    restartPolicy: Always
    command: [sh, -c, 'sleep 5; echo go > /shared/ready; sleep 3600']
    volumeMounts:
    - {name: shared, mountPath: /shared}
  containers:
  - name: consumer
    image: busybox:1.37
    command: [sh, -c, 'until [ -f /shared/ready ]; do echo waiting; sleep 2; done; cat /shared/ready; sleep 3600']
    volumeMounts:
    - {name: shared, mountPath: /shared}
  volumes:
  - name: shared
    emptyDir: {}
",
    );
    w.run_for(30_000);
    let logs = ok(&mut w, "logs pair -c consumer");
    assert!(logs.starts_with("waiting\n") && logs.ends_with("waiting\ngo\n"), "{logs}");
    assert!(logs.matches("waiting").count() <= 3, "{logs}");
}

/// A `while true` loop that appends to a file under a mount writes every period for as long as
/// the container runs: `kubectl exec` reads the lines written so far, each with its own counter.
#[test]
fn a_loop_appends_to_a_shared_log() {
    let mut w = World::new(10);
    apply(
        &mut w,
        "apiVersion: v1
kind: Pod
metadata:
  name: logger
spec:
  containers:
  - name: writer
    image: busybox:1.37
    command: [sh, -c, 'i=0; while true; do echo \"line $i\" >> /var/log/app/out.log; i=$((i+1)); sleep 5; done']
    volumeMounts:
    - {name: logs, mountPath: /var/log/app}
  - name: reader
    image: busybox:1.37
    command: [sleep, '3600']
    volumeMounts:
    - {name: logs, mountPath: /logs}
  volumes:
  - name: logs
    emptyDir: {}
",
    );
    w.run_for(15_000);
    let first = ok(&mut w, "exec logger -c reader -- cat /logs/out.log");
    assert!(first.starts_with("line 0\nline 1\n"), "{first}");
    w.run_for(20_000);
    let later = ok(&mut w, "exec logger -c reader -- wc -l /logs/out.log");
    let before = first.lines().count();
    assert_eq!(later, format!("{} /logs/out.log\n", before + 4), "four more periods of 5 s");
    assert_eq!(ok(&mut w, "exec logger -c reader -- tail -n 1 /logs/out.log"), format!("line {}\n", before + 3));
}

/// What `kubectl exec` does to a container's own files stays in its layer until the container is
/// replaced: the docs' exec liveness probe (`cat /tmp/healthy`) fails once an exec removed the
/// file, and the kubelet restarts the container, whose new layer has the file again.
#[test]
fn an_exec_probe_sees_what_exec_removed() {
    let mut w = World::new(11);
    apply(
        &mut w,
        "apiVersion: v1
kind: Pod
metadata:
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox
    args: [/bin/sh, -c, 'touch /tmp/healthy; sleep 3600']
    livenessProbe:
      exec:
        command: [cat, /tmp/healthy]
      initialDelaySeconds: 5
      periodSeconds: 5
",
    );
    w.run_for(30_000);
    assert_eq!(jsonpath(&mut w, "pod liveness-exec", ".status.containerStatuses[0].restartCount"), "0");
    ok(&mut w, "exec liveness-exec -- rm /tmp/healthy");
    w.run_for(60_000);
    assert_eq!(jsonpath(&mut w, "pod liveness-exec", ".status.containerStatuses[0].restartCount"), "1");
    let events = ok(&mut w, "describe pod liveness-exec");
    assert!(events.contains("cat: can't open '/tmp/healthy': No such file or directory"), "{events}");
    assert_eq!(ok(&mut w, "exec liveness-exec -- ls /tmp"), "healthy\n", "the new container's own layer");
}
