//! Plugin names, the registry that builds a plugin from its name, and the profile that says which
//! plugins filter (in order) and which score (with what weight), as `KubeSchedulerProfile` does.

use std::collections::BTreeSet;

use super::cluster::Cluster;
use super::framework::{ClusterEvent, Plugin, Status};
use super::nodeinfo::NodeInfo;
use super::plugins::*;
use super::podinfo::PodInfo;

/// Why a profile could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No plugin of that name is registered.
    #[error("plugin {0:?} does not exist")]
    UnknownPlugin(String),
}

/// Builds a fresh plugin instance (upstream `PluginFactory`).
pub type Factory = fn() -> Box<dyn Plugin>;

/// Every registered plugin, by name (`NewInTreeRegistry`).
pub const REGISTRY: &[(&str, Factory)] = &[
    (node_unschedulable::NAME, || Box::new(node_unschedulable::NodeUnschedulable)),
    (node_name::NAME, || Box::new(node_name::NodeName)),
    (taint_toleration::NAME, || Box::new(taint_toleration::TaintToleration)),
    (node_affinity::NAME, || Box::new(node_affinity::NodeAffinity)),
    (node_ports::NAME, || Box::new(node_ports::NodePorts)),
    (node_resources_fit::NAME, || Box::new(node_resources_fit::NodeResourcesFit)),
    (volume_binding::NAME, || Box::<volume_binding::VolumeBinding>::default()),
    (pod_topology_spread::NAME, || Box::<pod_topology_spread::PodTopologySpread>::default()),
    (inter_pod_affinity::NAME, || Box::<inter_pod_affinity::InterPodAffinity>::default()),
    (balanced_allocation::NAME, || Box::new(balanced_allocation::BalancedAllocation)),
    (image_locality::NAME, || Box::<image_locality::ImageLocality>::default()),
];

/// The default profile's filters, in the order they run (the first failure decides a node).
pub const DEFAULT_FILTERS: &[&str] = &[
    node_unschedulable::NAME,
    node_name::NAME,
    taint_toleration::NAME,
    node_affinity::NAME,
    node_ports::NAME,
    node_resources_fit::NAME,
    volume_binding::NAME,
    pod_topology_spread::NAME,
    inter_pod_affinity::NAME,
];

/// The default profile's scores and weights, in the order of upstream's `MultiPoint` list
/// (`pkg/scheduler/apis/config/v1/default_plugins.go`). VolumeBinding is there with no weight, and a
/// MultiPoint plugin that implements Score gets weight 1 (`getScoreWeights`); its PreScore skips
/// while the StorageCapacityScoring gate is off (the default), so its column reads `skip`.
pub const DEFAULT_SCORES: &[(&str, i64)] = &[
    (taint_toleration::NAME, 3),
    (node_affinity::NAME, 2),
    (node_resources_fit::NAME, 1),
    (volume_binding::NAME, 1),
    (pod_topology_spread::NAME, 2),
    (inter_pod_affinity::NAME, 2),
    (balanced_allocation::NAME, 1),
    (image_locality::NAME, 1),
];

/// The profile name pods select with `spec.schedulerName`.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";

/// A fresh instance of the named plugin, if registered.
pub fn new_plugin(name: &str) -> Option<Box<dyn Plugin>> {
    REGISTRY.iter().find(|(n, _)| *n == name).map(|(_, make)| make())
}

