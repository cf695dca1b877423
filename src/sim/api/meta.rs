//! Small accessors over objects kept as `serde_json::Value`: name, labels, owners, and friends.
//!
//! Every component reads object metadata; these helpers keep that code short and never panic on
//! objects of an unexpected shape (a missing field reads as empty).

use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub use super::selector::{Selector, SelectorError, label_selector_matches, parse_selector};

/// The value at a path of object keys, e.g. `at(pod, &["spec", "nodeName"])`.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, k| cur.get(*k))
}

/// The string at a path, if it is one.
pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

/// The integer at a path, if it is one.
pub fn i64_at(v: &Value, path: &[&str]) -> Option<i64> {
    at(v, path).and_then(Value::as_i64)
}

/// The array at a path, or an empty slice.
pub fn array_at<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    at(v, path).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// The object at `path`, created (replacing any non-object) if absent; for writers.
pub fn object_at<'a>(v: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = v;
    for k in path {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(map) = cur else { unreachable!("just made an object") };
        cur = map.entry(k.to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
    if !cur.is_object() {
        *cur = Value::Object(Map::new());
    }
    match cur {
        Value::Object(map) => map,
        _ => unreachable!("just made an object"),
    }
}

/// `metadata.name`, or "" when absent.
pub fn name(obj: &Value) -> &str {
    str_at(obj, &["metadata", "name"]).unwrap_or("")
}

/// `metadata.generateName`, if set.
pub fn generate_name(obj: &Value) -> Option<&str> {
    str_at(obj, &["metadata", "generateName"]).filter(|s| !s.is_empty())
}

/// `metadata.namespace`, if set and non-empty.
pub fn namespace(obj: &Value) -> Option<&str> {
    str_at(obj, &["metadata", "namespace"]).filter(|s| !s.is_empty())
}

/// `metadata.uid`, or "".
pub fn uid(obj: &Value) -> &str {
    str_at(obj, &["metadata", "uid"]).unwrap_or("")
}

/// `metadata.resourceVersion`, or "".
pub fn resource_version(obj: &Value) -> &str {
    str_at(obj, &["metadata", "resourceVersion"]).unwrap_or("")
}

/// `kind`, or "".
pub fn kind(obj: &Value) -> &str {
    obj.get("kind").and_then(Value::as_str).unwrap_or("")
}

/// `apiVersion`, or "".
pub fn api_version(obj: &Value) -> &str {
    obj.get("apiVersion").and_then(Value::as_str).unwrap_or("")
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// `metadata.labels` as a sorted map (empty when absent).
pub fn labels(obj: &Value) -> BTreeMap<String, String> {
    string_map(at(obj, &["metadata", "labels"]))
}

/// `metadata.annotations` as a sorted map (empty when absent).
pub fn annotations(obj: &Value) -> BTreeMap<String, String> {
    string_map(at(obj, &["metadata", "annotations"]))
}

/// Sets `metadata.labels[key] = value`, creating the map if needed.
pub fn set_label(obj: &mut Value, key: &str, value: &str) {
    object_at(obj, &["metadata", "labels"]).insert(key.to_string(), Value::String(value.to_string()));
}

/// Sets `metadata.annotations[key] = value`, creating the map if needed.
pub fn set_annotation(obj: &mut Value, key: &str, value: &str) {
    object_at(obj, &["metadata", "annotations"]).insert(key.to_string(), Value::String(value.to_string()));
}

/// `metadata.finalizers`.
pub fn finalizers(obj: &Value) -> Vec<String> {
    array_at(obj, &["metadata", "finalizers"]).iter().filter_map(|f| f.as_str().map(str::to_string)).collect()
}

/// Whether the object is being deleted (has `metadata.deletionTimestamp`).
pub fn is_being_deleted(obj: &Value) -> bool {
    at(obj, &["metadata", "deletionTimestamp"]).is_some_and(|v| !v.is_null())
}

/// The deprecated annotation that named a storage class before `storageClassName` existed (still honoured).
pub const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// A claim's or volume's class (`GetPersistentVolumeClaimClass` / `GetPersistentVolumeClass`): the beta
/// annotation wins, then `spec.storageClassName`; "" is "no class".
pub fn storage_class(obj: &Value) -> &str {
    match at(obj, &["metadata", "annotations", BETA_STORAGE_CLASS]).and_then(Value::as_str) {
        Some(c) => c,
        None => str_at(obj, &["spec", "storageClassName"]).unwrap_or(""),
    }
}

/// One entry of `metadata.ownerReferences`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRef {
    /// The owner's apiVersion, e.g. `apps/v1`.
    pub api_version: String,
    /// The owner's kind, e.g. `ReplicaSet`.
    pub kind: String,
    /// The owner's name.
    pub name: String,
    /// The owner's uid: what garbage collection really follows.
    pub uid: String,
    /// Whether this owner is the managing controller.
    pub controller: bool,
    /// Whether deleting the owner waits for this dependent (foreground deletion).
    pub block_owner_deletion: bool,
}

impl OwnerRef {
    /// The JSON form stored in `metadata.ownerReferences`.
    pub fn to_value(&self) -> Value {
        serde_json::json!({
            "apiVersion": self.api_version, "kind": self.kind, "name": self.name, "uid": self.uid,
            "controller": self.controller, "blockOwnerDeletion": self.block_owner_deletion,
        })
    }
}

/// `metadata.ownerReferences`.
pub fn owner_references(obj: &Value) -> Vec<OwnerRef> {
    array_at(obj, &["metadata", "ownerReferences"])
        .iter()
        .map(|r| OwnerRef {
            api_version: str_at(r, &["apiVersion"]).unwrap_or("").to_string(),
            kind: str_at(r, &["kind"]).unwrap_or("").to_string(),
            name: str_at(r, &["name"]).unwrap_or("").to_string(),
            uid: str_at(r, &["uid"]).unwrap_or("").to_string(),
            controller: r.get("controller").and_then(Value::as_bool).unwrap_or(false),
            block_owner_deletion: r.get("blockOwnerDeletion").and_then(Value::as_bool).unwrap_or(false),
        })
        .collect()
}

/// The owner with `controller: true`, if any: the object that manages this one.
pub fn controller_of(obj: &Value) -> Option<OwnerRef> {
    owner_references(obj).into_iter().find(|r| r.controller)
}

/// `metadata.ownerReferences` read in place (no copy: informers index every event by them).
pub fn owner_refs(obj: &Value) -> &[Value] {
    array_at(obj, &["metadata", "ownerReferences"])
}

/// The owner reference with `controller: true`, if any (`metav1.GetControllerOf`), read in place.
pub fn controller_ref(obj: &Value) -> Option<&Value> {
    owner_refs(obj).iter().find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// The uid of the object's controller, if it has one.
pub fn controller_uid(obj: &Value) -> Option<&str> {
    controller_ref(obj).and_then(|r| r.get("uid")).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_metadata() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "default",
            "uid": "u1", "resourceVersion": "42", "labels": {"app": "web", "n": 5}, "annotations": {"a": "b"},
            "finalizers": ["x"], "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
            "uid": "u0", "controller": true}]}});
        assert_eq!(
            (name(&pod), namespace(&pod), uid(&pod), resource_version(&pod)),
            ("web-1", Some("default"), "u1", "42")
        );
        assert_eq!(labels(&pod).into_iter().collect::<Vec<_>>(), [("app".to_string(), "web".to_string())]);
        assert_eq!(annotations(&pod).len(), 1);
        assert_eq!(finalizers(&pod), ["x"]);
        assert_eq!(controller_of(&pod).map(|o| o.kind), Some("ReplicaSet".to_string()));
        assert!(!is_being_deleted(&pod));
        assert_eq!((kind(&pod), api_version(&pod)), ("Pod", "v1"));
    }

    #[test]
    fn tolerates_odd_shapes() {
        for odd in [json!(null), json!("x"), json!({"metadata": 5}), json!({"metadata": {"labels": []}})] {
            assert_eq!(name(&odd), "");
            assert!(labels(&odd).is_empty());
            assert!(owner_references(&odd).is_empty());
            assert_eq!(namespace(&odd), None);
        }
    }

    #[test]
    fn writes_metadata() {
        let mut obj = json!({"metadata": {"name": "x"}});
        set_label(&mut obj, "app", "web");
        set_annotation(&mut obj, "note", "hi");
        assert_eq!(obj, json!({"metadata": {"name": "x", "labels": {"app": "web"}, "annotations": {"note": "hi"}}}));
        let mut odd = json!(5);
        object_at(&mut odd, &["spec", "template"]).insert("x".into(), json!(1));
        assert_eq!(odd, json!({"spec": {"template": {"x": 1}}}));
        assert_eq!(i64_at(&odd, &["spec", "template", "x"]), Some(1));
    }
}
