//! Evaluates parsed JSONPath nodes over JSON the way client-go's `jsonpath.go` walks unstructured
//! objects: missing keys give nothing, `null` values are skipped when descended into, and
//! `{range}`/`{end}` loops follow the same counters Go keeps.

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::parse::{Node, Param};

/// A value flowing through the evaluation: a JSON value, or Go's invalid `reflect.Value`
/// (what `FindResults(nil)` walks when a range has no items).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Any JSON value (`null` is Go's nil interface).
    Json(Value),
    /// Go's `reflect.Value{}`.
    Invalid,
}

impl Val {
    /// Go's type name, for "X is not array or slice".
    fn go_type(&self) -> &'static str {
        match self {
            Val::Json(Value::Object(_)) => "map[string]interface {}",
            Val::Json(Value::Array(_)) => "[]interface {}",
            Val::Json(Value::String(_)) => "string",
            Val::Json(Value::Bool(_)) => "bool",
            Val::Json(Value::Number(n)) if n.is_i64() => "int64",
            Val::Json(Value::Number(_)) => "float64",
            Val::Json(Value::Null) => "interface {}",
            Val::Invalid => "<invalid reflect.Value>",
        }
    }

    /// `template.Indirect`: nil interfaces (JSON null) are skipped by most steps.
    fn is_nil(&self) -> bool {
        matches!(self, Val::Json(Value::Null))
    }

    fn json(&self) -> Option<&Value> {
        match self {
            Val::Json(v) => Some(v),
            Val::Invalid => None,
        }
    }
}

/// The evaluator's state (`JSONPath` in Go).
pub struct Evaluator<'n> {
    nodes: &'n [Node],
    allow_missing_keys: bool,
    begin_range: i32,
    in_range: i32,
    end_range: i32,
    last_end: Option<usize>,
}

impl<'n> Evaluator<'n> {
    /// An evaluator over the top-level nodes of a parsed template.
    pub fn new(nodes: &'n [Node], allow_missing_keys: bool) -> Self {
        Evaluator { nodes, allow_missing_keys, begin_range: 0, in_range: 0, end_range: 0, last_end: None }
    }

