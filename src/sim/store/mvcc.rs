//! One key's history: generations of versions, each life closed by a tombstone (etcd's `keyIndex`).
//!
//! etcd keeps, per key, a list of generations and marks the end of a life by appending an empty
//! generation after the tombstone. Here a generation carries its tombstone revision instead
//! (`tombstone: Some(rev)`), and the next put opens a fresh generation: the same information, with
//! no empty placeholder to special-case.
//!
//! ```text
//! put(2) put(3) delete(5) put(7) on "a":
//!   generations[0]: created 2, versions [2 (v1), 3 (v2)], tombstone 5
//!   generations[1]: created 7, versions [7 (v1)],         open
//! ```

use std::sync::Arc;

use super::{KeyValue, LeaseId, Revision, Value};

/// Rough heap cost of one stored version besides its value bytes (struct, Vec slot, log entry).
pub(super) const VERSION_OVERHEAD: usize = 64;
/// Rough heap cost of one key's index entry besides the key bytes (BTreeMap slot, Arc header).
pub(super) const KEY_OVERHEAD: usize = 64;
/// Rough heap cost of a tombstone (a revision in the generation and a log entry).
pub(super) const TOMBSTONE_OVERHEAD: usize = 24;

/// One stored value of a key, written at `revision`.
#[derive(Clone, Debug)]
pub(super) struct Version {
    pub revision: Revision,
    /// Counts puts within the generation: 1 on create, as etcd's `version`.
    pub version: i64,
    pub value: Value,
    pub lease: Option<LeaseId>,
}

impl Version {
    fn weight(&self) -> usize {
        VERSION_OVERHEAD + self.value.len()
    }
}

/// One life of a key: from the put that created it to the delete that ended it.
#[derive(Clone, Debug)]
pub(super) struct Generation {
    /// The revision of the creating put; survives compaction of that put (as `create_revision`).
    pub created: Revision,
    /// Ascending by revision and never empty: a generation starts with a put.
    pub versions: Vec<Version>,
    /// The delete that ended this life; `None` while the key is alive.
    pub tombstone: Option<Revision>,
}

impl Generation {
    fn weight(&self) -> usize {
        let tomb = if self.tombstone.is_some() { TOMBSTONE_OVERHEAD } else { 0 };
        self.versions.iter().map(Version::weight).sum::<usize>() + tomb
    }
}

/// What happened to a key at one revision, borrowed from its history (to build a watch event).
#[derive(Debug)]
pub(super) enum Change<'a> {
    /// A put; `prev` is the value it replaced, if the same life still holds it.
    Put { generation: &'a Generation, version: &'a Version, prev: Option<&'a Version> },
    /// A delete; `prev` is the value it removed.
    Delete { generation: &'a Generation, prev: &'a Version },
}

/// All retained history of one key, oldest generation first.
#[derive(Clone, Debug)]
pub(super) struct KeyIndex {
    /// Shared with the store's map and change log so each key's bytes are allocated once.
    pub key: Arc<str>,
    generations: Vec<Generation>,
}

impl KeyIndex {
    pub fn new(key: Arc<str>) -> Self {
        KeyIndex { key, generations: Vec::new() }
    }

    /// True once compaction has dropped every generation; the store then forgets the key.
    pub fn is_empty(&self) -> bool {
        self.generations.is_empty()
    }

    /// The current value, if the key is alive.
    pub fn live(&self) -> Option<(&Generation, &Version)> {
        let g = self.generations.last().filter(|g| g.tombstone.is_none())?;
        Some((g, g.versions.last()?))
    }

    /// The value visible at `rev`: the newest version at or below it, unless a tombstone intervened.
    pub fn at(&self, rev: Revision) -> Option<(&Generation, &Version)> {
        let gi = self.generations.partition_point(|g| g.created <= rev);
        let g = &self.generations[gi.checked_sub(1)?];
        if g.tombstone.is_some_and(|t| t <= rev) {
            return None;
        }
        let vi = g.versions.partition_point(|v| v.revision <= rev);
        Some((g, &g.versions[vi.checked_sub(1)?]))
    }

