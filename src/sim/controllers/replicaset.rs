//! The ReplicaSet controller (`pkg/controller/replicaset`): keeps `spec.replicas` active pods.
//! The same code is the replication manager (`pkg/controller/replication`) for v1
//! ReplicationControllers, whose plain map selector reads as `matchLabels`, as upstream adapts it.
//!
//! A sync claims pods (owned + matching orphans), and if its expectations are satisfied creates the
//! missing pods (at most 500 a sync, in slow-start batches; names come from `generateName`) or deletes
//! the surplus in `ActivePodsWithRanks` order; then it writes `status`.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::claim;
use super::objects::{self, i64_at};
use super::pods;
use super::{Controller, Outcome};
use crate::sim::api::selector;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::status::Reason;
use crate::sim::client::Expectations;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// `BurstReplicas`: the most pods one sync creates or deletes.
pub const BURST_REPLICAS: i64 = 500;

fn replicasets() -> &'static ResourceType {
    api::resolve("replicasets").expect("replicasets are always served")
}

fn replication_controllers() -> &'static ResourceType {
    api::resolve("replicationcontrollers").expect("replicationcontrollers are always served")
}

fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

#[derive(Debug)]
pub struct ReplicaSetController {
    /// ReplicaSets, or ReplicationControllers (the replication manager).
    owner: &'static ResourceType,
    expectations: Expectations,
    /// The last failed create/delete per ReplicaSet: `(reason, message)` for the ReplicaFailure condition.
    errors: BTreeMap<ObjectKey, (String, String)>,
    /// ReplicaSets whose pod set changed shape (pods came, went, were relabelled or released) and
    /// must be synced from the full pod list. Others only saw pod status changes: their status comes
    /// from the informers' running counts, which keeps a 150,000-pod ReplicaSet cheap to sync.
    full_scan: std::collections::BTreeSet<ObjectKey>,
    /// `fullyLabeledReplicas` as of the last full scan.
    fully_labeled: BTreeMap<ObjectKey, i64>,
}

impl Default for ReplicaSetController {
    fn default() -> Self {
        Self::over(replicasets())
    }
}

/// A ReplicaSet's `spec.selector`, or a ReplicationController's map as a `LabelSelector`
/// (`conversion.go`'s `Convert_v1_ReplicationControllerSpec_To_apps_ReplicaSetSpec`).
fn selector_of(owner: &ResourceType, obj: &Value) -> Option<Value> {
    let sel = obj.at("/spec/selector")?;
    if owner.kind == "ReplicationController" {
        return sel.is_object().then(|| json!({ "matchLabels": sel }));
    }
    Some(sel.clone())
}

/// The counts a ReplicaSet status reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    pub replicas: i64,
    pub fully_labeled: i64,
    pub ready: i64,
    pub available: i64,
}

/// Whether a pod change can change which pods a ReplicaSet owns (relabelled, released, adopted).
fn reshapes(change: &Change) -> bool {
    let Some(old) = change.old.as_deref() else { return objects::controller_ref(&change.new).is_none() };
    change.event != crate::sim::apiserver::request::EventType::Deleted
        && (old.at("/metadata/labels") != change.new.at("/metadata/labels")
            || objects::controller_uid(old) != objects::controller_uid(&change.new))
}

/// Whether an active pod carries every label of the ReplicaSet's template (`fullyLabeledReplicas`).
fn fully_labeled(rs: &Value, pod: &Value) -> bool {
    let template = rs.at("/spec/template/metadata/labels").and_then(Value::as_object);
    pods::is_active(pod)
        && template.is_none_or(|t| t.iter().all(|(k, v)| pod.at("/metadata/labels").and_then(|l| l.get(k)) == Some(v)))
}

/// The ReplicaSet (or ReplicationController) a pod's controllerRef names, if it is cached with that uid.
fn owner_key(owner: &ResourceType, inf: &Informers, pod: &Value) -> Option<ObjectKey> {
    let r = objects::controller_ref(pod)?;
    if r.get("kind").and_then(Value::as_str) != Some(owner.kind) {
        return None;
    }
    let name = r.get("name").and_then(Value::as_str)?;
    let rs = inf.get(owner, objects::namespace(pod), name)?;
    (objects::uid(rs) == r.get("uid").and_then(Value::as_str).unwrap_or("")).then(|| objects::key_of(rs))
}

/// ReplicaSets that could adopt an orphan pod (`getPodReplicaSets`).
fn adopters(owner: &ResourceType, inf: &Informers, pod: &Value) -> Vec<ObjectKey> {
    inf.list(owner, Some(objects::namespace(pod)))
        .filter(|rs| selector::selects(selector_of(owner, rs).as_ref(), pod))
        .map(objects::key_of)
        .collect()
}

