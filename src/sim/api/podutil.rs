//! Pod predicates every component shares (`k8s.io/kubernetes/pkg/api/v1/pod` and `controller.IsPodActive`):
//! the phase, the node, active, ready. Read in place; a pod of any odd shape answers "no".

use serde_json::Value;

use super::meta::{at, is_being_deleted, str_at};

/// `status.phase`, or "".
pub fn phase(pod: &Value) -> &str {
    str_at(pod, &["status", "phase"]).unwrap_or("")
}

/// `spec.nodeName`, or "" while unscheduled.
pub fn node_name(pod: &Value) -> &str {
    str_at(pod, &["spec", "nodeName"]).unwrap_or("")
}

/// `controller.IsPodActive`: not finished and not being deleted.
pub fn is_active(pod: &Value) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && !is_being_deleted(pod)
}

/// `podutil.IsPodReady`: the `Ready` condition is `True`.
pub fn is_ready(pod: &Value) -> bool {
    at(pod, &["status", "conditions"])
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c.get("type").and_then(Value::as_str) == Some("Ready")))
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True")
}

/// The claims a pod's volumes use (`persistentVolumeClaim.claimName`, and `<pod>-<volume>` for an
/// `ephemeral` volume, the claim the ephemeral-volume controller makes).
pub fn claim_names(pod: &Value) -> Vec<String> {
    let pod_name = str_at(pod, &["metadata", "name"]).unwrap_or("");
    let volumes = at(pod, &["spec", "volumes"]).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    volumes
        .iter()
        .filter_map(|v| {
            if let Some(c) = v.get("persistentVolumeClaim") {
                return c.get("claimName").and_then(Value::as_str).map(str::to_string);
            }
            v.get("ephemeral")?;
            Some(format!("{pod_name}-{}", v.get("name")?.as_str()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn active_and_ready_follow_phase_deletion_and_the_ready_condition() {
        let ready = json!({"spec": {"nodeName": "n1"}, "status": {"phase": "Running",
            "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}]}});
        assert!(is_active(&ready) && is_ready(&ready));
        assert_eq!((phase(&ready), node_name(&ready)), ("Running", "n1"));

        let mut deleting = ready.clone();
        deleting["metadata"] = json!({"deletionTimestamp": "2026-01-01T00:00:00Z"});
        assert!(!is_active(&deleting), "being deleted");
        let done = json!({"status": {"phase": "Succeeded"}});
        assert!(!is_active(&done));
        let not_ready = json!({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}});
        assert!(is_active(&not_ready) && !is_ready(&not_ready));
        for odd in [json!(null), json!({"status": {"conditions": "x"}}), json!({"status": {"phase": 5}})] {
            assert!(!is_ready(&odd));
            assert_eq!(phase(&odd), "");
        }
    }
}
