//! The scheduling queue (upstream `internal/queue/scheduling_queue.go`): three places a pending pod can
//! wait, and the rules that move it between them.
//!
//! ```text
//!            add ──► activeQ (priority desc, then oldest) ──pop──► in flight (a cycle runs)
//!                       ▲   ▲                                         │ fails
//!      backoff expired  │   │ cluster event / 5 min in pool,          ▼
//!   backoffQ ───────────┘   └──── not backing off ──── unschedulablePods
//!       ▲                                                  │ event, still backing off
//!       └──────────────────────────────────────────────────┘
//! ```
//! Backoff is 1 s after the first attempt and doubles per attempt up to 10 s. Gated pods
//! (`spec.schedulingGates`) wait in the unschedulable pool until their gates are removed.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use super::podinfo::PodKey;
use crate::sim::time::Millis;

/// `DefaultPodInitialBackoffDuration`.
pub const INITIAL_BACKOFF_MS: Millis = 1_000;
/// `DefaultPodMaxBackoffDuration`.
pub const MAX_BACKOFF_MS: Millis = 10_000;
/// `DefaultPodMaxInUnschedulablePodsDuration`: after this, a pod is retried without any event.
pub const MAX_IN_UNSCHEDULABLE_MS: Millis = 5 * 60_000;
/// How often the unschedulable pool is checked for such pods (`flushUnschedulablePodsLeftover`).
pub const UNSCHEDULABLE_FLUSH_PERIOD_MS: Millis = 30_000;

/// Where a queued pod is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Active,
    Backoff,
    Unschedulable,
    /// Waiting for `spec.schedulingGates` to empty (kept in the unschedulable pool upstream).
    Gated,
    /// Popped: a scheduling cycle or its binding is running.
    InFlight,
}

/// A pod in the queue (`QueuedPodInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedPod {
    pub priority: i32,
    /// When it was added or last failed: orders activeQ ties and starts the backoff.
    pub timestamp: Millis,
    /// Scheduling attempts so far.
    pub attempts: u32,
    pub initial_attempt: Option<Millis>,
    /// Plugins that rejected it last time: only events they care about move it.
    pub unschedulable_plugins: Vec<&'static str>,
    pub location: Location,
    seq: u64,
}

/// `calculateBackoffDuration`: 1 s, 2 s, 4 s, 8 s, then 10 s.
pub fn backoff_duration(attempts: u32) -> Millis {
    let mut d = INITIAL_BACKOFF_MS;
    for _ in 1..attempts {
        if d > MAX_BACKOFF_MS - d {
            return MAX_BACKOFF_MS;
        }
        d += d;
    }
    d
}

/// The queue.
#[derive(Debug, Default, Clone)]
pub struct SchedulingQueue {
    pods: BTreeMap<PodKey, Box<QueuedPod>>,
    active: BTreeSet<(Reverse<i32>, Millis, u64, PodKey)>,
    backoff: BTreeSet<(Millis, u64, PodKey)>,
    unschedulable: BTreeSet<PodKey>,
    seq: u64,
}

impl SchedulingQueue {
    /// A queued pod's bookkeeping (attempts, location).
    pub fn get(&self, key: &PodKey) -> Option<&QueuedPod> {
        self.pods.get(key).map(|p| &**p)
    }

    /// `(activeQ, backoffQ, unschedulable pool incl. gated)` lengths, as the pending_pods metric.
    pub fn lengths(&self) -> (usize, usize, usize) {
        (self.active.len(), self.backoff.len(), self.unschedulable.len())
    }

    /// Empties the queue (restart).
    pub fn clear(&mut self) {
        *self = SchedulingQueue::default();
    }

    /// A new pending pod (or one seen again): into activeQ, or the pool while gated.
    pub fn add(&mut self, key: PodKey, priority: i32, gated: bool, now: Millis) {
        if self.pods.contains_key(&key) {
            return self.update(key, priority, gated, true, now);
        }
        self.seq += 1;
        let p = QueuedPod {
            priority,
            timestamp: now,
            attempts: 0,
            initial_attempt: None,
            unschedulable_plugins: Vec::new(),
            location: Location::InFlight,
            seq: self.seq,
        };
        self.pods.insert(key.clone(), Box::new(p));
        self.place(key, if gated { Location::Gated } else { Location::Active }, now);
    }

