//! Compaction: forgetting history no read or watch can still ask for.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::mvcc;
use super::{Revision, Store, StoreError};

impl Store {
    /// Drops all history that no read or watch at or after `revision` can observe.
    ///
    /// Afterwards reads below `revision` and watches starting below it fail with
    /// [`StoreError::Compacted`]; the latest value of every live key is always kept. Compacting
    /// again at or below an earlier compaction is refused, as etcd does.
    pub fn compact(&mut self, revision: Revision) -> Result<(), StoreError> {
        if revision <= self.compacted {
            return Err(StoreError::Compacted { requested: revision, compacted: self.compacted });
        }
        if revision > self.revision {
            return Err(StoreError::FutureRevision { requested: revision, current: self.revision });
        }
        // Only keys changed since the last compaction can hold history to drop: any other key
        // was already cut down to its one latest version then.
        let touched_end = self.changes.partition_point(|(rev, _)| *rev <= revision);
        let touched: BTreeSet<Arc<str>> = self.changes.range(..touched_end).map(|(_, k)| k.clone()).collect();
        for key in touched {
            let Some(ki) = self.index.get_mut(&*key) else { continue };
            self.bytes = self.bytes.saturating_sub(ki.compact(revision));
            if ki.is_empty() {
                self.index.remove(&*key);
                self.bytes = self.bytes.saturating_sub(mvcc::KEY_OVERHEAD + key.len());
            }
        }
        // Changes at `revision` itself stay: a watch from exactly the compacted revision replays them.
        let dropped = self.changes.partition_point(|(rev, _)| *rev < revision);
        self.changes.drain(..dropped);
        self.compacted = revision;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{example, val, value_at};
    use super::super::{EventKind, RangeRequest};
    use super::*;

    #[test]
    fn the_documented_compaction_behaves_as_described() {
        let mut s = example();
        s.compact(6).expect("6 is the current revision");
        assert_eq!(s.compacted_revision(), 6);
        assert_eq!(value_at(&s, "b", 6), Ok(Some("1".into())));
        assert_eq!(value_at(&s, "a", 5), Err(StoreError::Compacted { requested: 5, compacted: 6 }));
        assert_eq!(s.history("a").len(), 1, "generation 0 of a ended at 5 < 6");
        assert_eq!(s.watch("", true, 5), Err(StoreError::Compacted { requested: 5, compacted: 6 }));
        let w = s.watch("", true, 6).expect("watch from the compacted revision");
        let events = s.drain_watch_events();
        assert_eq!(events.len(), 1);
        let (id, evs) = &events[0];
        assert_eq!(*id, w);
        let got: Vec<_> = evs.iter().map(|e| (e.kind, &*e.kv.key, e.kv.mod_revision)).collect();
        assert_eq!(got, [(EventKind::Put, "a", 6)]);
    }

    #[test]
    fn keys_dead_before_the_compaction_are_forgotten() {
        let mut s = example();
        s.put("c", val("tmp"), None).expect("valid put");
        s.delete("c");
        s.compact(8).expect("8 is the current revision");
        let kept: Vec<_> = s.history("c").iter().map(|kv| kv.mod_revision).collect();
        assert_eq!(kept, [7, 8], "the delete at 8 stays for a watch from 8, with the value it removed");
        s.put("d", val("1"), None).expect("valid put");
        s.compact(9).expect("9 is the current revision");
        assert!(s.history("c").is_empty(), "c died at 8 < 9");
    }

    #[test]
    fn compact_to_now_keeps_every_live_key() {
        let mut s = example();
        let now = s.revision();
        let before = s.range(&RangeRequest::prefix("")).expect("current read");
        let bytes = s.approx_bytes();
        s.compact(now).expect("compacting to now is allowed");
        assert_eq!(s.range(&RangeRequest::prefix("")).expect("current read"), before);
        assert!(s.approx_bytes() < bytes, "compaction frees bytes");
    }

    #[test]
    fn compact_rejects_old_and_future_revisions() {
        let mut s = example();
        assert_eq!(s.compact(7), Err(StoreError::FutureRevision { requested: 7, current: 6 }));
        s.compact(4).expect("first compaction");
        for rev in [4, 3] {
            assert_eq!(s.compact(rev), Err(StoreError::Compacted { requested: rev, compacted: 4 }));
        }
        s.compact(6).expect("later compaction");
    }
}
