//! `metav1.LabelSelector` (`matchLabels` + `matchExpressions`): converted to requirements as
//! `LabelSelectorAsSelector` does, or matched in place where controllers match many objects.

use serde_json::{Map, Value};

use super::requirement::{is_valid, new_requirement};
use super::{Labels, Op, Requirement, Selector, SelectorError, object_labels};
use crate::sim::sort::StableSort;

/// `LabelSelectorOperator` → the requirement's operator; `None` for anything else.
pub fn operator(name: &str) -> Option<Op> {
    match name {
        "In" => Some(Op::In),
        "NotIn" => Some(Op::NotIn),
        "Exists" => Some(Op::Exists),
        "DoesNotExist" => Some(Op::DoesNotExist),
        _ => None,
    }
}

fn match_labels(sel: &Map<String, Value>) -> impl Iterator<Item = (&str, &str)> {
    sel.get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
}

fn match_expressions(sel: &Map<String, Value>) -> &[Value] {
    sel.get("matchExpressions").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The parts of one `matchExpressions` entry: key, operator name, string values.
fn expression(e: &Value) -> (&str, &str, impl Iterator<Item = &str> + Clone) {
    let key = e.get("key").and_then(Value::as_str).unwrap_or("");
    let op = e.get("operator").and_then(Value::as_str).unwrap_or("");
    let values = e.get("values").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    (key, op, values)
}

/// `LabelSelectorAsSelector`; `Ok(None)` for a missing (null) selector, which selects nothing.
pub(super) fn as_selector(sel: &Value) -> Result<Option<Selector>, SelectorError> {
    let Value::Object(fields) = sel else { return Ok(None) };
    let mut reqs = Vec::new();
    for (k, v) in match_labels(fields) {
        reqs.push(new_requirement(k, Op::Equals, vec![v.to_string()], false)?);
    }
    for e in match_expressions(fields) {
        let (key, op_name, values) = expression(e);
        let Some(op) = operator(op_name) else {
            return Err(SelectorError(format!("{op_name:?} is not a valid label selector operator")));
        };
        // Go passes `append([]string(nil), values...)`: nil when there are none.
        let values: Vec<String> = values.map(str::to_string).collect();
        let nil = values.is_empty();
        reqs.push(new_requirement(key, op, values, nil)?);
    }
    reqs.stable_sort_by(|a: &Requirement, b: &Requirement| a.key.cmp(&b.key));
    Ok(Some(Selector { requirements: reqs }))
}

/// Whether a `metav1.LabelSelector` selects these labels, exactly as `LabelSelectorAsSelector` then
/// `Matches` decide: a missing selector or one that does not convert selects nothing, `{}` selects
/// everything. Reads the JSON in place and allocates nothing, as controllers call it for every
/// object they look at.
pub fn label_selector_matches<L: Labels + ?Sized>(selector: &Value, labels: &L) -> bool {
    let Value::Object(fields) = selector else { return false };
    // An invalid clause anywhere selects nothing, a clause that does not match too: one pass decides.
    for (k, v) in match_labels(fields) {
        let one = std::iter::once(v);
        if !is_valid(k, Op::Equals, one.clone()) || !Op::Equals.admits(labels.label(k), one) {
            return false;
        }
    }
    for e in match_expressions(fields) {
        let (key, op_name, values) = expression(e);
        let Some(op) = operator(op_name) else { return false };
        if !is_valid(key, op, values.clone()) || !op.admits(labels.label(key), values) {
            return false;
        }
    }
    true
}

/// Whether `selector` is the empty selector `{}`, which selects everything (controllers refuse it).
pub fn is_empty_label_selector(selector: &Value) -> bool {
    selector.as_object().is_some_and(|s| match_labels(s).next().is_none() && match_expressions(s).is_empty())
}

/// `labels.SelectorFromSet(set).Matches(labels)`: every pair must be there (a Service's
/// `spec.selector`, a pod's `nodeSelector`). The empty set selects everything; callers that want
/// "empty selects nothing" (the endpoints controllers) say so themselves.
pub fn set_matches<L: Labels + ?Sized>(set: &Map<String, Value>, labels: &L) -> bool {
    set.iter().all(|(k, v)| v.as_str().is_some_and(|v| labels.label(k) == Some(v)))
}

/// Whether a `metav1.LabelSelector` field (absent: selects nothing) selects an object by its labels.
pub fn selects(selector: Option<&Value>, obj: &Value) -> bool {
    selector.is_some_and(|sel| label_selector_matches(sel, &object_labels(obj)))
}

/// Whether a plain-map selector (a Service's or ReplicationController's `spec.selector`) selects an
/// object. An empty or missing map selects nothing here: the endpoints controllers skip such
/// Services rather than select every pod.
pub fn map_selects(selector: Option<&Value>, obj: &Value) -> bool {
    selector.and_then(Value::as_object).filter(|m| !m.is_empty()).is_some_and(|m| set_matches(m, &object_labels(obj)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conversion_errors_in_apimachinery_words() {
        let cases = [
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Near", "values": ["x"]}]}),
                "\"Near\" is not a valid label selector operator",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "In"}]}),
                "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}),
                "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}),
                "\"Gt\" is not a valid label selector operator",
            ),
            (
                json!({"matchLabels": {"a": "-x"}}),
                "values[0][a]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
        ];
        for (sel, want) in cases {
            assert_eq!(as_selector(&sel).map_err(|e| e.0), Err(want.to_string()), "{sel}");
            assert!(!label_selector_matches(&sel, &Map::new()), "an invalid selector selects nothing: {sel}");
        }
    }

    /// The in-place matcher and the converted selector agree on every case.
    #[test]
    fn in_place_matching_agrees_with_the_conversion() {
        let obj = json!({"metadata": {"labels": {"app": "web", "tier": "front", "n": 3}}});
        let labels = object_labels(&obj);
        let cases = [
            (json!(null), false),
            (json!({}), true),
            (json!({"matchLabels": {}}), true),
            (json!({"matchLabels": {"app": "web"}}), true),
            (json!({"matchLabels": {"app": "db"}}), false),
            (json!({"matchLabels": {"n": "3"}}), false),
            (json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]}), true),
            (json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}), false),
            (json!({"matchExpressions": [{"key": "gone", "operator": "NotIn", "values": ["a"]}]}), true),
            (json!({"matchExpressions": [{"key": "app", "operator": "Exists"}]}), true),
            (json!({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}), false),
            (json!({"matchExpressions": [{"key": "app", "operator": "Bogus"}]}), false),
            (json!({"matchExpressions": [{"key": "bad key", "operator": "DoesNotExist"}]}), false),
            (
                json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}),
                false,
            ),
        ];
        for (sel, want) in cases {
            assert_eq!(label_selector_matches(&sel, &labels), want, "{sel}");
            let converted = as_selector(&sel).ok().flatten().is_some_and(|s| s.matches(&labels));
            assert_eq!(converted, want, "converted: {sel}");
        }
        assert!(is_empty_label_selector(&json!({})) && is_empty_label_selector(&json!({"matchLabels": {}})));
        assert!(
            !is_empty_label_selector(&json!({"matchLabels": {"a": "b"}})) && !is_empty_label_selector(&json!(null))
        );
    }

    #[test]
    fn sets_need_every_pair() {
        let obj = json!({"metadata": {"labels": {"app": "web", "v": "1"}}});
        let set = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(set_matches(&set(json!({"app": "web"})), &object_labels(&obj)));
        assert!(!set_matches(&set(json!({"app": "web", "v": "2"})), &object_labels(&obj)));
        assert!(set_matches(&set(json!({})), &object_labels(&obj)));
        assert!(!set_matches(&set(json!({"app": "web"})), &object_labels(&json!({}))));
        assert!(map_selects(Some(&json!({"app": "web"})), &obj));
        assert!(!map_selects(Some(&json!({})), &obj), "an empty map selects nothing here");
        assert!(!map_selects(None, &obj));
        assert!(selects(Some(&json!({})), &obj) && !selects(None, &obj));
    }
}
