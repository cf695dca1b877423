//! The inspector's view of real messages from a running cluster.

use super::*;
use crate::sim::world::World;

/// Runs `kubectl create deployment` in a fresh cluster keeping every payload; returns the world.
fn cluster_with_a_deployment() -> World {
    let mut w = World::new(7);
    w.k.trace.keep_payloads = usize::MAX;
    w.run_for(30_000);
    let out = crate::sim::kubectl::execute(
        &mut w,
        "kubectl create deployment web --image=nginx",
        None,
        &crate::sim::kubectl::NoFiles,
    );
    assert_eq!(out.stdout, "deployment.apps/web created\n");
    w.run_for(30_000);
    w
}

fn content_of(w: &World, pick: impl Fn(&crate::sim::trace::TraceEntry) -> bool) -> Content {
    let e = w.k.trace.entries().iter().find(|e| pick(e)).expect("such a message was sent");
    w.k.trace.payload(e.id).expect("every payload is kept").content()
}

#[test]
fn a_create_request_carries_its_object() {
    let w = cluster_with_a_deployment();
    let Content::Document(doc) = content_of(&w, |e| e.summary == "POST /apis/apps/v1/namespaces/default/deployments")
    else {
        panic!("API requests are documents")
    };
    assert_eq!(doc["request"], "POST /apis/apps/v1/namespaces/default/deployments");
    assert_eq!(doc["body"]["kind"], "Deployment");
    assert_eq!(doc["body"]["spec"]["template"]["spec"]["containers"][0]["image"], "nginx");
}

#[test]
fn etcd_writes_show_the_compare_and_the_stored_object() {
    let w = cluster_with_a_deployment();
    let Content::Document(doc) =
        content_of(&w, |e| e.kind == "etcd" && e.summary.starts_with("txn put /registry/deployments/default/web"))
    else {
        panic!("etcd requests are documents")
    };
    assert_eq!(doc["txn"]["compare"][0], "version(/registry/deployments/default/web) == 0");
    assert_eq!(doc["txn"]["success"][0]["put"]["value"]["metadata"]["name"], "web");
}

#[test]
fn watch_events_and_cri_calls_show_their_fields() {
    let w = cluster_with_a_deployment();
    let Content::Document(event) =
        content_of(&w, |e| e.kind == "watch" && e.summary.starts_with("ADDED Pod default/web-"))
    else {
        panic!("watch events are documents")
    };
    assert_eq!(event["type"], "ADDED");
    assert_eq!(event["object"]["kind"], "Pod");
    let Content::Text(pull) = content_of(&w, |e| e.summary == "PullImage nginx") else { panic!("CRI calls are text") };
    assert!(pull.contains("PullImage") && pull.contains("\"nginx\""), "{pull}");
}

#[test]
fn error_responses_are_status_objects() {
    let mut w = cluster_with_a_deployment();
    let out = crate::sim::kubectl::execute(&mut w, "kubectl get pod nope", None, &crate::sim::kubectl::NoFiles);
    assert_eq!(out.stderr, "Error from server (NotFound): pods \"nope\" not found\n");
    let Content::Document(doc) = content_of(&w, |e| e.summary.starts_with("404")) else {
        panic!("responses are documents")
    };
    assert_eq!(doc["status"], 404);
    assert_eq!(doc["body"]["kind"], "Status");
    assert_eq!(doc["body"]["reason"], "NotFound");
}
