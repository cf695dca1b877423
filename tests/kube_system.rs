//! Scenario tests of kube-system as kind boots it: the control plane's mirror pods follow the
//! simulated components (kubelet static pods, `pkg/kubelet/pod/mirror_client.go`), the kubelet makes a
//! deleted mirror again, DaemonSets reach nodes that join later, the apiserver's `kubernetes` Service
//! points at it, and the root-ca-cert-publisher keeps `kube-root-ca.crt` in every namespace.

use k8s_sandbox::sim::component::Component;
use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

/// READY and STATUS of one kube-system pod.
fn ready(w: &mut World, pod: &str) -> String {
    let out = kubectl(w, &format!("get pod {pod} -n kube-system --no-headers"));
    let f: Vec<&str> = out.stdout.split_whitespace().collect();
    format!("{} {}", f.get(1).unwrap_or(&"?"), f.get(2).unwrap_or(&"?"))
}

/// The first `n` columns of a one-row listing, single-spaced.
fn columns(out: &str, n: usize) -> String {
    out.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

fn uid(w: &mut World, pod: &str) -> String {
    kubectl(w, &format!("get pod {pod} -n kube-system -o jsonpath={{.metadata.uid}}")).stdout
}

#[test]
fn a_new_cluster_shows_kinds_kube_system() {
    let mut w = World::new(1);
    let pods = kubectl(&mut w, "get pods -n kube-system --no-headers").stdout;
    let names: Vec<&str> = pods.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(names.len(), 15, "4 static pods, 2 CoreDNS, kube-proxy and kindnet on 4 nodes, metrics-server: {pods}");
    // metrics-server's readiness probe waits 20 s (`initialDelaySeconds` of its components.yaml).
    let (ms, ready): (Vec<&str>, Vec<&str>) = pods.lines().partition(|l| l.starts_with("metrics-server-"));
    assert!(ready.iter().all(|l| l.contains(" 1/1 ") && l.contains(" Running ")), "{pods}");
    assert!(ms.len() == 1 && ms[0].contains(" 0/1 ") && ms[0].contains(" Running "), "{pods}");
    w.run_for(20_000);
    let later = kubectl(&mut w, "get pods -n kube-system -l k8s-app=metrics-server --no-headers").stdout;
    assert!(later.contains(" 1/1 "), "Ready by 32 s: {later}");
    let svc = kubectl(&mut w, "get svc metrics-server -n kube-system --no-headers").stdout;
    assert!(columns(&svc, 2) == "metrics-server ClusterIP" && svc.contains(" 443/TCP "), "{svc}");
    for name in ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] {
        assert!(names.contains(&format!("{name}-sandbox-control-plane").as_str()), "{name}: {pods}");
    }
    assert_eq!(names.iter().filter(|n| n.starts_with("kube-proxy-")).count(), 4);
    assert_eq!(names.iter().filter(|n| n.starts_with("kindnet-")).count(), 4);
    assert_eq!(names.iter().filter(|n| n.starts_with("coredns-")).count(), 2);
    let dns = kubectl(&mut w, "get svc kube-dns -n kube-system --no-headers").stdout;
    assert_eq!(columns(&dns, 5), "kube-dns ClusterIP 10.96.0.10 <none> 53/UDP,53/TCP,9153/TCP", "{dns}");
    let pcs = kubectl(&mut w, "get priorityclasses --no-headers").stdout;
    assert!(
        pcs.contains("system-node-critical      2000001000") && pcs.contains("system-cluster-critical   2000000000")
    );
    let mirror = kubectl(&mut w, "get pod kube-apiserver-sandbox-control-plane -n kube-system -o yaml").stdout;
    for want in [
        "kubernetes.io/config.mirror:",
        "kubernetes.io/config.source: file",
        "kind: Node",
        "priority: 2000001000",
        "podIP: 172.18.0.2",
    ] {
        assert!(mirror.contains(want), "{want}: {mirror}");
    }
}

