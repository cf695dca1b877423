//! The cluster's etcd: a multi-version key-value store with one global revision, watches and leases.
//!
//! REVISIONS
//! =========
//!
//! Every change to the store gets the next value of one global counter, the *revision*. The store
//! starts at revision 1 with no keys, so the first write gets 2 (as etcd). A transaction that
//! changes several keys gives them all the same revision; a write that changes nothing (deleting a
//! missing key, a txn of only reads) does not bump it. Each stored value remembers three numbers:
//! `create_revision` (the put that brought the key to life), `mod_revision` (the latest put) and
//! `version` (puts since creation). The apiserver turns `mod_revision` into `resourceVersion` and
//! does optimistic concurrency with "update only if mod_revision is still N" ([`Compare`]).
//!
//! GENERATIONS
//! ===========
//!
//! History is kept per key, not as a copy per revision. A key's history is a list of
//! *generations*: one life each, from the put that created it to the delete (*tombstone*) that
//! ended it. Deleting and re-creating a key starts a new generation, so `create_revision` and
//! `version` start over, as Kubernetes expects when an object is deleted and re-created with the
//! same name. A read "at revision r" takes, per key, the newest version at or below r unless a
//! tombstone came between.
//!
//! ```text
//!  revision  1      2        3        4        5         6
//!  "a"       .    put x    put y      .     delete    put z
//!  "b"       .      .        .      put 1      .         .
//!
//!  keyIndex "a":  generation 0  created 2  [2: x v1] [3: y v2]  tombstone 5
//!                 generation 1  created 6  [6: z v1]            (alive)
//!  keyIndex "b":  generation 0  created 4  [4: 1 v1]            (alive)
//!
//!  change log:    (2,a) (3,a) (4,b) (5,a) (6,a)        <- what watches replay
//! ```
//!
//! Worked example on that history: a range of `a` at revision 3 returns `y` (version 2,
//! create_revision 2); at 4 still `y`; at 5 nothing; at 6 (now) `z`, with version 1 and
//! create_revision 6 again, because it is a new life.
//!
//! WATCH
//! =====
//!
//! A watch names a key (or a prefix) and a start revision, and receives every change at or after
//! that revision, in revision order, exactly once. Starting in the past replays history from the
//! change log; then each write pushes its event to every matching watcher as it happens. Events
//! wait in the watcher's queue until the simulation calls [`Store::drain_watch_events`] (sans-IO:
//! the store never sends anything itself). In the example, a watch on prefix "" from revision 3
//! replays `PUT a=y @3, PUT b=1 @4, DELETE a @5, PUT a=z @6`; a DELETE carries the removed value
//! as `prev_kv`.
//!
//! COMPACTION
//! ==========
//!
//! History grows forever unless compacted. `compact(r)` forgets everything no read or watch at or
//! after r can observe: generations that ended below r, and older versions than the one a read
//! at r would return. Afterwards reads below r and watches starting below r fail with
//! "required revision has been compacted", which is what makes a Kubernetes informer re-list.
//! In the example, `compact(6)` drops generation 0 of "a" entirely and keeps `b=1 @4` (it is
//! still the value at 6); a read at 5 and a watch from 5 fail, a watch from 6 replays only
//! `PUT a=z @6`.
//!
//! LEASES
//! ======
//!
//! A lease is a TTL that keys can be attached to; when it expires (or is revoked) its keys are
//! deleted in one revision. The store has no clock: the caller passes `now` and asks
//! [`Store::next_lease_expiry`] when to call [`Store::expire_leases`].
//!
//! Keys and values in results are `Arc<str>` ([`Key`]) and `Arc<[u8]>` ([`Value`]) rather than
//! `String` and `Vec<u8>`, so handing one change to a thousand watchers copies pointers, not bytes.

mod compact;
mod fanout;
mod lease;
mod mvcc;
mod read;
mod txn;
mod watch;
mod write;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod model;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

pub use lease::LeaseInfo;
pub use txn::{Compare, Op, OpResponse, TxnResponse};

use fanout::WatchHub;
use lease::Leases;
use mvcc::KeyIndex;

