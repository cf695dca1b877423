//! Policy and control kinds: HPA, PodDisruptionBudget, PriorityClass, RBAC, Lease, Event.

use super::meta::validate_label_selector;
use super::names::{is_dns1123_subdomain, is_valid_path_segment_name};
use super::workloads::int_or_percent;
use super::{BadValue, Errs, child, gofmt, index};
use crate::sim::api::meta::{array_at, at, i64_at, str_at};
use serde_json::Value;

/// The largest priority a user-defined PriorityClass may have (system classes go above it).
pub const HIGHEST_USER_PRIORITY: i64 = 1_000_000_000;

/// HorizontalPodAutoscaler (v1 or v2): replica bounds, target reference, metrics.
pub(super) fn validate_hpa(obj: &Value, errs: &mut Errs) {
    let spec = at(obj, &["spec"]).unwrap_or(&Value::Null);
    let min = i64_at(spec, &["minReplicas"]);
    let max = i64_at(spec, &["maxReplicas"]).unwrap_or(0);
    if let Some(m) = min.filter(|m| *m < 1) {
        errs.invalid_int("spec.minReplicas", m, "must be greater than or equal to 1");
    }
    if max < 1 {
        errs.invalid_int("spec.maxReplicas", max, "must be greater than 0");
    }
    if min.is_some_and(|m| max < m) {
        errs.invalid_int("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`");
    }
    for f in ["kind", "name"] {
        let p = child("spec.scaleTargetRef", f);
        match str_at(spec, &["scaleTargetRef", f]).unwrap_or("") {
            "" => errs.required(&p, ""),
            v => errs.each_invalid(&p, v, is_valid_path_segment_name(v)),
        }
    }
    if let Some(t) = i64_at(spec, &["targetCPUUtilizationPercentage"]).filter(|t| *t < 1) {
        errs.invalid_int("spec.targetCPUUtilizationPercentage", t, "must be greater than 0");
    }
    const TYPES: &[&str] = &["ContainerResource", "External", "Object", "Pods", "Resource"];
    for (i, m) in array_at(spec, &["metrics"]).iter().enumerate() {
        let mp = index("spec.metrics", i);
        let ty = str_at(m, &["type"]).unwrap_or("");
        if !TYPES.contains(&ty) {
            errs.unsupported(&child(&mp, "type"), ty, TYPES);
            continue;
        }
        if ty == "Resource" {
            let rp = child(&mp, "resource");
            if str_at(m, &["resource", "name"]).unwrap_or("").is_empty() {
                errs.required(&child(&rp, "name"), "");
            }
            match str_at(m, &["resource", "target", "type"]).unwrap_or("") {
                "Utilization" | "Value" | "AverageValue" => {}
                other => errs.unsupported(&child(&rp, "target.type"), other, &["AverageValue", "Utilization", "Value"]),
            }
            if let Some(u) = i64_at(m, &["resource", "target", "averageUtilization"]).filter(|u| *u <= 0) {
                errs.invalid_int(&child(&rp, "target.averageUtilization"), u, "must be greater than 0");
            }
        }
    }
}

/// PodDisruptionBudget: minAvailable xor maxUnavailable, each an int or percentage.
pub(super) fn validate_pdb(obj: &Value, errs: &mut Errs) {
    let spec = at(obj, &["spec"]).unwrap_or(&Value::Null);
    let set = |f: &str| spec.get(f).filter(|v| !v.is_null());
    if set("minAvailable").is_some() && set("maxUnavailable").is_some() {
        errs.invalid(
            "spec",
            BadValue::Raw("policy.PodDisruptionBudgetSpec{...}".into()),
            "minAvailable and maxUnavailable cannot be both set",
        );
    }
    for f in ["minAvailable", "maxUnavailable"] {
        if let Some(v) = set(f) {
            let p = child("spec", f);
            let (value, percent) = int_or_percent(v, &p, errs);
            if percent && value > 100 {
                errs.invalid(&p, BadValue::Raw(gofmt::int_or_string(v)), "must not be greater than 100%");
            }
        }
    }
    if let Some(sel) = set("selector") {
        validate_label_selector(sel, "spec.selector", errs);
    }
    if let Some(p) =
        str_at(spec, &["unhealthyPodEvictionPolicy"]).filter(|p| !matches!(*p, "IfHealthyBudget" | "AlwaysAllow"))
    {
        errs.unsupported("spec.unhealthyPodEvictionPolicy", p, &["AlwaysAllow", "IfHealthyBudget"]);
    }
}

