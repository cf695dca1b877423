//! Turns pasted manifest text into API objects the way `kubectl apply -f` reads a file.
//!
//! kubectl splits YAML on `---` lines before parsing, so each document is parsed alone and a YAML
//! error's line number counts from the start of its document, not of the file. Text starting with
//! `{` is read as a stream of JSON objects (falling back to YAML, which also accepts most broken
//! JSON). Empty documents are skipped; a `List` expands into its items; each object must carry
//! string `apiVersion` and `kind`, checked in kubectl's words.

pub(crate) mod yaml;

use serde_json::Value;
use thiserror::Error;

/// One object read from the input, with where it started so later errors can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The object, in Kubernetes' JSON shape.
    pub value: Value,
    /// 1-based line of the file where the object's document starts.
    pub line: usize,
}

/// Why some input could not become an object. `Display` gives the part after kubectl's prefix;
/// [`DecodeError::kubectl_message`] gives the whole line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// YAML syntax error; `line` counts from the document's first line, as kubectl reports it.
    #[error("error converting YAML to JSON: yaml: {}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Yaml {
        /// Line within the document, if go-yaml would give one.
        line: Option<usize>,
        /// go-yaml's message.
        message: String,
    },
    /// JSON syntax error, in Go's encoding/json words.
    #[error("{0}")]
    Json(String),
    /// The object failed kubectl's client-side checks (`kind not set`, `invalid object to validate`).
    #[error("error validating data: {0}")]
    Validation(String),
    /// kubectl could decode no `Kind` from an object with an empty one.
    #[error("Object 'Kind' is missing in '{0}'")]
    MissingKind(String),
    /// The input held no objects at all.
    #[error("no objects passed to apply")]
    NoObjects,
    /// A field the apiserver does not know (strict field validation).
    #[error("{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
        fields.iter().map(|f| format!("unknown field \"{f}\"")).collect::<Vec<_>>().join(", "))]
    UnknownFields {
        /// The object's kind.
        kind: String,
        /// The version part of its apiVersion.
        version: String,
        /// Paths of the unknown fields, e.g. `spec.template.spec.containers[0].imagePullPolicyy`.
        fields: Vec<String>,
    },
    /// A value of the wrong type or format, e.g. `replicas: "three"` or `cpu: lots`.
    #[error("{kind} in version \"{version}\" cannot be handled as a {kind}: {message}")]
    BadValue {
        /// The object's kind.
        kind: String,
        /// The version part of its apiVersion.
        version: String,
        /// Go's message, e.g. `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
        message: String,
    },
}

impl DecodeError {
    /// The whole line kubectl prints (after `error: `) for this error in `file`.
    pub fn kubectl_message(&self, file: &str) -> String {
        match self {
            DecodeError::Yaml { .. } | DecodeError::Json(_) => format!("error parsing {file}: {self}"),
            DecodeError::Validation(_) => format!(
                "error validating {file:?}: {self}; if you choose to ignore these errors, turn validation off with --validate=false"
            ),
            DecodeError::NoObjects | DecodeError::MissingKind(_) => self.to_string(),
            DecodeError::UnknownFields { .. } | DecodeError::BadValue { .. } => {
                format!("Error from server (BadRequest): error when creating {file:?}: {self}")
            }
        }
    }

    /// `no objects passed to create` and friends: the same error for another kubectl verb.
    pub fn no_objects_message(verb: &str) -> String {
        format!("no objects passed to {verb}")
    }
}

/// Reads every object in `text`. Each entry is one object or the error of one document; kubectl
/// stops at the first error of a file, so callers usually do too. Input with no objects at all
/// gives a single [`DecodeError::NoObjects`].
pub fn decode_documents(text: &str) -> Vec<Result<Document, DecodeError>> {
    // Editors on Windows save a byte-order mark; kubectl's reader skips it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw = if text.trim_start().starts_with('{') {
        match decode_json_stream(text) {
            Ok(values) => values.into_iter().map(Ok).collect(),
            Err(json_err) => match decode_yaml_stream(text) {
                docs if docs.iter().all(Result::is_ok) => docs,
                _ => vec![Err(json_err)],
            },
        }
    } else {
        decode_yaml_stream(text)
    };
    let mut out = Vec::new();
    for doc in raw {
        match doc {
            Ok((Value::Null, _)) => {}
            Ok((value, line)) => expand(value, line, &mut out),
            Err(e) => out.push(Err(e)),
        }
    }
    if out.is_empty() {
        out.push(Err(DecodeError::NoObjects));
    }
    out
}

/// The 1-based line of the first YAML syntax error in `text` (counted from the start of the whole
/// text, not of its document), for the editor's gutter when kubectl's own error names no line. It
/// lives beside kubectl's reader, not in the page: the page asks for it only after a failed Apply,
/// which has loaded kubectl's module, so the YAML parser stays out of the first download (README,
/// "Download size"). The documents are parsed and thrown away: `IgnoredAny` builds nothing.
pub fn yaml_error_line(text: &str) -> Option<usize> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .find_map(|doc| serde::de::IgnoredAny::deserialize(doc).err())
        .and_then(|e| e.location())
        .map(|l| l.line())
}

