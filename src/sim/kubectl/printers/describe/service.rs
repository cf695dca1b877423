//! `describeService`, with endpoints taken from the service's EndpointSlices.

use serde_json::Value;

use super::super::columns::core_join_host_port;
use super::super::fields::{arr_at, at, format_labels, i64_at, opt_str, str_at, string_map};
use super::writer::PrefixWriter;
use super::{DescribeContext, events, labels_and_annotations, name_namespace};

/// Describes a Service; `ctx.endpoint_slices` back its `Endpoints:` lines.
pub fn describe_service(w: &mut PrefixWriter, svc: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, svc);
    labels_and_annotations(w, svc);
    w.write(0, &format!("Selector:\t{}\n", format_labels(&string_map(svc, &["spec", "selector"]))));
    w.write(0, &format!("Type:\t{}\n", str_at(svc, &["spec", "type"])));
    if let Some(p) = opt_str(svc, &["spec", "ipFamilyPolicy"]) {
        w.write(0, &format!("IP Family Policy:\t{p}\n"));
    }
    let join =
        |field: &str| arr_at(svc, &["spec", field]).iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",");
    let families = join("ipFamilies");
    w.write(0, &format!("IP Families:\t{}\n", if families.is_empty() { "<none>" } else { &families }));
    w.write(0, &format!("IP:\t{}\n", str_at(svc, &["spec", "clusterIP"])));
    let ips = join("clusterIPs");
    w.write(0, &format!("IPs:\t{}\n", if ips.is_empty() { "<none>" } else { &ips }));
    let external = join("externalIPs");
    if !external.is_empty() {
        w.write(0, &format!("External IPs:\t{external}\n"));
    }
    for (field, title) in [("loadBalancerIP", "Desired LoadBalancer IP"), ("externalName", "External Name")] {
        let v = str_at(svc, &["spec", field]);
        if !v.is_empty() {
            w.write(0, &format!("{title}:\t{v}\n"));
        }
    }
    let ingress = arr_at(svc, &["status", "loadBalancer", "ingress"]);
    if !ingress.is_empty() {
        let list: Vec<String> = ingress
            .iter()
            .map(|i| match (str_at(i, &["ip"]), opt_str(i, &["ipMode"])) {
                ("", _) => str_at(i, &["hostname"]).to_string(),
                (ip, Some(mode)) => format!("{ip} ({mode})"),
                (ip, None) => ip.to_string(),
            })
            .collect();
        w.write(0, &format!("LoadBalancer Ingress:\t{}\n", list.join(", ")));
    }
    for port in arr_at(svc, &["spec", "ports"]) {
        let name = str_at(port, &["name"]);
        let shown = if name.is_empty() { "<unset>" } else { name };
        let proto = str_at(port, &["protocol"]);
        w.write(0, &format!("Port:\t{shown}\t{}/{proto}\n", i64_at(port, &["port"])));
        match at(port, &["targetPort"]) {
            Some(Value::String(s)) => w.write(0, &format!("TargetPort:\t{s}/{proto}\n")),
            other => w.write(0, &format!("TargetPort:\t{}/{proto}\n", other.and_then(Value::as_i64).unwrap_or(0))),
        }
        let node_port = i64_at(port, &["nodePort"]);
        if node_port != 0 {
            w.write(0, &format!("NodePort:\t{shown}\t{node_port}/{proto}\n"));
        }
        w.write(0, &format!("Endpoints:\t{}\n", format_endpoint_slices(&ctx.endpoint_slices, name)));
    }
    w.write(0, &format!("Session Affinity:\t{}\n", str_at(svc, &["spec", "sessionAffinity"])));
    let etp = str_at(svc, &["spec", "externalTrafficPolicy"]);
    if !etp.is_empty() {
        w.write(0, &format!("External Traffic Policy:\t{etp}\n"));
    }
    if let Some(itp) = opt_str(svc, &["spec", "internalTrafficPolicy"]) {
        w.write(0, &format!("Internal Traffic Policy:\t{itp}\n"));
    }
    let hc = i64_at(svc, &["spec", "healthCheckNodePort"]);
    if hc != 0 {
        w.write(0, &format!("HealthCheck NodePort:\t{hc}\n"));
    }
    let ranges = join("loadBalancerSourceRanges");
    if !ranges.is_empty() {
        w.write(0, &format!("LoadBalancer Source Ranges:\t{ranges}\n"));
    }
    events::describe_events(w, evs, ctx);
}

/// `formatEndpointSlices` for one service port name: ready endpoints as `ip:port`, three at most.
pub fn format_endpoint_slices(slices: &[Value], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let (mut list, mut more, mut count) = (Vec::new(), false, 0);
    let ready = |e: &Value| at(e, &["conditions", "ready"]).and_then(Value::as_bool).unwrap_or(true);
    for slice in slices {
        let ports = arr_at(slice, &["ports"]);
        let endpoints = arr_at(slice, &["endpoints"]);
        if ports.is_empty() {
            for e in endpoints {
                if list.len() == MAX {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more && let Some(addr) = arr_at(e, &["addresses"]).first().and_then(Value::as_str) {
                    list.push(addr.to_string());
                }
                count += 1;
            }
            continue;
        }
        for p in ports.iter().filter(|p| str_at(p, &["name"]) == port_name) {
            for e in endpoints {
                if list.len() == MAX {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more && let Some(addr) = arr_at(e, &["addresses"]).first().and_then(Value::as_str) {
                    list.push(core_join_host_port(addr, i64_at(p, &["port"])));
                }
                count += 1;
            }
        }
    }
    let ret = list.join(",");
    if more { format!("{ret} + {} more...", count - MAX) } else { ret }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoints_skip_unready_and_cap_at_three() {
        let slices = [json!({"ports": [{"name": "http", "port": 8080}], "endpoints": [
            {"addresses": ["10.0.0.1"], "conditions": {"ready": true}}, {"addresses": ["10.0.0.2"], "conditions": {"ready": false}},
            {"addresses": ["10.0.0.3"]}, {"addresses": ["10.0.0.4"]}, {"addresses": ["10.0.0.5"]}]})];
        assert_eq!(format_endpoint_slices(&slices, "http"), "10.0.0.1:8080,10.0.0.3:8080,10.0.0.4:8080 + 1 more...");
        assert_eq!(format_endpoint_slices(&slices, "other"), "");
        assert_eq!(format_endpoint_slices(&[], "http"), "<none>");
        let headless = [json!({"endpoints": [{"addresses": ["10.0.0.9"]}, {"addresses": []}]})];
        assert_eq!(format_endpoint_slices(&headless, ""), "10.0.0.9");
    }
}
