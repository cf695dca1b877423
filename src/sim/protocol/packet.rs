//! A packet of the data plane as a message: one hop of a connection or DNS query a program in a pod
//! made, with what the hop's owner decided (kube-proxy's matched rules, kindnet's route and policy
//! verdict). The path is decided when the program runs (`dataplane::view`); the hops then travel
//! the simulated network one after the other (`dataplane::path`), so the trace and the diagram show
//! them.

use std::sync::Arc;

use crate::sim::component::Component;

/// One packet on one hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// `TCP`, `UDP` or `ICMP`.
    pub proto: &'static str,
    /// The sender's address.
    pub src: String,
    /// Where it is addressed on this hop (`ip:port`; after a DNAT, the endpoint).
    pub dst: String,
    /// What it carries, in words: `SYN`, `DNS query A web.default.svc.cluster.local`, `RST`.
    pub what: String,
    /// The rules it matched on the hop it just left, as `iptables-save` prints them (kube-proxy's
    /// `KUBE-SERVICES` jump, `KUBE-SVC-*` choice and `KUBE-SEP-*` DNAT, or a REJECT): the inspector
    /// highlights them in the node's rules.
    pub rules: Vec<String>,
    /// The hops still to go, sent one by one as each arrives.
    pub next: Rest,
}

/// The rest of a packet's path: the whole path, shared by every packet on it (a clone is a
/// reference count, not a copy of the hops still to go, as the trace keeps a clone of each
/// message), and where this packet is on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rest {
    pub path: Option<Arc<[Hop]>>,
    /// The index in `path` of the hop sent when this packet arrives.
    pub at: usize,
}

/// A hop not sent yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub from: Component,
    pub to: Component,
    pub packet: Packet,
    /// What the sender decided (shown in the story: `DNAT to 10.244.2.3:80`, `allowed by ...`).
    pub decision: Option<String>,
    /// Dropped by kindnet's policy agent before it arrives (a NetworkPolicy): the path ends here.
    pub filtered: bool,
}

impl Packet {
    /// `TCP 10.244.1.2 → 10.96.12.34:80 SYN`.
    pub fn summary(&self) -> String {
        format!("{} {} → {} {}", self.proto, self.src, self.dst, self.what)
    }
}
