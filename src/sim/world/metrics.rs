//! The world's side of metrics-server: the kubelets' answers to its scrapes (their usage plus the load
//! the client loops put on servers, `load.rs`), and what the apiserver's aggregation layer serves.
//!
//! The kube-aggregator proxies `metrics.k8s.io` to the `metrics-server` Service while its APIService
//! is available: the Service has a ready endpoint (the pod passed its `/readyz` probe) and the process
//! answers. Otherwise the Metrics API is unavailable (503; our kubectl then says `Metrics API not
//! available`, as kubectl 1.33 does when aggregated discovery marks the group stale). Simplified: the
//! proxied request is not a message; the apiserver reads metrics-server's store; `sandbox serve`'s
//! discovery lists the group whether or not it is available.

use super::World;
use crate::sim::api;
use crate::sim::apiserver::metrics::Scrape;
use crate::sim::bootstrap::metrics_server::{NAME, NAMESPACE};
use crate::sim::component::Component;
use crate::sim::message::{Message, Payload};
use crate::sim::protocol::kubelet::{NodeSample, ScrapeReply};

impl World {
    /// Gives the apiserver metrics-server's current store, or none while the APIService is unavailable.
    pub(super) fn scrape_metrics(&mut self) {
        self.apiserver.metrics = self.metrics_api_available().then(|| self.metrics_server.metrics());
    }

    /// Whether the aggregator can reach metrics-server: its Service has a ready endpoint and the
    /// process runs.
    pub fn metrics_api_available(&self) -> bool {
        let services = api::resolve("services").expect("services are always served");
        let Some(svc) = self.apiserver.cache.get(&api::storage_key(services, Some(NAMESPACE), NAME)) else {
            return false;
        };
        self.metrics_server.running && !self.ready_pods(svc).is_empty()
    }

    /// A kubelet answers `GET /metrics/resource`: what its node and containers use now.
    pub(super) fn answer_scrape(&mut self, node: &str, msg: Message) {
        let Payload::Scrape(req) = msg.payload else { return };
        let Some(actors) = self.nodes.get(node) else { return };
        let at = self.now();
        let usage = actors.kubelet.usage(at);
        let sample =
            NodeSample { name: node.to_string(), cpu_millis: usage.cpu_millis, memory_bytes: usage.memory_bytes };
        let mut one = Scrape { at, nodes: vec![sample], pods: usage.pods };
        self.add_load(&mut one, at);
        let node_sample = one.nodes.pop().expect("the node's own sample is kept");
        let reply = ScrapeReply { id: req.id, at, node: node_sample, pods: one.pods };
        self.k.send(Component::Kubelet(node.to_string()), msg.from, Payload::ScrapeReply(Box::new(reply)));
    }
}
