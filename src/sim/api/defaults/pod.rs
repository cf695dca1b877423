//! Pod and pod-template defaults (pkg/apis/core/v1/defaults.go), and the pod's QoS class.

use crate::sim::api::meta::{array_at, object_at, str_at};
use crate::sim::api::quantity::parse_quantity;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Inserts `key: value` unless the key is present (and non-null).
pub(super) fn set_default(map: &mut Map<String, Value>, key: &str, value: Value) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.to_string(), value);
    }
}

/// The objects of the array at `key`, for in-place defaulting.
pub(super) fn each_object<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a mut Map<String, Value>> {
    map.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten().filter_map(Value::as_object_mut)
}

/// `Always` for `:latest` or untagged images, `IfNotPresent` otherwise (digests count as pinned).
pub fn default_pull_policy(image: &str) -> &'static str {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = last.split_once(':').map(|(_, t)| t);
    match (tag, digest) {
        (Some("latest"), _) | (None, false) => "Always",
        _ => "IfNotPresent",
    }
}

fn default_probe(probe: &mut Map<String, Value>) {
    set_default(probe, "timeoutSeconds", json!(1));
    set_default(probe, "periodSeconds", json!(10));
    set_default(probe, "successThreshold", json!(1));
    set_default(probe, "failureThreshold", json!(3));
    if let Some(Value::Object(h)) = probe.get_mut("httpGet") {
        set_default(h, "path", json!("/"));
        set_default(h, "scheme", json!("HTTP"));
    }
    if let Some(Value::Object(g)) = probe.get_mut("grpc") {
        set_default(g, "service", json!(""));
    }
}

fn default_container(c: &mut Map<String, Value>) {
    let image = c.get("image").and_then(Value::as_str).unwrap_or("").to_string();
    set_default(c, "imagePullPolicy", json!(default_pull_policy(&image)));
    set_default(c, "terminationMessagePath", json!("/dev/termination-log"));
    set_default(c, "terminationMessagePolicy", json!("File"));
    set_default(c, "resources", json!({}));
    for port in each_object(c, "ports") {
        set_default(port, "protocol", json!("TCP"));
    }
    for env in each_object(c, "env") {
        if let Some(Value::Object(field_ref)) = env.get_mut("valueFrom").and_then(|v| v.get_mut("fieldRef")) {
            set_default(field_ref, "apiVersion", json!("v1"));
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(Value::Object(p)) = c.get_mut(probe) {
            default_probe(p);
        }
    }
    if let Some(Value::Object(lc)) = c.get_mut("lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(Value::Object(h)) = lc.get_mut(hook).and_then(|h| h.get_mut("httpGet")) {
                set_default(h, "path", json!("/"));
                set_default(h, "scheme", json!("HTTP"));
            }
        }
    }
}

const VOLUME_SOURCE_KEYS: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

fn default_volume(v: &mut Map<String, Value>) {
    if !VOLUME_SOURCE_KEYS.iter().any(|k| v.get(*k).is_some_and(|x| !x.is_null())) {
        v.insert("emptyDir".into(), json!({}));
    }
    for source in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(Value::Object(s)) = v.get_mut(source) {
            set_default(s, "defaultMode", json!(420));
        }
    }
    if let Some(Value::Object(h)) = v.get_mut("hostPath") {
        set_default(h, "type", json!(""));
    }
    if let Some(Value::Object(p)) = v.get_mut("projected") {
        for s in each_object(p, "sources") {
            if let Some(Value::Object(tok)) = s.get_mut("serviceAccountToken") {
                set_default(tok, "expirationSeconds", json!(3600));
            }
            if let Some(Value::Object(d)) = s.get_mut("downwardAPI") {
                for item in each_object(d, "items") {
                    if let Some(Value::Object(fr)) = item.get_mut("fieldRef") {
                        set_default(fr, "apiVersion", json!("v1"));
                    }
                }
            }
        }
    }
    if let Some(Value::Object(d)) = v.get_mut("downwardAPI") {
        for item in each_object(d, "items") {
            if let Some(Value::Object(fr)) = item.get_mut("fieldRef") {
                set_default(fr, "apiVersion", json!("v1"));
            }
        }
    }
}

/// SetDefaults_PodSpec and the per-container/volume defaults: what every pod template gets.
pub(super) fn default_pod_spec(spec: &mut Map<String, Value>) {
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "securityContext", json!({}));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    for field in ["initContainers", "containers"] {
        for c in each_object(spec, field) {
            default_container(c);
        }
    }
    for v in each_object(spec, "volumes") {
        default_volume(v);
    }
    // The deprecated `serviceAccount` mirrors `serviceAccountName` (v1 conversion does this).
    let sa_name = spec.get("serviceAccountName").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let sa_old = spec.get("serviceAccount").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    match (sa_name, sa_old) {
        (Some(n), _) => {
            spec.insert("serviceAccount".into(), json!(n));
        }
        (None, Some(o)) => {
            spec.insert("serviceAccountName".into(), json!(o));
        }
        _ => {}
    }
}

/// A pod template (`spec.template` of a workload): metadata shape and spec defaults.
pub(super) fn default_template(template: &mut Value) {
    let meta = object_at(template, &["metadata"]);
    // Go serializes the empty metav1.Time of a template as `creationTimestamp: null`.
    set_default(meta, "creationTimestamp", Value::Null);
    default_pod_spec(object_at(template, &["spec"]));
}

