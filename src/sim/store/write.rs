//! The write path: puts and deletes at one revision, with their change-log entries, lease
//! bookkeeping and watch events.
//!
//! Every write goes through [`Store::apply_put`] / [`Store::apply_delete`] at a revision chosen
//! up front (`revision + 1`), and [`Store::commit`] adopts that revision only if something
//! changed. That is how a transaction's ops share one revision and an empty one bumps nothing.

use std::sync::Arc;

use super::mvcc::{self, KeyIndex};
use super::{EventKind, KeyValue, LeaseId, Revision, Store, StoreError, Value, WatchEvent};

impl Store {
    /// Creates or replaces `key`, optionally attached to a lease; returns the new revision and
    /// the value replaced.
    ///
    /// Putting without a lease detaches the key from any lease it had, as etcd does.
    pub fn put(
        &mut self,
        key: &str,
        value: impl Into<Value>,
        lease: Option<LeaseId>,
    ) -> Result<(Revision, Option<KeyValue>), StoreError> {
        self.check_put(key, lease)?;
        let rev = self.revision + 1;
        let prev = self.apply_put(rev, key, value.into(), lease);
        self.commit(rev, true);
        Ok((rev, prev))
    }

    /// Deletes `key`; returns the store's revision afterwards and the value removed.
    ///
    /// Deleting a missing key changes nothing and does not bump the revision (as etcd).
    pub fn delete(&mut self, key: &str) -> (Revision, Option<KeyValue>) {
        let rev = self.revision + 1;
        let deleted = self.apply_delete(rev, key);
        self.commit(rev, deleted.is_some());
        (self.revision, deleted)
    }

    /// Deletes every live key under `prefix` at one revision (etcd's DeleteRange); returns the
    /// store's revision afterwards and the values removed, sorted by key.
    pub fn delete_prefix(&mut self, prefix: &str) -> (Revision, Vec<KeyValue>) {
        let keys: Vec<Arc<str>> =
            self.scan(prefix, true).filter(|ki| ki.live().is_some()).map(|ki| ki.key.clone()).collect();
        let rev = self.revision + 1;
        let deleted: Vec<KeyValue> = keys.iter().filter_map(|k| self.apply_delete(rev, k)).collect();
        self.commit(rev, !deleted.is_empty());
        (self.revision, deleted)
    }

    /// Refuses a put before anything changes, so a failing transaction leaves no trace.
    pub(super) fn check_put(&self, key: &str, lease: Option<LeaseId>) -> Result<(), StoreError> {
        if key.is_empty() {
            return Err(StoreError::EmptyKey);
        }
        match lease {
            Some(id) if !self.leases.contains(id) => Err(StoreError::LeaseNotFound(id)),
            _ => Ok(()),
        }
    }

    /// Writes `key` at `rev` (already checked by [`Store::check_put`]); returns the value replaced.
    pub(super) fn apply_put(
        &mut self,
        rev: Revision,
        key: &str,
        value: Value,
        lease: Option<LeaseId>,
    ) -> Option<KeyValue> {
        if !self.index.contains_key(key) {
            let k: Arc<str> = Arc::from(key);
            self.bytes += mvcc::KEY_OVERHEAD + key.len();
            self.index.insert(k.clone(), KeyIndex::new(k));
        }
        let ki = self.index.get_mut(key).expect("the key was inserted just above if it was missing");
        let prev = ki.live().map(|(g, v)| mvcc::key_value(&ki.key, g, v));
        self.bytes += ki.put(rev, value, lease);
        if prev.is_none() {
            self.live += 1;
        }
        let prev_lease = prev.as_ref().and_then(|p| p.lease);
        if prev_lease != lease {
            if let Some(old) = prev_lease {
                self.leases.detach(old, &ki.key);
            }
            if let Some(new) = lease {
                self.leases.attach(new, ki.key.clone());
            }
        }
        self.changes.push_back((rev, ki.key.clone()));
        let ki = &*ki;
        self.watches.notify(key, || {
            let (g, v) = ki.live().expect("a put leaves the key alive");
            WatchEvent { kind: EventKind::Put, kv: mvcc::key_value(&ki.key, g, v), prev_kv: prev.clone() }
        });
        prev
    }

