//! The `scale` subresource (`autoscaling/v1` `Scale`): what `kubectl scale` and the
//! HorizontalPodAutoscaler read and write instead of the whole object. Served for Deployments,
//! ReplicaSets, StatefulSets and ReplicationControllers, as upstream's registries do.

use serde_json::{Value, json};

use super::status::Status;
use crate::sim::api::ResourceType;
use crate::sim::api::pointer::Pointer;

/// `LabelSelectorAsSelector(s).String()`: requirements sorted by key, as `Scale.status.selector` holds them.
fn selector_string(s: &Value) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    if let Some(Value::Object(m)) = s.get("matchLabels") {
        parts.extend(m.iter().map(|(k, v)| (k.clone(), format!("{k}={}", v.as_str().unwrap_or_default()))));
    }
    for e in s.get("matchExpressions").and_then(Value::as_array).into_iter().flatten() {
        let key = e.get("key").and_then(Value::as_str).unwrap_or_default().to_string();
        let mut values: Vec<&str> =
            e.get("values").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        values.sort_unstable();
        let text = match e.get("operator").and_then(Value::as_str).unwrap_or_default() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            _ => format!("!{key}"),
        };
        parts.push((key, text));
    }
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    parts.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// Whether `rt` serves `/scale`.
pub fn served(rt: &ResourceType) -> bool {
    matches!(rt.plural, "deployments" | "replicasets" | "statefulsets" | "replicationcontrollers")
}

/// The Scale of an object: its identity, `spec.replicas`, and the status the controller reports.
pub fn of(obj: &Value) -> Value {
    let meta = |k: &str| obj.at(&format!("/metadata/{k}")).cloned().unwrap_or(Value::Null);
    let mut metadata = json!({});
    for k in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
        if !meta(k).is_null() {
            metadata[k] = meta(k);
        }
    }
    // A ReplicationController's selector is a plain map; the others' a LabelSelector.
    let selector = match obj.at("/spec/selector") {
        Some(s) if s.get("matchLabels").is_some() || s.get("matchExpressions").is_some() => selector_string(s),
        Some(Value::Object(m)) => {
            m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(",")
        }
        _ => String::new(),
    };
    let replicas = obj.at("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let mut status = json!({"replicas": obj.at("/status/replicas").and_then(Value::as_i64).unwrap_or(0)});
    if !selector.is_empty() {
        status["selector"] = json!(selector);
    }
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
        "spec": {"replicas": replicas}, "status": status})
}

/// The object after a write of its Scale: `spec.replicas` from the new Scale, nothing else.
pub fn apply(rt: &ResourceType, current: &Value, new_scale: &Value) -> Result<Value, Status> {
    let name = current.at("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let replicas = match new_scale.at("/spec/replicas") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_i64()
            .filter(|n| i32::try_from(*n).is_ok())
            .ok_or_else(|| Status::bad_request(format!("Scale.spec.replicas: {v} is not an int32")))?,
    };
    if replicas < 0 {
        return Err(Status::invalid(format!(
            "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
        )));
    }
    let _ = rt;
    let mut obj = current.clone();
    obj["spec"]["replicas"] = json!(replicas);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api;

    #[test]
    fn scale_reads_and_writes_replicas_only() {
        let d = json!({"metadata": {"name": "web", "namespace": "default", "uid": "u", "resourceVersion": "7"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}}, "status": {"replicas": 2}});
        let s = of(&d);
        assert_eq!(s["spec"]["replicas"], 2);
        assert_eq!(s["status"], json!({"replicas": 2, "selector": "app=web"}));
        assert_eq!(s["metadata"]["resourceVersion"], "7");
        let rt = api::resolve("deployments").expect("served");
        let after = apply(rt, &d, &json!({"spec": {"replicas": 5}})).expect("valid");
        assert_eq!(after["spec"]["replicas"], 5);
        assert_eq!(after["spec"]["selector"], d["spec"]["selector"]);
        let err = apply(rt, &d, &json!({"spec": {"replicas": -1}})).expect_err("negative");
        assert_eq!(err.code, 422);
        let expr = json!({"matchLabels": {"b": "1"}, "matchExpressions": [{"key": "a", "operator": "In", "values": ["y", "x"]}]});
        assert_eq!(selector_string(&expr), "a in (x,y),b=1");
        let rc = json!({"metadata": {"name": "nginx"}, "spec": {"replicas": 3, "selector": {"app": "nginx"}}});
        assert_eq!(of(&rc)["status"]["selector"], "app=nginx");
        assert!(served(rt) && !served(api::resolve("pods").expect("pods")));
    }
}
