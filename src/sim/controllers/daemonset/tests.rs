//! DaemonSet scenarios: node eligibility, automatic tolerations, rolling updates.

use super::*;
use crate::sim::controllers::testutil::*;

fn ds() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"namespace": "kube-system", "name": "agent", "uid": "uid-agent", "generation": 1},
        "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template("agent", "agent:1")}
    })
}

fn tainted(name: &str, key: &str, effect: &str) -> Value {
    let mut n = node(name);
    n["spec"]["taints"] = json!([{"key": key, "effect": effect}]);
    n
}

#[test]
fn one_pod_per_eligible_node_pinned_by_affinity_with_automatic_tolerations() {
    let mut inf = Informers::default();
    inf.insert(ds());
    inf.insert(node("w1"));
    inf.insert(node("w2"));
    inf.insert(tainted("cp", "node-role.kubernetes.io/control-plane", "NoSchedule"));
    inf.insert(tainted("down", "node.kubernetes.io/unreachable", "NoExecute"));
    let (out, n) = sync_ds(&inf, &ds(), 0, true, &mut Backoff::default());
    let pods = creates(&out, "Pod");
    assert_eq!(n, 3);
    let targets: Vec<String> = pods.iter().map(pod_node).collect();
    assert_eq!(
        targets,
        vec!["down", "w1", "w2"],
        "the control plane's NoSchedule taint is not tolerated; unreachable is"
    );
    let p = &pods[0];
    assert!(p["spec"].get("nodeName").is_none(), "the scheduler binds daemon pods");
    let tol_keys: Vec<&str> =
        p["spec"]["tolerations"].as_array().expect("tolerations").iter().map(|t| str_at(t, "/key")).collect();
    for k in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
        "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/pid-pressure",
        "node.kubernetes.io/unschedulable",
    ] {
        assert!(tol_keys.contains(&k), "{k} in {tol_keys:?}");
    }
    assert!(!tol_keys.contains(&"node.kubernetes.io/network-unavailable"), "only host-network pods get that one");
    assert_eq!(p["metadata"]["generateName"], "agent-");
    let st = &status_updates(&out, "DaemonSet")[0]["status"];
    assert_eq!(st["desiredNumberScheduled"], 3);
    assert_eq!(st["currentNumberScheduled"], 0);
}

#[test]
fn node_selector_limits_nodes_and_misscheduled_pods_are_deleted() {
    let mut d = ds();
    d["spec"]["template"]["spec"]["nodeSelector"] = json!({"disk": "ssd"});
    let mut inf = Informers::default();
    inf.insert(d.clone());
    let mut ssd = node("ssd1");
    ssd["metadata"]["labels"]["disk"] = json!("ssd");
    inf.insert(ssd);
    inf.insert(node("hdd1"));
    let mut stray = pod_of(&d, "agent-x", "hdd1", "Running", Some(0));
    stray["metadata"]["labels"]["controller-revision-hash"] = json!(revision_hash(&d));
    inf.insert(stray);
    let (out, _) = sync_ds(&inf, &d, 0, true, &mut Backoff::default());
    assert_eq!(creates(&out, "Pod").iter().map(pod_node).collect::<Vec<_>>(), vec!["ssd1"]);
    assert_eq!(deletes(&out, "Pod"), vec!["agent-x"]);
    assert_eq!(status_updates(&out, "DaemonSet")[0]["status"]["numberMisscheduled"], 1);
}

#[test]
fn a_noschedule_taint_keeps_running_pods_but_noexecute_evicts() {
    let d = ds();
    let mut inf = Informers::default();
    inf.insert(d.clone());
    inf.insert(tainted("w1", "dedicated", "NoSchedule"));
    inf.insert(tainted("w2", "dedicated", "NoExecute"));
    for (p, n) in [("a1", "w1"), ("a2", "w2")] {
        let mut pod = pod_of(&d, p, n, "Running", Some(0));
        pod["metadata"]["labels"]["controller-revision-hash"] = json!(revision_hash(&d));
        inf.insert(pod);
    }
    let (out, n) = sync_ds(&inf, &d, 0, true, &mut Backoff::default());
    assert_eq!(n, 0);
    assert_eq!(deletes(&out, "Pod"), vec!["a2"]);
}

