//! autoscaling/v1 HorizontalPodAutoscalers, stored as autoscaling/v2 (`pkg/apis/autoscaling/v1/conversion.go`):
//! v1's `targetCPUUtilizationPercentage` is v2's CPU `Resource` metric with a `Utilization` target, and
//! `currentCPUUtilizationPercentage` its current average utilization; v2's conditions read through v1
//! as the `autoscaling.alpha.kubernetes.io/conditions` annotation.
//!
//! Simplified: v2's other metrics and `behavior` are not written into v1's alpha annotations, so a v1
//! reader does not see them; a v1 write keeps them from the stored object (`keep_v2_only`), as
//! upstream's annotations round-trip them.

use serde_json::{Map, Value, json};

use crate::sim::api::pointer::Pointer;

/// The annotation upstream keeps v2's conditions in when serving v1.
const CONDITIONS: &str = "autoscaling.alpha.kubernetes.io/conditions";

fn copy(from: &Value, to: &mut Map<String, Value>, fields: &[&str]) {
    for f in fields {
        if let Some(v) = from.get(*f) {
            to.insert((*f).into(), v.clone());
        }
    }
}

/// Whether a v2 metric is the CPU utilization v1 can say.
fn is_cpu_utilization(m: &Value) -> bool {
    m.at("/type").and_then(Value::as_str) == Some("Resource")
        && m.at("/resource/name").and_then(Value::as_str) == Some("cpu")
        && m.at("/resource/target/type").and_then(Value::as_str) == Some("Utilization")
}

