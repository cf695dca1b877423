//! Carrying out the lifecycle plan: one sync of a pod worker walks the plan until it has to wait,
//! sending at most one sequential CRI call (sandbox, pull, create, start) per pod at a time.

use super::lifecycle::{Plan, crash_key, plan};
use super::worker::{CStatus, KillReason, Progress, Stage};
use super::{ApiOp, CriOp, Kubelet, probes, rt, volumes};
use crate::sim::client::Action;
use crate::sim::kernel::Kernel;
use crate::sim::node::backoff::go_duration;
use crate::sim::node::cri::{ContainerConfig, CriCall, SandboxConfig};
use crate::sim::time::Millis;

/// What one attempt to move a container forward did.
pub(crate) enum Advance {
    /// A CRI call is in flight (or queued): the sync ends here.
    Sent,
    /// The container must wait (`retry_at` is set): the sync goes on with the next one.
    Blocked,
    /// The step finished at once: try again.
    Again,
}

impl Kubelet {
    /// Moves the pod forward as far as it can go now, then reports its status.
    pub(crate) fn sync(&mut self, uid: &str, k: &mut Kernel) {
        if self.listing.is_none() {
            return; // wait for the runtime relist: containers may already exist
        }
        self.fill_behaviours(uid);
        for _ in 0..32 {
            let now = k.now();
            let Some(w) = self.pods.get(uid) else { return };
            match w.stage {
                Stage::Active => {}
                Stage::Terminating => {
                    self.terminate(uid, k);
                    break;
                }
                Stage::Done if w.spec.deletion_grace.is_some() => {
                    self.delete_object(uid, k);
                    return;
                }
                Stage::Rejected { .. } => break,
                Stage::Done | Stage::Finished => return,
            }
            if let Some(deadline) = w.spec.active_deadline.map(|s| w.start_time + s.max(0) as Millis * 1000)
                && w.failure.is_none()
            {
                if now >= deadline {
                    let message = "Pod was active on the node longer than the specified deadline".to_string();
                    self.event(uid, "Warning", "DeadlineExceeded", message.clone(), k);
                    if let Some(w) = self.pods.get_mut(uid) {
                        w.failure = Some(("DeadlineExceeded".into(), message));
                    }
                    continue;
                }
                self.wake(uid, deadline, k);
            }
            let Some(w) = self.pods.get(uid) else { return };
            let needs_refs = !volumes::references(&w.spec).is_empty() || !super::claims::claims_of(&w.spec).is_empty();
            let d = plan(w, needs_refs, now, &self.crash_backoff);
            for (i, until) in &d.backoffs {
                self.enter_backoff(uid, *i, *until, k);
            }
            if let Some(t) = d.wake {
                self.wake(uid, t, k);
            }
            match d.plan {
                Plan::Wait | Plan::Idle => break,
                Plan::Fetch => {
                    self.fetch(uid, k);
                    break;
                }
                Plan::RunSandbox { attempt, changed } => {
                    self.run_sandbox(uid, attempt, changed, k);
                    break;
                }
                Plan::Start(i) => match self.advance(uid, i, k) {
                    Advance::Sent => break,
                    Advance::Blocked | Advance::Again => continue,
                },
                Plan::Finish => {
                    self.finish(uid, k);
                    break;
                }
            }
        }
        self.schedule_projection_resync(uid, k);
        if let Some(t) = self.pods.get(uid).and_then(|w| w.containers.iter().filter_map(probes::next_due).min()) {
            self.wake(uid, t, k);
        }
        // Like the kubelet's status manager, which only sees a pod between two syncs: the first status
        // (ContainerCreating) goes out at once, later ones when no CRI call is in flight, so a sandbox,
        // a pull and a start in a row show up as one change (Running, with the pod IP).
        if self.pods.get(uid).is_some_and(|w| w.last_status == 0 || w.busy.is_none()) {
            self.post_status(uid, k);
        }
    }

