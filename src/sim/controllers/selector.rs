//! `metav1.LabelSelector` as controllers evaluate it: `matchLabels` plus `matchExpressions`.

use serde_json::Value;

/// `metav1.LabelSelectorAsSelector` then `Matches`: a missing selector selects nothing, an empty one
/// (`{}`) selects everything. An unknown operator selects nothing, as the conversion would fail.
pub fn matches(selector: Option<&Value>, labels: Option<&Value>) -> bool {
    let Some(sel) = selector.filter(|s| !s.is_null()) else { return false };
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    if let Some(ml) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in ml {
            if get(k) != v.as_str() {
                return false;
            }
        }
    }
    for e in sel.get("matchExpressions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
        let key = e.get("key").and_then(Value::as_str).unwrap_or("");
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let have = get(key);
        let ok = match e.get("operator").and_then(Value::as_str).unwrap_or("") {
            "In" => have.is_some_and(|h| values.contains(&h)),
            "NotIn" => have.is_none_or(|h| !values.contains(&h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Whether an object's labels match a LabelSelector.
pub fn selects(selector: Option<&Value>, obj: &Value) -> bool {
    matches(selector, obj.pointer("/metadata/labels"))
}

/// Whether `selector` is the empty selector `{}` (which selects everything: controllers refuse it).
pub fn is_empty(selector: Option<&Value>) -> bool {
    selector.is_some_and(|s| {
        s.get("matchLabels").and_then(Value::as_object).is_none_or(|m| m.is_empty())
            && s.get("matchExpressions").and_then(Value::as_array).is_none_or(Vec::is_empty)
    })
}

/// A Service's `spec.selector` (a plain map): every pair must match; an empty or missing map selects
/// nothing (the endpoints controllers skip such Services).
pub fn map_selects(selector: Option<&Value>, obj: &Value) -> bool {
    let Some(m) = selector.and_then(Value::as_object).filter(|m| !m.is_empty()) else { return false };
    let labels = obj.pointer("/metadata/labels");
    m.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selector_table() {
        let labels = json!({"app": "web", "tier": "front"});
        let cases = [
            (json!({"matchLabels": {"app": "web"}}), true),
            (json!({"matchLabels": {"app": "db"}}), false),
            (json!({}), true),
            (json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]}), true),
            (json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}), false),
            (json!({"matchExpressions": [{"key": "gone", "operator": "NotIn", "values": ["a"]}]}), true),
            (json!({"matchExpressions": [{"key": "app", "operator": "Exists"}]}), true),
            (json!({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}), false),
            (json!({"matchExpressions": [{"key": "app", "operator": "Bogus"}]}), false),
            (
                json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}),
                false,
            ),
        ];
        for (sel, want) in cases {
            assert_eq!(matches(Some(&sel), Some(&labels)), want, "{sel}");
        }
        assert!(!matches(None, Some(&labels)), "a nil selector selects nothing");
        assert!(!matches(Some(&json!({"matchLabels": {"a": "b"}})), None));
        assert!(is_empty(Some(&json!({}))));
        assert!(!is_empty(Some(&json!({"matchLabels": {"a": "b"}}))));
    }

    #[test]
    fn service_selector_needs_every_pair_and_is_never_empty() {
        let pod = json!({"metadata": {"labels": {"app": "web", "v": "1"}}});
        assert!(map_selects(Some(&json!({"app": "web"})), &pod));
        assert!(!map_selects(Some(&json!({"app": "web", "v": "2"})), &pod));
        assert!(!map_selects(Some(&json!({})), &pod));
        assert!(!map_selects(None, &pod));
    }
}
