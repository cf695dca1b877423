//! One metric of an HPA (`computeReplicasForMetric` and the metrics client of
//! `pkg/controller/podautoscaler`): its spec, the samples the Metrics API returned, the replicas it
//! proposes and the status kubectl prints as `cpu: 12%/50%`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::replicas::{self, Proposal, Sample, Target};
use crate::sim::api::pointer::Pointer;
use crate::sim::api::quantity::{format_cpu_millis, parse_quantity};
use crate::sim::controllers::objects::{self, str_at};
use crate::sim::time::{Millis, parse_duration, parse_rfc3339};

/// A metric spec the controller can compute, or one whose metrics API this cluster lacks.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// `Resource` (no container) or `ContainerResource`.
    Resource { name: String, container: Option<String>, target: Option<Target> },
    /// `Pods`, `Object` or `External`: served by adapters this cluster does not have.
    Custom { ty: String, name: String },
}

/// An HPA's metric specs; autoscaling/v1's single CPU percentage (80 % when unset) when there are none.
pub fn specs(hpa: &Value) -> Vec<Spec> {
    let Some(list) = hpa.at("/spec/metrics").and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        let pct = hpa.at("/spec/targetCPUUtilizationPercentage").and_then(Value::as_i64).unwrap_or(80);
        return vec![Spec::Resource { name: "cpu".into(), container: None, target: Some(Target::Utilization(pct)) }];
    };
    list.iter()
        .map(|m| {
            let ty = str_at(m, "/type");
            let section = match ty {
                "Resource" => "resource",
                "ContainerResource" => "containerResource",
                "Pods" => "pods",
                "Object" => "object",
                _ => "external",
            };
            let s = m.get(section).unwrap_or(&Value::Null);
            if section == "resource" || section == "containerResource" {
                let target = match str_at(s, "/target/type") {
                    "Utilization" => {
                        s.at("/target/averageUtilization").and_then(Value::as_i64).map(Target::Utilization)
                    }
                    "AverageValue" => s
                        .at("/target/averageValue")
                        .and_then(Value::as_str)
                        .and_then(|q| parse_quantity(q).ok())
                        .map(|q| Target::AverageValue(q.milli_value())),
                    _ => None,
                };
                let container = (section == "containerResource").then(|| str_at(s, "/container").to_string());
                Spec::Resource { name: str_at(s, "/name").to_string(), container, target }
            } else {
                Spec::Custom { ty: ty.to_string(), name: str_at(s, "/metric/name").to_string() }
            }
        })
        .collect()
}

