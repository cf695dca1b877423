//! kind's default storage (`pkg/build/nodeimage/const_storage.go`, applied by kind after kubeadm):
//! the `local-path-storage` namespace, the local-path-provisioner's ServiceAccount, ConfigMap and
//! Deployment, and the default StorageClass `standard` it serves. RBAC objects are left out, as in
//! `addons.rs`.

use serde_json::{Value, json};

use crate::sim::node::registry::kind_images::{LOCAL_PATH_HELPER, LOCAL_PATH_PROVISIONER};
use crate::sim::provisioner::{BASE_PATH, NAMESPACE};

const SERVICE_ACCOUNT: &str = "local-path-provisioner-service-account";

fn config_map() -> Value {
    let config = format!(
        "{{\n        \"nodePathMap\":[\n        {{\n                \"node\":\"DEFAULT_PATH_FOR_NON_LISTED_NODES\",\n                \"paths\":[\"{BASE_PATH}\"]\n        }}\n        ]\n}}"
    );
    let helper = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: helper-pod\nspec:\n  containers:\n  - name: helper-pod\n    image: {LOCAL_PATH_HELPER}\n    imagePullPolicy: IfNotPresent"
    );
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "local-path-config", "namespace": NAMESPACE},
        "data": {"config.json": config, "helperPod.yaml": helper,
            "setup": "#!/bin/sh\nset -eu\nmkdir -m 0777 -p \"$VOL_DIR\"", "teardown": "#!/bin/sh\nset -eu\nrm -rf \"$VOL_DIR\""}})
}

fn deployment() -> Value {
    let labels = json!({"app": "local-path-provisioner"});
    let toleration = |key: &str| json!({"key": key, "operator": "Equal", "effect": "NoSchedule"});
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "local-path-provisioner", "namespace": NAMESPACE},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [toleration("node-role.kubernetes.io/control-plane"), toleration("node-role.kubernetes.io/master")],
            "serviceAccountName": SERVICE_ACCOUNT,
            "containers": [{"name": "local-path-provisioner", "image": LOCAL_PATH_PROVISIONER, "imagePullPolicy": "IfNotPresent",
                "command": ["local-path-provisioner", "--debug", "start", "--helper-image", LOCAL_PATH_HELPER,
                    "--config", "/etc/config/config.json"],
                "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/config/"}],
                "env": [{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]}],
            "volumes": [{"name": "config-volume", "configMap": {"name": "local-path-config"}}]}}}})
}

/// kind's default StorageClass: local-path, bound when the first pod using a claim is scheduled.
fn standard_storage_class() -> Value {
    json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"})
}

/// The manifest's objects in its order (the namespace first, so the others can be admitted).
pub fn manifests() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": SERVICE_ACCOUNT, "namespace": NAMESPACE}}),
        deployment(),
        standard_storage_class(),
        config_map(),
    ]
}
