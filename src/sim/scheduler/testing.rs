//! Builders for plugin and cycle tests: pods and nodes from compact JSON, a cache filled by hand.

use serde_json::{Value, json};

use super::cluster::Cluster;
use super::nodeinfo::{NodeInfo, NodeSpec};
use super::podinfo::PodInfo;
use std::sync::Arc;

/// A pod named `name` in `default` with one container requesting `cpu`/`memory` (empty = none),
/// merged with `extra_spec` (fields of `spec`) and `extra_meta` (fields of `metadata`).
pub fn pod_value(name: &str, cpu: &str, memory: &str, extra_spec: Value, extra_meta: Value) -> Value {
    let mut requests = serde_json::Map::new();
    if !cpu.is_empty() {
        requests.insert("cpu".into(), json!(cpu));
    }
    if !memory.is_empty() {
        requests.insert("memory".into(), json!(memory));
    }
    let mut v = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"namespace": "default", "name": name, "uid": format!("uid-{name}")},
        "spec": {"schedulerName": "default-scheduler", "containers": [{"name": "c", "image": "nginx", "resources": {"requests": requests}}]}
    });
    merge(&mut v["spec"], extra_spec);
    merge(&mut v["metadata"], extra_meta);
    v
}

pub fn pod(name: &str, cpu: &str, memory: &str, extra_spec: Value) -> PodInfo {
    PodInfo::parse(&pod_value(name, cpu, memory, extra_spec, json!({})))
}

/// A node with `cpu`/`memory` allocatable, 110 pods, a hostname label, merged with `extra` (whole object).
pub fn node_value(name: &str, cpu: &str, memory: &str, extra: Value) -> Value {
    let mut v = json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {},
        "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": "110"}}
    });
    merge(&mut v, extra);
    v
}

pub fn node_info(name: &str, cpu: &str, memory: &str, extra: Value) -> NodeInfo {
    NodeInfo::new(Arc::new(NodeSpec::parse(&node_value(name, cpu, memory, extra))))
}

/// A cache with the given node and pod objects.
pub fn cluster(nodes: &[Value], pods: &[Value]) -> Cluster {
    let mut c = Cluster::default();
    for n in nodes {
        c.set_node(NodeSpec::parse(n));
    }
    for p in pods {
        c.set_pod(PodInfo::parse(p));
    }
    c
}

/// JSON merge (objects merge recursively, everything else replaces).
pub fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p,
    }
}
