//! The HorizontalPodAutoscaler describer (`describeHorizontalPodAutoscalerV2`): reference, each
//! metric as `current / target`, replica bounds, behavior, pods and the conditions table.

use serde_json::Value;

use super::super::fields::{arr_at, at, opt_i64, str_at};
use super::writer::PrefixWriter;
use super::{DescribeContext, creation_timestamp, events, labels_and_annotations, name_namespace};

fn quantity(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "<unknown>".into(),
    }
}

/// One Resource or ContainerResource metric line; `section` is `resource` or `containerResource`.
fn resource_metric(w: &mut PrefixWriter, spec: &Value, status: Option<&Value>, section: &str) {
    let s = &spec[section];
    let name = str_at(s, &["name"]);
    if section == "resource" {
        w.write(1, &format!("resource {name} on pods"));
    } else {
        w.write(1, &format!("resource {name} of container \"{}\" on pods", str_at(s, &["container"])));
    }
    let cur = status.and_then(|st| st.get(section)).filter(|c| c.is_object());
    if at(s, &["target", "averageValue"]).is_some() {
        let current = cur.map(|c| quantity(at(c, &["current", "averageValue"]))).unwrap_or_else(|| "<unknown>".into());
        w.write(0, &format!(":\t{current} / {}\n", quantity(at(s, &["target", "averageValue"]))));
        return;
    }
    let current = cur
        .and_then(|c| opt_i64(c, &["current", "averageUtilization"]).map(|u| (u, c)))
        .map(|(u, c)| format!("{u}% ({})", quantity(at(c, &["current", "averageValue"]))))
        .unwrap_or_else(|| "<unknown>".into());
    let target = opt_i64(s, &["target", "averageUtilization"]).map(|t| format!("{t}%")).unwrap_or("<auto>".into());
    w.write(1, &format!("(as a percentage of request):\t{current} / {target}\n"));
}

/// `printDirectionBehavior`.
fn direction(w: &mut PrefixWriter, title: &str, rules: Option<&Value>) {
    let Some(r) = rules.filter(|r| r.is_object()) else { return };
    w.write(1, &format!("{title}:\n"));
    if let Some(s) = opt_i64(r, &["stabilizationWindowSeconds"]) {
        w.write(2, &format!("Stabilization Window: {s} seconds\n"));
    }
    let policies = arr_at(r, &["policies"]);
    if !policies.is_empty() {
        let select = match str_at(r, &["selectPolicy"]) {
            "" => "Max",
            s => s,
        };
        w.write(2, &format!("Select Policy: {select}\n"));
        w.write(2, "Policies:\n");
        for p in policies {
            let (ty, value) = (str_at(p, &["type"]), opt_i64(p, &["value"]).unwrap_or(0));
            let period = opt_i64(p, &["periodSeconds"]).unwrap_or(0);
            w.write(3, &format!("- Type: {ty}\tValue: {value}\tPeriod: {period} seconds\n"));
        }
    }
}

/// Describes a HorizontalPodAutoscaler as kubectl 1.33 does (autoscaling/v2).
pub fn describe_hpa(w: &mut PrefixWriter, hpa: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, hpa);
    labels_and_annotations(w, hpa);
    creation_timestamp(w, hpa);
    let kind = str_at(hpa, &["spec", "scaleTargetRef", "kind"]);
    w.write(0, &format!("Reference:\t{kind}/{}\n", str_at(hpa, &["spec", "scaleTargetRef", "name"])));
    w.write(0, "Metrics:\t( current / target )\n");
    let statuses = arr_at(hpa, &["status", "currentMetrics"]);
    let specs = arr_at(hpa, &["spec", "metrics"]);
    if specs.is_empty() {
        // autoscaling/v1's single CPU target, as the v2 conversion shows it.
        let cur = opt_i64(hpa, &["status", "currentCPUUtilizationPercentage"]).map(|c| format!("{c}%"));
        let target = opt_i64(hpa, &["spec", "targetCPUUtilizationPercentage"]).unwrap_or(80);
        w.write(1, "resource cpu on pods");
        w.write(1, &format!("(as a percentage of request):\t{} / {target}%\n", cur.unwrap_or("<unknown>".into())));
    }
    for (i, spec) in specs.iter().enumerate() {
        let status = statuses.get(i);
        match str_at(spec, &["type"]) {
            "Resource" => resource_metric(w, spec, status, "resource"),
            "ContainerResource" => resource_metric(w, spec, status, "containerResource"),
            other => w.write(1, &format!("<unknown metric type {other:?}>\n")),
        }
    }
    let min = opt_i64(hpa, &["spec", "minReplicas"]).map(|m| m.to_string()).unwrap_or("<unset>".into());
    w.write(0, &format!("Min replicas:\t{min}\n"));
    w.write(0, &format!("Max replicas:\t{}\n", opt_i64(hpa, &["spec", "maxReplicas"]).unwrap_or(0)));
    if let Some(b) = at(hpa, &["spec", "behavior"]).filter(|b| b.is_object()) {
        w.write(0, "Behavior:\n");
        direction(w, "Scale Up", b.get("scaleUp"));
        direction(w, "Scale Down", b.get("scaleDown"));
    }
    let (cur, desired) = (
        opt_i64(hpa, &["status", "currentReplicas"]).unwrap_or(0),
        opt_i64(hpa, &["status", "desiredReplicas"]).unwrap_or(0),
    );
    w.write(0, &format!("{kind} pods:\t{cur} current / {desired} desired\n"));
    let conditions = arr_at(hpa, &["status", "conditions"]);
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n");
        w.write(1, "Type\tStatus\tReason\tMessage\n");
        w.write(1, "----\t------\t------\t-------\n");
        for c in conditions {
            let f = |k: &str| str_at(c, &[k]).to_string();
            w.write(1, &format!("{}\t{}\t{}\t{}\n", f("type"), f("status"), f("reason"), f("message")));
        }
    }
    events::describe_events(w, evs, ctx);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_walkthroughs_hpa() {
        let hpa = json!({"metadata": {"name": "php-apache", "namespace": "default",
                "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "php-apache"}, "minReplicas": 1,
                "maxReplicas": 10, "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 50}}}]},
            "status": {"currentReplicas": 1, "desiredReplicas": 1, "currentMetrics": [{"type": "Resource",
                "resource": {"name": "cpu", "current": {"averageUtilization": 0, "averageValue": "1m"}}}],
                "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale",
                    "message": "recommended size matches current size"}]}});
        let mut w = PrefixWriter::new();
        describe_hpa(&mut w, &hpa, Some(&[]), &DescribeContext::default());
        let out = w.finish();
        let want = "Reference:                                             Deployment/php-apache
Metrics:                                               ( current / target )
  resource cpu on pods  (as a percentage of request):  0% (1m) / 50%
Min replicas:                                          1
Max replicas:                                          10
Deployment pods:                                       1 current / 1 desired
Conditions:
  Type         Status  Reason            Message
  ----         ------  ------            -------
  AbleToScale  True    ReadyForNewScale  recommended size matches current size
Events:        <none>
";
        assert!(out.ends_with(want), "{out}");
    }
}
