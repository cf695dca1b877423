//! The HorizontalPodAutoscaler row and its TARGETS column (`cpu: 12%/50%`, `<unknown>/100Mi (avg)`).

use serde_json::Value;

use super::super::fields::{arr_at, at, i64_at, obj_at, opt_i64, str_at};
use super::RowCtx;

fn name(obj: &Value) -> String {
    str_at(obj, &["metadata", "name"]).to_string()
}

/// HorizontalPodAutoscaler REFERENCE, TARGETS, MINPODS, MAXPODS, REPLICAS.
pub fn hpa(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let reference = format!(
        "{}/{}",
        str_at(obj, &["spec", "scaleTargetRef", "kind"]),
        str_at(obj, &["spec", "scaleTargetRef", "name"])
    );
    vec![
        name(obj),
        reference,
        hpa_targets(obj),
        opt_i64(obj, &["spec", "minReplicas"]).map(|m| m.to_string()).unwrap_or_else(|| "<unset>".into()),
        i64_at(obj, &["spec", "maxReplicas"]).to_string(),
        i64_at(obj, &["status", "currentReplicas"]).to_string(),
        ctx.age(obj),
    ]
}

fn quantity(v: &Value, path: &[&str]) -> String {
    match at(v, path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".into(),
    }
}

/// `formatHPAMetrics` for autoscaling/v2 objects (and v1's CPU percentage).
fn hpa_targets(obj: &Value) -> String {
    let specs = arr_at(obj, &["spec", "metrics"]);
    let statuses = arr_at(obj, &["status", "currentMetrics"]);
    if specs.is_empty() {
        // autoscaling/v1 keeps a single CPU target outside `metrics`.
        return match opt_i64(obj, &["spec", "targetCPUUtilizationPercentage"]) {
            Some(t) => {
                let cur = opt_i64(obj, &["status", "currentCPUUtilizationPercentage"])
                    .map(|c| format!("{c}%"))
                    .unwrap_or_else(|| "<unknown>".into());
                format!("cpu: {cur}/{t}%")
            }
            None => "<none>".into(),
        };
    }
    let mut list = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let status = statuses.get(i);
        let st = |section: &str| status.and_then(|s| obj_at(s, &[section]).map(|_| &s[section]));
        let text = match str_at(spec, &["type"]) {
            "External" | "Object" => {
                let section = if str_at(spec, &["type"]) == "External" { "external" } else { "object" };
                if at(spec, &[section, "target", "averageValue"]).is_some() {
                    let cur = st(section)
                        .filter(|s| at(s, &["current", "averageValue"]).is_some())
                        .map(|s| quantity(s, &["current", "averageValue"]))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{cur}/{} (avg)", quantity(spec, &[section, "target", "averageValue"]))
                } else {
                    let cur =
                        st(section).map(|s| quantity(s, &["current", "value"])).unwrap_or_else(|| "<unknown>".into());
                    format!("{cur}/{}", quantity(spec, &[section, "target", "value"]))
                }
            }
            "Pods" => {
                let cur =
                    st("pods").map(|s| quantity(s, &["current", "averageValue"])).unwrap_or_else(|| "<unknown>".into());
                format!("{cur}/{}", quantity(spec, &["pods", "target", "averageValue"]))
            }
            "Resource" | "ContainerResource" => {
                let section = if str_at(spec, &["type"]) == "Resource" { "resource" } else { "containerResource" };
                let res = str_at(spec, &[section, "name"]);
                if at(spec, &[section, "target", "averageValue"]).is_some() {
                    let cur = st(section)
                        .map(|s| quantity(s, &["current", "averageValue"]))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{res}: {cur}/{}", quantity(spec, &[section, "target", "averageValue"]))
                } else {
                    let cur = st(section)
                        .and_then(|s| opt_i64(s, &["current", "averageUtilization"]))
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<unknown>".into());
                    let target = opt_i64(spec, &[section, "target", "averageUtilization"])
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<auto>".into());
                    format!("{res}: {cur}/{target}")
                }
            }
            _ => "<unknown type>".into(),
        };
        list.push(text);
    }
    const MAX: usize = 2;
    let count = list.len();
    if count > MAX {
        list.truncate(MAX);
        return format!("{} + {} more...", list.join(", "), count - MAX);
    }
    list.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CTX: RowCtx = RowCtx { now: 3_600_000 };

    #[test]
    fn hpa_targets_format() {
        let h = json!({"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 5,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]},
            "status": {"currentReplicas": 2, "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 12}}}]}});
        assert_eq!(hpa(&h, &CTX)[1..6], ["Deployment/web", "cpu: 12%/50%", "1", "5", "2"]);
        let unknown = json!({"spec": {"metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {"averageValue": "100Mi"}}},
            {"type": "Pods", "pods": {"target": {"averageValue": "1k"}}}, {"type": "Bogus"}]}});
        assert_eq!(hpa_targets(&unknown), "memory: <unknown>/100Mi, <unknown>/1k + 1 more...");
        let v1 = json!({"spec": {"targetCPUUtilizationPercentage": 80}});
        assert_eq!(hpa_targets(&v1), "cpu: <unknown>/80%");
        assert_eq!(hpa_targets(&json!({})), "<none>");
    }
}