/// The kube-apiserver's bootstrap controller: `kubernetes` at 10.96.0.1:443, and the endpoint
/// reconciler's EndpointSlice naming the apiserver's advertise address and port.
#[test]
fn the_kubernetes_service_points_at_the_apiserver() {
    let mut w = World::new(2);
    let svc = kubectl(&mut w, "get svc kubernetes --no-headers").stdout;
    assert_eq!(columns(&svc, 5), "kubernetes ClusterIP 10.96.0.1 <none> 443/TCP", "{svc}");
    let slice = kubectl(&mut w, "get endpointslice kubernetes --no-headers").stdout;
    assert_eq!(columns(&slice, 4), "kubernetes IPv4 6443 172.18.0.2", "{slice}");
    let ep = kubectl(&mut w, "get endpoints kubernetes --no-headers").stdout;
    assert_eq!(columns(&ep, 2), "kubernetes 172.18.0.2:6443", "{ep}");
}

/// Stopping the scheduler: its liveness probe fails 8 times (80 s), the kubelet restarts the
/// container and its startup probe holds it not ready; started again, it is ready at the next probe.
#[test]
fn the_scheduler_pod_follows_the_scheduler() {
    let mut w = World::new(3);
    let pod = "kube-scheduler-sandbox-control-plane";
    assert_eq!(ready(&mut w, pod), "1/1 Running");
    w.set_component_running(&Component::Scheduler, false).expect("the scheduler can be stopped");
    w.run_for(120_000);
    assert_eq!(ready(&mut w, pod), "0/1 Running", "not ready while stopped");
    let events = kubectl(&mut w, "get events -n kube-system --field-selector reason=Unhealthy --no-headers").stdout;
    assert!(events.contains("https://172.18.0.2:10259/healthz") && events.contains("connection refused"), "{events}");
    w.set_component_running(&Component::Scheduler, true).expect("and started");
    w.run_for(15_000);
    assert_eq!(ready(&mut w, pod), "1/1 Running", "ready again once its probe passes");
}

/// etcd's readiness probe runs every second: stopped, its pod is not ready within seconds, and the
/// kubelet's status write waits until the apiserver can store it again.
#[test]
fn the_etcd_pod_follows_etcd() {
    let mut w = World::new(4);
    let pod = "etcd-sandbox-control-plane";
    w.set_component_running(&Component::Etcd, false).expect("etcd can be stopped");
    w.run_for(5_000);
    w.set_component_running(&Component::Etcd, true).expect("and started");
    // The not-ready status was refused while etcd was down; the kubelet keeps trying.
    w.run_for(20_000);
    assert_eq!(ready(&mut w, pod), "1/1 Running");
}

/// A mirror pod deleted through the API is made again by the kubelet at once (with a new uid); the
/// static pod itself never stopped.
#[test]
fn a_deleted_mirror_pod_comes_back() {
    let mut w = World::new(5);
    let pod = "kube-controller-manager-sandbox-control-plane";
    let before = uid(&mut w, pod);
    let out = kubectl(&mut w, &format!("delete pod {pod} -n kube-system"));
    assert_eq!(out.stdout, format!("pod \"{pod}\" deleted\n"));
    let after = uid(&mut w, pod);
    assert!(!after.is_empty() && after != before, "a new mirror: {before} -> {after}");
    w.run_for(2_000);
    assert_eq!(ready(&mut w, pod), "1/1 Running");
    let restarts = kubectl(
        &mut w,
        &format!("get pod {pod} -n kube-system -o jsonpath={{.status.containerStatuses[0].restartCount}}"),
    );
    assert_eq!(restarts.stdout, "0", "the container was never touched");
}

/// The Priority admission plugin resolves a class the apiserver made at start, and refuses an
/// unknown one (`plugin/pkg/admission/priority`).
#[test]
fn pods_get_their_priority_from_the_system_classes() {
    let mut w = World::new(8);
    let pod = |class: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p-{class}\nspec:\n  priorityClassName: {class}\n  containers:\n  - name: c\n    image: nginx\n"
        )
    };
    let ok = kubectl::execute(&mut w, "apply -f -", Some(&pod("system-cluster-critical")), &NoFiles);
    assert_eq!(ok.stdout, "pod/p-system-cluster-critical created\n", "{ok:?}");
    let prio = kubectl(&mut w, "get pod p-system-cluster-critical -o jsonpath={.spec.priority}").stdout;
    assert_eq!(prio, "2000000000");
    let refused = kubectl::execute(&mut w, "apply -f -", Some(&pod("nope")), &NoFiles);
    assert_eq!(
        refused.stderr,
        "Error from server (Forbidden): error when creating \"STDIN\": pods \"p-nope\" is forbidden: no PriorityClass with name nope was found\n"
    );
}

