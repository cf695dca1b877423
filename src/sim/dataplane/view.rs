//! The network as one pod sees it, computed from the world's state when a program asks: the sending
//! node's kube-proxy rules, the CNI's pod addresses, the target pod's servers, CoreDNS's records.
//!
//! ```text
//!   program ──connect(ip, port)──► source node's kube-proxy rules (dnat)
//!        │                            ├─ REJECT (no endpoints) ─────────────► refused
//!        │                            ├─ DNAT to ip:port (one RNG draw) ─┐
//!        │                            └─ no rule ────────────────────────┤
//!        │                                                               ▼
//!        │                 kindnet's policy agent drops it (NetworkPolicy) ─► times out
//!        │                 pod IP on a running node? listening on port? ─► open / refused
//!        │                 a node's address? its KUBE-NODEPORTS rules, same again
//!        │                 nobody's address, or its node is down ───────► times out
//!        └──dns(server, name)─► same path to UDP 53, then CoreDNS's answer (coredns.rs)
//! ```

mod firewall;
mod ingress;
mod portmap;

pub use firewall::Source;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::coredns::{self, Objects};
use super::policy::Proto;
use crate::sim::api::{self, pointer::Pointer};
use crate::sim::apiserver::cache::WatchCache;
use crate::sim::ingress::IngressNginx;
use crate::sim::node::behaviour::net::{Connect, DnsReply, Network, Peer, QType};
use crate::sim::node::behaviour::nettools::http::{self, Response};
use crate::sim::node::behaviour::probe::listening;
use crate::sim::node::behaviour::programs::ServerKind;
use crate::sim::node::behaviour::timeline;
use crate::sim::node::kubelet::worker::CStatus;
use crate::sim::node::proxy::Dnat;
use crate::sim::rng::Rng;
use crate::sim::time::Millis;
use crate::sim::world::NodeActors;

/// kind's Docker network gateway, the node's resolver: it knows no cluster names and has no upstream.
const NODE_RESOLVER: &str = "172.18.0.1";

/// The data plane from one node's point of view, borrowed from the world for one exec.
pub struct PodNetwork<'w> {
    nodes: &'w BTreeMap<String, Box<NodeActors>>,
    cache: &'w WatchCache,
    /// The world's RNG: kube-proxy's statistic rules draw from it, one draw per connection.
    rng: RefCell<&'w mut Rng>,
    node: String,
    /// The pod the program runs in; `None` for the node itself.
    source: Option<Source>,
    now: Millis,
    /// ingress-nginx's controller, which routes what reaches its pods (when installed).
    ingress: Option<&'w IngressNginx>,
}

impl std::fmt::Debug for PodNetwork<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PodNetwork").field("node", &self.node).field("now", &self.now).finish()
    }
}

/// Where a packet ends up after the rules.
enum Hop {
    To(String, u16),
    Reject,
}

impl<'w> PodNetwork<'w> {
    /// The view of a pod on `node` at `now`.
    pub fn new(
        nodes: &'w BTreeMap<String, Box<NodeActors>>,
        cache: &'w WatchCache,
        rng: &'w mut Rng,
        node: &str,
        now: Millis,
    ) -> Self {
        PodNetwork { nodes, cache, rng: RefCell::new(rng), node: node.to_string(), source: None, now, ingress: None }
    }

    /// The same view where requests to ingress-nginx's pods are routed by its controller.
    pub fn with_ingress(mut self, controller: &'w IngressNginx) -> Self {
        self.ingress = Some(controller);
        self
    }

    /// The same view from inside one pod, whose NetworkPolicies (and its peers') then apply.
    pub fn from_pod(mut self, namespace: &str, pod: &str) -> Self {
        self.source = Some(Source { namespace: namespace.to_string(), pod: pod.to_string() });
        self
    }

    /// Whether kindnet lets the connection's first packet through (after DNAT) to `ip:port`.
    fn admits(&self, ip: &str, port: u16, proto: Proto) -> bool {
        let node_ip = self.nodes.get(&self.node).map_or("", |n| n.config.internal_ip.as_str());
        firewall::admits(self.cache, &self.node, node_ip, self.source.as_ref(), ip, port, proto)
    }

    /// Picks one backend as the `KUBE-SVC-*` chain does: rule i of n matches with probability
    /// 1/(n-i), which is a uniform choice; one draw (none when there is a single endpoint).
    fn pick(&self, backends: &[String]) -> Option<(String, u16)> {
        let i = if backends.len() > 1 { self.rng.borrow_mut().below(backends.len() as u64) as usize } else { 0 };
        let (ip, port) = backends.get(i)?.rsplit_once(':')?;
        Some((ip.to_string(), port.parse().ok()?))
    }

    fn apply(&self, d: Dnat, ip: &str, port: u16) -> Hop {
        match d {
            Dnat::NoRule => Hop::To(ip.to_string(), port),
            Dnat::Reject => Hop::Reject,
            Dnat::To(b) => self.pick(&b).map_or(Hop::Reject, |(ip, port)| Hop::To(ip, port)),
        }
    }

