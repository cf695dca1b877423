//! Configuration kinds: ConfigMap, Secret, Namespace, Node.

use super::names::{is_config_map_key, is_qualified_name};
use super::{Errs, child, index, key};
use crate::sim::api::base64;
use crate::sim::api::meta::{array_at, at, str_at};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// ConfigMaps and Secrets are limited to 1 MiB of data.
const MAX_DATA_BYTES: usize = 1024 * 1024;
const IMMUTABLE_SET: &str = "field is immutable when `immutable` is set";

pub(super) fn object<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Map<String, Value>> {
    at(v, path).and_then(Value::as_object)
}

/// Keys of a data map must be valid file names; returns the total size of the values.
fn validate_keys(map: Option<&Map<String, Value>>, path: &str, decode: bool, errs: &mut Errs) -> usize {
    let mut total = 0;
    for (k, v) in map.into_iter().flatten() {
        errs.each_invalid(&key(path, k), k, is_config_map_key(k));
        let s = v.as_str().unwrap_or("");
        total += if decode { base64::decode(s).map_or(s.len(), |b| b.len()) } else { s.len() };
    }
    total
}

fn immutable_data(obj: &Value, old: Option<&Value>, fields: &[&str], errs: &mut Errs) {
    let Some(old) = old else { return };
    if old.get("immutable").and_then(Value::as_bool) != Some(true) {
        return;
    }
    if obj.get("immutable").and_then(Value::as_bool) != Some(true) {
        errs.forbidden("immutable", IMMUTABLE_SET);
    }
    for f in fields {
        if obj.get(*f) != old.get(*f) {
            errs.forbidden(f, IMMUTABLE_SET);
        }
    }
}

/// ConfigMap: keys, no key in both `data` and `binaryData`, 1 MiB in total, `immutable`.
pub(super) fn validate_config_map(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let data = object(obj, &["data"]);
    let binary = object(obj, &["binaryData"]);
    let mut total = validate_keys(data, "data", false, errs);
    for k in data.into_iter().flatten().map(|(k, _)| k) {
        if binary.is_some_and(|b| b.contains_key(k)) {
            errs.invalid_str(&key("data", k), k, "duplicate of key present in binaryData");
        }
    }
    total += validate_keys(binary, "binaryData", true, errs);
    if total > MAX_DATA_BYTES {
        errs.too_long("[]", MAX_DATA_BYTES);
    }
    immutable_data(obj, old, &["data", "binaryData"], errs);
}

/// Secret: keys, size, the keys each type requires; type and data fixed when immutable.
pub(super) fn validate_secret(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let data = object(obj, &["data"]);
    if validate_keys(data, "data", true, errs) > MAX_DATA_BYTES {
        errs.too_long("data", MAX_DATA_BYTES);
    }
    let has = |k: &str| data.is_some_and(|d| d.contains_key(k));
    let ty = str_at(obj, &["type"]).unwrap_or("");
    let required: &[&str] = match ty {
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        "kubernetes.io/ssh-auth" => &["ssh-privatekey"],
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/basic-auth" if !has("username") && !has("password") => &["username", "password"],
        _ => &[],
    };
    for k in required {
        if !has(k) {
            errs.required(&key("data", k), "");
        }
    }
    if ty == "kubernetes.io/service-account-token"
        && str_at(obj, &["metadata", "annotations", "kubernetes.io/service-account.name"]).unwrap_or("").is_empty()
    {
        errs.required("metadata.annotations[kubernetes.io/service-account.name]", "");
    }
    if let Some(old_type) = old.and_then(|o| str_at(o, &["type"]))
        && old_type != ty
    {
        errs.invalid_str("type", ty, "field is immutable");
    }
    immutable_data(obj, old, &["data"], errs);
}

/// Namespace: its name rule is checked with the metadata; finalizers must be qualified names.
pub(super) fn validate_namespace(obj: &Value, errs: &mut Errs) {
    for (i, f) in array_at(obj, &["spec", "finalizers"]).iter().enumerate() {
        let f = f.as_str().unwrap_or("");
        errs.each_invalid(&index("spec.finalizers", i), f, is_qualified_name(f));
    }
}

