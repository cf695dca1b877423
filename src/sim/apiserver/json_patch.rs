//! RFC 6902 JSON Patch (`application/json-patch+json`, `kubectl patch --type json`): `add`, `remove`,
//! `replace`, `move`, `copy` and `test` on RFC 6901 pointers, as the apiserver's patch handler applies
//! them (`endpoints/handlers/patch.go`): a body that is not a list of operations is a 400 with the
//! decoder's words, more than 10,000 operations a 413, and an operation that does not apply a 422
//! whose message is the generic one (the library's own error does not reach the client). Error texts
//! follow the `evanphx/json-patch` library the apiserver uses.

use crate::sim::api::pointer::Pointer;
use crate::sim::protocol::status::{Reason, Status};
use serde_json::Value;

/// Why a JSON patch cannot be applied (the text follows `Error from server: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonPatchError {
    /// The document is not a list of operations.
    #[error("json: cannot unmarshal {0} into Go value of type jsonpatch.Patch")]
    NotAList(&'static str),
    /// An operation names no `op`, or one this library does not know.
    #[error("Unexpected kind: {0}")]
    UnknownOp(String),
    /// The path (or `from`) does not exist in the object.
    #[error("jsonpatch {op} operation does not apply: doc is missing path: \"{path}\": missing value")]
    Missing { op: String, path: String },
    /// A `test` operation found another value.
    #[error("testing value {0} failed: test failed")]
    TestFailed(String),
    /// An array index that is not a number or is out of range.
    #[error("Unable to access invalid index: {0}: invalid index referenced")]
    BadIndex(String),
}

/// The document type name Go's JSON decoder reports.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "object",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        Value::Array(_) => "array",
    }
}

fn tokens(path: &str) -> Vec<String> {
    path.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

/// The parent container of `path` and the last token.
fn parent<'a>(doc: &'a mut Value, path: &str, op: &str) -> Result<(&'a mut Value, String), JsonPatchError> {
    let missing = || JsonPatchError::Missing { op: op.to_string(), path: path.to_string() };
    let mut toks = tokens(path);
    let last = toks.pop().ok_or_else(missing)?;
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Object(m) => m.get_mut(&t).ok_or_else(missing)?,
            Value::Array(a) => {
                let i: usize = t.parse().map_err(|_| JsonPatchError::BadIndex(t.clone()))?;
                a.get_mut(i).ok_or_else(|| JsonPatchError::BadIndex(t.clone()))?
            }
            _ => return Err(missing()),
        };
    }
    Ok((cur, last))
}

fn get(doc: &Value, path: &str, op: &str) -> Result<Value, JsonPatchError> {
    if path.is_empty() {
        return Ok(doc.clone());
    }
    let ptr = tokens(path).iter().map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1"))).collect::<String>();
    doc.at(&ptr).cloned().ok_or_else(|| JsonPatchError::Missing { op: op.to_string(), path: path.to_string() })
}

fn add(doc: &mut Value, path: &str, value: Value, op: &str) -> Result<(), JsonPatchError> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (container, last) = parent(doc, path, op)?;
    match container {
        Value::Object(m) => {
            m.insert(last, value);
            Ok(())
        }
        Value::Array(a) if last == "-" => {
            a.push(value);
            Ok(())
        }
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| JsonPatchError::BadIndex(last.clone()))?;
            if i > a.len() {
                return Err(JsonPatchError::BadIndex(last));
            }
            a.insert(i, value);
            Ok(())
        }
        _ => Err(JsonPatchError::Missing { op: op.to_string(), path: path.to_string() }),
    }
}