    /// Deletes `key` at `rev`; returns the value removed, or `None` (and changes nothing) if the
    /// key was not alive.
    pub(super) fn apply_delete(&mut self, rev: Revision, key: &str) -> Option<KeyValue> {
        let ki = self.index.get_mut(key)?;
        let prev = ki.live().map(|(g, v)| mvcc::key_value(&ki.key, g, v))?;
        ki.tombstone(rev);
        self.live -= 1;
        self.bytes += mvcc::TOMBSTONE_OVERHEAD;
        if let Some(lease) = prev.lease {
            self.leases.detach(lease, &ki.key);
        }
        self.changes.push_back((rev, ki.key.clone()));
        let key = &ki.key;
        self.watches.notify(key, || WatchEvent {
            kind: EventKind::Delete,
            kv: mvcc::deleted_key_value(key, rev),
            prev_kv: Some(prev.clone()),
        });
        Some(prev)
    }

    /// Adopts `rev` as the store's revision if the write changed anything.
    pub(super) fn commit(&mut self, rev: Revision, changed: bool) {
        if changed {
            self.revision = rev;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::RangeRequest;
    use super::*;

    fn val(s: &str) -> Value {
        Value::from(s.as_bytes())
    }

    #[test]
    fn puts_bump_revision_version_and_keep_create_revision() {
        let mut s = Store::new();
        assert_eq!(s.revision(), 1, "etcd starts at revision 1");
        let (r1, prev) = s.put("k", val("a"), None).expect("valid put");
        assert_eq!((r1, prev), (2, None), "the first write gets revision 2");
        let (r2, prev) = s.put("k", b"b".to_vec(), None).expect("valid put");
        assert_eq!(r2, 3);
        let prev = prev.expect("replaced a value");
        assert_eq!((&*prev.value, prev.mod_revision, prev.version), (&b"a"[..], 2, 1));
        let now = s.range(&RangeRequest::key("k")).expect("current read").kvs;
        assert_eq!((now[0].create_revision, now[0].mod_revision, now[0].version), (2, 3, 2));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn put_refuses_empty_keys_and_unknown_leases_without_bumping() {
        let mut s = Store::new();
        assert_eq!(s.put("", val("x"), None), Err(StoreError::EmptyKey));
        assert_eq!(s.put("k", val("x"), Some(42)), Err(StoreError::LeaseNotFound(42)));
        assert_eq!((s.revision(), s.len(), s.approx_bytes()), (1, 0, 0));
    }

    #[test]
    fn deleting_a_missing_key_does_not_bump_the_revision() {
        let mut s = Store::new();
        assert_eq!(s.delete("nope"), (1, None));
        s.put("k", val("v"), None).expect("valid put");
        let (rev, gone) = s.delete("k");
        assert_eq!(rev, 3);
        assert_eq!(gone.map(|kv| kv.mod_revision), Some(2));
        assert_eq!(s.delete("k"), (3, None), "already deleted");
        assert!(s.is_empty());
    }

    #[test]
    fn delete_prefix_removes_all_matches_at_one_revision() {
        let mut s = Store::new();
        for k in ["/pods/a", "/pods/b", "/podsX", "/svc/a"] {
            s.put(k, val("v"), None).expect("valid put");
        }
        s.delete("/pods/b");
        let (rev, gone) = s.delete_prefix("/pods/");
        assert_eq!(rev, 7);
        assert_eq!(gone.iter().map(|kv| &*kv.key).collect::<Vec<_>>(), ["/pods/a"]);
        assert_eq!(s.delete_prefix("/pods/"), (7, vec![]), "nothing left: no new revision");
        assert_eq!(s.len(), 2);
        let (rev, gone) = s.delete_prefix("");
        assert_eq!((rev, gone.len()), (8, 2), "the empty prefix matches everything");
    }

    #[test]
    fn put_without_lease_detaches_the_key() {
        let mut s = Store::new();
        let lease = s.lease_grant(1000, 0);
        s.put("k", val("v"), Some(lease)).expect("lease exists");
        s.put("k", val("w"), None).expect("valid put");
        assert_eq!(s.lease_revoke(lease), Ok(vec![]), "the key no longer belongs to the lease");
        assert_eq!(s.len(), 1);
    }
}
