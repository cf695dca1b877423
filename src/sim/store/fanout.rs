//! Watch fan-out: which watchers a write reaches, and the events queued for them until drained.
//!
//! Writes must stay cheap with a thousand watchers on one prefix, so watchers on the same key
//! (or the same prefix) form one *group* with one shared queue: a write pushes its event once per
//! matching group, and each member copies what it is owed only when drained. Groups are indexed
//! by exact key and by prefix; a write to key `k` looks up `k`, then each *distinct prefix length*
//! in use (usually one or two, such as `/registry/pods/`) as `k[..len]`: O(lengths · log G) per
//! write, never a scan over all watchers.
//!
//! ```text
//!  group "/registry/pods/" (prefix)   pending: [PUT p1 @7] [PUT p2 @8] [DELETE p1 @9]
//!     watcher 3: joined at 0, start 1  -> all three (the group's list itself, shared)
//!     watcher 8: joined at 1, start 5  -> its replay (history 5..=7), then PUT p2 @8, DELETE p1 @9
//!     watcher 9: joined at 1, start 9  -> DELETE p1 @9 (it asked to start in the future)
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Revision, WatchEvent, WatchId};

/// One watcher's own state inside its group.
#[derive(Clone, Debug)]
struct Member {
    /// Changes below this revision are not for this watcher (it asked to start later).
    start: Revision,
    /// Where this watcher's share of the group queue begins: events queued before it joined
    /// were covered by its replay.
    joined_at: usize,
    /// History replayed when the watch was created, delivered before the group's events.
    replay: Vec<WatchEvent>,
}

/// All watchers of one key or one prefix, and the events queued for them since the last drain.
#[derive(Clone, Debug, Default)]
struct Group {
    members: BTreeMap<WatchId, Box<Member>>,
    pending: Vec<WatchEvent>,
    /// Members whose replay is still undelivered, so draining can skip idle groups.
    replays: usize,
}

/// All watch groups, their indexes, and which group each watch belongs to.
#[derive(Clone, Debug, Default)]
pub(super) struct WatchHub {
    last_id: WatchId,
    exact: BTreeMap<String, Box<Group>>,
    prefixes: BTreeMap<String, Box<Group>>,
    /// Prefix length -> how many prefix groups have it.
    prefix_lens: BTreeMap<usize, usize>,
    /// Watch -> (its key, whether it is a prefix watch), to find its group.
    by_id: BTreeMap<WatchId, (String, bool)>,
}

impl WatchHub {
    /// Opens a watch; `replay` is the history owed from before now (already filtered by `start`).
    pub fn add(&mut self, key: &str, prefix: bool, start: Revision, replay: Vec<WatchEvent>) -> WatchId {
        self.last_id += 1;
        let id = self.last_id;
        let index = if prefix { &mut self.prefixes } else { &mut self.exact };
        let group = index.entry(key.to_string()).or_insert_with(|| {
            if prefix {
                *self.prefix_lens.entry(key.len()).or_default() += 1;
            }
            Box::<Group>::default()
        });
        group.replays += usize::from(!replay.is_empty());
        group.members.insert(id, Box::new(Member { start, joined_at: group.pending.len(), replay }));
        self.by_id.insert(id, (key.to_string(), prefix));
        id
    }

    /// Closes a watch, dropping its group once empty; false if it was not open.
    pub fn remove(&mut self, id: WatchId) -> bool {
        let Some((key, prefix)) = self.by_id.remove(&id) else { return false };
        let index = if prefix { &mut self.prefixes } else { &mut self.exact };
        let Some(group) = index.get_mut(&key) else { return true };
        group.members.remove(&id);
        if group.members.is_empty() {
            index.remove(&key);
            if prefix && let Some(n) = self.prefix_lens.get_mut(&key.len()) {
                *n -= 1;
                if *n == 0 {
                    self.prefix_lens.remove(&key.len());
                }
            }
        }
        true
    }

