//! Reads the shape of a k8s-openapi type by deserializing it from a deserializer that records calls.
//!
//! k8s-openapi's generated `Deserialize` impls name every field they know in `deserialize_struct`
//! and ask for each field's Rust type through the matching `deserialize_*` call, so one pass with a
//! recording deserializer gives the whole type tree: structs with their JSON field names, options,
//! lists, maps and the special leaves (Quantity, Time, IntOrString, base64 bytes, raw JSON). This is
//! how the schema table in `schema.txt` is made; it runs natively in tests, never in the browser.

use super::schema::Leaf;
use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// A traced Rust type, as a tree (shared structs are repeated; the table generator dedupes them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Traced {
    Leaf(Leaf),
    Opt(Box<Traced>),
    List(Box<Traced>),
    Map(Box<Traced>),
    Struct { name: &'static str, fields: Vec<(&'static str, Traced)> },
}

/// Traces the shape of a resource type. A resource's apiVersion and kind (at the top, or nested as in
/// `volumeClaimTemplates`) are checked against the type's constants by k8s-openapi, so they are
/// recorded as optional strings rather than fed a value: in Go they are plain `TypeMeta` strings.
pub(super) fn trace_resource<T: de::DeserializeOwned>() -> Traced {
    let slot = Slot::default();
    T::deserialize(Tracer { slot: slot.clone(), depth: 0 })
        .expect("a recording deserializer never fails a k8s-openapi type");
    slot.take()
}

#[derive(Clone, Default)]
struct Slot(Rc<RefCell<Option<Traced>>>);

impl Slot {
    fn set(&self, t: Traced) {
        *self.0.borrow_mut() = Some(t);
    }
    fn take(&self) -> Traced {
        self.0.borrow_mut().take().expect("every traced value records its shape")
    }
}

/// The error type serde requires; tracing a k8s-openapi type never produces one.
#[derive(Debug)]
pub(super) struct TraceError(String);

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for TraceError {}
impl de::Error for TraceError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        TraceError(msg.to_string())
    }
}

struct Tracer {
    slot: Slot,
    depth: usize,
}

impl Tracer {
    fn child(&self) -> (Tracer, Slot) {
        let slot = Slot::default();
        (Tracer { slot: slot.clone(), depth: self.depth + 1 }, slot)
    }
    fn sample<'de, V: Visitor<'de>>(visitor: V, text: &'de str) -> Result<V::Value, TraceError> {
        visitor.visit_newtype_struct(StrDeserializer::<TraceError>::new(text))
    }
}

/// What a visitor says it expects: how the special k8s-openapi types are told apart.
fn expecting(visitor: &dyn de::Expected) -> String {
    struct Show<'a>(&'a dyn de::Expected);
    impl fmt::Display for Show<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt(f)
        }
    }
    Show(visitor).to_string()
}

macro_rules! leaves {
    ($($method:ident => $leaf:ident, $visit:ident($zero:expr)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
            self.slot.set(Traced::Leaf(Leaf::$leaf));
            visitor.$visit($zero)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Tracer {
    type Error = TraceError;

    leaves! {
        deserialize_bool => Bool, visit_bool(false),
        deserialize_i32 => I32, visit_i32(0),
        deserialize_i64 => I64, visit_i64(0),
        deserialize_f64 => F64, visit_f64(0.0),
        deserialize_str => Str, visit_str(""),
        deserialize_string => Str, visit_str(""),
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        match expecting(&visitor).as_str() {
            "IntOrString" => {
                self.slot.set(Traced::Leaf(Leaf::IntOrStr));
                visitor.visit_i32(0)
            }
            other => panic!("unexpected deserialize_any for {other:?}: teach the tracer this type"),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        if expecting(&visitor) == "a base64-encoded string" {
            self.slot.set(Traced::Leaf(Leaf::Bytes));
            return visitor.visit_none();
        }
        let (inner, slot) = self.child();
        let value = visitor.visit_some(inner)?;
        self.slot.set(Traced::Opt(Box::new(slot.take())));
        Ok(value)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        let (item, slot) = self.child();
        let value = visitor.visit_seq(OneItem(Some(item)))?;
        self.slot.set(Traced::List(Box::new(slot.take())));
        Ok(value)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        let (item, slot) = self.child();
        let value = visitor.visit_map(OneEntry { value: Some(item), key_given: false })?;
        self.slot.set(Traced::Map(Box::new(slot.take())));
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TraceError> {
        assert!(self.depth < 40, "{name}: types nest deeper than 40; a recursive type needs a reference here");
        // A resource (also one nested as a template) checks apiVersion and kind against its constants.
        let root = ["apiVersion", "kind", "metadata"].iter().all(|f| fields.contains(f));
        let wanted: Vec<&'static str> =
            fields.iter().copied().filter(|f| !(root && (*f == "apiVersion" || *f == "kind"))).collect();
        let slots: Vec<Slot> = wanted.iter().map(|_| Slot::default()).collect();
        let access = Fields { names: &wanted, slots: &slots, next: 0, depth: self.depth + 1 };
        let value = visitor.visit_map(access)?;
        let mut traced: Vec<(&'static str, Traced)> = Vec::new();
        if root {
            traced.push(("apiVersion", Traced::Opt(Box::new(Traced::Leaf(Leaf::Str)))));
            traced.push(("kind", Traced::Opt(Box::new(Traced::Leaf(Leaf::Str)))));
        }
        traced.extend(wanted.iter().zip(&slots).map(|(f, s)| (*f, s.take())));
        self.slot.set(Traced::Struct { name, fields: traced });
        Ok(value)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, TraceError> {
        let (leaf, sample) = match name {
            "Quantity" => (Leaf::Quantity, "1"),
            "Time" => (Leaf::Time, "2025-01-01T00:00:00Z"),
            "MicroTime" => (Leaf::Time, "2025-01-01T00:00:00.000000Z"),
            "RawExtension" | "FieldsV1" | "JSON" => (Leaf::Any, "{}"),
            other => panic!("unexpected newtype struct {other}: teach the tracer this type"),
        };
        self.slot.set(Traced::Leaf(leaf));
        Tracer::sample(visitor, sample)
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'de>>
        i8 i16 u8 u16 u32 u64 i128 u128 f32 char bytes byte_buf unit unit_struct tuple tuple_struct enum
        identifier ignored_any
    }
}

/// A sequence of one traced item.
struct OneItem(Option<Tracer>);

impl<'de> SeqAccess<'de> for OneItem {
    type Error = TraceError;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, TraceError> {
        self.0.take().map(|item| seed.deserialize(item)).transpose()
    }
}

/// A map of one entry: the key `k`, and a traced value.
struct OneEntry {
    value: Option<Tracer>,
    key_given: bool,
}

impl<'de> MapAccess<'de> for OneEntry {
    type Error = TraceError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, TraceError> {
        if self.key_given {
            return Ok(None);
        }
        self.key_given = true;
        seed.deserialize(StrDeserializer::new("k")).map(Some)
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, TraceError> {
        seed.deserialize(self.value.take().expect("one value per key"))
    }
}

/// A struct's fields, each given once with a traced value.
struct Fields<'a> {
    names: &'a [&'static str],
    slots: &'a [Slot],
    next: usize,
    depth: usize,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = TraceError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, TraceError> {
        match self.names.get(self.next) {
            Some(name) => seed.deserialize(StrDeserializer::new(name)).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, TraceError> {
        let slot = self.slots[self.next].clone();
        self.next += 1;
        seed.deserialize(Tracer { slot, depth: self.depth })
    }
}