impl ReplicaSetController {
    /// The controller for `owner`: `replicasets`, or `replicationcontrollers` (the replication manager).
    pub fn over(owner: &'static ResourceType) -> Self {
        Self {
            owner,
            expectations: Expectations::default(),
            errors: BTreeMap::new(),
            full_scan: Default::default(),
            fully_labeled: BTreeMap::new(),
        }
    }

    /// The replication manager: this controller over v1 ReplicationControllers.
    pub fn replication_manager() -> Self {
        Self::over(replication_controllers())
    }

    fn pod_keys(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        let keys = self.pod_keys_inner(change, inf);
        if reshapes(change) {
            self.full_scan.extend(keys.iter().cloned());
        } else if let Some(k) = keys.first() {
            // Same owner, same labels: keep the fully-labeled count current without a scan.
            if let (Some(n), Some(rs)) = (self.fully_labeled.get_mut(k), inf.get(self.owner, &k.0, &k.1)) {
                let now = change.event != crate::sim::apiserver::request::EventType::Deleted
                    && fully_labeled(rs, &change.new);
                let before = change.old.as_deref().is_some_and(|o| fully_labeled(rs, o));
                *n += i64::from(now) - i64::from(before);
            }
        }
        keys
    }

    fn pod_keys_inner(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        let pod = &change.new;
        let pod_key = objects::key_of(pod);
        let mut keys = Vec::new();
        let cur = owner_key(self.owner, inf, pod);
        use crate::sim::apiserver::request::EventType::*;
        match change.event {
            Deleted => {
                if let Some(k) = cur {
                    self.expectations.deletion_observed(&k, &pod_key);
                    keys.push(k);
                }
                return keys;
            }
            Added => match cur {
                Some(k) if objects::is_deleting(pod) => {
                    self.expectations.deletion_observed(&k, &pod_key);
                    keys.push(k);
                }
                Some(k) => {
                    self.expectations.creation_observed(&k);
                    keys.push(k);
                }
                None => keys.extend(adopters(self.owner, inf, pod)),
            },
            _ => {
                let old = change.old.as_deref();
                if let Some(k) = cur.clone() {
                    if objects::is_deleting(pod) && !old.is_some_and(objects::is_deleting) {
                        self.expectations.deletion_observed(&k, &pod_key);
                    }
                    keys.push(k);
                } else {
                    keys.extend(adopters(self.owner, inf, pod));
                }
                // The old owner must notice a pod it lost (controllerRef removed or changed).
                if let Some(ok) = old.and_then(|o| owner_key(self.owner, inf, o))
                    && Some(&ok) != cur.as_ref()
                {
                    keys.push(ok);
                }
            }
        }
        keys
    }

    /// `manageReplicas`. Creates only need the count; deletes rank the active pods (`listed`, or read
    /// from the owner index when the sync did not list them).
    fn manage(
        &mut self,
        key: &ObjectKey,
        rs: &Value,
        active_count: i64,
        listed: Option<&[&Value]>,
        inf: &Informers,
        now: Millis,
    ) -> Vec<Action> {
        let want = i64_at(rs, "/spec/replicas", 1);
        let diff = active_count - want;
        let mut out = Vec::new();
        if diff < 0 {
            let n = (-diff).min(BURST_REPLICAS);
            self.expectations.expect(key, n, [], now);
            let template = rs.at("/spec/template").cloned().unwrap_or(json!({}));
            let cref = objects::controller_ref_to(rs, self.owner);
            for _ in 0..n {
                let mut pod = pods::from_template(&template, &format!("{}-", objects::name(rs)), cref.clone());
                pod["metadata"]["namespace"] = json!(key.0);
                out.push(Action::Create { resource: pods_rt(), namespace: Some(key.0.clone()), object: pod });
            }
        } else if diff > 0 {
            let n = diff.min(BURST_REPLICAS) as usize;
            let owned: Vec<&Value>;
            let active = match listed {
                Some(a) => a,
                None => {
                    owned = inf.controlled_by(pods_rt(), objects::uid(rs)).filter(|p| pods::is_active(p)).collect();
                    &owned
                }
            };
            let victims = pods_to_delete(active, &related_pods(self.owner, inf, rs), n, now);
            self.expectations.expect(key, 0, victims.iter().map(|p| objects::key_of(p)), now);
            for p in victims {
                out.push(Action::Delete {
                    resource: pods_rt(),
                    namespace: Some(key.0.clone()),
                    name: objects::name(p).to_string(),
                    propagation: None,
                    grace_seconds: None,
                });
                out.push(Action::Event {
                    regarding: rs.clone(),
                    event_type: "Normal",
                    reason: "SuccessfulDelete".into(),
                    message: format!("Deleted pod: {}", objects::name(p)),
                });
            }
        }
        out
    }
}

