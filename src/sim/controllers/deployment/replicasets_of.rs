//! A Deployment's ReplicaSets over time: which one is new, creating it, revision annotations, and the
//! `revisionHistoryLimit` cleanup (`sync.go` `getNewReplicaSet`, `cleanupDeployment`).

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::{Value, json};

use super::state::State;
use super::{
    ANN_DESIRED, ANN_MAX, ANN_REVISION, ANN_REVISION_HISTORY, HASH_LABEL, deployments, max_surge, progress, replicas,
};
use crate::sim::apiserver::status::{Reason, Status};
use crate::sim::client::Action;
use crate::sim::client::Informers;
use crate::sim::controllers::objects::{self, i64_at};

/// Annotations a ReplicaSet never copies from its Deployment.
const SKIPPED_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    ANN_REVISION,
    ANN_REVISION_HISTORY,
    ANN_DESIRED,
    ANN_MAX,
    "deprecated.deployment.rollback.to",
];

/// `maxRevHistoryLengthInChars`.
const MAX_REVISION_HISTORY_CHARS: usize = 2000;

/// `EqualIgnoreHash`: templates equal apart from the `pod-template-hash` label.
pub fn equal_ignore_hash(a: Option<&Value>, b: Option<&Value>) -> bool {
    let strip = |t: Option<&Value>| {
        let mut t = t.cloned().unwrap_or(json!({}));
        if let Some(l) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
            l.remove(HASH_LABEL);
            if l.is_empty() {
                t["metadata"].as_object_mut().map(|m| m.remove("labels"));
            }
        }
        t
    };
    strip(a) == strip(b)
}

/// A ReplicaSet's revision (0 when it has none or it does not parse).
pub fn revision(rs: &Value) -> i64 {
    objects::annotation(rs, ANN_REVISION).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// `FindNewReplicaSet`: the oldest ReplicaSet whose template is the Deployment's.
fn find_new(st: &State<'_>) -> Option<usize> {
    let t = st.d.at("/spec/template");
    (0..st.rss.len()).find(|i| equal_ignore_hash(st.rss[*i].at("/spec/template"), t))
}

/// `SetNewReplicaSetAnnotations`: copies the Deployment's annotations and raises the revision,
/// keeping the superseded revision in `revision-history` when an old ReplicaSet comes back (rollback).
fn set_new_rs_annotations(d: &Value, rs: &mut Value, new_revision: i64, exists: bool) {
    let d_ann = d.at("/metadata/annotations").and_then(Value::as_object).cloned().unwrap_or_default();
    let old = objects::annotation(rs, ANN_REVISION).map(str::to_string);
    let ann = objects::map_at(rs, &["metadata", "annotations"]);
    for (k, v) in d_ann {
        if !SKIPPED_ANNOTATIONS.contains(&k.as_str()) {
            ann.insert(k, v);
        }
    }
    let old_rev: i64 = match old.as_deref() {
        None | Some("") => 0,
        Some(s) => match s.parse() {
            Ok(n) => n,
            Err(_) => return,
        },
    };
    if old_rev < new_revision {
        ann.insert(ANN_REVISION.into(), json!(new_revision.to_string()));
        if let Some(o) = old.filter(|o| !o.is_empty()) {
            let history = ann.get(ANN_REVISION_HISTORY).and_then(Value::as_str).unwrap_or("").to_string();
            let mut parts: Vec<&str> = history.split(',').filter(|p| !p.is_empty()).collect();
            parts.push(&o);
            while parts.join(",").len() > MAX_REVISION_HISTORY_CHARS && parts.len() > 1 {
                parts.remove(0);
            }
            ann.insert(ANN_REVISION_HISTORY.into(), json!(parts.join(",")));
        }
    }
    if !exists {
        let desired = replicas(d);
        ann.insert(ANN_DESIRED.into(), json!(desired.to_string()));
        ann.insert(ANN_MAX.into(), json!((desired + max_surge(d)).to_string()));
    }
}

/// `NewRSNewReplicas`: how big a new ReplicaSet may be now.
pub fn new_rs_new_replicas(st: &State<'_>, new_rs_replicas: i64) -> i64 {
    let want = st.d_replicas();
    if !super::is_rolling(&st.d) {
        return want;
    }
    let current = st.sum_replicas(&st.olds()) + new_rs_replicas;
    let max_total = want + max_surge(&st.d);
    if current >= max_total {
        return new_rs_replicas;
    }
    new_rs_replicas + (max_total - current).min(want - new_rs_replicas)
}

fn set_d_revision(st: &mut State<'_>, rev: &str) {
    objects::map_at(&mut st.d, &["metadata", "annotations"]).insert(ANN_REVISION.into(), json!(rev));
}

/// `getAllReplicaSetsAndSyncRevision`: finds (or, if `create`, creates) the new ReplicaSet and syncs
/// revisions between it and the Deployment.
pub fn sync_revision(st: &mut State<'_>, create: bool) {
    let found = find_new(st);
    st.new_rs = found;
    let max_old = st.olds().into_iter().map(|i| revision(&st.rss[i])).max().unwrap_or(0);
    let new_revision = max_old + 1;
    if let Some(i) = found {
        let d = st.d.clone();
        set_new_rs_annotations(&d, &mut st.rss[i], new_revision, true);
        let min_ready = i64_at(&d, "/spec/minReadySeconds", 0);
        if i64_at(&st.rss[i], "/spec/minReadySeconds", 0) != min_ready {
            st.rss[i]["spec"]["minReadySeconds"] = json!(min_ready);
        }
        let rev = objects::annotation(&st.rss[i], ANN_REVISION).unwrap_or("").to_string();
        set_d_revision(st, &rev);
        if progress::has_deadline(&st.d) && objects::condition(&st.d, "Progressing").is_none() {
            let msg = format!("Found new replica set {:?}", objects::name(&st.rss[i]));
            progress::set(st, "Progressing", "True", "FoundNewReplicaSet", &msg);
        }
        return;
    }
    if !create {
        return;
    }
    let d = st.d.clone();
    let collisions = d.at("/status/collisionCount").and_then(Value::as_i64);
    let mut template = d.at("/spec/template").cloned().unwrap_or(json!({}));
    let hash = objects::compute_hash(&template, collisions);
    objects::map_at(&mut template, &["metadata", "labels"]).insert(HASH_LABEL.into(), json!(hash));
    let mut selector = d.at("/spec/selector").cloned().unwrap_or(json!({}));
    objects::map_at(&mut selector, &["matchLabels"]).insert(HASH_LABEL.into(), json!(hash));
    let name = format!("{}-{hash}", objects::name(&d));
    let mut rs = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": objects::namespace(&d),
            "labels": template["metadata"]["labels"].clone(),
            "ownerReferences": [objects::controller_ref_to(&d, deployments())],
        },
        "spec": {
            "replicas": 0,
            "minReadySeconds": i64_at(&d, "/spec/minReadySeconds", 0),
            "selector": selector,
            "template": template,
        },
    });
    let n = new_rs_new_replicas(st, 0);
    rs["spec"]["replicas"] = json!(n);
    set_new_rs_annotations(&d, &mut rs, new_revision, false);
    let i = st.add_created(rs);
    st.new_rs = Some(i);
    set_d_revision(st, &new_revision.to_string());
    if progress::has_deadline(&st.d) {
        progress::set(st, "Progressing", "True", "NewReplicaSetCreated", &format!("Created new replica set {name:?}"));
    }
}

