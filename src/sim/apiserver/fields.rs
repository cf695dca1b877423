//! Field selectors as list and watch requests carry them (`--field-selector spec.nodeName=worker`),
//! with apimachinery's `fields.ParseSelector` grammar and error words. Label selectors are not here:
//! they are `api::selector`'s, the one implementation the whole cluster shares.
//!
//! One difference from the real apiserver: it converts each field through the kind's supported
//! field labels (`field label not supported: ...`); the sandbox accepts any path, and trims spaces
//! around it, so a learner's `spec.nodeName = w1` still means what it says.

use serde_json::Value;
use thiserror::Error;

/// A field selector that does not parse, in `fields.ParseSelector`'s words.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldSelectorError {
    /// A term without `=`, `==` or `!=`.
    #[error("invalid selector: '{selector}'; can't understand '{term}'")]
    Term { selector: String, term: String },
    /// `\` followed by something other than `\`, `,` or `=` (or by nothing).
    #[error("invalid field selector: invalid escape sequence: {0}")]
    Escape(String),
    /// An unescaped `,` or `=` in a value; Go prints the rune with `%v`, as its number.
    #[error("invalid field selector: unescaped character in value: {}", *.0 as u32)]
    Unescaped(char),
}

/// One `path=value` (or `path!=value`) term.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    path: String,
    equal: bool,
    value: String,
}

/// A parsed field selector: every term must hold; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    terms: Vec<Term>,
}

/// `splitTerms`: commas split terms unless escaped with `\`.
fn split_terms(s: &str) -> Vec<&str> {
    let (mut terms, mut start, mut in_slash) = (Vec::new(), 0, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if in_slash => in_slash = false,
            '\\' => in_slash = true,
            ',' => {
                terms.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&s[start..]);
    terms
}

/// `splitTerm`: the first `!=`, `==` or `=` splits path from value.
fn split_term(term: &str) -> Option<(&str, bool, &str)> {
    term.char_indices().find_map(|(i, _)| {
        let rest = &term[i..];
        ["!=", "==", "="]
            .into_iter()
            .find(|op| rest.starts_with(op))
            .map(|op| (&term[..i], op != "!=", &rest[op.len()..]))
    })
}

/// `UnescapeValue`: `\\`, `\,` and `\=` stand for themselves; a bare `,` or `=` is an error.
fn unescape(s: &str) -> Result<String, FieldSelectorError> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | ',' | '=')) => out.push(e),
                Some(e) => return Err(FieldSelectorError::Escape(format!("\\{e}"))),
                None => return Err(FieldSelectorError::Escape("\\".into())),
            },
            ',' | '=' => return Err(FieldSelectorError::Unescaped(c)),
            c => out.push(c),
        }
    }
    Ok(out)
}

impl FieldSelector {
    /// The selector with each field label a version renames put in the stored object's terms
    /// (`AddFieldLabelConversionFunc`: events.k8s.io's `regarding.name` is `involvedObject.name`).
    pub fn stored_labels(mut self, stored: impl Fn(&str) -> Option<String>) -> Self {
        for t in &mut self.terms {
            if let Some(p) = stored(&t.path) {
                t.path = p;
            }
        }
        self
    }

    /// `fields.ParseSelector`: terms sorted, empty terms skipped.
    pub fn parse(s: &str) -> Result<Self, FieldSelectorError> {
        let mut parts = if s.is_empty() { Vec::new() } else { split_terms(s) };
        parts.sort_unstable();
        let mut terms = Vec::new();
        for part in parts.into_iter().filter(|p| !p.is_empty()) {
            let Some((path, equal, raw)) = split_term(part) else {
                return Err(FieldSelectorError::Term { selector: s.to_string(), term: part.to_string() });
            };
            terms.push(Term { path: path.trim().to_string(), equal, value: unescape(raw)? });
        }
        Ok(Self { terms })
    }

    /// The value the selector requires for `path` with `=`, if any (lets watches be indexed).
    pub fn equals(&self, path: &str) -> Option<&str> {
        self.terms.iter().find(|t| t.path == path && t.equal).map(|t| t.value.as_str())
    }

    /// Whether the object's fields satisfy every term; a missing field reads as `""`, as in the
    /// field sets the registries build. Walks the object in place: this runs for every watcher on
    /// every event.
    pub fn matches(&self, obj: &Value) -> bool {
        self.terms.iter().all(|t| field_equals(obj, &t.path, &t.value) == t.equal)
    }
}

/// Whether the field at a dotted path reads as `want` (strings as they are, booleans and integers as
/// Go formats them; lists and objects never match).
fn field_equals(obj: &Value, path: &str, want: &str) -> bool {
    let mut at = Some(obj);
    for part in path.split('.') {
        at = at.and_then(|v| v.get(part));
    }
    match at {
        None | Some(Value::Null) => want.is_empty(),
        Some(Value::String(s)) => s == want,
        Some(Value::Bool(b)) => want == if *b { "true" } else { "false" },
        // Selectable fields are strings and booleans; an integer compares as Go's decimal form would.
        Some(Value::Number(n)) => n.as_i64().is_some_and(|n| want.parse::<i64>() == Ok(n)),
        Some(Value::Array(_) | Value::Object(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_selector_table() {
        let p = json!({"metadata": {"name": "p"}, "spec": {"nodeName": "worker", "hostNetwork": true},
            "status": {"phase": "Running"}});
        let cases = [
            ("", true),
            ("spec.nodeName=worker", true),
            ("spec.nodeName==worker", true),
            ("spec.nodeName!=worker", false),
            ("status.phase=Running,metadata.name=p", true),
            ("spec.nodeName=", false),
            ("spec.schedulerName=", true),
            ("spec.hostNetwork=true", true),
            ("status.phase!=Succeeded,status.phase!=Failed", true),
            (" spec.nodeName =worker", true),
            ("metadata.name=p,", true),
        ];
        for (sel, want) in cases {
            assert_eq!(FieldSelector::parse(sel).expect("parses").matches(&p), want, "{sel}");
        }
        assert_eq!(FieldSelector::parse("spec.nodeName=a").expect("parses").equals("spec.nodeName"), Some("a"));
        let escaped = FieldSelector::parse(r"metadata.name=a\,b\=c\\").expect("parses");
        assert!(escaped.matches(&json!({"metadata": {"name": r"a,b=c\"}})));
    }

    #[test]
    fn bad_field_selectors_in_apimachinery_words() {
        let cases = [
            ("nonsense", "invalid selector: 'nonsense'; can't understand 'nonsense'"),
            ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
            ("a=b=c", "invalid field selector: unescaped character in value: 61"),
            (r"a=b\x", r"invalid field selector: invalid escape sequence: \x"),
            (r"a=b\", r"invalid field selector: invalid escape sequence: \"),
        ];
        for (sel, want) in cases {
            assert_eq!(FieldSelector::parse(sel).map_err(|e| e.to_string()), Err(want.to_string()), "{sel}");
        }
    }
}
