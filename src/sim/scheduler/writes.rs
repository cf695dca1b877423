//! The API writes the scheduler makes, as pure functions from decisions to `Action`s: the binding,
//! the `Scheduled` / `FailedScheduling` / `Preempted` events, the `PodScheduled` condition and
//! `nominatedNodeName` status patches, the eviction of preemption victims, and VolumeBinding's PreBind
//! writes to volumes and claims.

use serde_json::{Value, json};

use super::plugins::volume_binding::binder::Plan;
use super::podinfo::PodInfo;
use super::registry::DEFAULT_SCHEDULER_NAME;
use super::volumes::Volumes;
use crate::sim::api::ResourceType;
use crate::sim::api::volumes::{ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE};
use crate::sim::apiserver::request::PatchType;
use crate::sim::client::Action;
use crate::sim::time::{Millis, rfc3339};

/// Event messages longer than this are cut (`validation.NoteLengthLimit`).
pub const NOTE_LENGTH_LIMIT: usize = 1024;

/// What to do with `status.nominatedNodeName` (upstream `NominatingInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nomination {
    /// Leave it as it is.
    Keep,
    /// Set it to this node, or clear it when empty (`ModeOverride`).
    Set(String),
}

/// The object an event is about: enough of the pod for `involvedObject`.
pub fn regarding(pod: &PodInfo) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": pod.name, "namespace": pod.namespace, "uid": pod.uid, "resourceVersion": pod.resource_version
    }})
}

/// `truncateMessage`.
pub fn truncate(message: &str) -> String {
    if message.len() <= NOTE_LENGTH_LIMIT {
        return message.to_string();
    }
    let mut end = NOTE_LENGTH_LIMIT - " ...".len();
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} ...", &message[..end])
}

pub fn bind(pod: &PodInfo, node: &str) -> Action {
    Action::Bind { namespace: pod.namespace.clone(), name: pod.name.clone(), node: node.to_string() }
}

/// `Successfully assigned default/web-abc to worker2` (reason `Scheduled`, Normal).
pub fn scheduled_event(pod: &PodInfo, node: &str) -> Action {
    Action::Event {
        regarding: regarding(pod),
        event_type: "Normal",
        reason: "Scheduled".to_string(),
        message: format!("Successfully assigned {}/{} to {node}", pod.namespace, pod.name),
    }
}

/// The `FailedScheduling` warning with the fit error (or scheduler error) message.
pub fn failed_event(pod: &PodInfo, message: &str) -> Action {
    Action::Event {
        regarding: regarding(pod),
        event_type: "Warning",
        reason: "FailedScheduling".to_string(),
        message: truncate(message),
    }
}

/// The status patch after a failed attempt: `PodScheduled=False` with `reason` (`Unschedulable` or
/// `SchedulerError`) and the message, plus the nomination. `None` when nothing would change, as
/// `updatePod` skips the request then.
pub fn failure_status_patch(
    pods: &'static ResourceType,
    pod: &PodInfo,
    reason: &str,
    message: &str,
    nomination: &Nomination,
    now: Millis,
) -> Option<Action> {
    let old = pod.scheduled_condition.as_ref();
    let condition_changes = old.is_none_or(|c| c.status != "False" || c.reason != reason || c.message != message);
    let nominated = match nomination {
        Nomination::Set(n) if *n != pod.nominated_node_name => Some(n.as_str()),
        _ => None,
    };
    if !condition_changes && nominated.is_none() {
        return None;
    }
    let mut status = serde_json::Map::new();
    if condition_changes {
        let mut c = json!({"type": "PodScheduled", "status": "False", "reason": reason, "message": message, "lastProbeTime": null});
        if old.is_none_or(|c| c.status != "False") {
            c["lastTransitionTime"] = json!(rfc3339(now));
        }
        status.insert("conditions".into(), json!([c]));
    }
    if let Some(n) = nominated {
        status.insert("nominatedNodeName".into(), if n.is_empty() { Value::Null } else { json!(n) });
    }
    Some(status_patch(pods, pod, Value::Object(status)))
}

/// Clears the nomination of a lower-priority pod that a preemptor displaced from a node.
pub fn clear_nomination(pods: &'static ResourceType, pod: &PodInfo) -> Action {
    status_patch(pods, pod, json!({"nominatedNodeName": null}))
}

fn status_patch(pods: &'static ResourceType, pod: &PodInfo, status: Value) -> Action {
    Action::Patch {
        resource: pods,
        namespace: Some(pod.namespace.clone()),
        name: pod.name.clone(),
        patch_type: PatchType::Strategic,
        patch: json!({ "status": status }),
        status: true,
    }
}

/// PreBind's writes (`BindPodVolumes`): a free volume gets the claim in its `claimRef` (and
/// `bound-by-controller`, as `GetBindVolumeToClaim`), a claim to provision gets the chosen node.
pub fn volume_writes(volumes: &Volumes, namespace: &str, plan: &Plan, node: &str) -> Vec<Action> {
    let resource = |plural: &str| crate::sim::api::resolve(plural).expect("volumes and claims are always served");
    let mut actions = Vec::new();
    for (claim, volume) in &plan.static_bindings {
        let Some(c) = volumes.claim(namespace, claim) else { continue };
        let claim_ref = json!({"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": namespace,
            "name": claim, "uid": crate::sim::api::meta::uid(&c.object),
            "resourceVersion": crate::sim::api::meta::resource_version(&c.object)});
        actions.push(Action::Patch {
            resource: resource("persistentvolumes"),
            namespace: None,
            name: volume.clone(),
            patch_type: PatchType::Merge,
            patch: json!({"metadata": {"annotations": {ANN_BOUND_BY_CONTROLLER: "yes"}}, "spec": {"claimRef": claim_ref}}),
            status: false,
        });
    }
    for claim in &plan.provisions {
        if volumes.claim(namespace, claim).is_some_and(|c| c.selected_node == node) {
            continue;
        }
        actions.push(Action::Patch {
            resource: resource("persistentvolumeclaims"),
            namespace: Some(namespace.to_string()),
            name: claim.clone(),
            patch_type: PatchType::Merge,
            patch: json!({"metadata": {"annotations": {ANN_SELECTED_NODE: node}}}),
            status: false,
        });
    }
    actions
}

