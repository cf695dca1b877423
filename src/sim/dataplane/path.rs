//! A packet's path as messages: the hops a program's connection or DNS query takes, decided by the
//! data plane when the program runs (`view.rs`), then sent on the simulated network one after the
//! other, each hop sent when the one before arrives, so the trace and the diagram show them.
//!
//! ```text
//!   pod ──► kube-proxy/A ──► kindnet/A ──► kindnet/B ──► pod        (DNAT on A, route to B)
//!    ▲           │ REJECT          │ NetworkPolicy: dropped (filtered)
//!    └── reply ──┴─────────────────┴──────────────────────── pod    (conntrack undoes the DNAT)
//! ```
//! kube-proxy's "hop" is the node's netfilter rules it wrote; kindnet's is the node's routes to the
//! other nodes' pod ranges and its NetworkPolicy agent. A connection is a few messages (its first
//! packet's path and the answer), not one per packet, and an exec records at most [`MAX_HOPS`].

use std::sync::Arc;

use crate::sim::component::Component;
use crate::sim::kernel::Kernel;
use crate::sim::protocol::message::Payload;
use crate::sim::protocol::packet::{Hop, Packet, Rest};

/// At most this many hops are recorded per program run (a `ping -c 100` draws its first echoes).
pub const MAX_HOPS: usize = 64;

/// Sends the first hop of `hops`; [`forward`] sends each of the others when the one before arrives.
pub fn send(k: &mut Kernel, hops: Vec<Hop>) {
    send_from(k, hops.into(), 0);
}

/// A packet arrived: its next hop leaves from here.
pub fn forward(k: &mut Kernel, p: Packet) {
    if let Some(path) = p.next.path {
        send_from(k, path, p.next.at);
    }
}

/// Sends hop `at` of `path`. A dropped hop ends its exchange but not the program: the next one (the
/// program's next exchange, or nginx's 504 to its own client) leaves from the same handling, as the
/// sender gives up (the timeout it waits is not spent in virtual time).
fn send_from(k: &mut Kernel, path: Arc<[Hop]>, mut at: usize) {
    while let Some(hop) = path.get(at) {
        at += 1;
        let mut packet = hop.packet.clone();
        packet.next = Rest { path: Some(path.clone()), at };
        if let Some(d) = &hop.decision {
            k.decide(d.clone());
        }
        let payload = Payload::Packet(Box::new(packet));
        if !hop.filtered {
            k.send(hop.from.clone(), hop.to.clone(), payload);
            return;
        }
        k.send_filtered(hop.from.clone(), hop.to.clone(), payload);
    }
}

/// A hop on its own, outside any [`Trip`]: an answer on a connection already open (nginx's HTTP
/// answer to its client).
pub fn answer(from: Component, to: Component, src: String, dst: String, what: String, decision: String) -> Hop {
    let packet = Packet { proto: "TCP", src, dst, what, rules: Vec::new(), next: Rest::default() };
    Hop { from, to, packet, decision: Some(decision), filtered: false }
}

/// One exchange (a connection's first packet and its answer, or a DNS query and its reply) as it
/// is decided, hop by hop.
#[derive(Debug)]
pub struct Trip {
    proto: &'static str,
    client: Component,
    src: String,
    /// Where the client addressed it (what a reply's source is rewritten back to).
    addressed: String,
    dst: String,
    what: String,
    /// Who holds the packet now.
    at: Component,
    pub hops: Vec<Hop>,
}

impl Trip {
    fn new(proto: &'static str, client: Component, src: &str, dst: String, what: String) -> Trip {
        Trip {
            proto,
            at: client.clone(),
            client,
            src: src.to_string(),
            addressed: dst.clone(),
            dst,
            what,
            hops: Vec::new(),
        }
    }

    /// The packet leaves `client` (address `src`) for `dst`, into its node's rules.
    pub fn start(proto: &'static str, client: Component, src: &str, node: &str, dst: String, what: String) -> Trip {
        let mut t = Trip::new(proto, client, src, dst, what);
        t.push(Component::KubeProxy(node.to_string()), Vec::new(), None, false);
        t
    }

