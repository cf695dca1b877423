//! The window keeps exactly the newest messages, counts the rest, and streams what leaves it.

use std::cell::RefCell;
use std::rc::Rc;

use super::*;

fn entry(id: u64) -> TraceEntry {
    TraceEntry {
        id,
        from: "kube-apiserver".into(),
        to: "etcd".into(),
        kind: "etcd",
        summary: format!("message {id}"),
        key: id.is_multiple_of(2).then(|| format!("/registry/pods/default/p{id}")),
        revision: None,
        sent_at: id,
        deliver_at: id + 1,
        fate: Fate::Delivered,
        cause: None,
        decision: None,
    }
}

fn ids(t: &Trace) -> Vec<u64> {
    t.entries().iter().map(|e| e.id).collect()
}

#[test]
fn the_window_keeps_exactly_the_newest_and_counts_every_message() {
    // (window, messages sent) -> ids kept; total_sent is always what was sent.
    let cases: [(usize, u64, &[u64]); 6] = [
        (3, 0, &[]),
        (3, 2, &[1, 2]),
        (3, 3, &[1, 2, 3]),
        (3, 4, &[2, 3, 4]),
        (3, 1_000, &[998, 999, 1_000]),
        (0, 5, &[]),
    ];
    for (window, sent, want) in cases {
        let mut t = Trace::with_window(window);
        for id in 1..=sent {
            t.push(entry(id));
            assert!(t.len() <= window, "window {window}: never more than the window");
        }
        assert_eq!(ids(&t), want, "window {window}, {sent} sent");
        assert_eq!(t.total_sent(), sent, "window {window}, {sent} sent");
        assert_eq!(t.not_kept(), sent - want.len() as u64, "window {window}, {sent} sent");
    }
}

#[test]
fn a_full_window_holds_no_more_room_than_it_needs() {
    let mut t = Trace::with_window(100);
    for id in 1..=1_000 {
        t.push(entry(id));
    }
    assert_eq!(t.entries().capacity(), 100);
}

#[test]
fn the_default_window_is_the_documented_one() {
    assert_eq!(Trace::default().window(), Trace::DEFAULT_WINDOW);
}

#[test]
fn shrinking_the_window_drops_the_oldest_at_once() {
    let mut t = Trace::with_window(10);
    for id in 1..=6 {
        t.push(entry(id));
    }
    t.set_window(2);
    assert_eq!(ids(&t), [5, 6]);
    assert_eq!((t.total_sent(), t.not_kept()), (6, 4));
}

#[test]
fn get_mut_finds_kept_entries_and_nothing_for_dropped_ones() {
    let mut t = Trace::with_window(3);
    for id in [3, 7, 8, 20] {
        t.push(entry(id));
    }
    assert_eq!(t.get_mut(8).map(|e| e.id), Some(8), "ids have gaps: a binary search");
    assert!(t.get_mut(5).is_none(), "never sent");
    assert!(t.get_mut(3).is_none(), "sent, then pushed out of the window");
    assert!(t.get_mut(21).is_none(), "not yet sent");
    if let Some(e) = t.get_mut(7) {
        e.fate = Fate::Ignored;
    }
    assert_eq!(t.entries()[0].fate, Fate::Ignored);
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

/// A writer the test can read after the trace has been handed it.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_stream_gets_every_message_as_the_whole_trace_would_print_it() {
    let mut whole = Trace::with_window(usize::MAX);
    let mut small = Trace::with_window(3);
    let out = Shared::default();
    small.stream_to(Box::new(out.clone()));
    for id in 1..=10 {
        for t in [&mut whole, &mut small] {
            t.push(entry(id));
            // A fate changed while the message is kept is written as changed.
            if let Some(e) = t.get_mut(id.saturating_sub(1)) {
                e.fate = Fate::Ignored;
            }
        }
    }
    assert_eq!(out.0.borrow().iter().filter(|b| **b == b'\n').count(), 7, "what left the window so far");
    small.finish_stream().expect("writing to memory does not fail");
    let written = String::from_utf8(out.0.take()).expect("JSON is UTF-8");
    assert_eq!(written, whole.to_json_lines());
    assert_eq!(ids(&small), [8, 9, 10], "the window is still kept");
    assert!(small.finish_stream().is_ok(), "a closed stream writes nothing more");
}

#[test]
fn a_write_error_is_reported_at_the_end() {
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut t = Trace::with_window(1);
    t.stream_to(Box::new(Full));
    for id in 1..=3 {
        t.push(entry(id));
    }
    let err = t.finish_stream().expect_err("the writes failed");
    assert_eq!(err.to_string(), "disk full");
}

#[test]
fn names_are_made_once_and_print_as_before() {
    let mut t = Trace::default();
    let worker = Component::Kubelet("worker".into());
    let (a, b) = (t.name(&worker), t.name(&worker));
    assert!(Arc::ptr_eq(&a, &b), "one allocation per component");
    assert_eq!(&*a, "kubelet/worker");
    let e = TraceEntry { from: a, to: t.name(&Component::ApiServer), ..entry(2) };
    assert_eq!(
        json_lines::line(&e),
        "{\"id\":2,\"from\":\"kubelet/worker\",\"to\":\"kube-apiserver\",\"kind\":\"etcd\",\"summary\":\"message 2\",\
         \"key\":\"/registry/pods/default/p2\",\"sent_at\":2,\"deliver_at\":3,\"fate\":\"delivered\"}\n"
    );
}
