//! Leases: TTLs that keys hang on; when one expires or is revoked, its keys are deleted together.
//!
//! The store has no clock. Callers pass virtual `now`, and ask [`Store::next_lease_expiry`] when
//! to wake up and call [`Store::expire_leases`] (as raft-rs is driven by `tick`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{KeyValue, LeaseId, Store, StoreError};
use crate::sim::time::Millis;

/// The first lease id handed out; a large odd number so ids look like etcd's, never 0 ("no lease").
const FIRST_LEASE_ID: LeaseId = 0x694d_7a1c_3e5b_0001;

#[derive(Clone, Debug)]
struct Lease {
    ttl_ms: u64,
    expiry: Millis,
    keys: BTreeSet<Arc<str>>,
}

/// All granted leases, indexed by expiry so the next one to fire is found in O(log n).
#[derive(Clone, Debug, Default)]
pub(super) struct Leases {
    granted: u64,
    leases: BTreeMap<LeaseId, Box<Lease>>,
    by_expiry: BTreeSet<(Millis, LeaseId)>,
}

impl Leases {
    pub fn contains(&self, id: LeaseId) -> bool {
        self.leases.contains_key(&id)
    }

    pub fn attach(&mut self, id: LeaseId, key: Arc<str>) {
        if let Some(l) = self.leases.get_mut(&id) {
            l.keys.insert(key);
        }
    }

    /// Forgets that `key` hangs on `id`; a revoked lease is already gone, which is fine.
    pub fn detach(&mut self, id: LeaseId, key: &str) {
        if let Some(l) = self.leases.get_mut(&id) {
            l.keys.remove(key);
        }
    }

    fn remove(&mut self, id: LeaseId) -> Option<Lease> {
        let lease = self.leases.remove(&id)?;
        self.by_expiry.remove(&(lease.expiry, id));
        Some(*lease)
    }
}

/// What etcd's LeaseTimeToLive reports (with keys), for the UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseInfo {
    pub id: LeaseId,
    /// The TTL it was granted with.
    pub ttl_ms: u64,
    /// Time left before it expires (0 once due).
    pub remaining_ms: u64,
    /// The keys attached, sorted.
    pub keys: Vec<String>,
}

impl Store {
    /// Grants a lease that expires `ttl_ms` after `now` unless kept alive.
    pub fn lease_grant(&mut self, ttl_ms: u64, now: Millis) -> LeaseId {
        let id = FIRST_LEASE_ID + self.leases.granted as LeaseId;
        self.leases.granted += 1;
        let expiry = now.saturating_add(ttl_ms);
        self.leases.leases.insert(id, Box::new(Lease { ttl_ms, expiry, keys: BTreeSet::new() }));
        self.leases.by_expiry.insert((expiry, id));
        id
    }

    /// Restarts the lease's TTL from `now`. An expired lease cannot be revived, as etcd: it is
    /// reported missing even before [`Store::expire_leases`] has deleted its keys.
    pub fn lease_keepalive(&mut self, id: LeaseId, now: Millis) -> Result<(), StoreError> {
        let leases = &mut self.leases;
        let lease = leases.leases.get_mut(&id).filter(|l| l.expiry > now).ok_or(StoreError::LeaseNotFound(id))?;
        leases.by_expiry.remove(&(lease.expiry, id));
        lease.expiry = now.saturating_add(lease.ttl_ms);
        leases.by_expiry.insert((lease.expiry, id));
        Ok(())
    }

    /// Ends a lease now and deletes its keys, all at one revision; returns what was deleted.
    pub fn lease_revoke(&mut self, id: LeaseId) -> Result<Vec<KeyValue>, StoreError> {
        let lease = self.leases.remove(id).ok_or(StoreError::LeaseNotFound(id))?;
        let rev = self.revision + 1;
        let deleted: Vec<KeyValue> = lease.keys.iter().filter_map(|k| self.apply_delete(rev, k)).collect();
        self.commit(rev, !deleted.is_empty());
        Ok(deleted)
    }

    /// Revokes every lease due at `now` (earliest first), deleting their keys; returns their ids.
    pub fn expire_leases(&mut self, now: Millis) -> Vec<LeaseId> {
        let due: Vec<LeaseId> =
            self.leases.by_expiry.iter().take_while(|(at, _)| *at <= now).map(|(_, id)| *id).collect();
        for &id in &due {
            // Cannot fail: `due` was read from the lease table just above.
            let _ = self.lease_revoke(id);
        }
        due
    }

