//! ObjectMeta rules shared by every kind: names, labels, annotations, owners, finalizers,
//! and the label-selector rules shared by every workload.

use super::names::{
    is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, is_qualified_name, is_valid_label_value,
    is_valid_path_segment_name,
};
use super::{BadValue, Errs, child, index};
use crate::sim::api::meta::{array_at, at, str_at};
use crate::sim::api::registry::ResourceType;
use serde_json::Value;

/// Total bytes allowed across an object's annotations.
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

/// Which name rule a kind uses (its `ValidateXName`).
fn name_rule(rt: &ResourceType) -> fn(&str) -> Vec<String> {
    match (rt.group, rt.kind) {
        ("", "Namespace") => is_dns1123_label,
        ("", "Service") => is_dns1035_label,
        ("rbac.authorization.k8s.io", _) => is_valid_path_segment_name,
        _ => is_dns1123_subdomain,
    }
}

/// generateName is validated with its trailing dash masked, since a suffix will follow it.
fn mask_trailing_dash(s: &str) -> String {
    match s.strip_suffix('-') {
        Some(base) if !base.is_empty() => format!("{base}a"),
        _ => s.to_string(),
    }
}

/// ValidateObjectMeta: name (or generateName), namespace, labels, annotations, owners, finalizers.
pub(super) fn validate_object_meta(rt: &ResourceType, obj: &Value, errs: &mut Errs) {
    let rule = name_rule(rt);
    let generate = str_at(obj, &["metadata", "generateName"]).unwrap_or("");
    if !generate.is_empty() {
        errs.each_invalid("metadata.generateName", generate, rule(&mask_trailing_dash(generate)));
    }
    let name = str_at(obj, &["metadata", "name"]).unwrap_or("");
    if name.is_empty() {
        errs.required("metadata.name", "name or generateName is required");
    } else {
        errs.each_invalid("metadata.name", name, rule(name));
    }
    if rt.namespaced
        && let Some(ns) = str_at(obj, &["metadata", "namespace"]).filter(|ns| !ns.is_empty())
    {
        errs.each_invalid("metadata.namespace", ns, is_dns1123_label(ns));
    }
    validate_labels(at(obj, &["metadata", "labels"]), "metadata.labels", errs);
    validate_annotations(at(obj, &["metadata", "annotations"]), "metadata.annotations", errs);
    validate_owner_references(obj, errs);
    for (i, f) in array_at(obj, &["metadata", "finalizers"]).iter().enumerate() {
        let f = f.as_str().unwrap_or("");
        errs.each_invalid(&index("metadata.finalizers", i), f, is_qualified_name(f));
    }
}

/// ValidateLabels: every key a qualified name, every value a label value; errors at the map's path.
pub(super) fn validate_labels(labels: Option<&Value>, path: &str, errs: &mut Errs) {
    let Some(Value::Object(map)) = labels else { return };
    for (k, v) in map {
        errs.each_invalid(path, k, is_qualified_name(k));
        let v = v.as_str().unwrap_or("");
        errs.each_invalid(path, v, is_valid_label_value(v));
    }
}

/// ValidateAnnotations: keys are qualified names (checked lower-cased); 256 KiB in total.
pub(super) fn validate_annotations(annotations: Option<&Value>, path: &str, errs: &mut Errs) {
    let Some(Value::Object(map)) = annotations else { return };
    let mut total = 0;
    for (k, v) in map {
        errs.each_invalid(path, k, is_qualified_name(&k.to_lowercase()));
        total += k.len() + v.as_str().map_or(0, str::len);
    }
    if total > ANNOTATIONS_MAX_BYTES {
        errs.too_long(path, ANNOTATIONS_MAX_BYTES);
    }
}

fn validate_owner_references(obj: &Value, errs: &mut Errs) {
    let refs = array_at(obj, &["metadata", "ownerReferences"]);
    let path = "metadata.ownerReferences";
    let mut controllers = Vec::new();
    for r in refs {
        let field = |f: &str| str_at(r, &[f]).unwrap_or("");
        let version_missing = field("apiVersion").split('/').next_back().unwrap_or("").is_empty();
        let checks = [
            ("apiVersion", version_missing, "version must not be empty"),
            ("kind", field("kind").is_empty(), "must not be empty"),
            ("name", field("name").is_empty(), "must not be empty"),
            ("uid", field("uid").is_empty(), "must not be empty"),
        ];
        for (f, missing, msg) in checks {
            if missing {
                errs.invalid_str(&child(path, f), field(f), msg);
            }
        }
        if r.get("controller").and_then(Value::as_bool) == Some(true) {
            controllers.push(format!("{}/{}", field("kind"), field("name")));
        }
    }
    if controllers.len() > 1 {
        errs.invalid(
            path,
            BadValue::Raw(format!("[]v1.OwnerReference{{...{} items}}", refs.len())),
            &format!(
                "Only one reference can have Controller set to true. Found \"true\" in references for {}",
                controllers.join(" and ")
            ),
        );
    }
}

