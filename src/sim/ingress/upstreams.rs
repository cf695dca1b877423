//! ingress-nginx's upstreams: the endpoints behind an Ingress backend, read from the Service and its
//! EndpointSlices (`internal/ingress/controller/endpointslices.go` `getEndpointsFromSlices`). The
//! controller proxies to these pod addresses itself: the Service's ClusterIP and kube-proxy's rules are
//! not on the path.

use serde_json::Value;

use super::routes::PortRef;
use crate::sim::api::pointer::Pointer;

fn str_at<'v>(v: &'v Value, p: &str) -> &'v str {
    v.at(p).and_then(Value::as_str).unwrap_or_default()
}

/// The `ip:port` endpoints of `namespace/name`'s port `port`: the Service port it names (by number or
/// name), then every ready endpoint of the Service's slices on the slice port of that name. None
/// when the Service or its port does not exist (nginx then answers 503, as for no endpoints).
pub fn endpoints(
    services: &[&Value],
    slices: &[&Value],
    namespace: &str,
    name: &str,
    port: &PortRef,
) -> Vec<(String, u16)> {
    let Some(svc) =
        services.iter().find(|s| str_at(s, "/metadata/namespace") == namespace && str_at(s, "/metadata/name") == name)
    else {
        return Vec::new();
    };
    let ports = svc.at("/spec/ports").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let Some(sp) = ports.iter().find(|p| match port {
        PortRef::Number(n) => p.get("port").and_then(Value::as_i64) == Some(*n),
        PortRef::Name(n) => str_at(p, "/name") == n,
    }) else {
        return Vec::new();
    };
    let port_name = str_at(sp, "/name");
    let mut out: Vec<(String, u16)> = Vec::new();
    let owned = slices.iter().filter(|s| {
        str_at(s, "/metadata/namespace") == namespace
            && str_at(s, "/metadata/labels/kubernetes.io~1service-name") == name
    });
    for slice in owned {
        let Some(number) = slice
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|p| str_at(p, "/name") == port_name)
            .and_then(|p| p.get("port").and_then(Value::as_u64))
            .and_then(|p| u16::try_from(p).ok())
        else {
            continue;
        };
        for e in slice.get("endpoints").and_then(Value::as_array).into_iter().flatten() {
            // Only ready endpoints: `if ep.Conditions.Ready != nil && !*ep.Conditions.Ready`.
            if e.at("/conditions/ready").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            for ip in e.get("addresses").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                let ep = (ip.to_string(), number);
                if !out.contains(&ep) {
                    out.push(ep);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoints_follow_the_service_port_to_the_slices() {
        let svc = json!({"metadata": {"namespace": "default", "name": "web"},
            "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "admin", "port": 9000}]}});
        let slice = json!({"metadata": {"namespace": "default", "name": "web-abc", "labels": {"kubernetes.io/service-name": "web"}},
            "ports": [{"name": "http", "port": 8080}, {"name": "admin", "port": 9000}],
            "endpoints": [{"addresses": ["10.244.1.2"], "conditions": {"ready": true}},
                          {"addresses": ["10.244.2.3"], "conditions": {"ready": false}}]});
        let (services, slices) = ([&svc], [&slice]);
        let by_number = endpoints(&services, &slices, "default", "web", &PortRef::Number(80));
        assert_eq!(by_number, vec![("10.244.1.2".to_string(), 8080)], "ready endpoints, on the target port");
        let by_name = endpoints(&services, &slices, "default", "web", &PortRef::Name("admin".into()));
        assert_eq!(by_name, vec![("10.244.1.2".to_string(), 9000)]);
        assert!(endpoints(&services, &slices, "default", "web", &PortRef::Number(81)).is_empty(), "no such port");
        assert!(endpoints(&services, &slices, "default", "nope", &PortRef::Number(80)).is_empty(), "no such Service");
        assert!(endpoints(&services, &slices, "other", "web", &PortRef::Number(80)).is_empty());
    }
}
