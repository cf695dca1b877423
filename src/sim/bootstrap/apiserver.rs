//! Objects the kube-apiserver makes for itself when it starts: the system namespaces (the
//! `system-namespaces` controller), the default PriorityClasses (the `scheduling/bootstrap-system-priority-classes`
//! post-start hook, `pkg/apis/scheduling`), and the `kubernetes` Service with its Endpoints and
//! EndpointSlice pointing at the apiserver itself (`pkg/controlplane/controller/kubernetesservice` and
//! the endpoint reconciler).

use serde_json::{Value, json};

use super::{APISERVER_PORT, KUBERNETES_SERVICE_IP};

/// The namespaces every cluster has.
pub const SYSTEM_NAMESPACES: [&str; 4] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/// `SystemClusterCritical` and `SystemNodeCritical` with their values and descriptions
/// (`scheduling.SystemPriorityClasses()`).
pub fn priority_classes() -> Vec<Value> {
    [
        ("system-node-critical", 2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
        ("system-cluster-critical", 2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ]
    .into_iter()
    .map(|(name, value, description)| {
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
            "value": value, "description": description, "preemptionPolicy": "PreemptLowerPriority"})
    })
    .collect()
}

/// The `kubernetes` Service: 443 → the apiserver's 6443, at the service CIDR's first address.
pub fn kubernetes_service() -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"type": "ClusterIP", "clusterIP": KUBERNETES_SERVICE_IP, "clusterIPs": [KUBERNETES_SERVICE_IP],
            "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": APISERVER_PORT}]}})
}

/// The Endpoints the endpoint reconciler writes for the `kubernetes` Service (marked so that the
/// EndpointSlice mirroring controller leaves it alone: the reconciler writes the slice itself).
pub fn kubernetes_endpoints(apiserver_ip: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": apiserver_ip}], "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}]}]})
}

/// The EndpointSlice the reconciler writes beside them (`endpointsadapter.go`).
pub fn kubernetes_endpoint_slice(apiserver_ip: &str) -> Value {
    json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [apiserver_ip], "conditions": {"ready": true}}],
        "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_priority_classes_have_upstream_values() {
        let pcs = priority_classes();
        let pairs: Vec<(&str, i64)> = pcs
            .iter()
            .map(|p| (p["metadata"]["name"].as_str().unwrap_or(""), p["value"].as_i64().unwrap_or(0)))
            .collect();
        assert_eq!(pairs, [("system-node-critical", 2_000_001_000), ("system-cluster-critical", 2_000_000_000)]);
    }

    #[test]
    fn the_kubernetes_service_points_at_the_apiserver() {
        assert_eq!(kubernetes_service()["spec"]["ports"][0]["targetPort"], 6443);
        assert_eq!(kubernetes_endpoint_slice("172.18.0.2")["endpoints"][0]["addresses"][0], "172.18.0.2");
        assert_eq!(kubernetes_endpoints("172.18.0.2")["subsets"][0]["addresses"][0]["ip"], "172.18.0.2");
    }
}
