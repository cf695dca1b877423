//! Defaulting: the fields the apiserver fills in before validation, as `defaults.go` does.
//!
//! `kubectl get -o yaml` shows many fields nobody wrote (`imagePullPolicy`, `dnsPolicy`,
//! `strategy.rollingUpdate.maxSurge: 25%`); they come from here. Defaulting never overwrites a
//! value the user set and is idempotent, so it is safe to run on create and on update.
//!
//! A few steps need facts defaulting does not have and are separate functions the apiserver calls:
//! [`set_cluster_ip`] (the allocator's IP), the admission plugins in [`admission`], and
//! [`prepare_for_create`] (fresh status). A Job's generated selector needs its uid: defaulting adds
//! it when `metadata.uid` is already set, else call [`generate_job_selector`] once it is.

pub mod admission;
mod other;
mod pod;
mod service;
mod workloads;

pub use pod::{default_pull_policy, qos_class};
pub use service::set_cluster_ip;
pub use workloads::generate_job_selector;

use super::meta::object_at;
use super::registry::ResourceType;
use pod::{each_object, set_default};
use serde_json::{Map, Value, json};

/// Fills in the defaults of an object of type `rt` (in the version its `apiVersion` names).
pub fn apply_defaults(rt: &ResourceType, obj: &mut Value) {
    if !obj.is_object() {
        return;
    }
    let version =
        obj.get("apiVersion").and_then(Value::as_str).unwrap_or("").rsplit('/').next().unwrap_or("").to_string();
    match (rt.group, rt.kind) {
        ("", "Pod") => pod::default_pod(obj),
        ("", "Service") => service::service(obj),
        ("", "Namespace") => other::namespace(obj),
        ("", "Secret") => other::secret(obj),
        ("", "PersistentVolume") => {
            let s = object_at(obj, &["spec"]);
            set_default(s, "persistentVolumeReclaimPolicy", json!("Retain"));
            set_default(s, "volumeMode", json!("Filesystem"));
            set_default(object_at(obj, &["status"]), "phase", json!("Pending"));
        }
        ("", "PersistentVolumeClaim") => {
            set_default(object_at(obj, &["spec"]), "volumeMode", json!("Filesystem"));
            set_default(object_at(obj, &["status"]), "phase", json!("Pending"));
        }
        ("", "LimitRange") => other::limit_range(obj),
        ("", "Endpoints") => {
            for subset in each_object(root(obj), "subsets") {
                for port in each_object(subset, "ports") {
                    set_default(port, "protocol", json!("TCP"));
                }
            }
        }
        ("discovery.k8s.io", "EndpointSlice") => {
            for port in each_object(root(obj), "ports") {
                set_default(port, "name", json!(""));
                set_default(port, "protocol", json!("TCP"));
            }
        }
        ("", "ReplicationController") => workloads::replication_controller(obj),
        ("apps", "Deployment") => workloads::deployment(obj),
        ("apps", "ReplicaSet") => workloads::replica_set(obj),
        ("apps", "StatefulSet") => workloads::stateful_set(obj),
        ("apps", "DaemonSet") => workloads::daemon_set(obj),
        ("batch", "Job") => workloads::job(obj),
        ("batch", "CronJob") => workloads::cron_job(obj),
        ("networking.k8s.io", "NetworkPolicy") => other::network_policy(obj),
        ("autoscaling", "HorizontalPodAutoscaler") => other::hpa(obj, &version),
        ("scheduling.k8s.io", "PriorityClass") => {
            set_default(root(obj), "preemptionPolicy", json!("PreemptLowerPriority"))
        }
        ("storage.k8s.io", "StorageClass") => {
            set_default(root(obj), "reclaimPolicy", json!("Delete"));
            set_default(root(obj), "volumeBindingMode", json!("Immediate"));
        }
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            for s in each_object(root(obj), "subjects") {
                let kind = s.get("kind").and_then(Value::as_str).unwrap_or("");
                if matches!(kind, "User" | "Group") {
                    set_default(s, "apiGroup", json!("rbac.authorization.k8s.io"));
                }
            }
        }
        _ => {}
    }
}

pub(super) fn root(obj: &mut Value) -> &mut Map<String, Value> {
    object_at(obj, &[])
}

