//! The informers' indexes follow adds, updates and deletes.

use super::*;
use serde_json::json;

fn pod(name: &str, owner: Option<&str>, node: &str) -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": name, "uid": format!("uid-{name}")}, "spec": {"nodeName": node}});
    if let Some(o) = owner {
        p["metadata"]["ownerReferences"] = json!([{"uid": o, "controller": true, "kind": "ReplicaSet", "name": "rs"}]);
    }
    p
}

#[test]
fn indexes_follow_adds_updates_and_deletes() {
    let pods = api::resolve("pods").expect("served");
    let mut inf = Informers::default();
    inf.insert(pod("a", Some("rs1"), "n1"));
    inf.insert(pod("b", Some("rs1"), "n2"));
    inf.insert(pod("c", None, "n1"));
    assert_eq!(inf.controlled_by(pods, "rs1").count(), 2);
    assert_eq!(inf.pods_on_node("n1").count(), 2);
    assert_eq!(inf.orphans(pods, "default").count(), 1);
    assert_eq!(inf.pod_counts("rs1"), PodCounts { active: 2, ready: 0 });
    assert_eq!(inf.by_uid("uid-c").map(|(_, o)| meta::name(o).to_string()), Some("c".into()));

    // Released by its owner and moved: every index follows the update.
    inf.apply(pods, EventType::Modified, pod("a", None, "n3").into());
    assert_eq!(inf.controlled_by(pods, "rs1").count(), 1);
    assert_eq!(inf.orphans(pods, "default").count(), 2);
    assert_eq!(inf.pods_on_node("n1").count(), 1);
    assert_eq!(inf.pods_on_node("n3").count(), 1);

    let mut ready = pod("b", Some("rs1"), "n2");
    ready["status"] = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]});
    inf.apply(pods, EventType::Modified, ready.clone().into());
    assert_eq!(inf.pod_counts("rs1"), PodCounts { active: 1, ready: 1 });
    inf.remove(ready);
    assert_eq!(inf.pod_counts("rs1"), PodCounts::default());
    assert_eq!(inf.controlled_by(pods, "rs1").count(), 0);
    assert_eq!(inf.dependents_of("rs1").count(), 0);
    assert!(inf.by_uid("uid-b").is_none());
    assert_eq!(inf.pods_on_node("n2").count(), 0);
}

#[test]
fn a_non_controller_reference_is_a_dependent_but_not_controlled() {
    let pods = api::resolve("pods").expect("served");
    let mut inf = Informers::default();
    let mut p = pod("a", None, "");
    p["metadata"]["ownerReferences"] = json!([{"uid": "cm", "kind": "ConfigMap", "name": "x"}]);
    inf.insert(p);
    assert_eq!(inf.dependents_of("cm").count(), 1);
    assert_eq!(inf.controlled_by(pods, "cm").count(), 0);
    assert!(inf.insert(json!({"apiVersion": "nope/v1", "kind": "Thing"})).is_none());
}

#[test]
fn label_queries_follow_relabels_and_read_only_candidates() {
    let pods = api::resolve("pods").expect("served");
    let mut inf = Informers::default();
    let labelled = |name: &str, labels: Value| {
        let mut p = pod(name, None, "");
        p["metadata"]["labels"] = labels;
        p
    };
    inf.insert(labelled("a", json!({"app": "web", "tier": "front"})));
    inf.insert(labelled("b", json!({"app": "web"})));
    inf.insert(labelled("c", json!({"app": "db"})));
    let names = |it: Vec<&Value>| it.into_iter().map(|o| meta::name(o).to_string()).collect::<Vec<_>>();
    assert_eq!(names(inf.labelled(pods, "default", "app", "web").collect()), ["a", "b"]);
    let sel = json!({"app": "web", "tier": "front"});
    assert_eq!(names(inf.selected_by_map(pods, "default", Some(&sel)).collect()), ["a"]);
    assert_eq!(inf.selected_by_map(pods, "other", Some(&sel)).count(), 0, "another namespace");
    assert_eq!(inf.selected_by_map(pods, "default", Some(&json!({}))).count(), 0, "empty selects nothing");
    assert_eq!(inf.selected_by_map(pods, "default", None).count(), 0);

    // Relabelled: the old bucket forgets it, the new one has it; a status-only update keeps it.
    inf.apply(pods, EventType::Modified, labelled("b", json!({"app": "db"})).into());
    assert_eq!(names(inf.labelled(pods, "default", "app", "db").collect()), ["b", "c"]);
    let mut running = labelled("c", json!({"app": "db"}));
    running["status"] = json!({"phase": "Running"});
    inf.apply(pods, EventType::Modified, running.clone().into());
    assert_eq!(names(inf.labelled(pods, "default", "app", "db").collect()), ["b", "c"]);
    inf.remove(running);
    assert_eq!(names(inf.labelled(pods, "default", "app", "db").collect()), ["b"]);
}