/// PriorityClass: user values capped, `system-` names reserved, value fixed after creation.
pub(super) fn validate_priority_class(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let name = str_at(obj, &["metadata", "name"]).unwrap_or("");
    let value = i64_at(obj, &["value"]).unwrap_or(0);
    let system = matches!(name, "system-node-critical" | "system-cluster-critical");
    if name.starts_with("system-") && !system {
        errs.invalid_str("metadata.name", name, "priority class names with 'system-' prefix are reserved");
    }
    if !system && value > HIGHEST_USER_PRIORITY {
        errs.forbidden(
            "value",
            &format!("maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}"),
        );
    }
    if let Some(p) = str_at(obj, &["preemptionPolicy"]).filter(|p| !matches!(*p, "PreemptLowerPriority" | "Never")) {
        errs.unsupported("preemptionPolicy", p, &["Never", "PreemptLowerPriority"]);
    }
    if let Some(old) = old {
        if old.get("value") != obj.get("value") {
            errs.forbidden("value", "may not be changed in an update.");
        }
        if old.get("preemptionPolicy") != obj.get("preemptionPolicy") {
            errs.invalid_str(
                "preemptionPolicy",
                str_at(obj, &["preemptionPolicy"]).unwrap_or(""),
                "field is immutable",
            );
        }
    }
}

/// Roles' rules, bindings' roleRef and subjects; a binding's roleRef never changes.
pub(super) fn validate_rbac(kind: &str, obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    match kind {
        "Role" | "ClusterRole" => {
            let namespaced = kind == "Role";
            let aggregated = obj.get("aggregationRule").is_some_and(|v| !v.is_null());
            for (i, rule) in array_at(obj, &["rules"]).iter().enumerate() {
                if !aggregated {
                    validate_policy_rule(rule, namespaced, &index("rules", i), errs);
                }
            }
        }
        _ => validate_binding(kind, obj, old, errs),
    }
}

fn validate_policy_rule(rule: &Value, namespaced: bool, path: &str, errs: &mut Errs) {
    let list = |f: &str| array_at(rule, &[f]);
    if list("verbs").is_empty() {
        errs.required(&child(path, "verbs"), "verbs must contain at least one value");
    }
    let urls = list("nonResourceURLs");
    if !urls.is_empty() {
        let shown: Vec<String> = urls.iter().filter_map(|u| u.as_str().map(str::to_string)).collect();
        let shown = BadValue::Raw(gofmt::string_slice(Some(&shown)));
        if namespaced {
            errs.invalid(
                &child(path, "nonResourceURLs"),
                shown.clone(),
                "namespaced rules cannot apply to non-resource URLs",
            );
        }
        if !list("apiGroups").is_empty() || !list("resources").is_empty() || !list("resourceNames").is_empty() {
            errs.invalid(
                &child(path, "nonResourceURLs"),
                shown,
                "rules cannot apply to both regular resources and non-resource URLs",
            );
        }
        return;
    }
    if list("apiGroups").is_empty() {
        errs.required(&child(path, "apiGroups"), "resource rules must supply at least one api group");
    }
    if list("resources").is_empty() {
        errs.required(&child(path, "resources"), "resource rules must supply at least one resource");
    }
}