/// Splits on `---` lines exactly as kubectl's YAMLReader does: a line starting with `---` whose rest
/// is blank or a comment ends a document.
fn split_yaml(text: &str) -> Vec<(String, usize)> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut start = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if rest.is_empty() || rest.starts_with('#') {
                docs.push((std::mem::take(&mut current), start));
                start = i + 2;
                continue;
            }
        }
        current.push_str(line);
    }
    docs.push((current, start));
    docs
}

fn decode_yaml_stream(text: &str) -> Vec<Result<(Value, usize), DecodeError>> {
    split_yaml(text)
        .into_iter()
        .filter(|(doc, _)| doc.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')))
        .map(|(doc, line)| {
            yaml::to_json(&doc).map(|v| (v, line)).map_err(|e| DecodeError::Yaml { line: e.line, message: e.message })
        })
        .collect()
}

fn decode_json_stream(text: &str) -> Result<Vec<(Value, usize)>, DecodeError> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut out = Vec::new();
    loop {
        let offset = stream.byte_offset();
        match stream.next() {
            None => return Ok(out),
            Some(Ok(v)) => {
                let start = offset + text[offset..].len() - text[offset..].trim_start().len();
                out.push((v, 1 + text[..start].matches('\n').count()));
            }
            Some(Err(e)) => return Err(DecodeError::Json(go_json_error(text, &e))),
        }
    }
}

/// serde_json's error in Go's encoding/json words: `unexpected EOF`, or
/// `json: offset 33: invalid character '"' after object key:value pair`.
fn go_json_error(text: &str, err: &serde_json::Error) -> String {
    if err.is_eof() {
        return "unexpected EOF".to_string();
    }
    let line_start: usize = text.split_inclusive('\n').take(err.line().saturating_sub(1)).map(str::len).sum();
    let index = line_start + err.column().saturating_sub(1);
    let ch = text.get(index..).and_then(|s| s.chars().next()).unwrap_or(' ');
    let msg = err.to_string();
    let context = if msg.starts_with("expected `,` or `}`") {
        "after object key:value pair"
    } else if msg.starts_with("expected `:`") {
        "after object key"
    } else if msg.starts_with("expected `,` or `]`") {
        "after array element"
    } else if msg.starts_with("key must be a string") || msg.starts_with("trailing comma") {
        "looking for beginning of object key string"
    } else {
        "looking for beginning of value"
    };
    let ch = if ch == '\'' { "\\'".to_string() } else { ch.to_string() };
    format!("json: offset {}: invalid character '{ch}' {context}", index + 1)
}

/// Applies kubectl's object checks and expands `List`s into their items.
fn expand(value: Value, line: usize, out: &mut Vec<Result<Document, DecodeError>>) {
    if let Err(e) = check_object(&value) {
        out.push(Err(e));
        return;
    }
    let is_list = value.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    if !is_list {
        out.push(Ok(Document { value, line }));
        return;
    }
    if let Some(Value::Array(items)) = value.get("items") {
        for item in items {
            match check_object(item) {
                Ok(()) => out.push(Ok(Document { value: item.clone(), line })),
                Err(e) => out.push(Err(e)),
            }
        }
    }
}

