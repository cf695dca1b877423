//! Label selectors: kubectl's `-l` syntax and the structured `LabelSelector` of workloads.
//!
//! `app=web,tier!=db,env in (a,b),!legacy` parses with apimachinery's grammar and error words;
//! a `LabelSelector` (`matchLabels` + `matchExpressions`) converts to the same requirements,
//! so the ReplicaSet controller, Services and `kubectl get -l` all match labels one way.

use crate::sim::sort::StableSort;
mod parse;

pub use parse::parse_selector;

use super::validation::names::{is_qualified_name, is_valid_label_value};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// A selector that does not parse; the message is apimachinery's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

/// A requirement's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `key=value`
    Equals,
    /// `key==value`
    DoubleEquals,
    /// `key!=value`
    NotEquals,
    /// `key in (a,b)`
    In,
    /// `key notin (a,b)`
    NotIn,
    /// `key`
    Exists,
    /// `!key`
    DoesNotExist,
    /// `key>5` (node affinity's Gt)
    GreaterThan,
    /// `key<5` (node affinity's Lt)
    LessThan,
}

/// One `key op values` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// The operator.
    pub op: Op,
    /// Values, sorted and deduplicated (as a Go string set).
    pub values: Vec<String>,
}

impl Requirement {
    /// Whether the labels satisfy this clause.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let got = labels.get(&self.key);
        match self.op {
            Op::Equals | Op::DoubleEquals | Op::In => got.is_some_and(|v| self.values.contains(v)),
            Op::NotEquals | Op::NotIn => got.is_none_or(|v| !self.values.contains(v)),
            Op::Exists => got.is_some(),
            Op::DoesNotExist => got.is_none(),
            Op::GreaterThan | Op::LessThan => {
                let (Some(have), Some(want)) =
                    (got.and_then(|v| v.parse::<i64>().ok()), self.values.first().and_then(|v| v.parse::<i64>().ok()))
                else {
                    return false;
                };
                if self.op == Op::GreaterThan { have > want } else { have < want }
            }
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let vals = self.values.join(",");
        match self.op {
            Op::Equals => write!(f, "{}={vals}", self.key),
            Op::DoubleEquals => write!(f, "{}=={vals}", self.key),
            Op::NotEquals => write!(f, "{}!={vals}", self.key),
            Op::In => write!(f, "{} in ({vals})", self.key),
            Op::NotIn => write!(f, "{} notin ({vals})", self.key),
            Op::Exists => write!(f, "{}", self.key),
            Op::DoesNotExist => write!(f, "!{}", self.key),
            Op::GreaterThan => write!(f, "{}>{vals}", self.key),
            Op::LessThan => write!(f, "{}<{vals}", self.key),
        }
    }
}

/// A parsed selector: all requirements must hold. The empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// The clauses, sorted by key as apimachinery sorts them.
    pub requirements: Vec<Requirement>,
}

impl Selector {
    /// Whether the labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether the selector has no requirements (and so selects everything).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Converts a `metav1.LabelSelector` (`matchLabels`, `matchExpressions`). `Ok(None)` means a
    /// null selector, which selects nothing (unlike `{}`, which selects everything).
    pub fn from_label_selector(sel: &Value) -> Result<Option<Selector>, SelectorError> {
        let Value::Object(fields) = sel else { return Ok(None) };
        let mut reqs = Vec::new();
        if let Some(Value::Object(ml)) = fields.get("matchLabels") {
            for (k, v) in ml {
                reqs.push(requirement(k, Op::Equals, vec![v.as_str().unwrap_or("").to_string()])?);
            }
        }
        if let Some(Value::Array(exprs)) = fields.get("matchExpressions") {
            for e in exprs {
                let key = e.get("key").and_then(Value::as_str).unwrap_or("");
                let values: Vec<String> = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|vs| vs.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                let op = match e.get("operator").and_then(Value::as_str).unwrap_or("") {
                    "In" => Op::In,
                    "NotIn" => Op::NotIn,
                    "Exists" => Op::Exists,
                    "DoesNotExist" => Op::DoesNotExist,
                    other => return Err(SelectorError(format!("{other:?} is not a valid label selector operator"))),
                };
                reqs.push(requirement(key, op, values)?);
            }
        }
        reqs.stable_sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Some(Selector { requirements: reqs }))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.requirements.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

/// Whether a `metav1.LabelSelector` value selects these labels. A missing or malformed selector
/// selects nothing, an empty one (`{}`) everything, as `LabelSelectorAsSelector` decides.
pub fn label_selector_matches(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    match Selector::from_label_selector(selector) {
        Ok(Some(sel)) => sel.matches(labels),
        _ => false,
    }
}

/// Builds a requirement with apimachinery's checks.
fn requirement(key: &str, op: Op, values: Vec<String>) -> Result<Requirement, SelectorError> {
    let key_errs = is_qualified_name(key);
    if !key_errs.is_empty() {
        return Err(SelectorError(format!("key: Invalid value: {key:?}: {}", key_errs.join("; "))));
    }
    match op {
        Op::In | Op::NotIn if values.is_empty() => {
            return Err(SelectorError(
                "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty".into(),
            ));
        }
        Op::Equals | Op::DoubleEquals | Op::NotEquals if values.len() != 1 => {
            return Err(SelectorError(
                "values: Invalid value: exact-match compatibility requires one single value".into(),
            ));
        }
        Op::Exists | Op::DoesNotExist if !values.is_empty() => {
            return Err(SelectorError(
                "values: Invalid value: values set must be empty for exists and does not exist".into(),
            ));
        }
        Op::GreaterThan | Op::LessThan if values.len() != 1 || values[0].parse::<i64>().is_err() => {
            return Err(SelectorError(
                "values: Invalid value: for 'Gt', 'Lt' operators, the value must be an integer".into(),
            ));
        }
        _ => {}
    }
    for (i, v) in values.iter().enumerate() {
        let errs = is_valid_label_value(v);
        if !errs.is_empty() && !matches!(op, Op::GreaterThan | Op::LessThan) {
            return Err(SelectorError(format!("values[{i}][{key}]: Invalid value: {v:?}: {}", errs.join("; "))));
        }
    }
    let mut values = values;
    values.stable_sort();
    values.dedup();
    Ok(Requirement { key: key.to_string(), op, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selector_objects() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        assert!(label_selector_matches(&json!({"matchLabels": {"app": "web"}}), &l));
        assert!(label_selector_matches(&json!({}), &l));
        assert!(!label_selector_matches(&json!(null), &l));
        assert!(label_selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]},
                {"key": "old", "operator": "DoesNotExist"}]}),
            &l
        ));
        assert!(!label_selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}),
            &l
        ));
        assert!(!label_selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "Gt", "values": ["1"]}]}),
            &l
        ));
        let sel =
            Selector::from_label_selector(&json!({"matchLabels": {"b": "2", "a": "1"}})).expect("valid").expect("some");
        assert_eq!(sel.to_string(), "a=1,b=2");
    }
}
