//! A container's `Environment Variables from:` and `Environment:` sections, resolving downward-API
//! values the way kubectl can from the pod alone.

use serde_json::Value;

use super::super::fields::{arr_at, opt_bool, str_at, string_map};
use super::quantity::{Quantity, resource_list};
use super::writer::PrefixWriter;
use crate::sim::kubectl::printers::jsonpath::go_quote;

pub fn env_from(w: &mut PrefixWriter, c: &Value) {
    w.write(2, "Environment Variables from:\n");
    for e in arr_at(c, &["envFrom"]) {
        let (from, reference) = if e.get("configMapRef").is_some_and(Value::is_object) {
            ("ConfigMap", &e["configMapRef"])
        } else if e.get("secretRef").is_some_and(Value::is_object) {
            ("Secret", &e["secretRef"])
        } else {
            ("", &Value::Null)
        };
        let name = str_at(reference, &["name"]);
        let optional = opt_bool(reference, &["optional"]).unwrap_or(false);
        let prefix = str_at(e, &["prefix"]);
        if prefix.is_empty() {
            w.write(3, &format!("{name}\t{from}\tOptional: {optional}\n"));
        } else {
            w.write(3, &format!("{name}\t{from} with prefix '{prefix}'\tOptional: {optional}\n"));
        }
    }
}

pub fn env(w: &mut PrefixWriter, c: &Value, pod: Option<&Value>) {
    let vars = arr_at(c, &["env"]);
    w.write(2, &format!("Environment:{}\n", if vars.is_empty() { "\t<none>" } else { "" }));
    for e in vars {
        let name = str_at(e, &["name"]);
        let Some(from) = e.get("valueFrom").filter(|v| v.is_object()) else {
            for (i, line) in str_at(e, &["value"]).split('\n').enumerate() {
                if i == 0 {
                    w.write(3, &format!("{name}:\t{line}\n"));
                } else {
                    w.write(3, &format!("\t{line}\n"));
                }
            }
            continue;
        };
        if let Some(f) = from.get("fieldRef").filter(|v| v.is_object()) {
            let path = str_at(f, &["fieldPath"]);
            let value = pod.map(|p| pod_field(p, path)).unwrap_or_default();
            w.write(3, &format!("{name}:\t{value} ({}:{path})\n", str_at(f, &["apiVersion"])));
        } else if let Some(r) = from.get("resourceFieldRef").filter(|v| v.is_object()) {
            let resource = str_at(r, &["resource"]);
            let mut value = resource_field_value(c, r);
            if value == "0" && matches!(resource, "limits.cpu" | "limits.memory") {
                value = "node allocatable".into();
            }
            w.write(3, &format!("{name}:\t{value} ({resource})\n"));
        } else if let Some(s) = from.get("secretKeyRef").filter(|v| v.is_object()) {
            let optional = opt_bool(s, &["optional"]).unwrap_or(false);
            let (key, secret) = (str_at(s, &["key"]), str_at(s, &["name"]));
            w.write(3, &format!("{name}:\t<set to the key '{key}' in secret '{secret}'>\tOptional: {optional}\n"));
        } else if let Some(m) = from.get("configMapKeyRef").filter(|v| v.is_object()) {
            let optional = opt_bool(m, &["optional"]).unwrap_or(false);
            let (key, map) = (str_at(m, &["key"]), str_at(m, &["name"]));
            w.write(3, &format!("{name}:\t<set to the key '{key}' of config map '{map}'>\tOptional: {optional}\n"));
        }
    }
}

/// `fieldpath.ExtractFieldPathAsString`: only metadata fields resolve; anything else prints empty.
fn pod_field(pod: &Value, path: &str) -> String {
    let subscript =
        |prefix: &str| path.strip_prefix(prefix).and_then(|r| r.strip_prefix("['")).and_then(|r| r.strip_suffix("']"));
    let all = |field: &str| {
        string_map(pod, &["metadata", field])
            .iter()
            .map(|(k, v)| format!("{k}={}", go_quote(v)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match path {
        "metadata.name" | "metadata.namespace" | "metadata.uid" => str_at(pod, &["metadata", &path[9..]]).to_string(),
        "metadata.labels" => all("labels"),
        "metadata.annotations" => all("annotations"),
        _ => {
            if let Some(k) = subscript("metadata.labels") {
                str_at(pod, &["metadata", "labels", k]).to_string()
            } else if let Some(k) = subscript("metadata.annotations") {
                str_at(pod, &["metadata", "annotations", k]).to_string()
            } else {
                String::new()
            }
        }
    }
}

/// `ExtractContainerResourceValue`: the container's limit or request divided by the divisor, rounded up.
fn resource_field_value(c: &Value, r: &Value) -> String {
    let divisor = r.get("divisor").and_then(Quantity::parse_value).filter(|d| d.nanos != 0);
    let divisor = divisor.unwrap_or(Quantity { nanos: 1_000_000_000, ..Quantity::default() });
    let Some((kind, res)) = str_at(r, &["resource"]).split_once('.') else { return String::new() };
    let list = match kind {
        "limits" => resource_list(c, &["resources", "limits"]),
        "requests" => resource_list(c, &["resources", "requests"]),
        _ => return String::new(),
    };
    let q = list.iter().find(|(n, _)| n == res).map(|(_, q)| *q).unwrap_or_default();
    let (num, den) = match res {
        "cpu" => (q.milli_value(), divisor.milli_value()),
        "memory" | "ephemeral-storage" => (q.value(), divisor.value()),
        _ => return String::new(),
    };
    if den == 0 {
        return String::new();
    }
    ((num as f64 / den as f64).ceil() as i64).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_refs_resolve_only_metadata() {
        let pod = json!({"metadata": {"name": "p", "labels": {"app": "web"}}, "spec": {"nodeName": "n1"}});
        assert_eq!(pod_field(&pod, "metadata.name"), "p");
        assert_eq!(pod_field(&pod, "metadata.labels['app']"), "web");
        assert_eq!(pod_field(&pod, "metadata.labels"), "app=\"web\"");
        assert_eq!(pod_field(&pod, "spec.nodeName"), "");
    }

    #[test]
    fn resource_field_refs_divide_and_round_up() {
        let c = json!({"resources": {"limits": {"cpu": "500m", "memory": "128Mi"}}});
        assert_eq!(resource_field_value(&c, &json!({"resource": "limits.cpu", "divisor": "1m"})), "500");
        assert_eq!(resource_field_value(&c, &json!({"resource": "limits.cpu"})), "1");
        assert_eq!(resource_field_value(&c, &json!({"resource": "limits.memory", "divisor": "1Mi"})), "128");
        assert_eq!(resource_field_value(&c, &json!({"resource": "requests.cpu"})), "0");
        assert_eq!(resource_field_value(&c, &json!({"resource": "bogus"})), "");
    }
}
