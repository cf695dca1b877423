//! Scenario tests for the ReplicaSet controller: hand-filled informers, one sync, the actions it asks for.

use serde_json::json;

use super::*;
use crate::sim::apiserver::request::EventType;
use crate::sim::apiserver::status::Status;
use crate::sim::controllers::testutil::*;

fn key(n: &str) -> ObjectKey {
    ("default".into(), n.into())
}

fn sync(c: &mut ReplicaSetController, inf: &Informers, name: &str, now: Millis) -> Vec<Action> {
    c.reconcile(&key(name), inf, now, &mut Rng::new(1))
}

#[test]
fn creates_missing_pods_with_generate_name_and_controller_ref() {
    // manageReplicas: diff < 0 creates pods from the template, owned by the RS (controller + blockOwnerDeletion).
    let mut inf = Informers::default();
    let rs = replicaset("web-5d4f8c9b7", 3, "web");
    inf.insert(rs.clone());
    let mut c = ReplicaSetController::default();
    let out = sync(&mut c, &inf, "web-5d4f8c9b7", 0);
    let pods = creates(&out, "Pod");
    assert_eq!(pods.len(), 3);
    for p in &pods {
        assert_eq!(p["metadata"]["generateName"], "web-5d4f8c9b7-");
        assert_eq!(p["metadata"]["labels"]["app"], "web");
        assert_eq!(p["metadata"]["ownerReferences"][0]["uid"], "uid-web-5d4f8c9b7");
        assert_eq!(p["metadata"]["ownerReferences"][0]["controller"], true);
        assert_eq!(p["metadata"]["ownerReferences"][0]["blockOwnerDeletion"], true);
    }
    // Expectations: a second sync before the informer saw the pods creates nothing more.
    let again = sync(&mut c, &inf, "web-5d4f8c9b7", 10);
    assert!(creates(&again, "Pod").is_empty(), "expectations block a duplicate create");
}

#[test]
fn expectations_are_lowered_by_observed_pods_and_failed_creates() {
    let mut inf = Informers::default();
    let rs = replicaset("rs", 2, "web");
    inf.insert(rs.clone());
    let mut c = ReplicaSetController::default();
    assert_eq!(creates(&sync(&mut c, &inf, "rs", 0), "Pod").len(), 2);
    // One pod shows up in the informer, the other create failed (quota): both lower expectations.
    let p = pod_of(&rs, "rs-aaaaa", "", "Pending", None);
    let ch = inf.insert(p).expect("a change");
    assert_eq!(c.keys_for(&ch, &inf), vec![key("rs")]);
    let create = Action::Create { resource: rt("pods"), namespace: Some("default".into()), object: json!({}) };
    let status = Status::forbidden(rt("pods"), "rs-x", "exceeded quota: q");
    let ev = c.on_result(&key("rs"), &create, Outcome::Failed(&status), &inf, 5);
    assert_eq!(events(&ev), vec![("FailedCreate".into(), format!("Error creating: {}", status.message))]);
    let out = sync(&mut c, &inf, "rs", 20);
    assert_eq!(creates(&out, "Pod").len(), 1, "retries the failed pod");
    let st = &status_updates(&out, "ReplicaSet")[0]["status"];
    assert_eq!(st["conditions"][0]["type"], "ReplicaFailure");
    assert_eq!(st["conditions"][0]["reason"], "FailedCreate");
}

#[test]
fn successful_create_event_names_the_generated_pod() {
    let mut inf = Informers::default();
    inf.insert(replicaset("rs", 1, "web"));
    let mut c = ReplicaSetController::default();
    let create = Action::Create { resource: rt("pods"), namespace: Some("default".into()), object: json!({}) };
    let ev = c.on_result(&key("rs"), &create, Outcome::Done(&json!({"metadata": {"name": "rs-x7k2p"}})), &inf, 5);
    assert_eq!(events(&ev), vec![("SuccessfulCreate".into(), "Created pod: rs-x7k2p".into())]);
}

#[test]
fn scale_down_deletes_unscheduled_then_pending_then_not_ready_first() {
    // getPodsToDelete ranks with ActivePodsWithRanks: unassigned < pending < not ready < ready.
    let mut inf = Informers::default();
    let rs = replicaset("rs", 1, "web");
    inf.insert(rs.clone());
    inf.insert(pod_of(&rs, "ready", "n1", "Running", Some(0)));
    inf.insert(pod_of(&rs, "notready", "n1", "Running", None));
    inf.insert(pod_of(&rs, "pending", "n2", "Pending", None));
    inf.insert(pod_of(&rs, "unscheduled", "", "Pending", None));
    let mut c = ReplicaSetController::default();
    let out = sync(&mut c, &inf, "rs", 60_000);
    assert_eq!(deletes(&out, "Pod"), vec!["unscheduled", "pending", "notready"]);
    assert!(events(&out).contains(&("SuccessfulDelete".into(), "Deleted pod: unscheduled".into())));
}