    /// A running pod that projects ConfigMaps or Secrets reads them again a sync period later, so
    /// that a change reaches its files.
    fn schedule_projection_resync(&mut self, uid: &str, k: &mut Kernel) {
        let Some(w) = self.pods.get_mut(uid) else { return };
        let running = w.stage == Stage::Active && w.sandbox.as_ref().is_some_and(|s| s.ready);
        if running && w.fetched && w.fetch_pending == 0 && w.refetch_at.is_none() && super::mounts::projects(&w.spec) {
            let at = k.now() + super::mounts::PROJECTION_RESYNC_MS;
            w.refetch_at = Some(at);
            self.wake(uid, at, k);
        }
    }

    fn enter_backoff(&mut self, uid: &str, i: usize, until: Millis, k: &mut Kernel) {
        let Some(w) = self.pods.get_mut(uid) else { return };
        let key = crash_key(w, i);
        let delay = self.crash_backoff.get(&key);
        let name = w.spec.container(i).name.clone();
        let pod = w.spec.format();
        let c = &mut w.containers[i];
        let message = format!("back-off {} restarting failed container={name} pod={pod}", go_duration(delay));
        if matches!(&c.status, CStatus::Waiting { reason, message: m } if reason == "CrashLoopBackOff" && *m == message)
        {
            return;
        }
        c.wait("CrashLoopBackOff", message);
        let _ = until;
        self.event(uid, "Warning", "BackOff", format!("Back-off restarting failed container {name} in pod {pod}"), k);
    }

    fn fetch(&mut self, uid: &str, k: &mut Kernel) {
        let Some(w) = self.pods.get_mut(uid) else { return };
        let refs = volumes::references(&w.spec);
        let ns = w.spec.namespace.clone();
        w.fetched = true;
        w.refetch_at = None;
        w.fetch_pending = refs.len() as u32;
        for (secret, name) in refs {
            let resource = rt(if secret { "secrets" } else { "configmaps" });
            self.api_get(
                resource,
                Some(&ns),
                &name,
                ApiOp::Fetch(uid.to_string(), ns.clone(), secret, name.clone()),
                k,
            );
        }
        let claims = self.fetch_claims(uid, k);
        if let Some(w) = self.pods.get_mut(uid) {
            w.fetch_pending += claims;
        }
    }

    fn run_sandbox(&mut self, uid: &str, attempt: u32, changed: bool, k: &mut Kernel) {
        let now = k.now();
        let Some(w) = self.pods.get(uid) else { return };
        let fetched = self.fetched_for(w);
        let claim_path = |claim: &str| self.claim_path(&w.spec.namespace, claim);
        let mount_error = self
            .claims_unmountable(&w.spec)
            .or_else(|| w.spec.all().find_map(|c| volumes::container_files(&w.spec, c, &fetched, &claim_path).err()))
            .or_else(|| self.set_up_volumes(uid, now).err());
        if let Some(message) = mount_error {
            let w = self.pods.get_mut(uid).expect("looked up above");
            w.mount_backoff = if w.mount_backoff == 0 { 2000 } else { (w.mount_backoff * 2).min(122_000) };
            w.retry_at = Some(now + w.mount_backoff);
            w.fetched = false;
            let at = now + w.mount_backoff;
            self.event(uid, "Warning", "FailedMount", message, k);
            self.wake(uid, at, k);
            return;
        }
        if changed {
            self.event(
                uid,
                "Normal",
                "SandboxChanged",
                "Pod sandbox changed, it will be killed and re-created.".into(),
                k,
            );
            let w = self.pods.get_mut(uid).expect("looked up above");
            for i in 0..w.spec.init.len() {
                w.containers[i].must_run = true;
            }
        }
        let w = self.pods.get_mut(uid).expect("looked up above");
        w.mount_backoff = 0;
        let cfg = SandboxConfig {
            pod_uid: uid.to_string(),
            namespace: w.spec.namespace.clone(),
            name: w.spec.name.clone(),
            hostname: w.spec.hostname.clone(),
            attempt,
            host_network: w.spec.host_network,
        };
        let id = self.cri_call(CriCall::RunPodSandbox(cfg), CriOp::Sandbox(uid.to_string()), k);
        if let Some(w) = self.pods.get_mut(uid) {
            w.busy = Some(id);
            if let Some(s) = &mut w.sandbox {
                s.attempt = attempt;
            }
        }
    }