    /// The pod object changed. `changed` says whether scheduling-relevant fields did (a status-only
    /// update does not move a pod out of the unschedulable pool).
    pub fn update(&mut self, key: PodKey, priority: i32, gated: bool, changed: bool, now: Millis) {
        let Some(p) = self.pods.get(&key) else { return self.add(key, priority, gated, now) };
        let location = p.location;
        if p.priority != priority && matches!(location, Location::Active) {
            self.unplace(&key);
            self.pods.get_mut(&key).expect("present").priority = priority;
            return self.place(key, Location::Active, now);
        }
        self.pods.get_mut(&key).expect("present").priority = priority;
        match location {
            Location::Gated if !gated => {
                self.unplace(&key);
                self.place(key, Location::Active, now);
            }
            Location::Unschedulable if changed => {
                self.unplace(&key);
                let to = self.after_wait(&key, now);
                self.place(key, to, now);
            }
            _ => {}
        }
    }

    /// The pod is gone (deleted, or bound by someone else).
    pub fn delete(&mut self, key: &PodKey) {
        self.unplace(key);
        self.pods.remove(key);
    }

    /// The next pod to schedule: highest priority, then the one waiting longest.
    pub fn pop(&mut self, now: Millis) -> Option<PodKey> {
        let first = self.active.pop_first()?;
        let key = first.3;
        let p = self.pods.get_mut(&key).expect("activeQ entries are in the pod map");
        p.location = Location::InFlight;
        p.attempts += 1;
        p.initial_attempt.get_or_insert(now);
        Some(key)
    }

    /// The cycle found no node (`AddUnschedulableIfNotPresent`): wait for an event in the pool.
    pub fn fail_unschedulable(&mut self, key: &PodKey, plugins: Vec<&'static str>, now: Millis) {
        let Some(p) = self.pods.get_mut(key) else { return };
        if p.location != Location::InFlight {
            return;
        }
        p.timestamp = now;
        p.unschedulable_plugins = plugins;
        self.place(key.clone(), Location::Unschedulable, now);
    }

    /// The cycle or the binding hit an error: retry after the backoff.
    pub fn fail_with_error(&mut self, key: &PodKey, now: Millis) {
        let Some(p) = self.pods.get_mut(key) else { return };
        if p.location != Location::InFlight {
            return;
        }
        p.timestamp = now;
        p.unschedulable_plugins.clear();
        self.place(key.clone(), Location::Backoff, now);
    }

    /// The pod was bound: it leaves the queue.
    pub fn done(&mut self, key: &PodKey) {
        self.delete(key);
    }

    /// `MoveAllToActiveOrBackoffQueue`: pods in the pool that `wants` says the event may help go to
    /// backoffQ if still backing off, else to activeQ. Returns how many moved.
    pub fn move_all(&mut self, now: Millis, wants: impl Fn(&QueuedPod) -> bool) -> usize {
        let keys: Vec<PodKey> = self
            .unschedulable
            .iter()
            .filter(|k| self.pods.get(*k).is_some_and(|p| p.location == Location::Unschedulable && wants(p)))
            .cloned()
            .collect();
        for key in &keys {
            self.unplace(key);
            let to = self.after_wait(key, now);
            self.place(key.clone(), to, now);
        }
        keys.len()
    }

    /// `flushBackoffQCompleted`: pods whose backoff is over go to activeQ.
    pub fn flush_backoff(&mut self, now: Millis) -> usize {
        let mut moved = 0;
        while let Some(first) = self.backoff.first().filter(|(expiry, _, _)| *expiry <= now).cloned() {
            self.backoff.remove(&first);
            let key = first.2;
            self.pods.get_mut(&key).expect("backoffQ entries are in the pod map").location = Location::InFlight;
            self.place(key, Location::Active, now);
            moved += 1;
        }
        moved
    }

    /// `flushUnschedulablePodsLeftover`: pods stuck in the pool for 5 minutes are retried anyway.
    pub fn flush_unschedulable_leftover(&mut self, now: Millis) -> usize {
        self.move_all(now, |p| now.saturating_sub(p.timestamp) > MAX_IN_UNSCHEDULABLE_MS)
    }

    /// When the earliest backoff ends.
    pub fn next_backoff_expiry(&self) -> Option<Millis> {
        self.backoff.first().map(|(t, _, _)| *t)
    }

    fn expiry(p: &QueuedPod) -> Millis {
        p.timestamp + backoff_duration(p.attempts)
    }

    /// Where a pod leaving the pool goes: backoffQ while its backoff runs, else activeQ.
    fn after_wait(&self, key: &PodKey, now: Millis) -> Location {
        match self.pods.get(key) {
            Some(p) if p.attempts > 0 && Self::expiry(p) > now => Location::Backoff,
            _ => Location::Active,
        }
    }

    fn place(&mut self, key: PodKey, to: Location, _now: Millis) {
        let Some(p) = self.pods.get_mut(&key) else { return };
        p.location = to;
        match to {
            Location::Active => {
                self.active.insert((Reverse(p.priority), p.timestamp, p.seq, key));
            }
            Location::Backoff => {
                self.backoff.insert((Self::expiry(p), p.seq, key));
            }
            Location::Unschedulable | Location::Gated => {
                self.unschedulable.insert(key);
            }
            Location::InFlight => {}
        }
    }

