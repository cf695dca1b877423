//! How one sync's actions go out: writes with the events that report them, creates in slow-start
//! batches, requeues to the work queue.
//!
//! Convention (client-go records an event only after its call returned): an `Action::Event` placed
//! right after a write is that write's report, sent only once the write succeeded. Events anywhere
//! else are sent at once.

use std::collections::VecDeque;

use crate::sim::client::{Action, ObjectKey};
use crate::sim::time::Millis;

/// `SlowStartInitialBatchSize`: creates go out 1, 2, 4, ... at a time, each batch after the previous
/// one succeeded, so a failing create (quota, admission) costs one request instead of hundreds.
pub const SLOW_START_INITIAL_BATCH: usize = 1;

/// A write and the events to send once it succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub action: Action,
    pub on_success: Vec<Action>,
}

/// The actions of one sync, sorted by how they are sent.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Plan {
    /// Writes that go out at once (updates, patches, deletes).
    pub now: Vec<Write>,
    /// Creates, sent in slow-start batches in this order.
    pub creates: Vec<Write>,
    /// Events not tied to a write.
    pub events: Vec<Action>,
    pub requeues: Vec<(ObjectKey, Millis)>,
}

impl Plan {
    pub fn of(actions: Vec<Action>) -> Plan {
        let mut plan = Plan::default();
        // Which list the last write went to, so that following events attach to it.
        let mut last: Option<bool> = None;
        for a in actions {
            match a {
                Action::Event { .. } => {
                    let target = match last {
                        Some(true) => plan.creates.last_mut(),
                        Some(false) => plan.now.last_mut(),
                        None => None,
                    };
                    match target {
                        Some(w) => w.on_success.push(a),
                        None => plan.events.push(a),
                    }
                }
                Action::Requeue { key, after } => {
                    plan.requeues.push((key, after));
                    last = None;
                }
                Action::Create { .. } => {
                    plan.creates.push(Write { action: a, on_success: Vec::new() });
                    last = Some(true);
                }
                other => {
                    plan.now.push(Write { action: other, on_success: Vec::new() });
                    last = Some(false);
                }
            }
        }
        plan
    }
}

/// Creates still to send for one sync, in growing batches.
#[derive(Debug, Default)]
pub struct SlowStart {
    pending: VecDeque<Write>,
    next_batch: usize,
}

impl SlowStart {
    pub fn new(creates: Vec<Write>) -> Self {
        Self { pending: creates.into(), next_batch: SLOW_START_INITIAL_BATCH }
    }

    /// The next batch (empty when all were sent); the one after it is twice as big.
    pub fn next_batch(&mut self) -> Vec<Write> {
        let n = self.next_batch.min(self.pending.len());
        self.next_batch = self.next_batch.saturating_mul(2);
        self.pending.drain(..n).collect()
    }

    /// Gives up on the creates not sent yet (an earlier one failed).
    pub fn skip_rest(&mut self) -> Vec<Write> {
        self.pending.drain(..).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pods() -> &'static crate::sim::api::ResourceType {
        crate::sim::api::resolve("pods").expect("served")
    }

    fn create(n: &str) -> Action {
        Action::Create { resource: pods(), namespace: Some("default".into()), object: json!({"metadata": {"name": n}}) }
    }

    fn event(r: &str) -> Action {
        Action::Event { regarding: json!({}), event_type: "Normal", reason: r.into(), message: String::new() }
    }

    #[test]
    fn events_after_a_write_wait_for_it_others_go_at_once() {
        let del = Action::Delete {
            resource: pods(),
            namespace: Some("default".into()),
            name: "x".into(),
            propagation: None,
            grace_seconds: None,
        };
        let plan = Plan::of(vec![
            event("first"),
            create("a"),
            event("created-a"),
            del.clone(),
            event("deleted-x"),
            Action::Requeue { key: ("d".into(), "k".into()), after: 5 },
            event("loose"),
        ]);
        assert_eq!(plan.events, vec![event("first"), event("loose")]);
        assert_eq!(plan.creates, vec![Write { action: create("a"), on_success: vec![event("created-a")] }]);
        assert_eq!(plan.now, vec![Write { action: del, on_success: vec![event("deleted-x")] }]);
        assert_eq!(plan.requeues, vec![(("d".into(), "k".into()), 5)]);
    }

    #[test]
    fn slow_start_batches_are_1_2_4_and_skip_rest_after_a_failure() {
        let w = |i: usize| Write { action: create(&i.to_string()), on_success: vec![] };
        let mut s = SlowStart::new((0..10).map(w).collect());
        let sizes: Vec<usize> = std::iter::from_fn(|| Some(s.next_batch().len()).filter(|n| *n > 0)).collect();
        assert_eq!(sizes, vec![1, 2, 4, 3]);
        let mut s = SlowStart::new((0..10).map(w).collect());
        assert_eq!(s.next_batch().len(), 1);
        assert_eq!(s.skip_rest().len(), 9);
        assert!(s.next_batch().is_empty());
    }
}
