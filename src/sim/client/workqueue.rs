//! client-go's rate-limited work queue, on virtual time.
//!
//! - A key is queued at most once (`dirty`), however many events name it.
//! - A key being processed is never handed out again until `done`; if it was added meanwhile it is
//!   queued again then (so a sync always sees the latest cache, and never runs twice at once).
//! - `add_after` parks a key until a time (the delaying queue keeps the earliest time per key).
//! - `add_rate_limited` uses `DefaultControllerRateLimiter`: the max of a per-item exponential backoff
//!   (5 ms doubling up to 1000 s) and an overall token bucket (10 qps, burst 100). `forget` resets the
//!   item's backoff after a successful sync.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::ObjectKey;
use crate::sim::time::Millis;

/// Per-item backoff base and cap (`ItemExponentialFailureRateLimiter(5ms, 1000s)`).
pub const BACKOFF_BASE_MS: Millis = 5;
pub const BACKOFF_MAX_MS: Millis = 1_000_000;
/// Overall bucket: 10 tokens a second, burst 100, counted in thousandths of a token.
const BUCKET_RATE_PER_MS: i64 = 10;
const BUCKET_BURST: i64 = 100_000;
const TOKEN: i64 = 1000;

/// `rate.Limiter` as `BucketRateLimiter` uses it: a reservation always succeeds but may have to wait.
#[derive(Debug, Clone)]
struct Bucket {
    tokens: i64,
    at: Millis,
}

impl Bucket {
    fn reserve(&mut self, now: Millis) -> Millis {
        if now > self.at {
            self.tokens = (self.tokens + (now - self.at) as i64 * BUCKET_RATE_PER_MS).min(BUCKET_BURST);
            self.at = now;
        }
        self.tokens -= TOKEN;
        if self.tokens >= 0 {
            0
        } else {
            ((-self.tokens) + BUCKET_RATE_PER_MS - 1) as Millis / BUCKET_RATE_PER_MS as Millis
        }
    }
}

#[derive(Debug, Clone)]
pub struct WorkQueue {
    queue: VecDeque<ObjectKey>,
    dirty: BTreeSet<ObjectKey>,
    processing: BTreeSet<ObjectKey>,
    /// Parked keys by (ready time, arrival) and the ready time of each parked key.
    waiting: BTreeMap<(Millis, u64), ObjectKey>,
    waiting_at: BTreeMap<ObjectKey, (Millis, u64)>,
    failures: BTreeMap<ObjectKey, u32>,
    bucket: Bucket,
    seq: u64,
}

impl Default for WorkQueue {
    fn default() -> Self {
        Self {
            queue: VecDeque::new(),
            dirty: BTreeSet::new(),
            processing: BTreeSet::new(),
            waiting: BTreeMap::new(),
            waiting_at: BTreeMap::new(),
            failures: BTreeMap::new(),
            bucket: Bucket { tokens: BUCKET_BURST, at: 0 },
            seq: 0,
        }
    }
}

impl WorkQueue {
    /// Marks a key dirty now.
    pub fn add(&mut self, key: ObjectKey) {
        if !self.dirty.insert(key.clone()) {
            return;
        }
        if self.processing.contains(&key) {
            return;
        }
        self.queue.push_back(key);
    }

    /// Adds the key once `delay` has passed (at once for 0); an earlier pending time wins.
    pub fn add_after(&mut self, key: ObjectKey, delay: Millis, now: Millis) {
        if delay == 0 {
            return self.add(key);
        }
        let at = now + delay;
        if let Some(&(t, s)) = self.waiting_at.get(&key) {
            if t <= at {
                return;
            }
            self.waiting.remove(&(t, s));
        }
        self.seq += 1;
        self.waiting.insert((at, self.seq), key.clone());
        self.waiting_at.insert(key, (at, self.seq));
    }

    /// The delay the default controller rate limiter gives this key now (and counts the failure).
    pub fn when(&mut self, key: &ObjectKey, now: Millis) -> Millis {
        let n = self.failures.entry(key.clone()).or_insert(0);
        let exp = *n;
        *n = n.saturating_add(1);
        let backoff = if exp >= 28 { BACKOFF_MAX_MS } else { (BACKOFF_BASE_MS << exp).min(BACKOFF_MAX_MS) };
        backoff.max(self.bucket.reserve(now))
    }

    /// Requeues a key after the rate limiter's delay (a failed sync).
    pub fn add_rate_limited(&mut self, key: ObjectKey, now: Millis) {
        let d = self.when(&key, now);
        self.add_after(key, d, now);
    }