/// Active pods of every ReplicaSet with the same controller (the Deployment's other ReplicaSets):
/// the scale-down prefers nodes that run several of them (`getIndirectlyRelatedPods`).
fn related_pods<'a>(owner_rt: &'a ResourceType, inf: &'a Informers, rs: &Value) -> Vec<&'a Value> {
    let Some(owner) = objects::controller_uid(rs) else {
        return inf.controlled_by(pods_rt(), objects::uid(rs)).filter(|p| pods::is_active(p)).collect();
    };
    inf.controlled_by(owner_rt, owner)
        .flat_map(|r| inf.controlled_by(pods_rt(), objects::uid(r)))
        .filter(|p| pods::is_active(p))
        .collect()
}

/// `getPodsToDelete`: the first `n` pods in deletion order, ranked by related pods on the same node.
pub fn pods_to_delete<'a>(active: &[&'a Value], related: &[&Value], n: usize, now: Millis) -> Vec<&'a Value> {
    if n >= active.len() {
        return active.to_vec();
    }
    let mut on_node: BTreeMap<&str, usize> = BTreeMap::new();
    for p in related {
        *on_node.entry(pods::node_name(p)).or_default() += 1;
    }
    let rank = |p: &Value| {
        if pods::node_name(p).is_empty() { 0 } else { on_node.get(pods::node_name(p)).copied().unwrap_or(0) }
    };
    let mut ranked: Vec<(&Value, usize)> = active.iter().map(|p| (*p, rank(p))).collect();
    ranked.stable_sort_by(|a, b| pods::deletion_order(a.0, a.1, b.0, b.1, now));
    ranked.into_iter().take(n).map(|(p, _)| p).collect()
}

/// The status counts over the active pods (`calculateStatus`).
pub fn count(rs: &Value, active: &[&Value], now: Millis) -> Counts {
    let min_ready = i64_at(rs, "/spec/minReadySeconds", 0);
    Counts {
        replicas: active.len() as i64,
        fully_labeled: active.iter().filter(|p| fully_labeled(rs, p)).count() as i64,
        ready: active.iter().filter(|p| pods::is_ready(p)).count() as i64,
        available: active.iter().filter(|p| pods::is_available(p, min_ready, now)).count() as i64,
    }
}

/// `calculateStatus`: the counts plus the ReplicaFailure condition.
pub fn calculate_status(rs: &Value, c: Counts, error: Option<&(String, String)>, now: Millis) -> Value {
    let mut conditions = objects::conditions_of(rs);
    match error {
        Some((reason, message)) if objects::condition(rs, "ReplicaFailure").is_none() => {
            objects::set_condition(&mut conditions, "ReplicaFailure", "True", reason, message, now, false);
        }
        None => {
            objects::remove_condition(&mut conditions, "ReplicaFailure");
        }
        _ => {}
    }
    let mut status = json!({
        "replicas": c.replicas,
        "fullyLabeledReplicas": c.fully_labeled,
        "readyReplicas": c.ready,
        "availableReplicas": c.available,
        "observedGeneration": objects::generation(rs),
    });
    if !conditions.is_empty() {
        status["conditions"] = Value::Array(conditions);
    }
    status
}

/// Whether the written status would differ from the current one (zero counts are omitted on the wire).
fn status_differs(rs: &Value, new: &Value) -> bool {
    let cur = rs.get("status").cloned().unwrap_or(json!({}));
    ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"]
        .iter()
        .any(|f| cur.get(*f).and_then(Value::as_i64).unwrap_or(0) != new.get(*f).and_then(Value::as_i64).unwrap_or(0))
        || cur.get("conditions").cloned().unwrap_or(json!([])) != new.get("conditions").cloned().unwrap_or(json!([]))
}

