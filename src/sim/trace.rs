//! The message trace: every hop of the simulation, in send order. The UI draws it; tests compare it.

use serde::Serialize;

use super::component::Component;
use super::protocol::message::Payload;
use super::time::Millis;
use std::collections::VecDeque;

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
}

/// One message, as the diagram and the inspector show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEntry {
    pub id: u64,
    pub from: String,
    pub to: String,
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
}

impl TraceEntry {
    pub fn from_component(&self) -> Option<Component> {
        Component::parse(&self.from)
    }
}

/// The recorded trace. Entries are appended in send order, which is deterministic.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    entries: Vec<TraceEntry>,
    /// How many old entries were dropped to bound memory (big benchmarks).
    first_id: u64,
    /// `None` keeps everything; `Some(n)` keeps the newest n entries.
    pub limit: Option<usize>,
    /// The full payloads of the newest messages, for the inspector (ids ascending).
    payloads: VecDeque<(u64, Payload)>,
    /// How many payloads to keep: 0 (tests, the native runner, benchmarks) keeps none, so only
    /// the UI pays for the copies.
    pub keep_payloads: usize,
}

impl Trace {
    pub fn push(&mut self, entry: TraceEntry) {
        self.entries.push(entry);
        if let Some(limit) = self.limit
            && self.entries.len() > limit * 2
        {
            let drop = self.entries.len() - limit;
            self.first_id += drop as u64;
            self.entries.drain(..drop);
        }
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

    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every message ever sent, including entries no longer kept.
    pub fn total_sent(&self) -> u64 {
        self.first_id + self.entries.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with this id, if it is still kept. Ids grow with send order but are not
    /// contiguous (requests draw from the same counter), so this is a binary search.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut TraceEntry> {
        let idx = self.entries.binary_search_by_key(&id, |e| e.id).ok()?;
        self.entries.get_mut(idx)
    }

    /// JSON lines, one message per line: the `--trace FILE` format.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            out.push_str(&serde_json::to_string(e).expect("a TraceEntry always serializes"));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64) -> TraceEntry {
        TraceEntry {
            id,
            from: "a".into(),
            to: "b".into(),
            kind: "request",
            summary: String::new(),
            key: None,
            revision: None,
            sent_at: 0,
            deliver_at: 0,
            fate: Fate::Delivered,
        }
    }

    #[test]
    fn get_mut_finds_entries_with_gaps_in_ids() {
        let mut t = Trace::default();
        for id in [3, 7, 8, 20] {
            t.push(entry(id));
        }
        assert_eq!(t.get_mut(8).map(|e| e.id), Some(8));
        assert!(t.get_mut(5).is_none());
    }

    #[test]
    fn keeps_only_the_newest_payloads_and_only_when_asked() {
        use crate::sim::protocol::cri::{CriCall, CriRequest};
        let p = |id| Payload::Cri(Box::new(CriRequest { id, call: CriCall::ListImages }));
        let mut t = Trace::default();
        t.keep_payload(1, &p(1));
        assert!(t.payload(1).is_none(), "keep_payloads = 0 keeps nothing");
        t.keep_payloads = 2;
        for id in [2, 5, 9] {
            t.keep_payload(id, &p(id));
        }
        assert!(t.payload(2).is_none());
        assert!(matches!(t.payload(5), Some(Payload::Cri(c)) if c.id == 5));
        assert!(t.payload(9).is_some() && t.payload(7).is_none());
    }

    #[test]
    fn limit_drops_oldest_and_counts_them() {
        let mut t = Trace { limit: Some(2), ..Trace::default() };
        for id in 1..=5 {
            t.push(entry(id));
        }
        assert_eq!(t.total_sent(), 5);
        assert_eq!(t.entries().first().map(|e| e.id), Some(4));
    }
}
