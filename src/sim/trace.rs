//! The message trace: the newest messages in full (a bounded window), and how many were sent in all.
//!
//! ```text
//!   Kernel::send ──► push ──► [ oldest … newest ]  (at most `window` entries, in send order)
//!                                  │
//!                                  └─ pushed out ──► the stream, if any (`sandbox run --trace FILE`)
//!                                                    else dropped; `total_sent` still counts it
//! ```
//! A large cluster sends millions of messages, so only a window of the newest is kept: memory does
//! not grow with the number of messages ever sent. What reads the trace needs no more than that:
//! the diagram draws messages of the last two virtual seconds, the inspector lists a component's
//! recent messages and shows the newest ones in full, the benchmarks count messages, and tests
//! compare the whole trace of short scenarios (which fit in the window). The native runner's
//! `--trace FILE` gets every message by streaming each entry as it leaves the window.

mod json_lines;
mod names;
pub mod story;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::component::Component;
use super::protocol::message::Payload;
use super::time::Millis;
use json_lines::JsonLines;
use names::Names;

/// What happened to a message after it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    /// On its way or arrived at `deliver_at`.
    Delivered,
    /// Lost on a partitioned link.
    Dropped,
    /// Waiting on a held link (re-timed when released).
    Held,
    /// Arrived at a component that was stopped, which ignored it.
    Ignored,
    /// A packet dropped by a node's packet filter (kindnet's NetworkPolicy agent): it never arrives.
    Filtered,
}

/// One message, as the diagram and the inspector show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEntry {
    pub id: u64,
    /// The sender, named as `Component`'s `Display` prints it. Shared: the trace names each
    /// component once, so recording a message allocates no name.
    #[serde(serialize_with = "as_str")]
    pub from: Arc<str>,
    #[serde(serialize_with = "as_str")]
    pub to: Arc<str>,
    /// A short kind for colouring and filtering: `request`, `response`, `watch`, `etcd`, `cri`, ...
    pub kind: &'static str,
    /// One line, e.g. `POST /api/v1/namespaces/default/pods` or `ADDED pod default/web-1`.
    pub summary: String,
    /// The object's key when there is one, e.g. `/registry/pods/default/web-1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The store revision the message carries, when it carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    pub sent_at: Millis,
    pub deliver_at: Millis,
    pub fate: Fate,
    /// The message whose handling sent this one (through a timer it set, if it was a timer that
    /// fired); none for what kubectl, a fault or the boot sent. See `kernel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<u64>,
    /// What the sender decided when it sent this, in words (`chose sandbox-worker2: ...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
}

/// Names serialize as the plain strings they were before they were shared (trace files compare
/// byte for byte).
fn as_str<S: Serializer>(name: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(name)
}

impl TraceEntry {
    pub fn from_component(&self) -> Option<Component> {
        Component::parse(&self.from)
    }
}

/// The recorded trace. Entries are appended in send order, which is deterministic.
#[derive(Debug)]
pub struct Trace {
    /// The newest `window` messages, ids ascending.
    entries: VecDeque<TraceEntry>,
    /// How many entries are kept; see [`Trace::DEFAULT_WINDOW`].
    window: usize,
    /// Every message ever recorded, kept or not.
    sent: u64,
    names: Names,
    /// Where entries go when they leave the window, instead of being dropped.
    stream: Option<JsonLines>,
    /// The full payloads of the newest messages, for the inspector (ids ascending).
    payloads: VecDeque<(u64, Payload)>,
    /// How many payloads to keep: 0 (tests, the native runner, benchmarks) keeps none, so only
    /// the UI pays for the copies.
    pub keep_payloads: usize,
}

impl Default for Trace {
    fn default() -> Self {
        Self::with_window(Self::DEFAULT_WINDOW)
    }
}

impl Trace {
    /// How many messages are kept by default. The UI reads at most the newest 5,000 before the
    /// time on screen (the inspector's scans and payloads; the diagram looks 4,000 back), and the
    /// screen may lag the world while a command's messages replay: 20,000 leaves room for that,
    /// and holds the whole trace of the scenarios tests compare (under 1,000 messages), for about
    /// 4.5 MB (an entry is ~225 bytes with its summary and key). A 3,000-pod benchmark sends
    /// ~190,000 messages.
    pub const DEFAULT_WINDOW: usize = 20_000;

