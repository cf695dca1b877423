//! NetworkPolicy, as `pkg/apis/networking/validation` `ValidateNetworkPolicySpec` checks it: the pod
//! selector, each rule's ports (`ValidateNetworkPolicyPort`) then peers (`ValidateNetworkPolicyPeer`,
//! `ValidateIPBlock`), then the policy types; in that order, with upstream's paths and words.

use std::net::IpAddr;

use super::meta::validate_label_selector;
use super::names::{is_valid_port_name, is_valid_port_num};
use super::{BadValue, Errs, child, gofmt, index};
use crate::sim::api::meta::{array_at, at, str_at};
use serde_json::Value;

/// `ValidateNetworkPolicyPort`: protocol, then the port (a number, or a name with no range), then
/// `endPort`, which needs a numeric `port` no greater than it.
fn validate_port(port: &Value, path: &str, errs: &mut Errs) {
    if let Some(proto) = str_at(port, &["protocol"]).filter(|p| !matches!(*p, "TCP" | "UDP" | "SCTP")) {
        errs.unsupported(&child(path, "protocol"), proto, &["TCP", "UDP", "SCTP"]);
    }
    let end = port.get("endPort").filter(|v| !v.is_null()).map(|v| v.as_i64().unwrap_or(0));
    let end_path = child(path, "endPort");
    match port.get("port").filter(|v| !v.is_null()) {
        Some(Value::String(name)) => {
            if let Some(end) = end {
                errs.invalid_int(&end_path, end, "may not be specified when `port` is non-numeric");
            }
            errs.each_invalid(&child(path, "port"), name, is_valid_port_name(name));
        }
        Some(n) => {
            let start = n.as_i64().unwrap_or(0);
            for m in is_valid_port_num(start) {
                errs.invalid_int(&child(path, "port"), start, &m);
            }
            if let Some(end) = end {
                if end < start {
                    errs.invalid_int(&end_path, end, "must be greater than or equal to `port`");
                }
                for m in is_valid_port_num(end) {
                    errs.invalid_int(&end_path, end, &m);
                }
            }
        }
        None => {
            if let Some(end) = end {
                errs.invalid_int(&end_path, end, "may not be specified when `port` is not specified");
            }
        }
    }
}

/// A CIDR as `netutils.ParseCIDRSloppy` reads it: the network address (as bits) and the prefix
/// length, with the address family's width.
fn parse_cidr(s: &str) -> Option<(u128, u32, u32)> {
    let (ip, bits) = s.split_once('/')?;
    let bits: u32 = bits.parse().ok()?;
    let (addr, width) = match ip.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    };
    (bits <= width).then(|| (addr & mask(bits, width), bits, width))
}

fn mask(bits: u32, width: u32) -> u128 {
    let all = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
    if bits == 0 { 0 } else { all & !((1u128 << (width - bits)) - 1) }
}

const BAD_CIDR: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/// `ValidateIPBlock`: a CIDR, and each `except` a CIDR strictly inside it.
fn validate_ip_block(block: &Value, path: &str, errs: &mut Errs) {
    let cidr = str_at(block, &["cidr"]).unwrap_or("");
    let cidr_path = child(path, "cidr");
    if cidr.is_empty() {
        errs.required(&cidr_path, "");
        return;
    }
    let Some((net, bits, width)) = parse_cidr(cidr) else {
        errs.invalid_str(&cidr_path, cidr, BAD_CIDR);
        return;
    };
    for (i, except) in array_at(block, &["except"]).iter().enumerate() {
        let except = except.as_str().unwrap_or("");
        let ep = index(&child(path, "except"), i);
        let Some((e_net, e_bits, e_width)) = parse_cidr(except) else {
            errs.invalid_str(&ep, except, BAD_CIDR);
            continue;
        };
        let inside = e_width == width && e_net & mask(bits, width) == net;
        if !inside || bits >= e_bits {
            errs.invalid_str(&ep, except, "must be a strict subset of `cidr`");
        }
    }
}

/// `ValidateNetworkPolicyPeer`: the selectors and the block, then exactly one kind of peer.
fn validate_peer(peer: &Value, path: &str, errs: &mut Errs) {
    let mut peers = 0;
    for sel in ["podSelector", "namespaceSelector"] {
        if let Some(s) = peer.get(sel).filter(|v| !v.is_null()) {
            peers += 1;
            validate_label_selector(s, &child(path, sel), errs);
        }
    }
    let block = peer.get("ipBlock").filter(|v| !v.is_null());
    if let Some(b) = block {
        peers += 1;
        validate_ip_block(b, &child(path, "ipBlock"), errs);
    }
    if peers == 0 {
        errs.required(path, "must specify a peer");
    } else if peers > 1 && block.is_some() {
        errs.forbidden(path, "may not specify both ipBlock and another peer");
    }
}