    /// Stops tracking the key's failures (a successful sync).
    pub fn forget(&mut self, key: &ObjectKey) {
        self.failures.remove(key);
    }

    pub fn num_requeues(&self, key: &ObjectKey) -> u32 {
        self.failures.get(key).copied().unwrap_or(0)
    }

    /// Moves parked keys whose time has come into the queue.
    fn promote(&mut self, now: Millis) {
        while let Some((&(t, s), _)) = self.waiting.first_key_value() {
            if t > now {
                break;
            }
            let key = self.waiting.remove(&(t, s)).expect("first key was just seen");
            self.waiting_at.remove(&key);
            self.add(key);
        }
    }

    /// The next key to work on, now marked as processing.
    pub fn get(&mut self, now: Millis) -> Option<ObjectKey> {
        self.promote(now);
        let key = self.queue.pop_front()?;
        self.dirty.remove(&key);
        self.processing.insert(key.clone());
        Some(key)
    }

    /// Whether a key could be handed out at `now`.
    pub fn has_ready(&self, now: Millis) -> bool {
        !self.queue.is_empty() || self.waiting.first_key_value().is_some_and(|(&(t, _), _)| t <= now)
    }

    /// The key's sync finished; if it was added meanwhile it is queued again.
    pub fn done(&mut self, key: &ObjectKey) {
        self.processing.remove(key);
        if self.dirty.contains(key) {
            self.queue.push_back(key.clone());
        }
    }

    /// When the earliest parked key becomes ready.
    pub fn next_ready(&self) -> Option<Millis> {
        self.waiting.first_key_value().map(|(&(t, _), _)| t)
    }

    /// Keys queued (not parked, not processing).
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.waiting.is_empty()
    }

    pub fn is_processing(&self, key: &ObjectKey) -> bool {
        self.processing.contains(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: &str) -> ObjectKey {
        ("default".into(), n.into())
    }

    #[test]
    fn dedups_and_never_hands_out_a_key_in_processing() {
        let mut q = WorkQueue::default();
        q.add(k("a"));
        q.add(k("a"));
        q.add(k("b"));
        assert_eq!(q.len(), 2, "a queued once");
        assert_eq!(q.get(0), Some(k("a")));
        q.add(k("a")); // an event while a is being synced
        assert_eq!(q.get(0), Some(k("b")));
        assert_eq!(q.get(0), None, "a is processing: not handed out again");
        q.done(&k("a"));
        assert_eq!(q.get(0), Some(k("a")), "re-queued after done because it was dirtied");
        q.done(&k("a"));
        assert_eq!(q.get(0), None);
    }

    #[test]
    fn add_after_keeps_the_earliest_time() {
        let mut q = WorkQueue::default();
        q.add_after(k("a"), 100, 0);
        q.add_after(k("a"), 50, 0);
        q.add_after(k("a"), 500, 0);
        assert_eq!(q.next_ready(), Some(50));
        assert!(!q.has_ready(49));
        assert_eq!(q.get(49), None);
        assert_eq!(q.get(50), Some(k("a")));
        q.done(&k("a"));
        assert_eq!(q.get(1000), None, "parked only once");
    }

    #[test]
    fn per_item_backoff_doubles_from_5ms_to_1000s_and_forget_resets() {
        let mut q = WorkQueue::default();
        let delays: Vec<Millis> = (0..5).map(|_| q.when(&k("a"), 0)).collect();
        assert_eq!(delays, vec![5, 10, 20, 40, 80]);
        assert_eq!(q.num_requeues(&k("a")), 5);
        for _ in 0..40 {
            q.when(&k("a"), 1_000_000_000);
        }
        assert_eq!(q.when(&k("a"), 2_000_000_000), BACKOFF_MAX_MS);
        q.forget(&k("a"));
        assert_eq!(q.when(&k("a"), 3_000_000_000), 5);
    }

    #[test]
    fn overall_bucket_limits_bursts_to_10_qps_after_100() {
        let mut q = WorkQueue::default();
        // 100 distinct keys fail at once: the burst absorbs them (5 ms each from their own backoff).
        for i in 0..100 {
            assert_eq!(q.when(&k(&format!("p{i}")), 0), 5);
        }
        // The 101st waits for a token: 100 ms at 10 qps.
        assert_eq!(q.when(&k("late"), 0), 100);
        assert_eq!(q.when(&k("later"), 0), 200);
        // Tokens come back with time.
        assert_eq!(q.when(&k("much-later"), 10_000), 5);
    }
}
