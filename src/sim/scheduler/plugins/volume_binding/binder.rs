//! The volume binder VolumeBinding calls (upstream `volumebinding/binder.go`): `GetPodVolumeClaims`
//! sorts a pod's claims into bound, unbound with immediate binding, and unbound waiting for their first
//! consumer; `FindPodVolumes` decides, for one node, whether the pod's volumes can be had there: a bound
//! volume's node affinity, a free volume to bind (the smallest that fits, `FindMatchingVolume`), or a
//! class whose provisioner can make one. The plan it returns for the chosen node is what PreBind writes.

use serde_json::Value;

use crate::sim::api::nodefit::NodeSelector;
use crate::sim::api::pointer::Pointer;
use crate::sim::api::selector;
use crate::sim::api::volumes::{NO_PROVISIONER, capacity_bytes, is_bound_to, mismatch, node_affinity, requested_bytes};
use crate::sim::scheduler::labels::Labels;
use crate::sim::scheduler::podinfo::PodInfo;
use crate::sim::scheduler::volumes::Volumes;

/// `ErrReasonBindConflict`.
pub const BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
/// `ErrReasonNodeConflict`.
pub const NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
/// `ErrReasonPVNotExist`.
pub const PV_NOT_EXIST: &str = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

/// A free volume a claim could bind to: its name, size and node affinity.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub name: String,
    bytes: i64,
    affinity: Option<NodeSelector>,
    /// Its `claimRef` already names the claim (pre-bound by its author).
    prebound: bool,
}

/// A claim waiting for its first consumer, with what could serve it.
#[derive(Debug, Clone)]
pub struct Unbound {
    pub name: String,
    bytes: i64,
    /// `volume.kubernetes.io/selected-node`, set by an earlier attempt.
    pub selected_node: String,
    /// Free volumes that satisfy it, smallest first.
    candidates: Vec<Candidate>,
    /// Its class names a provisioner that can make a volume (`checkVolumeProvisions`).
    provisionable: bool,
}

/// A pod's claims as `GetPodVolumeClaims` sorts them (immediate unbound claims are PreFilter's business).
#[derive(Debug, Clone, Default)]
pub struct PodClaims {
    /// Each bound claim's volume affinity: None when its volume does not exist.
    pub bound: Vec<Option<Option<NodeSelector>>>,
    pub unbound: Vec<Unbound>,
}

/// What PreBind does on the chosen node: volumes to bind to claims, claims to hand to the provisioner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// (claim, volume) pairs: the volume's `claimRef` is written.
    pub static_bindings: Vec<(String, String)>,
    /// Claims that get the `selected-node` annotation.
    pub provisions: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.static_bindings.is_empty() && self.provisions.is_empty()
    }
}

/// `IsPVCFullyBound`: a volume named and the PV controller's bind-completed annotation.
pub fn fully_bound(volumes: &Volumes, namespace: &str, name: &str) -> bool {
    volumes.claim(namespace, name).is_some_and(|c| c.bound && c.bind_completed)
}

fn candidates(volumes: &Volumes, claim: &Value) -> Vec<Candidate> {
    let selector = claim.at("/spec/selector").filter(|s| !s.is_null());
    let mut found: Vec<Candidate> = volumes
        .volumes()
        .filter(|v| mismatch(v, claim).is_none() && v.at("/metadata/deletionTimestamp").is_none())
        .filter_map(|v| {
            let prebound = is_bound_to(v, claim);
            let free = v.at("/spec/claimRef").is_none_or(Value::is_null)
                && v.at("/status/phase").and_then(Value::as_str) == Some("Available")
                && selector.is_none_or(|s| selector::selects(Some(s), v));
            (prebound || free).then(|| Candidate {
                name: crate::sim::api::meta::name(v).to_string(),
                bytes: capacity_bytes(v),
                affinity: node_affinity(v),
                prebound,
            })
        })
        .collect();
    found.sort_by(|a, b| (!a.prebound, a.bytes, &a.name).cmp(&(!b.prebound, b.bytes, &b.name)));
    found
}

impl PodClaims {
    /// Reads the pod's claims from the scheduler's cache (PreFilter has checked they exist).
    pub fn gather(pod: &PodInfo, volumes: &Volumes) -> PodClaims {
        let mut out = PodClaims::default();
        for name in &pod.claims {
            let Some(claim) = volumes.claim(&pod.namespace, name) else { continue };
            if claim.bound && claim.bind_completed {
                out.bound.push(volumes.volume(&claim.volume_name).map(node_affinity));
            } else if volumes.delays_binding(claim) && !claim.bound {
                let provisioner = volumes.class(&claim.class).map(|c| c.provisioner.as_str()).unwrap_or("");
                out.unbound.push(Unbound {
                    name: name.clone(),
                    bytes: requested_bytes(&claim.object),
                    selected_node: claim.selected_node.clone(),
                    candidates: candidates(volumes, &claim.object),
                    provisionable: !provisioner.is_empty() && provisioner != NO_PROVISIONER,
                });
            }
        }
        // `findMatchingVolumes` serves the smallest requests first.
        out.unbound.sort_by(|a, b| (a.bytes, &a.name).cmp(&(b.bytes, &b.name)));
        out
    }

    /// `FindPodVolumes` on one node: the plan, or upstream's reasons why not.
    pub fn find(&self, node: &str, labels: &Labels) -> Result<Plan, Vec<&'static str>> {
        let fits = |a: &Option<NodeSelector>| a.as_ref().is_none_or(|s| s.matches(node, labels));
        let mut reasons = Vec::new();
        if self.bound.iter().any(Option::is_none) {
            reasons.push(PV_NOT_EXIST);
        } else if !self.bound.iter().flatten().all(fits) {
            reasons.push(NODE_CONFLICT);
        }
        let mut plan = Plan::default();
        let mut satisfied = true;
        for claim in &self.unbound {
            if !claim.selected_node.is_empty() {
                // An earlier attempt chose a node for it: only that node will do.
                satisfied &= claim.selected_node == node;
                plan.provisions.push(claim.name.clone());
                continue;
            }
            let taken = |c: &&Candidate| plan.static_bindings.iter().any(|(_, v)| *v == c.name);
            match claim.candidates.iter().filter(|c| !taken(c)).find(|c| fits(&c.affinity)) {
                Some(c) => plan.static_bindings.push((claim.name.clone(), c.name.clone())),
                None if claim.provisionable => plan.provisions.push(claim.name.clone()),
                None => satisfied = false,
            }
        }
        if !satisfied {
            reasons.push(BIND_CONFLICT);
        }
        if reasons.is_empty() { Ok(plan) } else { Err(reasons) }
    }
}
