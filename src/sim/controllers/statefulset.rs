//! The StatefulSet controller (`pkg/controller/statefulset`): pods with stable names `<set>-<ordinal>`,
//! stable storage (`<claim>-<set>-<ordinal>` PVCs from `volumeClaimTemplates`), and ordered changes.
//!
//! With `podManagementPolicy: OrderedReady` (the default) one pod changes at a time: `web-1` is created
//! only once `web-0` is Running and Ready, scale-down removes the highest ordinal first, and a rolling
//! update replaces pods from the highest ordinal down to `partition`. `Parallel` creates and deletes
//! without waiting. Revisions are ControllerRevisions named `<set>-<hash>`.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::{Value, json};

use super::objects::{self, i64_at, str_at};
use super::{Controller, pods};
use crate::sim::api::{self, ResourceType};
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

pub const REVISION_LABEL: &str = "controller-revision-hash";
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

fn sets() -> &'static ResourceType {
    api::resolve("statefulsets").expect("statefulsets are always served")
}

fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

fn pvcs() -> &'static ResourceType {
    api::resolve("persistentvolumeclaims").expect("persistentvolumeclaims are always served")
}

fn revisions() -> &'static ResourceType {
    api::resolve("controllerrevisions").expect("controllerrevisions are always served")
}

#[derive(Debug, Default)]
pub struct StatefulSetController;

/// The ordinal in a pod name `<set>-<ordinal>`, if the pod belongs to the set by name.
pub fn ordinal_of(set: &str, pod: &str) -> Option<i64> {
    pod.strip_prefix(set)?.strip_prefix('-')?.parse().ok()
}

/// `<claim>-<set>-<ordinal>`: the PVC a pod of the set uses for one volumeClaimTemplate.
pub fn claim_name(claim: &str, set: &str, ordinal: i64) -> String {
    format!("{claim}-{set}-{ordinal}")
}

/// `<set>-<hash>`; as upstream, the collision count always enters the hash (0 when unset), so the
/// name does not change once the controller has written `status.collisionCount: 0`.
fn set_revision(set: &Value) -> String {
    let hash = objects::compute_hash(
        set.at("/spec/template").unwrap_or(&Value::Null),
        Some(i64_at(set, "/status/collisionCount", 0)),
    );
    format!("{}-{hash}", objects::name(set))
}

/// `isRunningAndReady` (and available for minReadySeconds): what OrderedReady waits for.
fn healthy(pod: &Value, min_ready: i64, now: Millis) -> bool {
    pods::phase(pod) == "Running" && pods::is_available(pod, min_ready, now) && !objects::is_deleting(pod)
}

/// `newVersionedStatefulSetPod`: the pod for `ordinal` from `template` at `revision`.
fn new_pod(set: &Value, template: &Value, revision: &str, ordinal: i64) -> Value {
    let name = format!("{}-{ordinal}", objects::name(set));
    let mut pod = pods::from_template(template, "", objects::controller_ref_to(set, sets()));
    let meta = pod["metadata"].as_object_mut().expect("from_template makes metadata");
    meta.remove("generateName");
    meta.insert("name".into(), json!(name));
    meta.insert("namespace".into(), json!(objects::namespace(set)));
    let labels = objects::map_at(&mut pod, &["metadata", "labels"]);
    labels.insert(POD_NAME_LABEL.into(), json!(name));
    labels.insert(POD_INDEX_LABEL.into(), json!(ordinal.to_string()));
    labels.insert(REVISION_LABEL.into(), json!(revision));
    pod["spec"]["hostname"] = json!(name);
    if let Some(svc) = set.at("/spec/serviceName").and_then(Value::as_str).filter(|s| !s.is_empty()) {
        pod["spec"]["subdomain"] = json!(svc);
    }
    for t in claim_templates(set) {
        let claim = str_at(t, "/metadata/name");
        let vol = json!({"name": claim, "persistentVolumeClaim": {"claimName": claim_name(claim, objects::name(set), ordinal)}});
        let vols = pod["spec"]["volumes"].as_array().cloned().unwrap_or_default();
        let mut vols: Vec<Value> = vols.into_iter().filter(|v| str_at(v, "/name") != claim).collect();
        vols.push(vol);
        pod["spec"]["volumes"] = Value::Array(vols);
    }
    pod
}