impl Controller for ReplicaSetController {
    fn name(&self) -> &'static str {
        if self.owner.kind == "ReplicationController" { "replicationcontroller" } else { "replicaset" }
    }

    fn event_source(&self) -> &'static str {
        if self.owner.kind == "ReplicationController" { "replication-controller" } else { "replicaset-controller" }
    }

    fn watches(&self) -> &'static [&'static str] {
        if self.owner.kind == "ReplicationController" {
            &["replicationcontrollers", "pods"]
        } else {
            &["replicasets", "pods"]
        }
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        if change.resource.plural == "pods" {
            return self.pod_keys(change, inf);
        }
        let key = objects::key_of(&change.new);
        if change.event == crate::sim::apiserver::request::EventType::Deleted {
            self.expectations.delete(&key);
            self.errors.remove(&key);
            self.full_scan.remove(&key);
            self.fully_labeled.remove(&key);
        } else if change.old.as_deref().is_none_or(|o| {
            o.get("spec") != change.new.get("spec") || o.at("/metadata/labels") != change.new.at("/metadata/labels")
        }) {
            self.full_scan.insert(key.clone());
        }
        vec![key]
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, _rng: &mut Rng) -> Vec<Action> {
        let Some(rs) = inf.get(self.owner, &key.0, &key.1) else {
            self.expectations.delete(key);
            return Vec::new();
        };
        let needs_sync = self.expectations.satisfied(key, now);
        let want = i64_at(rs, "/spec/replicas", 1);
        let min_ready = i64_at(rs, "/spec/minReadySeconds", 0);
        let fast = inf.pod_counts(objects::uid(rs));
        // A full scan claims (adopts and releases) pods; it is needed when pods were relabelled or
        // orphaned, the template changed, or availability depends on time (minReadySeconds).
        let full = self.full_scan.remove(key)
            || min_ready > 0
            || objects::is_deleting(rs)
            || !self.fully_labeled.contains_key(key);
        let mut out = Vec::new();
        let counts = if full {
            let selector = selector_of(self.owner, rs);
            let claimed = claim::claim(inf, rs, self.owner, pods_rt(), selector.as_ref());
            let active: Vec<&Value> = claimed.owned.iter().copied().filter(|p| pods::is_active(p)).collect();
            out = claimed.patches;
            if needs_sync && !objects::is_deleting(rs) {
                out.extend(self.manage(key, rs, active.len() as i64, Some(&active), inf, now));
            }
            let c = count(rs, &active, now);
            self.fully_labeled.insert(key.clone(), c.fully_labeled);
            c
        } else {
            if needs_sync {
                out.extend(self.manage(key, rs, fast.active, None, inf, now));
            }
            let fully = self.fully_labeled.get(key).copied().unwrap_or(fast.active);
            Counts { replicas: fast.active, fully_labeled: fully, ready: fast.ready, available: fast.ready }
        };
        // A failure stays reported until a later create/delete succeeds or nothing is left to do.
        if needs_sync && counts.replicas == want {
            self.errors.remove(key);
        }
        let error = self.errors.get(key).cloned();
        let status = calculate_status(rs, counts, error.as_ref(), now);
        let (ready, available) = (counts.ready, counts.available);
        if status_differs(rs, &status) {
            out.push(Action::UpdateStatus { resource: self.owner, object: objects::status_write(rs, status) });
        }
        if min_ready > 0 && ready == want && available != want {
            out.push(Action::Requeue { key: key.clone(), after: min_ready as Millis * 1000 });
        }
        out
    }

    fn on_result(
        &mut self,
        key: &ObjectKey,
        action: &Action,
        outcome: Outcome<'_>,
        inf: &Informers,
        _now: Millis,
    ) -> Vec<Action> {
        let regarding = inf.get(self.owner, &key.0, &key.1).cloned().unwrap_or_else(|| {
            json!({"apiVersion": self.owner.api_version(), "kind": self.owner.kind, "metadata": {"namespace": key.0, "name": key.1}})
        });
        match (action, outcome) {
            (Action::Delete { .. }, Outcome::Done(_)) => {
                self.errors.remove(key);
                Vec::new()
            }
            (Action::Create { .. }, Outcome::Done(pod)) => {
                self.errors.remove(key);
                vec![Action::Event {
                    regarding,
                    event_type: "Normal",
                    reason: "SuccessfulCreate".into(),
                    message: format!("Created pod: {}", objects::name(pod)),
                }]
            }
            (Action::Create { .. }, Outcome::Skipped) => {
                self.expectations.creation_observed(key);
                Vec::new()
            }
            (Action::Create { .. }, Outcome::Failed(s)) => {
                self.expectations.creation_observed(key);
                self.errors.insert(key.clone(), ("FailedCreate".into(), s.message.clone()));
                if s.message.contains("because it is being terminated") {
                    return Vec::new();
                }
                vec![Action::Event {
                    regarding,
                    event_type: "Warning",
                    reason: "FailedCreate".into(),
                    message: format!("Error creating: {}", s.message),
                }]
            }
            (Action::Delete { name, namespace, .. }, Outcome::Failed(s)) => {
                let pod_key = (namespace.clone().unwrap_or_default(), name.clone());
                self.expectations.deletion_observed(key, &pod_key);
                if s.reason == Reason::NotFound {
                    return Vec::new();
                }
                self.errors.insert(key.clone(), ("FailedDelete".into(), s.message.clone()));
                vec![Action::Event {
                    regarding,
                    event_type: "Warning",
                    reason: "FailedDelete".into(),
                    message: format!("Error deleting: {}", s.message),
                }]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
