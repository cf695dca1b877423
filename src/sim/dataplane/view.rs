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
//! Seen from a pod, each exchange's path is also kept as hops (`../path.rs`), which the world then
//! sends as messages: the rules matched, the nodes crossed, where a packet was dropped.

mod firewall;
mod ingress;
mod portmap;

pub use firewall::Source;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::coredns::{self, Objects};
use super::path::{MAX_HOPS, Trip};
use super::policy::{Proto, Verdict};
use crate::sim::api::{self, pointer::Pointer};
use crate::sim::apiserver::cache::WatchCache;
use crate::sim::component::Component;
use crate::sim::ingress::IngressNginx;
use crate::sim::node::behaviour::net::{Connect, DnsReply, Network, Peer, QType, Record};
use crate::sim::node::behaviour::nettools::http::{self, Response};
use crate::sim::node::behaviour::probe::listening;
use crate::sim::node::behaviour::programs::ServerKind;
use crate::sim::node::behaviour::timeline;
use crate::sim::node::kubelet::worker::CStatus;
use crate::sim::node::proxy::Dnat;
use crate::sim::protocol::packet::Hop as PacketHop;
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
    /// The hops of the exchanges so far, when seen from a pod (at most [`MAX_HOPS`]).
    hops: RefCell<Vec<PacketHop>>,
    /// ingress-nginx's controller, which routes what reaches its pods (when installed).
    ingress: Option<&'w IngressNginx>,
}

impl std::fmt::Debug for PodNetwork<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PodNetwork").field("node", &self.node).field("now", &self.now).finish()
    }
}

/// Where a packet ends up after the rules.
#[derive(Clone)]
enum Hop {
    To(String, u16),
    Reject,
}

/// Where the rules sent a packet, and the rules it matched: on the sending node, then (for a
/// node's address) on that node's `KUBE-NODEPORTS`.
struct Routed {
    hop: Hop,
    /// The rules matched on the sending node, and where they sent it.
    here: (Vec<String>, Hop),
    /// The node whose NodePort rules it then matched, and those rules.
    node_port: Option<(String, Vec<String>)>,
}

/// What has an address.
enum Place {
    Pod { node: String, pod: Component },
    Node(String),
    Nowhere,
}

/// Where `hop` addresses the packet (`ip:port`; ICMP has no port).
fn addr(hop: &Hop, ip: &str, port: u16) -> String {
    let (ip, port) = match hop {
        Hop::To(ip, port) => (ip.as_str(), *port),
        Hop::Reject => (ip, port),
    };
    if port == 0 { ip.to_string() } else { format!("{ip}:{port}") }
}

