//! Walks an object against the schema table as the apiserver's strict JSON decoder would.
//!
//! It collects the path of every field its struct does not have (strict validation's finding) and
//! stops at the first value of the wrong type with Go's `encoding/json` message, naming the Go
//! struct and the field path without indices: `json: cannot unmarshal string into Go struct field
//! DeploymentSpec.spec.replicas of type int32`. Like Go, a JSON `null` leaves a field at its zero
//! value, and the formats Go checks while decoding (quantities, timestamps, base64) are checked here.

use super::super::base64;
use super::super::quantity::parse_quantity;
use super::schema::{Leaf, Schema, Shape};
use serde_json::Value;

/// Checks `obj` against struct `root`: the unknown fields' paths, or Go's message for a bad value.
pub(super) fn check(schema: &Schema, root: usize, obj: &Value) -> Result<Vec<String>, String> {
    let mut walk = Walk { schema, unknown: Vec::new() };
    walk.value(obj, &Shape::Struct(root), &Loc::default())?;
    Ok(walk.unknown)
}

/// Where a value sits: the strict path (`spec.containers[0].name`), Go's path for type errors
/// (`spec.containers.name`, no indices) and the Go struct that holds the field.
#[derive(Clone, Default)]
pub(super) struct Loc<'s> {
    pub strict: String,
    pub go: String,
    pub parent: &'s str,
}

impl<'s> Loc<'s> {
    pub fn field(&self, struct_name: &'s str, key: &str) -> Loc<'s> {
        Loc { strict: join(&self.strict, key), go: join(&self.go, key), parent: struct_name }
    }
    pub fn index(&self, i: usize) -> Loc<'s> {
        Loc { strict: format!("{}[{i}]", self.strict), ..self.clone() }
    }
    pub fn map_entry(&self, key: &str) -> Loc<'s> {
        Loc { strict: join(&self.strict, key), ..self.clone() }
    }
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() { key.to_string() } else { format!("{base}.{key}") }
}

struct Walk<'s> {
    schema: &'s Schema,
    unknown: Vec<String>,
}

impl<'s> Walk<'s> {
    fn value(&mut self, v: &Value, shape: &Shape, loc: &Loc<'s>) -> Result<(), String> {
        match (shape, v) {
            (Shape::Opt(_), Value::Null) => Ok(()),
            (Shape::Opt(inner), _) => self.value(v, inner, loc),
            (Shape::Leaf(leaf), _) => leaf_value(v, *leaf, loc),
            // Go decodes `null` into a slice, map or struct as its zero value.
            (Shape::List(_) | Shape::Map(_) | Shape::Struct(_), Value::Null) => Ok(()),
            (Shape::List(item), Value::Array(items)) => {
                items.iter().enumerate().try_for_each(|(i, x)| self.value(x, item, &loc.index(i)))
            }
            (Shape::Map(item), Value::Object(map)) => {
                map.iter().try_for_each(|(k, x)| self.value(x, item, &loc.map_entry(k)))
            }
            (Shape::Struct(id), Value::Object(map)) => {
                let def = &self.schema.types[*id];
                for (key, x) in map {
                    match def.field(key) {
                        Some(field) => self.value(x, field, &loc.field(&def.go_name, key))?,
                        None => self.unknown.push(loc.field(&def.go_name, key).strict),
                    }
                }
                Ok(())
            }
            _ => Err(type_error(v, loc, &go_type(self.schema, shape), false)),
        }
    }
}

fn leaf_value(v: &Value, leaf: Leaf, loc: &Loc) -> Result<(), String> {
    let ok = match (leaf, v) {
        (Leaf::Any, _)
        | (Leaf::Str | Leaf::Bool | Leaf::I32 | Leaf::I64 | Leaf::F64 | Leaf::Bytes | Leaf::Time, Value::Null) => true,
        (Leaf::Str, Value::String(_)) | (Leaf::Bool, Value::Bool(_)) | (Leaf::F64, Value::Number(_)) => true,
        (Leaf::I32 | Leaf::IntOrStr, Value::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        (Leaf::I64, Value::Number(n)) => n.as_i64().is_some(),
        (Leaf::IntOrStr, Value::String(_)) => true,
        (Leaf::Quantity, Value::Number(_)) => true,
        (Leaf::Quantity, Value::String(s)) => return parse_quantity(s).map(drop).map_err(|e| e.to_string()),
        // Go's Quantity.UnmarshalJSON parses whatever it is given as quantity text.
        (Leaf::Quantity, Value::Bool(_) | Value::Array(_) | Value::Object(_)) => {
            return parse_quantity(&v.to_string()).map(drop).map_err(|e| e.to_string());
        }
        (Leaf::Time, Value::String(s)) if is_rfc3339(s) => true,
        (Leaf::Time, Value::String(s)) => {
            return Err(format!("parsing time {s:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {s:?} as \"2006\""));
        }
        // metav1.Time.UnmarshalJSON decodes into a plain string first, so its error has no field.
        (Leaf::Time, _) => {
            return Err(format!("json: cannot unmarshal {} into Go value of type string", go_kind(v, false)));
        }
        (Leaf::Bytes, Value::String(s)) => return base64::decode(s).map(drop).map_err(|e| e.to_string()),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    // An integer that is out of range is reported as an int32 even for IntOrString.
    let integer = matches!(leaf, Leaf::I32 | Leaf::I64 | Leaf::IntOrStr);
    let out_of_range = leaf == Leaf::IntOrStr && v.as_number().is_some_and(|n| n.as_i64().is_some() || n.is_u64());
    let go = if out_of_range { "int32".to_string() } else { leaf_go_type(leaf).to_string() };
    Err(type_error(v, loc, &go, integer))
}

/// `json: cannot unmarshal <what> into Go struct field <Struct>.<path> of type <type>`.
pub(super) fn type_error(v: &Value, loc: &Loc, go_type: &str, integer: bool) -> String {
    let into = if loc.parent.is_empty() {
        "Go value".to_string()
    } else {
        format!("Go struct field {}.{}", loc.parent, loc.go)
    };
    format!("json: cannot unmarshal {} into {into} of type {go_type}", go_kind(v, integer))
}

/// Go's word for a JSON value in `cannot unmarshal X into ...`: numbers show themselves when the
/// target is an integer (Go prints the literal it could not fit).
pub(super) fn go_kind(v: &Value, integer: bool) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::String(_) => "string".into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
        Value::Number(n) if integer => format!("number {n}"),
        Value::Number(_) => "number".into(),
    }
}

