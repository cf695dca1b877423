//! Node affinity: `nodeSelector` plus `requiredDuringSchedulingIgnoredDuringExecution`
//! (`nodeaffinity.GetRequiredNodeAffinity`), and the weighted preferred terms the scheduler scores.
//!
//! Terms are ORed, the requirements inside a term ANDed. Expressions are label requirements built
//! with `labels.NewRequirement` (so `Gt`/`Lt` need an integer); a term with any requirement that
//! does not build matches no node, and a term with no requirement at all matches no node either.

use serde_json::Value;

use crate::sim::api::selector::{Labels, Op, Requirement, label_operator};

/// One `nodeSelectorTerms` entry (or a preferred term's `preference`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSelectorTerm {
    /// `matchExpressions` on the node's labels.
    pub expressions: Vec<Requirement>,
    /// `matchFields` as written (`In`/`NotIn` only); only `metadata.name` exists on a node.
    pub fields: Vec<Requirement>,
    /// No requirement was written, or one could not be built: the term matches no node.
    pub matches_nothing: bool,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

fn entries<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// `NodeSelectorOperator` → the label requirement's operator: a label selector's four, plus `Gt`/`Lt`.
fn operator(name: &str) -> Option<Op> {
    match name {
        "Gt" => Some(Op::GreaterThan),
        "Lt" => Some(Op::LessThan),
        other => label_operator(other),
    }
}

impl NodeSelectorTerm {
    /// `newNodeSelectorTerm`; never fails: what cannot be built makes the term match nothing.
    pub fn parse(v: &Value) -> Self {
        let exprs = entries(v, "matchExpressions");
        let field_exprs = entries(v, "matchFields");
        let mut term = NodeSelectorTerm {
            expressions: Vec::new(),
            fields: Vec::new(),
            matches_nothing: exprs.is_empty() && field_exprs.is_empty(),
        };
        for e in exprs {
            let key = e.get("key").and_then(Value::as_str).unwrap_or_default();
            let built = e
                .get("operator")
                .and_then(Value::as_str)
                .and_then(operator)
                .and_then(|op| Requirement::new(key, op, strings(e.get("values"))).ok());
            match built {
                Some(r) => term.expressions.push(r),
                None => term.matches_nothing = true,
            }
        }
        for f in field_exprs {
            let key = f.get("key").and_then(Value::as_str).unwrap_or_default().to_string();
            let values = strings(f.get("values"));
            // `nodeSelectorRequirementsAsFieldSelector`: one value, In or NotIn.
            let op = match f.get("operator").and_then(Value::as_str) {
                Some("In") => Op::In,
                Some("NotIn") => Op::NotIn,
                _ => {
                    term.matches_nothing = true;
                    continue;
                }
            };
            term.matches_nothing |= values.len() != 1;
            term.fields.push(Requirement { key, op, values });
        }
        term
    }

    /// Whether the node (its name and labels) satisfies every requirement of the term.
    pub fn matches<L: Labels + ?Sized>(&self, node_name: &str, labels: &L) -> bool {
        !self.matches_nothing
            && self.expressions.iter().all(|r| r.matches(labels))
            && self.fields.iter().all(|r| {
                // The node's field set has only `metadata.name`; any other field reads as "".
                let have = if r.key == "metadata.name" { node_name } else { "" };
                r.op.admits(Some(have), r.values.iter().map(String::as_str))
            })
    }
}

/// A `NodeSelector`: any one term matching is enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSelector {
    pub terms: Vec<NodeSelectorTerm>,
}

impl NodeSelector {
    /// Parses `{nodeSelectorTerms: [...]}`; no terms match no node.
    pub fn parse(v: &Value) -> Self {
        Self { terms: entries(v, "nodeSelectorTerms").iter().map(NodeSelectorTerm::parse).collect() }
    }

    /// Whether the node satisfies some term.
    pub fn matches<L: Labels + ?Sized>(&self, node_name: &str, labels: &L) -> bool {
        self.terms.iter().any(|t| t.matches(node_name, labels))
    }
}

/// `GetRequiredNodeAffinity(pod)`: the pod's `nodeSelector` (every pair) and required node affinity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequiredNodeAffinity {
    /// `nodeSelector` as `key = value` requirements (`SelectorFromSet`, unvalidated as upstream).
    pub node_selector: Vec<Requirement>,
    /// `requiredDuringSchedulingIgnoredDuringExecution`, if set.
    pub required: Option<NodeSelector>,
}

impl RequiredNodeAffinity {
    /// Reads a pod's `spec` (absent or malformed parts read as absent).
    pub fn of_spec(spec: Option<&Value>) -> Self {
        let node_selector = spec
            .and_then(|s| s.get("nodeSelector"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| Requirement::equals(k, v.as_str().unwrap_or_default()))
            .collect();
        let required = spec
            .and_then(|s| s.get("affinity"))
            .and_then(|a| a.get("nodeAffinity"))
            .and_then(|n| n.get("requiredDuringSchedulingIgnoredDuringExecution"))
            .filter(|r| !r.is_null())
            .map(NodeSelector::parse);
        Self { node_selector, required }
    }

    /// `RequiredNodeAffinity.Match`: the node selector, then the required terms (parse errors are
    /// non-matches, as the scheduler and the kubelet ignore `Match`'s error).
    pub fn matches<L: Labels + ?Sized>(&self, node_name: &str, labels: &L) -> bool {
        self.node_selector.iter().all(|r| r.matches(labels))
            && self.required.as_ref().is_none_or(|s| s.matches(node_name, labels))
    }
}

/// One `preferredDuringSchedulingIgnoredDuringExecution` entry: its weight counts on matching nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferredTerm {
    pub weight: i64,
    pub term: NodeSelectorTerm,
}

