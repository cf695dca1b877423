//! Static pods: pods the kubelet runs from its manifest directory (`staticPodPath`, kubeadm's
//! `/etc/kubernetes/manifests`) without asking the apiserver, and the mirror pods it creates so that
//! the API shows them (upstream `pkg/kubelet/config/file.go`, `pkg/kubelet/pod/mirror_client.go`).
//!
//! ```text
//!  manifest ──► static pod (uid = config hash, name <name>-<node>) ──► pod worker, as any pod
//!                 └─► POST mirror pod (annotation kubernetes.io/config.mirror, owner: the Node)
//!  mirror deleted, marked for deletion or stale ──► DELETE it (grace 0), POST it again
//!  pod status ──► PATCH the mirror pod, under the mirror's own uid (the status manager's translation)
//! ```
//!
//! The kubelet runs a static pod even when the apiserver is down (the apiserver is one); only the
//! mirror, and so what kubectl shows, waits for the apiserver.

use serde_json::{Value, json};

use super::{ApiOp, Kubelet, probes, rt};
use crate::sim::api::defaults::apply_defaults;
use crate::sim::api::pointer::Pointer;
use crate::sim::client::Action;
use crate::sim::kernel::Kernel;
use crate::sim::node::hex64;
use crate::sim::time::{Millis, rfc3339};

/// The annotation that marks a pod as a mirror, holding its static pod's hash (`ConfigMirrorAnnotationKey`).
pub const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";
const HASH_ANNOTATION: &str = "kubernetes.io/config.hash";
const SEEN_ANNOTATION: &str = "kubernetes.io/config.seen";
const SOURCE_ANNOTATION: &str = "kubernetes.io/config.source";

/// One static pod and the state of its mirror.
#[derive(Debug, Clone)]
pub(crate) struct StaticPod {
    /// The pod as the file source made it (defaults, name, uid, annotations).
    pub pod: Value,
    /// The mirror pod's uid, once the apiserver has one.
    pub mirror: Option<String>,
    /// What is in flight for the mirror.
    pub pending: Pending,
}

/// A mirror write in flight: at most one at a time per static pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    Idle,
    Creating,
    /// A stale mirror is being deleted; its DELETED event lets the new one be created.
    Deleting,
}

/// Whether a pod from the API is a mirror pod.
pub fn is_mirror(pod: &Value) -> bool {
    pod.at("/metadata/annotations").and_then(|a| a.get(MIRROR_ANNOTATION)).is_some()
}

/// `2025-01-01T00:00:10.000000000Z`, as the file source stamps `config.seen`.
fn nano_time(ms: Millis) -> String {
    format!("{}.{:09}Z", rfc3339(ms).trim_end_matches('Z'), (ms % 1000) * 1_000_000)
}

/// The static pod a manifest makes on `node`, as the file source's `applyDefaults` does: the name gets
/// the node's name as a suffix, the uid is the hash of the manifest and node, and the pod is bound.
pub fn from_manifest(manifest: &Value, node: &str, now: Millis) -> Value {
    let mut pod = manifest.clone();
    if !pod.is_object() {
        return Value::Null;
    }
    apply_defaults(rt("pods"), &mut pod);
    let hash = hex64(&format!("{node}/{manifest}"))[..32].to_string();
    let name = format!("{}-{node}", pod.at("/metadata/name").and_then(Value::as_str).unwrap_or_default());
    let meta = &mut pod["metadata"];
    meta["name"] = json!(name);
    if meta.get("namespace").and_then(Value::as_str).is_none_or(str::is_empty) {
        meta["namespace"] = json!("default");
    }
    meta["uid"] = json!(hash);
    let annotations = meta.as_object_mut().expect("metadata was set above").entry("annotations").or_insert(json!({}));
    annotations[HASH_ANNOTATION] = json!(hash);
    annotations[SEEN_ANNOTATION] = json!(nano_time(now));
    annotations[SOURCE_ANNOTATION] = json!("file");
    pod["spec"]["nodeName"] = json!(node);
    // Static pods tolerate every NoExecute taint: a node's own pods are never evicted from it.
    if let Some(spec) = pod["spec"].as_object_mut() {
        let tolerations = spec.entry("tolerations").or_insert(json!([]));
        if let Some(list) = tolerations.as_array_mut() {
            list.push(json!({"operator": "Exists", "effect": "NoExecute"}));
        }
    }
    pod
}