fn remove(doc: &mut Value, path: &str, op: &str) -> Result<Value, JsonPatchError> {
    let missing = || JsonPatchError::Missing { op: op.to_string(), path: path.to_string() };
    let (container, last) = parent(doc, path, op)?;
    match container {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| JsonPatchError::BadIndex(last.clone()))?;
            if i >= a.len() {
                return Err(JsonPatchError::BadIndex(last));
            }
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

/// The most operations one JSON patch may hold (`maxJSONPatchOperations`).
pub const MAX_OPERATIONS: usize = 10_000;

/// The patch handler: `current` patched, or the apiserver's `Status` for a patch that cannot be.
pub fn patch_object(current: &Value, patch: &Value) -> Result<Value, Status> {
    let ops =
        patch.as_array().ok_or_else(|| Status::bad_request(JsonPatchError::NotAList(go_type(patch)).to_string()))?;
    if ops.len() > MAX_OPERATIONS {
        return Err(Status::new(
            413,
            Reason::RequestEntityTooLarge,
            format!(
                "Request entity too large: The allowed maximum operations in a JSON patch is {MAX_OPERATIONS}, got {}",
                ops.len()
            ),
        ));
    }
    let mut doc = current.clone();
    // `NewGenericServerResponse(422, ...)`: the reason is Invalid and the library's error is dropped;
    // kubectl, seeing no kind, name or causes, prints `The request is invalid: ` and the message.
    apply(&mut doc, patch).map_err(|_| Status::new(422, Reason::Invalid, PATCH_DID_NOT_APPLY))?;
    Ok(doc)
}

/// What kubectl 1.33 prints for that 422 (measured through `sandbox serve`); the apiserver's message
/// in it is [`PATCH_DID_NOT_APPLY_ON_THE_WIRE`].
pub const PATCH_DID_NOT_APPLY: &str =
    "The request is invalid: the server rejected our request due to an error in our request";

/// The 422's message as the apiserver sends it.
pub const PATCH_DID_NOT_APPLY_ON_THE_WIRE: &str = "the server rejected our request due to an error in our request";

/// Applies a JSON patch document to `doc`.
pub fn apply(doc: &mut Value, patch: &Value) -> Result<(), JsonPatchError> {
    let ops = patch.as_array().ok_or(JsonPatchError::NotAList(go_type(patch)))?;
    for operation in ops {
        let s = |k: &str| operation.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let (op, path, from) = (s("op"), s("path"), s("from"));
        let value = operation.get("value").cloned().unwrap_or(Value::Null);
        match op.as_str() {
            "add" => add(doc, &path, value, &op)?,
            "remove" => {
                remove(doc, &path, &op)?;
            }
            "replace" => {
                remove(doc, &path, &op)?;
                add(doc, &path, value, &op)?;
            }
            "move" => {
                let v = remove(doc, &from, &op)?;
                add(doc, &path, v, &op)?;
            }
            "copy" => {
                let v = get(doc, &from, &op)?;
                add(doc, &path, v, &op)?;
            }
            "test" => {
                if get(doc, &path, &op)? != value {
                    return Err(JsonPatchError::TestFailed(path));
                }
            }
            other => return Err(JsonPatchError::UnknownOp(other.to_string())),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}}, "metadata": {"labels": {"a/b": "1"}}})
    }

    #[test]
    fn operations_apply_in_order() {
        let mut d = doc();
        let patch = json!([
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "b", "image": "y"}},
            {"op": "remove", "path": "/metadata/labels/a~1b"},
            {"op": "copy", "from": "/spec/replicas", "path": "/spec/minReadySeconds"},
            {"op": "move", "from": "/spec/minReadySeconds", "path": "/spec/paused"},
            {"op": "test", "path": "/spec/paused", "value": 3}
        ]);
        apply(&mut d, &patch).expect("valid patch");
        assert_eq!(d["spec"]["replicas"], 3);
        assert_eq!(d["spec"]["template"]["spec"]["containers"][1]["name"], "b");
        assert_eq!(d["metadata"]["labels"], json!({}));
        assert_eq!(d["spec"]["paused"], 3);
        assert!(d["spec"].get("minReadySeconds").is_none());
    }

    #[test]
    fn the_handler_answers_with_the_apiservers_statuses() {
        let patched = patch_object(&doc(), &json!([{"op": "replace", "path": "/spec/replicas", "value": 4}])).unwrap();
        assert_eq!(patched["spec"]["replicas"], 4);
        let cases = [
            (json!({"op": "add"}), 400, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
            (json!([{"op": "remove", "path": "/spec/nope"}]), 422, PATCH_DID_NOT_APPLY),
            (json!([{"op": "jump", "path": "/spec"}]), 422, PATCH_DID_NOT_APPLY),
            (
                Value::Array(vec![json!({"op": "test", "path": "/spec/replicas", "value": 1}); MAX_OPERATIONS + 1]),
                413,
                "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001",
            ),
        ];
        for (patch, code, message) in cases {
            let e = patch_object(&doc(), &patch).unwrap_err();
            assert_eq!((e.code, e.message.as_str()), (code, message));
        }
    }

    #[test]
    fn errors_name_the_operation_and_path() {
        let cases = [
            (json!({"op": "add"}), JsonPatchError::NotAList("object")),
            (
                json!([{"op": "remove", "path": "/spec/nope"}]),
                JsonPatchError::Missing { op: "remove".into(), path: "/spec/nope".into() },
            ),
            (
                json!([{"op": "replace", "path": "/nope/x", "value": 1}]),
                JsonPatchError::Missing { op: "replace".into(), path: "/nope/x".into() },
            ),
            (
                json!([{"op": "test", "path": "/spec/replicas", "value": 2}]),
                JsonPatchError::TestFailed("/spec/replicas".into()),
            ),
            (json!([{"op": "jump", "path": "/spec"}]), JsonPatchError::UnknownOp("jump".into())),
            (
                json!([{"op": "add", "path": "/spec/template/spec/containers/9", "value": 1}]),
                JsonPatchError::BadIndex("9".into()),
            ),
        ];
        for (patch, want) in cases {
            assert_eq!(apply(&mut doc(), &patch), Err(want), "{patch}");
        }
        assert_eq!(
            JsonPatchError::Missing { op: "remove".into(), path: "/a".into() }.to_string(),
            "jsonpatch remove operation does not apply: doc is missing path: \"/a\": missing value"
        );
    }
}
