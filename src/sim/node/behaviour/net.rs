//! The network as a program inside a container sees it: a DNS query to a server, a TCP connection
//! to an address and port, an ICMP echo. The world answers from the cluster's real state (kube-proxy's
//! rules, the endpoints, the pods and their servers); the symbolic shell only asks.
//!
//! Kept as a trait so that this module knows nothing of the world: probes and unit tests run programs
//! with no network at all (`Ctx::net` is `None`), and a test can hand in a fixed one.

pub mod resolver;

use super::programs::ServerKind;
use crate::sim::time::Millis;

/// The DNS record types the programs ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QType {
    A,
    Aaaa,
    /// A reverse lookup of `d.c.b.a.in-addr.arpa`.
    Ptr,
}

/// One answer record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    A {
        name: String,
        ip: String,
    },
    /// An ExternalName Service (or any alias): `name` is an alias of `target`.
    Cname {
        name: String,
        target: String,
    },
    /// A reverse record: `name` (`d.c.b.a.in-addr.arpa`) points at `target`.
    Ptr {
        name: String,
        target: String,
    },
}

/// What came back for one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsReply {
    /// NOERROR; an empty list is NODATA (the name exists, not with this type).
    Answer(Vec<Record>),
    NxDomain,
    /// The server could not answer (CoreDNS's forward plugin with no reachable upstream).
    ServFail,
    /// Nothing came back: no such server, no ready endpoint behind it, or it is down.
    Timeout,
}

/// The server a connection reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The address the connection was DNAT-ed to (a pod IP), or the one dialled.
    pub ip: String,
    pub port: u16,
    pub server: ServerKind,
    /// The pod's hostname (what serve-hostname answers).
    pub hostname: String,
    /// How long the server has been up (the liveness demo's answer changes at 10 s).
    pub up_for: Millis,
    /// When the connection was made (virtual time), for servers that print the time.
    pub now: Millis,
}

/// How a TCP connection attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connect {
    Open(Peer),
    /// A RST came back: nothing listens there, or kube-proxy's REJECT for a Service without endpoints.
    Refused,
    /// Nothing came back (an address nobody has, a pod on a node that is down).
    TimedOut,
}

/// The cluster's data plane as seen from one pod.
pub trait Network: std::fmt::Debug {
    /// One query for the absolute `name` (no trailing dot) sent to `server`, port 53.
    fn dns(&self, server: &str, name: &str, qtype: QType) -> DnsReply;
    /// A TCP connection from the pod to `ip:port`.
    fn connect(&self, ip: &str, port: u16) -> Connect;
    /// Whether an ICMP echo to `ip` is answered.
    fn ping(&self, ip: &str) -> bool;
    /// What the server of an open connection answers to `GET path` with this `Host` header. Most
    /// answer by themselves; a proxy (ingress-nginx) opens its own connection onward, so the world
    /// may answer differently.
    fn http(&self, peer: &Peer, host: &str, path: &str) -> super::nettools::http::Response {
        let _ = host;
        super::nettools::http::get(peer, path)
    }
}

/// Linux gives up a TCP connect after 6 SYN retransmissions: 1+2+4+8+16+32+64 s
/// (`net.ipv4.tcp_syn_retries = 6`), so an unanswered connect fails after about 127 s.
pub const TCP_CONNECT_GIVE_UP: Millis = 127_000;

/// `10.96.0.10` -> `10.0.96.10.in-addr.arpa`, the name a reverse lookup asks for.
pub fn ptr_name(ip: &str) -> String {
    let mut parts: Vec<&str> = ip.split('.').collect();
    parts.reverse();
    format!("{}.in-addr.arpa", parts.join("."))
}

/// Whether `s` is a dotted IPv4 address.
pub fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_literals() {
        assert!(is_ipv4("10.96.0.10"));
        assert!(!is_ipv4("10.96.0"));
        assert!(!is_ipv4("10.96.0.256"));
        assert!(!is_ipv4("web.default"));
        assert!(!is_ipv4("1..2.3"));
    }
}
