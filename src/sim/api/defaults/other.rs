//! Defaults of the smaller kinds: Namespace, Secret, LimitRange, NetworkPolicy, HPA.

use super::pod::{each_object, set_default};
use super::root;
use crate::sim::api::base64;
use crate::sim::api::meta::object_at;
use serde_json::{Map, Value, json};

/// Namespace: its name label, the `kubernetes` finalizer and phase Active.
pub(super) fn namespace(obj: &mut Value) {
    let name = obj.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("").to_string();
    if !name.is_empty() {
        object_at(obj, &["metadata", "labels"]).insert("kubernetes.io/metadata.name".into(), json!(name));
    }
    set_default(object_at(obj, &["spec"]), "finalizers", json!(["kubernetes"]));
    set_default(object_at(obj, &["status"]), "phase", json!("Active"));
}

/// Secret: type Opaque; `stringData` folds into base64 `data` (the v1 conversion does this).
pub(super) fn secret(obj: &mut Value) {
    let m = root(obj);
    set_default(m, "type", json!("Opaque"));
    if let Some(Value::Object(string_data)) = m.remove("stringData") {
        let data = object_at(m.entry("data").or_insert_with(|| json!({})), &[]);
        for (k, v) in string_data {
            let text = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
            data.insert(k, json!(base64::encode(text.as_bytes())));
        }
    }
}

/// LimitRange `Container` items: default limit from max, default request from default or min.
pub(super) fn limit_range(obj: &mut Value) {
    for item in each_object(object_at(obj, &["spec"]), "limits") {
        if item.get("type").and_then(Value::as_str) != Some("Container") {
            continue;
        }
        let list =
            |item: &Map<String, Value>, f: &str| item.get(f).and_then(Value::as_object).cloned().unwrap_or_default();
        let (max, min) = (list(item, "max"), list(item, "min"));
        let mut default = list(item, "default");
        for (k, v) in max {
            default.entry(k).or_insert(v);
        }
        let mut request = list(item, "defaultRequest");
        for (k, v) in default.iter().chain(min.iter()) {
            request.entry(k.clone()).or_insert(v.clone());
        }
        if !default.is_empty() {
            item.insert("default".into(), Value::Object(default));
        }
        if !request.is_empty() {
            item.insert("defaultRequest".into(), Value::Object(request));
        }
    }
}

/// NetworkPolicy: policy types from the rules present; ports TCP.
pub(super) fn network_policy(obj: &mut Value) {
    let s = object_at(obj, &["spec"]);
    if s.get("policyTypes").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        let mut types = vec![json!("Ingress")];
        if s.get("egress").and_then(Value::as_array).is_some_and(|e| !e.is_empty()) {
            types.push(json!("Egress"));
        }
        s.insert("policyTypes".into(), Value::Array(types));
    }
    for dir in ["ingress", "egress"] {
        for rule in each_object(s, dir) {
            for port in each_object(rule, "ports") {
                set_default(port, "protocol", json!("TCP"));
            }
        }
    }
}

/// HPA: at least 1 replica; in v2 an 80% CPU target when no metric is given.
pub(super) fn hpa(obj: &mut Value, version: &str) {
    let s = object_at(obj, &["spec"]);
    set_default(s, "minReplicas", json!(1));
    if version == "v2" && s.get("metrics").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        s.insert(
            "metrics".into(),
            json!([{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 80}}}]),
        );
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn namespaces_get_label_finalizer_phase() {
        let mut ns = json!({"metadata": {"name": "dev"}});
        namespace(&mut ns);
        assert_eq!(
            ns,
            json!({"metadata": {"name": "dev", "labels": {"kubernetes.io/metadata.name": "dev"}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
        );
    }

    #[test]
    fn secrets_fold_string_data() {
        let mut s = json!({"data": {"a": "YQ=="}, "stringData": {"user": "admin", "a": "b"}});
        secret(&mut s);
        assert_eq!(s, json!({"data": {"a": "Yg==", "user": "YWRtaW4="}, "type": "Opaque"}));
    }

    #[test]
    fn limit_range_container_defaults() {
        let mut lr = json!({"spec": {"limits": [{"type": "Container", "max": {"cpu": "800m"}, "min": {"cpu": "200m", "memory": "1Mi"}},
            {"type": "Pod", "max": {"cpu": "2"}}]}});
        limit_range(&mut lr);
        let item = &lr["spec"]["limits"][0];
        assert_eq!(item["default"], json!({"cpu": "800m"}));
        assert_eq!(item["defaultRequest"], json!({"cpu": "800m", "memory": "1Mi"}));
        assert!(lr["spec"]["limits"][1].get("default").is_none());
    }

    #[test]
    fn network_policy_types_and_hpa() {
        let mut np = json!({"spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}});
        network_policy(&mut np);
        assert_eq!(np["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
        assert_eq!(np["spec"]["egress"][0]["ports"][0]["protocol"], "TCP");
        let mut v2 = json!({"spec": {"maxReplicas": 5}});
        hpa(&mut v2, "v2");
        assert_eq!(v2["spec"]["minReplicas"], 1);
        assert_eq!(v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
        let mut v1 = json!({"spec": {"maxReplicas": 5}});
        hpa(&mut v1, "v1");
        assert!(v1["spec"].get("metrics").is_none());
    }
}
