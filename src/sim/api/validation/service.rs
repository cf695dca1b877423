//! Service, Endpoints and EndpointSlice: how traffic finds pods.

use super::container::{validate_port_num_or_name, validate_protocol};
use super::meta::validate_labels;
use super::names::{is_dns1123_label, is_dns1123_subdomain, is_valid_port_num};
use super::{BadValue, Errs, child, index};
use crate::sim::api::meta::{array_at, at, i64_at, str_at};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The NodePort range the sandbox's apiserver allocates from (kube-apiserver's default).
pub const NODE_PORT_RANGE: (i64, i64) = (30000, 32767);
pub(super) const IP_DETAIL: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

pub(super) fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

pub(super) fn is_cidr(s: &str) -> bool {
    match s.split_once('/') {
        Some((ip, bits)) => match (ip.parse::<IpAddr>(), bits.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32,
            (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128,
            _ => false,
        },
        None => false,
    }
}

/// Service: type, ports, selector, affinity, IPs, traffic policies; clusterIP fixed once set.
pub(super) fn validate_service(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let spec = at(obj, &["spec"]).unwrap_or(&Value::Null);
    let ty = str_at(spec, &["type"]).unwrap_or("");
    match ty {
        "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName" => {}
        "" => errs.required("spec.type", ""),
        other => errs.unsupported("spec.type", other, &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]),
    }
    let cluster_ip = str_at(spec, &["clusterIP"]).unwrap_or("");
    let headless = cluster_ip == "None";
    if ty == "ExternalName" {
        match str_at(spec, &["externalName"]).unwrap_or("") {
            "" => errs.required("spec.externalName", ""),
            name => errs.each_invalid("spec.externalName", name, is_dns1123_subdomain(name.trim_end_matches('.'))),
        }
    } else if !cluster_ip.is_empty() && !headless && !is_ip(cluster_ip) {
        errs.invalid_str("spec.clusterIPs[0]", cluster_ip, IP_DETAIL);
    }
    let ports = array_at(spec, &["ports"]);
    if ports.is_empty() && !headless && ty != "ExternalName" {
        errs.required("spec.ports", "");
    }
    validate_service_ports(ports, ty, errs);
    validate_labels(spec.get("selector"), "spec.selector", errs);
    match str_at(spec, &["sessionAffinity"]).unwrap_or("") {
        "None" | "ClientIP" => {}
        "" => errs.required("spec.sessionAffinity", ""),
        other => errs.unsupported("spec.sessionAffinity", other, &["ClientIP", "None"]),
    }
    if let Some(etp) = str_at(spec, &["externalTrafficPolicy"]).filter(|s| !s.is_empty()) {
        if !matches!(ty, "NodePort" | "LoadBalancer") {
            errs.invalid_str(
                "spec.externalTrafficPolicy",
                etp,
                "may only be set when `type` is 'NodePort' or 'LoadBalancer'",
            );
        } else if !matches!(etp, "Cluster" | "Local") {
            errs.unsupported("spec.externalTrafficPolicy", etp, &["Cluster", "Local"]);
        }
    }
    if let Some(itp) = str_at(spec, &["internalTrafficPolicy"]).filter(|s| !matches!(*s, "Cluster" | "Local")) {
        errs.unsupported("spec.internalTrafficPolicy", itp, &["Cluster", "Local"]);
    }
    match str_at(spec, &["ipFamilyPolicy"]) {
        None | Some("SingleStack") | Some("PreferDualStack") => {}
        Some("RequireDualStack") => errs.invalid_str(
            "spec.ipFamilyPolicy",
            "RequireDualStack",
            "this cluster is not configured for dual-stack services",
        ),
        Some(other) => {
            errs.unsupported("spec.ipFamilyPolicy", other, &["PreferDualStack", "RequireDualStack", "SingleStack"])
        }
    }
    for (i, fam) in array_at(spec, &["ipFamilies"]).iter().enumerate() {
        match fam.as_str().unwrap_or("") {
            "IPv4" => {}
            "IPv6" => errs.invalid_str(&index("spec.ipFamilies", i), "IPv6", "not configured on this cluster"),
            other => errs.unsupported(&index("spec.ipFamilies", i), other, &["IPv4", "IPv6"]),
        }
    }
    for (i, ip) in array_at(spec, &["externalIPs"]).iter().enumerate() {
        let ip = ip.as_str().unwrap_or("");
        if !is_ip(ip) {
            errs.invalid_str(&index("spec.externalIPs", i), ip, IP_DETAIL);
        }
    }
    for (i, r) in array_at(spec, &["loadBalancerSourceRanges"]).iter().enumerate() {
        let r = r.as_str().unwrap_or("");
        if !is_cidr(r) {
            errs.invalid_str(
                &index("spec.loadBalancerSourceRanges", i),
                r,
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            );
        }
    }
    if let Some(old_ip) = old.and_then(|o| str_at(o, &["spec", "clusterIP"])).filter(|s| !s.is_empty())
        && !cluster_ip.is_empty()
        && cluster_ip != old_ip
    {
        errs.invalid(
            "spec.clusterIPs[0]",
            BadValue::Raw(super::gofmt::string_slice(Some(&[cluster_ip.to_string()]))),
            "may not change once set",
        );
    }
}