/// A point in the store's history; one global counter, starting at 1 like etcd.
pub type Revision = i64;
/// Identifies a lease; keys attached to it die with it.
pub type LeaseId = i64;
/// Identifies a watch, for cancelling it and for routing its events.
pub type WatchId = u64;
/// A stored value, shared (not copied) between the store, readers and watchers.
pub type Value = Arc<[u8]>;
/// A key as handed out in results: shared, so an event for a thousand watchers allocates it once.
pub type Key = Arc<str>;

/// One version of one key, as etcd's `mvccpb.KeyValue`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Key,
    pub value: Value,
    /// The revision of the put that created this life of the key.
    pub create_revision: Revision,
    /// The revision of the latest change; Kubernetes' `resourceVersion`.
    pub mod_revision: Revision,
    /// Puts since creation, 1 for a fresh key; 0 in a deletion record.
    pub version: i64,
    pub lease: Option<LeaseId>,
}

/// Which kind of change a watch event reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Put,
    Delete,
}

/// One change seen by a watcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchEvent {
    pub kind: EventKind,
    /// The new value; for a Delete, the key with `mod_revision` = the deleting revision and an
    /// empty value, as etcd sends it.
    pub kv: KeyValue,
    /// The value replaced or deleted, if still retained (absent for a create, or once compacted).
    pub prev_kv: Option<KeyValue>,
}

/// Why a store operation was refused; messages are etcd's own.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The history asked for was dropped by compaction; an informer must re-list.
    #[error("etcdserver: mvcc: required revision has been compacted")]
    Compacted { requested: Revision, compacted: Revision },
    /// The revision asked for has not been written yet.
    #[error("etcdserver: mvcc: required revision is a future revision")]
    FutureRevision { requested: Revision, current: Revision },
    /// The lease was never granted, was revoked, or has expired.
    #[error("etcdserver: requested lease not found")]
    LeaseNotFound(LeaseId),
    /// The watch was never created or was already cancelled.
    #[error("mvcc: watcher does not exist")]
    WatchNotFound(WatchId),
    /// A put or a single-key range named the empty key.
    #[error("etcdserver: key is not provided")]
    EmptyKey,
    /// One transaction branch wrote the same key twice; etcd refuses this because both changes
    /// would share one revision.
    #[error("etcdserver: duplicate key given in txn request")]
    DuplicateKey(String),
}

/// A read of one key or of every key under a prefix, now or at a past revision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeRequest {
    pub key: String,
    /// Read every key starting with `key` (the apiserver's "list").
    pub prefix: bool,
    /// At most this many keys; 0 means no limit.
    pub limit: usize,
    /// Read as of this revision; `None` (or <= 0, as etcd) means the current one.
    pub revision: Option<Revision>,
    /// With `prefix`: begin at this key instead of at the prefix (etcd's range from a paginated
    /// list's continue key to the prefix's end).
    pub start: Option<String>,
}

impl RangeRequest {
    /// A current read of one key.
    pub fn key(key: &str) -> Self {
        RangeRequest { key: key.to_string(), ..Self::default() }
    }

    /// A current read of every key under `prefix`.
    pub fn prefix(prefix: &str) -> Self {
        RangeRequest { key: prefix.to_string(), prefix: true, ..Self::default() }
    }

    /// The same read as of `revision`.
    pub fn at(self, revision: Revision) -> Self {
        RangeRequest { revision: Some(revision), ..self }
    }

    /// The same prefix read, from `start` on.
    pub fn from(self, start: &str) -> Self {
        RangeRequest { start: Some(start.to_string()), ..self }
    }

    /// The same read, returning at most `limit` keys.
    pub fn limit(self, limit: usize) -> Self {
        RangeRequest { limit, ..self }
    }
}

/// The keys found, sorted by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeResponse {
    pub kvs: Vec<KeyValue>,
    /// How many keys matched in total, even past `limit`.
    pub count: usize,
    /// True if `limit` cut the answer short.
    pub more: bool,
    /// The store's current revision (etcd's header revision), even for a historical read.
    pub revision: Revision,
}