/// Node: taints must have a key and a known effect, once per key and effect.
pub(super) fn validate_node(obj: &Value, errs: &mut Errs) {
    let mut seen = BTreeSet::new();
    for (i, t) in array_at(obj, &["spec", "taints"]).iter().enumerate() {
        let tp = index("spec.taints", i);
        let k = str_at(t, &["key"]).unwrap_or("");
        errs.each_invalid(&child(&tp, "key"), k, is_qualified_name(k));
        let effect = str_at(t, &["effect"]).unwrap_or("");
        match effect {
            "NoSchedule" | "PreferNoSchedule" | "NoExecute" => {}
            "" => errs.required(&child(&tp, "effect"), ""),
            other => errs.unsupported(&child(&tp, "effect"), other, &["NoSchedule", "PreferNoSchedule", "NoExecute"]),
        }
        if !seen.insert((k.to_string(), effect.to_string())) {
            errs.duplicate(&tp, &format!("{k}:{effect}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msgs(errs: Errs) -> Vec<String> {
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn config_maps() {
        let mut errs = Errs::default();
        validate_config_map(
            &json!({"data": {"game.properties": "x", "bad key": "y", "dup": "z"}, "binaryData": {"dup": "YQ=="}}),
            None,
            &mut errs,
        );
        assert_eq!(
            msgs(errs),
            [
                "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                "data[dup]: Invalid value: \"dup\": duplicate of key present in binaryData"
            ]
        );
        let mut errs = Errs::default();
        validate_config_map(&json!({"data": {"big": "x".repeat(1_100_000)}}), None, &mut errs);
        assert_eq!(msgs(errs), ["[]: Too long: must have at most 1048576 bytes"]);
        let old = json!({"immutable": true, "data": {"a": "1"}});
        let mut errs = Errs::default();
        validate_config_map(&json!({"immutable": true, "data": {"a": "2"}}), Some(&old), &mut errs);
        assert_eq!(msgs(errs), ["data: Forbidden: field is immutable when `immutable` is set"]);
    }

    #[test]
    fn secrets() {
        let mut errs = Errs::default();
        validate_secret(&json!({"type": "Opaque", "data": {"username": "YWRtaW4="}}), None, &mut errs);
        assert!(errs.0.is_empty());
        let mut errs = Errs::default();
        validate_secret(&json!({"type": "kubernetes.io/tls", "data": {"tls.crt": "YQ=="}}), None, &mut errs);
        assert_eq!(msgs(errs), ["data[tls.key]: Required value"]);
        let mut errs = Errs::default();
        validate_secret(&json!({"type": "kubernetes.io/basic-auth", "data": {}}), None, &mut errs);
        assert_eq!(msgs(errs), ["data[username]: Required value", "data[password]: Required value"]);
        let mut errs = Errs::default();
        validate_secret(
            &json!({"type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}),
            Some(&json!({"type": "Opaque"})),
            &mut errs,
        );
        assert_eq!(msgs(errs), ["type: Invalid value: \"kubernetes.io/tls\": field is immutable"]);
    }

    #[test]
    fn nodes_and_namespaces() {
        let mut errs = Errs::default();
        validate_node(
            &json!({"spec": {"taints": [{"key": "gpu", "effect": "NoSchedule"}, {"key": "gpu", "effect": "NoSchedule"},
            {"key": "x", "effect": "Sometimes"}]}}),
            &mut errs,
        );
        assert_eq!(
            msgs(errs),
            [
                "spec.taints[1]: Duplicate value: \"gpu:NoSchedule\"",
                "spec.taints[2].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""
            ]
        );
        let mut errs = Errs::default();
        validate_namespace(&json!({"spec": {"finalizers": ["kubernetes", "a/b/c"]}}), &mut errs);
        assert_eq!(errs.0.len(), 1);
    }
}
