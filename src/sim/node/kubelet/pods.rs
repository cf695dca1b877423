//! Pods arriving, changing and leaving: admission of new pods, spec changes (a new image restarts the
//! container), graceful deletion, and forgetting pods once the API has removed them.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::admission::{self, Capacity, NodeFacts};
use super::worker::{KillReason, PodWorker, Stage};
use super::{CriOp, Kubelet, podspec, static_pods, status};
use crate::sim::api::nodefit::HostPort;
use crate::sim::kernel::Kernel;
use crate::sim::node::cri::CriCall;

/// The kubelet never waits less than this for a container to stop (`minimumGracePeriodInSeconds`).
const MIN_GRACE_SECONDS: i64 = 2;

impl Kubelet {
    /// What the admitted, unfinished pods on this node request.
    fn in_use(&self, except: &str) -> Capacity {
        let mut used = Capacity { cpu_millis: 0, memory_bytes: 0, pods: 0 };
        for (uid, w) in &self.pods {
            if uid == except || !matches!(w.stage, Stage::Active | Stage::Terminating) || status::is_terminal(w) {
                continue;
            }
            let (cpu, mem) = w.spec.requests();
            used.cpu_millis += cpu;
            used.memory_bytes += mem;
            used.pods += 1;
        }
        used
    }

    /// Host ports bound by the admitted pods, but for `except`.
    fn ports_in_use(&self, except: &str) -> Vec<HostPort> {
        self.pods
            .iter()
            .filter(|(uid, w)| {
                *uid != except && matches!(w.stage, Stage::Active | Stage::Terminating) && !status::is_terminal(w)
            })
            .flat_map(|(_, w)| w.spec.host_ports.iter().cloned())
            .collect()
    }

    /// A pod bound to this node was added or changed.
    pub(crate) fn pod_changed(&mut self, obj: &Value, k: &mut Kernel) {
        if static_pods::is_mirror(obj) {
            return self.mirror_changed(obj, k);
        }
        let spec = podspec::parse(obj);
        if spec.uid.is_empty() || spec.name.is_empty() {
            return;
        }
        let uid = spec.uid.clone();
        self.keys.insert((spec.namespace.clone(), spec.name.clone()), uid.clone());
        if let Some(w) = self.pods.get_mut(&uid) {
            let mut spec = spec;
            let names = |s: &podspec::PodSpec| s.all().map(|c| c.name.clone()).collect::<Vec<_>>();
            if names(&spec) != names(&w.spec) {
                // Containers cannot be added or removed from a pod; keep the ones the worker runs.
                spec.init = w.spec.init.clone();
                spec.containers = w.spec.containers.clone();
            }
            let newly_deleted = w.spec.deletion_grace.is_none() && spec.deletion_grace.is_some();
            let changed: Vec<usize> =
                (0..w.containers.len()).filter(|&i| w.spec.container(i).image != spec.container(i).image).collect();
            let (start_time, scheduled) = (w.start_time, w.spec.scheduled_at.clone());
            w.spec = spec;
            w.start_time = start_time;
            w.spec.scheduled_at = w.spec.scheduled_at.clone().or(scheduled);
            if newly_deleted && matches!(w.stage, Stage::Active | Stage::Rejected { .. } | Stage::Done) {
                w.stage = Stage::Terminating;
            }
            for i in changed {
                let w = self.pods.get_mut(&uid).expect("still there");
                w.containers[i].progress = super::worker::Progress::Idle;
                let name = w.spec.container(i).name.clone();
                let grace = w.spec.grace_seconds;
                if w.containers[i].is_running() {
                    self.kill(
                        &uid,
                        i,
                        grace,
                        Some(KillReason::Definition),
                        format!("Container {name} definition changed, will be restarted"),
                        k,
                    );
                }
            }
            self.sync(&uid, k);
            return;
        }
        let mut w = PodWorker::new(spec, k.now());
        if let Some((sandboxes, containers)) = &self.listing {
            w.adopt(sandboxes, containers);
        }
        let known_to_runtime = w.sandbox.is_some();
        let api_phase = w.spec.phase.clone();
        if matches!(api_phase.as_deref(), Some("Succeeded" | "Failed")) && !known_to_runtime {
            w.stage = Stage::Done;
        } else if w.spec.deletion_grace.is_some() {
            w.stage = Stage::Terminating;
        } else if !known_to_runtime && api_phase.as_deref() != Some("Running") {
            let labels = self.node_labels();
            let taints = self.node_taints();
            let node = NodeFacts { name: &self.config.name, labels: &labels, taints: &taints };
            let ports = self.ports_in_use(&uid);
            if let Err((reason, message)) =
                admission::admit(&w.spec, node, self.config.allocatable(), self.in_use(&uid), &ports)
            {
                w.stage = Stage::Rejected { reason: reason.clone(), message: format!("Pod was rejected: {message}") };
                self.pods.insert(uid.clone(), Box::new(w));
                self.event(&uid, "Warning", &reason, message, k);
                self.post_status(&uid, k);
                return;
            }
        }
        self.pods.insert(uid.clone(), Box::new(w));
        self.sync(&uid, k);
    }