/// The store: every key's history, the change log that watches replay, watchers and leases.
#[derive(Clone, Debug)]
pub struct Store {
    /// Key -> its history. A BTreeMap so prefix ranges are cheap and iteration is deterministic.
    index: BTreeMap<Arc<str>, KeyIndex>,
    /// Which key changed at which revision, oldest first, back to the compacted revision.
    changes: VecDeque<(Revision, Arc<str>)>,
    revision: Revision,
    compacted: Revision,
    /// Live keys, kept as a counter so `len` is O(1).
    live: usize,
    /// Approximate heap bytes, kept as a counter so `approx_bytes` is O(1).
    bytes: usize,
    watches: WatchHub,
    leases: Leases,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store at revision 1, never compacted.
    pub fn new() -> Self {
        Store {
            index: BTreeMap::new(),
            changes: VecDeque::new(),
            revision: 1,
            compacted: 0,
            live: 0,
            bytes: 0,
            watches: WatchHub::default(),
            leases: Leases::default(),
        }
    }

    /// The revision of the latest change.
    pub fn revision(&self) -> Revision {
        self.revision
    }

    /// The oldest revision still readable; 0 until the first compaction.
    pub fn compacted_revision(&self) -> Revision {
        self.compacted
    }

    /// Live keys (deleted keys with retained history do not count).
    pub fn len(&self) -> usize {
        self.live
    }

    /// True when no key is alive.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// A rough count of the heap bytes held (keys, retained values, bookkeeping), for the UI.
    pub fn approx_bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn val(s: &str) -> Value {
        Value::from(s.as_bytes())
    }

    /// Builds the history drawn in the module docs.
    pub(super) fn example() -> Store {
        let mut s = Store::new();
        s.put("a", val("x"), None).expect("valid put");
        s.put("a", val("y"), None).expect("valid put");
        s.put("b", val("1"), None).expect("valid put");
        s.delete("a");
        s.put("a", val("z"), None).expect("valid put");
        s
    }

    pub(super) fn value_at(s: &Store, key: &str, rev: Revision) -> Result<Option<String>, StoreError> {
        let r = s.range(&RangeRequest::key(key).at(rev))?;
        Ok(r.kvs.first().map(|kv| String::from_utf8_lossy(&kv.value).into_owned()))
    }

    #[test]
    fn the_documented_example_reads_as_described() {
        let s = example();
        assert_eq!(s.revision(), 6);
        let table = [(3, Some("y")), (4, Some("y")), (5, None), (6, Some("z"))];
        for (rev, want) in table {
            assert_eq!(value_at(&s, "a", rev), Ok(want.map(String::from)), "a at {rev}");
        }
        let a = s.range(&RangeRequest::key("a")).expect("current read");
        assert_eq!((a.kvs[0].version, a.kvs[0].create_revision), (1, 6), "a new life starts over");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn the_documented_watch_replays_as_described() {
        let mut s = example();
        let w = s.watch("", true, 3).expect("nothing is compacted");
        let drained = s.drain_watch_events();
        assert_eq!(drained.len(), 1);
        assert_eq!(drained[0].0, w);
        let text = |v: &Value| String::from_utf8_lossy(v).into_owned();
        let got: Vec<_> =
            drained[0].1.iter().map(|e| (e.kind, e.kv.key.to_string(), e.kv.mod_revision, text(&e.kv.value))).collect();
        use EventKind::{Delete, Put};
        let want = [(Put, "a", 3, "y"), (Put, "b", 4, "1"), (Delete, "a", 5, ""), (Put, "a", 6, "z")];
        assert_eq!(got, want.map(|(k, key, rev, v)| (k, key.to_string(), rev, v.to_string())));
        let removed = drained[0].1[2].prev_kv.as_ref().map(|p| text(&p.value));
        assert_eq!(removed.as_deref(), Some("y"), "a DELETE carries the removed value");
    }

    #[test]
    fn errors_print_etcd_messages() {
        let e = StoreError::Compacted { requested: 1, compacted: 5 };
        assert_eq!(e.to_string(), "etcdserver: mvcc: required revision has been compacted");
        let e = StoreError::FutureRevision { requested: 9, current: 5 };
        assert_eq!(e.to_string(), "etcdserver: mvcc: required revision is a future revision");
        assert_eq!(StoreError::LeaseNotFound(7).to_string(), "etcdserver: requested lease not found");
    }
}
