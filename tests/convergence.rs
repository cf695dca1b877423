//! Fault schedules after which every component's cache equals the apiserver's state again: each one
//! recovers through the client library's reflector (back off, re-list, replace the cache), as client-go
//! components do. `World::stale_caches` compares every running reflector with the apiserver.

use k8s_sandbox::sim::component::Component;
use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::network::LinkState;
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

/// A cluster with a Deployment and a Service, settled: every cache already agrees.
fn settled() -> World {
    let mut w = World::new(5);
    kubectl(&mut w, "create deployment web --image=nginx --replicas=3");
    kubectl(&mut w, "expose deployment web --port=80");
    w.run_for(60_000);
    assert_eq!(w.stale_caches(), Vec::<String>::new(), "before any fault");
    w
}

fn running_pods(w: &mut World) -> usize {
    kubectl(w, "get pods --no-headers").stdout.lines().filter(|l| l.contains(" Running ")).count()
}

#[test]
fn after_the_apiserver_is_down_for_30_seconds() {
    let mut w = settled();
    w.set_component_running(&Component::ApiServer, false).expect("the apiserver can stop");
    w.run_for(30_000);
    assert!(!w.stale_caches().is_empty(), "while it is down, no reflector is watching");
    w.set_component_running(&Component::ApiServer, true).expect("the apiserver can start");
    // The longest backoff after 30 s of failures is under 30 s (plus jitter): a minute is enough.
    w.run_for(60_000);
    assert_eq!(w.stale_caches(), Vec::<String>::new());
    kubectl(&mut w, "scale deployment web --replicas=5");
    w.run_for(60_000);
    assert_eq!(running_pods(&mut w), 5, "the recovered components act on new changes");
    assert_eq!(w.stale_caches(), Vec::<String>::new());
}

#[test]
fn after_a_kubelet_is_partitioned_while_its_pods_change() {
    let mut w = settled();
    let node = Component::Kubelet("sandbox-worker".into());
    w.set_link(&node, &Component::ApiServer, LinkState::Partitioned);
    // Changes the partitioned kubelet cannot hear about: its pods are deleted and replaced.
    kubectl(&mut w, "delete pods --all --wait=false");
    w.run_for(45_000);
    assert!(w.stale_caches().iter().any(|s| s.starts_with("kubelet/sandbox-worker ")), "{:?}", w.stale_caches());
    w.set_link(&node, &Component::ApiServer, LinkState::Healthy);
    w.run_for(120_000);
    assert_eq!(w.stale_caches(), Vec::<String>::new());
}

#[test]
fn after_a_partition_shorter_than_the_health_check() {
    // Lost while partitioned for 5 s, between two health checks: the connection died with the
    // partition, so the next check re-lists even though the link is healthy again by then.
    let mut w = settled();
    let proxy = Component::KubeProxy("sandbox-worker2".into());
    w.set_link(&proxy, &Component::ApiServer, LinkState::Partitioned);
    kubectl(&mut w, "create service clusterip other --tcp=80");
    w.run_for(5_000);
    w.set_link(&proxy, &Component::ApiServer, LinkState::Healthy);
    assert!(
        w.stale_caches().iter().any(|s| s.starts_with("kube-proxy/sandbox-worker2 services")),
        "{:?}",
        w.stale_caches()
    );
    w.run_for(60_000);
    assert_eq!(w.stale_caches(), Vec::<String>::new());
}

#[test]
fn after_an_hour_of_watch_timeouts_resumes_and_etcd_compactions() {
    // Every watch asks to be closed after 5 to 10 minutes and resumes from its last resourceVersion,
    // while the apiserver compacts etcd every 5 minutes; after an hour of that, with changes in
    // between, nothing has drifted.
    let mut w = settled();
    for replicas in [4, 2, 6, 3] {
        kubectl(&mut w, &format!("scale deployment web --replicas={replicas}"));
        w.run_for(15 * 60_000);
    }
    assert_eq!(running_pods(&mut w), 3);
    assert_eq!(w.stale_caches(), Vec::<String>::new());
}

#[test]
fn a_restarted_apiserver_keeps_compacting_etcd_once_per_interval() {
    use k8s_sandbox::sim::apiserver::COMPACTION_INTERVAL_MS;
    let mut w = settled();
    let compactions = |w: &World| w.k.trace.entries().iter().filter(|e| e.summary.starts_with("compact ")).count();
    // Down across the first compaction tick (its timer fires while stopped and is lost), then up.
    w.set_component_running(&Component::ApiServer, false).expect("the apiserver can stop");
    w.run_for(COMPACTION_INTERVAL_MS);
    w.set_component_running(&Component::ApiServer, true).expect("the apiserver can start");
    let before = compactions(&w);
    w.run_for(3 * COMPACTION_INTERVAL_MS + 1_000);
    // Ticks at 1, 2 and 3 intervals after the restart: the first only notes the revision to compact
    // to next time (the compactor compacts to what it saw one round before), the other two compact.
    assert_eq!(compactions(&w) - before, 2, "one compaction per interval, not lost and not doubled");
    assert!(w.etcd.store.compacted_revision() > 0);
}