/// The DaemonSet controller places kube-proxy and kindnet on a node that joins later.
#[test]
fn daemon_sets_reach_a_node_added_later() {
    let mut w = World::new(6);
    let node = w.add_node();
    w.run_for(20_000);
    let pods = kubectl(&mut w, "get pods -n kube-system -o wide --no-headers").stdout;
    let on_new: Vec<&str> =
        pods.lines().filter(|l| l.contains(&format!(" {node} "))).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(on_new.len(), 2, "{pods}");
    assert!(on_new.iter().any(|n| n.starts_with("kindnet-")) && on_new.iter().any(|n| n.starts_with("kube-proxy-")));
    assert!(pods.lines().filter(|l| l.contains(&format!(" {node} "))).all(|l| l.contains(" 1/1 ")), "{pods}");
    let ds = kubectl(&mut w, "get ds -n kube-system --no-headers").stdout;
    assert!(ds.lines().all(|l| l.split_whitespace().nth(1) == Some("5")), "5 desired: {ds}");
}

/// `pkg/controller/certificates/rootcacertpublisher`: a new namespace gets `kube-root-ca.crt`,
/// and a deleted one is published again.
#[test]
fn every_namespace_gets_the_root_ca() {
    let mut w = World::new(7);
    let all = kubectl(&mut w, "get cm -A --no-headers").stdout;
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        assert!(all.lines().any(|l| l.starts_with(ns) && l.contains("kube-root-ca.crt")), "{ns}: {all}");
    }
    kubectl(&mut w, "create namespace team");
    w.run_for(1_000);
    let ca = kubectl(&mut w, "get cm kube-root-ca.crt -n team -o yaml").stdout;
    assert!(ca.contains("ca.crt: |-\n    -----BEGIN CERTIFICATE-----"), "{ca}");
    assert!(ca.contains("kubernetes.io/description: Contains a CA bundle"), "{ca}");
    let out = kubectl(&mut w, "delete cm kube-root-ca.crt -n team");
    assert_eq!(out.stdout, "configmap \"kube-root-ca.crt\" deleted\n");
    w.run_for(1_000);
    assert!(kubectl(&mut w, "get cm kube-root-ca.crt -n team --no-headers").stdout.starts_with("kube-root-ca.crt"));
}

/// kind's default StorageClass and the DefaultStorageClass admission plugin
/// (`plugin/pkg/admission/storage/storageclass/setdefault`): a claim without `storageClassName` gets
/// `standard`; `storageClassName: ""` keeps no class (and so binds only to class-less volumes).
#[test]
fn claims_without_a_class_get_kinds_default_standard() {
    let mut w = World::new(1);
    let sc = kubectl::execute(&mut w, "get sc", None, &NoFiles).stdout;
    assert!(sc.starts_with("NAME                 PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE"), "{sc}");
    assert!(sc.contains("standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer"), "{sc}");
    let claim = |name: &str, class: &str| {
        format!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n  {class}accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n"
        )
    };
    for (name, class) in [("plain", ""), ("none", "storageClassName: \"\"\n  ")] {
        let out = kubectl::execute(&mut w, "apply -f -", Some(&claim(name, class)), &NoFiles);
        assert!(out.stderr.is_empty(), "{out:?}");
    }
    let get = |w: &mut World, name: &str| {
        kubectl::execute(w, &format!("get pvc {name} -o jsonpath={{.spec.storageClassName}}"), None, &NoFiles).stdout
    };
    assert_eq!(get(&mut w, "plain"), "standard");
    assert_eq!(get(&mut w, "none"), "");
    w.run_for(5_000);
    let events = kubectl::execute(&mut w, "describe pvc plain", None, &NoFiles).stdout;
    assert!(events.contains("waiting for first consumer to be created before binding"), "{events}");
}
