//! kind's default storage (`pkg/build/nodeimage/const_storage.go`, applied by kind after kubeadm):
//! the `local-path-storage` namespace, the local-path-provisioner's ServiceAccount, ConfigMap and
//! Deployment, and the default StorageClass `standard` it serves. RBAC objects are left out, as in
//! `addons.rs`.

use serde_json::Value;

use crate::sim::node::registry::kind_images::{LOCAL_PATH_HELPER, LOCAL_PATH_PROVISIONER};
use crate::sim::provisioner::{BASE_PATH, NAMESPACE};

/// The manifest's objects in its order (the namespace first, so the others can be admitted), from
/// `manifests/storage.json`.
pub fn manifests() -> Vec<Value> {
    let vars = [
        ("NAMESPACE", NAMESPACE),
        ("BASE_PATH", BASE_PATH),
        ("PROVISIONER_IMAGE", LOCAL_PATH_PROVISIONER),
        ("HELPER_IMAGE", LOCAL_PATH_HELPER),
    ];
    super::manifests_from_json(include_str!("manifests/storage.json"), &vars)
}
