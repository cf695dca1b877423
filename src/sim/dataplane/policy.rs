//! NetworkPolicy as kindnet enforces it: kindnet embeds kube-network-policies, which queues the first
//! packet of every new connection to or from a pod and decides it in user space
//! (`pkg/pipeline/networkpolicy.go`, `evaluatePolicyDirection`, `evaluateIngress`/`evaluateEgress`).
//!
//! ```text
//!   first packet src ──► dst (after kube-proxy's DNAT: dst is the backend pod, port its targetPort)
//!      │
//!      ├─ src is a pod?  policies in src's namespace whose podSelector selects it, with type Egress:
//!      │                   none ─► egress allowed; else allowed only if one egress rule matches (dst)
//!      └─ dst is a pod?  policies in dst's namespace whose podSelector selects it, with type Ingress:
//!                          none ─► ingress allowed; else allowed only if one ingress rule matches (src)
//!   both sides allow ─► accepted, and conntrack lets the replies of the connection through
//! ```
//!
//! A rule matches when one of its `ports` matches (none listed: any port) and one of its peers does
//! (none listed: anyone). A peer is an `ipBlock` (the other side's address within `cidr` and outside
//! every `except`), or selectors: `podSelector` alone means pods of the policy's own namespace,
//! `namespaceSelector` alone every pod of the namespaces it selects, both together (one peer) the
//! pods matching both; separate peers are ORed. Selectors match pods only: an address that is no pod
//! (a node, a host-network pod, outside the cluster) matches an `ipBlock` or nothing. A policy with
//! an empty (or absent) rule list for its type allows nothing: it only isolates its pods. Named ports
//! are resolved against the destination pod's container ports; `endPort` makes a range.

#[cfg(test)]
mod tests;

use std::net::Ipv4Addr;

use serde_json::Value;

use crate::sim::api::pointer::Pointer;
use crate::sim::api::selector::{label_selector_matches, object_labels};

/// One side of a connection as the policy engine knows it (kube-network-policies' `api.PodInfo`).
#[derive(Debug, Clone, Copy)]
pub struct PodInfo<'a> {
    /// The Pod object as the apiserver holds it (labels, namespace, container ports).
    pub pod: &'a Value,
    /// Its Namespace object (for `namespaceSelector`); `Null` if the namespace is gone.
    pub namespace: &'a Value,
}

impl PodInfo<'_> {
    fn ns(&self) -> &str {
        self.pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default")
    }
}

/// The transport protocol of a packet; ICMP has no ports, so only port-less rules match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
    Icmp,
}

impl Proto {
    /// The protocol's name in `NetworkPolicyPort.protocol` and `ContainerPort.protocol`.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
            Proto::Sctp => "SCTP",
            Proto::Icmp => "ICMP",
        }
    }
}

/// The first packet of a connection, after kube-proxy's DNAT.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    pub src_ip: &'a str,
    pub dst_ip: &'a str,
    pub dst_port: u16,
    pub proto: Proto,
}

/// Why a packet was dropped, or that it passed.
#[derive(Debug, Clone, PartialEq, Eq, Copy)]
pub enum Verdict {
    Allow,
    /// The source pod is isolated for egress and no egress rule allows this destination.
    DenyEgress,
    /// The destination pod is isolated for ingress and no ingress rule allows this source.
    DenyIngress,
}

