//! The reference decoder: a serde `Deserializer` over a `serde_json::Value` that remembers where it is.
//!
//! k8s-openapi's generated code skips unknown fields by deserializing them as `IgnoredAny`; this
//! deserializer notes the path of every such field instead, which is exactly the apiserver's strict
//! field validation. It also names the Go struct and field path of a type error, mimics Go's
//! leniency (a JSON `null` leaves a field at its zero value), and checks the formats Go checks while
//! decoding: quantities, timestamps, base64.

use super::super::walk::{Loc, is_rfc3339};
use crate::sim::api::base64;
use crate::sim::api::quantity::parse_quantity;
use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Decodes `v` into `T`, returning the paths of unknown fields, or Go's message for the first bad value.
pub(super) fn probe<T: de::DeserializeOwned>(v: &Value) -> Result<Vec<String>, String> {
    let unknown = RefCell::new(Vec::new());
    let de = De { v, loc: Loc::default(), unknown: &unknown };
    match T::deserialize(de) {
        Ok(_) => Ok(unknown.into_inner()),
        Err(e) => Err(e.message()),
    }
}

/// An error while decoding; `Located` once it carries Go's full message.
#[derive(Debug)]
pub(super) enum Error {
    /// serde's type mismatch, not yet placed.
    Type { expected: String },
    /// Any other message, not yet placed.
    Custom(String),
    /// The final, Go-worded message.
    Located(String),
}

impl Error {
    fn message(self) -> String {
        match self {
            Error::Type { expected } => {
                format!("json: cannot unmarshal value into Go value of type {}", go_type(&expected, ""))
            }
            Error::Custom(m) | Error::Located(m) => m,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Type { expected } => write!(f, "expected {expected}"),
            Error::Custom(m) | Error::Located(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
    fn invalid_type(_unexp: Unexpected, exp: &dyn Expected) -> Self {
        Error::Type { expected: exp.to_string() }
    }
    fn invalid_value(_unexp: Unexpected, exp: &dyn Expected) -> Self {
        Error::Type { expected: exp.to_string() }
    }
}

/// Go's name for what serde expected, e.g. `i32` -> `int32`, `DeploymentSpec` -> `v1.DeploymentSpec`.
fn go_type(expected: &str, field: &str) -> String {
    match expected {
        "i32" | "a 32-bit integer" => "int32".into(),
        "i64" => "int64".into(),
        "f64" => "float64".into(),
        "a boolean" => "bool".into(),
        "a string" | "field identifier" => "string".into(),
        "a map" => "map[string]string".into(),
        "a sequence" => go_slice_type(field),
        "IntOrString" => "intstr.IntOrString".into(),
        "Quantity" => "resource.Quantity".into(),
        "a base64-encoded string" => "[]uint8".into(),
        other if other.chars().all(|c| c.is_ascii_alphanumeric()) && !other.is_empty() => format!("v1.{other}"),
        other => other.to_string(),
    }
}

/// Go's slice type for a list field, guessed from the field name (serde does not say).
fn go_slice_type(field: &str) -> String {
    const STRINGS: &[&str] = &[
        "args",
        "command",
        "finalizers",
        "values",
        "verbs",
        "resources",
        "apiGroups",
        "resourceNames",
        "nonResourceURLs",
        "hostnames",
        "nameservers",
        "searches",
        "addresses",
        "externalIPs",
        "clusterIPs",
        "add",
        "drop",
        "accessModes",
        "mountOptions",
        "policyTypes",
        "hosts",
        "ipFamilies",
    ];
    const NAMED: &[(&str, &str)] = &[
        ("containers", "Container"),
        ("initContainers", "Container"),
        ("env", "EnvVar"),
        ("envFrom", "EnvFromSource"),
        ("volumes", "Volume"),
        ("volumeMounts", "VolumeMount"),
        ("tolerations", "Toleration"),
        ("imagePullSecrets", "LocalObjectReference"),
        ("matchExpressions", "LabelSelectorRequirement"),
        ("ownerReferences", "OwnerReference"),
        ("items", "KeyToPath"),
        ("rules", "PolicyRule"),
        ("subjects", "Subject"),
        ("volumeClaimTemplates", "PersistentVolumeClaim"),
        ("conditions", "Condition"),
        ("hostAliases", "HostAlias"),
        ("topologySpreadConstraints", "TopologySpreadConstraint"),
        ("limits", "LimitRangeItem"),
    ];
    if STRINGS.contains(&field) {
        return "[]string".into();
    }
    match NAMED.iter().find(|(f, _)| *f == field) {
        Some((_, t)) => format!("[]v1.{t}"),
        None => "[]interface {}".into(),
    }
}

struct De<'a> {
    v: &'a Value,
    loc: Loc<'static>,
    unknown: &'a RefCell<Vec<String>>,
}

/// Shows what a visitor expects, to recognise k8s-openapi types that serde does not name.
struct ShowExpected<'a>(&'a dyn Expected);

impl fmt::Display for ShowExpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'a> De<'a> {
    fn child(&self, v: &'a Value, loc: Loc<'static>) -> De<'a> {
        De { v, loc, unknown: self.unknown }
    }

