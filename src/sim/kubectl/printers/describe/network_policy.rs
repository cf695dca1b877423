//! `describeNetworkPolicy` (kubectl `pkg/describe`): the selector, what each direction allows rule by
//! rule, and the policy types; no events (kubectl's describer lists none for a NetworkPolicy).

use serde_json::Value;

use super::super::fields::{arr_at, at, format_label_selector, opt_str, str_at};
use super::writer::{PrefixWriter, go_time};
use super::{labels_and_annotations, name_namespace};

/// Describes a NetworkPolicy.
pub fn describe_network_policy(w: &mut PrefixWriter, np: &Value) {
    name_namespace(w, np);
    w.write(0, &format!("Created on:\t{}\n", go_time(opt_str(np, &["metadata", "creationTimestamp"]))));
    labels_and_annotations(w, np);
    w.write(0, "Spec:\n");
    w.write(1, "PodSelector: ");
    let sel = at(np, &["spec", "podSelector"]);
    let empty = sel.and_then(Value::as_object).is_none_or(|s| {
        s.get("matchExpressions").and_then(Value::as_array).is_none_or(Vec::is_empty)
            && s.get("matchLabels").and_then(Value::as_object).is_none_or(|m| m.is_empty())
    });
    if empty {
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n");
    } else {
        w.write(2, &format!("{}\n", format_label_selector(sel)));
    }
    let types: Vec<&str> = arr_at(np, &["spec", "policyTypes"]).iter().filter_map(Value::as_str).collect();
    for (ty, dir, peers) in [("Ingress", "ingress", "From"), ("Egress", "egress", "To")] {
        if types.contains(&ty) {
            w.write(1, &format!("Allowing {dir} traffic:\n"));
            rules(w, arr_at(np, &["spec", dir]), dir, peers);
        } else {
            w.write(1, &format!("Not affecting {dir} traffic\n"));
        }
    }
    w.write(1, &format!("Policy Types: {}\n", types.join(", ")));
}

/// `printNetworkPolicySpecIngressFrom` / `printNetworkPolicySpecEgressTo`, rules split by `----------`.
fn rules(w: &mut PrefixWriter, rules: &[Value], dir: &str, peers: &str) {
    const INDENT: &str = "    ";
    if rules.is_empty() {
        w.write(0, &format!("{INDENT}<none> (Selected pods are isolated for {dir} connectivity)\n"));
        return;
    }
    for (i, rule) in rules.iter().enumerate() {
        let ports = arr_at(rule, &["ports"]);
        if ports.is_empty() {
            w.write(0, &format!("{INDENT}To Port: <any> (traffic allowed to all ports)\n"));
        }
        for p in ports {
            let proto = opt_str(p, &["protocol"]).unwrap_or("TCP");
            let port = match at(p, &["port"]) {
                Some(Value::String(s)) => s.clone(),
                Some(n) if n.is_number() => n.to_string(),
                _ => "<nil>".to_string(),
            };
            match at(p, &["endPort"]).and_then(Value::as_i64) {
                None => w.write(0, &format!("{INDENT}To Port: {port}/{proto}\n")),
                Some(end) => w.write(0, &format!("{INDENT}To Port Range: {port}-{end}/{proto}\n")),
            }
        }
        let list = arr_at(rule, &[&peers.to_lowercase()]);
        if list.is_empty() {
            let what = if peers == "From" { "source" } else { "destination" };
            w.write(0, &format!("{INDENT}{peers}: <any> (traffic not restricted by {what})\n"));
        }
        for peer in list {
            w.write(0, &format!("{INDENT}{peers}:\n"));
            peer_lines(w, peer, INDENT);
        }
        if i + 1 != rules.len() {
            w.write(0, &format!("{INDENT}----------\n"));
        }
    }
}

fn peer_lines(w: &mut PrefixWriter, peer: &Value, indent: &str) {
    let pod = at(peer, &["podSelector"]).filter(|v| !v.is_null());
    let ns = at(peer, &["namespaceSelector"]).filter(|v| !v.is_null());
    let block = at(peer, &["ipBlock"]).filter(|v| !v.is_null());
    if ns.is_some() {
        w.write(1, &format!("{indent}NamespaceSelector: {}\n", format_label_selector(ns)));
    }
    if pod.is_some() {
        w.write(1, &format!("{indent}PodSelector: {}\n", format_label_selector(pod)));
    }
    if let (None, None, Some(b)) = (pod, ns, block) {
        let except: Vec<&str> = arr_at(b, &["except"]).iter().filter_map(Value::as_str).collect();
        w.write(1, &format!("{indent}IPBlock:\n"));
        w.write(2, &format!("{indent}CIDR: {}\n", str_at(b, &["cidr"])));
        w.write(2, &format!("{indent}Except: {}\n", except.join(", ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(np: Value) -> String {
        let mut w = PrefixWriter::new();
        describe_network_policy(&mut w, &np);
        w.finish()
    }

    /// The default-deny policy as kubectl 1.33 describes it.
    #[test]
    fn default_deny() {
        let np = json!({"metadata": {"name": "default-deny-ingress", "namespace": "p14-net",
            "creationTimestamp": "2026-10-07T18:24:51Z"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}});
        assert_eq!(
            run(np),
            "Name:         default-deny-ingress\nNamespace:    p14-net\nCreated on:   2026-10-07 18:24:51 +0000 UTC\n\
             Labels:       <none>\nAnnotations:  <none>\nSpec:\n  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n\
             \x20 Allowing ingress traffic:\n    <none> (Selected pods are isolated for ingress connectivity)\n\
             \x20 Not affecting egress traffic\n  Policy Types: Ingress\n"
        );
    }

    /// Rules, ports (a range too), peers of each kind, and the separator between rules.
    #[test]
    fn rules_and_peers() {
        let np = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {
            "podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}},
                {"namespaceSelector": {"matchLabels": {"team": "a"}}, "podSelector": {}}], "ports": [{"protocol": "TCP", "port": 80}]},
                {"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16", "10.2.0.0/16"]}}]}],
            "egress": [{"ports": [{"protocol": "UDP", "port": 32000, "endPort": 32768}]}]}});
        let out = run(np);
        let spec = &out[out.find("Spec:").expect("a Spec section")..];
        assert_eq!(
            spec,
            "Spec:\n  PodSelector:     app=web\n  Allowing ingress traffic:\n    To Port: 80/TCP\n    From:\n      PodSelector: app=client\n\
             \x20   From:\n      NamespaceSelector: team=a\n      PodSelector: <none>\n    ----------\n\
             \x20   To Port: <any> (traffic allowed to all ports)\n    From:\n      IPBlock:\n        CIDR: 10.0.0.0/8\n        Except: 10.1.0.0/16, 10.2.0.0/16\n\
             \x20 Allowing egress traffic:\n    To Port Range: 32000-32768/UDP\n    To: <any> (traffic not restricted by destination)\n\
             \x20 Policy Types: Ingress, Egress\n"
        );
    }
}
