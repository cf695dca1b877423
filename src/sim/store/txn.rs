//! Transactions: "if these compares hold, do these ops, else those", all at one revision.
//!
//! This is how the apiserver gets optimistic concurrency: a create is
//! `if ModRevision(key) == 0 then Put`, an update is `if ModRevision(key) == resourceVersion then
//! Put else Get` (the Get tells it what it lost to).

use std::collections::BTreeSet;

use super::mvcc;
use super::{KeyValue, LeaseId, Revision, Store, StoreError, Value};

/// One equality test on the current state of a key.
///
/// As in etcd, a missing key compares as if its revisions and version were 0, so
/// `ModRevision(key, 0)` means "does not exist".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compare {
    ModRevision(String, Revision),
    CreateRevision(String, Revision),
    Version(String, i64),
    Exists(String),
    Missing(String),
}

/// One operation in a transaction branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Put {
        key: String,
        value: Value,
        lease: Option<LeaseId>,
    },
    Delete {
        key: String,
    },
    /// Reads the key as the transaction has left it so far (it sees its own earlier writes).
    Get {
        key: String,
    },
}

/// What one op did, in the order of the ops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpResponse {
    Put { prev: Option<KeyValue> },
    Delete { deleted: Option<KeyValue> },
    Get { kv: Option<KeyValue> },
}

/// The outcome of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnResponse {
    /// True if every compare held and the success branch ran.
    pub succeeded: bool,
    pub responses: Vec<OpResponse>,
    /// The store's revision after the transaction (unchanged if it changed nothing).
    pub revision: Revision,
}

impl Store {
    /// Runs `success` if every compare holds, else `failure`; all writes share ONE revision.
    ///
    /// The chosen branch is checked before anything is applied (unknown lease, empty key, the
    /// same key written twice), so a refused transaction changes nothing.
    pub fn txn(&mut self, compares: &[Compare], success: Vec<Op>, failure: Vec<Op>) -> Result<TxnResponse, StoreError> {
        let succeeded = compares.iter().all(|c| self.holds(c));
        let ops = if succeeded { success } else { failure };
        self.check_ops(&ops)?;
        let rev = self.revision + 1;
        let mut changed = false;
        let mut responses = Vec::with_capacity(ops.len());
        for op in ops {
            responses.push(match op {
                Op::Put { key, value, lease } => {
                    changed = true;
                    OpResponse::Put { prev: self.apply_put(rev, &key, value, lease) }
                }
                Op::Delete { key } => {
                    let deleted = self.apply_delete(rev, &key);
                    changed |= deleted.is_some();
                    OpResponse::Delete { deleted }
                }
                Op::Get { key } => OpResponse::Get { kv: self.current(&key) },
            });
        }
        self.commit(rev, changed);
        Ok(TxnResponse { succeeded, responses, revision: self.revision })
    }

    /// The live value of `key`, if any.
    fn current(&self, key: &str) -> Option<KeyValue> {
        let ki = self.index.get(key)?;
        let (g, v) = ki.live()?;
        Some(mvcc::key_value(&ki.key, g, v))
    }

    fn holds(&self, compare: &Compare) -> bool {
        let live = |key: &str| self.index.get(key).and_then(|ki| ki.live());
        match compare {
            Compare::ModRevision(k, want) => live(k).map_or(0, |(_, v)| v.revision) == *want,
            Compare::CreateRevision(k, want) => live(k).map_or(0, |(g, _)| g.created) == *want,
            Compare::Version(k, want) => live(k).map_or(0, |(_, v)| v.version) == *want,
            Compare::Exists(k) => live(k).is_some(),
            Compare::Missing(k) => live(k).is_none(),
        }
    }

