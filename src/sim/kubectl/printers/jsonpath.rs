//! `kubectl -o jsonpath=...`: client-go's JSONPath dialect (`{.a.b}`, `[*]`, `[?(@.x=="y")]`,
//! `{range}...{end}`, `..`), with missing keys allowed as kubectl's default is, and errors in
//! kubectl's own words.

use crate::sim::sort::StableSort;
mod eval;
mod lexical;
mod parse;

use serde_json::Value;
use thiserror::Error;

use super::yaml_json::{go_float_g, to_compact_json};
use eval::{Evaluator, Val};

/// Why a JSONPath template could not be printed. `Display` is the whole line kubectl prints,
/// `error: ` prefix included (without the final newline).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum JsonPathError {
    /// The template does not parse (`unclosed action`, `unterminated array`, ...).
    #[error("error: error parsing jsonpath {template}, {reason}")]
    Parse {
        /// The template as given.
        template: String,
        /// client-go's parser message.
        reason: String,
    },
    /// The template parsed but failed on this object (index out of bounds, bad comparison, ...).
    #[error(
        "error: error executing jsonpath {quoted}: Error executing template: {reason}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}\n\tobject given to jsonpath engine was:\n\t\t{object}\n\n"
    )]
    Execute {
        /// The template as given.
        template: String,
        /// The template quoted like Go's `%q`.
        quoted: String,
        /// client-go's evaluation message.
        reason: String,
        /// The object in Go's `%#v` syntax, as kubectl dumps it.
        object: String,
    },
}

/// Runs `template` over `data` as `kubectl get -o jsonpath=...` does (missing keys print nothing).
pub fn jsonpath(template: &str, data: &Value) -> Result<String, JsonPathError> {
    jsonpath_with(template, data, true)
}

/// Like [`jsonpath`], with `--allow-missing-template-keys` spelled out.
pub fn jsonpath_with(template: &str, data: &Value, allow_missing_keys: bool) -> Result<String, JsonPathError> {
    let nodes =
        parse::parse(template).map_err(|reason| JsonPathError::Parse { template: template.to_string(), reason })?;
    let mut ev = Evaluator::new(&nodes, allow_missing_keys);
    let results = ev.find_results(Val::Json(data.clone()), 0).map_err(|reason| JsonPathError::Execute {
        template: template.to_string(),
        quoted: go_quote(template),
        reason,
        object: go_syntax(data),
    })?;
    let mut out = String::new();
    for list in &results {
        for (i, v) in list.iter().enumerate() {
            out.push_str(&text_of(v));
            if i + 1 != list.len() {
                out.push(' ');
            }
        }
    }
    Ok(out)
}

/// The raw result lists of a template (what `FindResults` returns), for printers that format
/// values themselves, such as custom columns. Missing keys are allowed.
pub fn find_values(template: &str, data: &Value) -> Result<Vec<Vec<Value>>, JsonPathError> {
    let nodes =
        parse::parse(template).map_err(|reason| JsonPathError::Parse { template: template.to_string(), reason })?;
    let mut ev = Evaluator::new(&nodes, true);
    let results = ev.find_results(Val::Json(data.clone()), 0).map_err(|reason| JsonPathError::Execute {
        template: template.to_string(),
        quoted: go_quote(template),
        reason,
        object: go_syntax(data),
    })?;
    Ok(results
        .into_iter()
        .map(|list| {
            list.into_iter()
                .filter_map(|v| match v {
                    Val::Json(j) => Some(j),
                    Val::Invalid => None,
                })
                .collect()
        })
        .collect())
}

