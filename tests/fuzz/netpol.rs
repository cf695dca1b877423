//! Arbitrary NetworkPolicies: structured ones (selectors, ipBlocks, ports, endPorts, policy types
//! drawn from valid and odd values) and shapeless JSON in their places, for the evaluator directly and
//! for the cluster (validation, then enforcement on a live connection).

use proptest::prelude::*;
use serde_json::{Value, json};

/// A scalar a field might hold: the right type, the wrong one, or nothing sensible.
fn odd() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0i64..70_000).prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "http",
            "TCP",
            "UDP",
            "ICMP",
            "10.0.0.0/8",
            "::/0",
            "0.0.0.0/0",
            "x/y",
            "1.2.3.4/33"
        ])
        .prop_map(Value::from),
        "[ -~]{0,10}".prop_map(Value::from),
        Just(json!({})),
        Just(json!([])),
    ]
}

fn labels() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        prop::sample::select(vec!["app", "run", "team", "kubernetes.io/metadata.name", "k8s-app", "bad key!"]),
        prop::sample::select(vec!["web", "client", "kube-system", "default", "kube-dns", "", "-bad-"]),
        0..3,
    )
    .prop_map(|m| json!(m))
}

fn selector() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({})),
        labels().prop_map(|l| json!({"matchLabels": l})),
        (
            prop::sample::select(vec!["app", "team", ""]),
            prop::sample::select(vec!["In", "NotIn", "Exists", "DoesNotExist", "Sideways"]),
            prop::collection::vec(prop::sample::select(vec!["web", "client", "a"]), 0..3),
        )
            .prop_map(|(k, op, v)| json!({"matchExpressions": [{"key": k, "operator": op, "values": v}]})),
        odd(),
    ]
}

fn cidr() -> impl Strategy<Value = Value> {
    prop_oneof![
        (any::<[u8; 4]>(), 0u8..=33).prop_map(|(a, b)| json!(format!("{}.{}.{}.{}/{b}", a[0], a[1], a[2], a[3]))),
        prop::sample::select(vec!["10.244.0.0/16", "10.96.0.0/12", "0.0.0.0/0", "172.18.0.0/16", "fd00::/8"])
            .prop_map(Value::from),
        odd(),
    ]
}

fn peer() -> impl Strategy<Value = Value> {
    prop_oneof![
        selector().prop_map(|s| json!({"podSelector": s})),
        selector().prop_map(|s| json!({"namespaceSelector": s})),
        (selector(), selector()).prop_map(|(p, n)| json!({"podSelector": p, "namespaceSelector": n})),
        (cidr(), prop::collection::vec(cidr(), 0..3)).prop_map(|(c, e)| json!({"ipBlock": {"cidr": c, "except": e}})),
        odd(),
    ]
}

fn port() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop_oneof![prop::sample::select(vec!["TCP", "UDP", "SCTP"]).prop_map(Value::from), odd()]),
        prop::option::of(prop_oneof![(0i64..70_000).prop_map(Value::from), Just(json!("http")), odd()]),
        prop::option::of(prop_oneof![(0i64..70_000).prop_map(Value::from), odd()]),
    )
        .prop_map(|(proto, port, end)| {
            let mut p = serde_json::Map::new();
            proto.map(|v| p.insert("protocol".into(), v));
            port.map(|v| p.insert("port".into(), v));
            end.map(|v| p.insert("endPort".into(), v));
            Value::Object(p)
        })
}

fn rule(peers: &'static str) -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({})),
        (prop::collection::vec(peer(), 0..3), prop::collection::vec(port(), 0..3))
            .prop_map(move |(p, ports)| json!({peers: p, "ports": ports})),
        odd(),
    ]
}

/// A NetworkPolicy named `fuzz` in `default`, its fields drawn from the strategies above.
pub fn policy() -> impl Strategy<Value = Value> {
    (
        selector(),
        prop::option::of(prop::collection::vec(prop::sample::select(vec!["Ingress", "Egress", "Sideways", ""]), 0..3)),
        prop::option::of(prop::collection::vec(rule("from"), 0..3)),
        prop::option::of(prop::collection::vec(rule("to"), 0..3)),
        prop::option::weighted(0.1, odd()),
    )
        .prop_map(|(sel, types, ingress, egress, junk)| {
            let mut spec = json!({"podSelector": sel});
            if let Some(t) = types {
                spec["policyTypes"] = json!(t);
            }
            if let Some(r) = ingress {
                spec["ingress"] = json!(r);
            }
            if let Some(r) = egress {
                spec["egress"] = json!(r);
            }
            // Sometimes a whole section is the wrong shape.
            if let Some(j) = junk {
                spec["egress"] = j;
            }
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "fuzz", "namespace": "default"}, "spec": spec})
        })
}
