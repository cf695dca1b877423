//! The schema table the strict checker walks: every served kind's fields and their types.
//!
//! `schema.txt` is generated from the k8s-openapi 0.29 (Kubernetes 1.33) types by a native test
//! (`table::schema_table_is_current`), which fails when the file and the types disagree. Shipping a
//! ~50 KB text table instead of k8s-openapi's typed deserializers keeps ~240 KB (gzip) of code out of
//! the page. Format, one line each:
//!
//! ```text
//! kind apps/v1/Deployment Deployment          # served group/version/kind -> its type
//! type DeploymentSpec minReadySeconds=?i32 selector=LabelSelector template=PodTemplateSpec ...
//! ```
//!
//! A field's type is a leaf (`str`, `i32`, `i64`, `f64`, `bool`, `quantity`, `time`, `intorstr`,
//! `bytes`, `any`), a struct's id, `?T` (Go pointer / Rust Option: null is nothing), `[T]` (list) or
//! `{T}` (map from string). Ids are Go struct names, with `~2`, `~3` when one name has two shapes
//! (autoscaling/v1 and v2 both have a `HorizontalPodAutoscalerSpec`).

use std::collections::HashMap;
use std::sync::OnceLock;

/// A type with no fields of its own, each with its own JSON rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leaf {
    Str,
    I32,
    I64,
    F64,
    Bool,
    /// resource.Quantity: a string in quantity syntax, or a number.
    Quantity,
    /// metav1.Time and MicroTime: an RFC 3339 string.
    Time,
    /// intstr.IntOrString: an int32 or a string.
    IntOrStr,
    /// []byte: a base64 string.
    Bytes,
    /// runtime.RawExtension and the like: any JSON.
    Any,
}

const LEAF_NAMES: [(Leaf, &str); 10] = [
    (Leaf::Str, "str"),
    (Leaf::I32, "i32"),
    (Leaf::I64, "i64"),
    (Leaf::F64, "f64"),
    (Leaf::Bool, "bool"),
    (Leaf::Quantity, "quantity"),
    (Leaf::Time, "time"),
    (Leaf::IntOrStr, "intorstr"),
    (Leaf::Bytes, "bytes"),
    (Leaf::Any, "any"),
];

impl Leaf {
    /// The table's word for it (the generator writes it; the parser reads `LEAF_NAMES`).
    #[cfg(test)]
    pub fn name(self) -> &'static str {
        LEAF_NAMES.iter().find(|(l, _)| *l == self).map(|(_, n)| *n).expect("every leaf has a name")
    }
}

/// A field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Leaf(Leaf),
    Opt(Box<Shape>),
    List(Box<Shape>),
    Map(Box<Shape>),
    /// An index into [`Schema::types`].
    Struct(usize),
}

/// One Go struct.
#[derive(Debug)]
pub struct TypeDef {
    /// The table's id (`HorizontalPodAutoscalerSpec~2`): what the explain documentation is keyed by.
    pub id: String,
    /// Go's name for it, as error messages print it (`DeploymentSpec`).
    pub go_name: String,
    pub fields: Vec<(String, Shape)>,
}

impl TypeDef {
    pub fn field(&self, name: &str) -> Option<&Shape> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

/// The parsed table.
#[derive(Debug)]
pub struct Schema {
    kinds: Vec<(String, usize)>,
    pub types: Vec<TypeDef>,
}

impl Schema {
    /// The type of `group/version/Kind` (core group: `/v1/Pod`), if the table has it.
    pub fn kind(&self, group: &str, version: &str, kind: &str) -> Option<usize> {
        let key = format!("{group}/{version}/{kind}");
        self.kinds.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
    }

    /// Every kind the table covers, as `group/version/Kind`.
    #[cfg(test)]
    pub fn kind_keys(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().map(|(k, _)| k.as_str())
    }
}

/// The table shipped with the app, parsed on first use.
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| parse(include_str!("schema.txt")).expect("schema.txt is generated and checked by tests"))
}

