//! Label selectors as pod specs write them (affinity terms, spread constraints), parsed once per pod
//! so that matching in the hot path is cheap. Requirements are `api::selector`'s, and node affinity
//! is `api::nodefit`'s, so labels are matched one way everywhere in the cluster.
//!
//! Semantics follow apimachinery: a missing (`null`) `metav1.LabelSelector` selects nothing, an empty
//! one (`{}`) selects everything.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::sim::api::selector::Selector as ApiSelector;
pub use crate::sim::api::selector::{Op, Requirement};

/// Labels of an object, in key order.
pub type Labels = BTreeMap<String, String>;

/// `key = value`: what a `matchLabels` or `nodeSelector` entry means.
pub fn equals(key: &str, value: &str) -> Requirement {
    Requirement::equals(key, value)
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
}
