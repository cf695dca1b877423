//! Helpers the workload commands share: resolving a `TYPE/NAME` argument, the pods a workload
//! selects (and which one `kubectl logs deploy/web` picks), a workload's owned objects, and reading
//! objects from the apiserver's watch cache while a command waits in virtual time.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::Value;

use super::Ctx;
use super::common::{self, resolve};
use crate::sim::api::selector;
use crate::sim::api::{self, ResourceType};

/// The pods resource type (always served).
pub fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

/// `TYPE/NAME`, `TYPE NAME`, or (when `bare_is_pod`) a bare `NAME` meaning a pod, as `logs` and
/// `exec` accept them. Returns the type, the name, and how many arguments were used.
pub fn one_target(positional: &[String], bare_is_pod: bool) -> Result<(&'static ResourceType, String, usize), String> {
    let first = positional.first().ok_or("error: you must specify a resource")?;
    if let Some((t, n)) = first.split_once('/') {
        if n.is_empty() || n.contains('/') {
            return Err("error: arguments in resource/name form may not have more than one slash".into());
        }
        return Ok((resolve(t)?, n.to_string(), 1));
    }
    if bare_is_pod {
        return Ok((pods_rt(), first.clone(), 1));
    }
    let rt = resolve(first)?;
    let name =
        positional.get(1).ok_or_else(|| "error: resource(s) were provided, but no name was specified".to_string())?;
    Ok((rt, name.clone(), 2))
}

pub fn uid(obj: &Value) -> &str {
    obj.at("/metadata/uid").and_then(Value::as_str).unwrap_or_default()
}

/// Whether `obj` names `owner_uid` as its controller in `ownerReferences`.
pub fn controlled_by(obj: &Value, owner_uid: &str) -> bool {
    obj.at("/metadata/ownerReferences").and_then(Value::as_array).is_some_and(|refs| {
        refs.iter().any(|r| {
            r.get("controller").and_then(Value::as_bool) == Some(true)
                && r.get("uid").and_then(Value::as_str) == Some(owner_uid)
        })
    })
}