    /// A trace that keeps the newest `window` messages (`usize::MAX`: all of them).
    pub fn with_window(window: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            window,
            sent: 0,
            names: Names::default(),
            stream: None,
            payloads: VecDeque::new(),
            keep_payloads: 0,
        }
    }

    /// How many of the newest messages are kept.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Keeps the newest `window` messages from now on; older ones leave at once.
    pub fn set_window(&mut self, window: usize) {
        self.window = window;
        while self.entries.len() > window {
            self.pop_oldest();
        }
    }

    /// Records a message, pushing the oldest out if the window is full (O(1)).
    pub fn push(&mut self, entry: TraceEntry) {
        self.sent += 1;
        if self.window == 0 {
            self.leave(entry);
            return;
        }
        if self.entries.len() >= self.window {
            self.pop_oldest();
        } else if self.entries.len() == self.entries.capacity() {
            // Grow by doubling, but never past the window: a full window's capacity is its size.
            let extra = self.entries.len().max(64).min(self.window - self.entries.len());
            self.entries.reserve_exact(extra);
        }
        self.entries.push_back(entry);
    }

    fn pop_oldest(&mut self) {
        if let Some(old) = self.entries.pop_front() {
            self.leave(old);
        }
    }

    /// An entry leaving the window: written out if a stream is open, else forgotten.
    fn leave(&mut self, entry: TraceEntry) {
        if let Some(stream) = &mut self.stream {
            stream.write(&entry);
        }
    }

    /// The shared name of `c`, as entries' `from` and `to` carry it.
    pub fn name(&mut self, c: &Component) -> Arc<str> {
        self.names.get(c)
    }

    /// From now on, writes each entry to `out` as a JSON line when it leaves the window; call
    /// [`Trace::finish_stream`] at the end for the entries still kept. Together they write every
    /// message kept at this call or recorded after it, in send order, as
    /// [`Trace::to_json_lines`] of a trace that kept them all would.
    ///
    /// An entry is written as it is when it leaves: a message released from a held link (a
    /// fault) after `window` newer messages were sent is written as held. The native runner's
    /// scripts have no faults, so there every line is final.
    pub fn stream_to(&mut self, out: Box<dyn Write>) {
        self.stream = Some(JsonLines::new(out));
    }

    /// Writes the entries still kept to the stream, flushes it and closes it; the first write
    /// error, if any. The entries stay kept. Without a stream, does nothing.
    pub fn finish_stream(&mut self) -> io::Result<()> {
        let Some(mut stream) = self.stream.take() else { return Ok(()) };
        for e in &self.entries {
            stream.write(e);
        }
        stream.finish()
    }

    /// Keeps a copy of message `id`'s payload if payloads are kept, dropping the oldest past the cap.
    pub fn keep_payload(&mut self, id: u64, payload: &Payload) {
        if self.keep_payloads == 0 {
            return;
        }
        if self.payloads.len() == self.keep_payloads {
            self.payloads.pop_front();
        }
        self.payloads.push_back((id, payload.clone()));
    }

    /// The payload of message `id`, if it is among the newest kept.
    pub fn payload(&self, id: u64) -> Option<&Payload> {
        let idx = self.payloads.binary_search_by_key(&id, |(i, _)| *i).ok()?;
        self.payloads.get(idx).map(|(_, p)| p)
    }

    /// The kept entries, oldest first.
    pub fn entries(&self) -> &VecDeque<TraceEntry> {
        &self.entries
    }

    /// How many entries are kept (at most the window).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every message ever sent, including entries no longer kept. Use this, not `len`, to see
    /// whether something was sent: once the window is full, `len` stays the same.
    pub fn total_sent(&self) -> u64 {
        self.sent
    }

    /// How many messages, the oldest, are no longer kept.
    pub fn not_kept(&self) -> u64 {
        self.sent - self.entries.len() as u64
    }

    /// The entry with this id, if it is still kept (an older id finds nothing, harmlessly).
    /// Ids grow with send order but are not contiguous (requests draw from the same counter), so
    /// this is a binary search.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut TraceEntry> {
        let idx = self.entries.binary_search_by_key(&id, |e| e.id).ok()?;
        self.entries.get_mut(idx)
    }

    /// The kept entries as JSON lines, one message per line: the `--trace FILE` format.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            out.push_str(&json_lines::line(e));
        }
        out
    }
}
