//! Table tests of the policy evaluator, each row citing the rule of the NetworkPolicy API
//! (https://kubernetes.io/docs/concepts/services-networking/network-policies/) or of
//! kube-network-policies' `pkg/pipeline/networkpolicy.go` it checks.

mod egress;

use super::*;
use serde_json::json;

fn pod(ns: &str, name: &str, labels: Value) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"containers": [{"name": "c", "ports": [
            {"name": "http", "containerPort": 8080},
            {"name": "dns", "containerPort": 53, "protocol": "UDP"}]}]}})
}

fn ns(name: &str, labels: Value) -> Value {
    json!({"metadata": {"name": name, "labels": labels}})
}

fn policy(ns: &str, spec: Value) -> Value {
    json!({"metadata": {"name": "p", "namespace": ns}, "spec": spec})
}

/// The cast: `client` (app=client) and `web` (app=web) in `default`, `other` (app=client) in `prod`.
struct World {
    default: Value,
    prod: Value,
    client: Value,
    web: Value,
    other: Value,
}

const CLIENT_IP: &str = "10.244.1.5";
const WEB_IP: &str = "10.244.2.7";
const OTHER_IP: &str = "10.244.1.9";

fn world() -> World {
    World {
        default: ns("default", json!({"kubernetes.io/metadata.name": "default"})),
        prod: ns("prod", json!({"kubernetes.io/metadata.name": "prod", "env": "prod"})),
        client: pod("default", "client", json!({"app": "client"})),
        web: pod("default", "web", json!({"app": "web"})),
        other: pod("prod", "other", json!({"app": "client"})),
    }
}

/// Decides `from` -> web:port/proto under `policies`; `from` is "client", "other" or "node".
fn decide(policies: &[Value], from: &str, port: u16, proto: Proto) -> Verdict {
    let w = world();
    let refs: Vec<&Value> = policies.iter().collect();
    let (src, ip) = match from {
        "client" => (Some(PodInfo { pod: &w.client, namespace: &w.default }), CLIENT_IP),
        "other" => (Some(PodInfo { pod: &w.other, namespace: &w.prod }), OTHER_IP),
        _ => (None, "172.18.0.3"),
    };
    let dst = Some(PodInfo { pod: &w.web, namespace: &w.default });
    evaluate(&refs, src, dst, &Packet { src_ip: ip, dst_ip: WEB_IP, dst_port: port, proto })
}

use Verdict::{Allow, DenyEgress, DenyIngress};