    /// `FindResults`: one result list per printed action, starting at node `start`.
    pub fn find_results(&mut self, data: Val, start: usize) -> Result<Vec<Vec<Val>>, String> {
        let cur = vec![data];
        let mut full = Vec::new();
        let mut i = start;
        while i < self.nodes.len() {
            let results = self.walk(&cur, &self.nodes[i])?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end = Some(i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                if results.is_empty() {
                    // Still walk the loop body so the matching {end} is found.
                    self.find_results(Val::Invalid, i + 1)?;
                } else {
                    for v in results {
                        full.extend(self.find_results(v, i + 1)?);
                    }
                }
                self.in_range -= 1;
                if let Some(k) = self.last_end.filter(|&k| k > i) {
                    i = k;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    fn walk(&mut self, input: &[Val], node: &Node) -> Result<Vec<Val>, String> {
        match node {
            Node::List(nodes) => self.eval_list(input, nodes),
            Node::Text(t) => Ok(vec![Val::Json(Value::String(t.clone()))]),
            Node::Field(name) => self.eval_field(input, name),
            Node::Array(params) => eval_array(input, params),
            Node::Filter { left, right, op } => self.eval_filter(input, left, right, op),
            Node::Int(i) => Ok(vec![Val::Json(Value::from(*i)); input.len()]),
            Node::Float(f) => Ok(vec![Val::Json(Value::from(*f)); input.len()]),
            Node::Bool(b) => Ok(vec![Val::Json(Value::Bool(*b)); input.len()]),
            Node::Wildcard => Ok(input.iter().filter(|v| !v.is_nil()).flat_map(children).collect()),
            Node::Recursive => Ok(eval_recursive(input)),
            Node::Union(lists) => {
                let mut out = Vec::new();
                for list in lists {
                    out.extend(self.eval_list(input, list)?);
                }
                Ok(out)
            }
            Node::Identifier(name) => match name.as_str() {
                "range" => {
                    self.begin_range += 1;
                    Ok(input.to_vec())
                }
                "end" if self.in_range > 0 => {
                    self.end_range += 1;
                    Ok(Vec::new())
                }
                "end" => Err("not in range, nothing to end".into()),
                other => Err(format!("unrecognized identifier {other}")),
            },
        }
    }

    fn eval_list(&mut self, input: &[Val], nodes: &[Node]) -> Result<Vec<Val>, String> {
        let mut cur = input.to_vec();
        for node in nodes {
            cur = self.walk(&cur, node)?;
        }
        Ok(cur)
    }

    fn eval_field(&self, input: &[Val], name: &str) -> Result<Vec<Val>, String> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let results: Vec<Val> =
            input.iter().filter_map(|v| v.json()?.as_object()?.get(name).cloned().map(Val::Json)).collect();
        if results.is_empty() && !self.allow_missing_keys {
            return Err(format!("{name} is not found"));
        }
        Ok(results)
    }

    fn eval_filter(&mut self, input: &[Val], left: &[Node], right: &[Node], op: &str) -> Result<Vec<Val>, String> {
        let mut results = Vec::new();
        for value in input {
            let Some(Value::Array(items)) = value.json() else {
                return Err(format!("{} is not array or slice and cannot be filtered", go_print(value)));
            };
            for item in items {
                let temp = [Val::Json(item.clone())];
                let lefts = self.eval_list(&temp, left);
                if op == "exists" {
                    if lefts.is_ok_and(|l| !l.is_empty()) {
                        results.push(Val::Json(item.clone()));
                    }
                    continue;
                }
                let lefts = lefts?;
                match lefts.len() {
                    0 => continue,
                    1 => {}
                    _ => return Err("can only compare one element at a time".into()),
                }
                let rights = self.eval_list(&temp, right)?;
                match rights.len() {
                    0 => continue,
                    1 => {}
                    _ => return Err("can only compare one element at a time".into()),
                }
                if compare(&lefts[0], &rights[0], op)? {
                    results.push(Val::Json(item.clone()));
                }
            }
        }
        Ok(results)
    }
}

/// The elements of a map (in key order; Go's is random), a list, or a string's bytes.
fn children(v: &Val) -> Vec<Val> {
    match v.json() {
        Some(Value::Object(m)) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.stable_sort();
            keys.into_iter().map(|k| Val::Json(m[k.as_str()].clone())).collect()
        }
        Some(Value::Array(a)) => a.iter().cloned().map(Val::Json).collect(),
        Some(Value::String(s)) => s.bytes().map(|b| Val::Json(Value::from(b))).collect(),
        _ => Vec::new(),
    }
}

/// `..`: every value that has children, depth first, followed by its descendants.
fn eval_recursive(input: &[Val]) -> Vec<Val> {
    let mut out = Vec::new();
    for v in input.iter().filter(|v| !v.is_nil()) {
        let kids = children(v);
        if !kids.is_empty() {
            out.push(v.clone());
            out.extend(eval_recursive(&kids));
        }
    }
    out
}

fn eval_array(input: &[Val], node: &[Param; 3]) -> Result<Vec<Val>, String> {
    let mut result = Vec::new();
    for value in input.iter().filter(|v| !v.is_nil()) {
        let Some(Value::Array(items)) = value.json() else {
            return Err(format!("{} is not array or slice", value.go_type()));
        };
        let len = items.len() as i64;
        let mut p = *node;
        if !p[0].known {
            p[0].value = 0;
        }
        if p[0].value < 0 {
            p[0].value += len;
        }
        if !p[1].known {
            p[1].value = len;
        }
        if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
            p[1].value += len;
        }
        if p[1].value == p[0].value {
            return Ok(result);
        }
        if p[0].value >= len || p[0].value < 0 {
            return Err(format!("array index out of bounds: index {}, length {len}", p[0].value));
        }
        if p[1].value > len || p[1].value < 0 {
            return Err(format!("array index out of bounds: index {}, length {len}", p[1].value - 1));
        }
        if p[0].value > p[1].value {
            return Err(format!("starting index {} is greater than ending index {}", p[0].value, p[1].value));
        }
        // A third slice value only caps capacity in Go's reflect.Slice3; it does not step.
        result.extend(items[p[0].value as usize..p[1].value as usize].iter().cloned().map(Val::Json));
    }
    Ok(result)
}

#[derive(PartialEq)]
enum Kind {
    Bool,
    Int,
    Float,
    Str,
}

fn basic_kind(v: &Val) -> Result<Kind, String> {
    match v.json() {
        Some(Value::Bool(_)) => Ok(Kind::Bool),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Kind::Int),
        Some(Value::Number(_)) => Ok(Kind::Float),
        Some(Value::String(_)) => Ok(Kind::Str),
        _ => Err("invalid type for comparison".into()),
    }
}