    fn advance(&mut self, uid: &str, i: usize, k: &mut Kernel) -> Advance {
        let Some(w) = self.pods.get_mut(uid) else { return Advance::Sent };
        match w.containers[i].progress.clone() {
            Progress::Created(cid) => {
                let id =
                    self.cri_call(CriCall::StartContainer { container_id: cid }, CriOp::Start(uid.to_string(), i), k);
                if let Some(w) = self.pods.get_mut(uid) {
                    w.busy = Some(id);
                }
                Advance::Sent
            }
            Progress::ImageReady => self.create(uid, i, k),
            Progress::Idle => {
                let key = crash_key(w, i);
                let c = &mut w.containers[i];
                if let Some(t) = c.finished().map(|t| t.finished_at)
                    && c.crash_counted != Some(t)
                    && !c.must_run
                {
                    self.crash_backoff.next(&key, t);
                    c.crash_counted = Some(t);
                }
                self.ensure_image(uid, i, k)
            }
        }
    }

    fn create(&mut self, uid: &str, i: usize, k: &mut Kernel) -> Advance {
        let now = k.now();
        let Some(w) = self.pods.get(uid) else { return Advance::Sent };
        let parts = match self.launch_parts(w, i) {
            Ok(p) => p,
            Err(message) => {
                let w = self.pods.get_mut(uid).expect("looked up above");
                w.containers[i].wait("CreateContainerConfigError", message.clone());
                w.containers[i].retry_at = Some(now + 10_000);
                w.refetch_at = Some(now + 10_000);
                self.event(uid, "Warning", "Failed", format!("Error: {message}"), k);
                return Advance::Blocked;
            }
        };
        let spec = w.spec.container(i);
        let c = &w.containers[i];
        let Some(sandbox_id) = w.sandbox.as_ref().map(|s| s.id.clone()) else { return Advance::Blocked };
        let config = ContainerConfig {
            name: spec.name.clone(),
            pod_uid: uid.to_string(),
            pod: format!("{}/{}", w.spec.namespace, w.spec.name),
            image: spec.image.clone(),
            command: parts.command,
            args: parts.args,
            env: parts.env,
            memory_limit: spec.memory_limit,
            files: parts.files,
            mounts: parts.mounts,
            ports: parts.ports,
            expect_exit: parts.expect_exit,
            attempt: if c.id.is_some() { c.restarts + 1 } else { c.restarts },
            stdin: spec.stdin,
            stdin_once: spec.stdin_once,
            tty: spec.tty,
        };
        let id = self.cri_call(
            CriCall::CreateContainer { sandbox_id, config: Box::new(config) },
            CriOp::Create(uid.to_string(), i),
            k,
        );
        if let Some(w) = self.pods.get_mut(uid) {
            w.busy = Some(id);
        }
        Advance::Sent
    }

    /// Stops container `i` of a pod (probe failure, spec change, deletion), with a Killing event.
    pub(crate) fn kill(
        &mut self,
        uid: &str,
        i: usize,
        grace: i64,
        why: Option<KillReason>,
        message: String,
        k: &mut Kernel,
    ) {
        let Some(w) = self.pods.get_mut(uid) else { return };
        let c = &mut w.containers[i];
        let Some(cid) = c.id.clone().filter(|_| c.is_running() && !c.stopping) else { return };
        c.stopping = true;
        c.killing = why;
        c.restart_on_exit = why.is_some_and(|r| r != KillReason::PodStop);
        self.event(uid, "Normal", "Killing", message, k);
        self.cri_call(
            CriCall::StopContainer { container_id: cid, timeout_seconds: grace.max(2) },
            CriOp::Stop(uid.to_string(), i),
            k,
        );
    }