/// What one metric gave: a proposal with its status and name, or the condition reason and errors.
#[derive(Debug, Clone, PartialEq)]
pub enum Computed {
    Ok { proposal: Proposal, status: Value, name: String },
    Failed { reason: &'static str, inner: String, outer: String },
}

/// `GetResourceMetric` / `getPodMetrics` / `getContainerMetrics`: samples per pod from a PodMetricsList.
fn samples(list: &Value, resource: &str, container: Option<&str>) -> Result<BTreeMap<String, Sample>, String> {
    let items = list.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if items.is_empty() {
        return Err("no metrics returned from resource metrics API".into());
    }
    let mut out = BTreeMap::new();
    for m in items {
        let mut sum = 0;
        let mut complete = true;
        let mut found = false;
        for c in m.get("containers").and_then(Value::as_array).into_iter().flatten() {
            if container.is_some_and(|n| n != str_at(c, "/name")) {
                continue;
            }
            found = true;
            match c.at(&format!("/usage/{resource}")).and_then(Value::as_str).and_then(|q| parse_quantity(q).ok()) {
                Some(q) => sum += q.milli_value(),
                None => complete = false,
            }
        }
        if let (Some(name), false) = (container, found) {
            return Err(format!(
                "failed to get container metrics: container {name} not present in metrics for pod {}/{}",
                objects::namespace(m),
                objects::name(m)
            ));
        }
        if complete {
            let timestamp = parse_rfc3339(str_at(m, "/timestamp")).unwrap_or(0);
            let window = parse_duration(str_at(m, "/window")).unwrap_or(15_000);
            out.insert(objects::name(m).to_string(), Sample { value: sum, timestamp, window });
        }
    }
    Ok(out)
}

/// `computeStatusForResourceMetric[Generic]` and the custom metrics' failures.
pub fn compute(spec: &Spec, current: i64, pods: &[&Value], metrics: Result<&Value, &str>, now: Millis) -> Computed {
    let (name, container, target) = match spec {
        Spec::Custom { ty, name } => {
            let (reason, api, what) = match ty.as_str() {
                "Pods" => ("FailedGetPodsMetric", "custom", "pods"),
                "Object" => ("FailedGetObjectMetric", "custom", "object"),
                _ => ("FailedGetExternalMetric", "external", "external"),
            };
            let inner = format!(
                "unable to get metric {name}: unable to fetch metrics from {api} metrics API: no {api} metrics API ({api}.metrics.k8s.io) registered"
            );
            return Computed::Failed { reason, outer: format!("failed to get {what} metric value: {inner}"), inner };
        }
        Spec::Resource { name, container, target } => (name, container.as_deref(), target),
    };
    let reason = if container.is_some() { "FailedGetContainerResourceMetric" } else { "FailedGetResourceMetric" };
    let outer = |inner: &str| match container {
        Some(_) => format!("failed to get {name} container metric value: {inner}"),
        None => format!("failed to get {name} resource metric value: {inner}"),
    };
    let Some(target) = target else {
        let inner = "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set".to_string();
        return Computed::Failed { reason, outer: outer(&inner), inner };
    };
    let what = if matches!(target, Target::Utilization(_)) { "utilization" } else { "usage" };
    let result = metrics
        .map_err(|e| format!("unable to fetch metrics from resource metrics API: {e}"))
        .and_then(|list| samples(list, name, container))
        .map_err(|e| format!("unable to get metrics for resource {name}: {e}"))
        .and_then(|s| replicas::resource_replicas(current, *target, name, container, pods, &s, now));
    let proposal = match result {
        Ok(p) => p,
        Err(e) => {
            let inner = format!("failed to get {name} {what}: {e}");
            return Computed::Failed { reason, outer: outer(&inner), inner };
        }
    };
    let mut current_value = json!({"averageValue": format_cpu_millis(proposal.average)});
    if let Some(u) = proposal.utilization {
        current_value["averageUtilization"] = json!(u);
    }
    let (status, metric_name) = match (container, target) {
        (Some(c), _) => (
            json!({"type": "ContainerResource", "containerResource": {"name": name, "container": c, "current": current_value}}),
            match target {
                Target::Utilization(_) => format!("{name} container resource utilization (percentage of request)"),
                Target::AverageValue(_) => format!("{name} resource"),
            },
        ),
        (None, Target::Utilization(_)) => (
            json!({"type": "Resource", "resource": {"name": name, "current": current_value}}),
            format!("{name} resource utilization (percentage of request)"),
        ),
        (None, Target::AverageValue(_)) => (
            json!({"type": "Resource", "resource": {"name": name, "current": current_value}}),
            format!("{name} resource"),
        ),
    };
    Computed::Ok { proposal, status, name: metric_name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_specs() {
        let v1 = json!({"spec": {"targetCPUUtilizationPercentage": 50}});
        assert_eq!(
            specs(&v1),
            [Spec::Resource { name: "cpu".into(), container: None, target: Some(Target::Utilization(50)) }]
        );
        let v2 = json!({"spec": {"metrics": [
            {"type": "ContainerResource", "containerResource": {"name": "memory", "container": "app",
                "target": {"type": "AverageValue", "averageValue": "100Mi"}}},
            {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1"}}}]}});
        assert_eq!(
            specs(&v2),
            [
                Spec::Resource {
                    name: "memory".into(),
                    container: Some("app".into()),
                    target: Some(Target::AverageValue(100 * 1024 * 1024 * 1000))
                },
                Spec::Custom { ty: "Pods".into(), name: "qps".into() }
            ]
        );
    }

    /// The messages `kubectl describe hpa` shows while metrics are missing.
    #[test]
    fn failures_carry_upstreams_messages() {
        let spec = Spec::Resource { name: "cpu".into(), container: None, target: Some(Target::Utilization(50)) };
        let empty = json!({"items": []});
        let Computed::Failed { reason, inner, outer } = compute(&spec, 1, &[], Ok(&empty), 0) else { panic!() };
        assert_eq!(reason, "FailedGetResourceMetric");
        assert_eq!(
            inner,
            "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API"
        );
        assert_eq!(outer, format!("failed to get cpu resource metric value: {inner}"));
        let Computed::Failed { inner, .. } = compute(
            &spec,
            1,
            &[],
            Err("the server is currently unable to handle the request (get pods.metrics.k8s.io)"),
            0,
        ) else {
            panic!()
        };
        assert!(inner.ends_with("unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)"), "{inner}");
    }
}