#[test]
fn rolling_update_replaces_one_old_pod_at_a_time() {
    let d = ds();
    let mut inf = Informers::default();
    inf.insert(node("w1"));
    inf.insert(node("w2"));
    for (p, n) in [("a1", "w1"), ("a2", "w2")] {
        let mut pod = pod_of(&d, p, n, "Running", Some(0));
        pod["metadata"]["labels"]["controller-revision-hash"] = json!("old");
        inf.insert(pod);
    }
    inf.insert(d.clone());
    let (out, _) = sync_ds(&inf, &d, 0, true, &mut Backoff::default());
    assert_eq!(deletes(&out, "Pod"), vec!["a1"], "maxUnavailable 1");
}

#[test]
fn expectations_block_duplicate_creates() {
    let mut inf = Informers::default();
    inf.insert(ds());
    inf.insert(node("w1"));
    let mut c = DaemonSetController::default();
    let k = ("kube-system".to_string(), "agent".to_string());
    assert_eq!(creates(&c.reconcile(&k, &inf, 0, &mut Rng::new(1)), "Pod").len(), 1);
    assert!(creates(&c.reconcile(&k, &inf, 1, &mut Rng::new(1)), "Pod").is_empty());
}

#[test]
fn node_heartbeats_do_not_wake_daemonsets() {
    let mut inf = Informers::default();
    inf.insert(ds());
    inf.insert(node("w1"));
    let mut c = DaemonSetController::default();
    let mut beat = node("w1");
    beat["status"]["conditions"][0]["lastHeartbeatTime"] = json!("2025-01-01T00:00:10Z");
    let modified = crate::sim::apiserver::request::EventType::Modified;
    let ch = inf.apply(rt("nodes"), modified, beat.clone().into()).expect("change");
    assert!(c.keys_for(&ch, &inf).is_empty());
    beat["metadata"]["labels"]["disk"] = json!("ssd");
    let ch = inf.apply(rt("nodes"), modified, beat.into()).expect("change");
    assert_eq!(c.keys_for(&ch, &inf), vec![("kube-system".to_string(), "agent".to_string())]);
}

/// `podsShouldBeOnNode`: a failed daemon pod is deleted (with a `FailedDaemonPod` warning) at most once
/// per back-off delay, 1 s doubling; in between it keeps the node's slot (no second pod is created)
/// and the DaemonSet is requeued after the delay.
#[test]
fn failed_pods_are_deleted_behind_a_doubling_backoff() {
    let d = ds();
    let mut inf = Informers::default();
    inf.insert(d.clone());
    inf.insert(node("w1"));
    let mut backoff = Backoff::new(FAILED_POD_BACKOFF_MS.0, FAILED_POD_BACKOFF_MS.1);
    let mut deleted_at = Vec::new();
    // The kubelet rejects every replacement at once: each sync finds a failed pod on w1, the same one
    // until it is deleted, then its replacement.
    let mut failed = pod_of(&d, "agent-0", "w1", "Failed", None);
    inf.insert(failed.clone());
    for now in [0, 10, 500, 1_000, 1_500, 3_000, 6_999, 7_000] {
        let (out, n) = sync_ds(&inf, &d, now, true, &mut backoff);
        assert_eq!(n, 0, "at {now}: the failed pod holds w1's slot until its deletion is seen");
        if deletes(&out, "Pod").is_empty() {
            let requeue = out.iter().find_map(|a| match a {
                Action::Requeue { after, .. } => Some(*after),
                _ => None,
            });
            assert_eq!(requeue, Some(backoff.get(&failed_pods_backoff_key(&d, "w1"))), "at {now}");
            continue;
        }
        deleted_at.push(now);
        let warning = events(&out).into_iter().find(|(reason, _)| reason == "FailedDaemonPod");
        let name = objects::name(&failed).to_string();
        assert_eq!(
            warning.map(|(_, m)| m),
            Some(format!("Found failed daemon pod kube-system/{name} on node w1, will try to kill it"))
        );
        inf.remove(failed);
        failed = pod_of(&d, &format!("agent-{}", deleted_at.len()), "w1", "Failed", None);
        inf.insert(failed.clone());
    }
    assert_eq!(deleted_at, vec![0, 1_000, 3_000, 7_000], "delays of 1 s, 2 s, 4 s");
}