fn validate_binding(kind: &str, obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    const RBAC: &str = "rbac.authorization.k8s.io";
    let group = str_at(obj, &["roleRef", "apiGroup"]).unwrap_or("");
    if group != RBAC {
        errs.unsupported("roleRef.apiGroup", group, &[RBAC]);
    }
    let ref_kind = str_at(obj, &["roleRef", "kind"]).unwrap_or("");
    let allowed: &[&str] = if kind == "RoleBinding" { &["Role", "ClusterRole"] } else { &["ClusterRole"] };
    if !allowed.contains(&ref_kind) {
        errs.unsupported("roleRef.kind", ref_kind, allowed);
    }
    match str_at(obj, &["roleRef", "name"]).unwrap_or("") {
        "" => errs.required("roleRef.name", ""),
        n => errs.each_invalid("roleRef.name", n, is_valid_path_segment_name(n)),
    }
    for (i, s) in array_at(obj, &["subjects"]).iter().enumerate() {
        let sp = index("subjects", i);
        let name = str_at(s, &["name"]).unwrap_or("");
        if name.is_empty() {
            errs.required(&child(&sp, "name"), "");
        }
        let api_group = str_at(s, &["apiGroup"]).unwrap_or("");
        match str_at(s, &["kind"]).unwrap_or("") {
            "ServiceAccount" => {
                if !name.is_empty() {
                    errs.each_invalid(&child(&sp, "name"), name, is_dns1123_subdomain(name));
                }
                if !api_group.is_empty() {
                    errs.unsupported(&child(&sp, "apiGroup"), api_group, &[""]);
                }
                if kind == "ClusterRoleBinding" && str_at(s, &["namespace"]).unwrap_or("").is_empty() {
                    errs.required(&child(&sp, "namespace"), "");
                }
            }
            "User" | "Group" if api_group != RBAC => errs.unsupported(&child(&sp, "apiGroup"), api_group, &[RBAC]),
            "User" | "Group" => {}
            other => errs.unsupported(&child(&sp, "kind"), other, &["ServiceAccount", "User", "Group"]),
        }
    }
    if let Some(old_ref) = old.and_then(|o| o.get("roleRef"))
        && obj.get("roleRef") != Some(old_ref)
    {
        let s = |f: &str| gofmt::quote(str_at(obj, &["roleRef", f]).unwrap_or(""));
        errs.invalid(
            "roleRef",
            BadValue::Raw(format!(
                "rbac.RoleRef{{APIGroup:{}, Kind:{}, Name:{}}}",
                s("apiGroup"),
                s("kind"),
                s("name")
            )),
            "cannot change roleRef",
        );
    }
}

/// Lease: positive duration, non-negative transitions.
pub(super) fn validate_lease(obj: &Value, errs: &mut Errs) {
    if let Some(d) = i64_at(obj, &["spec", "leaseDurationSeconds"]).filter(|d| *d <= 0) {
        errs.invalid_int("spec.leaseDurationSeconds", d, "must be greater than 0");
    }
    errs.non_negative("spec.leaseTransitions", i64_at(obj, &["spec", "leaseTransitions"]));
}

/// Event (either API): type Normal or Warning; the involved object lives in the event's namespace.
/// Event (`pkg/apis/core/validation/events.go`), checked in its stored core shape. An Event with an
/// `eventTime` is a "new" one and must name its reporter and action; one created through events.k8s.io/v1
/// is checked strictly (`ValidateEventCreate`): no deprecated fields, a type, a well-formed series.
pub(super) fn validate_event(obj: &Value, via_events_v1: bool, create: bool, errs: &mut Errs) {
    let text = |p: &[&str]| str_at(obj, p).unwrap_or("");
    let ns = text(&["metadata", "namespace"]);
    let involved_ns = text(&["involvedObject", "namespace"]);
    let reporter = if via_events_v1 { "reportingController" } else { "reportingComponent" };
    if text(&["eventTime"]).is_empty() {
        let mismatch = if involved_ns.is_empty() { !matches!(ns, "" | "default") } else { ns != involved_ns };
        if mismatch {
            errs.invalid_str("involvedObject.namespace", involved_ns, "does not match event.namespace");
        }
    } else {
        if involved_ns.is_empty() && !matches!(ns, "default" | "kube-system") {
            errs.invalid_str("involvedObject.namespace", involved_ns, "does not match event.namespace");
        }
        for (path, field, limit) in [
            (reporter, "reportingComponent", None),
            ("reportingInstance", "reportingInstance", Some(128)),
            ("action", "action", Some(128)),
            ("reason", "reason", Some(128)),
        ] {
            let value = text(&[field]);
            if value.is_empty() {
                errs.required(path, "");
            } else if let Some(limit) = limit.filter(|l| value.len() > *l) {
                errs.invalid_str(path, "", &format!("can have at most {limit} characters"));
            }
        }
        if text(&["message"]).len() > 1024 {
            errs.invalid_str("message", "", "can have at most 1024 characters");
        }
    }
    if via_events_v1 && create {
        validate_v1_event_create(obj, errs);
    } else if let Some(t) = str_at(obj, &["type"]).filter(|t| !t.is_empty() && !matches!(*t, "Normal" | "Warning")) {
        errs.invalid_str("type", "", &format!("has invalid value: {t}"));
    }
}

