//! Egress, both sides of a connection, replies and host sources, and CIDR parsing.

use super::*;

#[test]
fn egress_table() {
    let client = json!({"matchLabels": {"app": "client"}});
    let rows: Vec<(&str, Value, Verdict)> = vec![
        // policyTypes defaults: Egress only when egress rules are present; without it, no egress isolation.
        (
            "egress rules imply Egress",
            json!({"podSelector": client, "egress": [{"ports": [{"port": 443}]}]}),
            DenyEgress,
        ),
        ("no egress rules, no Egress", json!({"podSelector": client}), Allow),
        // Default deny egress: policyTypes [Egress] and no rules.
        ("default deny egress", json!({"podSelector": {}, "policyTypes": ["Egress"]}), DenyEgress),
        ("{} egress rule", json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]}), Allow),
        // Egress peers describe the destination.
        (
            "to pod",
            json!({"podSelector": client, "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]}),
            Allow,
        ),
        (
            "to other pod",
            json!({"podSelector": client, "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}]}),
            DenyEgress,
        ),
        (
            "to ipBlock",
            json!({"podSelector": client, "egress": [{"to": [{"ipBlock": {"cidr": "10.244.2.7/32"}}]}]}),
            Allow,
        ),
        // Named ports of an egress rule are the destination pod's.
        ("named port of destination", json!({"podSelector": client, "egress": [{"ports": [{"port": "http"}]}]}), Allow),
        // An Ingress-only policy does not limit egress.
        ("ingress-only", json!({"podSelector": client, "policyTypes": ["Ingress"]}), Allow),
    ];
    for (name, spec, want) in rows {
        assert_eq!(decide(&[policy("default", spec)], "client", 8080, Proto::Tcp), want, "{name}");
    }
}

/// "For a connection from a source pod to a destination pod to be allowed, both the egress policy on
/// the source pod and the ingress policy on the destination pod need to allow the connection."
#[test]
fn both_sides_must_allow() {
    let egress_ok = policy("default", json!({"podSelector": {"matchLabels": {"app": "client"}}, "egress": [{}]}));
    let ingress_deny = policy("default", json!({"podSelector": {"matchLabels": {"app": "web"}}}));
    assert_eq!(decide(std::slice::from_ref(&egress_ok), "client", 80, Proto::Tcp), Allow);
    assert_eq!(decide(&[egress_ok, ingress_deny], "client", 80, Proto::Tcp), DenyIngress);
}

/// Only the first packet is decided, from the initiator's side: the server's own egress isolation
/// does not stop the replies of a connection its ingress allowed (conntrack ESTABLISHED).
#[test]
fn replies_are_not_egress() {
    let web_deny_egress =
        policy("default", json!({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]}));
    assert_eq!(decide(&[web_deny_egress], "client", 80, Proto::Tcp), Allow);
}

/// A host-network source (a node) has no pod: no egress policy applies to it.
#[test]
fn host_sources_have_no_egress() {
    let deny_all_egress = policy("default", json!({"podSelector": {}, "policyTypes": ["Egress"]}));
    assert_eq!(decide(&[deny_all_egress], "node", 80, Proto::Tcp), Allow);
}

#[test]
fn cidrs() {
    assert_eq!(parse_cidr("10.0.0.0/8"), Some((0x0a00_0000, 8)));
    assert_eq!(parse_cidr("10.1.2.3/8"), Some((0x0a00_0000, 8)), "host bits are masked, as ParseCIDR");
    assert_eq!(parse_cidr("0.0.0.0/0"), Some((0, 0)));
    assert_eq!(parse_cidr("10.0.0.0/33"), None);
    assert_eq!(parse_cidr("10.0.0.0"), None);
    assert_eq!(parse_cidr("fd00::/8"), None);
    let block = json!({"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]});
    assert!(ip_block_matches(&block, "1.2.3.4"));
    assert!(!ip_block_matches(&block, "10.9.9.9"));
    assert!(!ip_block_matches(&block, "not-an-ip"));
}