/// The direction a policy applies to (`spec.policyTypes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn name(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
    fn rules(self) -> &'static str {
        match self {
            Direction::Ingress => "/spec/ingress",
            Direction::Egress => "/spec/egress",
        }
    }
    fn peers(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

/// Decides one connection's first packet against every NetworkPolicy in the cluster
/// (`NewNetworkPolicyEvaluator`): the source pod's egress, then the destination pod's ingress.
/// `src`/`dst` are `None` when the address is no pod's (a node, a host-network pod, outside).
pub fn evaluate(policies: &[&Value], src: Option<PodInfo>, dst: Option<PodInfo>, packet: &Packet) -> Verdict {
    if let Some(src) = src
        && !direction_allows(policies, Direction::Egress, src, dst, packet.dst_ip, packet)
    {
        return Verdict::DenyEgress;
    }
    if let Some(dst) = dst
        && !direction_allows(policies, Direction::Ingress, dst, src, packet.src_ip, packet)
    {
        return Verdict::DenyIngress;
    }
    Verdict::Allow
}

/// The policies that select `pod` (`GetNetworkPoliciesForPod`): in its namespace, podSelector matching.
fn selecting<'p>(policies: &'p [&'p Value], pod: PodInfo<'p>) -> impl Iterator<Item = &'p Value> + 'p {
    let ns = pod.ns().to_string();
    policies.iter().copied().filter(move |p| {
        p.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default") == ns
            && p.at("/spec/podSelector").is_some_and(|s| label_selector_matches(s, &object_labels(pod.pod)))
    })
}

/// `spec.policyTypes` as the apiserver defaults it (`SetDefaults_NetworkPolicySpec`): Ingress always,
/// Egress when there are egress rules; a stored policy already has them.
fn has_type(policy: &Value, dir: Direction) -> bool {
    match policy.at("/spec/policyTypes").and_then(Value::as_array).filter(|t| !t.is_empty()) {
        Some(types) => types.iter().any(|t| t.as_str() == Some(dir.name())),
        None => match dir {
            Direction::Ingress => true,
            Direction::Egress => policy.at("/spec/egress").and_then(Value::as_array).is_some_and(|e| !e.is_empty()),
        },
    }
}

/// `evaluatePolicyDirection`: `subject` is the pod the policies select, `peer`/`peer_ip` the other end.
/// No policy of this type selects it: allowed; otherwise one rule of one of them must match.
fn direction_allows(
    policies: &[&Value],
    dir: Direction,
    subject: PodInfo,
    peer: Option<PodInfo>,
    peer_ip: &str,
    packet: &Packet,
) -> bool {
    let mut isolated = false;
    for policy in selecting(policies, subject).filter(|p| has_type(p, dir)) {
        isolated = true;
        let policy_ns = policy.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default");
        let rules = policy.at(dir.rules()).and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        // The port is always the destination's: for ingress the subject is the destination pod.
        let dst_pod = if dir == Direction::Ingress { Some(subject) } else { peer };
        if rules.iter().any(|rule| rule_matches(rule, dir, policy_ns, dst_pod, peer, peer_ip, packet)) {
            return true;
        }
    }
    !isolated
}

/// One ingress or egress rule: a port matches, and a peer matches (empty lists match everything).
fn rule_matches(
    rule: &Value,
    dir: Direction,
    policy_ns: &str,
    dst_pod: Option<PodInfo>,
    peer: Option<PodInfo>,
    peer_ip: &str,
    packet: &Packet,
) -> bool {
    let ports = rule.get("ports").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    if !ports.is_empty() && !ports.iter().any(|p| port_matches(p, dst_pod, packet)) {
        return false;
    }
    let peers = rule.get(dir.peers()).and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    peers.is_empty() || peers.iter().any(|p| peer_matches(p, policy_ns, peer, peer_ip))
}

/// `evaluatePorts` for one `NetworkPolicyPort`: the protocol (default TCP) must be the packet's; no
/// `port` means every port; a number, a name of the destination pod's container port, or a range
/// up to `endPort`.
fn port_matches(p: &Value, dst_pod: Option<PodInfo>, packet: &Packet) -> bool {
    let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
    if proto != packet.proto.name() {
        return false;
    }
    let port = i64::from(packet.dst_port);
    match p.get("port") {
        None | Some(Value::Null) => true,
        Some(Value::String(name)) => dst_pod.is_some_and(|d| named_port(d.pod, name, packet.proto) == Some(port)),
        Some(n) => {
            let start = n.as_i64().unwrap_or(-1);
            let end = p.get("endPort").and_then(Value::as_i64).unwrap_or(start);
            start <= port && port <= end
        }
    }
}

/// The number of the container port called `name` with this protocol, in the pod's containers.
fn named_port(pod: &Value, name: &str, proto: Proto) -> Option<i64> {
    let containers = pod.at("/spec/containers").and_then(Value::as_array)?;
    containers.iter().flat_map(|c| c.get("ports").and_then(Value::as_array).into_iter().flatten()).find_map(|cp| {
        let named = cp.get("name").and_then(Value::as_str) == Some(name);
        let same = cp.get("protocol").and_then(Value::as_str).unwrap_or("TCP") == proto.name();
        if named && same { cp.get("containerPort").and_then(Value::as_i64) } else { None }
    })
}

/// One `NetworkPolicyPeer` (`evaluateSelectors`, `evaluateIPBlocks`).
fn peer_matches(peer: &Value, policy_ns: &str, pod: Option<PodInfo>, ip: &str) -> bool {
    if let Some(block) = peer.get("ipBlock").filter(|b| !b.is_null()) {
        return ip_block_matches(block, ip);
    }
    // Traffic from or to an address that is no pod does not match selectors.
    let Some(pod) = pod else { return false };
    let pod_sel = peer.get("podSelector").filter(|s| !s.is_null());
    let ns_sel = peer.get("namespaceSelector").filter(|s| !s.is_null());
    if pod_sel.is_none() && ns_sel.is_none() {
        return false;
    }
    if let Some(sel) = pod_sel
        && !label_selector_matches(sel, &object_labels(pod.pod))
    {
        return false;
    }
    match ns_sel {
        // A podSelector alone selects pods in the policy's own namespace.
        None => pod.ns() == policy_ns,
        Some(sel) => label_selector_matches(sel, &object_labels(pod.namespace)),
    }
}

/// Whether `ip` is within `cidr` and outside every `except`. Only IPv4 is simulated: an IPv6 block
/// contains no address here; a block that does not parse (refused by validation) matches nothing.
fn ip_block_matches(block: &Value, ip: &str) -> bool {
    let Ok(ip) = ip.parse::<Ipv4Addr>() else { return false };
    let Some(cidr) = block.get("cidr").and_then(Value::as_str).and_then(parse_cidr) else { return false };
    if !contains(cidr, ip) {
        return false;
    }
    let excepts = block.get("except").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    !excepts.iter().filter_map(|e| e.as_str().and_then(parse_cidr)).any(|e| contains(e, ip))
}

/// An IPv4 CIDR as (network address, prefix length); `None` for anything else.
pub fn parse_cidr(s: &str) -> Option<(u32, u8)> {
    let (addr, bits) = s.split_once('/')?;
    let addr: Ipv4Addr = addr.parse().ok()?;
    let bits: u8 = bits.parse().ok().filter(|b| *b <= 32)?;
    Some((u32::from(addr) & mask(bits), bits))
}

fn mask(bits: u8) -> u32 {
    if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) }
}

fn contains((net, bits): (u32, u8), ip: Ipv4Addr) -> bool {
    u32::from(ip) & mask(bits) == net
}