/// The kind of the controller named in `ownerReferences`, if any (`ReplicaSet`, `DaemonSet`...).
pub fn controller_kind(obj: &Value) -> Option<&str> {
    obj.at("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|r| r.get("kind")?.as_str())
}

/// The pods an object selects: a pod is itself; a Service or ReplicationController uses its map
/// selector; workloads use `spec.selector` (a LabelSelector).
pub fn selected_pods(cx: &mut Ctx, ns: &str, kind: &str, obj: &Value) -> Result<Vec<Value>, String> {
    if kind == "Pod" {
        return Ok(vec![obj.clone()]);
    }
    obj.at("/spec/selector")
        .filter(|s| !s.is_null())
        .ok_or_else(|| format!("cannot get the logs from *v1.{kind}: selector for *v1.{kind} not implemented"))?;
    let pods = common::list(cx, pods_rt(), Some(ns), None, None).map_err(|e| e.to_string())?;
    Ok(pods.into_iter().filter(|p| selects_pod(kind, obj, p)).collect())
}

/// Whether the object of `kind` (a workload or Service with a selector) selects `pod`.
pub fn selects_pod(kind: &str, obj: &Value, pod: &Value) -> bool {
    let sel = obj.at("/spec/selector").filter(|s| !s.is_null());
    match kind {
        "Service" | "ReplicationController" => selector::map_selects(sel, pod),
        _ => selector::selects(sel, pod),
    }
}

fn ready(pod: &Value) -> bool {
    pod.at("/status/conditions").and_then(Value::as_array).is_some_and(|cs| {
        cs.iter().any(|c| {
            c.get("type").and_then(Value::as_str) == Some("Ready")
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
    })
}

fn max_restarts(pod: &Value) -> i64 {
    pod.at("/status/containerStatuses")
        .and_then(Value::as_array)
        .map_or(0, |cs| cs.iter().filter_map(|c| c.get("restartCount")?.as_i64()).max().unwrap_or(0))
}

/// `podutils.ByLogging`: the pod `kubectl logs deploy/web` reads first — scheduled before
/// unscheduled, Running before Unknown before Pending, ready first, most restarts, then oldest.
pub fn sort_by_logging(pods: &mut [Value]) {
    let phase_rank = |p: &Value| match p.at("/status/phase").and_then(Value::as_str) {
        Some("Running") => 0,
        Some("Unknown") => 1,
        Some("Pending") => 2,
        _ => 3,
    };
    let unassigned = |p: &Value| p.at("/spec/nodeName").and_then(Value::as_str).is_none_or(str::is_empty);
    let created =
        |p: &Value| p.at("/metadata/creationTimestamp").and_then(Value::as_str).unwrap_or_default().to_string();
    pods.stable_sort_by(|a, b| {
        (unassigned(a), phase_rank(a), !ready(a), -max_restarts(a), created(a), common::name_of(a)).cmp(&(
            unassigned(b),
            phase_rank(b),
            !ready(b),
            -max_restarts(b),
            created(b),
            common::name_of(b),
        ))
    });
}

/// The names of a pod's containers as `podcmd.AllContainerNames` lists them: regular, then
/// ephemeral `(ephem)`, then init `(init)`.
pub fn all_container_names(pod: &Value) -> String {
    let names = |path: &str, suffix: &str| -> Vec<String> {
        pod.at(path)
            .and_then(Value::as_array)
            .map(|cs| cs.iter().filter_map(|c| c.get("name")?.as_str()).map(|n| format!("{n}{suffix}")).collect())
            .unwrap_or_default()
    };
    let mut all = names("/spec/containers", "");
    all.extend(names("/spec/ephemeralContainers", " (ephem)"));
    all.extend(names("/spec/initContainers", " (init)"));
    all.join(", ")
}

/// Whether the pod declares a container (regular, init or ephemeral) by that name.
pub fn has_container(pod: &Value, name: &str) -> bool {
    ["/spec/containers", "/spec/initContainers", "/spec/ephemeralContainers"].iter().any(|p| {
        pod.at(p)
            .and_then(Value::as_array)
            .is_some_and(|cs| cs.iter().any(|c| c.get("name").and_then(Value::as_str) == Some(name)))
    })
}

/// `podcmd.FindOrDefaultContainerByName` with no name given: the `kubectl.kubernetes.io/default-container`
/// annotation, else the first container, with kubectl's `Defaulted container` note when there was a choice.
pub fn default_container(pod: &Value, notes: &mut Vec<String>) -> Option<String> {
    let annotated = pod.at("/metadata/annotations/kubectl.kubernetes.io~1default-container").and_then(Value::as_str);
    if let Some(d) = annotated.filter(|d| has_container(pod, d)) {
        return Some(d.to_string());
    }
    let containers = pod.at("/spec/containers").and_then(Value::as_array)?;
    let first = containers.first()?.get("name")?.as_str()?.to_string();
    let others = |p: &str| pod.at(p).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    if containers.len() > 1 || others("/spec/initContainers") || others("/spec/ephemeralContainers") {
        notes.push(format!("Defaulted container {first:?} out of: {}", all_container_names(pod)));
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn targets_in_every_form() {
        let (rt, n, used) = one_target(&words(&["deploy/web"]), true).expect("type/name");
        assert_eq!((rt.kind, n.as_str(), used), ("Deployment", "web", 1));
        let (rt, n, used) = one_target(&words(&["web", "x"]), true).expect("bare pod");
        assert_eq!((rt.kind, n.as_str(), used), ("Pod", "web", 1));
        let (rt, n, used) = one_target(&words(&["deployment", "web"]), false).expect("type name");
        assert_eq!((rt.kind, n.as_str(), used), ("Deployment", "web", 2));
        assert_eq!(
            one_target(&words(&["deployment"]), false).map(|_| ()),
            Err("error: resource(s) were provided, but no name was specified".into())
        );
        assert_eq!(
            one_target(&words(&["nope/x"]), true).map(|_| ()),
            Err("error: the server doesn't have a resource type \"nope\"".into())
        );
        assert!(one_target(&[], true).is_err());
        assert!(one_target(&words(&["a/b/c"]), true).is_err());
    }

    #[test]
    fn logging_order_prefers_running_ready_pods() {
        let pod = |name: &str, node: &str, phase: &str, ready: bool| {
            json!({"metadata": {"name": name, "creationTimestamp": "2025-01-01T00:00:00Z"}, "spec": {"nodeName": node},
                   "status": {"phase": phase, "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}})
        };
        let mut pods = vec![
            pod("a", "", "Pending", false),
            pod("b", "n", "Pending", false),
            pod("c", "n", "Running", false),
            pod("d", "n", "Running", true),
        ];
        sort_by_logging(&mut pods);
        let names: Vec<&str> = pods.iter().map(common::name_of).collect();
        assert_eq!(names, ["d", "c", "b", "a"]);
    }

    #[test]
    fn default_container_notes_the_choice() {
        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}], "initContainers": [{"name": "i"}]}});
        let mut notes = Vec::new();
        assert_eq!(default_container(&pod, &mut notes).as_deref(), Some("a"));
        assert_eq!(notes, ["Defaulted container \"a\" out of: a, b, i (init)"]);
        let annotated = json!({"metadata": {"annotations": {"kubectl.kubernetes.io/default-container": "b"}}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let mut notes = Vec::new();
        assert_eq!(default_container(&annotated, &mut notes).as_deref(), Some("b"));
        assert!(notes.is_empty());
        let single = json!({"spec": {"containers": [{"name": "only"}]}});
        let mut notes = Vec::new();
        assert_eq!(default_container(&single, &mut notes).as_deref(), Some("only"));
        assert!(notes.is_empty());
        assert_eq!(default_container(&json!({}), &mut notes), None);
    }

    #[test]
    fn ownership() {
        let rs = json!({"metadata": {"ownerReferences": [{"kind": "Deployment", "uid": "u1", "controller": true}]}});
        assert!(controlled_by(&rs, "u1"));
        assert!(!controlled_by(&rs, "u2"));
        assert_eq!(controller_kind(&rs), Some("Deployment"));
        assert_eq!(controller_kind(&json!({})), None);
    }
}