/// NetworkPolicy: pod selector, each rule's ports and peers, policy types.
pub(super) fn validate_network_policy(obj: &Value, errs: &mut Errs) {
    let spec = at(obj, &["spec"]).unwrap_or(&Value::Null);
    validate_label_selector(at(spec, &["podSelector"]).unwrap_or(&Value::Null), "spec.podSelector", errs);
    for (dir, peers) in [("ingress", "from"), ("egress", "to")] {
        for (i, rule) in array_at(spec, &[dir]).iter().enumerate() {
            let rp = index(&child("spec", dir), i);
            for (k, port) in array_at(rule, &["ports"]).iter().enumerate() {
                validate_port(port, &index(&child(&rp, "ports"), k), errs);
            }
            for (k, peer) in array_at(rule, &[peers]).iter().enumerate() {
                validate_peer(peer, &index(&child(&rp, peers), k), errs);
            }
        }
    }
    let types = array_at(spec, &["policyTypes"]);
    if types.len() > 2 {
        let items: Vec<String> = types.iter().map(|t| gofmt::quote(t.as_str().unwrap_or(""))).collect();
        let value = format!("[]networking.PolicyType{{{}}}", items.join(", "));
        errs.invalid("spec.policyTypes", BadValue::Raw(value), "may not specify more than two policyTypes");
        return;
    }
    for (i, t) in types.iter().enumerate() {
        let t = t.as_str().unwrap_or("");
        if !matches!(t, "Ingress" | "Egress") {
            errs.unsupported(&index("spec.policyTypes", i), t, &["Ingress", "Egress"]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(obj: Value) -> Vec<String> {
        let mut errs = Errs::default();
        validate_network_policy(&obj, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn accepts_the_documented_example() {
        let ok = json!({"spec": {"podSelector": {"matchLabels": {"role": "db"}}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                {"namespaceSelector": {"matchLabels": {"project": "myproject"}}}, {"podSelector": {"matchLabels": {"role": "frontend"}}}],
                "ports": [{"protocol": "TCP", "port": 6379}]}],
            "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"protocol": "TCP", "port": 32000, "endPort": 32768}]}]}});
        assert_eq!(run(ok), Vec::<String>::new());
    }

    /// Each row: one bad rule and upstream's error for it (`ValidateNetworkPolicyPort`/`Peer`, `ValidateIPBlock`).
    #[test]
    fn bad_rules_table() {
        let rows = [
            (
                json!({"ports": [{"port": 80, "endPort": 10}]}),
                "spec.ingress[0].ports[0].endPort: Invalid value: 10: must be greater than or equal to `port`",
            ),
            (
                json!({"ports": [{"endPort": 90}]}),
                "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified",
            ),
            (
                json!({"ports": [{"port": "http", "endPort": 90}]}),
                "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
            ),
            (
                json!({"ports": [{"port": 70000}]}),
                "spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ),
            (
                json!({"ports": [{"port": 80, "protocol": "ICMP"}]}),
                "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
            ),
            (json!({"from": [{}]}), "spec.ingress[0].from[0]: Required value: must specify a peer"),
            (
                json!({"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}),
                "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer",
            ),
            (
                json!({"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}),
                "spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            ),
            (json!({"from": [{"ipBlock": {"cidr": ""}}]}), "spec.ingress[0].from[0].ipBlock.cidr: Required value"),
            (
                json!({"from": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["192.168.0.0/24"]}}]}),
                "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"192.168.0.0/24\": must be a strict subset of `cidr`",
            ),
            (
                json!({"from": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/16"]}}]}),
                "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.0.0.0/16\": must be a strict subset of `cidr`",
            ),
            (
                json!({"from": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.5.0/x"]}}]}),
                "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.0.5.0/x\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            ),
        ];
        for (rule, want) in rows {
            assert_eq!(run(json!({"spec": {"podSelector": {}, "ingress": [rule]}})), [want]);
        }
        let ok = json!({"from": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.1.0/24", "10.0.2.5/32"]}}]});
        assert_eq!(run(json!({"spec": {"podSelector": {}, "egress": [ok]}})), Vec::<String>::new());
    }

    #[test]
    fn policy_types() {
        assert_eq!(
            run(json!({"spec": {"podSelector": {}, "policyTypes": ["Sideways"]}})),
            ["spec.policyTypes[0]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\""]
        );
        assert_eq!(
            run(json!({"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress", "Bad"]}})),
            [
                "spec.policyTypes: Invalid value: []networking.PolicyType{\"Ingress\", \"Egress\", \"Bad\"}: may not specify more than two policyTypes"
            ]
        );
    }

    /// Errors come in upstream's order: ports before peers, a peer's parts before its count.
    #[test]
    fn order_is_upstreams() {
        let bad = json!({"spec": {"podSelector": {}, "policyTypes": ["Sideways"], "ingress": [{"from": [{},
            {"ipBlock": {"cidr": "10.0.0.0/x"}, "podSelector": {}}], "ports": [{"port": 80, "endPort": 10}]}]}});
        assert_eq!(
            run(bad),
            [
                "spec.ingress[0].ports[0].endPort: Invalid value: 10: must be greater than or equal to `port`",
                "spec.ingress[0].from[0]: Required value: must specify a peer",
                "spec.ingress[0].from[1].ipBlock.cidr: Invalid value: \"10.0.0.0/x\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                "spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer",
                "spec.policyTypes[0]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\""
            ]
        );
    }
}