    /// When the next lease expires, so the simulation can set a timer for it.
    pub fn next_lease_expiry(&self) -> Option<Millis> {
        self.leases.by_expiry.first().map(|(at, _)| *at)
    }

    /// A lease's TTL, time left and keys.
    pub fn lease_info(&self, id: LeaseId, now: Millis) -> Result<LeaseInfo, StoreError> {
        let lease = self.leases.leases.get(&id).ok_or(StoreError::LeaseNotFound(id))?;
        Ok(LeaseInfo {
            id,
            ttl_ms: lease.ttl_ms,
            remaining_ms: lease.expiry.saturating_sub(now),
            keys: lease.keys.iter().map(|k| k.to_string()).collect(),
        })
    }

    /// How many leases are granted and not yet revoked.
    pub fn lease_count(&self) -> usize {
        self.leases.leases.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EventKind, RangeRequest, Value};
    use super::*;

    fn put(s: &mut Store, key: &str, lease: LeaseId) {
        s.put(key, Value::from(&b"v"[..]), Some(lease)).expect("lease exists");
    }

    #[test]
    fn expiry_deletes_attached_keys_in_one_revision() {
        let mut s = Store::new();
        let short = s.lease_grant(1_000, 0);
        let long = s.lease_grant(5_000, 0);
        put(&mut s, "/a", short);
        put(&mut s, "/b", short);
        put(&mut s, "/c", long);
        let w = s.watch("/", true, 0).expect("watch");
        assert_eq!(s.next_lease_expiry(), Some(1_000));
        assert_eq!(s.expire_leases(999), Vec::<LeaseId>::new(), "not due yet");
        assert_eq!(s.expire_leases(1_000), vec![short]);
        assert_eq!(s.revision(), 5, "two keys, one revision");
        let events = s.drain_watch_events();
        assert_eq!(events[0].0, w);
        assert!(events[0].1.iter().all(|e| e.kind == EventKind::Delete && e.kv.mod_revision == 5));
        assert_eq!(s.range(&RangeRequest::prefix("/")).expect("read").count, 1);
        assert_eq!(s.next_lease_expiry(), Some(5_000));
    }

    #[test]
    fn keepalive_postpones_expiry_but_cannot_revive() {
        let mut s = Store::new();
        let id = s.lease_grant(1_000, 0);
        s.lease_keepalive(id, 900).expect("still alive");
        assert_eq!(s.next_lease_expiry(), Some(1_900));
        assert_eq!(s.lease_info(id, 1_000).map(|i| i.remaining_ms), Ok(900));
        assert!(s.expire_leases(1_000).is_empty());
        assert_eq!(s.lease_keepalive(id, 1_900), Err(StoreError::LeaseNotFound(id)), "expired");
        assert_eq!(s.expire_leases(2_000), vec![id]);
        assert_eq!(s.next_lease_expiry(), None);
    }

    #[test]
    fn missing_leases_are_reported() {
        let mut s = Store::new();
        assert_eq!(s.lease_keepalive(5, 0), Err(StoreError::LeaseNotFound(5)));
        assert_eq!(s.lease_revoke(5), Err(StoreError::LeaseNotFound(5)));
        assert_eq!(s.lease_info(5, 0), Err(StoreError::LeaseNotFound(5)));
        let id = s.lease_grant(10, 0);
        assert_ne!(id, 0, "0 means no lease in etcd");
        assert_eq!(s.lease_revoke(id), Ok(vec![]));
        assert_eq!(s.revision(), 1, "revoking a lease without keys writes nothing");
        assert_eq!(s.lease_revoke(id), Err(StoreError::LeaseNotFound(id)), "already revoked");
        assert_eq!(s.put("k", Value::from(&b""[..]), Some(id)), Err(StoreError::LeaseNotFound(id)));
    }

    #[test]
    fn revoke_skips_keys_already_deleted_and_reports_the_rest() {
        let mut s = Store::new();
        let id = s.lease_grant(10_000, 0);
        put(&mut s, "/a", id);
        put(&mut s, "/b", id);
        s.delete("/a");
        assert_eq!(s.lease_info(id, 0).map(|i| i.keys), Ok(vec!["/b".to_string()]));
        let gone = s.lease_revoke(id).expect("granted");
        assert_eq!(gone.iter().map(|kv| &*kv.key).collect::<Vec<_>>(), ["/b"]);
        assert_eq!(s.lease_count(), 0);
        assert!(s.is_empty());
    }
}