/// What kindnet's agent says when it drops a packet (`Verdict` from `policy.rs`).
fn why(v: Verdict) -> String {
    match v {
        Verdict::DenyEgress => {
            "dropped: the source pod is isolated for egress and no NetworkPolicy egress rule allows it"
        }
        Verdict::DenyIngress => {
            "dropped: the destination pod is isolated for ingress and no NetworkPolicy ingress rule allows this source"
        }
        Verdict::Allow => "allowed",
    }
    .to_string()
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
        PodNetwork {
            nodes,
            cache,
            rng: RefCell::new(rng),
            node: node.to_string(),
            source: None,
            now,
            hops: RefCell::new(Vec::new()),
            ingress: None,
        }
    }

    /// The same view where requests to ingress-nginx's pods are routed by its controller.
    pub fn with_ingress(mut self, controller: &'w IngressNginx) -> Self {
        self.ingress = Some(controller);
        self
    }

    /// The hops of every exchange the program made, in order, to be sent as messages.
    pub fn take_hops(&self) -> Vec<PacketHop> {
        std::mem::take(&mut self.hops.borrow_mut())
    }

    /// The program's pod as a packet's end, with its address; None seen from the node itself.
    fn client(&self) -> Option<(Component, String)> {
        let s = self.source.as_ref()?;
        let n = self.nodes.get(&self.node)?;
        let w = n.kubelet.pods.values().find(|w| w.spec.namespace == s.namespace && w.spec.name == s.pod)?;
        let ip = w.sandbox.as_ref().map(|b| b.ip.clone())?;
        Some((Component::Pod(format!("{}/{}", s.namespace, s.pod)), ip))
    }

    /// A new exchange from the program's pod to `dst`, when there is room for it in the record.
    fn trip(&self, proto: &'static str, dst: String, what: String) -> Option<Trip> {
        if self.hops.borrow().len() >= MAX_HOPS {
            return None;
        }
        let (client, ip) = self.client()?;
        Some(Trip::start(proto, client, &ip, &self.node, dst, what))
    }

    /// Keeps an exchange's hops, if they fit.
    fn keep(&self, trip: Option<Trip>) {
        let Some(t) = trip else { return };
        let mut hops = self.hops.borrow_mut();
        if hops.len() + t.hops.len() <= MAX_HOPS {
            hops.extend(t.hops);
        }
    }

    /// Who has `ip`: a pod (on its node), a node, or nobody.
    fn place(&self, ip: &str) -> Place {
        if let Some((name, _)) = self.nodes.iter().find(|(_, n)| n.config.internal_ip == ip) {
            return Place::Node(name.clone());
        }
        for (name, n) in self.nodes {
            if let Some(w) = n.kubelet.pods.values().find(|w| w.sandbox.as_ref().is_some_and(|s| s.ip == ip)) {
                let pod = Component::Pod(format!("{}/{}", w.spec.namespace, w.spec.name));
                return Place::Pod { node: name.clone(), pod };
            }
        }
        Place::Nowhere
    }

    fn node_ip(&self, node: &str) -> &str {
        self.nodes.get(node).map_or("", |n| n.config.internal_ip.as_str())
    }

    /// Records the path of a packet the rules sent to `routed` and kindnet judged `verdict`: the
    /// sending node's rules, a NodePort's node, the CNI's route to the target's node, and either a
    /// drop or the target pod. Returns whether it reached a pod (whose answer the caller records).
    fn carry(&self, t: &mut Trip, ip: &str, port: u16, routed: &Routed, verdict: Verdict, refused: &str) -> bool {
        let (lines, first) = &routed.here;
        if let Hop::Reject = first {
            t.reject(lines.clone(), refused);
            return false;
        }
        let mut at = self.node.clone();
        match &routed.node_port {
            Some((n, np)) if *n == self.node && lines.is_empty() => {
                t.rules(&at, np.clone(), addr(&routed.hop, ip, port))
            }
            Some((n, np)) => {
                t.rules(&at, lines.clone(), addr(first, ip, port));
                t.to_node_rules(n);
                at = n.clone();
                if let Hop::Reject = routed.hop {
                    t.reject(np.clone(), refused);
                    return false;
                }
                t.rules(&at, np.clone(), addr(&routed.hop, ip, port));
            }
            None => t.rules(&at, lines.clone(), addr(&routed.hop, ip, port)),
        }
        let Hop::To(dst, _) = &routed.hop else { return false };
        let (target_node, target) = match self.place(dst) {
            Place::Pod { node, pod } => (node, Some(pod)),
            Place::Node(node) => (node, None),
            // Out of the default route to kind's Docker network: nobody answers.
            Place::Nowhere => return false,
        };
        if verdict != Verdict::Allow {
            let next =
                if target_node != at { Component::Cni(target_node) } else { target.unwrap_or(Component::Cni(at)) };
            t.drop(next, why(verdict));
            return false;
        }
        if target_node != at {
            t.cross(&target_node, self.node_ip(&target_node));
        }
        match target {
            Some(pod) => {
                t.deliver(pod, None);
                true
            }
            None => false,
        }
    }

    /// The same view from inside one pod, whose NetworkPolicies (and its peers') then apply.
    pub fn from_pod(mut self, namespace: &str, pod: &str) -> Self {
        self.source = Some(Source { namespace: namespace.to_string(), pod: pod.to_string() });
        self
    }

    /// A connection to `localhost:port` inside the view's pod, as the runtime's port-forward dials it
    /// (`from_pod` first): loopback never leaves the pod's network namespace, so no kube-proxy rule
    /// or NetworkPolicy applies; what listens there answers.
    pub fn loopback(&self, port: u16) -> Connect {
        match self.client() {
            Some((_, ip)) => self.reach(&ip, port),
            None => Connect::Refused,
        }
    }

    /// kindnet's verdict on the connection's first packet (after DNAT) to `ip:port`.
    fn verdict(&self, ip: &str, port: u16, proto: Proto) -> Verdict {
        firewall::verdict(self.cache, &self.node, self.node_ip(&self.node), self.source.as_ref(), ip, port, proto)
    }

    /// Whether kindnet lets the connection's first packet through (after DNAT) to `ip:port`.
    fn admits(&self, ip: &str, port: u16, proto: Proto) -> bool {
        self.verdict(ip, port, proto) == Verdict::Allow
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

    /// The sending node's rules, then a node address's `KUBE-NODEPORTS`, then its host ports (the
    /// CNI's portmap), with the rules matched.
    fn route(&self, ip: &str, port: u16, protocol: &str) -> Routed {
        let Some(src) = self.nodes.get(&self.node) else {
            let hop = Hop::To(ip.to_string(), port);
            return Routed { here: (Vec::new(), hop.clone()), hop, node_port: None };
        };
        let hop = self.apply(src.proxy.dnat(ip, port, protocol), ip, port);
        let chosen = |h: &Hop| if let Hop::To(i, p) = h { Some(format!("{i}:{p}")) } else { None };
        let here = (src.proxy.matched(ip, port, protocol, false, chosen(&hop).as_deref()), hop.clone());
        match hop {
            Hop::To(ip, port) => match self.nodes.iter().find(|(_, n)| n.config.internal_ip == ip && n.running) {
                Some((name, n)) => match n.proxy.node_port(port, protocol) {
                    Dnat::NoRule => {
                        let hop = match portmap::host_port(self.cache, name, port, protocol) {
                            Some((pod_ip, pod_port)) => Hop::To(pod_ip, pod_port),
                            None => Hop::To(ip, port),
                        };
                        Routed { hop, here, node_port: None }
                    }
                    d => {
                        let hop = self.apply(d, &ip, port);
                        let lines = n.proxy.matched(&ip, port, protocol, true, chosen(&hop).as_deref());
                        Routed { hop, here, node_port: Some((name.clone(), lines)) }
                    }
                },
                None => Routed { hop: Hop::To(ip, port), here, node_port: None },
            },
            reject => Routed { hop: reject, here, node_port: None },
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
        let what = format!("DNS query {} {name}", qtype_name(qtype));
        let mut trip = self.trip("UDP", format!("{server}:53"), what);
        if server == NODE_RESOLVER {
            let admitted = self.admits(server, 53, Proto::Udp);
            if let Some(t) = &mut trip {
                t.rules(&self.node, Vec::new(), format!("{server}:53"));
                if admitted {
                    t.reply("DNS reply SERVFAIL (kind's Docker gateway has no upstream)");
                }
            }
            self.keep(trip);
            return if admitted { DnsReply::ServFail } else { DnsReply::Timeout };
        }
        let routed = self.route(server, 53, "UDP");
        let verdict = match &routed.hop {
            Hop::To(ip, port) => self.verdict(ip, *port, Proto::Udp),
            Hop::Reject => Verdict::Allow,
        };
        let reached =
            trip.as_mut().is_some_and(|t| self.carry(t, server, 53, &routed, verdict, "ICMP port unreachable"));
        let reply = match routed.hop {
            // UDP to a Service without endpoints: the ICMP error is not a DNS answer; clients wait.
            Hop::Reject => DnsReply::Timeout,
            // Dropped by a NetworkPolicy: the query is never answered.
            Hop::To(..) if verdict != Verdict::Allow => DnsReply::Timeout,
            Hop::To(ip, port) => match self.reach(&ip, port) {
                Connect::Open(_) => self.coredns(name, qtype),
                _ => DnsReply::Timeout,
            },
        };
        if let Some(t) = trip.as_mut().filter(|_| reached && reply != DnsReply::Timeout) {
            t.reply(&format!("DNS reply {}", reply_words(&reply)));
        }
        self.keep(trip);
        reply
    }

    fn connect(&self, ip: &str, port: u16) -> Connect {
        let mut trip = self.trip("TCP", format!("{ip}:{port}"), "SYN".into());
        // Another node's address leaves this node as it is (its NodePort DNAT happens over there), so
        // the sending node's agent decides it against that address first.
        let other_node = self.nodes.iter().find(|(name, n)| **name != self.node && n.config.internal_ip == ip);
        if let Some((other, _)) = other_node {
            let v = self.verdict(ip, port, Proto::Tcp);
            if v != Verdict::Allow {
                if let Some(t) = &mut trip {
                    t.rules(&self.node, Vec::new(), format!("{ip}:{port}"));
                    t.drop(Component::Cni(other.clone()), why(v));
                }
                self.keep(trip);
                return Connect::TimedOut;
            }
        }
        let routed = self.route(ip, port, "TCP");
        let verdict = match &routed.hop {
            Hop::To(ip, port) => self.verdict(ip, *port, Proto::Tcp),
            Hop::Reject => Verdict::Allow,
        };
        let reached = trip.as_mut().is_some_and(|t| self.carry(t, ip, port, &routed, verdict, "RST"));
        let result = match routed.hop {
            Hop::Reject => Connect::Refused,
            // Dropped by a NetworkPolicy: the SYN goes unanswered.
            Hop::To(..) if verdict != Verdict::Allow => Connect::TimedOut,
            Hop::To(ip, port) => self.reach(&ip, port),
        };
        if let Some(t) = trip.as_mut().filter(|_| reached) {
            match &result {
                Connect::Open(_) => t.reply("SYN-ACK"),
                Connect::Refused => t.reply("RST"),
                Connect::TimedOut => {}
            }
        }
        self.keep(trip);
        result
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
        let mut trip = self.trip("ICMP", ip.to_string(), "echo request".into());
        let verdict = self.verdict(ip, 0, Proto::Icmp);
        let answered = verdict == Verdict::Allow
            && match self.nodes.values().find(|n| n.config.internal_ip == ip) {
                Some(n) => n.running,
                None => self.pod(ip).is_some_and(|(running, _)| running),
            };
        if let Some(t) = &mut trip {
            let routed =
                Routed { hop: Hop::To(ip.into(), 0), here: (Vec::new(), Hop::To(ip.into(), 0)), node_port: None };
            let reached = self.carry(t, ip, 0, &routed, verdict, "");
            if reached && answered {
                t.reply("echo reply");
            }
        }
        self.keep(trip);
        answered
    }
}

fn qtype_name(q: QType) -> &'static str {
    match q {
        QType::A => "A",
        QType::Aaaa => "AAAA",
        QType::Ptr => "PTR",
    }
}

/// A DNS reply in a few words: `NOERROR A 10.96.12.34`, `NXDOMAIN`.
fn reply_words(r: &DnsReply) -> String {
    match r {
        DnsReply::Answer(records) if records.is_empty() => "NOERROR (no records)".into(),
        DnsReply::Answer(records) => {
            let rs: Vec<String> = records
                .iter()
                .map(|r| match r {
                    Record::A { ip, .. } => format!("A {ip}"),
                    Record::Cname { target, .. } => format!("CNAME {target}"),
                    Record::Ptr { target, .. } => format!("PTR {target}"),
                })
                .collect();
            format!("NOERROR {}", rs.join(", "))
        }
        DnsReply::NxDomain => "NXDOMAIN".into(),
        DnsReply::ServFail => "SERVFAIL".into(),
        DnsReply::Timeout => "none".into(),
    }
}
