//! Pod admission on the node (`pkg/kubelet/lifecycle/predicate.go`): a pod bound here that does not
//! fit is rejected with phase Failed and the first failing check's reason, `Pod was rejected: ` +
//! its message in the status (the Warning event carries the message alone), as when `spec.nodeName`
//! bypasses the scheduler.
//!
//! The checks and their order are upstream's `generalFilter`: resources (`OutOfpods`, `OutOfcpu`,
//! `OutOfmemory`), node affinity and `nodeSelector` (`NodeAffinity`), host ports (`NodePorts`), then
//! `NoExecute` taints the pod does not tolerate (`TaintToleration`). The node name always matches:
//! the kubelet only sees pods bound to it. Affinity, ports and taints are `api::nodefit`'s, the rules
//! the scheduler filters with; the node's labels and taints are its Node object's as the kubelet's node
//! informer has it (`kubectl label` and `kubectl taint` count), or as registered until it has it.

use super::podspec::PodSpec;
use crate::sim::api::nodefit::{Effect, HostPort, RequiredNodeAffinity, Taint, find_untolerated};

/// What the node offers and what its admitted pods already use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub pods: u64,
}

/// The node as the kubelet knows it: its name, labels and taints.
#[derive(Debug, Clone, Copy)]
pub struct NodeFacts<'a> {
    pub name: &'a str,
    pub labels: &'a [(String, String)],
    pub taints: &'a [Taint],
}

/// Why a pod was refused: `(reason, message)`; the status message is `Pod was rejected: ` + message.
pub type Rejection = (String, String);

/// `InsufficientResourceError`.
fn insufficient(resource: &str, requested: u64, used: u64, capacity: u64) -> Rejection {
    (
        format!("OutOf{resource}"),
        format!(
            "Node didn't have enough resource: {resource}, requested: {requested}, used: {used}, capacity: {capacity}"
        ),
    )
}

/// `PredicateFailureError`: the plugin's name is the reason.
fn predicate(plugin: &str, reason: &str) -> Rejection {
    (plugin.to_string(), format!("Predicate {plugin} failed: {reason}"))
}