/// The nodes PreFilter plugins allow, and which plugins narrowed them.
pub type Narrowed = (BTreeSet<String>, Vec<&'static str>);

/// A scheduling profile: plugin instances and how they are used.
#[derive(Debug)]
pub struct Profile {
    plugins: Vec<Box<dyn Plugin>>,
    filters: Vec<usize>,
    scorers: Vec<(usize, i64)>,
}

impl Profile {
    /// The `default-scheduler` profile.
    pub fn default_profile() -> Self {
        Self::new(DEFAULT_FILTERS, DEFAULT_SCORES).expect("the default plugins are all registered")
    }

    /// A profile from plugin names; a plugin used at both points is one instance (shared state).
    pub fn new(filters: &[&str], scores: &[(&str, i64)]) -> Result<Self, RegistryError> {
        let mut plugins: Vec<Box<dyn Plugin>> = Vec::new();
        let index_of = |name: &str, plugins: &mut Vec<Box<dyn Plugin>>| -> Result<usize, RegistryError> {
            if let Some(i) = plugins.iter().position(|p| p.name() == name) {
                return Ok(i);
            }
            plugins.push(new_plugin(name).ok_or_else(|| RegistryError::UnknownPlugin(name.to_string()))?);
            Ok(plugins.len() - 1)
        };
        let filters = filters.iter().map(|n| index_of(n, &mut plugins)).collect::<Result<Vec<_>, _>>()?;
        let scorers = scores
            .iter()
            .map(|(n, w)| Ok((index_of(n, &mut plugins)?, *w)))
            .collect::<Result<Vec<_>, RegistryError>>()?;
        Ok(Self { plugins, filters, scorers })
    }

    /// The filters in the order they run.
    pub fn filter_names(&self) -> Vec<&'static str> {
        self.filters.iter().map(|&i| self.plugins[i].name()).collect()
    }

    /// The score plugins with their weights.
    pub fn score_plugins(&self) -> Vec<(&'static str, i64)> {
        self.scorers.iter().map(|&(i, w)| (self.plugins[i].name(), w)).collect()
    }

    /// PreFilter of every filter plugin; the first rejection stops the cycle. When plugins narrow
    /// the nodes, the result is the nodes all of them allow, with the plugins' names.
    pub fn pre_filter(&mut self, pod: &PodInfo, cluster: &Cluster) -> Result<Option<Narrowed>, Status> {
        let mut narrowed: Option<Narrowed> = None;
        for &i in &self.filters {
            let name = self.plugins[i].name();
            let Some(nodes) = self.plugins[i].pre_filter(pod, cluster).map_err(|s| s.with_plugin(name))? else {
                continue;
            };
            let (set, by) = narrowed.get_or_insert_with(|| (nodes.clone(), Vec::new()));
            set.retain(|n| nodes.contains(n));
            by.push(name);
            if set.is_empty() {
                let msg = match by.as_slice() {
                    [one] => format!("node(s) didn't satisfy plugin {one}"),
                    many => format!("node(s) didn't satisfy plugin(s) [{}] simultaneously", many.join(" ")),
                };
                return Err(Status::unresolvable(msg).with_plugin(name));
            }
        }
        Ok(narrowed)
    }

    /// Runs the filters in order; on failure returns the position of the failing filter and its status.
    pub fn filter(&self, pod: &PodInfo, node: &NodeInfo) -> Result<(), (usize, Status)> {
        for (pos, &i) in self.filters.iter().enumerate() {
            let s = self.plugins[i].filter(pod, node);
            if !s.is_success() {
                return Err((pos, s.with_plugin(self.plugins[i].name())));
            }
        }
        Ok(())
    }

    /// Tells the filters' pre-computed state that `other` left `node` (preemption's dry run).
    pub fn remove_pod(&mut self, pod: &PodInfo, other: &PodInfo, node: &NodeInfo) {
        for &i in &self.filters {
            self.plugins[i].remove_pod(pod, other, node);
        }
    }

    /// Undoes `remove_pod`.
    pub fn add_pod(&mut self, pod: &PodInfo, other: &PodInfo, node: &NodeInfo) {
        for &i in &self.filters {
            self.plugins[i].add_pod(pod, other, node);
        }
    }

    /// PreScore of every scorer; `false` entries are skipped for this pod.
    pub fn pre_score(&mut self, pod: &PodInfo, cluster: &Cluster, feasible: &[&NodeInfo]) -> Vec<bool> {
        let scorers = self.scorers.clone();
        scorers.iter().map(|&(i, _)| self.plugins[i].pre_score(pod, cluster, feasible)).collect()
    }

    /// The raw score of scorer number `pos`.
    pub fn score(&self, pos: usize, pod: &PodInfo, node: &NodeInfo, cluster: &Cluster) -> i64 {
        self.plugins[self.scorers[pos].0].score(pod, node, cluster)
    }

    /// NormalizeScore of scorer number `pos` over the feasible nodes' raw scores.
    pub fn normalize(&self, pos: usize, scores: &mut [i64]) {
        self.plugins[self.scorers[pos].0].normalize(scores);
    }

    /// Whether `event` may help a pod rejected by `plugins` (any pod when none is known).
    pub fn requeue_on(&self, plugins: &[&'static str], event: &ClusterEvent) -> bool {
        plugins.is_empty() || self.plugins.iter().any(|p| plugins.contains(&p.name()) && p.requeue_on(event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_lists_plugins_in_upstream_order() {
        let p = Profile::default_profile();
        assert_eq!(p.filter_names(), DEFAULT_FILTERS);
        assert_eq!(p.score_plugins(), DEFAULT_SCORES);
        // TaintToleration filters and scores: one instance.
        assert_eq!(p.plugins.len(), REGISTRY.len());
    }

    #[test]
    fn unknown_plugins_are_errors() {
        assert_eq!(
            Profile::new(&["NodeName", "VolumeZone"], &[]).err(),
            Some(RegistryError::UnknownPlugin("VolumeZone".into()))
        );
        assert!(new_plugin("NodePorts").is_some());
        assert!(new_plugin("nodeports").is_none());
    }

    #[test]
    fn requeue_follows_the_rejecting_plugins() {
        let p = Profile::default_profile();
        let fit = [node_resources_fit::NAME];
        assert!(p.requeue_on(&fit, &ClusterEvent::AssignedPodDelete));
        assert!(!p.requeue_on(&fit, &ClusterEvent::AssignedPodAdd));
        assert!(p.requeue_on(&[], &ClusterEvent::AssignedPodAdd));
        let labels = ClusterEvent::NodeUpdate {
            labels: true,
            taints: false,
            allocatable: false,
            unschedulable: false,
            images: false,
        };
        assert!(p.requeue_on(&[node_affinity::NAME], &labels));
        assert!(!p.requeue_on(&[taint_toleration::NAME], &labels));
    }
}
