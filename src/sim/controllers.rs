//! kube-controller-manager: one controller per file behind the [`Controller`] trait, run by
//! [`manager::ControllerManager`] over shared informers and client-go style work queues.
//!
//! ```text
//!  apiserver ──watch──► Informers (cache + indexes) ──Change──► keys_for ──► WorkQueue (per controller)
//!                                                                               │ get (≤ workers at once)
//!  apiserver ◄──requests── manager (slow-start creates) ◄──Vec<Action>── reconcile(key, informers)
//!      └──responses──► on_result ──► done(key) / add_rate_limited(key) on errors
//! ```
//! Reconcilers are pure: they read the informers and return [`Action`]s, so every rule is tested with a
//! hand-filled cache and no network, and every write shows up as one request in the trace.

pub mod claim;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod endpointslice;
pub mod garbagecollector;
pub mod hpa;
pub mod job;
pub mod manager;
pub mod members;
pub mod namespace;
pub mod nodelifecycle;
pub mod objects;
pub mod podgc;
pub mod pods;
pub mod replicaset;
pub mod resourcequota;
pub mod rootcacertpublisher;
pub mod serviceaccount;
pub mod statefulset;
pub mod tainteviction;
pub mod ttlafterfinished;
pub mod volume;
pub mod volumeexpand;
pub mod volumeprotection;

#[cfg(test)]
mod testutil;

#[cfg(test)]
mod scenarios;

pub use super::client::Outcome;
use super::client::{Action, Change, Informers, ObjectKey};
use super::rng::Rng;
use super::time::Millis;

/// One control loop, as the Go controllers are written: event handlers map a change to keys, a worker
/// syncs one key at a time from the cache.
pub trait Controller {
    /// The name `--controllers` uses, e.g. `deployment`.
    fn name(&self) -> &'static str;
    /// The event source, shown in the `From` column of `kubectl describe` (e.g. `deployment-controller`).
    fn event_source(&self) -> &'static str;
    /// Resource plurals whose informers this controller needs (the manager shares one watch per resource).
    fn watches(&self) -> &'static [&'static str];
    /// Concurrent syncs, as `--concurrent-*-syncs` sets them (the defaults of kube-controller-manager).
    fn workers(&self) -> usize {
        5
    }
    /// How long a key waits in the queue after an event (the HPA's fixed-interval rate limiter: every
    /// HPA is synced once per resync period, however often it changes).
    fn enqueue_delay(&self) -> Millis {
        0
    }
    /// The event handlers: which keys a change makes dirty. `&mut` because handlers also lower
    /// expectations (`CreationObserved`) as the Go ones do.
    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey>;
    /// The sync handler for one key.
    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, now: Millis, rng: &mut Rng) -> Vec<Action>;
    /// Called when one of this key's writes is answered, or skipped; may return follow-up actions
    /// (typically the `SuccessfulCreate` / `FailedCreate` events client-go records after the call).
    fn on_result(
        &mut self,
        _key: &ObjectKey,
        _action: &Action,
        _outcome: Outcome<'_>,
        _inf: &Informers,
        _now: Millis,
    ) -> Vec<Action> {
        Vec::new()
    }
}

/// Every controller of this kube-controller-manager, in a fixed order (the order keys are worked on
/// when several are due at the same instant).
pub fn all() -> Vec<Box<dyn Controller>> {
    vec![
        Box::new(deployment::DeploymentController),
        Box::new(replicaset::ReplicaSetController::default()),
        Box::new(replicaset::ReplicaSetController::replication_manager()),
        Box::new(statefulset::StatefulSetController),
        Box::new(daemonset::DaemonSetController::default()),
        Box::new(job::JobController::default()),
        Box::new(cronjob::CronJobController::default()),
        Box::new(ttlafterfinished::TtlAfterFinishedController),
        Box::new(garbagecollector::GarbageCollector::default()),
        Box::new(nodelifecycle::NodeLifecycleController::default()),
        Box::new(tainteviction::TaintEvictionController::default()),
        Box::new(namespace::NamespaceController),
        Box::new(endpoints::EndpointsController::default()),
        Box::new(endpointslice::EndpointSliceController::default()),
        Box::new(serviceaccount::ServiceAccountsController),
        Box::new(volume::PersistentVolumeController),
        Box::new(volumeprotection::PvcProtectionController),
        Box::new(volumeprotection::PvProtectionController),
        Box::new(volumeexpand::ExpandController),
        Box::new(podgc::PodGcController::default()),
        Box::new(rootcacertpublisher::RootCaCertPublisher),
        Box::new(resourcequota::ResourceQuotaController),
        Box::new(hpa::HpaController::default()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_watched_resource_is_served() {
        let all = all();
        let mut names: Vec<_> = all.iter().map(|c| c.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
        for c in &all {
            assert!(c.workers() > 0, "{}", c.name());
            for plural in c.watches() {
                assert!(crate::sim::api::resolve(plural).is_some(), "{} watches unknown {plural}", c.name());
            }
        }
    }
}