    /// How many watches are open.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// The prefix lengths whose group matches `key`, shortest first.
    fn matching_prefix_lens(&self, key: &str) -> impl Iterator<Item = usize> {
        self.prefix_lens
            .keys()
            .copied()
            .take_while(move |&len| len <= key.len())
            .filter(move |&len| key.get(..len).is_some_and(|p| self.prefixes.contains_key(p)))
    }

    /// Queues the event of a change to `key` for every matching group; `make` builds the event
    /// only if someone is listening.
    pub fn notify(&mut self, key: &str, make: impl FnOnce() -> WatchEvent) {
        let exact = self.exact.contains_key(key);
        let mut lens = self.matching_prefix_lens(key).peekable();
        if !exact && lens.peek().is_none() {
            return;
        }
        // At most a few lengths match; collecting them ends the borrow of the indexes.
        let lens: Vec<usize> = lens.collect();
        let event = make();
        for len in lens {
            if let Some(group) = key.get(..len).and_then(|p| self.prefixes.get_mut(p)) {
                group.pending.push(event.clone());
            }
        }
        if let Some(group) = self.exact.get_mut(key) {
            group.pending.push(event);
        }
    }

    /// Hands each watcher what it is owed since the last drain, in WatchId order.
    pub fn drain(&mut self) -> Vec<(WatchId, Arc<[WatchEvent]>)> {
        let mut out = Vec::new();
        let groups = self.exact.values_mut().chain(self.prefixes.values_mut());
        for group in groups.filter(|g| !g.pending.is_empty() || g.replays > 0) {
            let shared: Arc<[WatchEvent]> = Arc::from(std::mem::take(&mut group.pending));
            for (&id, member) in &mut group.members {
                let owed = shared.get(member.joined_at..).unwrap_or_default();
                // Events are in revision order, so skipping those before `start` is one search.
                let skip = owed.partition_point(|e| e.kv.mod_revision < member.start);
                if member.replay.is_empty() && member.joined_at == 0 && skip == 0 {
                    // The common case: this member is owed the whole queue, which it shares.
                    if !shared.is_empty() {
                        out.push((id, shared.clone()));
                    }
                } else {
                    let mut events = std::mem::take(&mut member.replay);
                    events.extend_from_slice(&owed[skip..]);
                    if !events.is_empty() {
                        out.push((id, Arc::from(events)));
                    }
                }
                member.joined_at = 0;
            }
            group.replays = 0;
        }
        out.sort_unstable_by_key(|(id, _)| *id);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_the_last_member_cleans_up_the_indexes() {
        let mut hub = WatchHub::default();
        let a = hub.add("/p/", true, 1, vec![]);
        let b = hub.add("/q/", true, 1, vec![]); // same length as /p/
        let c = hub.add("/p/x", false, 1, vec![]);
        assert!(hub.remove(a));
        assert!(!hub.remove(a), "already removed");
        assert_eq!(hub.prefix_lens.get(&3), Some(&1), "/q/ still uses length 3");
        assert!(hub.remove(b) && hub.remove(c));
        assert!(hub.prefix_lens.is_empty() && hub.prefixes.is_empty() && hub.exact.is_empty());
        assert_eq!(hub.len(), 0);
    }

    #[test]
    fn notify_builds_the_event_only_for_listened_keys() {
        let mut hub = WatchHub::default();
        hub.add("/p/", true, 1, vec![]);
        hub.add("/pods/a", false, 1, vec![]);
        hub.add("/x", true, 1, vec![]);
        // (key written, whether anyone listens); "/é" must not be cut inside its 2-byte 'é'.
        let table =
            [("/p/x", true), ("/p", false), ("/pods/a", true), ("/pods/b", false), ("/é", false), ("/x/é", true)];
        for (key, want) in table {
            let mut built = false;
            hub.notify(key, || {
                built = true;
                WatchEvent {
                    kind: super::super::EventKind::Put,
                    kv: super::super::mvcc::deleted_key_value(&Arc::from(key), 2),
                    prev_kv: None,
                }
            });
            assert_eq!(built, want, "{key}");
        }
    }
}
