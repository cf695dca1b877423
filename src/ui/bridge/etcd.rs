//! What the inspector reads from etcd's store: its revision, its keys, and one key's retained history.
//!
//! These read the simulated etcd directly, as `etcdctl get --prefix /registry -w json` would: the
//! learner sees the store below the apiserver, with etcd's own revision fields.

use serde_json::Value;

use super::Sim;
use crate::sim::store::{KeyValue, RangeRequest, Revision, Store};

/// etcd's revision and the revision it has compacted up to.
pub fn revisions(sim: &Sim) -> (Revision, Revision) {
    let store = &sim.world.etcd.store;
    (store.revision(), store.compacted_revision())
}

/// Every live key in etcd, in key order.
pub fn keys(sim: &Sim) -> Vec<KeyRow> {
    key_rows(&sim.world.etcd.store)
}

/// Every retained version of `key` in etcd, oldest first.
pub fn history(sim: &Sim, key: &str) -> Vec<HistoryRow> {
    history_rows(&sim.world.etcd.store, key)
}

/// One live key, as `etcdctl get -w json` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRow {
    pub key: String,
    pub create_revision: Revision,
    pub mod_revision: Revision,
    pub version: i64,
    pub bytes: usize,
}

/// Every live key, in key order (the etcd view filters them as the learner types).
fn key_rows(store: &Store) -> Vec<KeyRow> {
    let Ok(all) = store.range(&RangeRequest::prefix("/")) else { return Vec::new() };
    all.kvs
        .iter()
        .map(|kv| KeyRow {
            key: kv.key.to_string(),
            create_revision: kv.create_revision,
            mod_revision: kv.mod_revision,
            version: kv.version,
            bytes: kv.value.len(),
        })
        .collect()
}

/// One retained version of a key: a put with its object, or a delete.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub mod_revision: Revision,
    pub create_revision: Revision,
    /// 0 for a delete.
    pub version: i64,
    /// The stored object; `None` for a delete.
    pub object: Option<Value>,
}

/// Every retained version of `key`, oldest first (compaction drops the older ones).
fn history_rows(store: &Store, key: &str) -> Vec<HistoryRow> {
    store.history(key).iter().map(row).collect()
}

fn row(kv: &KeyValue) -> HistoryRow {
    let object = (kv.version > 0).then(|| serde_json::from_slice(&kv.value).unwrap_or(Value::Null));
    HistoryRow { mod_revision: kv.mod_revision, create_revision: kv.create_revision, version: kv.version, object }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::store::Op;
    use serde_json::json;

    fn put(s: &mut Store, key: &str, v: Value) {
        let value = serde_json::to_vec(&v).expect("JSON encodes").into();
        s.txn(&[], vec![Op::Put { key: key.into(), value, lease: None }], vec![]).expect("a plain put succeeds");
    }

    #[test]
    fn lists_live_keys_with_their_revisions() {
        let mut s = Store::new();
        put(&mut s, "/registry/pods/default/a", json!({"v": 1}));
        put(&mut s, "/registry/pods/default/a", json!({"v": 2}));
        put(&mut s, "/registry/services/default/b", json!({}));
        let rows = key_rows(&s);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].key, "/registry/pods/default/a");
        assert_eq!((rows[0].create_revision, rows[0].mod_revision, rows[0].version), (2, 3, 2));
    }

    #[test]
    fn history_keeps_puts_and_deletes_in_order() {
        let mut s = Store::new();
        put(&mut s, "/k", json!({"v": 1}));
        s.txn(&[], vec![Op::Delete { key: "/k".into() }], vec![]).expect("delete succeeds");
        put(&mut s, "/k", json!({"v": 3}));
        let h = history_rows(&s, "/k");
        let shape: Vec<(Revision, i64, bool)> =
            h.iter().map(|r| (r.mod_revision, r.version, r.object.is_some())).collect();
        assert_eq!(shape, vec![(2, 1, true), (3, 0, false), (4, 1, true)]);
        assert_eq!(h[2].object, Some(json!({"v": 3})));
        assert!(history_rows(&s, "/missing").is_empty());
    }
}
