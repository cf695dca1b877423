//! `-o yaml` and `-o json` as kubectl prints objects it read from the apiserver.
//!
//! kubectl decodes server responses as unstructured maps, so both formats come out with keys
//! *sorted*: JSON by Go's byte order (4-space indent, `<`/`>`/`&` escaped as `\u003c`...), YAML by
//! go-yaml v2's natural order through `sigs.k8s.io/yaml`. Several objects are wrapped in a `List`.

use crate::sim::sort::StableSort;
mod analysis;
mod emitter;
mod floats;
mod scalars;
mod writers;

pub use floats::{go_float_g, go_json_float};

use serde_json::{Map, Value, json};

/// `kubectl get -o yaml` for one object (or a `List` built with [`list_of`]).
pub fn to_yaml(v: &Value) -> String {
    emitter::emit_document(v)
}

/// `kubectl get -o json`: `json.MarshalIndent(obj, "", "    ")` plus a newline.
pub fn to_json(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, Some(0), &mut out);
    out.push('\n');
    out
}

/// `json.Marshal`: compact, keys sorted, HTML-escaped (what `-o jsonpath` prints for maps and lists).
pub fn to_compact_json(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, None, &mut out);
    out
}

/// The `List` kubectl prints when several objects are asked for with `-o yaml|json`.
pub fn list_of(items: &[Value]) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

fn sorted(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = m.iter().collect();
    entries.stable_sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    entries
}

fn newline_indent(level: usize, out: &mut String) {
    out.push('\n');
    out.extend(std::iter::repeat_n("    ", level));
}

fn write_json(v: &Value, indent: Option<usize>, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Unstructured decoding keeps int64s; anything else (floats, huge integers) is a float64.
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => out.push_str(&i.to_string()),
            (None, Some(f)) => out.push_str(&go_json_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_json_string(s, out),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline_indent(level + 1, out);
                }
                write_json(item, indent.map(|l| l + 1), out);
            }
            if let Some(level) = indent {
                newline_indent(level, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in sorted(m).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline_indent(level + 1, out);
                }
                write_json_string(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(item, indent.map(|l| l + 1), out);
            }
            if let Some(level) = indent {
                newline_indent(level, out);
            }
            out.push('}');
        }
    }
}

/// Go's `encoding/json` string escaping (HTML-safe, `\b`/`\f` short forms since Go 1.22).
fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let text = match name {
            "widget" => include_str!("testdata/widget.json"),
            _ => include_str!("testdata/dep.json"),
        };
        serde_json::from_str(text).expect("test fixtures are valid JSON")
    }

    /// Expected texts were produced by kubectl 1.33 (`annotate --local -f fixture -o yaml|json`).
    #[test]
    fn yaml_matches_kubectl_for_tricky_scalars() {
        let want = include_str!("testdata/widget.yaml");
        let got = to_yaml(&fixture("widget"));
        for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
            assert_eq!(g, w, "line {}", i + 1);
        }
        assert_eq!(got, want);
    }

    #[test]
    fn yaml_matches_kubectl_for_a_deployment() {
        assert_eq!(to_yaml(&fixture("dep")), include_str!("testdata/dep.yaml"));
    }

    #[test]
    fn json_matches_kubectl() {
        assert_eq!(to_json(&fixture("widget")), include_str!("testdata/widget.expected.json"));
        assert_eq!(to_json(&fixture("dep")), include_str!("testdata/dep.expected.json"));
    }

    #[test]
    fn list_wrapper_prints_like_kubectl_get() {
        let items =
            [json!({"kind": "Pod", "metadata": {"name": "a"}}), json!({"kind": "Pod", "metadata": {"name": "b"}})];
        assert_eq!(
            to_yaml(&list_of(&items)),
            "apiVersion: v1\nitems:\n- kind: Pod\n  metadata:\n    name: a\n- kind: Pod\n  metadata:\n    name: b\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"
        );
        assert_eq!(
            to_json(&list_of(&[])),
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        );
    }

    #[test]
    fn compact_json_is_sorted_and_html_safe() {
        let v = json!({"b": [1, 2.5, null], "a": "<x>", "c": {}});
        assert_eq!(to_compact_json(&v), r#"{"a":"\u003cx\u003e","b":[1,2.5,null],"c":{}}"#);
    }

    #[test]
    fn odd_top_level_values_do_not_panic() {
        assert_eq!(to_yaml(&json!({})), "{}\n");
        assert_eq!(to_yaml(&json!([])), "[]\n");
        assert!(to_yaml(&json!(null)).starts_with("null\n"));
        assert_eq!(to_yaml(&json!([1, [2]])), "- 1\n- - 2\n");
        assert_eq!(to_json(&json!("x")), "\"x\"\n");
    }
}
