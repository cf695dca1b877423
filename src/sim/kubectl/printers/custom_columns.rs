//! `-o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image`, as kubectl's
//! `CustomColumnsPrinter`: relaxed JSONPath per column, `<none>` for no value, `,` between several.

use crate::sim::sort::StableSort;
use serde_json::Value;
use thiserror::Error;

use super::jsonpath::{JsonPathError, find_values};
use super::tabwriter::TabWriter;
use super::yaml_json::go_float_g;

/// Why a custom-columns spec could not be printed; `Display` is kubectl's whole error line.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CustomColumnsError {
    /// `-o custom-columns=` with nothing after it.
    #[error("error: custom-columns format specified but no custom columns given")]
    Empty,
    /// A column without `HEADER:`.
    #[error("error: unexpected custom-columns spec: {0}, expected <header>:<json-path-expr>")]
    BadColumn(String),
    /// A field spec that is not `a.b`, `.a.b`, `{a.b}` or `{.a.b}`.
    #[error(
        "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{{name1.name2}}' or '{{.name1.name2}}'"
    )]
    BadPath,
    /// The JSONPath itself failed to parse or run; kubectl prints the bare reason.
    #[error("error: {0}")]
    JsonPath(String),
}

/// `RelaxedJSONPathExpression`: `metadata.name`, `.metadata.name`, `{metadata.name}` all become
/// `{.metadata.name}`.
pub fn relaxed_jsonpath(expr: &str) -> Result<String, CustomColumnsError> {
    if expr.is_empty() {
        return Ok(String::new());
    }
    let no_braces = |s: &str| !s.is_empty() && !s.contains(['{', '}']);
    let inner = if let Some(body) = expr.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        let body = body.strip_prefix('.').unwrap_or(body);
        no_braces(body).then_some(body)
    } else {
        let body = expr.strip_prefix('.').unwrap_or(expr);
        no_braces(body).then_some(body)
    };
    inner.map(|f| format!("{{.{f}}}")).ok_or(CustomColumnsError::BadPath)
}

/// Renders the objects with the given spec (`HEADER:path,...`).
pub fn custom_columns(spec: &str, objs: &[Value], no_headers: bool) -> Result<String, CustomColumnsError> {
    if spec.is_empty() {
        return Err(CustomColumnsError::Empty);
    }
    let mut columns = Vec::new();
    for part in spec.split(',') {
        let (header, path) = part.split_once(':').ok_or_else(|| CustomColumnsError::BadColumn(part.to_string()))?;
        columns.push((header.to_string(), relaxed_jsonpath(path)?));
    }
    let mut w = TabWriter::for_tables();
    if !no_headers {
        w.write(&columns.iter().map(|(h, _)| h.as_str()).collect::<Vec<_>>().join("\t"));
        w.write("\n");
    }
    for obj in objs {
        let mut cells = Vec::new();
        for (_, path) in &columns {
            cells.push(column_cell(path, obj)?);
        }
        w.write(&cells.join("\t"));
        w.write("\n");
    }
    Ok(w.finish())
}

/// The cell text: every value the column's JSONPath finds, printed with Go's `fmt.Sprint` and
/// joined by commas; `<none>` leads when the first result list is empty.
fn column_cell(path: &str, obj: &Value) -> Result<String, CustomColumnsError> {
    let lists = find_values(path, obj).map_err(|e| match e {
        JsonPathError::Parse { reason, .. } | JsonPathError::Execute { reason, .. } => {
            CustomColumnsError::JsonPath(reason)
        }
    })?;
    let mut out: Vec<String> = Vec::new();
    if lists.first().is_none_or(|l| l.is_empty()) {
        out.push("<none>".into());
    }
    out.extend(lists.iter().flatten().map(go_sprint));
    Ok(out.join(","))
}

/// Go's `fmt.Sprint` of a decoded JSON value: `map[k:v]`, `[a b]`, `<nil>`.
pub fn go_sprint(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => go_float_g(f),
            _ => n.to_string(),
        },
        Value::String(s) => s.replace('\x1b', "^[").replace('\r', "\\r"),
        Value::Array(a) => format!("[{}]", a.iter().map(go_sprint).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.stable_sort();
            format!(
                "map[{}]",
                keys.iter().map(|k| format!("{k}:{}", go_sprint(&m[k.as_str()]))).collect::<Vec<_>>().join(" ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pods() -> Vec<Value> {
        vec![
            json!({"metadata": {"name": "web-1", "labels": {"app": "web", "tier": "fe"}},
                "spec": {"containers": [{"image": "nginx"}, {"image": "busybox"}]}, "status": {"podIP": "10.0.0.1"}}),
            json!({"metadata": {"name": "db-0"}, "spec": {"containers": [{"image": "postgres"}]}}),
        ]
    }

    #[test]
    fn columns_print_values_none_and_lists() {
        let got = custom_columns(
            "NAME:.metadata.name,IMAGES:.spec.containers[*].image,IP:status.podIP,LABELS:{.metadata.labels}",
            &pods(),
            false,
        );
        assert_eq!(
            got.as_deref(),
            Ok(
                "NAME    IMAGES          IP         LABELS\nweb-1   nginx,busybox   10.0.0.1   map[app:web tier:fe]\ndb-0    postgres        <none>     <none>\n"
            )
        );
        assert_eq!(custom_columns("N:metadata.name", &pods(), true).as_deref(), Ok("web-1\ndb-0\n"));
    }

    #[test]
    fn relaxed_paths() {
        for (input, want) in
            [("metadata.name", "{.metadata.name}"), (".a", "{.a}"), ("{a.b}", "{.a.b}"), ("{.a[*]}", "{.a[*]}")]
        {
            assert_eq!(relaxed_jsonpath(input).as_deref(), Ok(want), "{input}");
        }
        assert_eq!(relaxed_jsonpath("{a}{b}"), Err(CustomColumnsError::BadPath));
        assert_eq!(relaxed_jsonpath(""), Ok(String::new()));
    }

    #[test]
    fn bad_specs_report_kubectls_words() {
        assert_eq!(custom_columns("", &pods(), false), Err(CustomColumnsError::Empty));
        assert_eq!(
            custom_columns("NAME", &pods(), false).map_err(|e| e.to_string()),
            Err("error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>".into())
        );
        assert_eq!(
            custom_columns("N:.spec.containers[5]", &pods(), false).map_err(|e| e.to_string()),
            Err("error: array index out of bounds: index 5, length 2".into())
        );
        assert_eq!(
            custom_columns("N:.a[", &pods(), false).map_err(|e| e.to_string()),
            Err("error: unterminated array".into())
        );
        assert_eq!(custom_columns("EMPTY:", &pods(), false).as_deref(), Ok("EMPTY\n<none>\n<none>\n"));
    }
}