/// Checks `pod` against the node, given what admitted pods use (`used`, `used_ports`).
pub fn admit(
    pod: &PodSpec,
    node: NodeFacts<'_>,
    allocatable: Capacity,
    used: Capacity,
    used_ports: &[HostPort],
) -> Result<(), Rejection> {
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
    // Only `nodeSelector` is checked here, not the required affinity terms: the kubelet knows only
    // the labels it registered (it does not watch its Node), and a term matching a label added
    // later with `kubectl label node` would refuse a pod the scheduler rightly placed. Upstream
    // checks both, against the Node its informer holds.
    let selector_only = RequiredNodeAffinity { node_selector: pod.node_affinity.node_selector.clone(), required: None };
    if !selector_only.matches(node.name, node.labels) {
        return Err(predicate("NodeAffinity", "node(s) didn't match Pod's node affinity/selector"));
    }
    if pod.host_ports.iter().any(|want| used_ports.iter().any(|u| u.conflicts(want))) {
        return Err(predicate("NodePorts", "node(s) didn't have free ports for the requested pod ports"));
    }
    // The kubelet only cares about NoExecute: NoSchedule is the scheduler's business.
    if find_untolerated(node.taints, &pod.tolerations, |t| t.effect == Effect::NoExecute).is_some() {
        return Err(predicate("TaintToleration", "node(s) had taints that the pod didn't tolerate"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::podspec;
    use super::*;
    use serde_json::{Value, json};

    fn pod(cpu: &str, memory: &str, extra: Value) -> PodSpec {
        let mut spec = json!({"containers": [{"name": "c", "image": "nginx",
            "resources": {"requests": {"cpu": cpu, "memory": memory}}, "ports": [{"containerPort": 80, "hostPort": 8080}]}]});
        for (k, v) in extra.as_object().into_iter().flatten() {
            spec[k] = v.clone();
        }
        podspec::parse(&json!({"metadata": {"name": "p"}, "spec": spec}))
    }

    const NODE: Capacity = Capacity { cpu_millis: 2000, memory_bytes: 8 << 30, pods: 110 };
    const EMPTY: Capacity = Capacity { cpu_millis: 0, memory_bytes: 0, pods: 0 };

    fn facts<'a>(labels: &'a [(String, String)], taints: &'a [Taint]) -> NodeFacts<'a> {
        NodeFacts { name: "w1", labels, taints }
    }

    #[test]
    fn fits_or_names_the_first_short_resource() {
        let labels = vec![("disk".to_string(), "ssd".to_string())];
        let n = facts(&labels, &[]);
        assert_eq!(admit(&pod("500m", "1Gi", json!({})), n, NODE, EMPTY, &[]), Ok(()));
        let used = Capacity { cpu_millis: 1850, memory_bytes: 0, pods: 3 };
        assert_eq!(
            admit(&pod("500m", "1Gi", json!({})), n, NODE, used, &[]),
            Err((
                "OutOfcpu".into(),
                "Node didn't have enough resource: cpu, requested: 500, used: 1850, capacity: 2000".into()
            ))
        );
        let r = admit(&pod("100m", "10Gi", json!({})), n, NODE, EMPTY, &[]).expect_err("too much memory");
        assert_eq!(r.0, "OutOfmemory");
        let full = Capacity { cpu_millis: 0, memory_bytes: 0, pods: 110 };
        assert_eq!(admit(&pod("0", "0", json!({})), n, NODE, full, &[]).map_err(|r| r.0), Err("OutOfpods".into()));
    }

    /// Each predicate with upstream's reason and message; resources come first, as in `generalFilter`.
    #[test]
    fn predicates_in_upstream_order_and_words() {
        let labels = vec![("disk".to_string(), "hdd".to_string())];
        let no_execute = [Taint { key: "k".into(), value: "v".into(), effect: Effect::NoExecute }];
        let no_schedule = [Taint { key: "k".into(), value: "v".into(), effect: Effect::NoSchedule }];
        let port = [HostPort { protocol: "TCP".into(), ip: "0.0.0.0".into(), port: 8080 }];
        let affinity = |op: &str| {
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": op, "values": ["w1"]}]}]}}}})
        };
        let cases = [
            (pod("0", "0", json!({"nodeSelector": {"disk": "hdd"}})), &[][..], &[][..], None),
            (
                pod("0", "0", json!({"nodeSelector": {"disk": "ssd"}})),
                &[],
                &[],
                Some((
                    "NodeAffinity",
                    "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
                )),
            ),
            (pod("0", "0", affinity("In")), &[], &[], None),
            // Required terms are the scheduler's: the kubelet cannot see labels added through the API.
            (pod("0", "0", affinity("NotIn")), &[], &[], None),
            (
                pod("0", "0", json!({})),
                &port[..],
                &[],
                Some((
                    "NodePorts",
                    "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
                )),
            ),
            (
                pod("0", "0", json!({})),
                &[],
                &no_execute[..],
                Some((
                    "TaintToleration",
                    "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate",
                )),
            ),
            (pod("0", "0", json!({})), &[], &no_schedule[..], None),
            (
                pod("0", "0", json!({"tolerations": [{"operator": "Exists", "effect": "NoExecute"}]})),
                &[],
                &no_execute[..],
                None,
            ),
            (pod("3", "0", json!({"nodeSelector": {"disk": "ssd"}})), &[], &[], Some(("OutOfcpu", ""))),
        ];
        for (i, (p, used_ports, taints, want)) in cases.into_iter().enumerate() {
            let got = admit(&p, facts(&labels, taints), NODE, EMPTY, used_ports);
            match want {
                None => assert_eq!(got, Ok(()), "case {i}"),
                Some((reason, message)) => {
                    let (r, m) = got.expect_err("rejected");
                    assert_eq!(r, reason, "case {i}");
                    assert!(message.is_empty() || m == message, "case {i}: {m}");
                }
            }
        }
    }
}
