//! Pod scheduling constraints: node selectors, affinity, tolerations, topology spread.

use super::meta::{validate_label_selector, validate_labels};
use super::names::{is_dns1123_label, is_qualified_name, is_valid_label_value};
use super::{BadValue, Errs, child, gofmt, index};
use crate::sim::api::meta::{array_at, i64_at, str_at};
use serde_json::Value;
use std::collections::BTreeSet;

/// Everything scheduling-related in a pod spec at `path`.
pub(super) fn validate_scheduling(spec: &Value, path: &str, errs: &mut Errs) {
    validate_labels(spec.get("nodeSelector"), &child(path, "nodeSelector"), errs);
    if let Some(aff) = spec.get("affinity").filter(|v| !v.is_null()) {
        let ap = child(path, "affinity");
        if let Some(na) = aff.get("nodeAffinity").filter(|v| !v.is_null()) {
            validate_node_affinity(na, &child(&ap, "nodeAffinity"), errs);
        }
        for kind in ["podAffinity", "podAntiAffinity"] {
            if let Some(pa) = aff.get(kind).filter(|v| !v.is_null()) {
                validate_pod_affinity(pa, &child(&ap, kind), errs);
            }
        }
    }
    validate_tolerations(array_at(spec, &["tolerations"]), &child(path, "tolerations"), errs);
    validate_spread(array_at(spec, &["topologySpreadConstraints"]), &child(path, "topologySpreadConstraints"), errs);
}

fn validate_node_affinity(na: &Value, path: &str, errs: &mut Errs) {
    let req_path = child(path, "requiredDuringSchedulingIgnoredDuringExecution");
    if let Some(req) = na.get("requiredDuringSchedulingIgnoredDuringExecution").filter(|v| !v.is_null()) {
        let terms = array_at(req, &["nodeSelectorTerms"]);
        let tp = child(&req_path, "nodeSelectorTerms");
        if terms.is_empty() {
            errs.required(&tp, "must have at least one node selector term");
        }
        for (i, term) in terms.iter().enumerate() {
            validate_node_selector_term(term, &index(&tp, i), errs);
        }
    }
    let pref_path = child(path, "preferredDuringSchedulingIgnoredDuringExecution");
    for (i, pref) in array_at(na, &["preferredDuringSchedulingIgnoredDuringExecution"]).iter().enumerate() {
        let pp = index(&pref_path, i);
        check_weight(pref, &pp, errs);
        if let Some(term) = pref.get("preference") {
            validate_node_selector_term(term, &child(&pp, "preference"), errs);
        }
    }
}