/// `cleanupDeployment`: deletes the oldest old ReplicaSets beyond `revisionHistoryLimit` (default 10),
/// but only those scaled to 0 with no pods left.
pub fn cleanup(st: &mut State<'_>) {
    let limit = i64_at(&st.d, "/spec/revisionHistoryLimit", 10);
    if limit == i64::from(i32::MAX) {
        return;
    }
    let mut cleanable: Vec<usize> = st.olds().into_iter().filter(|i| !objects::is_deleting(&st.rss[*i])).collect();
    let diff = cleanable.len() as i64 - limit;
    if diff <= 0 {
        return;
    }
    cleanable.stable_sort_by(|a, b| {
        (revision(&st.rss[*a]), objects::created_ms(&st.rss[*a]))
            .cmp(&(revision(&st.rss[*b]), objects::created_ms(&st.rss[*b])))
    });
    for i in cleanable.into_iter().take(diff as usize) {
        let rs = &st.rss[i];
        if i64_at(rs, "/status/replicas", 0) != 0
            || replicas(rs) != 0
            || objects::generation(rs) > i64_at(rs, "/status/observedGeneration", 0)
        {
            continue;
        }
        st.delete(i);
    }
}

/// A failed create of the new ReplicaSet: a name taken by another template is a hash collision
/// (bump `collisionCount` so the next hash differs); any other error shows in the Progressing condition.
pub fn create_failed(inf: &Informers, d: &Value, rs: &Value, s: &Status, now: u64) -> Vec<Action> {
    let mut w = d.clone();
    if s.reason == Reason::AlreadyExists {
        let existing = inf.get(super::replicasets(), objects::namespace(rs), objects::name(rs));
        if existing.is_some_and(|e| {
            objects::is_controlled_by(e, d) && equal_ignore_hash(e.at("/spec/template"), d.at("/spec/template"))
        }) {
            return Vec::new();
        }
        let n = i64_at(d, "/status/collisionCount", 0) + 1;
        w["status"]["collisionCount"] = json!(n);
        return vec![Action::UpdateStatus { resource: deployments(), object: w }];
    }
    if s.message.contains("because it is being terminated") || !progress::has_deadline(d) {
        return Vec::new();
    }
    let mut conds = objects::conditions_of(d);
    let msg = format!("Failed to create new replica set {:?}: {}", objects::name(rs), s.message);
    objects::set_condition(&mut conds, "Progressing", "False", "ReplicaSetCreateError", &msg, now, true);
    w["status"]["conditions"] = Value::Array(conds);
    vec![Action::UpdateStatus { resource: deployments(), object: w }]
}
