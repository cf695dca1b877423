//! Property tests: the store against a naive model that keeps a full snapshot per revision.
//!
//! Checked after every random operation: revisions only grow (by exactly one per changing
//! write); a read at any retained revision returns that revision's snapshot, and below the
//! compacted revision fails; every watcher receives every matching change at or after its start
//! exactly once and in order.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::model::Model;
use super::*;

const KEYS: [&str; 5] = ["/a/1", "/a/2", "/ab", "/b/1", "/b/2"];
const PREFIXES: [&str; 4] = ["", "/a", "/a/", "/b/"];
/// A lease id the store never grants.
const BOGUS_LEASE: LeaseId = 7;

#[derive(Clone, Debug)]
enum Step {
    Put { key: usize, value: u8, lease: Option<usize> },
    Delete { key: usize },
    DeletePrefix { prefix: usize },
    Txn { compare_key: usize, compare_rev: Revision, success: Vec<TxnOp>, failure: Vec<TxnOp> },
    Compact { back: Revision },
    Watch { key: usize, prefix: bool, back: Revision },
    Drain { shared: bool },
    Grant,
    Revoke { lease: usize },
}

#[derive(Clone, Debug)]
enum TxnOp {
    Put(usize, u8),
    Delete(usize),
    Get(usize),
}

fn txn_op() -> impl Strategy<Value = TxnOp> {
    prop_oneof![
        (0..KEYS.len(), any::<u8>()).prop_map(|(k, v)| TxnOp::Put(k, v)),
        (0..KEYS.len()).prop_map(TxnOp::Delete),
        (0..KEYS.len()).prop_map(TxnOp::Get),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..KEYS.len(), any::<u8>(), proptest::option::weighted(0.3, 0..4usize))
            .prop_map(|(key, value, lease)| Step::Put { key, value, lease }),
        2 => (0..KEYS.len()).prop_map(|key| Step::Delete { key }),
        1 => (0..PREFIXES.len()).prop_map(|prefix| Step::DeletePrefix { prefix }),
        2 => (0..KEYS.len(), 0..8i64, prop::collection::vec(txn_op(), 0..4), prop::collection::vec(txn_op(), 0..3))
            .prop_map(|(compare_key, compare_rev, success, failure)| {
                Step::Txn { compare_key, compare_rev, success, failure }
            }),
        1 => (0..6i64).prop_map(|back| Step::Compact { back }),
        2 => (0..KEYS.len() + PREFIXES.len(), any::<bool>(), -1..8i64)
            .prop_map(|(key, prefix, back)| Step::Watch { key, prefix, back }),
        1 => any::<bool>().prop_map(|shared| Step::Drain { shared }),
        1 => Just(Step::Grant),
        1 => (0..4usize).prop_map(|lease| Step::Revoke { lease }),
    ]
}

struct WatchRecord {
    key: String,
    prefix: bool,
    start: Revision,
    /// Replayed events at or below this revision may lack `prev_kv` (it was compacted).
    compacted_at_open: Revision,
    received: Vec<WatchEvent>,
}

/// Drives the store and the model side by side, checking each answer against the model's.
struct Harness {
    store: Store,
    model: Model,
    watches: BTreeMap<WatchId, WatchRecord>,
}

fn refused(what: &str, e: StoreError) -> TestCaseError {
    TestCaseError::fail(format!("{what} refused: {e}"))
}

