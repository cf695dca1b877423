//! One scheduling attempt end to end: pop, run the cycle, then bind, or preempt and report the
//! failure (`ScheduleOne` and `handleSchedulingFailure`); and the answers to those requests.

use std::sync::Arc;

use super::{Scheduler, resource};
use crate::sim::apiserver::request::ApiResponse;
use crate::sim::client::{Action, send_action};
use crate::sim::component::Component;
use crate::sim::kernel::Kernel;
use crate::sim::kernel::TimerKind;
use crate::sim::scheduler::decision::Outcome;
use crate::sim::scheduler::framework::ClusterEvent;
use crate::sim::scheduler::plugins::volume_binding::{
    self as volume_binding,
    binder::{PodClaims, fully_bound},
};
use crate::sim::time::Millis;

/// How long PreBind waits for a pod's claims to bind (`bindTimeoutSeconds`, 600 by default).
pub const BIND_TIMEOUT_MS: Millis = 600_000;
/// The timer that checks for PreBind waits past their deadline.
pub(super) const PREBIND_TIMER: &str = "volume-binding-timeout";
use crate::sim::scheduler::podinfo::{PodInfo, PodKey};
use crate::sim::scheduler::preemption::preempt;
use crate::sim::scheduler::writes::{self, Nomination};

impl Scheduler {
    /// Answers to the scheduler's requests: a refused watch is reopened after a pause; a binding
    /// either completes (`Scheduled` event) or is forgotten and retried after a backoff.
    pub(super) fn on_response(&mut self, r: ApiResponse, k: &mut Kernel) {
        // A watch that could not be opened or ended: its reflector backs off and lists again.
        if self.reflectors.iter_mut().any(|refl| refl.on_response(&r, &Component::Scheduler, k)) {
            return;
        }
        let Some((key, node)) = self.binds.remove(&r.request_id) else { return };
        let Some(pod) = self.cluster.pod(&key).map(|e| e.info.clone()) else { return };
        match r.result {
            Ok(_) => {
                self.record(writes::scheduled_event(&pod, &node), None, k);
                self.queue.done(&key);
            }
            Err(status) => {
                let freed = self.cluster.forget(&key);
                if status.code == 404 {
                    self.queue.delete(&key);
                } else {
                    self.fail(&pod, "SchedulerError", &status.message, Nomination::Keep, k);
                    self.queue.fail_with_error(&key, k.now());
                }
                if freed {
                    self.on_cluster_event(ClusterEvent::AssignedPodDelete, k.now());
                }
            }
        }
    }

    /// Pops and schedules every pod in activeQ.
    pub(super) fn schedule_pending(&mut self, k: &mut Kernel) {
        if !self.synced() {
            return;
        }
        while let Some(key) = self.queue.pop(k.now()) {
            self.schedule_one(key, k);
        }
    }

    fn schedule_one(&mut self, key: PodKey, k: &mut Kernel) {
        let Some(entry) = self.cluster.pod(&key) else {
            self.queue.delete(&key);
            return;
        };
        if entry.node.is_some() {
            // Assumed or bound meanwhile.
            return;
        }
        let pod = entry.info.clone();
        let now = k.now();
        let attempt = self.queue.get(&key).map_or(1, |q| q.attempts);
        let mut d = self.algorithm.schedule(&pod, &self.cluster, &mut k.rng, now, attempt);
        match d.outcome.clone() {
            Outcome::Fit(node) => {
                self.cluster.assume(&key, &node);
                d.message = format!("Successfully assigned {}/{} to {node}", pod.namespace, pod.name);
                // The story tells the choice on the first write it leads to (a volume's or the binding).
                k.decide(d.in_words());
                if self.bind_volumes(&pod, &node, k) {
                    self.send_bind(&pod, key, node, k);
                } else {
                    self.waiting_volumes.insert(key, (node, now + BIND_TIMEOUT_MS));
                    k.set_timer(Component::Scheduler, BIND_TIMEOUT_MS, TimerKind::Object(PREBIND_TIMER.into()));
                }
            }
            Outcome::NoNodes => {
                d.message = "no nodes available to schedule pods".to_string();
                k.decide(d.in_words());
                self.fail(&pod, "Unschedulable", &d.message, Nomination::Set(String::new()), k);
                self.queue.fail_unschedulable(&key, Vec::new(), now);
            }
            Outcome::Error(message) => {
                d.message = message;
                k.decide(d.in_words());
                self.fail(&pod, "SchedulerError", &d.message, Nomination::Keep, k);
                self.queue.fail_with_error(&key, now);
            }
            Outcome::Unfit => {
                let p = preempt(&mut self.algorithm.profile, &pod, &self.cluster, &d, &mut k.rng);
                d.message = d.fit_error(&p.message);
                k.decide(d.in_words());
                let nomination = match &p.nominated_node {
                    Some(node) => {
                        self.evict(&pod, node, &p.victims, k);
                        d.nominated_node = Some(node.to_string());
                        d.victims = p.victims.iter().map(|v| format!("{}/{}", v.namespace, v.name)).collect();
                        Nomination::Set(node.to_string())
                    }
                    None => Nomination::Set(String::new()),
                };
                self.fail(&pod, "Unschedulable", &d.message, nomination, k);
                self.queue.fail_unschedulable(&key, d.unschedulable_plugins(), now);
            }
        }
        self.decisions.record(d);
    }

