//! Label selectors, the one implementation in the cluster: kubectl's `-l` syntax (`labels.Parse`) and
//! the structured `metav1.LabelSelector` of workloads (`LabelSelectorAsSelector`), with
//! apimachinery's grammar and error words.
//!
//! `app=web,tier!=db,env in (a,b),!legacy` and `{matchLabels, matchExpressions}` become the same
//! [`Requirement`]s, so the apiserver's list and watch filters, the controllers, the scheduler and
//! kubectl all match labels one way. Matching reads labels through [`Labels`], so a selector is
//! checked against an object's JSON labels in place: no copy, no allocation per object.

mod label_selector;
mod parse;
mod requirement;

pub use label_selector::{
    is_empty_label_selector, label_selector_matches, map_selects, operator as label_operator, selects, set_matches,
};
pub use parse::parse_selector;

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// A selector that does not parse; the message is apimachinery's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

/// Where a selector reads label values (apimachinery's `labels.Labels`): `None` when the key is absent.
pub trait Labels {
    /// The value of label `key`, if the object has it.
    fn label(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

/// An object's `metadata.labels` as JSON; a value that is not a string counts as absent.
impl Labels for Map<String, Value> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

impl Labels for [(String, String)] {
    fn label(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

impl Labels for Vec<(String, String)> {
    fn label(&self, key: &str) -> Option<&str> {
        self.as_slice().label(key)
    }
}

/// No labels at all (an object without `metadata.labels`).
impl<L: Labels + ?Sized> Labels for Option<&L> {
    fn label(&self, key: &str) -> Option<&str> {
        self.and_then(|l| l.label(key))
    }
}

/// An object's `metadata.labels`, read in place (`None` if it has none).
pub fn object_labels(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata")?.get("labels")?.as_object()
}

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
    /// Whether the labels satisfy this clause (`Requirement.Matches`).
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        self.op.admits(labels.label(&self.key), self.values.iter().map(String::as_str))
    }

    /// `key = value`, as a `matchLabels` or `nodeSelector` entry means (unchecked, as
    /// `SelectorFromValidatedSet` builds it: the apiserver validated the object).
    pub fn equals(key: &str, value: &str) -> Requirement {
        Requirement { key: key.to_string(), op: Op::Equals, values: vec![value.to_string()] }
    }

    /// `labels.NewRequirement`: checks the clause and words what is wrong as apimachinery does.
    pub fn new(key: &str, op: Op, values: Vec<String>) -> Result<Requirement, SelectorError> {
        requirement::new_requirement(key, op, values, false)
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
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether an object's `metadata.labels` satisfy every requirement (read in place).
    pub fn matches_object(&self, obj: &Value) -> bool {
        self.matches(&object_labels(obj))
    }

    /// Whether the selector has no requirements (and so selects everything).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// `metav1.LabelSelectorAsSelector`: `matchLabels` and `matchExpressions` as requirements.
    /// `Ok(None)` means a null selector, which selects nothing (unlike `{}`, which selects everything).
    pub fn from_label_selector(sel: &Value) -> Result<Option<Selector>, SelectorError> {
        label_selector::as_selector(sel)
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.requirements.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
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