#[test]
fn status_counts_ready_available_and_fully_labeled() {
    let mut inf = Informers::default();
    let mut rs = replicaset("rs", 3, "web");
    // Pods made from the template before it gained `tier`: only `a` carries every template label.
    let mut labelled = pod_of(&rs, "a", "n1", "Running", Some(0));
    labelled["metadata"]["labels"]["tier"] = json!("front");
    inf.insert(labelled);
    inf.insert(pod_of(&rs, "b", "n1", "Running", Some(5_000)));
    inf.insert(pod_of(&rs, "c", "n1", "Running", None));
    inf.insert(pod_of(&rs, "d", "n1", "Succeeded", None));
    rs["spec"]["minReadySeconds"] = json!(10);
    rs["spec"]["template"]["metadata"]["labels"]["tier"] = json!("front");
    rs["metadata"]["generation"] = json!(4);
    inf.insert(rs.clone());
    let mut c = ReplicaSetController::default();
    let out = sync(&mut c, &inf, "rs", 12_000);
    let st = &status_updates(&out, "ReplicaSet")[0]["status"];
    assert_eq!(st["replicas"], 3, "finished pods are not counted");
    assert_eq!(st["fullyLabeledReplicas"], 1);
    assert_eq!(st["readyReplicas"], 2);
    assert_eq!(st["availableReplicas"], 1, "b is ready for 7s < minReadySeconds 10");
    assert_eq!(st["observedGeneration"], 4);
    assert!(creates(&out, "Pod").is_empty(), "3 active pods: the finished one needs no replacement yet");
}

#[test]
fn min_ready_seconds_requeues_until_pods_are_available() {
    let mut inf = Informers::default();
    let mut rs = replicaset("rs", 1, "web");
    rs["spec"]["minReadySeconds"] = json!(10);
    inf.insert(rs.clone());
    inf.insert(pod_of(&rs, "a", "n1", "Running", Some(0)));
    let mut c = ReplicaSetController::default();
    let out = sync(&mut c, &inf, "rs", 1000);
    assert!(out.contains(&Action::Requeue { key: key("rs"), after: 10_000 }));
}

#[test]
fn unchanged_status_is_not_written() {
    let mut inf = Informers::default();
    let mut rs = replicaset("rs", 1, "web");
    rs["status"] = json!({"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1, "availableReplicas": 1, "observedGeneration": 1});
    inf.insert(rs.clone());
    inf.insert(pod_of(&rs, "a", "n1", "Running", Some(0)));
    let mut c = ReplicaSetController::default();
    assert!(sync(&mut c, &inf, "rs", 1000).is_empty());
}

#[test]
fn pod_events_map_to_their_owner_and_orphans_to_matching_sets() {
    let mut inf = Informers::default();
    let rs = replicaset("rs", 1, "web");
    inf.insert(rs.clone());
    inf.insert(replicaset("other", 1, "db"));
    let mut c = ReplicaSetController::default();
    let ch = inf.insert(pod_of(&rs, "a", "", "Pending", None)).expect("change");
    assert_eq!(c.keys_for(&ch, &inf), vec![key("rs")]);
    let orphan = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": "o", "uid": "o", "labels": {"app": "db"}}});
    let ch = inf.insert(orphan).expect("change");
    assert_eq!(c.keys_for(&ch, &inf), vec![key("other")]);
    let gone = inf.apply(rt("pods"), EventType::Deleted, pod_of(&rs, "a", "", "Pending", None).into()).expect("change");
    assert_eq!(c.keys_for(&gone, &inf), vec![key("rs")]);
}

#[test]
fn burst_is_capped_at_500_per_sync() {
    let mut inf = Informers::default();
    inf.insert(replicaset("big", 150_000, "web"));
    let mut c = ReplicaSetController::default();
    assert_eq!(creates(&sync(&mut c, &inf, "big", 0), "Pod").len(), 500);
}

#[test]
fn a_deleted_replicaset_does_nothing() {
    let inf = Informers::default();
    let mut c = ReplicaSetController::default();
    assert!(sync(&mut c, &inf, "gone", 0).is_empty());
}

/// `pkg/controller/replication`: the replication manager is this controller over v1
/// ReplicationControllers; the plain map selector selects as `matchLabels` does.
#[test]
fn the_replication_manager_reconciles_replication_controllers() {
    let mut inf = Informers::default();
    let rc = json!({
        "apiVersion": "v1", "kind": "ReplicationController",
        "metadata": {"namespace": "default", "name": "nginx", "uid": "uid-nginx", "generation": 1, "resourceVersion": "10"},
        "spec": {"replicas": 3, "selector": {"app": "nginx"}, "template": template("nginx", "nginx")},
        "status": {"replicas": 0}
    });
    inf.insert(rc.clone());
    let mut orphan = pod_of(&rc, "nginx-orphan", "node-1", "Running", None);
    orphan["metadata"].as_object_mut().map(|m| m.remove("ownerReferences"));
    inf.insert(orphan);
    let mut c = ReplicaSetController::replication_manager();
    assert_eq!((c.name(), c.event_source()), ("replicationcontroller", "replication-controller"));
    assert_eq!(c.watches(), &["replicationcontrollers", "pods"]);
    let out = sync(&mut c, &inf, "nginx", 0);
    let adopted = patches(&out);
    assert_eq!(adopted.len(), 1, "the orphan whose labels match the map selector is adopted");
    assert_eq!(adopted[0].1["metadata"]["ownerReferences"][0]["kind"], "ReplicationController");
    let pods = creates(&out, "Pod");
    assert_eq!(pods.len(), 2, "3 wanted, 1 adopted");
    assert_eq!(pods[0]["metadata"]["generateName"], "nginx-");
    assert_eq!(pods[0]["metadata"]["ownerReferences"][0]["apiVersion"], "v1");
    assert_eq!(pods[0]["metadata"]["ownerReferences"][0]["kind"], "ReplicationController");
    let statuses = status_updates(&out, "ReplicationController");
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0]["status"]["replicas"], 1);
    // A ReplicaSet controller leaves ReplicationControllers alone.
    let mut rs_controller = ReplicaSetController::default();
    assert!(sync(&mut rs_controller, &inf, "nginx", 0).is_empty());
}