fn validate_service_ports(ports: &[Value], ty: &str, errs: &mut Errs) {
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut node_ports = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let pp = index("spec.ports", i);
        let name = str_at(p, &["name"]).unwrap_or("");
        if ports.len() > 1 && name.is_empty() {
            errs.required(&child(&pp, "name"), "");
        } else if !name.is_empty() {
            let msgs = is_dns1123_label(name);
            if !msgs.is_empty() {
                errs.each_invalid(&child(&pp, "name"), name, msgs);
            } else if !names.insert(name.to_string()) {
                errs.duplicate(&child(&pp, "name"), name);
            }
        }
        let port = i64_at(p, &["port"]).unwrap_or(0);
        is_valid_port_num(port).iter().for_each(|m| errs.invalid_int(&child(&pp, "port"), port, m));
        let proto = str_at(p, &["protocol"]).unwrap_or("");
        validate_protocol(proto, &child(&pp, "protocol"), errs);
        if p.get("targetPort").is_some_and(|t| !t.is_null()) {
            validate_port_num_or_name(p.get("targetPort"), &child(&pp, "targetPort"), errs);
        }
        if !seen.insert((port, proto.to_string())) {
            errs.duplicate_value(
                &pp,
                BadValue::Raw(format!(
                    "core.ServicePort{{Name:\"\", Protocol:{:?}, AppProtocol:(*string)(nil), Port:{port}, \
                 TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
                    proto
                )),
            );
        }
        if let Some(np) = i64_at(p, &["nodePort"]).filter(|n| *n != 0) {
            let np_path = child(&pp, "nodePort");
            if matches!(ty, "ClusterIP" | "ExternalName") {
                errs.forbidden(&np_path, &format!("may not be used when `type` is '{ty}'"));
            } else if !(NODE_PORT_RANGE.0..=NODE_PORT_RANGE.1).contains(&np) {
                errs.invalid_int(
                    &np_path,
                    np,
                    &format!(
                        "provided port is not in the valid range. The range of valid ports is {}-{}",
                        NODE_PORT_RANGE.0, NODE_PORT_RANGE.1
                    ),
                );
            } else if !node_ports.insert((np, proto.to_string())) {
                errs.duplicate_value(&np_path, BadValue::Int(np));
            }
        }
    }
}

/// Endpoints: addresses are IPs, ports valid.
pub(super) fn validate_endpoints(obj: &Value, errs: &mut Errs) {
    for (i, subset) in array_at(obj, &["subsets"]).iter().enumerate() {
        let sp = index("subsets", i);
        for field in ["addresses", "notReadyAddresses"] {
            for (j, a) in array_at(subset, &[field]).iter().enumerate() {
                let ip = str_at(a, &["ip"]).unwrap_or("");
                if !is_ip(ip) {
                    errs.invalid_str(&child(&index(&child(&sp, field), j), "ip"), ip, IP_DETAIL);
                }
            }
        }
        validate_endpoint_ports(array_at(subset, &["ports"]), &child(&sp, "ports"), errs);
    }
}

fn validate_endpoint_ports(ports: &[Value], path: &str, errs: &mut Errs) {
    for (j, p) in ports.iter().enumerate() {
        let pp = index(path, j);
        if let Some(port) = i64_at(p, &["port"]) {
            is_valid_port_num(port).iter().for_each(|m| errs.invalid_int(&child(&pp, "port"), port, m));
        }
        validate_protocol(str_at(p, &["protocol"]).unwrap_or("TCP"), &child(&pp, "protocol"), errs);
    }
}

