//! kindnet's network-policy agent on the sending node: it watches NetworkPolicies, Pods and
//! Namespaces and decides the first packet of each new connection (`../policy.rs`). Read here from
//! the objects as the apiserver holds them, as the view reads Services and EndpointSlices.

use std::sync::Arc;

use serde_json::Value;

use crate::sim::api::{self, pointer::Pointer};
use crate::sim::apiserver::cache::WatchCache;
use crate::sim::dataplane::policy::{self, Packet, PodInfo, Proto, Verdict};

/// The connection's initiator: a pod (namespace, name) or the node itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub namespace: String,
    pub pod: String,
}

fn list(cache: &WatchCache, plural: &str) -> Vec<Arc<Value>> {
    let Some(rt) = api::resolve(plural) else { return Vec::new() };
    cache.list_prefix_shared(&api::storage_prefix(rt, None)).cloned().collect()
}

fn get(cache: &WatchCache, plural: &str, ns: Option<&str>, name: &str) -> Option<Value> {
    let rt = api::resolve(plural)?;
    cache.get(&api::storage_key(rt, ns, name)).cloned()
}

fn host_network(pod: &Value) -> bool {
    pod.at("/spec/hostNetwork").and_then(Value::as_bool).unwrap_or(false)
}

fn pod_ips(pod: &Value) -> impl Iterator<Item = &str> {
    let one = pod.at("/status/podIP").and_then(Value::as_str);
    let many = pod.at("/status/podIPs").and_then(Value::as_array).into_iter().flatten();
    one.into_iter().chain(many.filter_map(|p| p.get("ip").and_then(Value::as_str)))
}

/// The pod that has `ip` (`podinfo.InformerResolver`): host-network pods are not indexed, and a
/// running pod is preferred when several share the address.
fn pod_by_ip<'p>(pods: &'p [Arc<Value>], ip: &str) -> Option<&'p Value> {
    let mut found = pods.iter().map(|p| &**p).filter(|p| !host_network(p) && pod_ips(p).any(|i| i == ip));
    let first = found.next()?;
    let running = |p: &&Value| p.at("/status/phase").and_then(Value::as_str) == Some("Running");
    if running(&first) { Some(first) } else { found.find(running).or(Some(first)) }
}

/// kindnet's verdict on the first packet from `source` (on `node`, whose address is `node_ip`) to
/// `dst_ip:dst_port`; a denied packet is dropped and the client waits for its timeout.
pub fn verdict(
    cache: &WatchCache,
    node: &str,
    node_ip: &str,
    source: Option<&Source>,
    dst_ip: &str,
    dst_port: u16,
    proto: Proto,
) -> Verdict {
    let policies = list(cache, "networkpolicies");
    if policies.is_empty() || dst_ip.starts_with("127.") {
        return Verdict::Allow;
    }
    let src_pod = source.and_then(|s| get(cache, "pods", Some(&s.namespace), &s.pod)).filter(|p| !host_network(p));
    let src_ip = src_pod.as_ref().and_then(|p| pod_ips(p).next().map(str::to_string)).unwrap_or(node_ip.to_string());
    if src_ip == dst_ip {
        // A pod talking to itself: the packet never leaves its network namespace.
        return Verdict::Allow;
    }
    let pods = list(cache, "pods");
    let dst_pod = pod_by_ip(&pods, dst_ip);
    // Packets the node's root processes send (kubelet probes, host-network pods) are accepted by the
    // agent's `meta skuid 0 accept` rule before any policy; to a pod on another node they are still
    // decided there, on arrival.
    if src_pod.is_none() && dst_pod.is_none_or(|d| d.at("/spec/nodeName").and_then(Value::as_str) == Some(node)) {
        return Verdict::Allow;
    }
    let namespace_of = |pod: &Value| {
        let ns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default");
        get(cache, "namespaces", None, ns).unwrap_or(Value::Null)
    };
    let src_ns = src_pod.as_ref().map(namespace_of);
    let dst_ns = dst_pod.map(namespace_of);
    let src = src_pod.as_ref().zip(src_ns.as_ref()).map(|(pod, namespace)| PodInfo { pod, namespace });
    let dst = dst_pod.zip(dst_ns.as_ref()).map(|(pod, namespace)| PodInfo { pod, namespace });
    let refs: Vec<&Value> = policies.iter().map(|p| &**p).collect();
    let packet = Packet { src_ip: &src_ip, dst_ip, dst_port, proto };
    policy::evaluate(&refs, src, dst, &packet)
}
