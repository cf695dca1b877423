//! The CNI `portmap` plugin kind's kindnet chains: a container port with a `hostPort` is DNAT-ed from
//! the node's address (`CNI-HOSTPORT-DNAT`), so `<node-ip>:<hostPort>` reaches the pod. This is how
//! kind's Ingress guide exposes ingress-nginx on ports 80 and 443 of its node.

use serde_json::Value;

use crate::sim::api::{self, pointer::Pointer};
use crate::sim::apiserver::cache::WatchCache;

/// The `pod-ip:containerPort` that `node`'s `hostPort` (TCP or UDP as `protocol`) maps to: a running
/// pod bound to the node whose container declares it.
pub fn host_port(cache: &WatchCache, node: &str, port: u16, protocol: &str) -> Option<(String, u16)> {
    let rt = api::resolve("pods")?;
    cache.list_prefix(&api::storage_prefix(rt, None)).find_map(|pod| {
        if pod.at("/spec/nodeName").and_then(Value::as_str) != Some(node)
            || pod.at("/status/phase").and_then(Value::as_str) != Some("Running")
        {
            return None;
        }
        let ip = pod.at("/status/podIP").and_then(Value::as_str)?;
        let containers = pod.at("/spec/containers").and_then(Value::as_array)?;
        containers.iter().flat_map(|c| c.get("ports").and_then(Value::as_array).into_iter().flatten()).find_map(|p| {
            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            let bound = p.get("hostPort").and_then(Value::as_u64) == Some(u64::from(port));
            let target = p.get("containerPort").and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok())?;
            (bound && proto.eq_ignore_ascii_case(protocol)).then(|| (ip.to_string(), target))
        })
    })
}
