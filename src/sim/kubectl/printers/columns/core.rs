//! Rows for core/v1 kinds other than Pod: Node, Namespace, Service, Endpoints, ConfigMap, Secret,
//! ServiceAccount, Event, PersistentVolume(Claim) and ResourceQuota.

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::super::fields::{arr_at, at, bool_at, format_labels, i64_at, obj_at, opt_str, str_at, string_map};
use super::RowCtx;

fn name(obj: &Value) -> String {
    str_at(obj, &["metadata", "name"]).to_string()
}

fn or(s: &str, default: &str) -> String {
    if s.is_empty() { default.to_string() } else { s.to_string() }
}

fn len_of(obj: &Value, path: &[&str]) -> usize {
    match at(obj, path) {
        Some(Value::Object(m)) => m.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

/// Node STATUS (`Ready`, `NotReady,SchedulingDisabled`, `Unknown`), ROLES, VERSION and the wide columns.
pub fn node(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let mut status: Vec<String> = Vec::new();
    // The last condition of a type wins, as when Go builds its map of conditions.
    if let Some(c) = arr_at(obj, &["status", "conditions"]).iter().rev().find(|c| str_at(c, &["type"]) == "Ready") {
        status.push(if str_at(c, &["status"]) == "True" { "Ready".into() } else { "NotReady".into() });
    }
    if status.is_empty() {
        status.push("Unknown".into());
    }
    if bool_at(obj, &["spec", "unschedulable"]) {
        status.push("SchedulingDisabled".into());
    }
    let roles = node_roles(obj);
    let info = |k: &str| or(str_at(obj, &["status", "nodeInfo", k]), "<unknown>");
    vec![
        name(obj),
        status.join(","),
        if roles.is_empty() { "<none>".into() } else { roles.join(",") },
        ctx.age(obj),
        str_at(obj, &["status", "nodeInfo", "kubeletVersion"]).to_string(),
        node_address(obj, "InternalIP"),
        node_address(obj, "ExternalIP"),
        info("osImage"),
        info("kernelVersion"),
        info("containerRuntimeVersion"),
    ]
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`, sorted.
pub fn node_roles(obj: &Value) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in string_map(obj, &["metadata", "labels"]) {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.push(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.push(v);
        }
    }
    roles.stable_sort();
    roles.dedup();
    roles
}

fn node_address(obj: &Value, kind: &str) -> String {
    arr_at(obj, &["status", "addresses"])
        .iter()
        .find(|a| str_at(a, &["type"]) == kind)
        .map(|a| str_at(a, &["address"]).to_string())
        .unwrap_or_else(|| "<none>".into())
}

/// Namespace STATUS is the phase.
pub fn namespace(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    vec![name(obj), str_at(obj, &["status", "phase"]).to_string(), ctx.age(obj)]
}

/// Service TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S) (`80:30080/TCP`) and wide SELECTOR.
pub fn service(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let cluster_ip =
        arr_at(obj, &["spec", "clusterIPs"]).first().and_then(Value::as_str).unwrap_or("<none>").to_string();
    let ports = arr_at(obj, &["spec", "ports"])
        .iter()
        .map(|p| {
            let (port, proto, node_port) = (i64_at(p, &["port"]), str_at(p, &["protocol"]), i64_at(p, &["nodePort"]));
            if node_port > 0 { format!("{port}:{node_port}/{proto}") } else { format!("{port}/{proto}") }
        })
        .collect::<Vec<_>>()
        .join(",");
    vec![
        name(obj),
        str_at(obj, &["spec", "type"]).to_string(),
        cluster_ip,
        service_external_ip(obj),
        or(&ports, "<none>"),
        ctx.age(obj),
        format_labels(&string_map(obj, &["spec", "selector"])),
    ]
}

/// `getServiceExternalIP` as the server computes it (always "wide", so never clipped).
fn service_external_ip(obj: &Value) -> String {
    let external: Vec<&str> = arr_at(obj, &["spec", "externalIPs"]).iter().filter_map(Value::as_str).collect();
    match str_at(obj, &["spec", "type"]) {
        "ClusterIP" | "NodePort" => {
            if external.is_empty() {
                "<none>".into()
            } else {
                external.join(",")
            }
        }
        "LoadBalancer" => {
            let lb = load_balancer_ingress(arr_at(obj, &["status", "loadBalancer", "ingress"]));
            if !external.is_empty() {
                let mut all: Vec<String> = lb.to_vec();
                all.extend(external.iter().map(|s| s.to_string()));
                all.join(",")
            } else if !lb.is_empty() {
                lb.join(",")
            } else {
                "<pending>".into()
            }
        }
        "ExternalName" => str_at(obj, &["spec", "externalName"]).to_string(),
        _ => "<unknown>".into(),
    }
}

/// IPs (or hostnames) of load-balancer ingress points, sorted and de-duplicated like `sets.String`.
pub fn load_balancer_ingress(ingress: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = ingress
        .iter()
        .filter_map(|i| {
            let ip = str_at(i, &["ip"]);
            let host = str_at(i, &["hostname"]);
            if !ip.is_empty() {
                Some(ip.to_string())
            } else if !host.is_empty() {
                Some(host.to_string())
            } else {
                None
            }
        })
        .collect();
    out.stable_sort();
    out.dedup();
    out
}

/// Endpoints: up to three `ip:port` pairs, then `+ N more...`.
pub fn endpoints(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    vec![name(obj), format_endpoints(obj), ctx.age(obj)]
}

fn format_endpoints(obj: &Value) -> String {
    let subsets = arr_at(obj, &["subsets"]);
    if subsets.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let (mut list, mut more, mut count) = (Vec::new(), false, 0);
    for ss in subsets {
        let addrs = arr_at(ss, &["addresses"]);
        let ports = arr_at(ss, &["ports"]);
        if ports.is_empty() {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(str_at(a, &["ip"]).to_string());
            }
            continue;
        }
        for p in ports {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(join_host_port(str_at(a, &["ip"]), i64_at(p, &["port"])));
            }
        }
    }
    let ret = list.join(",");
    if more { format!("{ret} + {} more...", count - MAX) } else { ret }
}

/// `net.JoinHostPort`: IPv6 addresses get brackets.
pub fn join_host_port(host: &str, port: i64) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// ConfigMap DATA counts `data` plus `binaryData`.
pub fn config_map(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let n = len_of(obj, &["data"]) + len_of(obj, &["binaryData"]);
    vec![name(obj), n.to_string(), ctx.age(obj)]
}

/// Secret TYPE and DATA.
pub fn secret(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    vec![name(obj), str_at(obj, &["type"]).to_string(), len_of(obj, &["data"]).to_string(), ctx.age(obj)]
}

/// ServiceAccount SECRETS counts `secrets`.
pub fn service_account(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    vec![name(obj), len_of(obj, &["secrets"]).to_string(), ctx.age(obj)]
}

/// Event: LAST SEEN, TYPE, REASON, OBJECT (`pod/web-1`), SUBOBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME.
pub fn event(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    // The table printer works on the internal (core) Event whichever version was read.
    let core;
    let obj = match crate::sim::api::for_kind(str_at(obj, &["apiVersion"]), "Event") {
        Ok(rt) if crate::sim::api::convert::converts(rt) => {
            core = crate::sim::api::convert::to_stored(rt, obj.clone());
            &core
        }
        _ => obj,
    };
    let first_ts = opt_str(obj, &["firstTimestamp"]).filter(|s| !s.is_empty());
    let first = match first_ts {
        Some(ts) => ctx.since(Some(ts)),
        None => ctx.since(opt_str(obj, &["eventTime"])),
    };
    let mut last = match opt_str(obj, &["lastTimestamp"]).filter(|s| !s.is_empty()) {
        Some(ts) => ctx.since(Some(ts)),
        None => first.clone(),
    };
    let mut count = i64_at(obj, &["count"]);
    if obj_at(obj, &["series"]).is_some() {
        last = ctx.since(opt_str(obj, &["series", "lastObservedTime"]));
        count = i64_at(obj, &["series", "count"]);
    } else if count == 0 {
        count = 1;
    }
    let kind = str_at(obj, &["involvedObject", "kind"]).to_lowercase();
    let involved = str_at(obj, &["involvedObject", "name"]);
    let target = if involved.is_empty() { kind } else { format!("{kind}/{involved}") };
    vec![
        last,
        str_at(obj, &["type"]).to_string(),
        str_at(obj, &["reason"]).to_string(),
        target,
        str_at(obj, &["involvedObject", "fieldPath"]).to_string(),
        event_source(obj),
        str_at(obj, &["message"]).trim().to_string(),
        first,
        count.to_string(),
        name(obj),
    ]
}

/// `formatEventSource`: `component, host`, falling back to the reporting controller and instance.
pub fn event_source(obj: &Value) -> String {
    let pick = |a: &str, b: &str| if a.is_empty() { b.to_string() } else { a.to_string() };
    let component = pick(str_at(obj, &["source", "component"]), str_at(obj, &["reportingComponent"]));
    let instance = pick(str_at(obj, &["source", "host"]), str_at(obj, &["reportingInstance"]));
    if instance.is_empty() { component } else { format!("{component}, {instance}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CTX: RowCtx = RowCtx { now: 600_000 };

    #[test]
    fn node_status_roles_and_wide_columns() {
        let n = json!({"metadata": {"name": "cp", "creationTimestamp": "2025-01-01T00:00:00Z",
                "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "master"}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
                "nodeInfo": {"kubeletVersion": "v1.33.1", "osImage": "Debian GNU/Linux 12 (bookworm)"}}});
        assert_eq!(
            node(&n, &CTX),
            [
                "cp",
                "Ready,SchedulingDisabled",
                "control-plane,master",
                "10m",
                "v1.33.1",
                "172.18.0.2",
                "<none>",
                "Debian GNU/Linux 12 (bookworm)",
                "<unknown>",
                "<unknown>"
            ]
        );
        let bare =
            json!({"metadata": {"name": "w"}, "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}});
        assert_eq!(node(&bare, &CTX)[1..4], ["NotReady", "<none>", "<unknown>"]);
        assert_eq!(node(&json!({}), &CTX)[1], "Unknown");
    }

    #[test]
    fn service_types_and_ports() {
        let svc = |ty: &str, extra: Value| {
            let mut s = json!({"metadata": {"name": "web"}, "spec": {"type": ty, "clusterIPs": ["10.96.0.10"],
                "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}, {"port": 53, "protocol": "UDP"}]}});
            if let (Some(a), Some(b)) = (s.as_object_mut(), extra.as_object()) {
                for (k, v) in b {
                    a.insert(k.clone(), v.clone());
                }
            }
            service(&s, &CTX)
        };
        assert_eq!(svc("ClusterIP", json!({}))[1..5], ["ClusterIP", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP"]);
        assert_eq!(svc("LoadBalancer", json!({}))[3], "<pending>");
        assert_eq!(
            svc(
                "LoadBalancer",
                json!({"status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}, {"hostname": "a.example.com"}]}}})
            )[3],
            "203.0.113.9,a.example.com"
        );
        assert_eq!(svc("Weird", json!({}))[3], "<unknown>");
        let none = service(&json!({"metadata": {"name": "h"}, "spec": {"type": "ClusterIP"}}), &CTX);
        assert_eq!(none[2..5], ["<none>", "<none>", "<none>"]);
    }

    #[test]
    fn endpoints_list_three_then_more() {
        let ep = json!({"subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}, {"ip": "10.0.0.3"}, {"ip": "fd00::4"}],
            "ports": [{"port": 80}]}]});
        assert_eq!(format_endpoints(&ep), "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...");
        assert_eq!(format_endpoints(&json!({})), "<none>");
        assert_eq!(join_host_port("fd00::4", 80), "[fd00::4]:80");
    }

    #[test]
    fn events_fall_back_through_timestamps() {
        let e = json!({"metadata": {"name": "web.1"}, "type": "Normal", "reason": "Scheduled",
            "involvedObject": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{app}"},
            "source": {"component": "default-scheduler"}, "message": " Successfully assigned \n",
            "eventTime": "2025-01-01T00:05:00Z", "reportingInstance": "sched-1"});
        assert_eq!(
            event(&e, &CTX),
            [
                "5m",
                "Normal",
                "Scheduled",
                "pod/web",
                "spec.containers{app}",
                "default-scheduler, sched-1",
                "Successfully assigned",
                "5m",
                "1",
                "web.1"
            ]
        );
        let series = json!({"series": {"count": 4, "lastObservedTime": "2025-01-01T00:09:00Z"}, "involvedObject": {"kind": "Node"}});
        let cells = event(&series, &CTX);
        assert_eq!(
            (cells[0].as_str(), cells[3].as_str(), cells[7].as_str(), cells[8].as_str()),
            ("60s", "node", "<unknown>", "4")
        );
    }

    #[test]
    fn small_kinds_count_their_entries() {
        let cm = json!({"metadata": {"name": "c"}, "data": {"a": "1"}, "binaryData": {"b": "AA=="}});
        assert_eq!(config_map(&cm, &CTX)[1], "2");
        let s = json!({"metadata": {"name": "s"}, "type": "Opaque", "data": {"k": "dg=="}});
        assert_eq!(secret(&s, &CTX)[1..3], ["Opaque", "1"]);
        assert_eq!(service_account(&json!({"secrets": "bad"}), &CTX)[1], "0");
    }
}
