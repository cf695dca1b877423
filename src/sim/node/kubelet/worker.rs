//! The kubelet's memory of one pod (its "pod worker"): sandbox, per-container state, probes, and what
//! it last reported. Small on purpose; the spec is the compact `PodSpec`.

use super::podspec::PodSpec;
use crate::sim::node::behaviour::Behaviour;
use crate::sim::node::cri::{ContainerInfo, ContainerState, SandboxInfo};
use crate::sim::sort::StableSort;
use crate::sim::time::Millis;

/// A finished container instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Terminated {
    pub exit_code: i32,
    pub reason: String,
    pub started_at: Millis,
    pub finished_at: Millis,
    pub container_id: String,
}

/// A container's state as containerStatuses shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CStatus {
    Waiting { reason: String, message: String },
    Running { started_at: Millis },
    Terminated(Terminated),
}

/// How far the next start of a container has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Nothing done yet for the next start.
    Idle,
    /// The image is present (pulled or checked): create next.
    ImageReady,
    /// Created, not started yet.
    Created(String),
}

/// Why the kubelet is killing a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillReason {
    Liveness,
    Startup,
    /// The container's spec changed (a new image): it is restarted with the new one.
    Definition,
    /// The pod is being deleted or has finished.
    PodStop,
}

/// One probe's worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProbeState {
    /// When it runs next; `None` when its answer cannot change.
    pub next_at: Option<Millis>,
    pub successes: u32,
    pub failures: u32,
    /// The last settled result (`None` before the first threshold is reached).
    pub result: Option<bool>,
}

/// The kubelet's state for one container (init containers first, then app containers).
#[derive(Debug, Clone)]
pub struct CState {
    pub status: CStatus,
    pub last: Option<Terminated>,
    pub restarts: u32,
    pub progress: Progress,
    /// The container id of the current (or last) instance.
    pub id: Option<String>,
    /// `docker.io/library/nginx:latest` and its repo digest, once known.
    pub image: Option<(String, String)>,
    pub ready: bool,
    /// Startup probe passed (or there is none) for the current instance.
    pub started: bool,
    /// Startup, liveness, readiness.
    pub probes: [ProbeState; 3],
    pub killing: Option<KillReason>,
    /// The behaviour of the current instance (logs, probes, exec).
    pub behaviour: Option<Behaviour>,
    /// Start and end of the previous instance, for `kubectl logs --previous`.
    pub previous: Option<(Millis, Millis)>,
    /// A stop is in flight for this container.
    pub stopping: bool,
    /// Not before this time: image pull back-off, config errors, failed creates.
    pub retry_at: Option<Millis>,
    /// Killed by a probe or a spec change: restart even if the policy would not for its exit code.
    pub restart_on_exit: bool,
    /// Must run again although it completed (init containers after the sandbox was re-created).
    pub must_run: bool,
    /// The exit (by its finish time) already counted in the crash-loop back-off.
    pub crash_counted: Option<Millis>,
}

impl CState {
    /// A container that has not been created yet, waiting for `waiting_reason`.
    pub fn new(waiting_reason: &str) -> CState {
        CState {
            status: CStatus::Waiting { reason: waiting_reason.to_string(), message: String::new() },
            last: None,
            restarts: 0,
            progress: Progress::Idle,
            id: None,
            image: None,
            ready: false,
            started: false,
            probes: [ProbeState::default(); 3],
            killing: None,
            behaviour: None,
            previous: None,
            stopping: false,
            retry_at: None,
            restart_on_exit: false,
            must_run: false,
            crash_counted: None,
        }
    }

    /// Whether its process runs (probes, exec and logs need that).
    pub fn is_running(&self) -> bool {
        matches!(self.status, CStatus::Running { .. })
    }

    /// The last time this container ended, if it has ended before.
    pub fn finished(&self) -> Option<&Terminated> {
        match &self.status {
            CStatus::Terminated(t) => Some(t),
            _ => self.last.as_ref(),
        }
    }

    /// Sets a waiting reason, keeping a terminated instance as `lastState`.
    pub fn wait(&mut self, reason: &str, message: String) {
        if let CStatus::Terminated(t) =
            std::mem::replace(&mut self.status, CStatus::Waiting { reason: reason.to_string(), message })
        {
            self.last = Some(t);
        }
    }
}

