//! Lenient readers for Kubernetes-shaped JSON: a missing or mistyped field reads as Go's zero value.
//!
//! The printers mirror Go code that works on typed structs, where an absent field is `""`, `0`,
//! `false` or an empty list. Reading JSON the same way keeps every printer panic-free on odd input.

use crate::sim::api::selector::Selector;
use crate::sim::sort::StableSort;
use serde_json::{Map, Value};

/// Follows `path` through nested objects; `None` as soon as a step is missing or not an object.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, key| cur.as_object()?.get(*key))
}

/// The string at `path`, or `""` (Go's zero value) when it is missing or not a string.
pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    at(v, path).and_then(Value::as_str).unwrap_or("")
}

/// The string at `path` when it is present and a string (a `*string` that is set).
pub fn opt_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

/// The integer at `path`, or 0. Floats with no fraction count, as they would after Go's decoding.
pub fn i64_at(v: &Value, path: &[&str]) -> i64 {
    opt_i64(v, path).unwrap_or(0)
}

/// The integer at `path` when present (a `*int32` that is set).
pub fn opt_i64(v: &Value, path: &[&str]) -> Option<i64> {
    let n = at(v, path)?;
    n.as_i64()
        .or_else(|| n.as_u64().map(|u| i64::try_from(u).unwrap_or(i64::MAX)))
        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18).map(|f| f as i64))
}

/// The boolean at `path`, or `false`.
pub fn bool_at(v: &Value, path: &[&str]) -> bool {
    at(v, path).and_then(Value::as_bool).unwrap_or(false)
}

/// The boolean at `path` when present (a `*bool` that is set).
pub fn opt_bool(v: &Value, path: &[&str]) -> Option<bool> {
    at(v, path).and_then(Value::as_bool)
}

/// The array at `path`, or an empty slice.
pub fn arr_at<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    at(v, path).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// The object at `path`, if there is one.
pub fn obj_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Map<String, Value>> {
    at(v, path).and_then(Value::as_object)
}

/// A `map[string]string` (labels, selectors, annotations) as sorted pairs; non-string values are
/// shown as their JSON text rather than dropped, so nothing silently disappears.
pub fn string_map(v: &Value, path: &[&str]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> =
        obj_at(v, path).map(|m| m.iter().map(|(k, val)| (k.clone(), scalar_text(val))).collect()).unwrap_or_default();
    pairs.stable_sort();
    pairs
}

/// A scalar as Go's `%v` prints it after decoding JSON into `interface{}`.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => super::yaml_json::go_float_g(f),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// An `intstr.IntOrString` (`targetPort`, `maxSurge`, ...) as its `String()`.
pub fn int_or_string(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.as_i64().map(|i| i.to_string()).unwrap_or_else(|| n.to_string()),
        _ => "0".to_string(),
    }
}

/// `labels.FormatLabels`: `k=v,k2=v2` in key order, or `<none>`.
pub fn format_labels(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "<none>".to_string();
    }
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

/// `metav1.FormatLabelSelector` for a JSON label selector: `<none>` for none, `<error>` for a bad
/// operator, otherwise the selector string (`app=web,tier in (a,b)`).
pub fn format_label_selector(sel: Option<&Value>) -> String {
    let Some(sel) = sel.filter(|s| s.is_object()) else {
        return "<none>".to_string();
    };
    match label_selector_string(sel) {
        Some(s) if s.is_empty() => "<none>".to_string(),
        Some(s) => s,
        None => "<error>".to_string(),
    }
}

/// `metav1.LabelSelectorAsSelector(...).String()` (the one selector library's): requirements sorted
/// by key, `in`/`notin` with sorted values, `!k` for DoesNotExist. `None` when it does not convert.
pub fn label_selector_string(sel: &Value) -> Option<String> {
    Selector::from_label_selector(sel).ok().flatten().map(|s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_and_mistyped_fields_read_as_zero_values() {
        let v = json!({"metadata": {"name": 5, "labels": "nope"}, "spec": {"replicas": "3", "n": 2.0}});
        assert_eq!(str_at(&v, &["metadata", "name"]), "");
        assert_eq!(str_at(&v, &["nothing", "here"]), "");
        assert_eq!(i64_at(&v, &["spec", "replicas"]), 0);
        assert_eq!(i64_at(&v, &["spec", "n"]), 2);
        assert!(string_map(&v, &["metadata", "labels"]).is_empty());
        assert!(arr_at(&json!(null), &["items"]).is_empty());
        assert!(!bool_at(&json!([1]), &["x"]));
    }

    #[test]
    fn selectors_format_like_apimachinery() {
        let sel = json!({"matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]},
                                 {"key": "gone", "operator": "DoesNotExist"}]});
        assert_eq!(format_label_selector(Some(&sel)), "a=1,b=2,!gone,tier in (api,web)");
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
        assert_eq!(format_label_selector(None), "<none>");
        let bad = json!({"matchExpressions": [{"key": "x", "operator": "Near"}]});
        assert_eq!(format_label_selector(Some(&bad)), "<error>");
    }

    #[test]
    fn labels_format_sorted_or_none() {
        let v = json!({"l": {"z": "1", "a": "2"}});
        assert_eq!(format_labels(&string_map(&v, &["l"])), "a=2,z=1");
        assert_eq!(format_labels(&[]), "<none>");
    }

    #[test]
    fn int_or_string_prints_either_form() {
        assert_eq!(int_or_string(Some(&json!(8080))), "8080");
        assert_eq!(int_or_string(Some(&json!("25%"))), "25%");
        assert_eq!(int_or_string(None), "0");
    }
}
