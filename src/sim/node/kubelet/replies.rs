//! The runtime's answers to the kubelet's lifecycle calls (sandbox, create, start, stop) and the
//! container exits it reports, applied to the pod workers.

use super::worker::{CStatus, Progress, SandboxState, Terminated};
use super::{CriOp, Kubelet, probes};
use crate::sim::kernel::Kernel;
use crate::sim::node::behaviour::Behaviour;
use crate::sim::node::cri::{CriCall, CriError, CriResult};
use crate::sim::time::Millis;

impl Kubelet {
    /// A container ended by itself (reported on the runtime's event stream).
    pub(crate) fn container_exited(
        &mut self,
        uid: &str,
        cid: &str,
        code: i32,
        reason: &str,
        at: Millis,
        k: &mut Kernel,
    ) {
        let Some(w) = self.pods.get_mut(uid) else { return };
        let Some(c) = w.containers.iter_mut().find(|c| c.id.as_deref() == Some(cid)) else { return };
        if let CStatus::Running { started_at } = c.status {
            c.status = CStatus::Terminated(Terminated {
                exit_code: code,
                reason: reason.to_string(),
                started_at,
                finished_at: at,
                container_id: cid.to_string(),
            });
            probes::on_stop(c);
        }
        // The exit is reported before the restart begins (`Error`, then `Running` or `CrashLoopBackOff`).
        if w.busy.is_none() {
            self.post_status(uid, k);
        }
        self.sync(uid, k);
    }

    /// Handles the answer to a lifecycle CRI call.
    pub(crate) fn lifecycle_reply(&mut self, op: CriOp, id: u64, result: Result<CriResult, CriError>, k: &mut Kernel) {
        let now = k.now();
        match op {
            CriOp::Pull(uid, i, queued, sent) => self.pull_done(&uid, i, queued, sent, result, k),
            CriOp::Sandbox(uid) => {
                let Some(w) = self.pods.get_mut(&uid) else {
                    if let Ok(CriResult::SandboxReady { sandbox_id, .. }) = result {
                        self.cri_call(CriCall::RemovePodSandbox { sandbox_id }, CriOp::RemoveSandbox, k);
                    }
                    return;
                };
                if w.busy == Some(id) {
                    w.busy = None;
                }
                match result {
                    Ok(CriResult::SandboxReady { sandbox_id, ip }) => {
                        let attempt = w.sandbox.as_ref().map_or(0, |s| s.attempt);
                        w.sandbox = Some(SandboxState { id: sandbox_id, ip, attempt, ready: true });
                        w.retry_at = None;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        w.retry_at = Some(now + 10_000);
                        self.event(
                            &uid,
                            "Warning",
                            "FailedCreatePodSandBox",
                            format!("Failed to create pod sandbox: {e}"),
                            k,
                        );
                        self.wake(&uid, now + 10_000, k);
                    }
                }
                self.sync(&uid, k);
            }
            CriOp::Create(uid, i) => {
                let Some(w) = self.pods.get_mut(&uid) else { return };
                if w.busy == Some(id) {
                    w.busy = None;
                }
                match result {
                    Ok(CriResult::ContainerCreated { container_id }) => {
                        w.containers[i].progress = Progress::Created(container_id);
                        let name = w.spec.container(i).name.clone();
                        self.event(&uid, "Normal", "Created", format!("Created container: {name}"), k);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let c = &mut w.containers[i];
                        c.progress = Progress::Idle;
                        c.wait("CreateContainerError", e.message.clone());
                        c.retry_at = Some(now + 10_000);
                        self.event(&uid, "Warning", "Failed", format!("Error: {}", e.message), k);
                    }
                }
                self.sync(&uid, k);
            }
            CriOp::Start(uid, i) => {
                let Some(w) = self.pods.get_mut(&uid) else { return };
                if w.busy == Some(id) {
                    w.busy = None;
                }
                match result {
                    Ok(CriResult::ContainerStarted { container_id, started_at }) => {
                        self.started(&uid, i, container_id, started_at, k)
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let c = &mut w.containers[i];
                        c.progress = Progress::Idle;
                        c.wait("RunContainerError", e.to_string());
                        c.retry_at = Some(now + 10_000);
                        self.event(&uid, "Warning", "Failed", format!("Error: {e}"), k);
                    }
                }
                self.sync(&uid, k);
            }
            CriOp::Stop(uid, i) => {
                let Some(w) = self.pods.get_mut(&uid) else { return };
                let c = &mut w.containers[i];
                c.stopping = false;
                if let (
                    CStatus::Running { started_at },
                    Ok(CriResult::ContainerStopped { container_id, exit_code, reason, finished_at }),
                ) = (&c.status, &result)
                {
                    c.status = CStatus::Terminated(Terminated {
                        exit_code: *exit_code,
                        reason: reason.clone(),
                        started_at: *started_at,
                        finished_at: *finished_at,
                        container_id: container_id.clone(),
                    });
                    probes::on_stop(c);
                } else if let (CStatus::Running { started_at }, Ok(_)) = (&c.status, &result) {
                    let t = Terminated {
                        exit_code: 137,
                        reason: "Error".into(),
                        started_at: *started_at,
                        finished_at: now,
                        container_id: c.id.clone().unwrap_or_default(),
                    };
                    c.status = CStatus::Terminated(t);
                    probes::on_stop(c);
                }
                self.sync(&uid, k);
            }
            CriOp::StopSandbox(uid) => {
                let Some(w) = self.pods.get_mut(&uid) else { return };
                if w.busy == Some(id) {
                    w.busy = None;
                }
                if let Some(s) = &mut w.sandbox {
                    s.ready = false;
                }
                for c in &mut w.containers {
                    if let CStatus::Running { started_at } = c.status {
                        c.status = CStatus::Terminated(Terminated {
                            exit_code: 137,
                            reason: "Error".into(),
                            started_at,
                            finished_at: now,
                            container_id: c.id.clone().unwrap_or_default(),
                        });
                        probes::on_stop(c);
                    }
                }
                self.sync(&uid, k);
            }
            CriOp::RemoveSandbox | CriOp::Events | CriOp::List | CriOp::Images => {}
        }
    }

    fn started(&mut self, uid: &str, i: usize, cid: String, started_at: Millis, k: &mut Kernel) {
        let Some(w) = self.pods.get(uid) else { return };
        let behaviour = self.process(&cid).or_else(|| self.launch_parts(w, i).ok().map(|p| Behaviour::of(&p.launch())));
        let spec = w.spec.container(i).clone();
        let w = self.pods.get_mut(uid).expect("looked up above");
        let c = &mut w.containers[i];
        if c.id.is_some() {
            c.restarts += 1;
        }
        match std::mem::replace(&mut c.status, CStatus::Running { started_at }) {
            CStatus::Terminated(t) => {
                c.previous = Some((t.started_at, t.finished_at));
                c.last = Some(t);
            }
            CStatus::Waiting { .. } => {
                if let Some(t) = &c.last {
                    c.previous = Some((t.started_at, t.finished_at));
                }
            }
            CStatus::Running { .. } => {}
        }
        c.id = Some(cid);
        c.progress = Progress::Idle;
        c.retry_at = None;
        c.must_run = false;
        c.restart_on_exit = false;
        c.killing = None;
        c.behaviour = behaviour;
        probes::on_start(c, &spec, started_at);
        self.event(uid, "Normal", "Started", format!("Started container {}", spec.name), k);
    }
}
