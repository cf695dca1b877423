//! Load: the CPU a server spends on the requests client loops send it. A loop that requests a Service
//! at a steady rate spreads it over the Service's ready endpoints as kube-proxy's random choice does
//! in expectation (an equal share each), and each request costs its server a fixed CPU time (the
//! `hpa-example` image's `index.php` computes square roots for about 14 ms; a static file far less).
//!
//! Simplified: no message per request; rates are computed from the loops' periods at each scrape.

use serde_json::Value;

use super::World;
use crate::sim::api::pointer::Pointer;
use crate::sim::api::quantity::parse_cpu_millis;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::metrics::Scrape;
use crate::sim::time::Millis;

/// CPU per request: `hpa-example`'s PHP page, and any other server.
const PHP_REQUEST_CPU_MS: f64 = 14.0;
const STATIC_REQUEST_CPU_MS: f64 = 0.2;

fn rt(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("services, endpoint slices and pods are always served")
}

fn text<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.at(ptr).and_then(Value::as_str).unwrap_or_default()
}

impl World {
    /// The Service a client in `ns` reaches at `host`: a name, `name.namespace[.svc[.cluster.local]]`,
    /// or a ClusterIP.
    fn service_at(&self, ns: &str, host: &str) -> Option<&Value> {
        let cache = &self.apiserver.cache;
        let trimmed = host.trim_end_matches(".cluster.local").trim_end_matches(".svc");
        let (name, svc_ns) = trimmed.split_once('.').unwrap_or((trimmed, ns));
        if let Some(svc) = cache.get(&api::storage_key(rt("services"), Some(svc_ns), name)) {
            return Some(svc);
        }
        let prefix = api::storage_prefix(rt("services"), None);
        let by_ip = cache.list_prefix(&prefix).find(|s| text(s, "/spec/clusterIP") == host).map(|s| {
            api::storage_key(rt("services"), Some(text(s, "/metadata/namespace")), text(s, "/metadata/name"))
        })?;
        cache.get(&by_ip)
    }

    /// Ready endpoints of a Service, as (namespace, pod name).
    pub(super) fn ready_pods(&self, svc: &Value) -> Vec<(String, String)> {
        let (ns, name) = (text(svc, "/metadata/namespace"), text(svc, "/metadata/name"));
        let prefix = api::storage_prefix(rt("endpointslices"), Some(ns));
        let mut out = Vec::new();
        for slice in self.apiserver.cache.list_prefix(&prefix) {
            if text(slice, "/metadata/labels/kubernetes.io~1service-name") != name {
                continue;
            }
            for e in slice.get("endpoints").and_then(Value::as_array).into_iter().flatten() {
                let ready = e.at("/conditions/ready").and_then(Value::as_bool).unwrap_or(true);
                if ready && text(e, "/targetRef/kind") == "Pod" {
                    out.push((ns.to_string(), text(e, "/targetRef/name").to_string()));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Adds to `scrape` the CPU the servers spend on the client loops' requests at `at`.
    pub(super) fn add_load(&self, scrape: &mut Scrape, at: Millis) {
        let loops: Vec<_> =
            self.nodes.values().filter(|n| n.running).flat_map(|n| n.kubelet.request_loops(at)).collect();
        for l in loops {
            let Some(svc) = self.service_at(&l.namespace, &l.host) else { continue };
            let pods = self.ready_pods(svc);
            let share = l.per_second / pods.len().max(1) as f64;
            for (ns, name) in pods {
                let Some(pod) = self.apiserver.cache.get(&api::storage_key(rt("pods"), Some(&ns), &name)) else {
                    continue;
                };
                let spec = pod.at("/spec/containers").and_then(Value::as_array).and_then(|c| c.first());
                let Some(spec) = spec else { continue };
                let cost = if text(spec, "/image").contains("hpa-example") {
                    PHP_REQUEST_CPU_MS
                } else {
                    STATIC_REQUEST_CPU_MS
                };
                let limit = parse_cpu_millis(text(spec, "/resources/limits/cpu")).ok().map(|l| l.max(0) as u64);
                let extra = (share * cost) as u64;
                let Some(usage) = scrape.pods.iter_mut().find(|p| p.namespace == ns && p.name == name) else {
                    continue;
                };
                let Some(c) = usage.containers.iter_mut().find(|c| c.name == text(spec, "/name")) else { continue };
                let before = c.cpu_millis;
                c.cpu_millis = (c.cpu_millis + extra).min(limit.unwrap_or(u64::MAX));
                let node = text(pod, "/spec/nodeName");
                if let Some(n) = scrape.nodes.iter_mut().find(|n| n.name == node) {
                    n.cpu_millis += c.cpu_millis - before;
                }
            }
        }
    }
}
