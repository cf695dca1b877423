//! kubectl drain's pod filters (`pkg/drain/filters.go`): which pods of the node may be evicted,
//! which are skipped with a warning, and which stop the drain — and the messages that say so.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::super::common;
use super::super::target::controller_kind;

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str = "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str = "cannot delete Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

/// The drain options that decide what the filters let through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub force: bool,
    pub ignore_daemonsets: bool,
    pub delete_emptydir: bool,
}

/// A filter's verdict on one pod (`PodDeleteStatus`).
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Okay,
    Skip,
    /// Delete (or not) with a warning.
    Warn(bool, String),
    Error(String),
}

impl Verdict {
    fn deletes(&self) -> bool {
        matches!(self, Verdict::Okay | Verdict::Warn(true, _))
    }
}

fn finished(pod: &Value) -> bool {
    matches!(pod.at("/status/phase").and_then(Value::as_str), Some("Succeeded" | "Failed"))
}

/// Runs kubectl's filters in order; the first that refuses decides, otherwise the last verdict stands.
pub fn verdict(pod: &Value, o: Options, daemonset_exists: &dyn Fn(&str, &str) -> bool) -> Verdict {
    let ns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default");
    let owner = controller_kind(pod);
    let filters: [&dyn Fn() -> Verdict; 4] = [
        &|| {
            if owner != Some("DaemonSet") || finished(pod) {
                return Verdict::Okay;
            }
            let ds = pod
                .at("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .and_then(|r| r.iter().find(|r| r.get("kind").and_then(Value::as_str) == Some("DaemonSet")));
            let ds_name = ds.and_then(|r| r.get("name")).and_then(Value::as_str).unwrap_or_default();
            if !daemonset_exists(ns, ds_name) {
                let msg = format!("daemonsets.apps {ds_name:?} not found");
                return if o.force { Verdict::Warn(true, msg) } else { Verdict::Error(msg) };
            }
            if o.ignore_daemonsets {
                Verdict::Warn(false, DAEMONSET_WARNING.into())
            } else {
                Verdict::Error(DAEMONSET_FATAL.into())
            }
        },
        &|| {
            if pod.at("/metadata/annotations/kubernetes.io~1config.mirror").is_some() {
                Verdict::Skip
            } else {
                Verdict::Okay
            }
        },
        &|| {
            let empty_dir = pod
                .at("/spec/volumes")
                .and_then(Value::as_array)
                .is_some_and(|vs| vs.iter().any(|v| v.get("emptyDir").is_some()));
            match (empty_dir && !finished(pod), o.delete_emptydir) {
                (false, _) => Verdict::Okay,
                (true, false) => Verdict::Error(LOCAL_STORAGE_FATAL.into()),
                (true, true) => Verdict::Warn(true, LOCAL_STORAGE_WARNING.into()),
            }
        },
        &|| match (finished(pod) || owner.is_some(), o.force) {
            (true, _) => Verdict::Okay,
            (false, true) => Verdict::Warn(true, UNMANAGED_WARNING.into()),
            (false, false) => Verdict::Error(UNMANAGED_FATAL.into()),
        },
    ];
    let mut v = Verdict::Okay;
    for f in filters {
        v = f();
        if !v.deletes() {
            break;
        }
    }
    v
}

/// `ns/name` of a pod.
pub fn key(pod: &Value) -> String {
    format!("{}/{}", pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or_default(), common::name_of(pod))
}

/// Groups `(message, pod)` pairs by message in first-seen order: `msg: a, b`.
pub fn grouped(items: &[(String, String)]) -> Vec<String> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (msg, pod) in items {
        match groups.iter_mut().find(|(m, _)| m == msg) {
            Some((_, pods)) => pods.push(pod.clone()),
            None => groups.push((msg.clone(), vec![pod.clone()])),
        }
    }
    groups.into_iter().map(|(m, pods)| format!("{m}: {}", pods.join(", "))).collect()
}

/// `utilerrors.NewAggregate(...).Error()`.
pub fn aggregate(errs: &[String]) -> String {
    if errs.len() == 1 { errs[0].clone() } else { format!("[{}]", errs.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(owner: Option<&str>, extra: Value) -> Value {
        let mut p =
            json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {}, "status": {"phase": "Running"}});
        if let Some(kind) = owner {
            p["metadata"]["ownerReferences"] = json!([{"kind": kind, "name": "owner", "controller": true}]);
        }
        crate::sim::apiserver::patch::merge_patch(&mut p, &extra);
        p
    }

    #[test]
    fn filters_in_kubectl_order() {
        let yes = |_: &str, _: &str| true;
        let no = |_: &str, _: &str| false;
        let strict = Options::default();
        let all = Options { force: true, ignore_daemonsets: true, delete_emptydir: true };
        let empty_dir = json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}});
        assert_eq!(verdict(&pod(Some("ReplicaSet"), json!({})), strict, &yes), Verdict::Okay);
        assert_eq!(verdict(&pod(Some("DaemonSet"), json!({})), strict, &yes), Verdict::Error(DAEMONSET_FATAL.into()));
        assert_eq!(
            verdict(&pod(Some("DaemonSet"), json!({})), all, &yes),
            Verdict::Warn(false, DAEMONSET_WARNING.into())
        );
        // An orphaned DaemonSet pod goes with --force; its warning is overwritten by later filters, as in kubectl.
        assert_eq!(verdict(&pod(Some("DaemonSet"), json!({})), all, &no), Verdict::Okay);
        assert_eq!(
            verdict(&pod(Some("DaemonSet"), json!({})), strict, &no),
            Verdict::Error("daemonsets.apps \"owner\" not found".into())
        );
        assert_eq!(verdict(&pod(None, json!({})), strict, &yes), Verdict::Error(UNMANAGED_FATAL.into()));
        assert_eq!(verdict(&pod(None, json!({})), all, &yes), Verdict::Warn(true, UNMANAGED_WARNING.into()));
        assert_eq!(
            verdict(&pod(Some("ReplicaSet"), empty_dir.clone()), strict, &yes),
            Verdict::Error(LOCAL_STORAGE_FATAL.into())
        );
        // The emptyDir warning is overwritten by the next filter's verdict, as in kubectl.
        assert_eq!(verdict(&pod(Some("ReplicaSet"), empty_dir), all, &yes), Verdict::Okay);
        assert_eq!(
            verdict(
                &pod(None, json!({"metadata": {"annotations": {"kubernetes.io/config.mirror": "x"}}})),
                strict,
                &yes
            ),
            Verdict::Skip
        );
        assert_eq!(verdict(&pod(None, json!({"status": {"phase": "Succeeded"}})), strict, &yes), Verdict::Okay);
    }

    #[test]
    fn messages_group_and_aggregate() {
        let items =
            vec![("m1".to_string(), "ns/a".to_string()), ("m2".into(), "ns/b".into()), ("m1".into(), "ns/c".into())];
        assert_eq!(grouped(&items), ["m1: ns/a, ns/c", "m2: ns/b"]);
        assert_eq!(aggregate(&["x".into()]), "x");
        assert_eq!(aggregate(&["x".into(), "y".into()]), "[x, y]");
    }
}