/// text/template's `eq`, `ne`, `lt`, `le`, `gt`, `ge` on basic kinds.
fn compare(a: &Val, b: &Val, op: &str) -> Result<bool, String> {
    let (ka, kb) = (basic_kind(a)?, basic_kind(b)?);
    if ka != kb {
        return Err("incompatible types for comparison".into());
    }
    let (Some(x), Some(y)) = (a.json(), b.json()) else {
        return Err("invalid type for comparison".into());
    };
    let ord = match ka {
        Kind::Bool => {
            if !matches!(op, "==" | "!=") {
                return Err("invalid type for comparison".into());
            }
            x.as_bool().cmp(&y.as_bool())
        }
        Kind::Int => x.as_i64().unwrap_or(i64::MAX).cmp(&y.as_i64().unwrap_or(i64::MAX)),
        Kind::Float => {
            let (f, g) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            f.partial_cmp(&g).ok_or("incompatible types for comparison")?
        }
        Kind::Str => x.as_str().cmp(&y.as_str()),
    };
    use std::cmp::Ordering::*;
    match op {
        "==" => Ok(ord == Equal),
        "!=" => Ok(ord != Equal),
        "<" => Ok(ord == Less),
        ">" => Ok(ord == Greater),
        "<=" => Ok(ord != Greater),
        ">=" => Ok(ord != Less),
        other => Err(format!("unrecognized filter operator {other}")),
    }
}

/// `%v` of a value inside an error message.
fn go_print(v: &Val) -> String {
    match v.json() {
        Some(Value::Null) | None => "<nil>".into(),
        Some(other) => super::super::fields::scalar_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(v: i64, known: bool, derived: bool) -> Param {
        Param { value: v, known, derived }
    }

    #[test]
    fn arrays_slice_and_check_bounds() {
        let data = [Val::Json(json!([1, 2, 3]))];
        let idx = |i: i64| [p(i, true, false), p(i + 1, true, true), p(0, false, false)];
        assert_eq!(eval_array(&data, &idx(1)), Ok(vec![Val::Json(json!(2))]));
        assert_eq!(
            eval_array(&data, &[p(-1, true, false), p(0, true, true), p(0, false, false)]),
            Ok(vec![Val::Json(json!(3))])
        );
        assert_eq!(eval_array(&data, &idx(5)).err().as_deref(), Some("array index out of bounds: index 5, length 3"));
        assert_eq!(
            eval_array(&[Val::Json(json!("x"))], &idx(0)).err().as_deref(),
            Some("string is not array or slice")
        );
        assert_eq!(eval_array(&[Val::Json(json!(null))], &idx(0)), Ok(vec![]));
    }

    #[test]
    fn comparisons_follow_text_template() {
        let v = |x: Value| Val::Json(x);
        assert_eq!(compare(&v(json!(2)), &v(json!(2)), "=="), Ok(true));
        assert_eq!(compare(&v(json!("a")), &v(json!("b")), "<"), Ok(true));
        assert_eq!(
            compare(&v(json!(2)), &v(json!(2.0)), "==").err().as_deref(),
            Some("incompatible types for comparison")
        );
        assert_eq!(compare(&v(json!(null)), &v(json!(1)), "==").err().as_deref(), Some("invalid type for comparison"));
        assert_eq!(
            compare(&v(json!(true)), &v(json!(false)), "<").err().as_deref(),
            Some("invalid type for comparison")
        );
    }
}
