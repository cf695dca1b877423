//! metrics-server, installed as `kubectl apply -f components.yaml` of metrics-server v0.7.2 installs it
//! (`kubernetes-sigs/metrics-server` `manifests/base`), with the `--kubelet-insecure-tls` kind's users
//! add (kind's kubelets serve self-signed certificates). kind has none by default; the sandbox boots it
//! so that `kubectl top` and the HorizontalPodAutoscaler work because it is there. Its ServiceAccount,
//! Service and Deployment are objects of the API; its `APIService v1beta1.metrics.k8s.io` is not an
//! object (apiregistration.k8s.io is not served): the apiserver's aggregation layer knows it as
//! [`API_SERVICE`], backed by the Service [`NAMESPACE`]/[`NAME`]. RBAC objects are left out, as in
//! `addons.rs`.

use serde_json::{Value, json};

/// The namespace, name and label it runs under: its Deployment, Service, ServiceAccount and container.
pub const NAMESPACE: &str = "kube-system";
pub const NAME: &str = "metrics-server";
/// Its image (`components.yaml` of v0.7.2).
pub const IMAGE: &str = "registry.k8s.io/metrics-server/metrics-server:v0.7.2";
/// `--secure-port`: where it serves the Metrics API and its probes (its container port `https`).
pub const SECURE_PORT: u16 = 10250;
/// The APIService's name, which the aggregator's words use.
pub const API_SERVICE: &str = "v1beta1.metrics.k8s.io";

fn labels() -> Value {
    json!({"k8s-app": NAME})
}

fn service_account() -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": labels()}})
}

fn service() -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": labels()},
        "spec": {"selector": labels(), "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"}]}})
}

fn deployment() -> Value {
    let probe = |path: &str| json!({"httpGet": {"path": path, "port": "https", "scheme": "HTTPS"}, "periodSeconds": 10, "failureThreshold": 3});
    let mut readiness = probe("/readyz");
    readiness["initialDelaySeconds"] = json!(20);
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": labels()},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels()}, "strategy": {"rollingUpdate": {"maxUnavailable": 0}},
            "template": {"metadata": {"labels": labels()}, "spec": {
                "containers": [{"name": NAME, "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                    "args": ["--cert-dir=/tmp", format!("--secure-port={SECURE_PORT}"),
                        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                        "--kubelet-use-node-status-port", "--metric-resolution=15s", "--kubelet-insecure-tls"],
                    "ports": [{"containerPort": SECURE_PORT, "name": "https", "protocol": "TCP"}],
                    "livenessProbe": probe("/livez"), "readinessProbe": readiness,
                    "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}},
                    "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
                        "readOnlyRootFilesystem": true, "runAsNonRoot": true, "runAsUser": 1000,
                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "volumeMounts": [{"mountPath": "/tmp", "name": "tmp-dir"}]}],
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "priorityClassName": "system-cluster-critical", "serviceAccountName": NAME,
                "volumes": [{"name": "tmp-dir", "emptyDir": {}}]}}}})
}

/// The manifest's API objects in its order (its RBAC and APIService aside: see the module docs).
pub fn manifests() -> Vec<Value> {
    vec![service_account(), service(), deployment()]
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
        assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/livez");
        assert!(c["args"].as_array().unwrap().contains(&json!("--kubelet-insecure-tls")));
        assert_eq!(m[1]["spec"]["ports"][0]["targetPort"], "https");
        assert_eq!(m[2]["spec"]["template"]["spec"]["priorityClassName"], "system-cluster-critical");
    }
}