    /// What happened to this key at exactly `rev`, if anything is still retained.
    pub fn change_at(&self, rev: Revision) -> Option<Change<'_>> {
        let gi = self.generations.partition_point(|g| g.created <= rev);
        let generation = &self.generations[gi.checked_sub(1)?];
        if generation.tombstone == Some(rev) {
            return Some(Change::Delete { generation, prev: generation.versions.last()? });
        }
        let vi = generation.versions.binary_search_by_key(&rev, |v| v.revision).ok()?;
        let prev = vi.checked_sub(1).map(|p| &generation.versions[p]);
        Some(Change::Put { generation, version: &generation.versions[vi], prev })
    }

    /// Records a put at `rev`, opening a new generation if the key is not alive. Returns the bytes added.
    pub fn put(&mut self, rev: Revision, value: Value, lease: Option<LeaseId>) -> usize {
        let open = self.generations.last_mut().filter(|g| g.tombstone.is_none());
        let v = match open {
            Some(g) => {
                let version = g.versions.last().map_or(0, |v| v.version) + 1;
                g.versions.push(Version { revision: rev, version, value, lease });
                g.versions.last()
            }
            None => {
                let first = Version { revision: rev, version: 1, value, lease };
                self.generations.push(Generation { created: rev, versions: vec![first], tombstone: None });
                self.generations.last().and_then(|g| g.versions.last())
            }
        };
        v.map_or(0, Version::weight)
    }

    /// Closes the live generation at `rev`. Returns false (and changes nothing) if the key is not alive.
    pub fn tombstone(&mut self, rev: Revision) -> bool {
        match self.generations.last_mut() {
            Some(g) if g.tombstone.is_none() => {
                g.tombstone = Some(rev);
                true
            }
            _ => false,
        }
    }

    /// Drops history that no read or watch at or after `rev` can observe; returns the bytes freed.
    ///
    /// A generation whose tombstone is below `rev` is dropped whole. In the oldest remaining one,
    /// versions older than the newest version at or below `rev` are dropped: that one is what a
    /// read at `rev` returns, and the `prev_kv` of a later delete.
    pub fn compact(&mut self, rev: Revision) -> usize {
        let dead = self.generations.partition_point(|g| g.tombstone.is_some_and(|t| t < rev));
        let mut freed: usize = self.generations.drain(..dead).map(|g| g.weight()).sum();
        if let Some(g) = self.generations.first_mut() {
            let at_or_below = g.versions.partition_point(|v| v.revision <= rev);
            if at_or_below > 1 {
                freed += g.versions.drain(..at_or_below - 1).map(|v| v.weight()).sum::<usize>();
            }
        }
        freed
    }

    /// Every retained version, oldest first; a tombstone appears as a deletion record.
    pub fn history(&self) -> Vec<KeyValue> {
        let mut out = Vec::new();
        for g in &self.generations {
            out.extend(g.versions.iter().map(|v| key_value(&self.key, g, v)));
            if let Some(t) = g.tombstone {
                out.push(deleted_key_value(&self.key, t));
            }
        }
        out
    }
}

/// Builds the public record of one version.
pub(super) fn key_value(key: &Arc<str>, g: &Generation, v: &Version) -> KeyValue {
    KeyValue {
        key: key.clone(),
        value: v.value.clone(),
        create_revision: g.created,
        mod_revision: v.revision,
        version: v.version,
        lease: v.lease,
    }
}

