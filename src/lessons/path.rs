//! Field paths in checks: `spec.replicas`, `spec.template.spec.containers[0].image`,
//! `status.conditions[type=Ready].status`, `metadata.labels["app.kubernetes.io/name"]`.
//!
//! A small subset of kubectl's JSONPath a teacher can write without braces: dotted names, an index,
//! or `[key=value]` to pick the first list item whose `key` is `value` (how conditions are found).

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// A map key.
    Key(String),
    /// A list position.
    Index(usize),
    /// The first list item whose field equals a value.
    Where { key: String, value: String },
}

/// A parsed field path; `Display` gives back the text the teacher wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPath {
    text: String,
    segments: Vec<Segment>,
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl FieldPath {
    /// Parses a path; the error says what is wrong with it in plain words.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        let body = text.strip_prefix('.').unwrap_or(text);
        if body.is_empty() {
            return Err("an empty field path (write e.g. status.phase)".into());
        }
        let mut segments = Vec::new();
        let mut chars = body.char_indices().peekable();
        let mut name = String::new();
        // Whether a name may start here: after a dot, at the start, never right after `]`.
        let mut after_bracket = false;
        while let Some((i, c)) = chars.next() {
            match c {
                '.' => {
                    if name.is_empty() && !after_bracket {
                        return Err(format!("{text:?}: an empty name before the dot at position {}", i + 1));
                    }
                    if !name.is_empty() {
                        segments.push(Segment::Key(std::mem::take(&mut name)));
                    }
                    after_bracket = false;
                    if chars.peek().is_none() {
                        return Err(format!("{text:?} ends with a dot"));
                    }
                }
                '[' => {
                    if !name.is_empty() {
                        segments.push(Segment::Key(std::mem::take(&mut name)));
                    } else if segments.is_empty() {
                        return Err(format!("{text:?} starts with [ (name the field first, e.g. items[0])"));
                    }
                    let mut inner = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == ']' && !quoted_open(&inner) {
                            closed = true;
                            break;
                        }
                        inner.push(c);
                    }
                    if !closed {
                        return Err(format!("{text:?}: a [ without its ]"));
                    }
                    segments.push(bracket(text, inner.trim())?);
                    after_bracket = true;
                }
                ']' => return Err(format!("{text:?}: a ] without its [")),
                c if c.is_whitespace() => return Err(format!("{text:?}: a space inside a field path")),
                c => {
                    if after_bracket && name.is_empty() && !body[..i].ends_with('.') {
                        return Err(format!("{text:?}: write a dot after ] before the next name"));
                    }
                    name.push(c);
                }
            }
        }
        if !name.is_empty() {
            segments.push(Segment::Key(name));
        }
        Ok(FieldPath { text: text.to_string(), segments })
    }

    /// The value at this path, if every step of it exists.
    pub fn lookup<'a>(&self, obj: &'a Value) -> Option<&'a Value> {
        let mut at = obj;
        for seg in &self.segments {
            at = match seg {
                Segment::Key(k) => at.get(k.as_str())?,
                Segment::Index(i) => at.get(*i)?,
                Segment::Where { key, value } => at
                    .as_array()?
                    .iter()
                    .find(|item| item.get(key.as_str()).and_then(scalar).is_some_and(|v| v == *value))?,
            };
        }
        Some(at)
    }
}

/// Whether a bracket's text has an open quote (a `]` inside quotes does not close it).
fn quoted_open(inner: &str) -> bool {
    inner.chars().filter(|c| *c == '"').count() % 2 == 1
}

fn bracket(text: &str, inner: &str) -> Result<Segment, String> {
    if let Some(q) = inner.strip_prefix('"') {
        let key = q.strip_suffix('"').ok_or_else(|| format!("{text:?}: a quoted key without its closing quote"))?;
        return Ok(Segment::Key(key.to_string()));
    }
    if let Some((key, value)) = inner.split_once('=') {
        let (key, value) = (key.trim(), value.trim().trim_matches('"'));
        if key.is_empty() || value.is_empty() {
            return Err(format!("{text:?}: [{inner}] needs a field and a value, e.g. [type=Ready]"));
        }
        return Ok(Segment::Where { key: key.to_string(), value: value.to_string() });
    }
    inner.parse().map(Segment::Index).map_err(|_| {
        format!("{text:?}: [{inner}] is neither a position ([0]), a match ([type=Ready]) nor a quoted key ([\"a/b\"])")
    })
}

/// A JSON scalar as the text a check compares: strings as they are, numbers and booleans as written.
/// `null` counts as not set; a map or list is not a scalar.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "metadata": {"labels": {"app.kubernetes.io/name": "web", "app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}], "nodeName": "sandbox-worker"},
            "status": {"conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}]}
        })
    }

    #[test]
    fn paths_find_what_they_name() {
        let cases = [
            ("spec.nodeName", Some(json!("sandbox-worker"))),
            (".spec.nodeName", Some(json!("sandbox-worker"))),
            ("spec.containers[0].image", Some(json!("nginx:1.25"))),
            ("status.conditions[type=Ready].status", Some(json!("False"))),
            ("status.conditions[type=\"PodScheduled\"].status", Some(json!("True"))),
            ("metadata.labels[\"app.kubernetes.io/name\"]", Some(json!("web"))),
            ("metadata.labels.app", Some(json!("web"))),
            ("spec.containers[3].image", None),
            ("status.conditions[type=Initialized].status", None),
            ("status.phase", None),
        ];
        for (text, want) in cases {
            let path = FieldPath::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(path.lookup(&pod()).cloned(), want, "{text}");
            assert_eq!(path.to_string(), text);
        }
    }

    #[test]
    fn bad_paths_say_why() {
        let cases = [
            ("", "empty"),
            ("spec..replicas", "empty name"),
            ("spec.", "ends with a dot"),
            ("[0]", "starts with ["),
            ("spec.containers[0", "without its ]"),
            ("spec]", "without its ["),
            ("spec.containers[x]", "neither a position"),
            ("status.conditions[=Ready]", "needs a field and a value"),
            ("spec.containers[0]image", "dot after ]"),
            ("spec. replicas", "space"),
            ("metadata.labels[\"a]", "without its ]"),
        ];
        for (text, want) in cases {
            let err = FieldPath::parse(text).expect_err(text);
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