    /// The sending node's rules, then a node address's `KUBE-NODEPORTS`, then its host ports.
    fn route(&self, ip: &str, port: u16, protocol: &str) -> Hop {
        let Some(src) = self.nodes.get(&self.node) else { return Hop::To(ip.to_string(), port) };
        match self.apply(src.proxy.dnat(ip, port, protocol), ip, port) {
            Hop::To(ip, port) => match self.nodes.iter().find(|(_, n)| n.config.internal_ip == ip && n.running) {
                Some((name, n)) => match n.proxy.node_port(port, protocol) {
                    Dnat::NoRule => match portmap::host_port(self.cache, name, port, protocol) {
                        Some((pod_ip, pod_port)) => Hop::To(pod_ip, pod_port),
                        None => Hop::To(ip, port),
                    },
                    d => self.apply(d, &ip, port),
                },
                None => Hop::To(ip, port),
            },
            reject => reject,
        }
    }

    /// The pod that has `ip`, with whether its node is up.
    fn pod(&self, ip: &str) -> Option<(bool, &'w crate::sim::node::kubelet::worker::PodWorker)> {
        self.nodes.values().find_map(|n| {
            n.kubelet.pods.values().find(|w| w.sandbox.as_ref().is_some_and(|s| s.ip == ip)).map(|w| (n.running, &**w))
        })
    }

    /// A connection reaching `ip:port` after the rules.
    fn reach(&self, ip: &str, port: u16) -> Connect {
        if let Some(n) = self.nodes.values().find(|n| n.config.internal_ip == ip) {
            // A node's own port with no NodePort rule: nothing the simulation runs listens there.
            return if n.running { Connect::Refused } else { Connect::TimedOut };
        }
        let Some((running, w)) = self.pod(ip) else { return Connect::TimedOut };
        if !running {
            return Connect::TimedOut;
        }
        for c in &w.containers {
            let (CStatus::Running { started_at }, Some(b)) = (&c.status, &c.behaviour) else { continue };
            let elapsed = self.now.saturating_sub(*started_at);
            if let Some(s) = b.server().filter(|_| listening(b, port, elapsed)) {
                let up_for = elapsed.saturating_sub(timeline::loop_start(b));
                return Connect::Open(Peer {
                    ip: ip.to_string(),
                    port,
                    server: s.kind.clone(),
                    hostname: w.spec.hostname.clone(),
                    up_for,
                    now: self.now,
                });
            }
        }
        Connect::Refused
    }

    /// CoreDNS's answer from the objects as the apiserver holds them now.
    fn coredns(&self, name: &str, qtype: QType) -> DnsReply {
        // Shared handles (a reference count each), so that the lists outlive the prefix strings.
        let list = |plural: &str| -> Vec<Arc<Value>> {
            let Some(rt) = api::resolve(plural) else { return Vec::new() };
            let prefix = api::storage_prefix(rt, None);
            self.cache.list_prefix_shared(&prefix).cloned().collect()
        };
        let (services, slices, namespaces) = (list("services"), list("endpointslices"), list("namespaces"));
        let services: Vec<&Value> = services.iter().map(|v| &**v).collect();
        let slices: Vec<&Value> = slices.iter().map(|v| &**v).collect();
        let names: Vec<&str> =
            namespaces.iter().filter_map(|n| n.at("/metadata/name").and_then(Value::as_str)).collect();
        coredns::answer(&Objects { services: &services, slices: &slices, namespaces: &names }, name, qtype)
    }
}

impl Network for PodNetwork<'_> {
    fn dns(&self, server: &str, name: &str, qtype: QType) -> DnsReply {
        if server == NODE_RESOLVER {
            return if self.admits(server, 53, Proto::Udp) { DnsReply::ServFail } else { DnsReply::Timeout };
        }
        match self.route(server, 53, "UDP") {
            // UDP to a Service without endpoints: the ICMP error is not a DNS answer; clients wait.
            Hop::Reject => DnsReply::Timeout,
            // Dropped by a NetworkPolicy: the query is never answered.
            Hop::To(ip, port) if !self.admits(&ip, port, Proto::Udp) => DnsReply::Timeout,
            Hop::To(ip, port) => match self.reach(&ip, port) {
                Connect::Open(_) => self.coredns(name, qtype),
                _ => DnsReply::Timeout,
            },
        }
    }

    fn connect(&self, ip: &str, port: u16) -> Connect {
        // Another node's address leaves this node as it is (its NodePort DNAT happens over there), so
        // the sending node's agent decides it against that address first.
        let other_node = self.nodes.iter().any(|(name, n)| *name != self.node && n.config.internal_ip == ip);
        if other_node && !self.admits(ip, port, Proto::Tcp) {
            return Connect::TimedOut;
        }
        match self.route(ip, port, "TCP") {
            Hop::Reject => Connect::Refused,
            // Dropped by a NetworkPolicy: the SYN goes unanswered.
            Hop::To(ip, port) if !self.admits(&ip, port, Proto::Tcp) => Connect::TimedOut,
            Hop::To(ip, port) => self.reach(&ip, port),
        }
    }

    fn http(&self, peer: &Peer, host: &str, path: &str) -> Response {
        match (&peer.server, self.ingress) {
            (ServerKind::IngressNginx, Some(controller)) if matches!(peer.port, 80 | 443) => {
                self.through_ingress(controller, peer, host, path)
            }
            _ => http::get(peer, path),
        }
    }

    fn ping(&self, ip: &str) -> bool {
        if !self.admits(ip, 0, Proto::Icmp) {
            return false;
        }
        if let Some(n) = self.nodes.values().find(|n| n.config.internal_ip == ip) {
            return n.running;
        }
        self.pod(ip).is_some_and(|(running, _)| running)
    }
}