    /// Places an unplaced error at this value, in Go's words.
    fn locate(&self, e: Error) -> Error {
        match e {
            Error::Type { expected } => {
                let field = self.loc.go.rsplit('.').next().unwrap_or("");
                let into = if self.loc.parent.is_empty() {
                    "Go value".to_string()
                } else {
                    format!("Go struct field {}.{}", self.loc.parent, self.loc.go)
                };
                Error::Located(format!(
                    "json: cannot unmarshal {} into {into} of type {}",
                    super::super::walk::go_kind(
                        self.v,
                        matches!(expected.as_str(), "i32" | "i64" | "a 32-bit integer" | "IntOrString")
                    ),
                    go_type(&expected, field)
                ))
            }
            Error::Custom(m) => Error::Located(m),
            located => located,
        }
    }

    fn any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.v {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(0.0))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq { de: &self, items, next: 0 }),
            Value::Object(map) => visitor.visit_map(Fields::new(&self, map, None)),
        };
        result.map_err(|e| self.locate(e))
    }

    fn checked_quantity(&self) -> Result<(), Error> {
        let bad = match self.v {
            Value::String(s) => parse_quantity(s).err().map(|e| e.to_string()),
            Value::Number(_) | Value::Null => None,
            other => parse_quantity(&other.to_string()).err().map(|e| e.to_string()),
        };
        bad.map_or(Ok(()), |m| Err(Error::Located(m)))
    }

    fn checked_time(&self) -> Result<(), Error> {
        match self.v {
            Value::String(s) if !is_rfc3339(s) => Err(Error::Located(format!(
                "parsing time {:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {:?} as \"2006\"",
                s, s
            ))),
            _ => Ok(()),
        }
    }
}

macro_rules! zero_if_null {
    ($($method:ident => $zero:expr),* $(,)?) => {
        $(fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
            if self.v.is_null() {
                #[allow(clippy::redundant_closure_call)]
                return ($zero)(visitor).map_err(|e| self.locate(e));
            }
            self.any(visitor)
        })*
    };
}

