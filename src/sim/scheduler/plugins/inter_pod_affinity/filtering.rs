//! The filter half of InterPodAffinity: which topology pairs hold pods the new pod wants (or must
//! avoid), and which pairs running pods' anti-affinity closes to it.

use super::{ERR_AFFINITY, ERR_ANTI_AFFINITY, ERR_EXISTING_ANTI_AFFINITY, PairCounts, bump};
use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::Status;
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;
use crate::sim::scheduler::terms::AffinityTerm;

/// Upstream's `preFilterState`.
#[derive(Debug, Default, Clone)]
pub struct FilterState {
    affinity: PairCounts,
    anti_affinity: PairCounts,
    existing_anti_affinity: PairCounts,
}

/// `podMatchesAllAffinityTerms`: an existing pod counts for affinity only if it matches every term.
fn matches_all(terms: &[AffinityTerm], pod: &PodInfo) -> bool {
    !terms.is_empty() && terms.iter().all(|t| t.matches(&pod.namespace, &pod.labels))
}

impl FilterState {
    pub fn build(pod: &PodInfo, cluster: &Cluster) -> Self {
        let mut s = FilterState::default();
        for (existing, node) in cluster.pods_with_affinity() {
            for t in &existing.affinity.anti_required {
                if t.matches(&pod.namespace, &pod.labels) {
                    bump(&mut s.existing_anti_affinity, node, &t.topology_key, 1);
                }
            }
        }
        if pod.affinity.required.is_empty() && pod.affinity.anti_required.is_empty() {
            return s;
        }
        for node in cluster.nodes() {
            for existing in &node.pods {
                s.count_existing(pod, existing, node, 1);
            }
        }
        s
    }

    fn count_existing(&mut self, pod: &PodInfo, existing: &PodInfo, node: &NodeInfo, delta: i64) {
        if matches_all(&pod.affinity.required, existing) {
            for t in &pod.affinity.required {
                bump(&mut self.affinity, node, &t.topology_key, delta);
            }
        }
        for t in &pod.affinity.anti_required {
            if t.matches(&existing.namespace, &existing.labels) {
                bump(&mut self.anti_affinity, node, &t.topology_key, delta);
            }
        }
    }

    /// PreFilterExtensions (`updateWithPod`).
    pub fn update(&mut self, pod: &PodInfo, other: &PodInfo, node: &NodeInfo, delta: i64) {
        for t in &other.affinity.anti_required {
            if t.matches(&pod.namespace, &pod.labels) {
                bump(&mut self.existing_anti_affinity, node, &t.topology_key, delta);
            }
        }
        self.count_existing(pod, other, node, delta);
    }

    pub fn check(&self, pod: &PodInfo, node: &NodeInfo) -> Status {
        if !self.satisfies_affinity(pod, node) {
            return Status::unresolvable(ERR_AFFINITY);
        }
        let labels = &node.node.labels;
        let in_pair = |counts: &PairCounts, key: &str| {
            labels.get(key).is_some_and(|v| counts.get(&(key.to_string(), v.clone())).is_some_and(|n| *n > 0))
        };
        if pod.affinity.anti_required.iter().any(|t| in_pair(&self.anti_affinity, &t.topology_key)) {
            return Status::unschedulable(ERR_ANTI_AFFINITY);
        }
        if !self.existing_anti_affinity.is_empty() && labels.keys().any(|k| in_pair(&self.existing_anti_affinity, k)) {
            return Status::unschedulable(ERR_EXISTING_ANTI_AFFINITY);
        }
        Status::success()
    }

    /// Every required term's topology key must be on the node and its pair hold a matching pod; the
    /// first pod of a group with affinity to itself may go anywhere with the keys.
    fn satisfies_affinity(&self, pod: &PodInfo, node: &NodeInfo) -> bool {
        let mut pods_exist = true;
        for t in &pod.affinity.required {
            let Some(value) = node.node.labels.get(&t.topology_key) else { return false };
            if self.affinity.get(&(t.topology_key.clone(), value.clone())).is_none_or(|n| *n <= 0) {
                pods_exist = false;
            }
        }
        pods_exist || (self.affinity.is_empty() && matches_all(&pod.affinity.required, pod))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::framework::Code;
    use crate::sim::scheduler::testing::{cluster, node_value, pod_value};
    use serde_json::{Value, json};

    fn zoned(name: &str, zone: &str) -> Value {
        node_value(name, "4", "8Gi", json!({"metadata": {"labels": {"zone": zone}}}))
    }

    fn term(app: &str, key: &str) -> Value {
        json!({"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key})
    }

    fn with(name: &str, app: &str, node: &str, affinity: Value) -> Value {
        pod_value(name, "", "", json!({"nodeName": node, "affinity": affinity}), json!({"labels": {"app": app}}))
    }

    fn check(c: &Cluster, p: &Value, node: &str) -> Status {
        let p = PodInfo::parse(p);
        FilterState::build(&p, c).check(&p, c.node(node).expect("node exists"))
    }

    #[test]
    fn filter_table() {
        let db_in_a = with("db", "db", "a1", json!(null));
        let c = cluster(
            &[zoned("a1", "a"), zoned("a2", "a"), zoned("b1", "b"), node_value("bare", "4", "8Gi", json!({}))],
            &[db_in_a],
        );
        let near_db = json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term("db", "zone")]}});
        let away_db =
            json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term("db", "zone")]}});
        let cases = [
            (with("p", "web", "", near_db.clone()), "a2", Code::Success, ""),
            (with("p", "web", "", near_db.clone()), "b1", Code::UnschedulableAndUnresolvable, ERR_AFFINITY),
            (with("p", "web", "", near_db), "bare", Code::UnschedulableAndUnresolvable, ERR_AFFINITY),
            (with("p", "web", "", away_db.clone()), "a2", Code::Unschedulable, ERR_ANTI_AFFINITY),
            (with("p", "web", "", away_db.clone()), "b1", Code::Success, ""),
            (with("p", "web", "", away_db), "bare", Code::Success, ""),
            // The first pod of a self-affine group may start anywhere that has the key.
            (
                with(
                    "p",
                    "cache",
                    "",
                    json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term("cache", "zone")]}}),
                ),
                "b1",
                Code::Success,
                "",
            ),
        ];
        for (p, node, want, msg) in cases {
            let s = check(&c, &p, node);
            assert_eq!((s.code, s.message().as_str()), (want, msg), "{node}: {}", p["spec"]["affinity"]);
        }
    }

    #[test]
    fn running_pods_anti_affinity_keeps_newcomers_away() {
        let guard = with(
            "guard",
            "guard",
            "a1",
            json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term("web", "zone")]}}),
        );
        let c = cluster(&[zoned("a1", "a"), zoned("a2", "a"), zoned("b1", "b")], std::slice::from_ref(&guard));
        let web = with("w", "web", "", json!(null));
        assert_eq!(check(&c, &web, "a2").message(), ERR_EXISTING_ANTI_AFFINITY);
        assert!(check(&c, &web, "b1").is_success());
        assert!(check(&c, &with("d", "db", "", json!(null)), "a2").is_success());
        // Preemption's RemovePod: without the guard, zone a opens up.
        let p = PodInfo::parse(&web);
        let mut state = FilterState::build(&p, &c);
        let a1 = c.node("a1").expect("a1");
        state.update(&p, &PodInfo::parse(&guard), a1, -1);
        assert!(state.check(&p, c.node("a2").expect("a2")).is_success());
    }
}