/// SetDefaults_Pod on top of the spec defaults, plus what admission adds to every pod:
/// the default service account, priority 0 and the preemption policy.
pub(super) fn default_pod(pod: &mut Value) {
    let spec = object_at(pod, &["spec"]);
    default_pod_spec(spec);
    for field in ["initContainers", "containers"] {
        for c in each_object(spec, field) {
            let resources = c.entry("resources").or_insert_with(|| json!({}));
            let limits = resources.get("limits").and_then(Value::as_object).cloned();
            if let (Some(limits), Some(res)) = (limits, resources.as_object_mut()) {
                let requests = res.entry("requests").or_insert_with(|| json!({}));
                if let Some(req) = requests.as_object_mut() {
                    for (k, v) in limits {
                        req.entry(k).or_insert(v);
                    }
                }
            }
        }
    }
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        for field in ["initContainers", "containers"] {
            for c in each_object(spec, field) {
                for port in each_object(c, "ports") {
                    if port.get("hostPort").and_then(Value::as_i64).unwrap_or(0) == 0 {
                        let cp = port.get("containerPort").cloned().unwrap_or(json!(0));
                        port.insert("hostPort".into(), cp);
                    }
                }
            }
        }
    }
    set_default(spec, "enableServiceLinks", json!(true));
    if spec.get("serviceAccountName").and_then(Value::as_str).unwrap_or("").is_empty() {
        spec.insert("serviceAccountName".into(), json!("default"));
        spec.insert("serviceAccount".into(), json!("default"));
    }
    // Without a PriorityClass the Priority plugin gives priority 0 and the default policy;
    // with one, the apiserver's Priority admission (`apiserver/priority.rs`) sets them from the class.
    if spec.get("priorityClassName").and_then(Value::as_str).unwrap_or("").is_empty() {
        set_default(spec, "priority", json!(0));
        set_default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    }
}

fn resource_list(c: &Value, field: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for name in ["cpu", "memory"] {
        let q = c.get("resources").and_then(|r| r.get(field)).and_then(|l| l.get(name));
        let text = match q {
            Some(Value::String(s)) => s.clone(),
            Some(v @ Value::Number(_)) => v.to_string(),
            _ => continue,
        };
        if let Ok(q) = parse_quantity(&text)
            && q.milli_value() > 0
        {
            out.insert(name.to_string(), q.milli_value());
        }
    }
    out
}

/// The pod's QoS class, as the kubelet and `kubectl describe` compute it: `Guaranteed` when every
/// container limits CPU and memory and requests equal limits, `BestEffort` when nothing is
/// requested or limited, `Burstable` otherwise.
pub fn qos_class(pod: &Value) -> &'static str {
    let mut requests: BTreeMap<String, i64> = BTreeMap::new();
    let mut limits: BTreeMap<String, i64> = BTreeMap::new();
    let mut guaranteed = true;
    let all = array_at(pod, &["spec", "containers"]).iter().chain(array_at(pod, &["spec", "initContainers"]));
    for c in all {
        for (k, v) in resource_list(c, "requests") {
            *requests.entry(k).or_insert(0) += v;
        }
        let lim = resource_list(c, "limits");
        if !(lim.contains_key("cpu") && lim.contains_key("memory")) {
            guaranteed = false;
        }
        for (k, v) in lim {
            *limits.entry(k).or_insert(0) += v;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed && requests.iter().all(|(k, v)| limits.get(k) == Some(v)) && requests.len() == limits.len() {
        return "Guaranteed";
    }
    "Burstable"
}

/// The status a new pod starts with (the pod strategy's PrepareForCreate).
pub(super) fn initial_pod_status(pod: &Value) -> Value {
    json!({"phase": "Pending", "qosClass": qos_class(pod)})
}

/// Whether the pod opted out of the service-account token mount.
pub(super) fn automounts_token(pod: &Value) -> bool {
    pod.get("spec").and_then(|s| s.get("automountServiceAccountToken")).and_then(Value::as_bool) != Some(false)
        && str_at(pod, &["spec", "serviceAccountName"]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        for (image, want) in [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.27", "IfNotPresent"),
            ("registry:5000/app", "Always"),
            ("registry:5000/app:v2", "IfNotPresent"),
            ("nginx@sha256:abc", "IfNotPresent"),
            ("busybox:1.36@sha256:abc", "IfNotPresent"),
            ("", "Always"),
        ] {
            assert_eq!(default_pull_policy(image), want, "{image}");
        }
    }

    #[test]
    fn qos_classes() {
        let pod = |resources: Value| json!({"spec": {"containers": [{"name": "a", "resources": resources}]}});
        assert_eq!(qos_class(&pod(json!({}))), "BestEffort");
        assert_eq!(qos_class(&pod(json!({"requests": {"cpu": "100m"}}))), "Burstable");
        assert_eq!(
            qos_class(&pod(
                json!({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}})
            )),
            "Guaranteed"
        );
        assert_eq!(
            qos_class(&pod(
                json!({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m", "memory": "1Gi"}})
            )),
            "Burstable"
        );
        assert_eq!(qos_class(&pod(json!({"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}))), "Burstable");
        assert_eq!(qos_class(&pod(json!({"requests": {"cpu": "0"}}))), "BestEffort");
    }
}