impl<'a> de::Deserializer<'a> for De<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.any(visitor)
    }

    // Go leaves a non-pointer field at its zero value when the JSON says `null`.
    zero_if_null! {
        deserialize_bool => |v: V| v.visit_bool(false),
        deserialize_i8 => |v: V| v.visit_i64(0), deserialize_i16 => |v: V| v.visit_i64(0),
        deserialize_i32 => |v: V| v.visit_i64(0), deserialize_i64 => |v: V| v.visit_i64(0),
        deserialize_u8 => |v: V| v.visit_u64(0), deserialize_u16 => |v: V| v.visit_u64(0),
        deserialize_u32 => |v: V| v.visit_u64(0), deserialize_u64 => |v: V| v.visit_u64(0),
        deserialize_f32 => |v: V| v.visit_f64(0.0), deserialize_f64 => |v: V| v.visit_f64(0.0),
        deserialize_str => |v: V| v.visit_str(""), deserialize_string => |v: V| v.visit_str(""),
        deserialize_identifier => |v: V| v.visit_str(""),
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.v.is_null() {
            return visitor.visit_none();
        }
        if ShowExpected(&visitor).to_string() == "a base64-encoded string"
            && let Value::String(s) = self.v
        {
            base64::decode(s).map_err(|e| Error::Located(e.to_string()))?;
        }
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.v {
            Value::Null => visitor.visit_seq(Seq { de: &self, items: &[], next: 0 }).map_err(|e| self.locate(e)),
            _ => self.any(visitor),
        }
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.v {
            Value::Null => visitor.visit_map(Fields::empty(&self)).map_err(|e| self.locate(e)),
            _ => self.any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.v {
            Value::Object(map) => visitor.visit_map(Fields::new(&self, map, Some(name))).map_err(|e| self.locate(e)),
            Value::Null => visitor.visit_map(Fields::empty(&self)).map_err(|e| self.locate(e)),
            _ => self.any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, name: &'static str, visitor: V) -> Result<V::Value, Error> {
        match name {
            "Quantity" => self.checked_quantity()?,
            "Time" | "MicroTime" => self.checked_time()?,
            _ => {}
        }
        let here = De { v: self.v, loc: self.loc.clone(), unknown: self.unknown };
        visitor.visit_newtype_struct(self).map_err(|e| here.locate(e))
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        // Only unknown fields are skipped this way by k8s-openapi: that is strict validation's finding.
        self.unknown.borrow_mut().push(self.loc.strict.clone());
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct enum
    }
}

struct Seq<'d, 'a> {
    de: &'d De<'a>,
    items: &'a [Value],
    next: usize,
}

impl<'a> SeqAccess<'a> for Seq<'_, 'a> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(item) = self.items.get(self.next) else { return Ok(None) };
        let loc = self.de.loc.index(self.next);
        self.next += 1;
        seed.deserialize(self.de.child(item, loc)).map(Some)
    }
}

struct Fields<'d, 'a> {
    de: &'d De<'a>,
    entries: Vec<(&'a String, &'a Value)>,
    next: usize,
    struct_name: Option<&'static str>,
}

impl<'d, 'a> Fields<'d, 'a> {
    fn new(de: &'d De<'a>, map: &'a Map<String, Value>, struct_name: Option<&'static str>) -> Self {
        Fields { de, entries: map.iter().collect(), next: 0, struct_name }
    }
    fn empty(de: &'d De<'a>) -> Self {
        Fields { de, entries: Vec::new(), next: 0, struct_name: None }
    }
}

impl<'a> MapAccess<'a> for Fields<'_, 'a> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, _)) = self.entries.get(self.next) else { return Ok(None) };
        let key: &'a str = key.as_str();
        seed.deserialize(key.into_deserializer()).map(Some)
    }
    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let Some(&(key, value)) = self.entries.get(self.next) else {
            return Err(Error::Custom("value requested before key".into()));
        };
        self.next += 1;
        let loc = match self.struct_name {
            Some(name) => self.de.loc.field(name, key),
            None => self.de.loc.map_entry(key),
        };
        seed.deserialize(self.de.child(value, loc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_go_types() {
        assert_eq!(go_type("i32", "replicas"), "int32");
        assert_eq!(go_type("DeploymentSpec", "spec"), "v1.DeploymentSpec");
        assert_eq!(go_type("a sequence", "containers"), "[]v1.Container");
        assert_eq!(go_type("a sequence", "args"), "[]string");
    }
}
