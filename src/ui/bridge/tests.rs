//! The bridge on a running world: kubectl, faults, watches, and the model the diagram draws.

use super::*;
use crate::ui::model::ClusterModel;

#[test]
fn export_prints_one_yaml_list() {
    let mut world = Sim::unbooted(1);
    let out = kubectl(&mut world, crate::ui::header::EXPORT_COMMAND, None);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(out.stdout.starts_with("apiVersion: v1\nitems:\n"), "{}", &out.stdout[..out.stdout.len().min(200)]);
    assert!(out.stdout.contains("kind: Namespace") && out.stdout.contains("kind: List"));
}

#[test]
fn faults_are_applied_or_refused_with_a_reason() {
    let mut world = Sim::unbooted(1);
    let node = model(&world).nodes.last().map(|n| n.name.clone()).expect("a fresh cluster has nodes");
    assert_eq!(apply(&mut world, &Op::Node { name: node.clone(), running: false }), Ok(None));
    assert_eq!(node_running(&world, &node), Some(false));
    assert!(model(&world).stopped.contains(&format!("node/{node}")));
    assert!(apply(&mut world, &Op::Node { name: "nope".into(), running: false }).is_err());
    assert!(apply(&mut world, &Op::Component { name: "kubectl".into(), running: false }).is_err());
    assert!(apply(&mut world, &Op::Component { name: "not-a-component".into(), running: false }).is_err());
    assert_eq!(apply(&mut world, &Op::Component { name: "kube-scheduler".into(), running: false }), Ok(None));
    assert!(model(&world).stopped.contains("kube-scheduler"));
    let added = add_node(&mut world);
    assert!(apply(&mut world, &Op::AddNode { name: added }).is_err(), "a node cannot be added twice");
}

#[test]
fn the_model_is_the_objects_plus_what_is_stopped() {
    let mut world = Sim::unbooted(1);
    world.run_for(5_000);
    let objects = objects_model(&world);
    assert!(objects.stopped.is_empty());
    assert_eq!(model(&world), ClusterModel { stopped: stopped(&world, &objects), ..objects.clone() });
    // A fault changes what is stopped but writes nothing: the diagram reads it on every render.
    let node = objects.nodes.last().map(|n| n.name.clone()).expect("a fresh cluster has nodes");
    let revision = cache_revision(&world);
    assert_eq!(apply(&mut world, &Op::Node { name: node.clone(), running: false }), Ok(None));
    assert_eq!(cache_revision(&world), revision);
    assert!(stopped(&world, &objects).contains(&format!("kubelet/{node}")));
    // A write moves the revision, and the objects with it.
    let _ = kubectl(&mut world, "kubectl run web --image=nginx", None);
    world.run_for(100);
    assert!(cache_revision(&world) > revision);
    assert!(objects_model(&world).pods.iter().any(|p| p.name == "web"));
}

#[test]
fn get_watch_streams_changes_until_stopped() {
    let mut world = Sim::unbooted(1);
    let _ = kubectl(&mut world, "kubectl run before --image=nginx", None);
    world.run_for(5_000);
    let out = kubectl(&mut world, "kubectl get pods -w", None);
    assert!(out.stdout.contains("before"), "the listing comes first: {}", out.stdout);
    let watch = out.watching.first().cloned().expect("-w opens a watch");
    world.run_for(100);
    let first = drain_watch(&mut world, &watch);
    assert!(!first.contains("before"), "the listed pod is not printed again: {first}");
    let _ = kubectl(&mut world, "kubectl run after --image=nginx", None);
    world.run_for(5_000);
    let rows = drain_watch(&mut world, &watch);
    assert!(rows.contains("after") && !rows.contains("NAME"), "{rows}");
    assert_eq!(drain_watch(&mut world, &watch), "", "rows are printed once");
    stop_watch(&mut world, watch.watch_id);
    let _ = kubectl(&mut world, "kubectl delete pod after", None);
    world.run_for(5_000);
    assert_eq!(drain_watch(&mut world, &watch), "", "a stopped watch prints nothing");
}

#[test]
fn events_are_found_for_the_right_object() {
    let mut world = Sim::unbooted(1);
    let _ = kubectl(&mut world, "kubectl run web --image=nginx", None);
    let _ = kubectl(&mut world, "kubectl create service clusterip web --tcp=80:80", None);
    world.run_for(10_000);
    let reasons: Vec<String> = events_for(&world, "default", "Pod", "web").into_iter().map(|e| e.reason).collect();
    assert!(reasons.iter().any(|r| r == "Scheduled"), "{reasons:?}");
    assert!(
        events_for(&world, "default", "Service", "web").iter().all(|e| e.reason != "Scheduled"),
        "a Service does not get its namesake pod's events"
    );
    assert!(events_for(&world, "default", "Pod", "nobody").is_empty());
}

/// A Service's endpoints come from its EndpointSlices (`kubernetes.io/service-name`), with their
/// pods; a Service nothing selects has none; kube-proxy's rules on a node read as iptables-save.
#[test]
fn a_services_endpoints_and_a_nodes_rules() {
    let mut world = Sim::unbooted(1);
    let _ = kubectl(&mut world, "kubectl create deployment web --image=nginx --replicas=2", None);
    let _ = kubectl(&mut world, "kubectl expose deployment web --port=80", None);
    let _ = kubectl(&mut world, "kubectl create service clusterip empty --tcp=80:80", None);
    world.run_for(40_000);
    let rows = service_endpoints(&world, "default", "web");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r.ready && r.address.ends_with(":80") && r.pod.as_deref().is_some_and(|p| p.starts_with("web-")))
    );
    assert!(service_endpoints(&world, "default", "empty").is_empty());
    let rules = world.proxy_rules("sandbox-worker").expect("a worker");
    assert!(
        rules.contains("-j REJECT --reject-with icmp-port-unreachable")
            && rules.contains("\"default/empty:80-80 has no endpoints\""),
        "{rules}"
    );
    assert!(rules.contains("--comment \"default/web cluster IP\""), "{rules}");
    assert_eq!(world.proxy_rules("nope"), None);
}
