//! A naive reference store for the property tests: a full copy of the key space per revision.
//!
//! Too slow and too big for real use, and obviously right, which is the point: the real store
//! must answer every read and deliver every event exactly as this does.

use std::collections::{BTreeMap, BTreeSet};

use super::{EventKind, Key, KeyValue, LeaseId, Revision, Value, WatchEvent};

/// The live keys at one revision.
pub(super) type Snapshot = BTreeMap<String, KeyValue>;

pub(super) struct Model {
    /// `snapshots[r]` is the state at revision r (index 0 stands for revision 0, before the start).
    pub snapshots: Vec<Snapshot>,
    /// Every event ever emitted, in order.
    pub events: Vec<WatchEvent>,
    pub compacted: Revision,
    /// Lease ids in the order they were granted, revoked or not.
    pub granted: Vec<LeaseId>,
    pub live_leases: BTreeSet<LeaseId>,
}

/// The writes of one revision in progress.
pub(super) struct Batch<'a> {
    pub state: Snapshot,
    rev: Revision,
    events: &'a mut Vec<WatchEvent>,
}

impl Model {
    pub fn new() -> Self {
        let snapshots = vec![Snapshot::new(), Snapshot::new()];
        Model { snapshots, events: vec![], compacted: 0, granted: vec![], live_leases: BTreeSet::new() }
    }

    pub fn revision(&self) -> Revision {
        self.snapshots.len() as Revision - 1
    }

    pub fn current(&self) -> &Snapshot {
        self.snapshots.last().expect("the model always holds revisions 0 and 1")
    }

    /// Runs `f` as the writes of the next revision; keeps the snapshot only if something changed.
    pub fn write<R>(&mut self, f: impl FnOnce(&mut Batch) -> R) -> R {
        let before = self.events.len();
        let mut batch = Batch { state: self.current().clone(), rev: self.revision() + 1, events: &mut self.events };
        let out = f(&mut batch);
        let state = batch.state;
        if self.events.len() > before {
            self.snapshots.push(state);
        }
        out
    }
}

impl Batch<'_> {
    pub fn put(&mut self, key: &str, value: u8, lease: Option<LeaseId>) {
        let prev = self.state.get(key).cloned();
        let kv = KeyValue {
            key: Key::from(key),
            value: Value::from(&[value][..]),
            create_revision: prev.as_ref().map_or(self.rev, |p| p.create_revision),
            mod_revision: self.rev,
            version: prev.as_ref().map_or(1, |p| p.version + 1),
            lease,
        };
        self.state.insert(key.to_string(), kv.clone());
        self.events.push(WatchEvent { kind: EventKind::Put, kv, prev_kv: prev });
    }

    pub fn delete(&mut self, key: &str) -> Option<KeyValue> {
        let prev = self.state.remove(key)?;
        let kv = KeyValue {
            key: Key::from(key),
            value: Value::from(&[][..]),
            create_revision: 0,
            mod_revision: self.rev,
            version: 0,
            lease: None,
        };
        self.events.push(WatchEvent { kind: EventKind::Delete, kv, prev_kv: Some(prev.clone()) });
        Some(prev)
    }

    /// Deletes every key whose value satisfies `pred`, in key order; returns what was deleted.
    pub fn delete_where(&mut self, pred: impl Fn(&KeyValue) -> bool) -> Vec<KeyValue> {
        let keys: Vec<String> = self.state.values().filter(|kv| pred(kv)).map(|kv| kv.key.to_string()).collect();
        keys.iter().filter_map(|k| self.delete(k)).collect()
    }
}
