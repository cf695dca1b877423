//! Service defaults (SetDefaults_Service) and the allocator's cluster-IP hook.

use super::pod::{each_object, set_default};
use crate::sim::api::meta::object_at;
use serde_json::{Value, json};

/// Service defaults, plus the IP-family fields the service REST storage sets on a single-stack
/// IPv4 cluster. The cluster IP itself comes from [`set_cluster_ip`].
pub(super) fn service(obj: &mut Value) {
    let s = object_at(obj, &["spec"]);
    set_default(s, "type", json!("ClusterIP"));
    set_default(s, "sessionAffinity", json!("None"));
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("").to_string();
    match s.get("sessionAffinity").and_then(Value::as_str) {
        Some("None") => {
            s.remove("sessionAffinityConfig");
        }
        Some("ClientIP") => {
            let timeout =
                s.get("sessionAffinityConfig").and_then(|c| c.get("clientIP")).and_then(|c| c.get("timeoutSeconds"));
            if timeout.is_none_or(Value::is_null) {
                s.insert("sessionAffinityConfig".into(), json!({"clientIP": {"timeoutSeconds": 10800}}));
            }
        }
        _ => {}
    }
    for port in each_object(s, "ports") {
        set_default(port, "protocol", json!("TCP"));
        let unset = match port.get("targetPort") {
            None | Some(Value::Null) => true,
            Some(Value::Number(n)) => n.as_i64() == Some(0),
            Some(Value::String(t)) => t.is_empty(),
            _ => false,
        };
        if unset {
            let p = port.get("port").cloned().unwrap_or(json!(0));
            port.insert("targetPort".into(), p);
        }
    }
    if matches!(ty.as_str(), "NodePort" | "LoadBalancer") {
        set_default(s, "externalTrafficPolicy", json!("Cluster"));
    }
    if ty == "LoadBalancer" {
        set_default(s, "allocateLoadBalancerNodePorts", json!(true));
    }
    if ty != "ExternalName" {
        set_default(s, "internalTrafficPolicy", json!("Cluster"));
        set_default(s, "ipFamilies", json!(["IPv4"]));
        set_default(s, "ipFamilyPolicy", json!("SingleStack"));
        if s.get("clusterIP").and_then(Value::as_str) == Some("None") {
            set_default(s, "clusterIPs", json!(["None"]));
        }
    }
}

/// Records the allocated cluster IP in both `clusterIP` and `clusterIPs`, as the apiserver's
/// allocator does when it accepts a Service.
pub fn set_cluster_ip(svc: &mut Value, ip: &str) {
    let s = object_at(svc, &["spec"]);
    s.insert("clusterIP".into(), json!(ip));
    s.insert("clusterIPs".into(), json!([ip]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ip_services() {
        let mut svc = json!({"spec": {"selector": {"app": "web"}, "ports": [{"port": 80}, {"port": 443, "targetPort": "https"}]}});
        service(&mut svc);
        let s = &svc["spec"];
        assert_eq!((s["type"].clone(), s["sessionAffinity"].clone()), (json!("ClusterIP"), json!("None")));
        assert_eq!(
            s["ports"],
            json!([{"port": 80, "protocol": "TCP", "targetPort": 80}, {"port": 443, "targetPort": "https", "protocol": "TCP"}])
        );
        assert_eq!(
            (s["ipFamilies"].clone(), s["ipFamilyPolicy"].clone(), s["internalTrafficPolicy"].clone()),
            (json!(["IPv4"]), json!("SingleStack"), json!("Cluster"))
        );
        assert!(s.get("externalTrafficPolicy").is_none());
        set_cluster_ip(&mut svc, "10.96.0.10");
        assert_eq!(svc["spec"]["clusterIPs"], json!(["10.96.0.10"]));
    }

    #[test]
    fn load_balancers_headless_and_external_names() {
        let mut lb = json!({"spec": {"type": "LoadBalancer", "sessionAffinity": "ClientIP", "ports": [{"port": 80, "targetPort": 0}]}});
        service(&mut lb);
        let s = &lb["spec"];
        assert_eq!(
            (s["externalTrafficPolicy"].clone(), s["allocateLoadBalancerNodePorts"].clone()),
            (json!("Cluster"), json!(true))
        );
        assert_eq!(s["sessionAffinityConfig"], json!({"clientIP": {"timeoutSeconds": 10800}}));
        assert_eq!(s["ports"][0]["targetPort"], 80);
        let mut headless = json!({"spec": {"clusterIP": "None"}});
        service(&mut headless);
        assert_eq!(headless["spec"]["clusterIPs"], json!(["None"]));
        let mut ext = json!({"spec": {"type": "ExternalName", "externalName": "db.example.com"}});
        service(&mut ext);
        assert!(ext["spec"].get("ipFamilies").is_none() && ext["spec"].get("internalTrafficPolicy").is_none());
    }
}
