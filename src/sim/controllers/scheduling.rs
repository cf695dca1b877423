//! Node-fit rules controllers evaluate themselves: taints against tolerations (`v1helper`), and a pod's
//! `nodeSelector` plus required node affinity (`nodeaffinity.GetRequiredNodeAffinity`).

use serde_json::Value;

use super::objects::str_at;

/// `Toleration.ToleratesTaint`.
pub fn tolerates(toleration: &Value, taint: &Value) -> bool {
    let effect = str_at(toleration, "/effect");
    if !effect.is_empty() && effect != str_at(taint, "/effect") {
        return false;
    }
    let key = str_at(toleration, "/key");
    if !key.is_empty() && key != str_at(taint, "/key") {
        return false;
    }
    match str_at(toleration, "/operator") {
        "Exists" => true,
        "" | "Equal" => !key.is_empty() && str_at(toleration, "/value") == str_at(taint, "/value"),
        _ => false,
    }
}

/// The first taint with an effect `effects` accepts that no toleration tolerates.
pub fn untolerated<'a>(taints: &'a [Value], tolerations: &[Value], effects: &[&str]) -> Option<&'a Value> {
    taints
        .iter()
        .filter(|t| effects.contains(&str_at(t, "/effect")))
        .find(|t| !tolerations.iter().any(|tol| tolerates(tol, t)))
}

pub fn taints_of(node: &Value) -> &[Value] {
    node.pointer("/spec/taints").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

pub fn tolerations_of(pod_spec: &Value) -> &[Value] {
    pod_spec.get("tolerations").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

fn requirement_matches(req: &Value, value: Option<&str>) -> bool {
    let values: Vec<&str> = req
        .get("values")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let num = |s: &str| s.parse::<i64>().ok();
    match str_at(req, "/operator") {
        "In" => value.is_some_and(|v| values.contains(&v)),
        "NotIn" => value.is_none_or(|v| !values.contains(&v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" => matches!((value.and_then(num), values.first().and_then(|v| num(v))), (Some(a), Some(b)) if a > b),
        "Lt" => matches!((value.and_then(num), values.first().and_then(|v| num(v))), (Some(a), Some(b)) if a < b),
        _ => false,
    }
}

fn term_matches(term: &Value, node: &Value) -> bool {
    let exprs = term.get("matchExpressions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let fields = term.get("matchFields").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    let labels = node.pointer("/metadata/labels");
    exprs.iter().all(|r| requirement_matches(r, labels.and_then(|l| l.get(str_at(r, "/key"))).and_then(Value::as_str)))
        && fields.iter().all(|r| {
            str_at(r, "/key") == "metadata.name" && requirement_matches(r, Some(str_at(node, "/metadata/name")))
        })
}

/// Whether a pod spec's `nodeSelector` and required node affinity allow `node`.
pub fn node_matches(pod_spec: &Value, node: &Value) -> bool {
    if let Some(sel) = pod_spec.get("nodeSelector").and_then(Value::as_object) {
        let labels = node.pointer("/metadata/labels");
        if !sel.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v)) {
            return false;
        }
    }
    match pod_spec
        .pointer("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")
        .and_then(Value::as_array)
    {
        Some(terms) => terms.iter().any(|t| term_matches(t, node)),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn toleration_table() {
        let taint = json!({"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"});
        let cases = [
            (json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}), true),
            (json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists"}), true),
            (json!({"operator": "Exists"}), true),
            (json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoSchedule"}), false),
            (json!({"key": "other", "operator": "Exists"}), false),
            (json!({"key": "node.kubernetes.io/unreachable", "value": ""}), true),
            (json!({"key": "node.kubernetes.io/unreachable", "value": "x"}), false),
            (json!({"value": ""}), false),
        ];
        for (tol, want) in cases {
            assert_eq!(tolerates(&tol, &taint), want, "{tol}");
        }
        let taints = vec![json!({"key": "a", "effect": "NoSchedule"}), json!({"key": "b", "effect": "NoExecute"})];
        let tols = vec![json!({"key": "a", "operator": "Exists"})];
        assert_eq!(untolerated(&taints, &tols, &["NoSchedule", "NoExecute"]).map(|t| str_at(t, "/key")), Some("b"));
        assert!(untolerated(&taints, &tols, &["NoSchedule"]).is_none());
    }

    #[test]
    fn node_selector_and_affinity() {
        let node = json!({"metadata": {"name": "w1", "labels": {"disk": "ssd", "cores": "8"}}});
        let cases = [
            (json!({}), true),
            (json!({"nodeSelector": {"disk": "ssd"}}), true),
            (json!({"nodeSelector": {"disk": "hdd"}}), false),
            (
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["w1"]}]}]}}}}),
                true,
            ),
            (
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["w2"]}]}]}}}}),
                false,
            ),
            (
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}]}}}}),
                true,
            ),
            (
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}, {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]}}}}),
                true,
            ),
            (
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{}]}}}}),
                false,
            ),
        ];
        for (spec, want) in cases {
            assert_eq!(node_matches(&spec, &node), want, "{spec}");
        }
    }
}
