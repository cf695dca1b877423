//! A pod's PersistentVolumeClaims as the kubelet's volume manager sees them: it GETs each claim and,
//! once bound, its PersistentVolume, and mounts the volume from where it keeps its data; until
//! then the pod waits with upstream's `FailedMount` words (`desired_state_of_world_populator.go`
//! `getPVCExtractPV`, `volume_manager.go` `WaitForAttachAndMount`).

use serde_json::Value;

use super::podspec::{PodSpec, Volume};
use super::{ApiOp, Kubelet, rt};
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::status::Status;
use crate::sim::kernel::Kernel;

/// What the kubelet learned of one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimState {
    /// The GET failed: the apiserver's words (`persistentvolumeclaims "x" not found`).
    Unreadable(String),
    Deleting,
    Unbound,
    /// Bound to `volume`; `path` is where the volume keeps its data on this node, once the
    /// PersistentVolume was read (`Err`: why it could not be).
    Bound {
        volume: String,
        path: Option<Result<String, String>>,
    },
}

/// Where a PersistentVolume keeps its data on the node that mounts it: a `hostPath` or `local`
/// volume at its path (so the next pod on that node finds it); any other kind under the kubelet's
/// plugin directory, keyed by the volume's name.
pub fn volume_path(pv: &Value) -> String {
    pv.at("/spec/hostPath/path")
        .or_else(|| pv.at("/spec/local/path"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            let name = pv.at("/metadata/name").and_then(Value::as_str).unwrap_or_default();
            format!("/var/lib/kubelet/plugins/kubernetes.io/pv/{name}")
        })
}

/// The state of a claim from its object.
pub fn claim_state(pvc: &Value) -> ClaimState {
    if pvc.at("/metadata/deletionTimestamp").is_some_and(|v| !v.is_null()) {
        return ClaimState::Deleting;
    }
    let bound = pvc.at("/status/phase").and_then(Value::as_str) == Some("Bound");
    match pvc.at("/spec/volumeName").and_then(Value::as_str).filter(|v| !v.is_empty()) {
        Some(volume) if bound => ClaimState::Bound { volume: volume.to_string(), path: None },
        _ => ClaimState::Unbound,
    }
}

/// The claims a pod's volumes name: (volume name, claim name).
pub fn claims_of(spec: &PodSpec) -> Vec<(String, String)> {
    spec.volumes
        .iter()
        .filter_map(|v| match v {
            Volume::Claim { name, claim, .. } => Some((name.clone(), claim.clone())),
            _ => None,
        })
        .collect()
}

impl Kubelet {
    /// Where a claim of the pod's namespace keeps its data, or why it cannot be mounted yet.
    pub(crate) fn claim_path(&self, namespace: &str, claim: &str) -> Result<String, String> {
        let why = match self.claims.get(&(namespace.to_string(), claim.to_string())) {
            None => "PVC is not bound".to_string(),
            Some(ClaimState::Unreadable(e)) => format!("failed to fetch PVC from API server: {e}"),
            Some(ClaimState::Deleting) => "PVC is being deleted".to_string(),
            Some(ClaimState::Unbound) => "PVC is not bound".to_string(),
            Some(ClaimState::Bound { path: Some(Ok(p)), .. }) => return Ok(p.clone()),
            Some(ClaimState::Bound { path: Some(Err(e)), .. }) => e.clone(),
            Some(ClaimState::Bound { volume, path: None }) => {
                format!("failed to fetch PV {volume} from API server: not read yet")
            }
        };
        Err(format!("error processing PVC {namespace}/{claim}: {why}"))
    }

    /// The `FailedMount` message while some claim cannot be mounted: the volume manager's wait
    /// gives up with the populator's errors (`unmounted volumes=[...], ..., failed to process
    /// volumes=[...]: <errors>`).
    pub(crate) fn claims_unmountable(&self, spec: &PodSpec) -> Option<String> {
        let mut failed = Vec::new();
        let mut errors = Vec::new();
        for (volume, claim) in claims_of(spec) {
            if let Err(e) = self.claim_path(&spec.namespace, &claim) {
                failed.push(volume);
                errors.push(e);
            }
        }
        if failed.is_empty() {
            return None;
        }
        failed.sort();
        let list = failed.join(" ");
        Some(format!(
            "Unable to attach or mount volumes: unmounted volumes=[{list}], unattached volumes=[], failed to process volumes=[{list}]: {}",
            errors.join("; ")
        ))
    }

    /// GETs the pod's claims (part of the fetch before the volumes are set up).
    pub(crate) fn fetch_claims(&mut self, uid: &str, k: &mut Kernel) -> u32 {
        let Some(w) = self.pods.get(uid) else { return 0 };
        let ns = w.spec.namespace.clone();
        let claims = claims_of(&w.spec);
        for (_, claim) in &claims {
            let op = ApiOp::Claim(uid.to_string(), ns.clone(), claim.clone());
            self.api_get(rt("persistentvolumeclaims"), Some(&ns), claim, op, k);
        }
        claims.len() as u32
    }

    /// A claim's answer: bound claims lead to a GET of their volume. Returns whether another
    /// request went out for the pod.
    pub(crate) fn on_claim(
        &mut self,
        uid: &str,
        ns: String,
        claim: String,
        result: Result<Value, Status>,
        k: &mut Kernel,
    ) -> bool {
        let state = match result {
            Ok(pvc) => claim_state(&pvc),
            Err(s) => ClaimState::Unreadable(s.message.clone()),
        };
        let volume = match &state {
            ClaimState::Bound { volume, .. } => Some(volume.clone()),
            _ => None,
        };
        self.claims.insert((ns.clone(), claim.clone()), state);
        let Some(volume) = volume else { return false };
        let op = ApiOp::ClaimVolume(uid.to_string(), ns, claim, volume.clone());
        self.api_get(rt("persistentvolumes"), None, &volume, op, k);
        true
    }

    /// A claim's volume answered: where its data is.
    pub(crate) fn on_claim_volume(&mut self, ns: String, claim: String, volume: String, result: Result<Value, Status>) {
        let path = match result {
            Ok(pv) => Ok(volume_path(&pv)),
            Err(s) => Err(format!("failed to fetch PV {volume} from API server: {}", s.message)),
        };
        self.claims.insert((ns, claim), ClaimState::Bound { volume, path: Some(path) });
    }
}
