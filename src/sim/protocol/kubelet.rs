//! The kubelet's resource metrics endpoint as message payloads: metrics-server's
//! `GET https://<node>:10250/metrics/resource` and the kubelet's answer, the node's and each running
//! container's CPU and memory at that instant (`pkg/kubelet/metrics/collectors/resource_metrics.go`).
//! The answer carries the figures the simulation models (CPU as millicores in use, memory as working
//! set bytes), not the Prometheus text the real endpoint writes.

use crate::sim::time::Millis;

/// The path metrics-server v0.6+ scrapes (it left the Summary API, `/stats/summary`).
pub const PATH: &str = "/metrics/resource";
/// The kubelet's HTTPS port, where the endpoint is served.
pub const PORT: u16 = 10250;

/// metrics-server asks one kubelet for its resource metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeRequest {
    pub id: u64,
    /// The node's InternalIP (`--kubelet-preferred-address-types=InternalIP,...`).
    pub address: String,
}

/// One container's use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUsage {
    pub name: String,
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

/// One pod's resource use (`kubectl top pod --containers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodUsage {
    pub namespace: String,
    pub name: String,
    pub containers: Vec<ContainerUsage>,
}

/// One node's sample: its name and the whole node's CPU (millicores) and memory (bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSample {
    pub name: String,
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

/// The kubelet's answer: what it measured at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeReply {
    pub id: u64,
    pub at: Millis,
    pub node: NodeSample,
    pub pods: Vec<PodUsage>,
}

impl ScrapeRequest {
    /// One line for the trace: `GET https://172.18.0.3:10250/metrics/resource`.
    pub fn summary(&self) -> String {
        format!("GET https://{}:{PORT}{PATH}", self.address)
    }
}

impl ScrapeReply {
    /// One line for the trace: `200 OK: node sandbox-worker, 3 pods`.
    pub fn summary(&self) -> String {
        let n = self.pods.len();
        format!("200 OK: node {}, {n} pod{}", self.node.name, if n == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_the_endpoint_and_what_came_back() {
        let req = ScrapeRequest { id: 1, address: "172.18.0.3".into() };
        assert_eq!(req.summary(), "GET https://172.18.0.3:10250/metrics/resource");
        let node = NodeSample { name: "w".into(), cpu_millis: 1, memory_bytes: 2 };
        let reply = ScrapeReply { id: 1, at: 0, node, pods: vec![] };
        assert_eq!(reply.summary(), "200 OK: node w, 0 pods");
    }
}
