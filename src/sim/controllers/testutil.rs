//! Builders for controller tests: objects in the shape the apiserver stores them, and action filters.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::objects;
use crate::sim::api::ResourceType;
use crate::sim::client::Action;
use crate::sim::time::{Millis, rfc3339};

pub fn rt(plural: &str) -> &'static ResourceType {
    crate::sim::api::resolve(plural).expect("test resource is served")
}

pub fn template(app: &str, image: &str) -> Value {
    json!({"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "c", "image": image}]}})
}

pub fn replicaset(name: &str, replicas: i64, app: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"namespace": "default", "name": name, "uid": format!("uid-{name}"), "generation": 1, "resourceVersion": "10", "creationTimestamp": rfc3339(0)},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}}, "template": template(app, "nginx")},
        "status": {"replicas": 0}
    })
}

/// A pod controlled by `owner` (an object with kind, name and uid), phase and readiness as given.
pub fn pod_of(owner: &Value, name: &str, node: &str, phase: &str, ready_at: Option<Millis>) -> Value {
    let labels = owner.at("/spec/template/metadata/labels").cloned().unwrap_or(json!({}));
    let mut p = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"namespace": objects::namespace(owner), "name": name, "uid": format!("uid-{name}"), "labels": labels, "resourceVersion": "5",
            "creationTimestamp": rfc3339(0),
            "ownerReferences": [{"apiVersion": objects::str_at(owner, "/apiVersion"), "kind": objects::str_at(owner, "/kind"), "name": objects::name(owner), "uid": objects::uid(owner), "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]},
        "status": {"phase": phase}
    });
    if let Some(t) = ready_at {
        p["status"]["conditions"] = json!([{"type": "Ready", "status": "True", "lastTransitionTime": rfc3339(t)}]);
    }
    p
}

pub fn node(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "uid": format!("uid-{name}"), "labels": {"kubernetes.io/hostname": name}, "resourceVersion": "3"},
        "spec": {},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}
    })
}

pub fn creates(actions: &[Action], kind: &str) -> Vec<Value> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Create { resource, object, .. } if resource.kind == kind => Some(object.clone()),
            _ => None,
        })
        .collect()
}

pub fn deletes(actions: &[Action], kind: &str) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Delete { resource, name, .. } if resource.kind == kind => Some(name.clone()),
            _ => None,
        })
        .collect()
}

pub fn updates(actions: &[Action], kind: &str) -> Vec<Value> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Update { resource, object } if resource.kind == kind => Some(object.clone()),
            _ => None,
        })
        .collect()
}

pub fn status_updates(actions: &[Action], kind: &str) -> Vec<Value> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::UpdateStatus { resource, object } if resource.kind == kind => Some(object.clone()),
            _ => None,
        })
        .collect()
}

pub fn events(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Event { reason, message, .. } => Some((reason.clone(), message.clone())),
            _ => None,
        })
        .collect()
}

pub fn patches(actions: &[Action]) -> Vec<(String, Value)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Patch { name, patch, .. } => Some((name.clone(), patch.clone())),
            _ => None,
        })
        .collect()
}
