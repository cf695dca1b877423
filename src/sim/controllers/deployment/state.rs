//! One Deployment sync's working state: the Deployment and its ReplicaSets as the sync edits them.
//!
//! The Go controller calls the API step by step and continues with the objects each call returns.
//! Here every step edits working copies, and `finish` turns the differences into requests: the new
//! ReplicaSet's create, one update per changed ReplicaSet (with its `ScalingReplicaSet` event),
//! history deletes, and one status write for the Deployment.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::{Value, json};

use super::{ANN_DESIRED, ANN_MAX, max_surge, replicas};
use crate::sim::client::Action;
use crate::sim::client::Informers;
use crate::sim::controllers::objects::{self, i64_at};
use crate::sim::time::Millis;

use super::{deployments, replicasets};

pub struct State<'a> {
    pub inf: &'a Informers,
    pub now: Millis,
    /// The Deployment as cached, and the working copy (annotations and status change).
    pub orig: &'a Value,
    pub d: Value,
    /// Owned ReplicaSets, oldest first, as working copies; `orig_rss` as cached (None: created now).
    pub rss: Vec<Value>,
    orig_rss: Vec<Option<Value>>,
    pub new_rs: Option<usize>,
    deletes: Vec<String>,
    /// Writes made before the sync proper (adoption patches), sent first.
    pub pre: Vec<Action>,
    /// Actions after the status write is decided (a progress-deadline requeue).
    pub post: Vec<Action>,
}

/// `ReplicaSetsByCreationTimestamp`: oldest first, then by name.
pub fn by_creation(a: &Value, b: &Value) -> std::cmp::Ordering {
    (objects::created_ms(a), objects::name(a)).cmp(&(objects::created_ms(b), objects::name(b)))
}

impl<'a> State<'a> {
    pub fn new(inf: &'a Informers, d: &'a Value, mut rss: Vec<Value>, pre: Vec<Action>, now: Millis) -> Self {
        rss.stable_sort_by(by_creation);
        let orig_rss = rss.iter().cloned().map(Some).collect();
        Self {
            inf,
            now,
            orig: d,
            d: d.clone(),
            rss,
            orig_rss,
            new_rs: None,
            deletes: Vec::new(),
            pre,
            post: Vec::new(),
        }
    }

    pub fn d_replicas(&self) -> i64 {
        replicas(&self.d)
    }

    pub fn rs_replicas(&self, i: usize) -> i64 {
        replicas(&self.rss[i])
    }

    pub fn available(&self, i: usize) -> i64 {
        i64_at(&self.rss[i], "/status/availableReplicas", 0)
    }

    /// Indexes of the old ReplicaSets (every owned one but the new one).
    pub fn olds(&self) -> Vec<usize> {
        (0..self.rss.len()).filter(|i| Some(*i) != self.new_rs).collect()
    }

    /// Indexes of every ReplicaSet, old ones first then the new one (`append(oldRSs, newRS)`).
    pub fn all(&self) -> Vec<usize> {
        let mut v = self.olds();
        v.extend(self.new_rs);
        v
    }

    pub fn sum_replicas(&self, set: &[usize]) -> i64 {
        set.iter().map(|i| self.rs_replicas(*i)).sum()
    }

    pub fn sum_status(&self, set: &[usize], field: &str) -> i64 {
        set.iter().map(|i| i64_at(&self.rss[*i], &format!("/status/{field}"), 0)).sum()
    }

    /// Adds a ReplicaSet this sync creates.
    pub fn add_created(&mut self, rs: Value) -> usize {
        self.rss.push(rs);
        self.orig_rss.push(None);
        self.rss.len() - 1
    }

    /// `scaleReplicaSet`: sets replicas and the desired/max replicas annotations. Returns whether the
    /// size changed.
    pub fn scale(&mut self, i: usize, n: i64) -> bool {
        let changed = self.rs_replicas(i) != n;
        let desired = self.d_replicas();
        let max = desired + max_surge(&self.d);
        let rs = &mut self.rss[i];
        rs["spec"]["replicas"] = json!(n);
        let ann = objects::map_at(rs, &["metadata", "annotations"]);
        ann.insert(ANN_DESIRED.into(), json!(desired.to_string()));
        ann.insert(ANN_MAX.into(), json!(max.to_string()));
        changed
    }

    /// `scaleReplicaSetAndRecordEvent`: only when the size changes.
    pub fn scale_if_needed(&mut self, i: usize, n: i64) -> bool {
        if self.rs_replicas(i) == n {
            return false;
        }
        self.scale(i, n)
    }

    pub fn delete(&mut self, i: usize) {
        self.deletes.push(objects::name(&self.rss[i]).to_string());
    }

    /// The requests this sync amounts to.
    pub fn finish(self) -> Vec<Action> {
        let mut out = self.pre;
        let dep = self.orig;
        for (rs, orig) in self.rss.iter().zip(&self.orig_rss) {
            let name = objects::name(rs);
            match orig {
                None => {
                    let n = replicas(rs);
                    out.push(Action::Create {
                        resource: replicasets(),
                        namespace: Some(objects::namespace(dep).to_string()),
                        object: rs.clone(),
                    });
                    if n > 0 {
                        out.push(scaling_event(dep, "up", name, 0, n));
                    }
                }
                Some(o) if o != rs => {
                    out.push(Action::Update { resource: replicasets(), object: rs.clone() });
                    let (from, to) = (replicas(o), replicas(rs));
                    if from != to {
                        out.push(scaling_event(dep, if from < to { "up" } else { "down" }, name, from, to));
                    }
                }
                Some(_) => {}
            }
        }
        for name in self.deletes {
            out.push(Action::Delete {
                resource: replicasets(),
                namespace: Some(objects::namespace(dep).to_string()),
                name,
                propagation: None,
                grace_seconds: None,
            });
        }
        let meta_changed = self.d.at("/metadata/annotations") != dep.at("/metadata/annotations");
        if meta_changed || super::progress::status_differs(dep, &self.d) {
            out.push(Action::UpdateStatus { resource: deployments(), object: self.d });
        } else {
            out.extend(self.post);
        }
        out
    }
}

/// The `ScalingReplicaSet` event, in 1.33 wording.
fn scaling_event(dep: &Value, dir: &str, rs: &str, from: i64, to: i64) -> Action {
    Action::Event {
        regarding: dep.clone(),
        event_type: "Normal",
        reason: "ScalingReplicaSet".into(),
        message: format!("Scaled {dir} replica set {rs} from {from} to {to}"),
    }
}