/// kubectl's `getObjectKind` checks, in its words and order.
fn check_object(value: &Value) -> Result<(), DecodeError> {
    let Value::Object(fields) = value else {
        return Err(DecodeError::Validation("invalid object to validate".to_string()));
    };
    let mut problems = Vec::new();
    match fields.get("apiVersion") {
        None | Some(Value::Null) => problems.push("apiVersion not set".to_string()),
        Some(Value::String(v)) if v.matches('/').count() > 1 => {
            problems.push(format!("unexpected GroupVersion string: {v}"))
        }
        Some(Value::String(_)) => {}
        Some(_) => problems.push("apiVersion isn't string type".to_string()),
    }
    match fields.get("kind") {
        None | Some(Value::Null) => problems.push("kind not set".to_string()),
        Some(Value::String(_)) => {}
        Some(_) => problems.push("kind isn't string type".to_string()),
    }
    match problems.len() {
        0 if fields.get("kind").and_then(Value::as_str) == Some("") => Err(DecodeError::MissingKind(value.to_string())),
        0 => Ok(()),
        1 => Err(DecodeError::Validation(problems.remove(0))),
        _ => Err(DecodeError::Validation(format!("[{}]", problems.join(", ")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok_values(text: &str) -> Vec<Value> {
        decode_documents(text).into_iter().map(|d| d.expect("decodes").value).collect()
    }

    fn first_err(text: &str) -> DecodeError {
        decode_documents(text).into_iter().find_map(Result::err).expect("an error")
    }

    #[test]
    fn reads_multi_document_yaml_with_lines() {
        let text = "# leading comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n\
                    apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n--- # trailing\n";
        let docs: Vec<Document> = decode_documents(text).into_iter().map(|d| d.expect("decodes")).collect();
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].line, docs[1].line), (3, 8));
        assert_eq!(docs[1].value["metadata"]["name"], "b");
    }

    #[test]
    fn keeps_field_order() {
        let v = &ok_values("kind: Pod\napiVersion: v1\nmetadata: {name: x}\n")[0];
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["kind", "apiVersion", "metadata"]);
    }

    #[test]
    fn reads_json_streams_and_lists() {
        let text = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\
                    {\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}},\
                    {\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"b\"}}]}\n\
                    {\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}";
        let kinds: Vec<Value> = ok_values(text).into_iter().map(|v| v["kind"].clone()).collect();
        assert_eq!(kinds, [json!("Pod"), json!("Service"), json!("ConfigMap")]);
        let docs = decode_documents(text);
        assert_eq!(docs[2].as_ref().map(|d| d.line), Ok(2));
    }

    #[test]
    fn yaml_list_items_are_checked() {
        let err = first_err("apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n");
        assert_eq!(err, DecodeError::Validation("apiVersion not set".into()));
    }

    #[test]
    fn json_that_is_really_yaml_still_parses() {
        let v = ok_values("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"},}");
        assert_eq!(v[0]["metadata"]["name"], "x");
    }

    #[test]
    fn json_errors_read_like_go() {
        let err = first_err("{\"apiVersion\":\"v1\",\"kind\":\"Pod\" \"metadata\":{\"name\":\"x\"}}");
        assert_eq!(err.to_string(), "json: offset 33: invalid character '\"' after object key:value pair");
        assert_eq!(first_err("{\"apiVersion\":\"v1\",\n\"kind\":\"Pod\"").to_string(), "unexpected EOF");
    }

    #[test]
    fn kubectl_object_checks() {
        let cases = [
            ("apiVersion: v1\nmetadata:\n  name: x\n", "error validating data: kind not set"),
            ("kind: Pod\nmetadata:\n  name: x\n", "error validating data: apiVersion not set"),
            ("metadata:\n  name: x\n", "error validating data: [apiVersion not set, kind not set]"),
            ("- a\n- b\n", "error validating data: invalid object to validate"),
            ("hello\n", "error validating data: invalid object to validate"),
            ("apiVersion: v1\nkind: 5\n", "error validating data: kind isn't string type"),
            ("apiVersion: [v1]\nkind: Pod\n", "error validating data: apiVersion isn't string type"),
            ("apiVersion: a/b/c\nkind: Pod\n", "error validating data: unexpected GroupVersion string: a/b/c"),
        ];
        for (text, want) in cases {
            assert_eq!(first_err(text).to_string(), want, "{text:?}");
        }
        assert!(matches!(first_err("apiVersion: v1\nkind: \"\"\n"), DecodeError::MissingKind(_)));
    }

    #[test]
    fn empty_input_has_no_objects() {
        for text in ["", "\n\n", "---\n---\n", "# just a comment\n", "---\n~\n"] {
            assert_eq!(decode_documents(text), vec![Err(DecodeError::NoObjects)], "{text:?}");
        }
        assert_eq!(DecodeError::NoObjects.to_string(), "no objects passed to apply");
    }

    #[test]
    fn yaml_errors_are_placed_on_their_line_of_the_whole_text() {
        let cases = [
            ("a: 1\nb: 2\n", None),
            ("a: 1\nb: [1, 2\n", Some(3)),
            ("kind: Pod\nmetadata:\n  name: x\n   bad: indent\n", Some(4)),
            ("a: 1\n---\nb: : c\n", Some(3)),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(yaml_error_line(text), want, "{text:?}");
        }
    }

    #[test]
    fn yaml_error_lines_count_from_their_document() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  labels: a: b\n";
        let docs = decode_documents(text);
        assert!(docs[0].is_ok());
        let err = docs[1].clone().expect_err("second document is broken");
        assert_eq!(
            err.kubectl_message("two.yaml"),
            "error parsing two.yaml: error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn validation_message_matches_kubectl() {
        let err = first_err("apiVersion: v1\nmetadata: {}\n");
        assert_eq!(
            err.kubectl_message("x.yaml"),
            "error validating \"x.yaml\": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false"
        );
    }

    #[test]
    fn tolerates_bom_and_crlf() {
        let v = ok_values(
            "\u{feff}apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\n",
        );
        assert_eq!(v.len(), 2);
        assert_eq!(v[0]["metadata"]["name"], "a");
    }

    #[test]
    fn separator_needs_its_own_line() {
        let v =
            ok_values("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: |\n    ---not a separator\n");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0]["data"]["x"], "---not a separator\n");
    }
}