/// Evicting one victim: mark it `DisruptionTarget`, delete it gracefully, and record `Preempted`.
pub fn evict(
    pods: &'static ResourceType,
    victim: &PodInfo,
    preemptor: &PodInfo,
    node: &str,
    now: Millis,
) -> Vec<Action> {
    let condition = json!({"conditions": [{
        "type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler",
        "message": format!("{DEFAULT_SCHEDULER_NAME}: preempting to accommodate a higher priority pod"),
        "lastTransitionTime": rfc3339(now)
    }]});
    vec![
        status_patch(pods, victim, condition),
        Action::Delete {
            resource: pods,
            namespace: Some(victim.namespace.clone()),
            name: victim.name.clone(),
            propagation: None,
            grace_seconds: None,
        },
        Action::Event {
            regarding: regarding(victim),
            event_type: "Normal",
            reason: "Preempted".to_string(),
            message: format!("Preempted by pod {} on node {node}", preemptor.uid),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::podinfo::ScheduledCondition;
    use crate::sim::scheduler::testing::pod;

    fn pods() -> &'static ResourceType {
        crate::sim::api::resolve("pods").expect("pods are served")
    }

    fn patch_of(a: Option<Action>) -> Option<Value> {
        match a? {
            Action::Patch { patch, status: true, patch_type: PatchType::Strategic, .. } => Some(patch),
            other => panic!("not a status patch: {other:?}"),
        }
    }

    #[test]
    fn events_read_like_upstream() {
        let p = pod("web-abc", "", "", serde_json::json!({}));
        let Action::Event { message, reason, event_type, regarding } = scheduled_event(&p, "worker2") else {
            panic!("an event")
        };
        assert_eq!(
            (message.as_str(), reason.as_str(), event_type),
            ("Successfully assigned default/web-abc to worker2", "Scheduled", "Normal")
        );
        assert_eq!(regarding["metadata"]["uid"], "uid-web-abc");
        let long = "x".repeat(2000);
        let Action::Event { message, .. } = failed_event(&p, &long) else { panic!("an event") };
        assert_eq!(message.len(), NOTE_LENGTH_LIMIT);
        assert!(message.ends_with(" ..."));
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn failure_patch_only_when_something_changes() {
        let mut p = pod("p", "", "", serde_json::json!({}));
        let patch = patch_of(failure_status_patch(
            pods(),
            &p,
            "Unschedulable",
            "0/1 nodes are available",
            &Nomination::Keep,
            0,
        ))
        .expect("first failure patches");
        let c = &patch["status"]["conditions"][0];
        assert_eq!(
            (c["type"].as_str(), c["status"].as_str(), c["reason"].as_str()),
            (Some("PodScheduled"), Some("False"), Some("Unschedulable"))
        );
        assert_eq!(c["lastTransitionTime"], rfc3339(0));
        p.scheduled_condition = Some(ScheduledCondition {
            status: "False".into(),
            reason: "Unschedulable".into(),
            message: "0/1 nodes are available".into(),
        });
        assert!(
            failure_status_patch(pods(), &p, "Unschedulable", "0/1 nodes are available", &Nomination::Keep, 5)
                .is_none()
        );
        let patch = patch_of(failure_status_patch(
            pods(),
            &p,
            "Unschedulable",
            "0/1 nodes are available",
            &Nomination::Set("w1".into()),
            5,
        ))
        .expect("nomination");
        assert_eq!(patch, serde_json::json!({"status": {"nominatedNodeName": "w1"}}));
        let patch = patch_of(failure_status_patch(pods(), &p, "Unschedulable", "other", &Nomination::Keep, 5))
            .expect("new message");
        assert!(patch["status"]["conditions"][0].get("lastTransitionTime").is_none(), "status stayed False");
        p.nominated_node_name = "w1".into();
        let patch = patch_of(failure_status_patch(
            pods(),
            &p,
            "Unschedulable",
            "0/1 nodes are available",
            &Nomination::Set(String::new()),
            5,
        ))
        .expect("clear");
        assert_eq!(patch, serde_json::json!({"status": {"nominatedNodeName": null}}));
    }

    #[test]
    fn eviction_marks_deletes_and_tells() {
        let victim = pod("low", "", "", serde_json::json!({}));
        let preemptor = pod("high", "", "", serde_json::json!({}));
        let actions = evict(pods(), &victim, &preemptor, "worker", 0);
        assert_eq!(actions.len(), 3);
        assert!(matches!(&actions[1], Action::Delete { name, .. } if name == "low"));
        let Action::Event { message, reason, .. } = &actions[2] else { panic!("an event") };
        assert_eq!((message.as_str(), reason.as_str()), ("Preempted by pod uid-high on node worker", "Preempted"));
    }
}
