//! The generic describer kubectl uses for kinds without their own (custom resources): metadata
//! first, then every field with `camelCase` keys turned into `Camel Case` labels.

use crate::sim::sort::StableSort;
use serde_json::{Map, Value};

use super::super::fields::scalar_text;
use super::writer::PrefixWriter;
use super::{DescribeContext, events, labels_and_annotations, name_namespace};

/// Paths the generic describer leaves out (already printed, or noise).
const SKIP: &[&str] =
    &[".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"];

/// Describes any object.
pub fn describe_generic(w: &mut PrefixWriter, obj: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, obj);
    labels_and_annotations(w, obj);
    if let Some(m) = obj.as_object() {
        unstructured(w, 0, m, "");
    }
    events::describe_events(w, evs, ctx);
}

/// `printUnstructuredContent`: keys in byte order, nested maps indented, list items one per line.
fn unstructured(w: &mut PrefixWriter, level: usize, content: &Map<String, Value>, prefix: &str) {
    let mut keys: Vec<&String> = content.keys().collect();
    keys.stable_sort();
    for key in keys {
        let path = format!("{prefix}.{key}");
        if SKIP.contains(&path.as_str()) {
            continue;
        }
        match &content[key.as_str()] {
            Value::Object(m) => {
                w.write(level, &format!("{}:\n", smart_label(key)));
                unstructured(w, level + 1, m, &path);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label(key)));
                for item in items {
                    match item {
                        Value::Object(m) => unstructured(w, level + 1, m, &path),
                        other => w.write(level + 1, &format!("{}\n", go_value(other))),
                    }
                }
            }
            other => w.write(level, &format!("{}:\t{}\n", smart_label(key), go_value(other))),
        }
    }
}

/// `%v` of a decoded JSON value (lists as `[a b]`).
fn go_value(v: &Value) -> String {
    match v {
        Value::Array(items) => format!("[{}]", items.iter().map(go_value).collect::<Vec<_>>().join(" ")),
        other => scalar_text(other),
    }
}

/// `smartLabelFor`: `apiURL` → `API URL`, `readyReplicas` → `Ready Replicas`; keys with characters
/// other than letters and `-` are left alone.
pub fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: [&str; 5] = ["API", "URL", "UID", "OSB", "GUID"];
    camel_split(field)
        .into_iter()
        .filter(|p| p != "_")
        .map(|p| {
            let upper = p.to_uppercase();
            if ACRONYMS.contains(&upper.as_str()) {
                upper
            } else {
                let mut c = p.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `camelcase.Split`: runs of lower, upper, digit and other characters, with the last capital of
/// an upper run moved onto a following lower run (`HTTPServer` → `HTTP`, `Server`).
fn camel_split(s: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in s.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if k == last => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower =
            runs[i].first().is_some_and(|c| c.is_uppercase()) && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower && let Some(moved) = runs[i].pop() {
            runs[i + 1].insert(0, moved);
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).map(|r| r.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_labels() {
        for (input, want) in [
            ("apiURL", "API URL"),
            ("readyReplicas", "Ready Replicas"),
            ("HTTPServer", "HTTP Server"),
            ("with-dash", "With - Dash"),
            ("uid", "UID"),
            ("some_field", "some_field"),
            ("targetCPUUtilization", "Target CPU Utilization"),
            ("v2", "v2"),
            ("", ""),
        ] {
            assert_eq!(smart_label(input), want, "{input}");
        }
    }
}
