//! Label and field selectors as list and watch requests carry them (`-l app=web,tier!=db`,
//! `--field-selector spec.nodeName=worker`).

use serde_json::Value;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector {
    reqs: Vec<Requirement>,
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn set_values(s: &str) -> Option<Vec<String>> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
}

impl LabelSelector {
    /// Parses kubectl's selector syntax; the error text is what the apiserver answers.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(Self { reqs });
        }
        for part in split_top_level(s) {
            let p = part.trim();
            let bad = || format!("unable to parse requirement: found '{p}', expected: identifier");
            let req = if let Some(key) = p.strip_prefix('!') {
                Requirement::DoesNotExist(key.trim().to_string())
            } else if let Some((k, v)) = p.split_once("!=") {
                Requirement::NotEquals(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                Requirement::Equals(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, rest)) = p.split_once(" notin ") {
                Requirement::NotIn(k.trim().to_string(), set_values(rest).ok_or_else(bad)?)
            } else if let Some((k, rest)) = p.split_once(" in ") {
                Requirement::In(k.trim().to_string(), set_values(rest).ok_or_else(bad)?)
            } else {
                Requirement::Exists(p.to_string())
            };
            let key = match &req {
                Requirement::Equals(k, _)
                | Requirement::NotEquals(k, _)
                | Requirement::In(k, _)
                | Requirement::NotIn(k, _)
                | Requirement::Exists(k)
                | Requirement::DoesNotExist(k) => k,
            };
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(bad());
            }
            reqs.push(req);
        }
        Ok(Self { reqs })
    }

    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.reqs.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// A parsed field selector: `path=value` / `path!=value` terms over well-known fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector {
    terms: Vec<FieldTerm>,
}

/// One term; the path is split once at parse time, because matching runs for every watch event.
#[derive(Debug, Clone, PartialEq)]
struct FieldTerm {
    path: String,
    segments: Vec<String>,
    equal: bool,
    value: String,
}

impl FieldTerm {
    /// Whether the object's field holds the value (a missing or null field is the empty string), without
    /// allocating for string fields.
    fn holds(&self, obj: &Value) -> bool {
        let field = self.segments.iter().try_fold(obj, |v, seg| v.get(seg.as_str()));
        match field {
            Some(Value::String(s)) => *s == self.value,
            Some(Value::Null) | None => self.value.is_empty(),
            Some(other) => other.to_string() == self.value,
        }
    }
}

impl FieldSelector {
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut terms = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (path, eq, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (k, true, v)
            } else {
                return Err(format!("invalid selector: '{s}'; can't understand '{part}'"));
            };
            let path = path.trim().to_string();
            let segments = path.split('.').map(str::to_string).collect();
            terms.push(FieldTerm { path, segments, equal: eq, value: value.trim().to_string() });
        }
        Ok(Self { terms })
    }

    /// The value the selector requires for `path` with `=`, if any (lets watches be indexed).
    pub fn equals(&self, path: &str) -> Option<&str> {
        self.terms.iter().find(|t| t.path == path && t.equal).map(|t| t.value.as_str())
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.terms.iter().all(|t| t.holds(obj) == t.equal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(labels: Value) -> Value {
        json!({"metadata": {"name": "p", "labels": labels}, "spec": {"nodeName": "worker"}, "status": {"phase": "Running"}})
    }

    #[test]
    fn label_selector_table() {
        let cases = [
            ("", json!({}), true),
            ("app=web", json!({"app": "web"}), true),
            ("app==web", json!({"app": "db"}), false),
            ("app!=web", json!({}), true),
            ("app in (web, db)", json!({"app": "db"}), true),
            ("app notin (web,db)", json!({"app": "db"}), false),
            ("app notin (web,db)", json!({}), true),
            ("app", json!({"app": "x"}), true),
            ("!app", json!({"app": "x"}), false),
            ("app=web,tier=front", json!({"app": "web"}), false),
            ("env in (a,b),app", json!({"app": "1", "env": "b"}), true),
        ];
        for (sel, labels, want) in cases {
            let s = LabelSelector::parse(sel).unwrap_or_else(|e| panic!("{sel}: {e}"));
            assert_eq!(s.matches(&pod(labels.clone())), want, "{sel} on {labels}");
        }
    }

    #[test]
    fn bad_label_selectors_are_errors() {
        for bad in ["app in web", "=x", "a b"] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn field_selector_table() {
        let p = pod(json!({}));
        let cases = [
            ("spec.nodeName=worker", true),
            ("spec.nodeName!=worker", false),
            ("status.phase=Running,metadata.name=p", true),
            ("spec.nodeName=", false),
        ];
        for (sel, want) in cases {
            assert_eq!(FieldSelector::parse(sel).expect("parses").matches(&p), want, "{sel}");
        }
        assert_eq!(FieldSelector::parse("spec.nodeName=a").expect("parses").equals("spec.nodeName"), Some("a"));
        assert!(FieldSelector::parse("nonsense").is_err());
    }
}