fn claim_templates(set: &Value) -> &[Value] {
    set.at("/spec/volumeClaimTemplates").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// PVCs the pod needs that are not there yet (created before the pod, owned by nobody: they outlive it).
fn missing_claims(inf: &Informers, set: &Value, ordinal: i64) -> Vec<Action> {
    let ns = objects::namespace(set);
    let mut out = Vec::new();
    for t in claim_templates(set) {
        let name = claim_name(str_at(t, "/metadata/name"), objects::name(set), ordinal);
        if inf.get(pvcs(), ns, &name).is_some() {
            continue;
        }
        let mut pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": ns}, "spec": t.get("spec").cloned().unwrap_or(json!({}))});
        let mut labels = t.at("/metadata/labels").cloned().unwrap_or(json!({}));
        if let Some(sel) = set.at("/spec/selector/matchLabels").and_then(Value::as_object) {
            for (k, v) in sel {
                labels[k] = v.clone();
            }
        }
        pvc["metadata"]["labels"] = labels;
        out.push(Action::Create { resource: pvcs(), namespace: Some(ns.to_string()), object: pvc });
        out.push(event(
            set,
            "Normal",
            "SuccessfulCreate",
            format!(
                "create Claim {name} Pod {}-{ordinal} in StatefulSet {} success",
                objects::name(set),
                objects::name(set)
            ),
        ));
    }
    out
}

fn event(set: &Value, ty: &'static str, reason: &str, message: String) -> Action {
    Action::Event { regarding: set.clone(), event_type: ty, reason: reason.into(), message }
}

fn create_pod(set: &Value, pod: Value) -> Vec<Action> {
    let msg = format!("create Pod {} in StatefulSet {} successful", objects::name(&pod), objects::name(set));
    vec![
        Action::Create { resource: pods_rt(), namespace: Some(objects::namespace(set).to_string()), object: pod },
        event(set, "Normal", "SuccessfulCreate", msg),
    ]
}

fn delete_pod(set: &Value, pod: &Value) -> Vec<Action> {
    let msg = format!("delete Pod {} in StatefulSet {} successful", objects::name(pod), objects::name(set));
    vec![
        Action::Delete {
            resource: pods_rt(),
            namespace: Some(objects::namespace(set).to_string()),
            name: objects::name(pod).to_string(),
            propagation: None,
            grace_seconds: None,
        },
        event(set, "Normal", "SuccessfulDelete", msg),
    ]
}

/// `updateStatefulSet` for one set: the writes of one pass over its pods.
pub fn sync_set(inf: &Informers, set: &Value, now: Millis) -> Vec<Action> {
    let name = objects::name(set);
    let want = i64_at(set, "/spec/replicas", 1).max(0);
    let start = i64_at(set, "/spec/ordinals/start", 0).max(0);
    let parallel = str_at(set, "/spec/podManagementPolicy") == "Parallel";
    let min_ready = i64_at(set, "/spec/minReadySeconds", 0);
    let update_rev = set_revision(set);
    let mut out = Vec::new();

    // Revision history: a ControllerRevision per template.
    let owned_revs: Vec<&Value> = inf.controlled_by(revisions(), objects::uid(set)).collect();
    if !owned_revs.iter().any(|r| objects::name(r) == update_rev) {
        let next = owned_revs.iter().map(|r| i64_at(r, "/revision", 0)).max().unwrap_or(0) + 1;
        let mut labels = set.at("/spec/selector/matchLabels").cloned().unwrap_or(json!({}));
        labels["controller.kubernetes.io/hash"] = json!(update_rev.rsplit('-').next().unwrap_or(""));
        out.push(Action::Create {
            resource: revisions(),
            namespace: Some(objects::namespace(set).to_string()),
            object: json!({
                "apiVersion": "apps/v1", "kind": "ControllerRevision",
                "metadata": {"name": update_rev, "namespace": objects::namespace(set), "labels": labels, "ownerReferences": [objects::controller_ref_to(set, sets())]},
                "data": {"spec": {"template": set.at("/spec/template").cloned().unwrap_or(json!({}))}},
                "revision": next
            }),
        });
    }
    let current_rev = match str_at(set, "/status/currentRevision") {
        "" => update_rev.clone(),
        r => r.to_string(),
    };
    let current_template =
        owned_revs.iter().find(|r| objects::name(r) == current_rev).and_then(|r| r.at("/data/spec/template")).cloned();
    let partition = i64_at(set, "/spec/updateStrategy/rollingUpdate/partition", 0);

    // Pods by ordinal: replicas in [start, start+want), the rest condemned.
    let owned: Vec<&Value> = inf.controlled_by(pods_rt(), objects::uid(set)).collect();
    let mut replicas: Vec<Option<&Value>> = vec![None; want as usize];
    let mut condemned: Vec<(i64, &Value)> = Vec::new();
    for p in &owned {
        match ordinal_of(name, objects::name(p)) {
            Some(o) if o >= start && o < start + want => replicas[(o - start) as usize] = Some(*p),
            Some(o) => condemned.push((o, *p)),
            None => {}
        }
    }
    condemned.stable_sort_by_key(|c| std::cmp::Reverse(c.0));
    // The retention policy's owner references first, so that a condemned pod owns its claims before
    // it is deleted (`processCondemned` updates them before the delete).
    let live = replicas.iter().enumerate().filter_map(|(i, p)| p.map(|p| (start + i as i64, p, false)));
    for (ordinal, p, scaled_down) in live.chain(condemned.iter().map(|(o, p)| (*o, *p, true))) {
        out.extend(retention::claim_owner_patches(inf, set, p, ordinal, scaled_down));
    }
    let status = status_of(set, &owned, &update_rev, &current_rev, min_ready, now);

    let mut blocked = false;
    for (i, slot) in replicas.iter().enumerate() {
        let ordinal = start + i as i64;
        match slot {
            Some(p) if matches!(pods::phase(p), "Failed" | "Succeeded") => {
                if !objects::is_deleting(p) {
                    out.extend(delete_pod(set, p));
                }
                if !parallel {
                    blocked = true;
                    break;
                }
            }
            None => {
                out.extend(missing_claims(inf, set, ordinal));
                let old = ordinal < partition && current_rev != update_rev;
                let (template, rev) = match (&current_template, old) {
                    (Some(t), true) => (t.clone(), current_rev.as_str()),
                    _ => (set.at("/spec/template").cloned().unwrap_or(json!({})), update_rev.as_str()),
                };
                out.extend(create_pod(set, new_pod(set, &template, rev, ordinal)));
                if !parallel {
                    blocked = true;
                    break;
                }
            }
            Some(p) if !parallel && !healthy(p, min_ready, now) => {
                blocked = true;
                break;
            }
            Some(_) => {}
        }
    }
    if !blocked {
        for (_, p) in &condemned {
            if objects::is_deleting(p) {
                if !parallel {
                    blocked = true;
                    break;
                }
                continue;
            }
            out.extend(delete_pod(set, p));
            if !parallel {
                blocked = true;
                break;
            }
        }
    }
    if !blocked && str_at(set, "/spec/updateStrategy/type") != "OnDelete" {
        for (i, slot) in replicas.iter().enumerate().rev() {
            let ordinal = start + i as i64;
            if ordinal < partition {
                break;
            }
            let Some(p) = slot else { break };
            if objects::label(p, REVISION_LABEL) != Some(update_rev.as_str()) && !objects::is_deleting(p) {
                out.extend(delete_pod(set, p));
                break;
            }
            if !healthy(p, min_ready, now) {
                break;
            }
        }
    }
    if status_differs(set, &status) {
        out.push(Action::UpdateStatus { resource: sets(), object: objects::status_write(set, status) });
    }
    out
}

/// The set's status from its pods.
fn status_of(set: &Value, owned: &[&Value], update_rev: &str, current_rev: &str, min_ready: i64, now: Millis) -> Value {
    let live: Vec<&&Value> = owned.iter().filter(|p| !objects::is_deleting(p)).collect();
    let count = |f: &dyn Fn(&Value) -> bool| live.iter().filter(|p| f(p)).count() as i64;
    let replicas = live.len() as i64;
    let ready = count(&|p| pods::is_ready(p));
    let available = count(&|p| pods::is_available(p, min_ready, now));
    let updated = count(&|p| objects::label(p, REVISION_LABEL) == Some(update_rev));
    let want = i64_at(set, "/spec/replicas", 1);
    // Once every pod runs the update revision, it becomes the current one.
    let current_rev = if updated == want && replicas == want { update_rev } else { current_rev };
    let current = count(&|p| objects::label(p, REVISION_LABEL) == Some(current_rev));
    let mut s = json!({
        "observedGeneration": objects::generation(set),
        "replicas": replicas,
        "readyReplicas": ready,
        "currentReplicas": current,
        "updatedReplicas": updated,
        "availableReplicas": available,
        "currentRevision": current_rev,
        "updateRevision": update_rev,
        "collisionCount": i64_at(set, "/status/collisionCount", 0),
    });
    for f in ["readyReplicas", "currentReplicas", "updatedReplicas"] {
        if s[f] == 0 {
            s.as_object_mut().expect("status is an object").remove(f);
        }
    }
    s
}

fn status_differs(set: &Value, new: &Value) -> bool {
    let cur = set.get("status").cloned().unwrap_or(json!({}));
    let fields = [
        "observedGeneration",
        "replicas",
        "readyReplicas",
        "currentReplicas",
        "updatedReplicas",
        "availableReplicas",
        "collisionCount",
    ];
    fields
        .iter()
        .any(|f| cur.get(*f).and_then(Value::as_i64).unwrap_or(0) != new.get(*f).and_then(Value::as_i64).unwrap_or(0))
        || ["currentRevision", "updateRevision"]
            .iter()
            .any(|f| str_at(&cur, &format!("/{f}")) != str_at(new, &format!("/{f}")))
}

fn owner_key(inf: &Informers, obj: &Value) -> Option<ObjectKey> {
    let r = objects::controller_ref(obj)?;
    if r.get("kind").and_then(Value::as_str) != Some("StatefulSet") {
        return None;
    }
    let set = inf.get(sets(), objects::namespace(obj), r.get("name").and_then(Value::as_str)?)?;
    (objects::uid(set) == r.get("uid").and_then(Value::as_str).unwrap_or("")).then(|| objects::key_of(set))
}

impl Controller for StatefulSetController {
    fn name(&self) -> &'static str {
        "statefulset"
    }

    fn event_source(&self) -> &'static str {
        "statefulset-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["statefulsets", "pods", "persistentvolumeclaims", "controllerrevisions"]
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        match change.resource.plural {
            "statefulsets" => vec![objects::key_of(&change.new)],
            "pods" | "controllerrevisions" => owner_key(inf, &change.new)
                .or_else(|| change.old.as_deref().and_then(|o| owner_key(inf, o)))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(set) = inf.get(sets(), &key.0, &key.1) else { return Vec::new() };
        if objects::is_deleting(set) {
            return Vec::new();
        }
        let mut out = sync_set(inf, set, now);
        let min_ready = i64_at(set, "/spec/minReadySeconds", 0);
        if min_ready > 0 {
            let next = inf
                .controlled_by(pods_rt(), objects::uid(set))
                .filter_map(|p| pods::available_at(p, min_ready))
                .filter(|t| *t > now)
                .min();
            if let Some(t) = next {
                out.push(Action::Requeue { key: key.clone(), after: t - now });
            }
        }
        out
    }
}

mod retention;
#[cfg(test)]
mod tests;
