//! The score half of InterPodAffinity: weights of preferred terms (and of running pods' terms about
//! the new pod) summed per topology pair, then scaled to 0..=100 between the lowest and highest node.

use std::collections::BTreeMap;

use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::MAX_NODE_SCORE;
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;
use crate::sim::scheduler::terms::AffinityTerm;

/// The weight a running pod's *required* affinity to the new pod adds (`hardPodAffinityWeight`).
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// Topology key -> value -> summed weight.
#[derive(Debug, Default, Clone)]
pub struct ScoreState {
    scores: BTreeMap<String, BTreeMap<String, i64>>,
}

impl ScoreState {
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub fn build(pod: &PodInfo, cluster: &Cluster) -> Self {
        let mut s = ScoreState::default();
        let has_preferences = !pod.affinity.preferred.is_empty() || !pod.affinity.anti_preferred.is_empty();
        if has_preferences {
            for node in cluster.nodes() {
                for existing in &node.pods {
                    s.process_existing(pod, existing, node);
                }
            }
        } else {
            for (existing, node) in cluster.pods_with_affinity() {
                s.process_existing(pod, existing, node);
            }
        }
        s.scores.retain(|_, values| !values.is_empty());
        s
    }

    fn add(&mut self, term: &AffinityTerm, weight: i64, other: &PodInfo, node: &NodeInfo) {
        if !term.matches(&other.namespace, &other.labels) {
            return;
        }
        if let Some(value) = node.node.labels.get(&term.topology_key) {
            *self.scores.entry(term.topology_key.clone()).or_default().entry(value.clone()).or_insert(0) += weight;
        }
    }

    /// `processExistingPod`: both pods' terms about each other, on the existing pod's node.
    fn process_existing(&mut self, pod: &PodInfo, existing: &PodInfo, node: &NodeInfo) {
        for (w, t) in &pod.affinity.preferred {
            self.add(t, *w, existing, node);
        }
        for (w, t) in &pod.affinity.anti_preferred {
            self.add(t, -w, existing, node);
        }
        for t in &existing.affinity.required {
            self.add(t, HARD_POD_AFFINITY_WEIGHT, pod, node);
        }
        for (w, t) in &existing.affinity.preferred {
            self.add(t, *w, pod, node);
        }
        for (w, t) in &existing.affinity.anti_preferred {
            self.add(t, -w, pod, node);
        }
    }

    pub fn score(&self, node: &NodeInfo) -> i64 {
        self.scores.iter().filter_map(|(key, values)| values.get(node.node.labels.get(key)?)).sum()
    }
}

/// Scale between the lowest and the highest score; all equal -> all 0.
pub fn normalize(scores: &mut [i64]) {
    let (Some(&min), Some(&max)) = (scores.iter().min(), scores.iter().max()) else { return };
    let diff = max - min;
    for s in scores.iter_mut() {
        *s = if diff > 0 { (MAX_NODE_SCORE as f64 * ((*s - min) as f64 / diff as f64)) as i64 } else { 0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::testing::{cluster, node_value, pod_value};
    use serde_json::{Value, json};

    fn zoned(name: &str, zone: &str) -> Value {
        node_value(name, "4", "8Gi", json!({"metadata": {"labels": {"zone": zone}}}))
    }

    fn pod(name: &str, app: &str, node: &str, affinity: Value) -> Value {
        pod_value(name, "", "", json!({"nodeName": node, "affinity": affinity}), json!({"labels": {"app": app}}))
    }

    fn preferred(kind: &str, weight: i64, app: &str) -> Value {
        json!({kind: {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": weight, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "zone"}}]}})
    }

    fn scores(c: &Cluster, p: &Value) -> Option<Vec<i64>> {
        let p = PodInfo::parse(p);
        let state = ScoreState::build(&p, c);
        if state.is_empty() {
            return None;
        }
        let mut raw: Vec<i64> = c.nodes().iter().map(|n| state.score(n)).collect();
        normalize(&mut raw);
        Some(raw)
    }

    #[test]
    fn preferred_affinity_and_anti_affinity_score_by_zone() {
        let c = cluster(
            &[zoned("a1", "a"), zoned("b1", "b"), zoned("c1", "c")],
            &[pod("db", "db", "a1", json!(null)), pod("cache", "cache", "b1", json!(null))],
        );
        assert_eq!(scores(&c, &pod("w", "web", "", preferred("podAffinity", 10, "db"))), Some(vec![100, 0, 0]));
        assert_eq!(scores(&c, &pod("w", "web", "", preferred("podAntiAffinity", 10, "db"))), Some(vec![0, 100, 100]));
        assert_eq!(scores(&c, &pod("w", "web", "", json!(null))), None, "no terms anywhere: Skip");
    }

    #[test]
    fn running_pods_terms_about_the_new_pod_count_too() {
        let likes_web = pod(
            "fan",
            "fan",
            "b1",
            json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "zone"}]}}),
        );
        let c = cluster(&[zoned("a1", "a"), zoned("b1", "b")], &[likes_web]);
        assert_eq!(scores(&c, &pod("w", "web", "", json!(null))), Some(vec![0, 100]));
        let mut flat = vec![5, 5];
        normalize(&mut flat);
        assert_eq!(flat, [0, 0]);
    }
}