/// EndpointSlice: address type, addresses, ports.
pub(super) fn validate_endpoint_slice(obj: &Value, errs: &mut Errs) {
    let addr_type = str_at(obj, &["addressType"]).unwrap_or("");
    if !matches!(addr_type, "IPv4" | "IPv6" | "FQDN") {
        errs.unsupported("addressType", addr_type, &["FQDN", "IPv4", "IPv6"]);
    }
    for (i, ep) in array_at(obj, &["endpoints"]).iter().enumerate() {
        let addrs = array_at(ep, &["addresses"]);
        let ap = child(&index("endpoints", i), "addresses");
        if addrs.is_empty() {
            errs.required(&ap, "must contain at least 1 address");
        }
        for (j, a) in addrs.iter().enumerate() {
            let a = a.as_str().unwrap_or("");
            if matches!(addr_type, "IPv4" | "IPv6") && !is_ip(a) {
                errs.invalid_str(&index(&ap, j), a, IP_DETAIL);
            }
        }
    }
    validate_endpoint_ports(array_at(obj, &["ports"]), "ports", errs);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(spec: Value, old: Option<Value>) -> Vec<String> {
        let mut errs = Errs::default();
        let old = old.map(|s| json!({"spec": s}));
        validate_service(&json!({"spec": spec}), old.as_ref(), &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    fn svc(extra: Value) -> Value {
        let mut s = json!({"type": "ClusterIP", "sessionAffinity": "None", "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}],
            "selector": {"app": "web"}, "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"});
        if let (Value::Object(base), Value::Object(more)) = (&mut s, extra) {
            base.extend(more);
        }
        s
    }

    #[test]
    fn accepts_common_services() {
        assert!(check(svc(json!({})), None).is_empty());
        assert!(check(svc(json!({"clusterIP": "None", "ports": []})), None).is_empty(), "headless needs no ports");
        assert!(
            check(
                svc(json!({"type": "NodePort", "externalTrafficPolicy": "Local",
            "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080, "targetPort": "http"}]})),
                None
            )
            .is_empty()
        );
        assert!(
            check(json!({"type": "ExternalName", "externalName": "db.example.com", "sessionAffinity": "None"}), None)
                .is_empty()
        );
    }

    #[test]
    fn table_of_service_errors() {
        let cases = [
            (svc(json!({"ports": []})), "spec.ports: Required value"),
            (
                svc(json!({"type": "Internal"})),
                "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
            ),
            (
                svc(json!({"ports": [{"port": 0, "protocol": "TCP"}]})),
                "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            ),
            (
                svc(json!({"ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}]})),
                "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
            ),
            (
                svc(json!({"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP", "nodePort": 80}]})),
                "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767",
            ),
            (
                svc(json!({"ports": [{"port": 80, "protocol": "TCP", "name": "a"}, {"port": 81, "protocol": "TCP"}]})),
                "spec.ports[1].name: Required value",
            ),
            (
                svc(json!({"sessionAffinity": "Sticky"})),
                "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"",
            ),
            (
                svc(json!({"externalTrafficPolicy": "Local"})),
                "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set when `type` is 'NodePort' or 'LoadBalancer'",
            ),
            (
                svc(json!({"ipFamilyPolicy": "RequireDualStack"})),
                "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services",
            ),
            (
                svc(json!({"clusterIP": "10.0.0.300"})),
                "spec.clusterIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ),
            (
                svc(json!({"selector": {"app": "web site"}})),
                "spec.selector: Invalid value: \"web site\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
        ];
        for (spec, want) in cases {
            assert_eq!(check(spec, None), [want]);
        }
        let dup = check(
            svc(
                json!({"ports": [{"port": 80, "protocol": "TCP", "name": "a"}, {"port": 80, "protocol": "TCP", "name": "b"}]}),
            ),
            None,
        );
        assert_eq!(dup.len(), 1);
        assert!(dup[0].starts_with("spec.ports[1]: Duplicate value: core.ServicePort{"), "{dup:?}");
    }

    #[test]
    fn cluster_ip_is_fixed_once_set() {
        let old = svc(json!({"clusterIP": "10.96.0.10"}));
        assert_eq!(
            check(svc(json!({"clusterIP": "10.96.0.11"})), Some(old.clone())),
            ["spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may not change once set"]
        );
        assert!(check(svc(json!({"clusterIP": "10.96.0.10"})), Some(old)).is_empty());
    }

    #[test]
    fn endpoints_and_slices() {
        let mut errs = Errs::default();
        validate_endpoints(
            &json!({"subsets": [{"addresses": [{"ip": "10.244.1.5"}, {"ip": "nope"}], "ports": [{"port": 80, "protocol": "TCP"}]}]}),
            &mut errs,
        );
        assert_eq!(
            errs.0.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "subsets[0].addresses[1].ip: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            ]
        );
        let mut errs = Errs::default();
        validate_endpoint_slice(
            &json!({"addressType": "IPv4", "endpoints": [{"addresses": []}], "ports": [{"port": 80, "protocol": "TCP"}]}),
            &mut errs,
        );
        assert_eq!(
            errs.0.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["endpoints[0].addresses: Required value: must contain at least 1 address"]
        );
        assert!(is_cidr("10.0.0.0/8") && !is_cidr("10.0.0.0/33") && !is_cidr("10.0.0.0"));
    }
}
