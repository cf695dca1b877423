//! What admission plugins add to every pod: default tolerations, the service-account token
//! volume, and the priority of its PriorityClass.
//!
//! These run in the apiserver after defaulting and before validation; they are separate
//! functions because each needs something defaulting does not have (a random suffix, a class).

use super::pod::{automounts_token, each_object, set_default};
use crate::sim::api::meta::{array_at, object_at};
use serde_json::{Value, json};

/// Where the token, CA bundle and namespace file appear in every container.
pub const SERVICE_ACCOUNT_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The DefaultTolerationSeconds plugin: tolerate `not-ready` and `unreachable` NoExecute taints
/// for 300 s, so pods survive a brief node outage before eviction.
pub fn default_tolerations(pod: &mut Value) {
    let spec = object_at(pod, &["spec"]);
    let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
    let Some(list) = tolerations.as_array_mut() else { return };
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let covered = list.iter().any(|t| {
            let k = t.get("key").and_then(Value::as_str).unwrap_or("");
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            (k == key || k.is_empty()) && (effect == "NoExecute" || effect.is_empty())
        });
        if !covered {
            list.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
        }
    }
}

/// The ServiceAccount plugin's projected token volume (`kube-api-access-<suffix>`), mounted
/// read-only in every container, unless the pod opted out or already mounts that path.
pub fn add_service_account_token(pod: &mut Value, suffix: &str) {
    if !automounts_token(pod) {
        return;
    }
    let name = format!("kube-api-access-{suffix}");
    let already = ["containers", "initContainers"].iter().any(|f| {
        array_at(pod, &["spec", f]).iter().any(|c| {
            array_at(c, &["volumeMounts"])
                .iter()
                .any(|m| m.get("mountPath").and_then(Value::as_str) == Some(SERVICE_ACCOUNT_MOUNT_PATH))
        })
    });
    if already {
        return;
    }
    let spec = object_at(pod, &["spec"]);
    let volume = json!({"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
        {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}]}});
    if let Some(list) = spec.entry("volumes").or_insert_with(|| json!([])).as_array_mut() {
        list.push(volume);
    }
    for field in ["initContainers", "containers"] {
        for c in each_object(spec, field) {
            if let Some(mounts) = c.entry("volumeMounts").or_insert_with(|| json!([])).as_array_mut() {
                mounts.push(json!({"mountPath": SERVICE_ACCOUNT_MOUNT_PATH, "name": name, "readOnly": true}));
            }
        }
    }
}

/// The Priority plugin, once the apiserver has looked up the pod's PriorityClass.
pub fn set_priority(pod: &mut Value, value: i64, preemption_policy: &str) {
    let spec = object_at(pod, &["spec"]);
    spec.insert("priority".into(), json!(value));
    set_default(spec, "preemptionPolicy", json!(preemption_policy));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_both_tolerations_once() {
        let mut pod = json!({"spec": {"tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
            "effect": "NoExecute", "tolerationSeconds": 60}]}});
        default_tolerations(&mut pod);
        default_tolerations(&mut pod);
        let tol = pod["spec"]["tolerations"].as_array().expect("list");
        assert_eq!(tol.len(), 2);
        assert_eq!(tol[0]["tolerationSeconds"], 60);
        assert_eq!(
            tol[1],
            json!({"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
        );
        let mut tolerate_all = json!({"spec": {"tolerations": [{"operator": "Exists"}]}});
        default_tolerations(&mut tolerate_all);
        assert_eq!(tolerate_all["spec"]["tolerations"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn mounts_the_token_unless_opted_out() {
        let mut pod = json!({"spec": {"serviceAccountName": "default", "containers": [{"name": "a"}, {"name": "b"}]}});
        add_service_account_token(&mut pod, "x7k2p");
        assert_eq!(pod["spec"]["volumes"][0]["name"], "kube-api-access-x7k2p");
        assert_eq!(pod["spec"]["containers"][1]["volumeMounts"][0]["mountPath"], SERVICE_ACCOUNT_MOUNT_PATH);
        add_service_account_token(&mut pod, "other");
        assert_eq!(pod["spec"]["volumes"].as_array().map(Vec::len), Some(1), "path already mounted");
        let mut opted_out = json!({"spec": {"serviceAccountName": "default", "automountServiceAccountToken": false, "containers": [{"name": "a"}]}});
        add_service_account_token(&mut opted_out, "x");
        assert!(opted_out["spec"].get("volumes").is_none());
    }

    #[test]
    fn priority_from_class() {
        let mut pod = json!({"spec": {"priorityClassName": "high"}});
        set_priority(&mut pod, 1000, "Never");
        assert_eq!(
            (pod["spec"]["priority"].clone(), pod["spec"]["preemptionPolicy"].clone()),
            (json!(1000), json!("Never"))
        );
    }
}
