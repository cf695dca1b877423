//! Pod-to-pod placement rules as written in a pod spec: inter-pod (anti-)affinity terms and topology
//! spread constraints, parsed once when the pod is seen.

use serde_json::Value;

use super::labels::{Labels, Selector};

/// The namespaces an affinity term looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermNamespaces {
    pub names: Vec<String>,
    /// `namespaceSelector`; matched against the namespace's `kubernetes.io/metadata.name` label, the one
    /// label every namespace carries (the scheduler here does not watch namespaces).
    pub selector: Option<Selector>,
}

impl TermNamespaces {
    pub fn contains(&self, namespace: &str) -> bool {
        if self.names.iter().any(|n| n == namespace) {
            return true;
        }
        self.selector.as_ref().is_some_and(|s| {
            let labels: Labels = [("kubernetes.io/metadata.name".to_string(), namespace.to_string())].into();
            s.matches(&labels)
        })
    }
}

/// A `PodAffinityTerm`: pods matching `selector` in `namespaces`, grouped by `topology_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffinityTerm {
    pub selector: Selector,
    pub namespaces: TermNamespaces,
    pub topology_key: String,
}

impl AffinityTerm {
    /// Parses a term of a pod in `own_namespace`: with neither `namespaces` nor `namespaceSelector`
    /// the term means the pod's own namespace (`getNamespacesFromPodAffinityTerm`).
    pub fn parse(v: &Value, own_namespace: &str) -> Self {
        let mut names = super::labels::strings(v.get("namespaces"));
        let ns_selector = v.get("namespaceSelector").filter(|s| !s.is_null());
        if names.is_empty() && ns_selector.is_none() {
            names.push(own_namespace.to_string());
        }
        // In 1.33 the apiserver merges `matchLabelKeys` into `labelSelector` when the pod is created,
        // so the selector alone is the whole rule here.
        let selector = Selector::parse_lenient(v.get("labelSelector"));
        Self {
            selector,
            namespaces: TermNamespaces { names, selector: ns_selector.map(|s| Selector::parse_lenient(Some(s))) },
            topology_key: v.get("topologyKey").and_then(Value::as_str).unwrap_or_default().to_string(),
        }
    }

    /// `AffinityTerm.Matches`: the other pod is in one of the namespaces and has matching labels.
    pub fn matches(&self, namespace: &str, labels: &Labels) -> bool {
        self.namespaces.contains(namespace) && self.selector.matches(labels)
    }
}

/// `spec.affinity.podAffinity` and `podAntiAffinity`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodAffinity {
    pub required: Vec<AffinityTerm>,
    pub preferred: Vec<(i64, AffinityTerm)>,
    pub anti_required: Vec<AffinityTerm>,
    pub anti_preferred: Vec<(i64, AffinityTerm)>,
}

impl PodAffinity {
    /// Reads `spec.affinity` of a pod in `own_namespace`.
    pub fn parse(affinity: Option<&Value>, own_namespace: &str) -> Self {
        let Some(a) = affinity else { return Self::default() };
        let required = |kind: &str| -> Vec<AffinityTerm> {
            let list = a.get(kind).and_then(|k| k.get("requiredDuringSchedulingIgnoredDuringExecution"));
            list.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| AffinityTerm::parse(t, own_namespace))
                .collect()
        };
        let preferred = |kind: &str| -> Vec<(i64, AffinityTerm)> {
            let list = a.get(kind).and_then(|k| k.get("preferredDuringSchedulingIgnoredDuringExecution"));
            list.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|w| {
                    let weight = w.get("weight").and_then(Value::as_i64)?;
                    Some((weight, AffinityTerm::parse(w.get("podAffinityTerm")?, own_namespace)))
                })
                .collect()
        };
        Self {
            required: required("podAffinity"),
            preferred: preferred("podAffinity"),
            anti_required: required("podAntiAffinity"),
            anti_preferred: preferred("podAntiAffinity"),
        }
    }

    /// No terms at all: the pod takes no part in inter-pod affinity.
    pub fn is_empty(&self) -> bool {
        self.required.is_empty()
            && self.preferred.is_empty()
            && self.anti_required.is_empty()
            && self.anti_preferred.is_empty()
    }
}

