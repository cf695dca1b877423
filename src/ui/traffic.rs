//! Which messages of the trace are on the wire at a given display time, and how far along they are.
//!
//! The trace is in send order, so `sent_at` never decreases: a binary search finds the newest message
//! sent by time `t`, and a short walk back finds the ones still travelling. Nothing is invented: a dot
//! is drawn only for a recorded message, between its `sent_at` and its `deliver_at`.

use crate::sim::time::Millis;
use crate::ui::bridge::{Entries, Fate, TRACE_WINDOW};

/// How far back (virtual ms) to look for messages still in flight. Network latencies are a few ms;
/// only messages released from a held link travel longer, and those are re-timed when released.
const LOOKBACK_MS: f64 = 2_000.0;
/// At most this many trace entries are examined per frame, however busy the cluster.
const MAX_SCAN: usize = 4_000;
const _: () = assert!(MAX_SCAN <= TRACE_WINDOW, "the trace keeps what a frame scans");
/// A dropped message is shown dying halfway along its link for this long (virtual ms).
const DROP_SHOW_MS: f64 = 2.0;

/// How a message in flight is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlightState {
    /// Travelling normally (or to a stopped component, which will ignore it).
    Moving,
    /// Sent on a partitioned link: it vanishes halfway.
    Dropped,
    /// Waiting on a held link near its sender.
    Held,
}

/// One message to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flight {
    /// Index into the trace's entries.
    pub index: usize,
    /// 0 at the sender, 1 at the receiver.
    pub progress: f64,
    pub state: FlightState,
}

/// The messages in flight at display time `t`, oldest first, at most `limit` (the newest are kept).
pub fn in_flight(entries: &Entries, t: f64, limit: usize) -> Vec<Flight> {
    let end = entries.partition_point(|e| e.sent_at as f64 <= t);
    let mut out = Vec::new();
    for index in (end.saturating_sub(MAX_SCAN)..end).rev() {
        let e = &entries[index];
        let sent = e.sent_at as f64;
        if sent < t - LOOKBACK_MS || out.len() >= limit {
            break;
        }
        let flight = match e.fate {
            Fate::Delivered | Fate::Ignored if (e.deliver_at as f64) > t => {
                let span = (e.deliver_at - e.sent_at) as f64;
                Some(Flight { index, progress: (t - sent) / span, state: FlightState::Moving })
            }
            Fate::Dropped | Fate::Filtered if t < sent + DROP_SHOW_MS => {
                Some(Flight { index, progress: 0.5 * (t - sent) / DROP_SHOW_MS, state: FlightState::Dropped })
            }
            Fate::Held => Some(Flight { index, progress: 0.15, state: FlightState::Held }),
            _ => None,
        };
        out.extend(flight);
    }
    out.reverse();
    out
}

/// The shortest trip (virtual ms) among moving messages: the clock slows down so that it stays visible.
pub fn shortest_trip(entries: &Entries, flights: &[Flight]) -> Option<Millis> {
    flights
        .iter()
        .filter(|f| f.state == FlightState::Moving)
        .filter_map(|f| entries.get(f.index))
        .map(|e| e.deliver_at.saturating_sub(e.sent_at))
        .filter(|d| *d > 0)
        .min()
}

/// The first moment after `t` when something visible changes: a message is sent or arrives.
pub fn next_change(entries: &Entries, t: f64) -> Option<f64> {
    let end = entries.partition_point(|e| e.sent_at as f64 <= t);
    let next_send = entries.get(end).map(|e| e.sent_at as f64);
    let next_arrival = in_flight(entries, t, usize::MAX)
        .iter()
        .filter(|f| f.state == FlightState::Moving)
        .map(|f| entries[f.index].deliver_at as f64)
        .reduce(f64::min);
    match (next_send, next_arrival) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::bridge::TraceEntry;

    fn entry(id: u64, sent_at: Millis, deliver_at: Millis, fate: Fate) -> TraceEntry {
        TraceEntry {
            id,
            from: "kube-apiserver".into(),
            to: "etcd".into(),
            kind: "etcd",
            summary: format!("message {id}"),
            key: None,
            revision: None,
            sent_at,
            deliver_at,
            fate,
            cause: None,
            decision: None,
        }
    }

    fn trace() -> Entries {
        Entries::from([
            entry(1, 0, 2, Fate::Delivered),
            entry(2, 1, 6, Fate::Delivered),
            entry(3, 4, 4, Fate::Dropped),
            entry(4, 4, 4, Fate::Held),
            entry(5, 10, 12, Fate::Ignored),
        ])
    }

    fn ids(t: f64) -> Vec<(u64, String, FlightState)> {
        let entries = trace();
        in_flight(&entries, t, 100)
            .iter()
            .map(|f| (entries[f.index].id, format!("{:.2}", f.progress), f.state))
            .collect()
    }

    #[test]
    fn in_flight_by_time() {
        use FlightState::*;
        type Expected = Vec<(u64, &'static str, FlightState)>;
        let cases: [(f64, Expected); 7] = [
            (-1.0, vec![]),
            (0.0, vec![(1, "0.00", Moving)]),
            (1.0, vec![(1, "0.50", Moving), (2, "0.00", Moving)]),
            (2.0, vec![(2, "0.20", Moving)]),
            (5.0, vec![(2, "0.80", Moving), (3, "0.25", Dropped), (4, "0.15", Held)]),
            (7.0, vec![(4, "0.15", Held)]),
            (11.0, vec![(4, "0.15", Held), (5, "0.50", Moving)]),
        ];
        for (t, want) in cases {
            let want: Vec<_> = want.into_iter().map(|(id, p, s)| (id, p.to_string(), s)).collect();
            assert_eq!(ids(t), want, "at t={t}");
        }
    }

    #[test]
    fn in_flight_keeps_the_newest_within_the_limit() {
        let entries: Entries = (0..50).map(|i| entry(i, 100, 110, Fate::Delivered)).collect();
        let got = in_flight(&entries, 105.0, 10);
        assert_eq!(got.len(), 10);
        assert_eq!(got.first().map(|f| f.index), Some(40));
        assert_eq!(got.last().map(|f| f.index), Some(49));
    }

    #[test]
    fn old_messages_are_not_scanned_forever() {
        let mut entries = Entries::from([entry(1, 0, 1_000_000, Fate::Delivered)]);
        entries.push_back(entry(2, 10_000, 10_002, Fate::Delivered));
        // Message 1 is formally in flight, but far outside the lookback: only 2 is drawn.
        let got = in_flight(&entries, 10_001.0, 100);
        assert_eq!(got.iter().map(|f| f.index).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn shortest_trip_ignores_dropped_and_held() {
        let entries = trace();
        let flights = in_flight(&entries, 5.0, 100);
        assert_eq!(shortest_trip(&entries, &flights), Some(5));
        assert_eq!(shortest_trip(&entries, &in_flight(&entries, 7.0, 100)), None);
    }

    #[test]
    fn next_change_is_the_next_send_or_arrival() {
        let entries = trace();
        let cases = [
            (-1.0, Some(0.0)),
            (0.0, Some(1.0)),
            (1.0, Some(2.0)),
            (2.0, Some(4.0)),
            (4.0, Some(6.0)),
            (6.0, Some(10.0)),
            (10.0, Some(12.0)),
            (12.0, None),
        ];
        for (t, want) in cases {
            assert_eq!(next_change(&entries, t), want, "after {t}");
        }
        assert_eq!(next_change(&Entries::new(), 0.0), None);
    }
}