    fn check_ops(&self, ops: &[Op]) -> Result<(), StoreError> {
        let mut written = BTreeSet::new();
        for op in ops {
            let key = match op {
                Op::Put { key, lease, .. } => {
                    self.check_put(key, *lease)?;
                    key
                }
                Op::Delete { key } => key,
                Op::Get { .. } => continue,
            };
            if !written.insert(key.as_str()) {
                return Err(StoreError::DuplicateKey(key.clone()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EventKind, RangeRequest};
    use super::*;

    fn put(key: &str, value: &str) -> Op {
        Op::Put { key: key.into(), value: Value::from(value.as_bytes()), lease: None }
    }

    fn get(key: &str) -> Op {
        Op::Get { key: key.into() }
    }

    fn store() -> Store {
        let mut s = Store::new();
        s.put("a", Value::from(&b"1"[..]), None).expect("valid put"); // rev 2, version 1
        s.put("a", Value::from(&b"2"[..]), None).expect("valid put"); // rev 3, version 2
        s
    }

    #[test]
    fn compares_select_the_branch() {
        let table = [
            (Compare::ModRevision("a".into(), 3), true),
            (Compare::ModRevision("a".into(), 2), false),
            (Compare::ModRevision("missing".into(), 0), true),
            (Compare::CreateRevision("a".into(), 2), true),
            (Compare::CreateRevision("a".into(), 3), false),
            (Compare::Version("a".into(), 2), true),
            (Compare::Version("missing".into(), 0), true),
            (Compare::Version("a".into(), 1), false),
            (Compare::Exists("a".into()), true),
            (Compare::Exists("missing".into()), false),
            (Compare::Missing("missing".into()), true),
            (Compare::Missing("a".into()), false),
        ];
        for (compare, want) in table {
            let mut s = store();
            let r = s
                .txn(std::slice::from_ref(&compare), vec![put("ok", "y")], vec![put("failed", "n")])
                .expect("valid txn");
            assert_eq!(r.succeeded, want, "{compare:?}");
            let ran = if want { "ok" } else { "failed" };
            assert_eq!(s.range(&RangeRequest::key(ran)).expect("read").count, 1, "{compare:?} ran {ran}");
            assert_eq!(r.revision, 4);
        }
    }

    #[test]
    fn a_failed_compare_runs_the_failure_ops() {
        let mut s = store();
        let stale = [Compare::ModRevision("a".into(), 2)];
        let r = s.txn(&stale, vec![put("a", "lost")], vec![get("a")]).expect("valid txn");
        assert!(!r.succeeded);
        let OpResponse::Get { kv: Some(kv) } = &r.responses[0] else { panic!("expected a Get response: {r:?}") };
        assert_eq!((&*kv.value, kv.mod_revision), (&b"2"[..], 3), "tells the loser the current value");
        assert_eq!(r.revision, 3, "a read-only branch does not bump the revision");
    }

    #[test]
    fn all_writes_of_a_txn_share_one_revision_and_gets_see_earlier_ops() {
        let mut s = store();
        let w = s.watch("", true, 0).expect("watch from now");
        let ops = vec![put("b", "1"), Op::Delete { key: "a".into() }, get("b"), Op::Delete { key: "zz".into() }];
        let r = s.txn(&[], ops, vec![]).expect("valid txn");
        assert_eq!(r.revision, 4);
        assert!(matches!(&r.responses[2], OpResponse::Get { kv: Some(kv) } if kv.mod_revision == 4));
        assert_eq!(r.responses[3], OpResponse::Delete { deleted: None });
        let events = s.drain_watch_events();
        let got: Vec<_> = events[0].1.iter().map(|e| (e.kind, e.kv.key.clone(), e.kv.mod_revision)).collect();
        assert_eq!(events[0].0, w);
        assert_eq!(got, [(EventKind::Put, "b".into(), 4), (EventKind::Delete, "a".into(), 4)]);
    }

    #[test]
    fn invalid_branches_are_refused_before_anything_changes() {
        let table = [
            (vec![put("x", "1"), put("x", "2")], StoreError::DuplicateKey("x".into())),
            (vec![put("x", "1"), Op::Delete { key: "x".into() }], StoreError::DuplicateKey("x".into())),
            (
                vec![put("x", "1"), Op::Put { key: "y".into(), value: Value::from(&b""[..]), lease: Some(9) }],
                StoreError::LeaseNotFound(9),
            ),
            (vec![put("x", "1"), put("", "2")], StoreError::EmptyKey),
        ];
        for (ops, want) in table {
            let mut s = store();
            assert_eq!(s.txn(&[], ops, vec![]), Err(want.clone()));
            assert_eq!((s.revision(), s.len()), (3, 1), "{want:?} left a trace");
        }
        // Only the branch that runs is checked: a bad failure branch does not matter on success.
        let mut s = store();
        let r = s.txn(&[], vec![put("x", "1")], vec![put("", "bad")]).expect("success branch is valid");
        assert!(r.succeeded);
    }

    #[test]
    fn an_empty_txn_changes_nothing() {
        let mut s = store();
        let r = s.txn(&[], vec![], vec![]).expect("valid txn");
        assert_eq!(r, TxnResponse { succeeded: true, responses: vec![], revision: 3 });
    }
}