impl Kubelet {
    /// Reads the manifests at start: every static pod gets its worker at once, before the node is
    /// even registered (the control plane itself runs this way).
    pub(crate) fn start_static_pods(&mut self, k: &mut Kernel) {
        let pods: Vec<Value> = self
            .config
            .manifests
            .iter()
            .map(|m| from_manifest(m, &self.config.name, k.now()))
            .filter(|p| p.is_object())
            .collect();
        for pod in pods {
            let Some(uid) = pod.at("/metadata/uid").and_then(Value::as_str).map(str::to_string) else { continue };
            self.statics.insert(uid, StaticPod { pod: pod.clone(), mirror: None, pending: Pending::Idle });
            self.pod_changed(&pod, k);
        }
    }

    /// Creates the mirror pods that are missing, once the Node exists (they are owned by it).
    pub(crate) fn sync_mirrors(&mut self, k: &mut Kernel) {
        let Some(node_uid) = self.hb.node_uid.clone() else { return };
        let missing: Vec<String> = self
            .statics
            .iter()
            .filter(|(_, s)| s.mirror.is_none() && s.pending == Pending::Idle)
            .map(|(u, _)| u.clone())
            .collect();
        for uid in missing {
            let Some(s) = self.statics.get_mut(&uid) else { continue };
            s.pending = Pending::Creating;
            let mut mirror = s.pod.clone();
            let meta = &mut mirror["metadata"];
            if let Some(m) = meta.as_object_mut() {
                m.remove("uid");
            }
            meta["annotations"][MIRROR_ANNOTATION] = json!(uid);
            meta["ownerReferences"] = json!([{
                "apiVersion": "v1", "kind": "Node", "name": self.config.name, "uid": node_uid, "controller": true
            }]);
            let namespace = mirror.at("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
            self.api_action(
                Action::Create { resource: rt("pods"), namespace, object: mirror },
                ApiOp::MirrorCreate(uid),
                k,
            );
        }
    }

    /// A mirror pod arrived on the watch: adopt it if it mirrors the current static pod, otherwise
    /// (no such static pod, an old hash, being deleted) delete it so that a fresh one replaces it.
    pub(crate) fn mirror_changed(&mut self, obj: &Value, k: &mut Kernel) {
        let ns = obj.at("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string();
        let name = obj.at("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
        let mirror_uid = obj.at("/metadata/uid").and_then(Value::as_str).unwrap_or_default().to_string();
        let hash = obj.at("/metadata/annotations").and_then(|a| a.get(MIRROR_ANNOTATION)).and_then(Value::as_str);
        let owner = self.keys.get(&(ns.clone(), name.clone())).filter(|u| self.statics.contains_key(*u)).cloned();
        let deleting = obj.at("/metadata/deletionTimestamp").is_some();
        match owner {
            Some(uid) if hash == Some(uid.as_str()) && !deleting => {
                let s = self.statics.get_mut(&uid).expect("owner is a static pod");
                if s.mirror.as_deref() != Some(mirror_uid.as_str()) {
                    s.mirror = Some(mirror_uid);
                    s.pending = Pending::Idle;
                    self.repost(&uid, k);
                }
            }
            _ => {
                if let Some(s) = owner.as_ref().and_then(|u| self.statics.get_mut(u)) {
                    if s.pending == Pending::Deleting {
                        return;
                    }
                    s.mirror = None;
                    s.pending = Pending::Deleting;
                }
                let op = ApiOp::MirrorDelete(owner.unwrap_or_default());
                let delete = Action::Delete {
                    resource: rt("pods"),
                    namespace: Some(ns),
                    name,
                    propagation: None,
                    grace_seconds: Some(0),
                };
                self.api_action(delete, op, k);
            }
        }
    }

    /// A mirror pod left the API: make a new one (upstream's `HandlePodRemoves` for a mirror pod).
    pub(crate) fn mirror_deleted(&mut self, obj: &Value, k: &mut Kernel) {
        let uid = obj.at("/metadata/uid").and_then(Value::as_str).unwrap_or_default();
        for s in self.statics.values_mut() {
            let same_name = s.pod.at("/metadata/name") == obj.at("/metadata/name")
                && s.pod.at("/metadata/namespace") == obj.at("/metadata/namespace");
            if s.mirror.as_deref() == Some(uid) || (same_name && s.pending == Pending::Deleting) {
                s.mirror = None;
                s.pending = Pending::Idle;
            }
        }
        self.sync_mirrors(k);
    }

    /// The answer to a mirror create or delete: the uid of the pod it wrote, or `None` if it failed
    /// (or got no answer).
    pub(crate) fn mirror_reply(&mut self, op: ApiOp, written: Option<String>, k: &mut Kernel) {
        match op {
            ApiOp::MirrorCreate(uid) => {
                let Some(s) = self.statics.get_mut(&uid) else { return };
                s.pending = Pending::Idle;
                // Already there (a mirror from before a kubelet restart): the watch brings it.
                if let Some(mirror_uid) = written {
                    s.mirror = Some(mirror_uid);
                    self.repost(&uid, k);
                }
            }
            // Deleted: the watch's DELETED event makes the new mirror. Failed: the next tick tries again.
            ApiOp::MirrorDelete(uid) if written.is_none() => {
                if let Some(s) = self.statics.get_mut(&uid) {
                    s.pending = Pending::Idle;
                }
            }
            _ => {}
        }
    }

    /// The mirror uid a static pod's status goes to: `None` for other pods, `Some(None)` while a
    /// static pod has no mirror yet (its status waits for one).
    pub(crate) fn mirror_of(&self, uid: &str) -> Option<Option<&str>> {
        self.statics.get(uid).map(|s| s.mirror.as_deref())
    }

    /// A new mirror starts with an empty status: send the whole status again.
    fn repost(&mut self, uid: &str, k: &mut Kernel) {
        if let Some(w) = self.pods.get_mut(uid) {
            w.last_status = 0;
        }
        self.post_status(uid, k);
    }

    /// A process on the node's host network started or stopped (the world calls this for the
    /// control-plane components). Probes that had settled sleep until their answer can change; this
    /// changed it, so host-network pods probe again at their next period.
    pub fn set_host_listener(&mut self, port: u16, up: bool, k: &mut Kernel) {
        match self.host_listeners.iter_mut().find(|(p, _)| *p == port) {
            Some((_, u)) if *u == up => return,
            Some((_, u)) => *u = up,
            None => self.host_listeners.push((port, up)),
        }
        let now = k.now();
        let uids: Vec<String> = self.pods.iter().filter(|(_, w)| w.spec.host_network).map(|(u, _)| u.clone()).collect();
        for uid in uids {
            let Some(w) = self.pods.get_mut(&uid) else { continue };
            let mut due: Option<Millis> = None;
            for i in 0..w.containers.len() {
                let spec = w.spec.container(i).clone();
                let c = &mut w.containers[i];
                if let super::worker::CStatus::Running { started_at } = c.status {
                    due = match (due, probes::rearm(c, &spec, started_at, now)) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
            }
            if let Some(t) = due {
                self.wake(&uid, t, k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_becomes_a_bound_static_pod() {
        let m = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "etcd", "namespace": "kube-system"},
            "spec": {"containers": [{"name": "etcd", "image": "registry.k8s.io/etcd:3.5.21-0"}], "hostNetwork": true}});
        let p = from_manifest(&m, "sandbox-control-plane", 1500);
        assert_eq!(p["metadata"]["name"], "etcd-sandbox-control-plane");
        assert_eq!(p["spec"]["nodeName"], "sandbox-control-plane");
        let uid = p["metadata"]["uid"].as_str().expect("a uid");
        assert_eq!(uid.len(), 32);
        assert_eq!(p["metadata"]["annotations"][HASH_ANNOTATION], uid);
        assert_eq!(p["metadata"]["annotations"][SOURCE_ANNOTATION], "file");
        assert_eq!(p["metadata"]["annotations"][SEEN_ANNOTATION], "2025-01-01T00:00:01.500000000Z");
        assert_eq!(p["spec"]["restartPolicy"], "Always", "defaults applied");
        assert_eq!(from_manifest(&m, "sandbox-control-plane", 9)["metadata"]["uid"], uid, "the hash is stable");
        assert_ne!(from_manifest(&m, "other", 9)["metadata"]["uid"], uid);
        assert_eq!(from_manifest(&json!("not a pod"), "n", 0), Value::Null);
        assert!(!is_mirror(&p));
    }
}