impl PreferredTerm {
    /// Reads a pod's `spec.affinity.nodeAffinity` preferred terms; entries without a weight or a
    /// usable preference are skipped (`NewPreferredSchedulingTerms` skips weight 0 and empty terms).
    pub fn parse_list(node_affinity: Option<&Value>) -> Vec<PreferredTerm> {
        node_affinity
            .map_or(&[][..], |n| entries(n, "preferredDuringSchedulingIgnoredDuringExecution"))
            .iter()
            .filter_map(|p| {
                Some(PreferredTerm {
                    weight: p.get("weight")?.as_i64()?,
                    term: NodeSelectorTerm::parse(p.get("preference")?),
                })
            })
            // Empty or unparsable preferences can never add weight: leave them out, so that a pod
            // without a usable preference skips scoring.
            .filter(|p| p.weight != 0 && !p.term.matches_nothing)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn expr(key: &str, op: &str, values: Value) -> Value {
        json!({"nodeSelectorTerms": [{"matchExpressions": [{"key": key, "operator": op, "values": values}]}]})
    }

    /// Each operator, on a node `n1` labelled disk=ssd, cores=16.
    #[test]
    fn required_terms_table() {
        let l = labels(&[("disk", "ssd"), ("cores", "16")]);
        let field = |op: &str, values: Value| json!({"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": op, "values": values}]}]});
        let cases = [
            (expr("disk", "In", json!(["ssd", "nvme"])), true),
            (expr("disk", "In", json!(["hdd"])), false),
            (expr("disk", "NotIn", json!(["hdd"])), true),
            (expr("gpu", "NotIn", json!(["a"])), true),
            (expr("disk", "Exists", json!([])), true),
            (expr("gpu", "DoesNotExist", json!(null)), true),
            (expr("cores", "Gt", json!(["8"])), true),
            (expr("cores", "Lt", json!(["8"])), false),
            (expr("disk", "Gt", json!(["1"])), false),
            (expr("cores", "Gt", json!(["eight"])), false),
            (expr("cores", "Gt", json!(["1", "2"])), false),
            (expr("cores", "Lt", json!([])), false),
            (expr("disk", "In", json!([])), false),
            (expr("disk", "Exists", json!(["ssd"])), false),
            (expr("bad key!", "DoesNotExist", json!([])), false),
            (expr("disk", "Bogus", json!(["ssd"])), false),
            (field("In", json!(["n1"])), true),
            (field("In", json!(["n2"])), false),
            (field("NotIn", json!(["n2"])), true),
            (field("NotIn", json!(["n1"])), false),
            (field("In", json!(["n1", "n2"])), false),
            (field("Exists", json!([])), false),
            (json!({"nodeSelectorTerms": [{}]}), false),
            (json!({"nodeSelectorTerms": []}), false),
            (json!({"nodeSelectorTerms": "x"}), false),
            (
                json!({"nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
                {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]}),
                true,
            ),
        ];
        for (sel, want) in cases {
            assert_eq!(NodeSelector::parse(&sel).matches("n1", &l), want, "{sel}");
        }
    }

    #[test]
    fn node_selector_and_required_affinity_both_apply() {
        let l = labels(&[("disk", "ssd")]);
        let spec = |v: Value| RequiredNodeAffinity::of_spec(Some(&v));
        assert!(spec(json!({})).matches("n1", &l));
        assert!(RequiredNodeAffinity::of_spec(None).matches("n1", &l));
        assert!(spec(json!({"nodeSelector": {"disk": "ssd"}})).matches("n1", &l));
        assert!(!spec(json!({"nodeSelector": {"disk": "ssd", "gpu": "yes"}})).matches("n1", &l));
        let both = json!({"nodeSelector": {"disk": "ssd"}, "affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": expr("disk", "In", json!(["hdd"]))}}});
        assert!(!spec(both).matches("n1", &l));
        let null = json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": null}}});
        assert!(spec(null).matches("n1", &l));
    }

    #[test]
    fn preferred_terms_keep_their_weight() {
        let aff = json!({"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}},
            {"weight": 5},
            {"weight": 5, "preference": {}},
            {"weight": 5, "preference": {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["x"]}]}},
            {"preference": {}}
        ]});
        let terms = PreferredTerm::parse_list(Some(&aff));
        assert_eq!(terms.len(), 1);
        assert_eq!(terms[0].weight, 10);
        assert!(terms[0].term.matches("n", &labels(&[("disk", "ssd")])));
    }
}