/// The sandbox of a pod.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SandboxState {
    pub id: String,
    pub ip: String,
    pub attempt: u32,
    pub ready: bool,
}

/// Where a pod is in its life on this node.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Admitted; working towards running containers.
    Active,
    /// Refused at admission (`OutOfcpu`...): reported once, nothing runs.
    Rejected { reason: String, message: String },
    /// Deleted through the API: stopping containers, then the sandbox, then removing the object.
    Terminating,
    /// Final status written and the object deleted: waiting for the watch's DELETED.
    Finished,
    /// Already finished before this kubelet (re)started: nothing to run, nothing to report.
    Done,
}

/// Value and last transition time of the kubelet's four pod conditions, in the order
/// `status::condition_values` lists them.
pub type Conditions = [Option<(bool, Millis)>; 4];

/// One pod on this node.
#[derive(Debug, Clone)]
pub struct PodWorker {
    pub spec: PodSpec,
    pub stage: Stage,
    pub sandbox: Option<SandboxState>,
    pub containers: Vec<CState>,
    /// The sequential CRI call in flight (pull, create, start, sandbox), by request id.
    pub busy: Option<u64>,
    /// When the worker asked to be woken up.
    pub wake_at: Option<Millis>,
    pub start_time: Millis,
    pub conditions: Conditions,
    /// Hash of the last status sent (no patch when nothing changed).
    pub last_status: u64,
    /// GETs of referenced ConfigMaps/Secrets still in flight.
    pub fetch_pending: u32,
    /// The referenced ConfigMaps/Secrets were fetched.
    pub fetched: bool,
    /// Fetch them again at this time (a container is waiting for a missing one).
    pub refetch_at: Option<Millis>,
    /// Pod-level retry gate (sandbox creation or volume setup failed): not before this time.
    pub retry_at: Option<Millis>,
    /// Current delay between volume setup attempts (doubles to 2m2s like the volume manager).
    pub mount_backoff: Millis,
    /// The pod object is gone from the API (force deletion or our own final delete).
    pub deleted: bool,
    /// The pod failed for a reason of its own (`DeadlineExceeded`).
    pub failure: Option<(String, String)>,
}

