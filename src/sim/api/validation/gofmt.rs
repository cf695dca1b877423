//! Go's `%q` and `%#v` renderings of the values that appear in apiserver error messages.
//!
//! `Invalid value: map[string]string{"app":"nginx"}` is what learners search the web for, so the
//! sandbox prints rejected values exactly as Go's fmt package does.

use serde_json::Value;
use std::collections::BTreeMap;

/// Go's `strconv.Quote`: double quotes, with `"`, `\` and control characters escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `map[string]string{"a":"b", "c":"d"}` (keys sorted, as Go prints maps), or
/// `map[string]string(nil)` for an absent map.
pub fn string_map(map: Option<&BTreeMap<String, String>>) -> String {
    match map {
        None => "map[string]string(nil)".to_string(),
        Some(m) => {
            let body: Vec<String> = m.iter().map(|(k, v)| format!("{}:{}", quote(k), quote(v))).collect();
            format!("map[string]string{{{}}}", body.join(", "))
        }
    }
}

/// `[]string{"a", "b"}` or `[]string(nil)`.
pub fn string_slice(items: Option<&[String]>) -> String {
    match items {
        None => "[]string(nil)".to_string(),
        Some(v) => format!("[]string{{{}}}", v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")),
    }
}

/// A JSON string map as a Go map value (non-string values are skipped).
pub fn json_string_map(v: Option<&Value>) -> Option<BTreeMap<String, String>> {
    v?.as_object().map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
}

/// A `metav1.LabelSelector` as `%#v` prints it:
/// `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
pub fn label_selector(sel: &Value) -> String {
    let labels = json_string_map(sel.get("matchLabels"));
    let exprs = match sel.get("matchExpressions").and_then(Value::as_array) {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|e| {
                    let values: Option<Vec<String>> = e
                        .get("values")
                        .and_then(Value::as_array)
                        .map(|vs| vs.iter().filter_map(|v| v.as_str().map(str::to_string)).collect());
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                        quote(e.get("key").and_then(Value::as_str).unwrap_or("")),
                        quote(e.get("operator").and_then(Value::as_str).unwrap_or("")),
                        string_slice(values.as_deref())
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", parts.join(", "))
        }
    };
    format!("v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{exprs}}}", string_map(labels.as_ref()))
}

/// An `intstr.IntOrString` as `%#v`: `intstr.IntOrString{Type:0, IntVal:0, StrVal:""}`.
pub fn int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => format!("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}", quote(s)),
        other => format!("intstr.IntOrString{{Type:0, IntVal:{}, StrVal:\"\"}}", other.as_i64().unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote("Web_1"), "\"Web_1\"");
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\x01\"");
        assert_eq!(quote("héllo"), "\"héllo\"");
    }

    #[test]
    fn prints_maps_and_selectors() {
        let m: BTreeMap<String, String> = [("tier".into(), "web".into()), ("app".into(), "nginx".into())].into();
        assert_eq!(string_map(Some(&m)), "map[string]string{\"app\":\"nginx\", \"tier\":\"web\"}");
        assert_eq!(string_map(None), "map[string]string(nil)");
        assert_eq!(
            label_selector(&json!({"matchLabels": {"app": "web"}})),
            "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
        );
        assert_eq!(
            label_selector(&json!({"matchExpressions": [{"key": "a", "operator": "In", "values": ["x"]}]})),
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{\
             v1.LabelSelectorRequirement{Key:\"a\", Operator:\"In\", Values:[]string{\"x\"}}}}"
        );
        assert_eq!(int_or_string(&json!(0)), "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}");
        assert_eq!(int_or_string(&json!("0%")), "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}");
    }
}