fn validate_node_selector_term(term: &Value, path: &str, errs: &mut Errs) {
    for (j, expr) in array_at(term, &["matchExpressions"]).iter().enumerate() {
        let ep = index(&child(path, "matchExpressions"), j);
        let values = array_at(expr, &["values"]);
        match str_at(expr, &["operator"]).unwrap_or("") {
            "In" | "NotIn" if values.is_empty() => {
                errs.required(&child(&ep, "values"), "must be specified when `operator` is 'In' or 'NotIn'")
            }
            "Exists" | "DoesNotExist" if !values.is_empty() => errs
                .forbidden(&child(&ep, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
            "Gt" | "Lt" if values.len() != 1 => {
                errs.required(&child(&ep, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'")
            }
            "Gt" | "Lt" => {
                let v = values[0].as_str().unwrap_or("");
                if v.parse::<i64>().is_err() {
                    errs.invalid_str(&index(&child(&ep, "values"), 0), v, "must be an integer");
                }
            }
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errs.invalid_str(&child(&ep, "operator"), other, "not a valid selector operator"),
        }
        let k = str_at(expr, &["key"]).unwrap_or("");
        errs.each_invalid(&child(&ep, "key"), k, is_qualified_name(k));
    }
    for (j, f) in array_at(term, &["matchFields"]).iter().enumerate() {
        let k = str_at(f, &["key"]).unwrap_or("");
        if k != "metadata.name" {
            errs.unsupported(&child(&index(&child(path, "matchFields"), j), "key"), k, &["metadata.name"]);
        }
    }
}

fn check_weight(pref: &Value, path: &str, errs: &mut Errs) {
    let w = i64_at(pref, &["weight"]).unwrap_or(0);
    if !(1..=100).contains(&w) {
        errs.invalid_int(&child(path, "weight"), w, "must be in the range 1-100");
    }
}

fn validate_pod_affinity(pa: &Value, path: &str, errs: &mut Errs) {
    let req_path = child(path, "requiredDuringSchedulingIgnoredDuringExecution");
    for (i, term) in array_at(pa, &["requiredDuringSchedulingIgnoredDuringExecution"]).iter().enumerate() {
        validate_pod_affinity_term(term, &index(&req_path, i), errs);
    }
    let pref_path = child(path, "preferredDuringSchedulingIgnoredDuringExecution");
    for (i, pref) in array_at(pa, &["preferredDuringSchedulingIgnoredDuringExecution"]).iter().enumerate() {
        let pp = index(&pref_path, i);
        check_weight(pref, &pp, errs);
        if let Some(term) = pref.get("podAffinityTerm") {
            validate_pod_affinity_term(term, &child(&pp, "podAffinityTerm"), errs);
        }
    }
}

fn validate_pod_affinity_term(term: &Value, path: &str, errs: &mut Errs) {
    if let Some(sel) = term.get("labelSelector").filter(|v| !v.is_null()) {
        validate_label_selector(sel, &child(path, "labelSelector"), errs);
    }
    for (i, ns) in array_at(term, &["namespaces"]).iter().enumerate() {
        let ns = ns.as_str().unwrap_or("");
        errs.each_invalid(&index(&child(path, "namespaces"), i), ns, is_dns1123_label(ns));
    }
    match str_at(term, &["topologyKey"]).unwrap_or("") {
        "" => errs.required(&child(path, "topologyKey"), "can not be empty"),
        k => errs.each_invalid(&child(path, "topologyKey"), k, is_qualified_name(k)),
    }
}

/// `core.Toleration{...}` as Go's `%#v` prints it.
fn toleration_go(t: &Value) -> String {
    let s = |f: &str| gofmt::quote(str_at(t, &[f]).unwrap_or(""));
    let secs = match i64_at(t, &["tolerationSeconds"]) {
        Some(n) => format!("(*int64)({n})"),
        None => "(*int64)(nil)".to_string(),
    };
    format!(
        "core.Toleration{{Key:{}, Operator:{}, Value:{}, Effect:{}, TolerationSeconds:{secs}}}",
        s("key"),
        s("operator"),
        s("value"),
        s("effect")
    )
}

fn validate_tolerations(list: &[Value], path: &str, errs: &mut Errs) {
    for (i, t) in list.iter().enumerate() {
        let tp = index(path, i);
        let key = str_at(t, &["key"]).unwrap_or("");
        let op = str_at(t, &["operator"]).unwrap_or("");
        let value = str_at(t, &["value"]).unwrap_or("");
        let effect = str_at(t, &["effect"]).unwrap_or("");
        if !key.is_empty() {
            errs.each_invalid(&child(&tp, "key"), key, is_qualified_name(key));
        }
        if key.is_empty() && op != "Exists" {
            errs.invalid_str(
                &child(&tp, "operator"),
                op,
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            );
        }
        if t.get("tolerationSeconds").is_some_and(|v| !v.is_null()) && effect != "NoExecute" {
            errs.invalid_str(
                &child(&tp, "effect"),
                effect,
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            );
        }
        match op {
            "Equal" | "" => {
                let msgs = is_valid_label_value(value);
                if !msgs.is_empty() {
                    errs.invalid_str(&child(&tp, "operator"), value, &msgs.join(";"));
                }
            }
            "Exists" if !value.is_empty() => errs.invalid(
                &child(&tp, "operator"),
                BadValue::Raw(toleration_go(t)),
                "value must be empty when `operator` is 'Exists'",
            ),
            "Exists" => {}
            other => errs.unsupported(&child(&tp, "operator"), other, &["Equal", "Exists"]),
        }
        if !effect.is_empty() && !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            errs.unsupported(&child(&tp, "effect"), effect, &["NoSchedule", "PreferNoSchedule", "NoExecute"]);
        }
    }
}

fn validate_spread(list: &[Value], path: &str, errs: &mut Errs) {
    let mut seen = BTreeSet::new();
    for (i, c) in list.iter().enumerate() {
        let cp = index(path, i);
        let skew = i64_at(c, &["maxSkew"]).unwrap_or(0);
        if skew <= 0 {
            errs.invalid_int(&child(&cp, "maxSkew"), skew, "must be greater than zero");
        }
        let key = str_at(c, &["topologyKey"]).unwrap_or("");
        if key.is_empty() {
            errs.required(&child(&cp, "topologyKey"), "can not be empty");
        } else {
            errs.each_invalid(&child(&cp, "topologyKey"), key, is_qualified_name(key));
        }
        let action = str_at(c, &["whenUnsatisfiable"]).unwrap_or("");
        if !matches!(action, "DoNotSchedule" | "ScheduleAnyway") {
            errs.unsupported(&child(&cp, "whenUnsatisfiable"), action, &["DoNotSchedule", "ScheduleAnyway"]);
        }
        if let Some(min) = i64_at(c, &["minDomains"]) {
            if min <= 0 {
                errs.invalid_int(&child(&cp, "minDomains"), min, "must be greater than zero");
            } else if action != "DoNotSchedule" {
                errs.invalid_int(
                    &child(&cp, "minDomains"),
                    min,
                    "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
                );
            }
        }
        if !seen.insert((key.to_string(), action.to_string())) {
            errs.duplicate(&child(&cp, "{topologyKey, whenUnsatisfiable}"), &format!("{key}, {action}"));
        }
        if let Some(sel) = c.get("labelSelector").filter(|v| !v.is_null()) {
            validate_label_selector(sel, &child(&cp, "labelSelector"), errs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(spec: Value) -> Vec<String> {
        let mut errs = Errs::default();
        validate_scheduling(&spec, "spec", &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn accepts_real_constraints() {
        let spec = json!({"nodeSelector": {"disktype": "ssd"},
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["a"]}]}]},
                "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchExpressions": [
                    {"key": "x", "operator": "Gt", "values": ["3"]}]}}]},
                "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels":
                    {"app": "zk"}}, "topologyKey": "kubernetes.io/hostname"}]}},
            "tolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"},
                {"operator": "Exists"}, {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                "tolerationSeconds": 300}],
            "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"foo": "bar"}}}]});
        assert_eq!(check(spec), Vec::<String>::new());
    }

    #[test]
    fn table_of_scheduling_errors() {
        let cases = [
            (
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}}),
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term",
            ),
            (
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "a", "operator": "in", "values": ["x"]}]}]}}}}),
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: \"in\": not a valid selector operator",
            ),
            (
                json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "preference": {}}]}}}),
                "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
            ),
            (
                json!({"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {}}]}}}),
                "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty",
            ),
            (
                json!({"tolerations": [{"key": "k", "operator": "In", "value": "v"}]}),
                "spec.tolerations[0].operator: Unsupported value: \"In\": supported values: \"Equal\", \"Exists\"",
            ),
            (
                json!({"tolerations": [{"key": "k", "operator": "Exists", "value": "v"}]}),
                "spec.tolerations[0].operator: Invalid value: core.Toleration{Key:\"k\", Operator:\"Exists\", Value:\"v\", Effect:\"\", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is 'Exists'",
            ),
            (
                json!({"tolerations": [{"key": "k", "operator": "Equal", "effect": "NoSchedule", "tolerationSeconds": 5}]}),
                "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
            ),
            (
                json!({"tolerations": [{"operator": "Equal"}]}),
                "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ),
            (
                json!({"tolerations": [{"key": "k", "effect": "Never"}]}),
                "spec.tolerations[0].effect: Unsupported value: \"Never\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
            ),
            (
                json!({"topologySpreadConstraints": [{"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]}),
                "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
            ),
            (
                json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "Maybe"}]}),
                "spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: \"Maybe\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"",
            ),
            (
                json!({"nodeSelector": {"disk type": "ssd"}}),
                "spec.nodeSelector: Invalid value: \"disk type\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ),
        ];
        for (spec, want) in cases {
            assert_eq!(check(spec), [want]);
        }
    }
}