    /// A packet that `client` sends straight to a pod's address, which no Service rule matches: the
    /// first hop drawn is `node`'s CNI (kindnet routes it), and `decision` tells why the client chose
    /// `dst` (nginx's location, upstream and endpoint).
    pub fn start_routed(
        (proto, client, src): (&'static str, Component, &str),
        node: &str,
        dst: String,
        what: String,
        decision: String,
    ) -> Trip {
        let mut t = Trip::new(proto, client, src, dst, what);
        t.push(Component::Cni(node.to_string()), Vec::new(), Some(decision), false);
        t
    }

    fn push(&mut self, to: Component, rules: Vec<String>, decision: Option<String>, filtered: bool) {
        let packet = Packet {
            proto: self.proto,
            src: self.src.clone(),
            dst: self.dst.clone(),
            what: self.what.clone(),
            rules,
            next: Rest::default(),
        };
        self.hops.push(Hop { from: self.at.clone(), to: to.clone(), packet, decision, filtered });
        self.at = to;
    }

    /// `node`'s rules were walked (`lines` matched, none when no Service rule did) and the packet
    /// goes on to `node`'s CNI, addressed to `dst` (the endpoint after a DNAT).
    pub fn rules(&mut self, node: &str, lines: Vec<String>, dst: String) {
        let decision = if lines.is_empty() {
            "no Service rule matched: routed as addressed".to_string()
        } else {
            format!("{}: DNAT to {dst}", chain_path(&lines))
        };
        self.dst = dst;
        self.push(Component::Cni(node.to_string()), lines, Some(decision), false);
    }

    /// `node`'s rules REJECT it (a Service without endpoints): the node answers the client.
    pub fn reject(&mut self, lines: Vec<String>, answer: &str) {
        let decision = format!("{}: REJECT (the Service has no endpoints)", chain_path(&lines));
        self.reply_from(self.at.clone(), lines, answer, Some(decision));
    }

    /// The CNI routes it to another node (`node`, address `ip`).
    pub fn cross(&mut self, node: &str, ip: &str) {
        let to = self.dst.split(':').next().unwrap_or_default();
        let decision = format!("route {to} via {ip} ({node})");
        self.push(Component::Cni(node.to_string()), Vec::new(), Some(decision), false);
    }

    /// It reaches `node`'s own address, and so that node's rules (its `KUBE-NODEPORTS`).
    pub fn to_node_rules(&mut self, node: &str) {
        let decision = format!("{} is {node}'s address", self.dst);
        self.push(Component::KubeProxy(node.to_string()), Vec::new(), Some(decision), false);
    }

    /// The CNI hands it to the pod `to` (through its veth).
    pub fn deliver(&mut self, to: Component, decision: Option<String>) {
        self.push(to, Vec::new(), decision, false);
    }

    /// kindnet's policy agent drops it on its way to `to`: the path ends, filtered.
    pub fn drop(&mut self, to: Component, why: String) {
        self.push(to, Vec::new(), Some(why), true);
    }

    /// The answer (`SYN-ACK`, `RST`, a DNS reply) from whoever holds the packet now, back to the client.
    pub fn reply(&mut self, answer: &str) {
        let decision = (self.dst != self.addressed).then(|| {
            format!("conntrack on the client's node restores its source to {} (undoing the DNAT)", self.addressed)
        });
        self.reply_from(self.at.clone(), Vec::new(), answer, decision);
    }

    fn reply_from(&mut self, from: Component, rules: Vec<String>, answer: &str, decision: Option<String>) {
        let src =
            if self.dst == self.addressed || rules.is_empty() { self.dst.clone() } else { self.addressed.clone() };
        let packet = Packet {
            proto: self.proto,
            src,
            dst: self.src.clone(),
            what: answer.to_string(),
            rules,
            next: Rest::default(),
        };
        self.hops.push(Hop { from, to: self.client.clone(), packet, decision, filtered: false });
    }
}

/// `KUBE-SERVICES → KUBE-SVC-X → KUBE-SEP-Y`: the chains the matched rules walk, in order.
pub fn chain_path(lines: &[String]) -> String {
    let mut chains: Vec<&str> = Vec::new();
    for l in lines {
        let mut words = l.split_whitespace();
        if let (Some("-A"), Some(chain)) = (words.next(), words.next())
            && chains.last() != Some(&chain)
        {
            chains.push(chain);
        }
    }
    chains.join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chains_walked_in_order() {
        let lines = [
            "-A KUBE-SERVICES -d 10.96.0.5/32 -p tcp -j KUBE-SVC-AAA".to_string(),
            "-A KUBE-SVC-AAA -m statistic --mode random --probability 0.5 -j KUBE-SEP-BBB".to_string(),
            "-A KUBE-SEP-BBB -p tcp -j DNAT --to-destination 10.244.1.2:80".to_string(),
        ];
        assert_eq!(chain_path(&lines), "KUBE-SERVICES → KUBE-SVC-AAA → KUBE-SEP-BBB");
        assert_eq!(chain_path(&[]), "");
    }

    /// Each hop is sent when the one before it arrives: one message in flight at a time, each
    /// caused by the one before.
    #[test]
    fn hops_travel_one_after_the_other() {
        let mut k = Kernel::new(1);
        let client = Component::Pod("default/client".into());
        let mut t = Trip::start("TCP", client, "10.244.1.2", "w1", "10.96.0.5:80".into(), "SYN".into());
        t.rules("w1", Vec::new(), "10.96.0.5:80".into());
        t.deliver(Component::Pod("default/web".into()), None);
        t.reply("SYN-ACK");
        send(&mut k, t.hops);
        assert_eq!(k.trace.len(), 1);
        let mut sent = 1;
        while let Some(crate::sim::kernel::Scheduled::Deliver(m)) = k.pop_due(u64::MAX) {
            if let Payload::Packet(p) = m.payload {
                forward(&mut k, *p);
            }
            k.end_handling();
            sent += 1;
            assert!(k.trace.len() <= sent);
        }
        let e: Vec<_> = k.trace.entries().iter().map(|e| (e.from.to_string(), e.to.to_string())).collect();
        assert_eq!(
            e,
            [
                ("pod/default/client".to_string(), "kube-proxy/w1".to_string()),
                ("kube-proxy/w1".into(), "kindnet/w1".into()),
                ("kindnet/w1".into(), "pod/default/web".into()),
                ("pod/default/web".into(), "pod/default/client".into()),
            ]
        );
        let entries = k.trace.entries();
        assert!(entries.iter().skip(1).zip(entries.iter()).all(|(b, a)| b.cause == Some(a.id)));
        assert_eq!(entries[1].decision.as_deref(), Some("no Service rule matched: routed as addressed"));
    }
}
