//! The kubelet's exponential back-off (client-go `flowcontrol.Backoff`): 10 s doubling to 5 min.
//!
//! Two users, two questions, as upstream:
//! - image pulls ask `in_backoff_since_update(key, now)`: is it too soon after the last failure?
//! - crash loops ask `in_backoff_since(key, finished_at)`: is it too soon after the container exited?
//!
//! An entry that has not been touched for twice the maximum (10 min) starts again from the initial
//! delay: a container that ran 10 minutes before crashing restarts at once, with a fresh 10 s step.

use std::collections::BTreeMap;

use crate::sim::time::Millis;

/// The kubelet's initial back-off (`backOffPeriod`).
pub const INITIAL_BACKOFF_MS: Millis = 10_000;
/// The kubelet's cap (`MaxContainerBackOff`, also used for image pulls).
pub const MAX_BACKOFF_MS: Millis = 300_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    backoff: Millis,
    last_update: Millis,
}

/// Per-key back-off state; keys are `podUID_image` for pulls and `pod_container` for restarts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    initial: Millis,
    max: Millis,
    entries: BTreeMap<String, Box<Entry>>,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(INITIAL_BACKOFF_MS, MAX_BACKOFF_MS)
    }
}

impl Backoff {
    /// A back-off with its own bounds (the kubelet uses the default: 10 s to 5 min).
    pub fn new(initial: Millis, max: Millis) -> Self {
        Self { initial, max, entries: BTreeMap::new() }
    }

    fn expired(&self, e: &Entry, at: Millis) -> bool {
        at.saturating_sub(e.last_update) > self.max * 2
    }

    /// Records one more failure at `at`: the delay doubles (or starts at the initial value).
    pub fn next(&mut self, key: &str, at: Millis) {
        let fresh = Entry { backoff: self.initial, last_update: at };
        let next = match self.entries.get(key) {
            Some(e) if !self.expired(e, at) => Entry { backoff: (e.backoff * 2).min(self.max), last_update: at },
            _ => fresh,
        };
        self.entries.insert(key.to_string(), Box::new(next));
    }

    /// The current delay of `key` (0 when it has none).
    pub fn get(&self, key: &str) -> Millis {
        self.entries.get(key).map_or(0, |e| e.backoff)
    }

    /// Image pulls: true while `now` is within the delay after the last recorded failure.
    pub fn in_backoff_since_update(&self, key: &str, now: Millis) -> bool {
        match self.entries.get(key) {
            Some(e) if !self.expired(e, now) => now.saturating_sub(e.last_update) < e.backoff,
            _ => false,
        }
    }

    /// When the back-off since the last update ends (for waking up exactly then).
    pub fn update_backoff_ends(&self, key: &str) -> Option<Millis> {
        self.entries.get(key).map(|e| e.last_update + e.backoff)
    }

    /// Crash loops: true while `now` is within the delay after `event_time` (the container's exit).
    pub fn in_backoff_since(&self, key: &str, event_time: Millis, now: Millis) -> bool {
        match self.entries.get(key) {
            Some(e) if !self.expired(e, event_time) => now.saturating_sub(event_time) < e.backoff,
            _ => false,
        }
    }

    /// Forgets `key` (its pod is gone).
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }

    /// Forgets every key starting with `prefix` (all the keys of one pod).
    pub fn remove_prefix(&mut self, prefix: &str) {
        self.entries.retain(|k, _| !k.starts_with(prefix));
    }
}

/// Formats a duration the way Go's `time.Duration.String()` does: `800ms`, `2.5s`, `1m0s`, `5m0s`.
pub fn go_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let h = ms / 3_600_000;
    let m = ms / 60_000 % 60;
    let s = ms / 1000 % 60;
    let frac = ms % 1000;
    let mut secs = s.to_string();
    if frac != 0 {
        let f = format!("{frac:03}");
        secs.push('.');
        secs.push_str(f.trim_end_matches('0'));
    }
    match (h, m) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m{secs}s"),
        (h, m) => format!("{h}h{m}m{secs}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_loop_delays_double_to_five_minutes() {
        // Each exit happens right when the previous delay ended: 10, 20, 40, 80, 160, 300, 300.
        let mut b = Backoff::default();
        let mut t = 0;
        let mut seen = Vec::new();
        for _ in 0..7 {
            b.next("p_c", t);
            seen.push(b.get("p_c") / 1000);
            t += b.get("p_c");
        }
        assert_eq!(seen, vec![10, 20, 40, 80, 160, 300, 300]);
    }

    #[test]
    fn crash_loop_waits_only_after_an_earlier_failure() {
        let mut b = Backoff::default();
        // First exit: no entry, so no wait (the kubelet restarts at once and records the failure).
        assert!(!b.in_backoff_since("k", 1000, 1000));
        b.next("k", 1000);
        // Second exit at 3 s: wait until 13 s.
        assert!(b.in_backoff_since("k", 3000, 12_999));
        assert!(!b.in_backoff_since("k", 3000, 13_000));
    }

    #[test]
    fn entry_resets_after_ten_quiet_minutes() {
        let mut b = Backoff::default();
        for t in [0, 10_000, 30_000, 70_000] {
            b.next("k", t);
        }
        assert_eq!(b.get("k"), 80_000);
        // The container then ran for more than 10 minutes: the next failure starts from 10 s.
        let later = 70_000 + 600_001;
        assert!(!b.in_backoff_since("k", later, later));
        b.next("k", later);
        assert_eq!(b.get("k"), 10_000);
    }

    #[test]
    fn image_pull_backoff_since_update() {
        let mut b = Backoff::default();
        assert!(!b.in_backoff_since_update("uid_nginx:bad", 0));
        b.next("uid_nginx:bad", 0);
        assert!(b.in_backoff_since_update("uid_nginx:bad", 9_999));
        assert!(!b.in_backoff_since_update("uid_nginx:bad", 10_000));
        assert_eq!(b.update_backoff_ends("uid_nginx:bad"), Some(10_000));
        b.next("uid_nginx:bad", 10_000);
        assert_eq!(b.update_backoff_ends("uid_nginx:bad"), Some(30_000));
        b.remove_prefix("uid_");
        assert_eq!(b.get("uid_nginx:bad"), 0);
    }

    #[test]
    fn go_durations() {
        for (ms, want) in [
            (0, "0s"),
            (313, "313ms"),
            (1000, "1s"),
            (2500, "2.5s"),
            (1594, "1.594s"),
            (60_000, "1m0s"),
            (300_000, "5m0s"),
            (90_500, "1m30.5s"),
            (3_723_000, "1h2m3s"),
        ] {
            assert_eq!(go_duration(ms), want, "{ms}");
        }
    }
}