    fn send_bind(&mut self, pod: &PodInfo, key: PodKey, node: Arc<str>, k: &mut Kernel) {
        if let Some(id) = send_action(&Component::Scheduler, writes::bind(pod, &node), k) {
            self.binds.insert(id, (key, node));
        }
    }

    /// VolumeBinding's Reserve and PreBind (`AssumePodVolumes`, `BindPodVolumes`): for the chosen node,
    /// each waiting claim's free volume gets the claim in its `claimRef`, and each claim to provision
    /// gets the node in `volume.kubernetes.io/selected-node`. True when nothing is left to wait for.
    fn bind_volumes(&mut self, pod: &PodInfo, node: &str, k: &mut Kernel) -> bool {
        let volumes = self.cluster.volumes();
        let labels = self.cluster.node(node).map(|n| n.node.labels.clone()).unwrap_or_default();
        let plan = PodClaims::gather(pod, volumes).find(node, &labels).unwrap_or_default();
        if plan.is_empty() {
            return true;
        }
        let actions = writes::volume_writes(volumes, &pod.namespace, &plan, node);
        for a in actions {
            send_action(&Component::Scheduler, a, k);
        }
        false
    }

    /// `checkBindings` for every pod waiting on its volumes: once all its claims are bound, the pod is.
    pub(super) fn bind_pods_with_volumes(&mut self, k: &mut Kernel) {
        let volumes = self.cluster.volumes();
        let ready: Vec<PodKey> = self
            .waiting_volumes
            .keys()
            .filter(|key| {
                self.cluster.pod(key).is_some_and(|e| e.info.claims.iter().all(|c| fully_bound(volumes, &key.0, c)))
            })
            .cloned()
            .collect();
        for key in ready {
            let Some((node, _)) = self.waiting_volumes.remove(&key) else { continue };
            let Some(pod) = self.cluster.pod(&key).map(|e| e.info.clone()) else { continue };
            self.send_bind(&pod, key, node, k);
        }
    }

    /// PreBind gave up on the pods whose claims did not bind in time: the pod is forgotten on its node
    /// and retried after a backoff, with upstream's `FailedScheduling` (the claims keep their node).
    pub(super) fn expire_volume_waits(&mut self, k: &mut Kernel) {
        let now = k.now();
        let expired: Vec<PodKey> = self
            .waiting_volumes
            .iter()
            .filter(|(_, (_, deadline))| *deadline <= now)
            .map(|(key, _)| key.clone())
            .collect();
        for key in expired {
            self.waiting_volumes.remove(&key);
            let Some(pod) = self.cluster.pod(&key).map(|e| e.info.clone()) else { continue };
            let freed = self.cluster.forget(&key);
            let message = format!(
                "running PreBind plugin \"{}\": binding volumes: context deadline exceeded",
                volume_binding::NAME
            );
            self.fail(&pod, "SchedulerError", &message, Nomination::Keep, k);
            self.queue.fail_with_error(&key, now);
            if freed {
                self.on_cluster_event(ClusterEvent::AssignedPodDelete, now);
            }
        }
    }

    /// Sends an event through the scheduler's events.k8s.io recorder (a create, the patch that starts
    /// a series, or nothing), with the action upstream names for it.
    fn record(&mut self, event: Action, related: Option<&PodInfo>, k: &mut Kernel) {
        let Action::Event { regarding, event_type, reason, message } = event else { return };
        let action = match reason.as_str() {
            "Scheduled" => "Binding",
            "Preempted" => "Preempting",
            _ => "Scheduling",
        };
        let related = related.map(writes::regarding);
        let now = k.now();
        if let Some(write) =
            self.events.record(&regarding, related.as_ref(), event_type, &reason, action, &message, now, &mut k.rng)
        {
            send_action(&Component::Scheduler, write, k);
        }
    }

    /// Sends writes the event recorder's loops produced.
    pub(super) fn send_all(&mut self, writes: Vec<Action>, k: &mut Kernel) {
        for w in writes {
            send_action(&Component::Scheduler, w, k);
        }
    }

    /// `handleSchedulingFailure`: the warning event and the status patch.
    fn fail(&mut self, pod: &PodInfo, reason: &str, message: &str, nomination: Nomination, k: &mut Kernel) {
        let me = Component::Scheduler;
        self.record(writes::failed_event(pod, message), None, k);
        if let Some(patch) = writes::failure_status_patch(resource("pods"), pod, reason, message, &nomination, k.now())
        {
            send_action(&me, patch, k);
        }
    }

    /// Deletes the victims and clears the nominations of lower-priority pods on the node.
    fn evict(&mut self, preemptor: &PodInfo, node: &str, victims: &[Arc<PodInfo>], k: &mut Kernel) {
        let pods = resource("pods");
        let displaced: Vec<Arc<PodInfo>> =
            self.cluster.nominated_on(node).filter(|p| p.priority < preemptor.priority).cloned().collect();
        let mut actions: Vec<Action> =
            victims.iter().flat_map(|v| writes::evict(pods, v, preemptor, node, k.now())).collect();
        actions.extend(displaced.iter().map(|p| writes::clear_nomination(pods, p)));
        for a in actions {
            match a {
                // `Eventf(victim, preemptor, Normal, "Preempted", "Preempting", ...)`.
                Action::Event { .. } => self.record(a, Some(preemptor), k),
                a => {
                    send_action(&Component::Scheduler, a, k);
                }
            }
        }
        self.cluster.nominate(&preemptor.key(), node);
    }
}