impl PodWorker {
    /// A hash of everything the pod's status shows: when it is unchanged, no status is built or sent.
    pub fn status_fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = crate::sim::node::Fnv::default();
        (&self.stage, &self.failure, &self.sandbox, self.start_time, &self.conditions).hash(&mut h);
        for c in &self.containers {
            (&c.status, &c.last, c.restarts, &c.id, &c.image, c.ready, c.started).hash(&mut h);
        }
        h.finish()
    }

    /// A worker for a pod just seen, nothing created yet.
    pub fn new(spec: PodSpec, now: Millis) -> PodWorker {
        let n = spec.init.len() + spec.containers.len();
        // As the kubelet's default waiting state: every container of a pod with init containers is
        // `PodInitializing` until it is created, otherwise `ContainerCreating`.
        let reason = if spec.init.is_empty() { "ContainerCreating" } else { "PodInitializing" };
        let containers = (0..n).map(|_| CState::new(reason)).collect();
        PodWorker {
            start_time: spec.start_time.unwrap_or(now),
            spec,
            stage: Stage::Active,
            sandbox: None,
            containers,
            busy: None,
            wake_at: None,
            conditions: [None; 4],
            last_status: 0,
            fetch_pending: 0,
            fetched: false,
            refetch_at: None,
            retry_at: None,
            mount_backoff: 0,
            deleted: false,
            failure: None,
        }
    }

    /// Rebuilds state from what the runtime still has (a restarted kubelet adopts its containers).
    pub fn adopt(&mut self, sandboxes: &[SandboxInfo], containers: &[ContainerInfo]) {
        let uid = &self.spec.uid;
        if let Some(s) = sandboxes.iter().filter(|s| &s.pod_uid == uid).max_by_key(|s| s.attempt) {
            self.sandbox =
                Some(SandboxState { id: s.id.clone(), ip: s.ip.clone(), attempt: s.attempt, ready: s.ready });
        }
        let names: Vec<String> = self.spec.all().map(|c| c.name.clone()).collect();
        for (i, name) in names.iter().enumerate() {
            let mut mine: Vec<&ContainerInfo> =
                containers.iter().filter(|c| &c.pod_uid == uid && &c.name == name).collect();
            mine.stable_sort_by_key(|c| c.attempt);
            let term = |c: &ContainerInfo| Terminated {
                exit_code: c.exit_code.unwrap_or(0),
                reason: c.reason.clone(),
                started_at: c.started_at.unwrap_or(c.created_at),
                finished_at: c.finished_at.unwrap_or(c.created_at),
                container_id: c.id.clone(),
            };
            let Some(latest) = mine.last() else { continue };
            let st = &mut self.containers[i];
            st.restarts = latest.attempt;
            st.id = Some(latest.id.clone());
            st.image = Some((String::new(), latest.image_ref.clone()));
            if mine.len() > 1 {
                st.last = Some(term(mine[mine.len() - 2]));
            }
            st.status = match latest.state {
                ContainerState::Running => {
                    CStatus::Running { started_at: latest.started_at.unwrap_or(latest.created_at) }
                }
                ContainerState::Exited => CStatus::Terminated(term(latest)),
                ContainerState::Created => {
                    st.progress = super::worker::Progress::Created(latest.id.clone());
                    CStatus::Waiting { reason: "ContainerCreating".into(), message: String::new() }
                }
            };
            st.started = st.is_running();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::podspec;
    use super::*;
    use serde_json::json;

    fn worker() -> PodWorker {
        let pod = json!({"metadata": {"name": "p", "namespace": "d", "uid": "u"},
            "spec": {"initContainers": [{"name": "i1", "image": "busybox"}, {"name": "i2", "image": "busybox"}],
                     "containers": [{"name": "app", "image": "nginx"}]}});
        PodWorker::new(podspec::parse(&pod), 5)
    }

    #[test]
    fn initial_waiting_reasons() {
        let w = worker();
        let reasons: Vec<String> = w
            .containers
            .iter()
            .map(|c| match &c.status {
                CStatus::Waiting { reason, .. } => reason.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(reasons, vec!["PodInitializing", "PodInitializing", "PodInitializing"]);
        assert_eq!(w.start_time, 5);
    }

    #[test]
    fn adoption_takes_the_latest_attempt() {
        let mut w = worker();
        let info = |id: &str, name: &str, attempt: u32, state: ContainerState| ContainerInfo {
            id: id.into(),
            sandbox_id: "s".into(),
            pod_uid: "u".into(),
            name: name.into(),
            attempt,
            image_ref: "img".into(),
            state,
            created_at: 1,
            started_at: Some(2),
            finished_at: (state == ContainerState::Exited).then_some(3),
            exit_code: (state == ContainerState::Exited).then_some(255),
            reason: "Unknown".into(),
        };
        let sandboxes =
            vec![SandboxInfo { id: "s".into(), pod_uid: "u".into(), attempt: 0, ready: false, ip: String::new() }];
        let containers = vec![
            info("a", "app", 0, ContainerState::Exited),
            info("b", "app", 1, ContainerState::Running),
            info("c", "i1", 0, ContainerState::Exited),
        ];
        w.adopt(&sandboxes, &containers);
        assert_eq!(w.containers[2].restarts, 1);
        assert!(w.containers[2].is_running());
        assert_eq!(w.containers[2].last.as_ref().map(|t| t.exit_code), Some(255));
        assert!(matches!(w.containers[0].status, CStatus::Terminated(_)));
        assert_eq!(w.sandbox.as_ref().map(|s| s.ready), Some(false));
    }

    #[test]
    fn waiting_keeps_the_last_termination() {
        let mut c = CState::new("ContainerCreating");
        c.status = CStatus::Terminated(Terminated {
            exit_code: 1,
            reason: "Error".into(),
            started_at: 0,
            finished_at: 1,
            container_id: "x".into(),
        });
        c.wait("CrashLoopBackOff", "back-off".into());
        assert_eq!(c.last.as_ref().map(|t| t.exit_code), Some(1));
        assert_eq!(c.finished().map(|t| t.exit_code), Some(1));
    }
}