    /// The pod object is gone from the API.
    pub(crate) fn pod_deleted(&mut self, obj: &Value, k: &mut Kernel) {
        if static_pods::is_mirror(obj) {
            return self.mirror_deleted(obj, k);
        }
        let Some(uid) = obj.at("/metadata/uid").and_then(Value::as_str).map(str::to_string) else { return };
        let Some(w) = self.pods.get_mut(&uid) else { return };
        w.deleted = true;
        match w.stage {
            Stage::Finished | Stage::Rejected { .. } | Stage::Done => self.forget(&uid, k),
            Stage::Active | Stage::Terminating => {
                w.stage = Stage::Terminating;
                self.sync(&uid, k);
            }
        }
    }

    /// Drops everything about a pod and lets the runtime remove its sandbox and containers.
    fn forget(&mut self, uid: &str, k: &mut Kernel) {
        let Some(w) = self.pods.remove(uid) else { return };
        self.tear_down_volumes(uid);
        let key = (w.spec.namespace.clone(), w.spec.name.clone());
        if self.keys.get(&key).is_some_and(|u| u == uid) {
            self.keys.remove(&key);
        }
        self.crash_backoff.remove_prefix(&format!("{uid}_"));
        self.pull_backoff.remove_prefix(&format!("{uid}_"));
        self.pull_errors.retain(|key, _| !key.starts_with(&format!("{uid}_")));
        if let Some(s) = w.sandbox {
            self.cri_call(CriCall::RemovePodSandbox { sandbox_id: s.id }, CriOp::RemoveSandbox, k);
        }
    }

    /// Graceful termination: stop every container with the grace period, then the sandbox, then
    /// write the final status and delete the object with grace 0.
    pub(crate) fn terminate(&mut self, uid: &str, k: &mut Kernel) {
        self.pull_queue.retain(|(u, _, _)| u != uid);
        let Some(w) = self.pods.get(uid) else { return };
        let grace = if w.deleted {
            MIN_GRACE_SECONDS
        } else {
            w.spec.deletion_grace.unwrap_or(w.spec.grace_seconds).max(MIN_GRACE_SECONDS)
        };
        let running: Vec<(usize, String)> = (0..w.containers.len())
            .filter(|&i| w.containers[i].is_running() && !w.containers[i].stopping)
            .map(|i| (i, w.spec.container(i).name.clone()))
            .collect();
        for (i, name) in running {
            self.kill(uid, i, grace, Some(KillReason::PodStop), format!("Stopping container {name}"), k);
        }
        let Some(w) = self.pods.get(uid) else { return };
        if w.containers.iter().any(|c| c.stopping) {
            self.post_status(uid, k);
            return;
        }
        // A sandbox being created or a container being started must land before it can be stopped;
        // a pull in flight is simply abandoned.
        if let Some(busy) = w.busy
            && !matches!(self.cri.get(&busy), None | Some(CriOp::Pull(..)))
        {
            return;
        }
        if let Some(sid) = w.sandbox.as_ref().filter(|s| s.ready).map(|s| s.id.clone()) {
            let id = self.cri_call(CriCall::StopPodSandbox { sandbox_id: sid }, CriOp::StopSandbox(uid.to_string()), k);
            if let Some(w) = self.pods.get_mut(uid) {
                w.busy = Some(id);
            }
            return;
        }
        if let Some(w) = self.pods.get_mut(uid) {
            w.busy = None;
        }
        if self.pods.get(uid).is_some_and(|w| w.deleted) {
            self.forget(uid, k);
        } else {
            self.post_status(uid, k);
            self.delete_object(uid, k);
        }
    }
}
