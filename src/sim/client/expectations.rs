//! `ControllerExpectations`: what a controller waits to see in its cache before it acts again.
//!
//! After asking for 3 pods, a ReplicaSet must not count pods again until its informer has seen the 3
//! creations, or it would create 3 more from a stale cache. Event handlers lower the counts; failed
//! or skipped creates lower them too; after 5 minutes stale expectations are ignored.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Action, ObjectKey, Outcome};
use crate::sim::api::meta;
use crate::sim::time::Millis;

/// `ExpectationsTimeout`.
pub const EXPECTATIONS_TTL_MS: Millis = 5 * 60 * 1000;

#[derive(Debug, Clone, Default, PartialEq)]
struct Expect {
    adds: i64,
    /// Pods expected to disappear (UIDTrackingControllerExpectations tracks them by key).
    dels: BTreeSet<ObjectKey>,
    at: Millis,
}

#[derive(Debug, Clone, Default)]
pub struct Expectations {
    by_owner: BTreeMap<ObjectKey, Box<Expect>>,
}

impl Expectations {
    /// What a controller that creates pods (DaemonSet, Job) does with the result of one create:
    /// a `SuccessfulCreate` or `FailedCreate` Event about `regarding`, and, when the pod will never
    /// be observed (failed or skipped), the expectation lowered so the next sync is not blocked.
    pub fn pod_create_events(&mut self, owner: &ObjectKey, outcome: Outcome<'_>, regarding: Value) -> Vec<Action> {
        match outcome {
            Outcome::Done(pod) => vec![Action::Event {
                regarding,
                event_type: "Normal",
                reason: "SuccessfulCreate".into(),
                message: format!("Created pod: {}", meta::name(pod)),
            }],
            Outcome::Failed(s) => {
                self.creation_observed(owner);
                vec![Action::Event {
                    regarding,
                    event_type: "Warning",
                    reason: "FailedCreate".into(),
                    message: format!("Error creating: {}", s.message),
                }]
            }
            Outcome::Skipped => {
                self.creation_observed(owner);
                Vec::new()
            }
        }
    }

    /// Records that `adds` creations and the deletion of `dels` are on their way.
    pub fn expect(&mut self, owner: &ObjectKey, adds: i64, dels: impl IntoIterator<Item = ObjectKey>, now: Millis) {
        self.by_owner.insert(owner.clone(), Box::new(Expect { adds, dels: dels.into_iter().collect(), at: now }));
    }

    /// A creation was seen (or will never come: the create failed or was skipped).
    pub fn creation_observed(&mut self, owner: &ObjectKey) {
        if let Some(e) = self.by_owner.get_mut(owner) {
            e.adds -= 1;
        }
    }

    /// A deletion was seen (the pod is gone or has a deletionTimestamp), or the delete failed.
    pub fn deletion_observed(&mut self, owner: &ObjectKey, pod: &ObjectKey) {
        if let Some(e) = self.by_owner.get_mut(owner) {
            e.dels.remove(pod);
        }
    }

    /// Whether the owner may sync its pods: nothing pending, or the expectations expired.
    pub fn satisfied(&self, owner: &ObjectKey, now: Millis) -> bool {
        match self.by_owner.get(owner) {
            None => true,
            Some(e) => (e.adds <= 0 && e.dels.is_empty()) || now.saturating_sub(e.at) > EXPECTATIONS_TTL_MS,
        }
    }

    /// Forgets an owner (it was deleted).
    pub fn delete(&mut self, owner: &ObjectKey) {
        self.by_owner.remove(owner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: &str) -> ObjectKey {
        ("default".into(), n.into())
    }

    #[test]
    fn satisfied_only_after_every_expected_event_or_the_ttl() {
        let mut e = Expectations::default();
        assert!(e.satisfied(&k("rs"), 0), "no expectations: free to sync");
        e.expect(&k("rs"), 2, [k("p1")], 0);
        assert!(!e.satisfied(&k("rs"), 1));
        e.creation_observed(&k("rs"));
        e.creation_observed(&k("rs"));
        assert!(!e.satisfied(&k("rs"), 1), "still waiting for the deletion");
        e.deletion_observed(&k("rs"), &k("other"));
        assert!(!e.satisfied(&k("rs"), 1), "another pod's deletion does not count");
        e.deletion_observed(&k("rs"), &k("p1"));
        assert!(e.satisfied(&k("rs"), 1));
        e.expect(&k("rs"), 1, [], 0);
        assert!(e.satisfied(&k("rs"), EXPECTATIONS_TTL_MS + 1), "expired");
        e.delete(&k("rs"));
        assert!(e.satisfied(&k("rs"), 0));
    }
}
