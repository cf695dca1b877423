//! metrics-server's scrape loop: every 15 s it reads each reachable kubelet's summary and keeps the
//! result, which the apiserver serves as the Metrics API (`apiserver/metrics.rs`).
//!
//! Simplified: the scrape is taken when the apiserver next handles a request after a 15 s boundary,
//! from the kubelets' deterministic usage at that boundary, instead of as one message per kubelet.

use super::World;
use crate::sim::apiserver::metrics::{NodeSample, RESOLUTION_MS, Scrape};
use crate::sim::node::kubelet::inspect::PodUsage;

impl World {
    /// Brings the apiserver's view of metrics-server up to the last 15 s boundary.
    pub(super) fn scrape_metrics(&mut self) {
        let now = self.now();
        let at = now - now % RESOLUTION_MS;
        if self.apiserver.metrics.as_ref().is_some_and(|s| s.at == at) {
            return;
        }
        self.apiserver.metrics = self.metrics_server_up().then(|| self.scrape(at));
    }

    /// Whether metrics-server answers (modelled as installed and always up).
    fn metrics_server_up(&self) -> bool {
        true
    }

    /// One scrape at `at`. CPU is a rate between two samples, so a container is reported only if it
    /// was already running at the previous scrape (`at - 15 s`).
    fn scrape(&self, at: u64) -> Scrape {
        let mut scrape = Scrape { at, ..Scrape::default() };
        for (name, node) in self.nodes.iter().filter(|(_, n)| n.running) {
            let usage = node.kubelet.usage(at);
            let before = node.kubelet.usage(at.saturating_sub(RESOLUTION_MS)).pods;
            scrape.nodes.push(NodeSample {
                name: name.clone(),
                cpu_millis: usage.cpu_millis,
                memory_bytes: usage.memory_bytes,
            });
            for mut pod in usage.pods {
                let earlier = before.iter().find(|p| p.namespace == pod.namespace && p.name == pod.name);
                pod.containers.retain(|c| earlier.is_some_and(|p| p.containers.iter().any(|e| e.name == c.name)));
                if !pod.containers.is_empty() {
                    scrape.pods.push(pod);
                }
            }
        }
        scrape.pods.sort_by(|a: &PodUsage, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.add_load(&mut scrape, at);
        scrape
    }
}