fn leaf_go_type(leaf: Leaf) -> &'static str {
    match leaf {
        Leaf::Str => "string",
        Leaf::I32 => "int32",
        Leaf::I64 => "int64",
        Leaf::F64 => "float64",
        Leaf::Bool => "bool",
        Leaf::Quantity => "resource.Quantity",
        Leaf::Time => "v1.Time",
        Leaf::IntOrStr => "intstr.IntOrString",
        Leaf::Bytes => "[]uint8",
        Leaf::Any => "interface {}",
    }
}

/// Go's name for a field's type. Every struct is printed in package `v1`, as most are (the
/// autoscaling/v2 ones are really `v2.`; see the README's simplifications).
fn go_type(schema: &Schema, shape: &Shape) -> String {
    match shape {
        Shape::Leaf(leaf) => leaf_go_type(*leaf).into(),
        Shape::Opt(inner) => go_type(schema, inner),
        Shape::List(item) => format!("[]{}", go_type(schema, item)),
        Shape::Map(item) if **item == Shape::Leaf(Leaf::Quantity) => "v1.ResourceList".into(),
        Shape::Map(item) => format!("map[string]{}", go_type(schema, item)),
        Shape::Struct(id) => format!("v1.{}", schema.types[*id].go_name),
    }
}

/// `2006-01-02T15:04:05Z`, optional fraction, `Z` or `+hh:mm`: what metav1.Time accepts.
pub(super) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_rfc3339() {
        for (s, ok) in [
            ("2025-01-01T00:00:00Z", true),
            ("2025-01-01T00:00:00.123Z", true),
            ("2025-01-01T00:00:00+02:00", true),
            ("2025-01-01", false),
            ("yesterday", false),
            ("2025-01-01T00:00:00", false),
            ("2025-01-01T00:00:00.Z", false),
        ] {
            assert_eq!(is_rfc3339(s), ok, "{s}");
        }
    }

    #[test]
    fn leaves_take_what_go_takes() {
        let loc = Loc { strict: "spec.x".into(), go: "spec.x".into(), parent: "S" };
        let cases: &[(Leaf, Value, Option<&str>)] = &[
            (Leaf::I32, json!(2147483647), None),
            (Leaf::I32, json!(-2147483648), None),
            (
                Leaf::I32,
                json!(2147483648u64),
                Some("json: cannot unmarshal number 2147483648 into Go struct field S.spec.x of type int32"),
            ),
            (
                Leaf::I64,
                json!(1.5),
                Some("json: cannot unmarshal number 1.5 into Go struct field S.spec.x of type int64"),
            ),
            (
                Leaf::F64,
                json!("1"),
                Some("json: cannot unmarshal string into Go struct field S.spec.x of type float64"),
            ),
            (
                Leaf::IntOrStr,
                json!(1.5),
                Some("json: cannot unmarshal number 1.5 into Go struct field S.spec.x of type intstr.IntOrString"),
            ),
            (
                Leaf::IntOrStr,
                json!(4294967296u64),
                Some("json: cannot unmarshal number 4294967296 into Go struct field S.spec.x of type int32"),
            ),
            (
                Leaf::IntOrStr,
                json!(null),
                Some("json: cannot unmarshal null into Go struct field S.spec.x of type intstr.IntOrString"),
            ),
            (
                Leaf::Quantity,
                json!(null),
                Some("json: cannot unmarshal null into Go struct field S.spec.x of type resource.Quantity"),
            ),
            (Leaf::Quantity, json!(0.5), None),
            (Leaf::Time, json!(null), None),
            (Leaf::Time, json!(5), Some("json: cannot unmarshal number into Go value of type string")),
            (Leaf::Bytes, json!(null), None),
            (
                Leaf::Bytes,
                json!(7),
                Some("json: cannot unmarshal number into Go struct field S.spec.x of type []uint8"),
            ),
            (Leaf::Any, json!({"a": [1]}), None),
            (Leaf::Str, json!(null), None),
            (
                Leaf::Bool,
                json!("true"),
                Some("json: cannot unmarshal string into Go struct field S.spec.x of type bool"),
            ),
        ];
        for (leaf, v, want) in cases {
            assert_eq!(leaf_value(v, *leaf, &loc).err().as_deref(), *want, "{leaf:?} {v}");
        }
    }
}
