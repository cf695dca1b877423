//! Proves the table walk decides as decoding into the k8s-openapi structs does.
//!
//! Two sources of objects: every document of the shared manifest corpus, and objects generated from
//! the schema with wrong types, nulls, huge numbers and misspelt keys planted at random depths (a
//! seeded RNG, so a failure is reproducible). The unknown-field lists and the error messages must be
//! identical, with three deliberate differences where the typed path was wrong about Go:
//! - a list or map of the wrong type: serde does not say the element type, so the typed path guessed
//!   it from the field name (`[]interface {}`, `map[string]string`); the table knows it;
//! - timestamps: the typed path rejected `null` and reported non-strings in jiff's words; the table
//!   follows metav1.Time (null is the zero time); generated objects never plant a bad timestamp;
//! - required fields: k8s-openapi refuses a few missing ones (`missing field \`lastTransitionTime\``),
//!   Go's decoder never does (a missing field is left at its zero value; validation may object later).

use super::reference::probe_kind;
use super::schema::{Leaf, Schema, Shape, schema};
use super::walk::check;
use crate::sim::api::decode_documents;
use crate::sim::api::registry::{for_kind, split_api_version};
use crate::sim::rng::Rng;
use serde_json::{Map, Value, json};

type Outcome = Result<Vec<String>, String>;

fn both(group: &str, version: &str, kind: &str, obj: &Value) -> Option<(Outcome, Outcome)> {
    let s = schema();
    let root = s.kind(group, version, kind)?;
    let typed = probe_kind(group, version, kind, obj).expect("every kind in the table has a typed form");
    Some((typed, check(s, root, obj)))
}

/// Equal, or both errors that differ only in a list or map type the typed path had to guess.
fn agree(typed: &Outcome, table: &Outcome) -> bool {
    match (typed, table) {
        (Err(a), _) if a.starts_with("missing field") => true,
        (Err(a), Err(b)) if a != b => {
            let (Some((pa, ta)), Some((pb, _))) = (a.split_once(" of type "), b.split_once(" of type ")) else {
                return false;
            };
            pa == pb && (ta.starts_with("[]") || ta.starts_with("map["))
        }
        _ => typed == table,
    }
}

#[test]
fn agrees_on_every_corpus_document() {
    let Some(root) = crate::test_support::corpus_root() else { return };
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut compared = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for doc in decode_documents(&text).into_iter().flatten() {
            let v = &doc.value;
            let (api_version, kind) = (v["apiVersion"].as_str().unwrap_or(""), v["kind"].as_str().unwrap_or(""));
            let Ok(rt) = for_kind(api_version, kind) else { continue };
            let (_, version) = split_api_version(api_version);
            if let Some((typed, table)) = both(rt.group, version, rt.kind, v) {
                assert!(agree(&typed, &table), "{}:{}: typed {typed:?} vs table {table:?}", file.display(), doc.line);
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "only {compared} corpus documents were compared");
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(p);
        }
    }
}

#[test]
fn agrees_on_generated_objects() {
    let s = schema();
    let mut rng = Rng::new(0x5eed);
    let mut outcomes = [0usize; 4];
    for kind in s.kind_keys() {
        let (group, rest) = kind.split_once('/').expect("group/version/Kind");
        let (version, name) = rest.split_once('/').expect("version/Kind");
        let root = s.kind(group, version, name).expect("listed kind");
        for round in 0..60 {
            let mut maker = Gen { s, rng: &mut rng, depth: 0, plant: 1 + round % 3 };
            let mut obj = maker.structure(root);
            obj["apiVersion"] =
                json!(if group.is_empty() { version.to_string() } else { format!("{group}/{version}") });
            obj["kind"] = json!(name);
            let (typed, table) = both(group, version, name, &obj).expect("listed kind");
            assert!(agree(&typed, &table), "{kind} round {round}: typed {typed:?} vs table {table:?}\n{obj:#}");
            let missing = matches!(&typed, Err(m) if m.starts_with("missing field"));
            outcomes[match &table {
                _ if missing => 3,
                Ok(f) if f.is_empty() => 0,
                Ok(_) => 1,
                Err(_) => 2,
            }] += 1;
        }
    }
    // The generator must exercise all three outcomes, or this test proves little.
    let [clean, unknown, bad, missing] = outcomes;
    assert!(
        clean > 100 && unknown > 100 && bad > 100 && missing < bad,
        "clean / unknown / bad / missing: {outcomes:?}"
    );
}

/// Makes objects that mostly fit the schema, with a few planted faults.
struct Gen<'a> {
    s: &'a Schema,
    rng: &'a mut Rng,
    depth: usize,
    /// 1 in how many values is a fault (0 = none).
    plant: u64,
}

impl Gen<'_> {
    fn chance(&mut self, one_in: u64) -> bool {
        one_in > 0 && self.rng.below(one_in * 12) == 0
    }

    fn structure(&mut self, id: usize) -> Value {
        let fields = self.s.types[id].fields.clone();
        let mut map = Map::new();
        for (name, shape) in fields {
            if name == "apiVersion" || name == "kind" || self.rng.below(3) == 0 {
                continue;
            }
            let v = self.value(&shape);
            map.insert(name, v);
        }
        if self.chance(self.plant) {
            map.insert(format!("x{}", self.rng.name_suffix(3)), json!(1));
        }
        Value::Object(map)
    }

    fn value(&mut self, shape: &Shape) -> Value {
        if self.chance(self.plant) && !matches!(shape, Shape::Leaf(Leaf::Time | Leaf::Any) | Shape::Opt(_)) {
            return self.wrong();
        }
        if self.depth > 6 {
            return Value::Null;
        }
        self.depth += 1;
        let v = match shape {
            Shape::Opt(inner) if self.rng.below(8) == 0 => {
                let _ = inner;
                Value::Null
            }
            Shape::Opt(inner) => self.value(inner),
            Shape::List(item) => Value::Array((0..self.rng.below(3)).map(|_| self.value(item)).collect()),
            Shape::Map(item) => {
                Value::Object((0..self.rng.below(3)).map(|i| (format!("k{i}"), self.value(item))).collect())
            }
            Shape::Struct(id) => self.structure(*id),
            Shape::Leaf(leaf) => self.leaf(*leaf),
        };
        self.depth -= 1;
        v
    }

    fn leaf(&mut self, leaf: Leaf) -> Value {
        match leaf {
            Leaf::Str => json!("text"),
            Leaf::I32 | Leaf::IntOrStr if self.rng.below(10) == 0 => json!(3_000_000_000u64),
            Leaf::I32 | Leaf::I64 => json!(self.rng.below(100)),
            Leaf::IntOrStr => {
                if self.rng.below(2) == 0 {
                    json!(8080)
                } else {
                    json!("http")
                }
            }
            Leaf::F64 => json!(0.5),
            Leaf::Bool => json!(true),
            Leaf::Quantity => {
                [json!("100m"), json!(2), json!("1Gi"), json!("lots"), json!(true)][self.rng.below(5) as usize].clone()
            }
            Leaf::Time => json!("2025-01-01T00:00:00Z"),
            Leaf::Bytes => {
                if self.rng.below(4) == 0 {
                    json!("admin")
                } else {
                    json!("YWRtaW4=")
                }
            }
            Leaf::Any => json!({"any": ["thing"]}),
        }
    }

    fn wrong(&mut self) -> Value {
        [json!("oops"), json!(7), json!(1.5), json!(false), json!([1]), json!({"k": "v"}), Value::Null]
            [self.rng.below(7) as usize]
            .clone()
    }
}
