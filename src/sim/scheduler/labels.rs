//! Label selectors and node selector terms as pod specs write them, parsed once per pod so that
//! matching in the hot path is cheap. Requirements are `api::selector`'s, so labels are matched one
//! way everywhere in the cluster.
//!
//! Semantics follow apimachinery: a missing (`null`) `metav1.LabelSelector` selects nothing, an empty
//! one (`{}`) selects everything; node selector terms are ORed, the requirements inside a term ANDed,
//! and a term with no requirements matches no node.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::sim::api::selector::Selector as ApiSelector;
pub use crate::sim::api::selector::{Op, Requirement};

/// Labels of an object, in key order.
pub type Labels = BTreeMap<String, String>;

/// `key = value`: what a `matchLabels` or `nodeSelector` entry means.
pub fn equals(key: &str, value: &str) -> Requirement {
    Requirement { key: key.to_string(), op: Op::Equals, values: vec![value.to_string()] }
}

/// A parsed `metav1.LabelSelector`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// A `null` (or unparsable) selector: matches no object.
    Nothing,
    /// All requirements must hold; no requirement matches every object.
    All(ApiSelector),
}

impl Selector {
    /// Parses `matchLabels` and `matchExpressions`. A selector that cannot be parsed selects nothing,
    /// as the scheduler ignores terms it cannot understand rather than failing the pod.
    pub fn parse_lenient(v: Option<&Value>) -> Self {
        match v.map(ApiSelector::from_label_selector) {
            Some(Ok(Some(s))) => Selector::All(s),
            _ => Selector::Nothing,
        }
    }

    /// Whether an object with these labels is selected.
    pub fn matches(&self, labels: &Labels) -> bool {
        match self {
            Selector::Nothing => false,
            Selector::All(s) => s.matches(labels),
        }
    }

    /// Adds `key = value` (how `matchLabelKeys` narrows a selector to the pod's own revision).
    pub fn and_equals(&mut self, key: &str, value: &str) {
        if let Selector::All(s) = self {
            s.requirements.push(equals(key, value));
        }
    }
}

/// One `nodeSelectorTerms` entry: label expressions and `metadata.name` field expressions, ANDed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSelectorTerm {
    /// `matchExpressions` on the node's labels (`Gt`/`Lt` allowed).
    pub expressions: Vec<Requirement>,
    /// `matchFields`; only `metadata.name` exists.
    pub fields: Vec<Requirement>,
}

/// A node selector requirement; `None` for an operator Kubernetes does not define.
fn node_requirement(v: &Value) -> Option<Requirement> {
    let key = v.get("key").and_then(Value::as_str).filter(|k| !k.is_empty())?;
    let op = match v.get("operator").and_then(Value::as_str)? {
        "In" => Op::In,
        "NotIn" => Op::NotIn,
        "Exists" => Op::Exists,
        "DoesNotExist" => Op::DoesNotExist,
        "Gt" => Op::GreaterThan,
        "Lt" => Op::LessThan,
        _ => return None,
    };
    Some(Requirement { key: key.to_string(), op, values: strings(v.get("values")) })
}

impl NodeSelectorTerm {
    /// Parses one term; `None` if a requirement cannot be understood.
    pub fn parse(v: &Value) -> Option<Self> {
        let list = |name: &str| -> Option<Vec<Requirement>> {
            v.get(name).and_then(Value::as_array).into_iter().flatten().map(node_requirement).collect()
        };
        Some(Self { expressions: list("matchExpressions")?, fields: list("matchFields")? })
    }

    /// A term without any requirement matches nothing (as `nodeaffinity.NewNodeSelector` builds it).
    pub fn matches(&self, node_name: &str, labels: &Labels) -> bool {
        if self.expressions.is_empty() && self.fields.is_empty() {
            return false;
        }
        self.expressions.iter().all(|r| r.matches(labels)) && self.fields.iter().all(|r| field_matches(r, node_name))
    }
}

/// `matchFields` support only `metadata.name` with `In` / `NotIn`.
fn field_matches(r: &Requirement, node_name: &str) -> bool {
    let hit = r.values.iter().any(|v| v == node_name);
    match (r.key.as_str(), r.op) {
        ("metadata.name", Op::In) => hit,
        ("metadata.name", Op::NotIn) => !hit,
        _ => false,
    }
}

/// `requiredDuringSchedulingIgnoredDuringExecution`: the terms are ORed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSelector {
    /// Any one term matching is enough.
    pub terms: Vec<NodeSelectorTerm>,
}

impl NodeSelector {
    /// Parses the selector; a term that cannot be parsed is kept as a term that matches nothing.
    pub fn parse(v: &Value) -> Self {
        let empty = || NodeSelectorTerm { expressions: vec![], fields: vec![] };
        let terms = v
            .get("nodeSelectorTerms")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| NodeSelectorTerm::parse(t).unwrap_or_else(empty))
            .collect();
        Self { terms }
    }

    /// Whether the node (its name and labels) satisfies some term.
    pub fn matches(&self, node_name: &str, labels: &Labels) -> bool {
        self.terms.iter().any(|t| t.matches(node_name, labels))
    }
}

/// A JSON array of strings (other entries are skipped).
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

/// A JSON object of string values, as labels and `nodeSelector` are written.
pub fn string_map(v: Option<&Value>) -> Labels {
    v.and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selector_table() {
        let l = labels(&[("app", "web"), ("tier", "front"), ("gen", "7")]);
        let cases = [
            (json!(null), false),
            (json!({}), true),
            (json!({"matchLabels": {"app": "web"}}), true),
            (json!({"matchLabels": {"app": "db"}}), false),
            (json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]}), true),
            (json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}), false),
            (json!({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}), true),
            (json!({"matchExpressions": [{"key": "a", "operator": "Near", "values": ["x"]}]}), false),
        ];
        for (sel, want) in cases {
            assert_eq!(Selector::parse_lenient(Some(&sel)).matches(&l), want, "{sel}");
        }
        assert_eq!(Selector::parse_lenient(None), Selector::Nothing);
        let mut narrowed = Selector::parse_lenient(Some(&json!({"matchLabels": {"app": "web"}})));
        narrowed.and_equals("gen", "8");
        assert!(!narrowed.matches(&l));
    }

    #[test]
    fn node_selector_terms_or_and_gt_lt_and_fields() {
        let l = labels(&[("disk", "ssd"), ("cores", "16")]);
        let sel = NodeSelector::parse(&json!({"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["hdd"]}]},
            {"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["8"]}]}
        ]}));
        assert!(sel.matches("n1", &l));
        let lt = NodeSelector::parse(
            &json!({"nodeSelectorTerms": [{"matchExpressions": [{"key": "cores", "operator": "Lt", "values": ["8"]}]}]}),
        );
        assert!(!lt.matches("n1", &l));
        let not_a_number = NodeSelector::parse(
            &json!({"nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": "Gt", "values": ["1"]}]}]}),
        );
        assert!(!not_a_number.matches("n1", &l));
        let by_name = NodeSelector::parse(
            &json!({"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}]}),
        );
        assert!(by_name.matches("n2", &l) && !by_name.matches("n1", &l));
        let not_name = NodeSelector::parse(
            &json!({"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["n2"]}]}]}),
        );
        assert!(!not_name.matches("n2", &l) && not_name.matches("n1", &l));
        let empty_term = NodeSelector::parse(&json!({"nodeSelectorTerms": [{}]}));
        assert!(!empty_term.matches("n1", &l));
        let bad_term = NodeSelector::parse(
            &json!({"nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": "Bogus"}]}]}),
        );
        assert!(!bad_term.matches("n1", &l));
    }
}