#[test]
fn ingress_table() {
    let web = json!({"matchLabels": {"app": "web"}});
    let rows: Vec<(&str, Value, &str, u16, Verdict)> = vec![
        // "By default, a pod is non-isolated for ingress; all inbound connections are allowed."
        ("no policy", json!(null), "client", 80, Allow),
        // A policy that selects other pods does not isolate web.
        ("other pods selected", json!({"podSelector": {"matchLabels": {"app": "db"}}}), "client", 80, Allow),
        // Default deny ingress: `podSelector: {}` with no ingress rules (policyTypes defaults to Ingress).
        ("default deny", json!({"podSelector": {}}), "client", 80, DenyIngress),
        ("empty rule list denies", json!({"podSelector": {}, "ingress": []}), "client", 80, DenyIngress),
        // "Allow all ingress": one empty rule `{}`.
        ("{} rule allows all", json!({"podSelector": {}, "ingress": [{}]}), "other", 80, Allow),
        // podSelector peer: pods of the policy's own namespace only.
        (
            "pod selector, same ns",
            json!({"podSelector": web, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}}]}]}),
            "client",
            80,
            Allow,
        ),
        (
            "pod selector, other ns",
            json!({"podSelector": web, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}}]}]}),
            "other",
            80,
            DenyIngress,
        ),
        (
            "pod selector, other labels",
            json!({"podSelector": web, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "x"}}}]}]}),
            "client",
            80,
            DenyIngress,
        ),
        // namespaceSelector alone: every pod of the selected namespaces.
        (
            "namespace selector",
            json!({"podSelector": web, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"env": "prod"}}}]}]}),
            "other",
            80,
            Allow,
        ),
        (
            "namespace selector misses",
            json!({"podSelector": web, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"env": "prod"}}}]}]}),
            "client",
            80,
            DenyIngress,
        ),
        // "namespaceSelector: {}" selects all namespaces.
        (
            "empty namespace selector",
            json!({"podSelector": web, "ingress": [{"from": [{"namespaceSelector": {}}]}]}),
            "client",
            80,
            Allow,
        ),
        // One peer with both selectors is an AND...
        (
            "AND peer",
            json!({"podSelector": web, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"env": "prod"}}, "podSelector": {"matchLabels": {"app": "x"}}}]}]}),
            "other",
            80,
            DenyIngress,
        ),
        (
            "AND peer matches",
            json!({"podSelector": web, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"env": "prod"}}, "podSelector": {"matchLabels": {"app": "client"}}}]}]}),
            "other",
            80,
            Allow,
        ),
        // ...two peers are an OR.
        (
            "OR peers",
            json!({"podSelector": web, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"env": "prod"}}}, {"podSelector": {"matchLabels": {"app": "x"}}}]}]}),
            "other",
            80,
            Allow,
        ),
        // ipBlock on the source address; except carves out.
        (
            "ipBlock",
            json!({"podSelector": web, "ingress": [{"from": [{"ipBlock": {"cidr": "10.244.1.0/24"}}]}]}),
            "client",
            80,
            Allow,
        ),
        (
            "ipBlock except",
            json!({"podSelector": web, "ingress": [{"from": [{"ipBlock": {"cidr": "10.244.0.0/16", "except": ["10.244.1.0/24"]}}]}]}),
            "client",
            80,
            DenyIngress,
        ),
        (
            "ipBlock outside",
            json!({"podSelector": web, "ingress": [{"from": [{"ipBlock": {"cidr": "192.168.0.0/16"}}]}]}),
            "client",
            80,
            DenyIngress,
        ),
        // Selectors match pods only: a node's address matches an ipBlock or nothing.
        (
            "node vs selector",
            json!({"podSelector": web, "ingress": [{"from": [{"namespaceSelector": {}}]}]}),
            "node",
            80,
            DenyIngress,
        ),
        (
            "node vs ipBlock",
            json!({"podSelector": web, "ingress": [{"from": [{"ipBlock": {"cidr": "172.18.0.0/16"}}]}]}),
            "node",
            80,
            Allow,
        ),
        // Ports: number and protocol (defaulting to TCP), named port of the destination pod, range.
        ("port", json!({"podSelector": web, "ingress": [{"ports": [{"port": 80}]}]}), "client", 80, Allow),
        ("other port", json!({"podSelector": web, "ingress": [{"ports": [{"port": 80}]}]}), "client", 81, DenyIngress),
        (
            "protocol",
            json!({"podSelector": web, "ingress": [{"ports": [{"port": 80, "protocol": "UDP"}]}]}),
            "client",
            80,
            DenyIngress,
        ),
        (
            "protocol only",
            json!({"podSelector": web, "ingress": [{"ports": [{"protocol": "TCP"}]}]}),
            "client",
            9999,
            Allow,
        ),
        ("named port", json!({"podSelector": web, "ingress": [{"ports": [{"port": "http"}]}]}), "client", 8080, Allow),
        (
            "named port, other number",
            json!({"podSelector": web, "ingress": [{"ports": [{"port": "http"}]}]}),
            "client",
            80,
            DenyIngress,
        ),
        (
            "named port, wrong protocol",
            json!({"podSelector": web, "ingress": [{"ports": [{"port": "dns"}]}]}),
            "client",
            53,
            DenyIngress,
        ),
        (
            "endPort range",
            json!({"podSelector": web, "ingress": [{"ports": [{"port": 8000, "endPort": 8100}]}]}),
            "client",
            8080,
            Allow,
        ),
        (
            "endPort upper bound",
            json!({"podSelector": web, "ingress": [{"ports": [{"port": 8000, "endPort": 8100}]}]}),
            "client",
            8101,
            DenyIngress,
        ),
        // A rule needs both its port and its peer.
        (
            "port and peer",
            json!({"podSelector": web, "ingress": [{"ports": [{"port": 80}], "from": [{"podSelector": {"matchLabels": {"app": "x"}}}]}]}),
            "client",
            80,
            DenyIngress,
        ),
        // ICMP has no port: only a port-less rule matches it.
        (
            "icmp vs ports",
            json!({"podSelector": web, "ingress": [{"ports": [{"port": 80}]}]}),
            "client",
            0,
            DenyIngress,
        ),
    ];
    for (name, spec, from, port, want) in rows {
        let policies: Vec<Value> = if spec.is_null() { vec![] } else { vec![policy("default", spec)] };
        let proto = if name.starts_with("icmp") { Proto::Icmp } else { Proto::Tcp };
        assert_eq!(decide(&policies, from, port, proto), want, "{name}");
    }
}

/// "Policies are additive": with several policies selecting a pod, any one that allows suffices.
#[test]
fn policies_are_additive() {
    let deny = policy("default", json!({"podSelector": {}}));
    let allow = policy(
        "default",
        json!({"podSelector": {"matchLabels": {"app": "web"}},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}}]}]}),
    );
    assert_eq!(decide(std::slice::from_ref(&deny), "client", 80, Proto::Tcp), DenyIngress);
    assert_eq!(decide(&[deny, allow], "client", 80, Proto::Tcp), Allow);
}

/// A policy in another namespace selects nothing here, whatever its podSelector.
#[test]
fn policies_are_namespaced() {
    let deny_prod = policy("prod", json!({"podSelector": {}}));
    assert_eq!(decide(&[deny_prod], "client", 80, Proto::Tcp), Allow);
}
