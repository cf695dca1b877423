//! The watch cache's recent changes, so a watch can resume from a resourceVersion instead of
//! re-listing, and the `410 Gone` that answers a resourceVersion older than what is kept.
//!
//! Upstream's cacher keeps a ring of recent events per resource (`watchCache`, sized to hold the last
//! ~75 s of changes); a watch from an older resourceVersion gets `too old resource version: X (Y)`,
//! and the client re-lists. A freshly started apiserver keeps nothing older than its initial list, so
//! after a restart every client whose watch broke re-lists or resumes exactly at the current state.

use std::collections::VecDeque;

use super::cache::CacheChange;
use super::status::{Reason, Status};

/// How many changes are kept (all resources together; upstream keeps 100 and more per resource,
/// sized to ~75 s of changes). A resume follows a watch timeout at once, so little depth is needed;
/// each kept change holds two object versions alive, so depth costs memory (10,000 kept cost
/// 70 MiB at 3,000 pods).
pub const HISTORY_CAPACITY: usize = 1_000;

/// The kept changes, oldest first, each with its revision.
#[derive(Default)]
pub struct History {
    changes: VecDeque<(i64, CacheChange)>,
    /// Every change after this revision is kept.
    complete_after: i64,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "History {{ {} changes after {} }}", self.changes.len(), self.complete_after)
    }
}

impl History {
    pub fn push(&mut self, revision: i64, change: CacheChange) {
        if self.changes.len() == HISTORY_CAPACITY
            && let Some((oldest, _)) = self.changes.pop_front()
        {
            self.complete_after = oldest;
        }
        self.changes.push_back((revision, change));
    }

    /// Forgets every change: the apiserver restarted and its cache starts at `revision`.
    pub fn reset(&mut self, revision: i64) {
        self.changes.clear();
        self.complete_after = revision;
    }

    /// The changes after `revision`, or `410 Gone` when some of them are no longer kept.
    pub fn since(&self, revision: i64) -> Result<impl Iterator<Item = &CacheChange>, Status> {
        if revision < self.complete_after {
            return Err(too_old(revision, self.complete_after + 1));
        }
        let start = self.changes.partition_point(|(r, _)| *r <= revision);
        Ok(self.changes.range(start..).map(|(_, c)| c))
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Upstream's `errors.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", ...))`.
pub fn too_old(requested: i64, oldest: i64) -> Status {
    Status::new(410, Reason::Expired, format!("too old resource version: {requested} ({oldest})"))
}

#[cfg(test)]
mod tests;
