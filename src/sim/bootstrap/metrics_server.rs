//! metrics-server, installed as `kubectl apply -f components.yaml` of metrics-server v0.7.2 installs it
//! (`kubernetes-sigs/metrics-server` `manifests/base`), with the `--kubelet-insecure-tls` kind's users
//! add (kind's kubelets serve self-signed certificates). kind has none by default; the sandbox boots it
//! so that `kubectl top` and the HorizontalPodAutoscaler work because it is there. Its ServiceAccount,
//! Service and Deployment are objects of the API; its `APIService v1beta1.metrics.k8s.io` is not an
//! object (apiregistration.k8s.io is not served): the apiserver's aggregation layer knows it as
//! [`API_SERVICE`], backed by the Service [`NAMESPACE`]/[`NAME`]. RBAC objects are left out, as in
//! `addons.rs`.

use serde_json::Value;

/// The namespace, name and label it runs under: its Deployment, Service, ServiceAccount and container.
pub const NAMESPACE: &str = "kube-system";
pub const NAME: &str = "metrics-server";
/// Its image (`components.yaml` of v0.7.2).
pub const IMAGE: &str = "registry.k8s.io/metrics-server/metrics-server:v0.7.2";
/// `--secure-port`: where it serves the Metrics API and its probes (its container port `https`).
pub const SECURE_PORT: u16 = 10250;
/// The APIService's name, which the aggregator's words use.
pub const API_SERVICE: &str = "v1beta1.metrics.k8s.io";

/// The manifest's API objects in its order (its RBAC and APIService aside: see the module docs), from
/// `manifests/metrics-server.json`.
pub fn manifests() -> Vec<Value> {
    let port = SECURE_PORT.to_string();
    super::manifests_from_json(
        include_str!("manifests/metrics-server.json"),
        &[("IMAGE", IMAGE), ("SECURE_PORT", &port)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_manifest_is_components_yaml() {
        let m = manifests();
        let names: Vec<String> = m.iter().map(|o| format!("{}/{}", o["kind"], o["metadata"]["name"])).collect();
        assert_eq!(
            names,
            [
                "\"ServiceAccount\"/\"metrics-server\"",
                "\"Service\"/\"metrics-server\"",
                "\"Deployment\"/\"metrics-server\""
            ]
        );
        let c = &m[2]["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["image"], IMAGE);
        assert_eq!(c["ports"][0]["containerPort"], SECURE_PORT, "the port its flag names");
        assert!(c["args"].as_array().unwrap().contains(&json!(format!("--secure-port={SECURE_PORT}"))));
        assert!(m.iter().all(|o| o["metadata"]["name"] == NAME && o["metadata"]["namespace"] == NAMESPACE));
        assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
        assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/livez");
        assert!(c["args"].as_array().unwrap().contains(&json!("--kubelet-insecure-tls")));
        assert_eq!(m[1]["spec"]["ports"][0]["targetPort"], "https");
        assert_eq!(m[2]["spec"]["template"]["spec"]["priorityClassName"], "system-cluster-critical");
    }
}