/// What etcd puts in a DELETE event's `kv`: the key and the deleting revision, all else zero.
pub(super) fn deleted_key_value(key: &Arc<str>, rev: Revision) -> KeyValue {
    KeyValue {
        key: key.clone(),
        value: Value::from(&[][..]),
        create_revision: 0,
        mod_revision: rev,
        version: 0,
        lease: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(s: &str) -> Value {
        Value::from(s.as_bytes())
    }

    /// The example from etcd's key_index.go: put(2) put(3) delete(5) put(7).
    fn example() -> KeyIndex {
        let mut ki = KeyIndex::new(Arc::from("a"));
        ki.put(2, val("x"), None);
        ki.put(3, val("y"), None);
        assert!(ki.tombstone(5));
        ki.put(7, val("z"), Some(9));
        ki
    }

    fn rev_at(ki: &KeyIndex, rev: Revision) -> Option<(Revision, Revision, i64)> {
        ki.at(rev).map(|(g, v)| (g.created, v.revision, v.version))
    }

    #[test]
    fn reads_see_the_newest_version_at_or_below_the_revision() {
        let ki = example();
        let table = [
            (1, None),
            (2, Some((2, 2, 1))),
            (3, Some((2, 3, 2))),
            (4, Some((2, 3, 2))),
            (5, None),
            (6, None),
            (7, Some((7, 7, 1))),
            (100, Some((7, 7, 1))),
        ];
        for (rev, want) in table {
            assert_eq!(rev_at(&ki, rev), want, "read at {rev}");
        }
        assert_eq!(ki.live().map(|(_, v)| v.lease), Some(Some(9)));
    }

    #[test]
    fn tombstone_on_a_dead_key_changes_nothing() {
        let mut ki = example();
        assert!(ki.tombstone(8));
        assert!(!ki.tombstone(9), "already dead");
        assert!(ki.live().is_none());
        let empty = KeyIndex::new(Arc::from("b"));
        assert!(empty.live().is_none() && empty.at(10).is_none() && empty.change_at(1).is_none());
    }

    #[test]
    fn change_at_names_each_event_and_its_previous_value() {
        let ki = example();
        let describe = |rev| match ki.change_at(rev) {
            Some(Change::Put { version, prev, .. }) => {
                format!("put v{} prev {:?}", version.version, prev.map(|p| p.revision))
            }
            Some(Change::Delete { prev, .. }) => format!("delete prev {}", prev.revision),
            None => "none".into(),
        };
        assert_eq!(describe(2), "put v1 prev None");
        assert_eq!(describe(3), "put v2 prev Some(2)");
        assert_eq!(describe(4), "none");
        assert_eq!(describe(5), "delete prev 3");
        assert_eq!(describe(7), "put v1 prev None");
    }

    #[test]
    fn compaction_keeps_what_reads_at_or_after_the_revision_need() {
        // (compact at, retained revisions in history() order; a tombstone shows as version 0)
        let table: [(Revision, &[(Revision, i64)]); 5] = [
            (2, &[(2, 1), (3, 2), (5, 0), (7, 1)]),
            (4, &[(3, 2), (5, 0), (7, 1)]),
            (5, &[(3, 2), (5, 0), (7, 1)]),
            (6, &[(7, 1)]),
            (8, &[(7, 1)]),
        ];
        for (rev, want) in table {
            let mut ki = example();
            let before: usize = ki.generations.iter().map(Generation::weight).sum();
            let freed = ki.compact(rev);
            let after: usize = ki.generations.iter().map(Generation::weight).sum();
            assert_eq!(before - after, freed, "byte accounting at {rev}");
            let got: Vec<_> = ki.history().iter().map(|kv| (kv.mod_revision, kv.version)).collect();
            assert_eq!(got, want, "compact({rev})");
            assert_eq!(rev_at(&ki, rev.max(7)), Some((7, 7, 1)));
        }
    }

    #[test]
    fn compacting_past_the_last_tombstone_empties_the_index() {
        let mut ki = example();
        ki.tombstone(8);
        ki.compact(8);
        assert!(!ki.is_empty(), "the delete at 8 must stay visible to a watch from 8");
        ki.compact(9);
        assert!(ki.is_empty());
    }

    #[test]
    fn create_revision_survives_compaction_of_the_creating_put() {
        let mut ki = example();
        ki.put(8, val("w"), None);
        ki.compact(8);
        let (g, v) = ki.live().expect("key is alive");
        assert_eq!((g.created, v.revision, v.version), (7, 8, 2));
        assert!(matches!(ki.change_at(8), Some(Change::Put { prev: None, .. })), "prev was compacted");
    }
}