    /// Runs the probes that are due and acts on their results.
    pub(crate) fn run_probes(&mut self, uid: &str, k: &mut Kernel) {
        let now = k.now();
        let Some(w) = self.pods.get(uid) else { return };
        if w.stage != Stage::Active {
            return;
        }
        let pod_ip = if w.spec.host_network {
            self.config.internal_ip.clone()
        } else {
            w.sandbox.as_ref().map(|s| s.ip.clone()).unwrap_or_default()
        };
        let due: Vec<usize> = (0..w.containers.len())
            .filter(|&i| {
                w.containers[i].is_running()
                    && !w.containers[i].stopping
                    && probes::next_due(&w.containers[i]).is_some_and(|t| t <= now)
            })
            .collect();
        for i in due {
            let Some(w) = self.pods.get(uid) else { return };
            let Ok(parts) = self.launch_parts(w, i) else { continue };
            let spec = w.spec.container(i).clone();
            let grace = w.spec.grace_seconds;
            let w = self.pods.get_mut(uid).expect("looked up above");
            let CStatus::Running { started_at } = w.containers[i].status else { continue };
            let effects = {
                let host = self.host.borrow();
                let mut launch = parts.launch();
                launch.host = Some((&host.fs, now));
                launch.layer = w.containers[i].id.as_ref().and_then(|cid| host.layers.get(cid));
                if w.spec.host_network {
                    launch.host_listeners = &self.host_listeners;
                }
                probes::run_due(&mut w.containers[i], &spec, &launch, &pod_ip, started_at, now)
            };
            for e in effects {
                match e {
                    probes::Effect::Unhealthy(message) => self.event(uid, "Warning", "Unhealthy", message, k),
                    probes::Effect::Kill(why, message) => {
                        let probe = if why == KillReason::Startup { &spec.startup } else { &spec.liveness };
                        let g = probe.as_ref().and_then(|p| p.grace_seconds).unwrap_or(grace);
                        self.kill(uid, i, g, Some(why), message, k);
                    }
                }
            }
        }
    }

    /// A finished pod: stop sidecars (or everything, after a deadline), then the sandbox.
    fn finish(&mut self, uid: &str, k: &mut Kernel) {
        let Some(w) = self.pods.get(uid) else { return };
        let grace = w.spec.grace_seconds;
        let running: Vec<(usize, String)> = (0..w.containers.len())
            .filter(|&i| w.containers[i].is_running() && !w.containers[i].stopping)
            .map(|i| (i, w.spec.container(i).name.clone()))
            .collect();
        for (i, name) in running {
            self.kill(uid, i, grace, Some(KillReason::PodStop), format!("Stopping container {name}"), k);
        }
        let Some(w) = self.pods.get_mut(uid) else { return };
        if w.containers.iter().any(|c| c.stopping) || w.busy.is_some() {
            return;
        }
        if let Some(sid) = w.sandbox.as_ref().filter(|s| s.ready).map(|s| s.id.clone()) {
            let id = self.cri_call(CriCall::StopPodSandbox { sandbox_id: sid }, CriOp::StopSandbox(uid.to_string()), k);
            if let Some(w) = self.pods.get_mut(uid) {
                w.busy = Some(id);
            }
        }
    }

    /// Deletes the pod object for good (`grace_seconds: 0`) once everything on the node is down.
    pub(crate) fn delete_object(&mut self, uid: &str, k: &mut Kernel) {
        let Some(w) = self.pods.get_mut(uid) else { return };
        w.stage = Stage::Finished;
        let (ns, name) = (w.spec.namespace.clone(), w.spec.name.clone());
        self.api_action(
            Action::Delete {
                resource: rt("pods"),
                namespace: Some(ns),
                name,
                propagation: None,
                grace_seconds: Some(0),
            },
            ApiOp::PodDelete(uid.to_string()),
            k,
        );
    }
}