/// `PrintResults`: maps and lists as compact JSON, scalars as Go prints them.
fn text_of(v: &Val) -> String {
    match v {
        Val::Invalid => "<no value>".into(),
        Val::Json(Value::Null) => "null".into(),
        Val::Json(Value::String(s)) => s.clone(),
        Val::Json(Value::Bool(b)) => b.to_string(),
        Val::Json(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => go_float_g(f),
            _ => n.to_string(),
        },
        Val::Json(other) => to_compact_json(other),
    }
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{FEFF}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%#v` of an unstructured value (`map[string]interface {}{"a":1, ...}`, keys sorted).
pub fn go_syntax(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => go_float_g(f),
            _ => n.to_string(),
        },
        Value::String(s) => go_quote(s),
        Value::Array(a) => format!("[]interface {{}}{{{}}}", a.iter().map(go_syntax).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.stable_sort();
            let body: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", go_quote(k), go_syntax(&m[k.as_str()]))).collect();
            format!("map[string]interface {{}}{{{}}}", body.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The object kubectl 1.33 was run against (`annotate --local -f w2.json -o jsonpath=...`).
    fn widget() -> Value {
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "annotations": {"fixture": "1"}},
            "entries": [
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "default", "annotations": {"fixture": "1"}, "labels": {"app": "web", "tier": "fe"}},
                 "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}, {"name": "side", "image": "busybox"}]},
                 "status": {"phase": "Running", "podIP": "10.244.1.5", "conditions": [{"type": "Ready", "status": "True"}, {"type": "Initialized", "status": "True"}],
                            "containerStatuses": [{"name": "nginx", "ready": true, "restartCount": 2}, {"name": "side", "ready": false, "restartCount": 0}]}},
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db-0", "namespace": "default", "annotations": {"fixture": "1"}, "labels": {"app": "db"}},
                 "spec": {"containers": [{"name": "pg", "image": "postgres:16"}]},
                 "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}], "containerStatuses": [{"name": "pg", "ready": false, "restartCount": 5}]}}],
            "num": 1.5, "big": 3, "flag": true, "nul": null, "s": "x"})
    }

    #[test]
    fn outputs_match_kubectl() {
        let cases: &[(&str, &str)] = &[
            ("{.entries[*].metadata.name}", "web-1 db-0"),
            ("{.entries[0].metadata.labels}", r#"{"app":"web","tier":"fe"}"#),
            ("{.entries[0].spec.containers[*].image}", "nginx:1.27 busybox"),
            ("{range .entries[*]}{.metadata.name}{\"\\n\"}{end}", "web-1\ndb-0\n"),
            (
                "{range .entries[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}",
                "web-1\tRunning\ndb-0\tPending\n",
            ),
            ("{.entries[?(@.status.phase==\"Running\")].metadata.name}", "web-1"),
            ("{.entries[0].status.conditions[?(@.type==\"Ready\")].status}", "True"),
            ("{.entries[-1].metadata.name}", "db-0"),
            ("{.entries[0:1].metadata.name}", "web-1"),
            ("{.entries[*].nothing}", ""),
            ("{.entries[*].status.containerStatuses[*].restartCount}", "2 0 5"),
            ("{.entries[?(@.status.containerStatuses[0].restartCount>3)].metadata.name}", "db-0"),
            ("{.entries[?(@.metadata.labels.tier)].metadata.name}", "web-1"),
            ("{.entries[?(@.metadata.labels.tier==\"fe\")].metadata.name}", "web-1"),
            ("{.entries[0,1].metadata.name}", "web-1 db-0"),
            ("{.entries[0]['metadata']['name']}", "web-1"),
            ("{.entries[0].status.containerStatuses[0].ready}", "true"),
            ("{.nul}", "null"),
            ("{.num}", "1.5"),
            ("{.flag}", "true"),
            ("{.big}", "3"),
            ("{.entries[1:1]}", ""),
            ("{.entries.length}", ""),
            ("{.s.*}", "120"),
            ("{range .entries[*]}[{range .spec.containers[*]}{.name},{end}]{end}", "[nginx,side,][pg,]"),
            ("{.entries[?(@.status.phase!=\"Running\")].metadata.name}", "db-0"),
            ("{.entries[?(@.status.phase<\"Q\")].metadata.name}", "db-0"),
            ("{range .entries[*]}{end}after", "after"),
            ("{range .nothing[*]}x{end}after", "after"),
            ("{.entries[?(@.num==1.5)]}", ""),
            ("{.entries[0].spec.containers[0].ports[0].containerPort}", "80"),
            ("{.num.x}", ""),
            ("{.entries[0:2:1].metadata.name}", "web-1 db-0"),
            ("{.entries[:1].metadata.name}", "web-1"),
            ("{.entries[1:].metadata.name}", "db-0"),
            ("{..containerPort}", "80"),
            ("{.}", ""),
            (
                "{.entries[0].metadata}",
                r#"{"annotations":{"fixture":"1"},"labels":{"app":"web","tier":"fe"},"name":"web-1","namespace":"default"}"#,
            ),
            ("{range .entries[*]}{@.metadata.name} {end}", "web-1 db-0 "),
            ("{.entries[?(@.metadata.name==\"web-1\")].spec.containers[?(@.name==\"side\")].image}", "busybox"),
            ("{.entries[*]['metadata.name']}", "web-1 db-0"),
            ("{\"a\\tb\"}", "a\tb"),
            ("{'it\\'s'}", "it's"),
            ("{.s}{\"\\u00e9\"}", "xé"),
            ("{..phase}", "Running Pending"),
            ("{.entries[?(@.metadata.labels.app==\"web\")]..image}", "nginx:1.27 busybox"),
            ("{range .entries[*]}{.metadata.name}", "web-1db-0w"),
            (
                "{range .entries[*]}{.metadata.name}{end}{range .entries[*]}{.kind}{end}|{.kind}",
                "web-1db-0PodPod|Widget",
            ),
            ("{range .entries[*]}{range .spec.containers[*]}{.name}{end}{end}", "nginxsidepg"),
            ("kind={.kind} {.metadata.name}", "kind=Widget w"),
            (
                "{.entries[0].status.conditions}",
                r#"[{"status":"True","type":"Ready"},{"status":"True","type":"Initialized"}]"#,
            ),
        ];
        let w = widget();
        for (template, want) in cases {
            assert_eq!(jsonpath(template, &w).as_deref(), Ok(*want), "{template}");
        }
    }

    #[test]
    fn execution_errors_match_kubectl() {
        let cases: &[(&str, &str)] = &[
            ("{.entries[5].metadata.name}", "array index out of bounds: index 5, length 2"),
            ("{.entries[1:5]}", "array index out of bounds: index 4, length 2"),
            ("{.entries[2:1]}", "array index out of bounds: index 2, length 2"),
            ("{.entries[-5]}", "array index out of bounds: index -3, length 2"),
            ("{.entries[?(@.status.phase==2)].metadata.name}", "incompatible types for comparison"),
            (
                "{.entries[?(@.status.containerStatuses[0].restartCount==2.0)].metadata.name}",
                "incompatible types for comparison",
            ),
            ("{.s[0]}", "string is not array or slice"),
            ("{.num[0]}", "float64 is not array or slice"),
            ("{end}", "not in range, nothing to end"),
            ("{foo}", "unrecognized identifier foo"),
        ];
        let w = widget();
        for (template, want) in cases {
            match jsonpath(template, &w) {
                Err(JsonPathError::Execute { reason, .. }) => assert_eq!(reason, *want, "{template}"),
                other => panic!("{template}: expected an execution error, got {other:?}"),
            }
        }
    }

    #[test]
    fn execution_error_text_matches_kubectl() {
        let obj = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "annotations": {"fixture": "1"}},
            "a": [1, 2.5, true, null, "q\"é\t"], "m": {"z": {}, "y": []}});
        let err = jsonpath("{.a[?(@==2.5)]}", &obj).expect_err("comparing int64 with float fails");
        assert_eq!(
            err.to_string(),
            "error: error executing jsonpath \"{.a[?(@==2.5)]}\": Error executing template: incompatible types for comparison. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{.a[?(@==2.5)]}\n\tobject given to jsonpath engine was:\n\t\tmap[string]interface {}{\"a\":[]interface {}{1, 2.5, true, interface {}(nil), \"q\\\"é\\t\"}, \"apiVersion\":\"example.com/v1\", \"kind\":\"Widget\", \"m\":map[string]interface {}{\"y\":[]interface {}{}, \"z\":map[string]interface {}{}}, \"metadata\":map[string]interface {}{\"annotations\":map[string]interface {}{\"fixture\":\"1\"}, \"name\":\"w\"}}\n\n"
        );
        assert_eq!(jsonpath("{.a[*]}", &obj).as_deref(), Ok("1 2.5 true null q\"é\t"));
        assert_eq!(jsonpath("{.a[?(@.x==1)]}", &obj).as_deref(), Ok(""));
    }

    #[test]
    fn parse_errors_match_kubectl() {
        let cases = [
            ("{.x", "error: error parsing jsonpath {.x, unclosed action"),
            ("{.items[}", "error: error parsing jsonpath {.items[}, unterminated array"),
            ("{.items[?(@.a==\"b\"}", "error: error parsing jsonpath {.items[?(@.a==\"b\"}, unterminated filter"),
            ("{.items[a]}", "error: error parsing jsonpath {.items[a]}, invalid array index a"),
            ("{#}", "error: error parsing jsonpath {#}, unrecognized character in action: U+0023 '#'"),
            ("{\"unterminated}", "error: error parsing jsonpath {\"unterminated}, unterminated quoted string"),
            (
                "{.a.tier,app}",
                "error: error parsing jsonpath {.a.tier,app}, unrecognized character in action: U+002C ','",
            ),
            ("{.a[\"app\"]}", "error: error parsing jsonpath {.a[\"app\"]}, invalid array index \"app\""),
        ];
        for (template, want) in cases {
            assert_eq!(jsonpath(template, &json!({})).map_err(|e| e.to_string()), Err(want.to_string()), "{template}");
        }
    }

    #[test]
    fn missing_keys_can_be_errors() {
        assert_eq!(
            jsonpath_with("{.nope}", &json!({}), false).map_err(|e| match e {
                JsonPathError::Execute { reason, .. } => reason,
                other => other.to_string(),
            }),
            Err("nope is not found".to_string())
        );
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for t in [
            "",
            "{}",
            "{{}}",
            "}",
            "{.a}{",
            "{[]}",
            "{[?()]}",
            "{..}",
            "{range}",
            "{@..a..b}",
            "{.a[::]}",
            "{é}",
            "{.a[-]}",
        ] {
            for data in [json!(null), json!([]), json!({"a": [1, {"b": null}]}), json!("s")] {
                let _ = jsonpath(t, &data);
            }
        }
        assert_eq!(jsonpath("plain text", &json!(null)).as_deref(), Ok("plain text"));
    }
}
