//! Pod admission on the node (the kubelet's `GeneralPredicates`): a pod bound here that does not fit
//! is rejected with phase Failed, reason `OutOfcpu`/`OutOfmemory`/`OutOfpods`/`NodeAffinity`, and
//! message `Pod was rejected: ...` (the Warning event carries the message without that prefix), as
//! when `spec.nodeName` bypasses the scheduler.

use super::podspec::PodSpec;

/// What the node offers and what its admitted pods already use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub pods: u64,
}

/// Why a pod was refused: `(reason, message)`; the status message is `Pod was rejected: ` + message.
pub type Rejection = (String, String);

fn insufficient(resource: &str, requested: u64, used: u64, capacity: u64) -> Rejection {
    (
        format!("OutOf{resource}"),
        format!(
            "Node didn't have enough resource: {resource}, requested: {requested}, used: {used}, capacity: {capacity}"
        ),
    )
}

/// Checks `pod` against the node's labels and allocatable resources, given what is in use.
pub fn admit(
    pod: &PodSpec,
    labels: &[(String, String)],
    allocatable: Capacity,
    used: Capacity,
) -> Result<(), Rejection> {
    let selector_ok = pod.node_selector.iter().all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v));
    if !selector_ok {
        return Err((
            "NodeAffinity".into(),
            "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector".into(),
        ));
    }
    if used.pods + 1 > allocatable.pods {
        return Err(insufficient("pods", 1, used.pods, allocatable.pods));
    }
    let (cpu, memory) = pod.requests();
    if cpu > 0 && used.cpu_millis + cpu > allocatable.cpu_millis {
        return Err(insufficient("cpu", cpu, used.cpu_millis, allocatable.cpu_millis));
    }
    if memory > 0 && used.memory_bytes + memory > allocatable.memory_bytes {
        return Err(insufficient("memory", memory, used.memory_bytes, allocatable.memory_bytes));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::podspec;
    use super::*;
    use serde_json::json;

    fn pod(cpu: &str, memory: &str, selector: serde_json::Value) -> PodSpec {
        podspec::parse(&json!({"metadata": {"name": "p"}, "spec": {"nodeSelector": selector,
            "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}}))
    }

    const NODE: Capacity = Capacity { cpu_millis: 2000, memory_bytes: 8 << 30, pods: 110 };
    const EMPTY: Capacity = Capacity { cpu_millis: 0, memory_bytes: 0, pods: 0 };

    #[test]
    fn fits_or_names_the_first_short_resource() {
        let labels = vec![("disk".to_string(), "ssd".to_string())];
        assert_eq!(admit(&pod("500m", "1Gi", json!({})), &labels, NODE, EMPTY), Ok(()));
        let used = Capacity { cpu_millis: 1850, memory_bytes: 0, pods: 3 };
        assert_eq!(
            admit(&pod("500m", "1Gi", json!({})), &labels, NODE, used),
            Err((
                "OutOfcpu".into(),
                "Node didn't have enough resource: cpu, requested: 500, used: 1850, capacity: 2000".into()
            ))
        );
        let r = admit(&pod("100m", "10Gi", json!({})), &labels, NODE, EMPTY).expect_err("too much memory");
        assert_eq!(r.0, "OutOfmemory");
        let full = Capacity { cpu_millis: 0, memory_bytes: 0, pods: 110 };
        assert_eq!(admit(&pod("0", "0", json!({})), &labels, NODE, full).map_err(|r| r.0), Err("OutOfpods".into()));
    }

    #[test]
    fn node_selector_must_match_labels() {
        let labels = vec![("disk".to_string(), "hdd".to_string())];
        let r = admit(&pod("0", "0", json!({"disk": "ssd"})), &labels, NODE, EMPTY).expect_err("selector mismatch");
        assert_eq!(r.0, "NodeAffinity");
        assert_eq!(admit(&pod("0", "0", json!({"disk": "hdd"})), &labels, NODE, EMPTY), Ok(()));
    }
}