/// ValidateLabelSelector: matchLabels as labels, each matchExpression's operator, key and values.
pub(super) fn validate_label_selector(sel: &Value, path: &str, errs: &mut Errs) {
    validate_labels(sel.get("matchLabels"), &child(path, "matchLabels"), errs);
    for (i, expr) in array_at(sel, &["matchExpressions"]).iter().enumerate() {
        let p = index(&child(path, "matchExpressions"), i);
        let values = array_at(expr, &["values"]);
        let op = str_at(expr, &["operator"]).unwrap_or("");
        match op {
            "In" | "NotIn" if values.is_empty() => {
                errs.required(&child(&p, "values"), "must be specified when `operator` is 'In' or 'NotIn'")
            }
            "Exists" | "DoesNotExist" if !values.is_empty() => errs
                .forbidden(&child(&p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errs.invalid_str(&child(&p, "operator"), other, "not a valid selector operator"),
        }
        let k = str_at(expr, &["key"]).unwrap_or("");
        errs.each_invalid(&child(&p, "key"), k, is_qualified_name(k));
        for (j, v) in values.iter().enumerate() {
            let v = v.as_str().unwrap_or("");
            errs.each_invalid(&index(&child(&p, "values"), j), v, is_valid_label_value(v));
        }
    }
}

/// Whether a selector value has neither matchLabels nor matchExpressions.
pub(super) fn selector_is_empty(sel: &Value) -> bool {
    let n = |f: &str| match sel.get(f) {
        Some(Value::Object(m)) => m.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    };
    n("matchLabels") + n("matchExpressions") == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::registry::resolve;
    use serde_json::json;

    fn messages(kind: &str, obj: Value) -> Vec<String> {
        let mut errs = Errs::default();
        validate_object_meta(resolve(kind).expect("served"), &obj, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn names_follow_each_kinds_rule() {
        let ok = [
            ("deploy", "web.v1"),
            ("ns", "team-a"),
            ("svc", "web"),
            ("clusterrole", "system:controller"),
            ("cm", "a.b"),
        ];
        for (kind, name) in ok {
            assert!(messages(kind, json!({"metadata": {"name": name}})).is_empty(), "{kind} {name}");
        }
        let bad = [("deploy", "Web_1"), ("ns", "team.a"), ("svc", "1web"), ("clusterrole", "a/b"), ("po", "")];
        for (kind, name) in bad {
            assert_eq!(messages(kind, json!({"metadata": {"name": name}})).len(), 1, "{kind} {name}");
        }
        assert_eq!(
            messages("po", json!({"metadata": {}})),
            ["metadata.name: Required value: name or generateName is required"]
        );
        assert_eq!(
            messages("deploy", json!({"metadata": {"name": "Web_1"}}))[0],
            "metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric \
             characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for \
             validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        );
        assert!(messages("po", json!({"metadata": {"name": "x", "generateName": "web-"}})).is_empty());
        assert_eq!(messages("po", json!({"metadata": {"name": "x", "generateName": "Web-"}})).len(), 1);
    }

    #[test]
    fn labels_annotations_owners_finalizers() {
        let obj = json!({"metadata": {"name": "x", "namespace": "Bad_NS", "labels": {"app": "web", "bad key": "v", "k": "-v"},
            "annotations": {"example.com/ok": "1", "a/b/c": "2"}, "finalizers": ["kubernetes.io/pvc-protection", "a/b/c"],
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "a", "uid": "1", "controller": true},
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "b", "uid": "", "controller": true}]}});
        let msgs = messages("po", obj);
        let paths: Vec<&str> = msgs.iter().map(|m| m.split(':').next().unwrap_or("")).collect();
        assert_eq!(
            paths,
            [
                "metadata.namespace",
                "metadata.labels",
                "metadata.labels",
                "metadata.annotations",
                "metadata.ownerReferences.uid",
                "metadata.ownerReferences",
                "metadata.finalizers[1]"
            ]
        );
        let big = json!({"metadata": {"name": "x", "annotations": {"a": "x".repeat(300_000)}}});
        assert_eq!(messages("po", big), ["metadata.annotations: Too long: must have at most 262144 bytes"]);
    }

    #[test]
    fn selector_rules() {
        let mut errs = Errs::default();
        validate_label_selector(
            &json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "a", "operator": "In"}, {"key": "b", "operator": "Exists", "values": ["x"]},
            {"key": "c", "operator": "in", "values": ["x"]}]}),
            "spec.selector",
            &mut errs,
        );
        let msgs: Vec<String> = errs.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.selector.matchExpressions[2].operator: Invalid value: \"in\": not a valid selector operator",
            ]
        );
        assert!(selector_is_empty(&json!({})) && selector_is_empty(&json!({"matchLabels": {}})));
        assert!(!selector_is_empty(&json!({"matchLabels": {"a": "b"}})));
    }
}
