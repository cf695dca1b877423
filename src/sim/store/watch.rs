//! Watches: open one from any retained revision, replay history into it, drain what it is owed.
//!
//! Matching writes to watchers and queueing their events lives in [`super::fanout`].

use std::sync::Arc;

use super::mvcc::{self, Change};
use super::{EventKind, Key, Revision, Store, StoreError, WatchEvent, WatchId};

impl Store {
    /// Watches one key (or every key under a prefix) from `start_revision`; 0 means "from now".
    ///
    /// A start in the past replays every retained change since then into the watcher's queue,
    /// so nothing between a list and its watch is lost. A start below the compacted revision fails
    /// with [`StoreError::Compacted`]; the caller must re-list. A start in the future is allowed:
    /// the watcher stays quiet until then.
    pub fn watch(&mut self, key: &str, prefix: bool, start_revision: Revision) -> Result<WatchId, StoreError> {
        let start = if start_revision <= 0 { self.revision + 1 } else { start_revision };
        if start < self.compacted {
            return Err(StoreError::Compacted { requested: start, compacted: self.compacted });
        }
        let mut replay = Vec::new();
        let from = self.changes.partition_point(|(rev, _)| *rev < start);
        for (rev, changed) in self.changes.range(from..) {
            let matches = if prefix { changed.starts_with(key) } else { **changed == *key };
            let change = if matches { self.index.get(&**changed).and_then(|ki| ki.change_at(*rev)) } else { None };
            replay.extend(change.map(|c| event(changed, *rev, c)));
        }
        let id = self.watches.add(key, prefix, start, replay);
        Ok(id)
    }

    /// Stops a watch and discards its undelivered events.
    pub fn cancel_watch(&mut self, id: WatchId) -> Result<(), StoreError> {
        if self.watches.remove(id) { Ok(()) } else { Err(StoreError::WatchNotFound(id)) }
    }

    /// Takes the events queued since the last drain: per watcher in WatchId order, each list in
    /// revision order (ops of one transaction in op order), with no gaps and no duplicates.
    ///
    /// Costs one clone (reference counts, no byte copies) per event per watcher; with many
    /// watchers on one prefix, [`Store::drain_watch_events_shared`] avoids even that.
    pub fn drain_watch_events(&mut self) -> Vec<(WatchId, Vec<WatchEvent>)> {
        self.watches.drain().into_iter().map(|(id, events)| (id, events.to_vec())).collect()
    }

    /// The same as [`Store::drain_watch_events`], but watchers of the same key or prefix that
    /// are owed the same events share one list: O(watchers) per drain instead of
    /// O(watchers × events), for a thousand kubelets watching `/registry/pods/`.
    pub fn drain_watch_events_shared(&mut self) -> Vec<(WatchId, Arc<[WatchEvent]>)> {
        self.watches.drain()
    }

    /// How many watches are open, for the UI.
    pub fn watcher_count(&self) -> usize {
        self.watches.len()
    }
}