    fn unplace(&mut self, key: &PodKey) {
        let Some(p) = self.pods.get_mut(key) else { return };
        match p.location {
            Location::Active => {
                self.active.remove(&(Reverse(p.priority), p.timestamp, p.seq, key.clone()));
            }
            Location::Backoff => {
                self.backoff.remove(&(Self::expiry(p), p.seq, key.clone()));
            }
            Location::Unschedulable | Location::Gated => {
                self.unschedulable.remove(key);
            }
            Location::InFlight => {}
        }
        p.location = Location::InFlight;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> PodKey {
        ("default".into(), name.into())
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let got: Vec<Millis> = (1..=7).map(backoff_duration).collect();
        assert_eq!(got, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
    }

    #[test]
    fn pops_by_priority_then_age() {
        let mut q = SchedulingQueue::default();
        q.add(key("old-low"), 0, false, 1);
        q.add(key("new-high"), 100, false, 5);
        q.add(key("new-low"), 0, false, 3);
        q.add(key("gated"), 1000, true, 0);
        assert_eq!(q.lengths(), (3, 0, 1));
        let order: Vec<String> = std::iter::from_fn(|| q.pop(10)).map(|k| k.1).collect();
        assert_eq!(order, ["new-high", "old-low", "new-low"]);
        q.update(key("gated"), 1000, false, true, 20);
        assert_eq!(q.pop(20).map(|k| k.1).as_deref(), Some("gated"));
    }

    #[test]
    fn failed_pods_wait_for_events_then_back_off() {
        let mut q = SchedulingQueue::default();
        q.add(key("p"), 0, false, 0);
        let p = q.pop(0).expect("queued");
        q.fail_unschedulable(&p, vec!["NodeResourcesFit"], 100);
        assert_eq!(q.lengths(), (0, 0, 1));
        // A status-only update does not move it; an event the plugin does not care about neither.
        q.update(key("p"), 0, false, false, 200);
        assert_eq!(q.move_all(300, |p| p.unschedulable_plugins.contains(&"NodeAffinity")), 0);
        assert_eq!(q.lengths(), (0, 0, 1));
        // An event 300 ms after the failure: still inside the 1 s backoff -> backoffQ.
        assert_eq!(q.move_all(400, |_| true), 1);
        assert_eq!(q.lengths(), (0, 1, 0));
        assert_eq!(q.next_backoff_expiry(), Some(1_100));
        assert_eq!(q.flush_backoff(1_099), 0);
        assert_eq!(q.flush_backoff(1_100), 1);
        assert_eq!(q.pop(1_100), Some(key("p")));
        assert_eq!(q.get(&key("p")).map(|p| p.attempts), Some(2));
        // The second failure backs off 2 s; an event after that goes straight to activeQ.
        q.fail_unschedulable(&key("p"), vec![], 2_000);
        assert_eq!(q.move_all(4_000, |_| true), 1);
        assert_eq!(q.lengths(), (1, 0, 0));
    }

    #[test]
    fn pool_is_flushed_after_five_minutes_and_errors_back_off() {
        let mut q = SchedulingQueue::default();
        q.add(key("p"), 0, false, 0);
        q.pop(0);
        q.fail_unschedulable(&key("p"), vec!["NodeAffinity"], 0);
        assert_eq!(q.flush_unschedulable_leftover(MAX_IN_UNSCHEDULABLE_MS), 0);
        assert_eq!(q.flush_unschedulable_leftover(MAX_IN_UNSCHEDULABLE_MS + 1), 1);
        assert_eq!(q.lengths(), (1, 0, 0));
        q.pop(MAX_IN_UNSCHEDULABLE_MS + 1);
        q.fail_with_error(&key("p"), 400_000);
        assert_eq!(q.next_backoff_expiry(), Some(400_000 + 2_000));
        q.done(&key("p"));
        assert_eq!(q.lengths(), (0, 0, 0));
        assert!(q.get(&key("p")).is_none());
        // Failing a pod that is not in flight (deleted meanwhile) does nothing.
        q.fail_unschedulable(&key("gone"), vec![], 1);
        assert_eq!(q.lengths(), (0, 0, 0));
    }

    #[test]
    fn priority_updates_reorder_active_pods() {
        let mut q = SchedulingQueue::default();
        q.add(key("a"), 0, false, 0);
        q.add(key("b"), 0, false, 1);
        q.update(key("b"), 10, false, true, 2);
        assert_eq!(q.pop(3), Some(key("b")));
        q.delete(&key("a"));
        assert_eq!(q.pop(3), None);
    }
}
