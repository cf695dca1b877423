//! VolumeBinding (`pkg/scheduler/framework/plugins/volumebinding`). PreFilter: every claim the pod uses
//! must exist and not be being deleted, and an unbound claim must be one whose class waits for the first
//! consumer (else the PV controller must bind it first and no node can help); a claim a previous attempt
//! already handed to a node narrows the search to that node. Filter: on each node, a bound volume's node
//! affinity must match, and each waiting claim needs a free volume there or a provisioner
//! (`binder.rs`). Reserve and PreBind (`AssumePodVolumes`, `BindPodVolumes`) are run by the scheduler
//! for the chosen node: it writes the volumes' `claimRef`s and the claims' `selected-node`, and binds
//! the pod only once every claim is bound, or gives up after `bindTimeoutSeconds` and retries.
//! PreScore always says Skip: upstream builds its scorer only with the alpha StorageCapacityScoring
//! gate (1.33; VolumeCapacityPriority before it), off by default, and without a scorer PreScore
//! returns Skip, so the plugin sits in the score list with weight 1 and adds nothing.

pub mod binder;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use self::binder::PodClaims;
use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{ClusterEvent, Plugin, PreFilterResult, Status};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "VolumeBinding";
/// PreFilter's reason for claims the PV controller must bind first.
pub const UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";

/// Per-cycle state: the claims of the pod being scheduled (upstream's `stateData`).
#[derive(Debug, Default)]
pub struct VolumeBinding {
    claims: PodClaims,
}

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter(&mut self, pod: &PodInfo, cluster: &Cluster) -> PreFilterResult {
        self.claims = PodClaims::default();
        let volumes = cluster.volumes();
        let mut unbound_immediate = false;
        for name in &pod.claims {
            let Some(claim) = volumes.claim(&pod.namespace, name) else {
                return Err(Status::unresolvable(format!("persistentvolumeclaim \"{name}\" not found")));
            };
            if claim.deleting {
                return Err(Status::unresolvable(format!("persistentvolumeclaim \"{name}\" is being deleted")));
            }
            let fully_bound = claim.bound && claim.bind_completed;
            if !fully_bound && (claim.bound || !volumes.delays_binding(claim)) {
                unbound_immediate = true;
            }
        }
        if unbound_immediate {
            return Err(Status::unresolvable(UNBOUND_IMMEDIATE));
        }
        self.claims = PodClaims::gather(pod, volumes);
        let selected: BTreeSet<String> = self
            .claims
            .unbound
            .iter()
            .filter(|c| !c.selected_node.is_empty())
            .map(|c| c.selected_node.clone())
            .collect();
        Ok((!selected.is_empty()).then_some(selected))
    }

    fn filter(&self, _pod: &PodInfo, node: &NodeInfo) -> Status {
        match self.claims.find(node.name(), &node.node.labels) {
            Ok(_) => Status::success(),
            Err(reasons) => Status {
                code: crate::sim::scheduler::framework::Code::UnschedulableAndUnresolvable,
                reasons: reasons.into_iter().map(Into::into).collect(),
                plugin: "",
            },
        }
    }

    /// Skip, as upstream's PreScore does when `scorer == nil` (the feature gate is off).
    fn pre_score(&mut self, _pod: &PodInfo, _cluster: &Cluster, _feasible: &[&NodeInfo]) -> bool {
        false
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(
            event,
            ClusterEvent::PvcChange
                | ClusterEvent::PvChange
                | ClusterEvent::StorageClassChange
                | ClusterEvent::NodeAdd
                | ClusterEvent::NodeUpdate { labels: true, .. }
        )
    }
}