/// What `ValidateEventCreate` adds for a create through events.k8s.io/v1.
fn validate_v1_event_create(obj: &Value, errs: &mut Errs) {
    if let Some(series) = at(obj, &["series"]).filter(|s| !s.is_null()) {
        if i64_at(series, &["count"]).unwrap_or(0) < 2 {
            errs.invalid_str("series.count", "", "should be at least 2");
        }
        if str_at(series, &["lastObservedTime"]).unwrap_or("").is_empty() {
            errs.required("series.lastObservedTime", "");
        }
    }
    if str_at(obj, &["eventTime"]).unwrap_or("").is_empty() {
        errs.required("eventTime", "");
    }
    let ty = str_at(obj, &["type"]).unwrap_or("");
    if !matches!(ty, "Normal" | "Warning") {
        errs.invalid_str("type", "", &format!("has invalid value: {ty}"));
    }
    for f in ["firstTimestamp", "lastTimestamp"] {
        if !str_at(obj, &[f]).unwrap_or("").is_empty() {
            errs.invalid_str(f, "", "needs to be unset");
        }
    }
    if i64_at(obj, &["count"]).unwrap_or(0) != 0 {
        errs.invalid_str("count", "", "needs to be unset");
    }
    if ["component", "host"].iter().any(|f| !str_at(obj, &["source", f]).unwrap_or("").is_empty()) {
        errs.invalid_str("source", "", "needs to be unset");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(f: impl Fn(&mut Errs)) -> Vec<String> {
        let mut errs = Errs::default();
        f(&mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn hpa_table() {
        let ok = json!({"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php"},
            "minReplicas": 1, "maxReplicas": 10, "metrics": [{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 50}}}]}});
        assert!(run(|e| validate_hpa(&ok, e)).is_empty());
        let bad = json!({"spec": {"scaleTargetRef": {"kind": "Deployment"}, "minReplicas": 5, "maxReplicas": 2}});
        assert_eq!(
            run(|e| validate_hpa(&bad, e)),
            [
                "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
                "spec.scaleTargetRef.name: Required value"
            ]
        );
    }

    #[test]
    fn pdb_table() {
        assert!(
            run(|e| validate_pdb(&json!({"spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "zk"}}}}), e))
                .is_empty()
        );
        assert_eq!(
            run(|e| validate_pdb(&json!({"spec": {"minAvailable": 1, "maxUnavailable": "50%"}}), e)),
            [
                "spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set"
            ]
        );
        assert_eq!(
            run(|e| validate_pdb(&json!({"spec": {"maxUnavailable": "150%"}}), e)),
            [
                "spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%"
            ]
        );
    }

    #[test]
    fn priority_classes() {
        let pc = json!({"metadata": {"name": "high"}, "value": 1000000, "preemptionPolicy": "PreemptLowerPriority"});
        assert!(run(|e| validate_priority_class(&pc, None, e)).is_empty());
        let huge = json!({"metadata": {"name": "system-mine"}, "value": 2000000000});
        assert_eq!(
            run(|e| validate_priority_class(&huge, None, e)),
            [
                "metadata.name: Invalid value: \"system-mine\": priority class names with 'system-' prefix are reserved",
                "value: Forbidden: maximum allowed value of a user defined priority is 1000000000"
            ]
        );
        let changed = json!({"metadata": {"name": "high"}, "value": 5, "preemptionPolicy": "PreemptLowerPriority"});
        assert_eq!(
            run(|e| validate_priority_class(&changed, Some(&pc), e)),
            ["value: Forbidden: may not be changed in an update."]
        );
    }

    #[test]
    fn rbac_table() {
        let role = json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["pods"]}, {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]});
        assert_eq!(
            run(|e| validate_rbac("Role", &role, None, e)),
            [
                "rules[1].verbs: Required value: verbs must contain at least one value",
                "rules[2].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs"
            ]
        );
        let crb = json!({"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
            "subjects": [{"kind": "ServiceAccount", "name": "default"}, {"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"},
            {"kind": "Robot", "name": "r2"}]});
        assert_eq!(
            run(|e| validate_rbac("ClusterRoleBinding", &crb, None, e)),
            [
                "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
                "subjects[0].namespace: Required value",
                "subjects[2].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\""
            ]
        );
        let rb =
            json!({"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "a"}, "subjects": []});
        let mut moved = rb.clone();
        moved["roleRef"]["name"] = json!("b");
        assert_eq!(
            run(|e| validate_rbac("RoleBinding", &moved, Some(&rb), e)),
            [
                "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"b\"}: cannot change roleRef"
            ]
        );
    }

    #[test]
    fn leases_and_events() {
        assert_eq!(
            run(|e| validate_lease(&json!({"spec": {"leaseDurationSeconds": 0}}), e)),
            ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"]
        );
        let ev = json!({"metadata": {"namespace": "a"}, "type": "Bad", "involvedObject": {"namespace": "b"}});
        assert_eq!(run(|e| validate_event(&ev, false, true, e)).len(), 2);
        assert!(run(|e| validate_event(&json!({"type": "Normal"}), false, true, e)).is_empty());
    }

    /// `ValidateEventCreate` for events.k8s.io/v1, and the legacy rules for a "new" (eventTime) Event.
    #[test]
    fn events_v1_table() {
        let good = json!({"metadata": {"namespace": "default"}, "eventTime": "2025-01-01T00:00:00.000000Z",
            "involvedObject": {"kind": "Pod", "namespace": "default", "name": "p"}, "type": "Normal",
            "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-cp",
            "action": "Binding", "reason": "Scheduled", "message": "m"});
        assert_eq!(run(|e| validate_event(&good, true, true, e)), Vec::<String>::new());
        let cases: [(&str, Value, bool, &str); 7] = [
            ("eventTime", Value::Null, true, "eventTime: Required value"),
            ("reportingComponent", json!(""), true, "reportingController: Required value"),
            ("reportingComponent", json!(""), false, "reportingComponent: Required value"),
            ("action", json!("a".repeat(129)), true, "action: Invalid value: \"\": can have at most 128 characters"),
            ("count", json!(3), true, "count: Invalid value: \"\": needs to be unset"),
            ("series", json!({"count": 1}), true, "series.count: Invalid value: \"\": should be at least 2"),
            ("type", json!("Bad"), true, "type: Invalid value: \"\": has invalid value: Bad"),
        ];
        for (field, value, via_v1, want) in cases {
            let mut ev = good.clone();
            let fields = ev.as_object_mut().expect("an object literal");
            match value {
                Value::Null => fields.remove(field),
                v => fields.insert(field.into(), v),
            };
            let got = run(|e| validate_event(&ev, via_v1, true, e));
            assert!(got.iter().any(|g| g == want), "{field}: {got:?}");
        }
        // An update through events.k8s.io (a series patch) is not held to the create-only rules.
        let mut patched = good.clone();
        patched["count"] = json!(2);
        assert!(run(|e| validate_event(&patched, true, false, e)).is_empty());
    }
}