impl Harness {
    fn step(&mut self, step: Step) -> Result<(), TestCaseError> {
        let before = self.store.revision();
        match step {
            Step::Put { key, value, lease } => self.put(KEYS[key], value, lease)?,
            Step::Delete { key } => {
                let (_, got) = self.store.delete(KEYS[key]);
                let want = self.model.write(|b| b.delete(KEYS[key]));
                prop_assert_eq!(got, want);
            }
            Step::DeletePrefix { prefix } => {
                let (_, got) = self.store.delete_prefix(PREFIXES[prefix]);
                let want = self.model.write(|b| b.delete_where(|kv| kv.key.starts_with(PREFIXES[prefix])));
                prop_assert_eq!(got, want);
            }
            Step::Txn { compare_key, compare_rev, success, failure } => {
                self.txn(KEYS[compare_key], compare_rev, success, failure)?
            }
            Step::Compact { back } => {
                let target = self.model.revision() - back;
                let got = self.store.compact(target);
                if target <= self.model.compacted {
                    let compacted = self.model.compacted;
                    prop_assert_eq!(got, Err(StoreError::Compacted { requested: target, compacted }));
                } else {
                    prop_assert_eq!(got, Ok(()));
                    self.model.compacted = target;
                }
            }
            Step::Watch { key, prefix, back } => self.watch(key, prefix, back)?,
            Step::Drain { shared } => self.drain(shared)?,
            Step::Grant => {
                let id = self.store.lease_grant(1_000, 0);
                self.model.granted.push(id);
                self.model.live_leases.insert(id);
            }
            Step::Revoke { lease } => {
                let id = self.model.granted.get(lease).copied().unwrap_or(BOGUS_LEASE);
                let got = self.store.lease_revoke(id);
                if self.model.live_leases.remove(&id) {
                    let want = self.model.write(|b| b.delete_where(|kv| kv.lease == Some(id)));
                    prop_assert_eq!(got.map_err(|e| refused("revoke", e))?, want);
                } else {
                    prop_assert_eq!(got, Err(StoreError::LeaseNotFound(id)));
                }
            }
        }
        self.check_state(before)
    }

    fn put(&mut self, key: &str, value: u8, lease: Option<usize>) -> Result<(), TestCaseError> {
        let lease = lease.map(|i| self.model.granted.get(i).copied().unwrap_or(BOGUS_LEASE));
        let got = self.store.put(key, Value::from(&[value][..]), lease);
        if let Some(id) = lease.filter(|id| !self.model.live_leases.contains(id)) {
            prop_assert_eq!(got, Err(StoreError::LeaseNotFound(id)));
        } else {
            let prev = self.model.current().get(key).cloned();
            prop_assert_eq!(got, Ok((self.model.revision() + 1, prev)));
            self.model.write(|b| b.put(key, value, lease));
        }
        Ok(())
    }

    fn txn(&mut self, key: &str, rev: Revision, success: Vec<TxnOp>, failure: Vec<TxnOp>) -> Result<(), TestCaseError> {
        let current = self.model.current().get(key).map_or(0, |kv| kv.mod_revision);
        // Aim the compare at the real mod revision half the time, so both branches run.
        let want = if rev % 2 == 0 { current } else { rev };
        let succeeded = current == want;
        let to_op = |op: &TxnOp| match *op {
            TxnOp::Put(k, v) => Op::Put { key: KEYS[k].into(), value: Value::from(&[v][..]), lease: None },
            TxnOp::Delete(k) => Op::Delete { key: KEYS[k].into() },
            TxnOp::Get(k) => Op::Get { key: KEYS[k].into() },
        };
        let compare = [Compare::ModRevision(key.into(), want)];
        let got = self.store.txn(&compare, success.iter().map(to_op).collect(), failure.iter().map(to_op).collect());
        let branch = if succeeded { &success } else { &failure };
        let mut written = BTreeSet::new();
        let duplicate = branch.iter().any(|op| match op {
            TxnOp::Put(k, _) | TxnOp::Delete(k) => !written.insert(*k),
            TxnOp::Get(_) => false,
        });
        if duplicate {
            prop_assert!(matches!(got, Err(StoreError::DuplicateKey(_))), "{:?}", got);
            return Ok(());
        }
        let got = got.map_err(|e| refused("txn", e))?;
        prop_assert_eq!(got.succeeded, succeeded);
        let want: Vec<OpResponse> = self.model.write(|b| {
            let respond = |op: &TxnOp| match *op {
                TxnOp::Put(k, v) => {
                    let prev = b.state.get(KEYS[k]).cloned();
                    b.put(KEYS[k], v, None);
                    OpResponse::Put { prev }
                }
                TxnOp::Delete(k) => OpResponse::Delete { deleted: b.delete(KEYS[k]) },
                TxnOp::Get(k) => OpResponse::Get { kv: b.state.get(KEYS[k]).cloned() },
            };
            branch.iter().map(respond).collect()
        });
        prop_assert_eq!(got.responses, want);
        Ok(())
    }