/// The status and generation the apiserver's strategies give a newly created object
/// (`PrepareForCreate`): pods start Pending with their QoS class, controllers with an empty
/// status and `generation: 1`.
pub fn prepare_for_create(rt: &ResourceType, obj: &mut Value) {
    let generation = matches!(rt.group, "apps" | "batch" | "autoscaling" | "policy")
        || matches!(rt.kind, "Ingress" | "NetworkPolicy");
    match (rt.group, rt.kind) {
        ("", "Pod") => {
            let status = pod::initial_pod_status(obj);
            root(obj).insert("status".into(), status);
        }
        ("", "Service") => {
            root(obj).insert("status".into(), json!({"loadBalancer": {}}));
        }
        _ if generation => {
            root(obj).insert("status".into(), json!({}));
        }
        _ => {}
    }
    if generation {
        object_at(obj, &["metadata"]).insert("generation".into(), json!(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::registry::resolve;

    fn defaulted(kind: &str, mut obj: Value) -> Value {
        apply_defaults(resolve(kind).expect("served"), &mut obj);
        obj
    }

    #[test]
    fn pods_get_spec_and_admission_defaults() {
        let pod = defaulted(
            "pod",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
            "containers": [{"name": "a", "image": "nginx", "resources": {"limits": {"cpu": "500m"}},
                "livenessProbe": {"httpGet": {"port": 80}}, "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}],
            "volumes": [{"name": "v"}, {"name": "s", "secret": {"secretName": "x"}}, {"name": "h", "hostPath": {"path": "/x"}}]}}),
        );
        let s = &pod["spec"];
        let c = &s["containers"][0];
        assert_eq!(c["imagePullPolicy"], "Always");
        assert_eq!(c["resources"]["requests"], json!({"cpu": "500m"}), "requests default to limits");
        assert_eq!(
            c["livenessProbe"],
            json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
            "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
        assert_eq!(c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
        assert_eq!(
            s["volumes"],
            json!([{"name": "v", "emptyDir": {}}, {"name": "s", "secret": {"secretName": "x", "defaultMode": 420}},
            {"name": "h", "hostPath": {"path": "/x", "type": ""}}])
        );
        for (k, v) in [
            ("restartPolicy", json!("Always")),
            ("dnsPolicy", json!("ClusterFirst")),
            ("schedulerName", json!("default-scheduler")),
            ("terminationGracePeriodSeconds", json!(30)),
            ("securityContext", json!({})),
            ("enableServiceLinks", json!(true)),
            ("serviceAccountName", json!("default")),
            ("priority", json!(0)),
            ("preemptionPolicy", json!("PreemptLowerPriority")),
        ] {
            assert_eq!(s[k], v, "{k}");
        }
        assert_eq!(defaulted("pod", pod.clone()), pod, "idempotent");
    }

    #[test]
    fn user_values_win() {
        let pod = defaulted(
            "pod",
            json!({"spec": {"restartPolicy": "Never", "containers": [{"name": "a", "image": "x:1",
            "imagePullPolicy": "Always"}], "serviceAccountName": "builder", "priorityClassName": "high"}}),
        );
        assert_eq!(
            (pod["spec"]["restartPolicy"].clone(), pod["spec"]["containers"][0]["imagePullPolicy"].clone()),
            (json!("Never"), json!("Always"))
        );
        assert_eq!(pod["spec"]["serviceAccount"], "builder");
        assert!(pod["spec"].get("priority").is_none(), "the Priority plugin resolves named classes");
    }

    #[test]
    fn storage_and_cluster_kinds() {
        assert_eq!(
            defaulted("pvc", json!({"spec": {}})),
            json!({"spec": {"volumeMode": "Filesystem"}, "status": {"phase": "Pending"}})
        );
        assert_eq!(defaulted("pv", json!({"spec": {}}))["spec"]["persistentVolumeReclaimPolicy"], "Retain");
        assert_eq!(
            defaulted("sc", json!({"provisioner": "x"})),
            json!({"provisioner": "x", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"})
        );
        assert_eq!(defaulted("pc", json!({"value": 1}))["preemptionPolicy"], "PreemptLowerPriority");
        let rb = defaulted(
            "rolebinding",
            json!({"subjects": [{"kind": "User", "name": "u"}, {"kind": "ServiceAccount", "name": "s"}]}),
        );
        assert_eq!(
            rb["subjects"],
            json!([{"kind": "User", "name": "u", "apiGroup": "rbac.authorization.k8s.io"}, {"kind": "ServiceAccount", "name": "s"}])
        );
        assert_eq!(
            defaulted("ep", json!({"subsets": [{"ports": [{"port": 80}]}]}))["subsets"][0]["ports"][0]["protocol"],
            "TCP"
        );
        assert_eq!(defaulted("cm", json!({"data": {}})), json!({"data": {}}), "ConfigMaps have no visible defaults");
        assert_eq!(defaulted("pod", json!("not an object")), json!("not an object"));
    }

    #[test]
    fn prepare_for_create_sets_status_and_generation() {
        let mut pod = json!({"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"},
            "requests": {"cpu": "1", "memory": "1Gi"}}}]}});
        prepare_for_create(resolve("pod").expect("served"), &mut pod);
        assert_eq!(pod["status"], json!({"phase": "Pending", "qosClass": "Guaranteed"}));
        assert!(pod.get("metadata").is_none());
        let mut d = json!({"spec": {}, "status": {"replicas": 9}});
        prepare_for_create(resolve("deploy").expect("served"), &mut d);
        assert_eq!((d["status"].clone(), d["metadata"]["generation"].clone()), (json!({}), json!(1)));
        let mut cm = json!({"data": {}});
        prepare_for_create(resolve("cm").expect("served"), &mut cm);
        assert_eq!(cm, json!({"data": {}}));
    }
}