/// Parses the table text; the error names the line that is wrong.
pub fn parse(text: &str) -> Result<Schema, String> {
    let lines: Vec<(usize, Vec<&str>)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split_whitespace().collect::<Vec<_>>()))
        .filter(|(_, words)| words.first().is_some_and(|w| !w.starts_with('#')))
        .collect();
    let ids: HashMap<&str, usize> = lines
        .iter()
        .filter(|(_, w)| w[0] == "type")
        .enumerate()
        .filter_map(|(index, (_, w))| w.get(1).map(|id| (*id, index)))
        .collect();
    let mut schema = Schema { kinds: Vec::new(), types: Vec::new() };
    for (line, words) in &lines {
        let bad = |why: &str| format!("schema.txt line {line}: {why}");
        match words.as_slice() {
            ["kind", key, id] => {
                let t = *ids.get(id).ok_or_else(|| bad("unknown type"))?;
                schema.kinds.push((key.to_string(), t));
            }
            ["type", id, fields @ ..] => {
                let go_name = id.split('~').next().unwrap_or(id).to_string();
                let fields = fields
                    .iter()
                    .map(|f| {
                        let (name, shape) = f.split_once('=').ok_or_else(|| bad("a field needs name=type"))?;
                        let (shape, rest) = parse_shape(shape, &ids).ok_or_else(|| bad("bad type"))?;
                        if !rest.is_empty() {
                            return Err(bad("text after a type"));
                        }
                        Ok((name.to_string(), shape))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                schema.types.push(TypeDef { id: id.to_string(), go_name, fields });
            }
            _ => return Err(bad("expected `kind` or `type`")),
        }
    }
    Ok(schema)
}

fn parse_shape<'a>(s: &'a str, ids: &HashMap<&str, usize>) -> Option<(Shape, &'a str)> {
    let wrap = |inner: &'a str, close: Option<char>, make: fn(Box<Shape>) -> Shape| {
        let (shape, rest) = parse_shape(inner, ids)?;
        let rest = match close {
            Some(c) => rest.strip_prefix(c)?,
            None => rest,
        };
        Some((make(Box::new(shape)), rest))
    };
    if let Some(inner) = s.strip_prefix('?') {
        return wrap(inner, None, Shape::Opt);
    }
    if let Some(inner) = s.strip_prefix('[') {
        return wrap(inner, Some(']'), Shape::List);
    }
    if let Some(inner) = s.strip_prefix('{') {
        return wrap(inner, Some('}'), Shape::Map);
    }
    let end = s.find([']', '}']).unwrap_or(s.len());
    let (word, rest) = s.split_at(end);
    let shape = match LEAF_NAMES.iter().find(|(_, n)| *n == word) {
        Some((leaf, _)) => Shape::Leaf(*leaf),
        None => Shape::Struct(*ids.get(word)?),
    };
    Some((shape, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_shapes_and_forward_references() {
        let s = parse("kind g/v1/Thing Thing\ntype Thing a=?[Item] b={[str]} c=quantity\ntype Item x=i32\n").unwrap();
        let thing = &s.types[s.kind("g", "v1", "Thing").unwrap()];
        assert_eq!(thing.field("a"), Some(&Shape::Opt(Box::new(Shape::List(Box::new(Shape::Struct(1)))))));
        assert_eq!(thing.field("b"), Some(&Shape::Map(Box::new(Shape::List(Box::new(Shape::Leaf(Leaf::Str)))))));
        assert_eq!(thing.field("c"), Some(&Shape::Leaf(Leaf::Quantity)));
        assert_eq!(s.kind("g", "v2", "Thing"), None);
    }

    #[test]
    fn names_the_bad_line() {
        for (text, want) in [
            ("type A x=Nope\n", "schema.txt line 1: bad type"),
            ("# c\ntype A x=[str\n", "schema.txt line 2: bad type"),
            ("type A x\n", "schema.txt line 1: a field needs name=type"),
            ("kind g/v1/A B\n", "schema.txt line 1: unknown type"),
            ("types A\n", "schema.txt line 1: expected `kind` or `type`"),
            ("type A x=str]\n", "schema.txt line 1: text after a type"),
        ] {
            assert_eq!(parse(text).unwrap_err(), want, "{text}");
        }
    }

    #[test]
    fn the_shipped_table_parses_and_splits_same_named_types() {
        let s = schema();
        let hpa = |v| &s.types[s.kind("autoscaling", v, "HorizontalPodAutoscaler").expect("both HPA versions")];
        assert_eq!(hpa("v1").go_name, hpa("v2").go_name);
        assert_ne!(hpa("v1").field("spec"), hpa("v2").field("spec"));
    }
}
