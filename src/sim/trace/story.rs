//! The story of a command: the messages it set off, in causal order, each hop one line in words.
//!
//! ```text
//!   kubectl ──POST──► kube-apiserver ──txn──► etcd          hop 1, 2, 3 …: every message whose
//!                         │ (watch event)                    cause chain reaches one the command
//!                         └──► kube-controller-manager ──►…  sent (`TraceEntry::cause`)
//! ```
//! A message belongs to the story when kubectl sent it from `start` on with no cause (the command's
//! own requests, and the first packet of a program it ran in a pod), or when its cause does. Causes are sent before what they cause, so one pass in send
//! order finds them all. Periodic loops started before the command (a kubelet's status sync, a
//! controller's resync) are not the command's doing and stay out; loops the command started (a new
//! pod's probes) are in, as they are in the cluster.

use std::collections::VecDeque;

use super::{Fate, Trace, TraceEntry};
use crate::sim::time::Millis;

/// One message of a story.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// The message's id in the trace (the inspector opens it).
    pub id: u64,
    /// The position in the story of the hop that caused this one (None for the command's own).
    pub caused_by: Option<usize>,
    /// When it was sent: the app shows only the hops sent by the time on its screen.
    pub sent_at: Millis,
    /// The hop as one line: when, who to whom, what, and what the sender decided.
    pub line: String,
}

/// The hops of the story of what was sent from message id `start` on (ids grow in send order; take
/// `Kernel::next_id` before the command runs). Empty if the trace no longer keeps those messages.
pub fn story(trace: &Trace, start: u64) -> Vec<Hop> {
    let mut s = Story::new(start);
    s.extend(trace.entries());
    s.hops
}

/// A story told as the trace grows: [`Story::extend`] reads only the messages sent since the last
/// call, so the app can keep a long story up to date on every frame for the cost of what is new.
#[derive(Debug, Clone)]
pub struct Story {
    /// The first message id that may belong to it.
    start: u64,
    /// The next message id to read.
    next: u64,
    /// When its first message was sent (times in lines are counted from it).
    begun: Option<Millis>,
    /// In send order, so ids ascending: a cause is found by a binary search.
    hops: Vec<Hop>,
    /// Whether messages it needed had left the trace's window before they were read.
    incomplete: bool,
}

impl Story {
    /// The story of what is sent from message id `start` on, not read yet.
    pub fn new(start: u64) -> Self {
        Self { start, next: start, begun: None, hops: Vec::new(), incomplete: false }
    }

    /// The message id it starts at.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Its hops so far, in send order.
    pub fn hops(&self) -> &[Hop] {
        &self.hops
    }

    /// Whether some of its messages had left the trace's window before they could be read (the
    /// story then lacks them, and whatever they caused).
    pub fn incomplete(&self) -> bool {
        self.incomplete
    }

    /// Reads the messages of `entries` (a trace's kept entries, ids ascending) not read yet.
    pub fn extend(&mut self, entries: &VecDeque<TraceEntry>) {
        let from = entries.partition_point(|e| e.id < self.next);
        // Messages pushed out of the window before they were read cannot be followed.
        if entries.front().is_some_and(|e| e.id > self.next) && self.next <= entries.back().map_or(0, |e| e.id) {
            self.incomplete = true;
        }
        for e in entries.range(from..) {
            self.next = e.id + 1;
            let begun = *self.begun.get_or_insert(e.sent_at);
            // A packet with no cause was sent by a program the command ran (`kubectl exec`).
            let own = e.cause.is_none() && (&*e.from == "kubectl" || e.kind == "packet");
            let caused_by = e.cause.and_then(|c| self.hops.binary_search_by_key(&c, |h| h.id).ok());
            if !own && caused_by.is_none() {
                continue;
            }
            self.hops.push(Hop { id: e.id, caused_by, sent_at: e.sent_at, line: line(e, begun) });
        }
    }
}

/// A hop in words: `+12ms kube-apiserver → etcd: txn ... (key /registry/..., revision 812)`.
fn line(e: &TraceEntry, begun: Millis) -> String {
    let mut s = format!("+{} {} → {}: {}", elapsed(e.sent_at.saturating_sub(begun)), e.from, e.to, e.summary);
    let detail: Vec<String> = [
        e.key.as_ref().filter(|k| !e.summary.contains(k.as_str())).map(|k| format!("key {k}")),
        e.revision.filter(|r| !e.summary.contains(&format!("revision {r}"))).map(|r| format!("revision {r}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !detail.is_empty() {
        s.push_str(&format!(" ({})", detail.join(", ")));
    }
    match e.fate {
        Fate::Delivered => {}
        Fate::Dropped => s.push_str(" [lost: the link is partitioned]"),
        Fate::Held => s.push_str(" [held on a slow link]"),
        Fate::Ignored => s.push_str(" [ignored: the receiver is stopped]"),
        Fate::Filtered => s.push_str(" [dropped by a NetworkPolicy]"),
    }
    if let Some(d) = &e.decision {
        s.push_str(&format!(" — {} {d}", e.from));
    }
    s
}

/// Virtual time since the command, as kubectl prints short durations: `850ms`, `2.4s`, `1m30s`.
fn elapsed(ms: Millis) -> String {
    match ms {
        0..1_000 => format!("{ms}ms"),
        1_000..60_000 => format!("{:.1}s", ms as f64 / 1000.0),
        _ => format!("{}m{}s", ms / 60_000, ms % 60_000 / 1000),
    }
}

/// The story as numbered lines (`1. +0ms kubectl → kube-apiserver: POST ...`), each hop naming the
/// hop that caused it (`[caused by 3]`) unless that is the one just before.
pub fn numbered(hops: &[Hop]) -> String {
    let mut out = String::new();
    for (i, h) in hops.iter().enumerate() {
        let after = match h.caused_by {
            Some(c) if c + 1 != i => format!(" [caused by {}]", c + 1),
            _ => String::new(),
        };
        out.push_str(&format!("{}. {}{after}\n", i + 1, h.line));
    }
    out
}
