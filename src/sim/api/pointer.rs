//! JSON Pointer lookups that do not allocate: `obj.at("/spec/nodeName")`.
//!
//! serde_json's `Value::pointer` builds a `String` for every path segment (it unescapes `~0` and `~1`
//! into a fresh string each time), and the simulation reads fields by pointer on every watch event,
//! every sync and every kubectl row. `at` walks the same path by borrowed segments and answers exactly
//! as `pointer` does (RFC 6901, serde_json's array-index rules); only a path with an escape falls back
//! to `pointer`.

use serde_json::Value;

/// `Value::pointer` without the allocations.
pub trait Pointer {
    fn at(&self, pointer: &str) -> Option<&Value>;
}

impl Pointer for Value {
    fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        if rest.contains('~') {
            return self.pointer(pointer);
        }
        rest.split('/').try_fold(self, |v, segment| match v {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => array_index(segment).and_then(|i| items.get(i)),
            _ => None,
        })
    }
}

/// serde_json's rule: decimal digits only, no `+`, no leading zero.
fn array_index(s: &str) -> Option<usize> {
    if s.starts_with('+') || (s.starts_with('0') && s.len() != 1) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every path answers as `Value::pointer` does, escapes and odd indexes included.
    #[test]
    fn agrees_with_serde_json_pointer() {
        let v = json!({
            "a": {"b": [10, {"c": "x"}], "": {"": 1}},
            "m~n": 2, "s/t": 3, "0": "zero",
            "list": [[1, 2], [3]]
        });
        let paths = [
            "",
            "/",
            "/a",
            "/a/b",
            "/a/b/0",
            "/a/b/1/c",
            "/a/b/2",
            "/a/b/01",
            "/a/b/+1",
            "/a/b/-1",
            "/a/b/x",
            "/a/",
            "/a//",
            "/m~0n",
            "/s~1t",
            "/~2",
            "/0",
            "/list/0/1",
            "/list/1/0",
            "/list/1/1",
            "a",
            "/a/b/1/c/d",
            "/nope/deeper",
        ];
        for p in paths {
            assert_eq!(v.at(p), v.pointer(p), "{p:?}");
        }
        assert_eq!(json!(5).at("/x"), None);
    }
}