/// One `topologySpreadConstraints` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpreadConstraint {
    pub max_skew: i64,
    pub topology_key: String,
    /// `whenUnsatisfiable: DoNotSchedule` (a filter); otherwise `ScheduleAnyway` (a score).
    pub hard: bool,
    /// `labelSelector` with the pod's own values for `matchLabelKeys` added.
    pub selector: Selector,
    pub min_domains: Option<i64>,
    /// `nodeAffinityPolicy: Honor` (the default): only nodes matching the pod's node affinity count.
    pub honor_node_affinity: bool,
    /// `nodeTaintsPolicy: Honor` (default `Ignore`): only nodes whose taints the pod tolerates count.
    pub honor_node_taints: bool,
}

impl SpreadConstraint {
    /// Reads `spec.topologySpreadConstraints`, resolving `matchLabelKeys` with the pod's labels.
    pub fn parse_list(v: Option<&Value>, pod_labels: &Labels) -> Vec<SpreadConstraint> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                let mut selector = Selector::parse_lenient(c.get("labelSelector"));
                for key in super::labels::strings(c.get("matchLabelKeys")) {
                    if let Some(value) = pod_labels.get(&key) {
                        selector.and_equals(&key, value);
                    }
                }
                let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default();
                SpreadConstraint {
                    max_skew: c.get("maxSkew").and_then(Value::as_i64).unwrap_or(1),
                    topology_key: text("topologyKey").to_string(),
                    hard: text("whenUnsatisfiable") != "ScheduleAnyway",
                    selector,
                    min_domains: c.get("minDomains").and_then(Value::as_i64),
                    honor_node_affinity: text("nodeAffinityPolicy") != "Ignore",
                    honor_node_taints: text("nodeTaintsPolicy") == "Honor",
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn affinity_term_namespaces_default_to_own() {
        let t = AffinityTerm::parse(
            &json!({"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "zone"}),
            "shop",
        );
        assert!(t.matches("shop", &labels(&[("app", "db")])));
        assert!(!t.matches("other", &labels(&[("app", "db")])));
        assert!(!t.matches("shop", &labels(&[("app", "web")])));
        let all =
            AffinityTerm::parse(&json!({"labelSelector": {}, "namespaceSelector": {}, "topologyKey": "zone"}), "shop");
        assert!(all.matches("anything", &labels(&[])));
        let named = AffinityTerm::parse(
            &json!({"labelSelector": {}, "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "b"}}, "topologyKey": "z"}),
            "a",
        );
        assert!(named.matches("b", &labels(&[])) && !named.matches("a", &labels(&[])));
        let no_selector = AffinityTerm::parse(&json!({"topologyKey": "zone"}), "shop");
        assert!(!no_selector.matches("shop", &labels(&[])));
    }

    #[test]
    fn pod_affinity_parses_all_four_lists() {
        let term = json!({"labelSelector": {"matchLabels": {"a": "b"}}, "topologyKey": "kubernetes.io/hostname"});
        let a = PodAffinity::parse(
            Some(&json!({
                "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term.clone()],
                                "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5, "podAffinityTerm": term.clone()}]},
                "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term.clone(), term.clone()],
                                    "preferredDuringSchedulingIgnoredDuringExecution": [{"podAffinityTerm": term}]}
            })),
            "ns",
        );
        assert_eq!((a.required.len(), a.preferred.len(), a.anti_required.len(), a.anti_preferred.len()), (1, 1, 2, 0));
        assert_eq!(a.preferred[0].0, 5);
        assert!(PodAffinity::parse(None, "ns").is_empty());
    }

    #[test]
    fn spread_constraints_defaults_and_match_label_keys() {
        let pod = labels(&[("app", "web"), ("pod-template-hash", "abc")]);
        let c = SpreadConstraint::parse_list(
            Some(&json!([{"maxSkew": 2, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                          "labelSelector": {"matchLabels": {"app": "web"}}, "matchLabelKeys": ["pod-template-hash", "missing"]},
                         {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                          "nodeAffinityPolicy": "Ignore", "nodeTaintsPolicy": "Honor"}])),
            &pod,
        );
        assert!(c[0].hard && c[0].honor_node_affinity && !c[0].honor_node_taints);
        assert!(c[0].selector.matches(&pod));
        assert!(!c[0].selector.matches(&labels(&[("app", "web"), ("pod-template-hash", "old")])));
        assert!(!c[1].hard && !c[1].honor_node_affinity && c[1].honor_node_taints);
        assert_eq!(c[1].selector, Selector::Nothing);
    }
}