    fn watch(&mut self, key: usize, prefix: bool, back: Revision) -> Result<(), TestCaseError> {
        let key = KEYS.iter().chain(PREFIXES.iter()).nth(key).copied().unwrap_or_default();
        let now = self.model.revision();
        let start = if back < 0 { 0 } else { (now + 1 - back).max(1) };
        let effective = if start == 0 { now + 1 } else { start };
        let got = self.store.watch(key, prefix, start);
        let compacted = self.model.compacted;
        if effective < compacted {
            prop_assert_eq!(got, Err(StoreError::Compacted { requested: effective, compacted }));
        } else {
            let id = got.map_err(|e| refused("watch", e))?;
            let record = WatchRecord {
                key: key.into(),
                prefix,
                start: effective,
                compacted_at_open: compacted,
                received: vec![],
            };
            self.watches.insert(id, record);
        }
        Ok(())
    }

    fn drain(&mut self, shared: bool) -> Result<(), TestCaseError> {
        let drained: Vec<(WatchId, Vec<WatchEvent>)> = if shared {
            self.store.drain_watch_events_shared().into_iter().map(|(id, events)| (id, events.to_vec())).collect()
        } else {
            self.store.drain_watch_events()
        };
        let ids: Vec<WatchId> = drained.iter().map(|(id, _)| *id).collect();
        prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "watchers in WatchId order: {:?}", ids);
        for (id, events) in drained {
            prop_assert!(!events.is_empty(), "no empty batches");
            let record =
                self.watches.get_mut(&id).ok_or_else(|| TestCaseError::fail(format!("unknown watcher {id}")))?;
            record.received.extend(events);
        }
        Ok(())
    }

    fn check_state(&self, before: Revision) -> Result<(), TestCaseError> {
        let (store, model) = (&self.store, &self.model);
        let now = store.revision();
        prop_assert!(now == before || now == before + 1, "revision moved from {} to {}", before, now);
        prop_assert_eq!(now, model.revision());
        prop_assert_eq!(store.compacted_revision(), model.compacted);
        prop_assert_eq!(store.len(), model.current().len());
        for rev in 1..=now {
            let got = store.range(&RangeRequest::prefix("").at(rev));
            if rev < model.compacted {
                prop_assert_eq!(got, Err(StoreError::Compacted { requested: rev, compacted: model.compacted }));
            } else {
                let got = got.map_err(|e| refused("read", e))?;
                let want: Vec<KeyValue> = model.snapshots[rev as usize].values().cloned().collect();
                prop_assert_eq!(got.kvs, want, "read at revision {}", rev);
            }
        }
        for key in KEYS {
            let history = store.history(key);
            let last_live = history.last().filter(|kv| kv.version > 0);
            prop_assert_eq!(last_live, model.current().get(key), "history of {} ends at its current value", key);
            let ordered = history.windows(2).all(|w| w[0].mod_revision < w[1].mod_revision);
            prop_assert!(ordered, "history of {} is ordered", key);
        }
        Ok(())
    }

    /// Every watcher got exactly the model's matching events from its start, in order.
    fn check_watches(&self) -> Result<(), TestCaseError> {
        for (id, w) in &self.watches {
            let matches = |e: &&WatchEvent| {
                let key_matches = if w.prefix { e.kv.key.starts_with(&w.key) } else { *e.kv.key == *w.key };
                e.kv.mod_revision >= w.start && key_matches
            };
            let wanted: Vec<&WatchEvent> = self.model.events.iter().filter(matches).collect();
            prop_assert_eq!(w.received.len(), wanted.len(), "watcher {} event count", id);
            for (got, want) in w.received.iter().zip(wanted) {
                let rev = want.kv.mod_revision;
                prop_assert_eq!((got.kind, &got.kv), (want.kind, &want.kv), "watcher {} at {}", id, rev);
                if !(got.prev_kv.is_none() && rev <= w.compacted_at_open) {
                    prop_assert_eq!(&got.prev_kv, &want.prev_kv, "watcher {} prev at {}", id, rev);
                }
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_store_matches_a_model_of_full_snapshots(steps in prop::collection::vec(step(), 1..60)) {
        let mut h = Harness { store: Store::new(), model: Model::new(), watches: BTreeMap::new() };
        for step in steps {
            h.step(step)?;
        }
        h.drain(false)?;
        h.check_watches()?;
    }
}