/// Turns a retained change into the event a live watcher would have received for it.
fn event(key: &Key, rev: Revision, change: Change<'_>) -> WatchEvent {
    match change {
        Change::Put { generation, version, prev } => WatchEvent {
            kind: EventKind::Put,
            kv: mvcc::key_value(key, generation, version),
            prev_kv: prev.map(|p| mvcc::key_value(key, generation, p)),
        },
        Change::Delete { generation, prev } => WatchEvent {
            kind: EventKind::Delete,
            kv: mvcc::deleted_key_value(key, rev),
            prev_kv: Some(mvcc::key_value(key, generation, prev)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::Value;
    use super::*;

    fn put(s: &mut Store, key: &str) -> Revision {
        s.put(key, Value::from(key.as_bytes()), None).expect("valid put").0
    }

    /// (kind, key, revision) of one event, enough to check order and routing.
    type Summary = (EventKind, String, Revision);

    /// The summaries of each drained watcher's events.
    fn drained(s: &mut Store) -> Vec<(WatchId, Vec<Summary>)> {
        let summary = |e: &WatchEvent| (e.kind, e.kv.key.to_string(), e.kv.mod_revision);
        s.drain_watch_events().into_iter().map(|(id, evs)| (id, evs.iter().map(summary).collect())).collect()
    }

    #[test]
    fn live_events_reach_exact_and_prefix_watchers_only() {
        let mut s = Store::new();
        let exact = s.watch("/pods/a", false, 0).expect("watch");
        let pods = s.watch("/pods/", true, 0).expect("watch");
        let all = s.watch("", true, 0).expect("watch");
        let svc = s.watch("/svc/", true, 0).expect("watch");
        put(&mut s, "/pods/a");
        put(&mut s, "/pods/b");
        put(&mut s, "/podsX");
        s.delete("/pods/a");
        use EventKind::{Delete as D, Put as P};
        let got = drained(&mut s);
        assert_eq!(
            got,
            [
                (exact, vec![(P, "/pods/a".into(), 2), (D, "/pods/a".into(), 5)]),
                (pods, vec![(P, "/pods/a".into(), 2), (P, "/pods/b".into(), 3), (D, "/pods/a".into(), 5)]),
                (
                    all,
                    vec![
                        (P, "/pods/a".into(), 2),
                        (P, "/pods/b".into(), 3),
                        (P, "/podsX".into(), 4),
                        (D, "/pods/a".into(), 5)
                    ]
                ),
            ]
        );
        assert!(!got.iter().any(|(id, _)| *id == svc));
        assert!(s.drain_watch_events().is_empty(), "draining twice gives nothing new");
    }

    #[test]
    fn a_watch_from_the_past_replays_then_continues_without_gaps() {
        let mut s = Store::new();
        put(&mut s, "/a"); // 2
        put(&mut s, "/a"); // 3
        put(&mut s, "/b"); // 4
        s.delete("/a"); // 5
        let w = s.watch("/a", false, 3).expect("retained");
        put(&mut s, "/a"); // 6
        use EventKind::{Delete as D, Put as P};
        assert_eq!(drained(&mut s), [(w, vec![(P, "/a".into(), 3), (D, "/a".into(), 5), (P, "/a".into(), 6)])]);
    }

    #[test]
    fn replayed_and_live_events_carry_the_same_prev_kv() {
        let mut s = Store::new();
        let live = s.watch("k", false, 0).expect("watch");
        put(&mut s, "k");
        put(&mut s, "k");
        s.delete("k");
        let replay = s.watch("k", false, 1).expect("retained");
        let mut drained = s.drain_watch_events();
        assert_eq!(drained.len(), 2);
        let (replayed, lived) = (drained.pop().expect("two"), drained.pop().expect("two"));
        assert_eq!((lived.0, replayed.0), (live, replay));
        assert_eq!(lived.1, replayed.1);
        assert_eq!(lived.1[0].prev_kv, None, "a create has no previous value");
        assert_eq!(lived.1[2].prev_kv.as_ref().map(|p| p.mod_revision), Some(3));
    }

    #[test]
    fn watch_error_paths() {
        let mut s = Store::new();
        for _ in 0..4 {
            put(&mut s, "k");
        }
        s.compact(4).expect("valid compaction");
        assert_eq!(s.watch("k", false, 3), Err(StoreError::Compacted { requested: 3, compacted: 4 }));
        assert_eq!(s.cancel_watch(99), Err(StoreError::WatchNotFound(99)));
        let w = s.watch("k", false, 4).expect("the compacted revision itself is still watchable");
        put(&mut s, "k");
        s.cancel_watch(w).expect("open watch");
        assert!(s.drain_watch_events().is_empty(), "cancelling discards queued events");
        assert_eq!(s.cancel_watch(w), Err(StoreError::WatchNotFound(w)));
        assert_eq!(s.watcher_count(), 0);
    }

    #[test]
    fn a_future_start_waits_for_its_revision() {
        let mut s = Store::new();
        let w = s.watch("k", false, 4).expect("future starts are allowed");
        put(&mut s, "k"); // 2
        put(&mut s, "k"); // 3
        assert!(s.drain_watch_events().is_empty());
        put(&mut s, "k"); // 4
        assert_eq!(drained(&mut s), [(w, vec![(EventKind::Put, "k".into(), 4)])]);
    }

    #[test]
    fn watchers_owed_the_same_events_share_one_list() {
        let mut s = Store::new();
        let a = s.watch("/p/", true, 0).expect("watch");
        let b = s.watch("/p/", true, 0).expect("watch");
        put(&mut s, "/p/1"); // 2
        let late = s.watch("/p/", true, 0).expect("joins after revision 2");
        let replayed = s.watch("/p/", true, 2).expect("replays revision 2");
        put(&mut s, "/p/2"); // 3
        let drained = s.drain_watch_events_shared();
        let ids: Vec<WatchId> = drained.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [a, b, late, replayed]);
        let revs = |i: usize| drained[i].1.iter().map(|e| e.kv.mod_revision).collect::<Vec<_>>();
        assert_eq!((revs(0), revs(2), revs(3)), (vec![2, 3], vec![3], vec![2, 3]));
        assert!(Arc::ptr_eq(&drained[0].1, &drained[1].1), "a and b share one list");
        assert!(!Arc::ptr_eq(&drained[0].1, &drained[2].1), "the late joiner is owed less");
        put(&mut s, "/p/3"); // 4
        let drained = s.drain_watch_events_shared();
        assert_eq!(drained.len(), 4);
        assert!(drained.windows(2).all(|w| Arc::ptr_eq(&w[0].1, &w[1].1)), "caught up: all share");
    }
}