/// A v1 object (body of a request through autoscaling/v1) in the stored v2 shape.
pub fn to_v2(v1: Value) -> Value {
    let Value::Object(mut obj) = v1 else { return v1 };
    obj.insert("apiVersion".into(), json!("autoscaling/v2"));
    if let Some(spec) = obj.get("spec").cloned() {
        let mut out = Map::new();
        copy(&spec, &mut out, &["scaleTargetRef", "minReplicas", "maxReplicas"]);
        if let Some(pct) = spec.get("targetCPUUtilizationPercentage").filter(|p| !p.is_null()) {
            out.insert(
                "metrics".into(),
                json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": pct}}}]),
            );
        }
        obj.insert("spec".into(), Value::Object(out));
    }
    if let Some(status) = obj.get("status").cloned().filter(Value::is_object) {
        let mut out = Map::new();
        copy(&status, &mut out, &["observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"]);
        if let Some(pct) = status.get("currentCPUUtilizationPercentage").filter(|p| !p.is_null()) {
            out.insert(
                "currentMetrics".into(),
                json!([{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": pct}}}]),
            );
        }
        obj.insert("status".into(), Value::Object(out));
    }
    if let Some(Value::Object(a)) = obj.get_mut("metadata").and_then(|m| m.get_mut("annotations")) {
        a.remove(CONDITIONS);
    }
    Value::Object(obj)
}

/// The stored v2 object as an autoscaling/v1 client reads it.
pub fn to_v1(v2: &Value) -> Value {
    let Value::Object(src) = v2 else { return v2.clone() };
    let mut obj = src.clone();
    obj.insert("apiVersion".into(), json!("autoscaling/v1"));
    if let Some(spec) = src.get("spec") {
        let mut out = Map::new();
        copy(spec, &mut out, &["scaleTargetRef", "minReplicas", "maxReplicas"]);
        let metrics = spec.get("metrics").and_then(Value::as_array).into_iter().flatten();
        if let Some(pct) =
            metrics.clone().find(|m| is_cpu_utilization(m)).and_then(|m| m.at("/resource/target/averageUtilization"))
        {
            out.insert("targetCPUUtilizationPercentage".into(), pct.clone());
        }
        obj.insert("spec".into(), Value::Object(out));
    }
    if let Some(status) = src.get("status").filter(|s| s.is_object()) {
        let mut out = Map::new();
        copy(status, &mut out, &["observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"]);
        let current = status.get("currentMetrics").and_then(Value::as_array).into_iter().flatten().find(|m| {
            m.at("/type").and_then(Value::as_str) == Some("Resource")
                && m.at("/resource/name").and_then(Value::as_str) == Some("cpu")
        });
        if let Some(pct) = current.and_then(|m| m.at("/resource/current/averageUtilization")) {
            out.insert("currentCPUUtilizationPercentage".into(), pct.clone());
        }
        if let Some(conditions) = status.get("conditions").filter(|c| c.as_array().is_some_and(|a| !a.is_empty())) {
            let meta = obj.entry("metadata").or_insert_with(|| json!({}));
            if let Some(m) = meta.as_object_mut() {
                let annotations = m.entry("annotations").or_insert_with(|| json!({}));
                annotations[CONDITIONS] = json!(conditions.to_string());
            }
        }
        obj.insert("status".into(), Value::Object(out));
    }
    Value::Object(obj)
}

/// A write through v1 keeps what v1 cannot say from the stored object: `behavior`, the metrics
/// other than CPU utilization, and the status' conditions.
pub fn keep_v2_only(new: &mut Value, current: &Value) {
    if let Some(b) = current.at("/spec/behavior").filter(|_| new.at("/spec/behavior").is_none()) {
        new["spec"]["behavior"] = b.clone();
    }
    let others: Vec<Value> = current
        .at("/spec/metrics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|m| !is_cpu_utilization(m))
        .cloned()
        .collect();
    if !others.is_empty() && new.get("spec").is_some_and(Value::is_object) {
        let mut metrics = new.at("/spec/metrics").and_then(Value::as_array).cloned().unwrap_or_default();
        metrics.extend(others);
        new["spec"]["metrics"] = Value::Array(metrics);
    }
    if let Some(c) = current.at("/status/conditions").filter(|_| new.at("/status/conditions").is_none())
        && new.get("status").is_some_and(Value::is_object)
    {
        new["status"]["conditions"] = c.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_percentages_are_the_cpu_utilization_metric() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "php"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php"},
                "minReplicas": 1, "maxReplicas": 10, "targetCPUUtilizationPercentage": 50},
            "status": {"currentReplicas": 3, "desiredReplicas": 4, "currentCPUUtilizationPercentage": 70}});
        let v2 = to_v2(v1.clone());
        assert_eq!(v2["apiVersion"], "autoscaling/v2");
        assert_eq!(v2.at("/spec/metrics/0/resource/target/averageUtilization"), Some(&json!(50)));
        assert_eq!(v2.at("/status/currentMetrics/0/resource/current/averageUtilization"), Some(&json!(70)));
        assert!(v2.at("/spec/targetCPUUtilizationPercentage").is_none());
        assert_eq!(to_v1(&v2), v1, "round trip");
    }

    #[test]
    fn conditions_read_as_the_alpha_annotation_and_v2_only_fields_survive_a_v1_write() {
        let stored = json!({"apiVersion": "autoscaling/v2", "metadata": {"name": "php"},
            "spec": {"maxReplicas": 5, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}},
                "metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1Gi"}}}]},
            "status": {"conditions": [{"type": "AbleToScale", "status": "True"}]}});
        let v1 = to_v1(&stored);
        assert_eq!(
            v1.at("/metadata/annotations/autoscaling.alpha.kubernetes.io~1conditions"),
            Some(&json!("[{\"type\":\"AbleToScale\",\"status\":\"True\"}]"))
        );
        assert!(v1.at("/spec/targetCPUUtilizationPercentage").is_none(), "no CPU utilization metric");
        let mut back = to_v2(v1);
        keep_v2_only(&mut back, &stored);
        assert_eq!(back.at("/spec/behavior"), stored.at("/spec/behavior"));
        assert_eq!(back.at("/spec/metrics"), stored.at("/spec/metrics"));
        assert_eq!(back.at("/status/conditions"), stored.at("/status/conditions"));
        assert!(back.at("/metadata/annotations/autoscaling.alpha.kubernetes.io~1conditions").is_none());
    }
}
