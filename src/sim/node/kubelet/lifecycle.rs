//! The pod lifecycle on a node: what the kubelet's pod worker does, one CRI call at a time.
//!
//! ```text
//!  pod bound here ──► admit? ──no──► phase Failed (OutOfcpu, NodeAffinity...)            [Rejected]
//!       │ yes
//!       ▼
//!  GET referenced ConfigMaps/Secrets ──► volumes ok? ──no──► FailedMount, retry 2s..2m2s
//!       ▼
//!  RunPodSandbox ──► IP ──► PodReadyToStartContainers
//!       ▼
//!  init containers, in order:   pull (serialized, back-off 10s..5m: ErrImagePull/ImagePullBackOff)
//!       each must exit 0        ──► CreateContainer ──► StartContainer ──► exit 0 ──► next
//!                               exit ≠ 0: restartPolicy Never ──► pod Failed
//!                                         otherwise restart after back-off (Init:CrashLoopBackOff)
//!       ▼ Initialized
//!  app containers: pull ──► create ──► start ──► running ── probes (startup ▸ liveness, readiness)
//!       exit: Always / OnFailure(≠0) ──► restart after back-off 10s, 20s, ... 5m (CrashLoopBackOff)
//!             Never / OnFailure(0)   ──► stays terminated ──► all done ──► StopPodSandbox
//!                                                                          phase Succeeded/Failed
//!  deletionTimestamp ──► StopContainer(grace) each (Killing) ──► StopPodSandbox
//!                    ──► final status ──► DELETE grace 0 ──► watch DELETED ──► RemovePodSandbox
//! ```
//! `plan` decides the next step from the worker's state alone (upstream's `computePodActions`);
//! `sync.rs` performs it. Every step that waits (a pull, a back-off, a probe) ends the sync, and a
//! CRI answer (`replies.rs`), a container exit or a timer resumes it.

use super::podspec::RestartPolicy;
use super::status;
use super::worker::{PodWorker, Progress};
use crate::sim::node::backoff::Backoff;
use crate::sim::time::Millis;

/// The next step for a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Something is in flight or must finish first (an init container, a fetch, a back-off).
    Wait,
    /// GET the ConfigMaps and Secrets the pod refers to.
    Fetch,
    RunSandbox {
        attempt: u32,
        changed: bool,
    },
    /// Pull, create or start container `i` (init containers first, then app containers).
    Start(usize),
    /// The pod has finished: stop what still runs, then its sandbox.
    Finish,
    /// All containers are where they should be.
    Idle,
}

/// A plan, the containers that must wait in crash-loop back-off (index, until), and when to wake up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub plan: Plan,
    pub backoffs: Vec<(usize, Millis)>,
    pub wake: Option<Millis>,
}

/// The crash-loop back-off key of a container (one per pod and container name).
pub fn crash_key(w: &PodWorker, i: usize) -> String {
    format!("{}_{}", w.spec.uid, w.spec.container(i).name)
}

/// Whether container `i` should be (re)started now, back-offs aside.
pub fn wants_start(w: &PodWorker, i: usize) -> bool {
    let c = &w.containers[i];
    let spec = w.spec.container(i);
    if c.is_running() || c.stopping {
        return false;
    }
    if c.progress != Progress::Idle || c.must_run {
        return true;
    }
    let Some(t) = c.finished() else { return true };
    let policy = w.spec.restart_policy;
    if spec.sidecar {
        return true;
    }
    if w.spec.is_init(i) {
        return t.exit_code != 0 && policy != RestartPolicy::Never;
    }
    if c.restart_on_exit {
        return policy != RestartPolicy::Never;
    }
    match policy {
        RestartPolicy::Always => true,
        RestartPolicy::OnFailure => t.exit_code != 0,
        RestartPolicy::Never => false,
    }
}

fn backoff_until(w: &PodWorker, i: usize, now: Millis, crash: &Backoff) -> Option<Millis> {
    let c = &w.containers[i];
    if c.progress != Progress::Idle || c.must_run {
        return None;
    }
    let t = c.finished()?;
    if c.crash_counted == Some(t.finished_at) {
        return None; // this restart already went through the back-off check
    }
    let key = crash_key(w, i);
    crash.in_backoff_since(&key, t.finished_at, now).then(|| t.finished_at + crash.get(&key))
}

/// Decides the next step (upstream: `computePodActions`). `needs_refs`: the pod refers to
/// ConfigMaps or Secrets.
pub fn plan(w: &PodWorker, needs_refs: bool, now: Millis, crash: &Backoff) -> Decision {
    let mut d = Decision { plan: Plan::Wait, backoffs: Vec::new(), wake: None };
    let earliest = |d: &mut Decision, t: Millis| d.wake = Some(d.wake.map_or(t, |w| w.min(t)));
    if w.busy.is_some() || w.fetch_pending > 0 {
        return d;
    }
    if status::is_terminal(w) {
        d.plan = Plan::Finish;
        return d;
    }
    if let Some(t) = w.retry_at.filter(|t| *t > now) {
        earliest(&mut d, t);
        return d;
    }
    if needs_refs && (!w.fetched || w.refetch_at.is_some_and(|t| t <= now)) {
        d.plan = Plan::Fetch;
        return d;
    }
    if let Some(t) = w.refetch_at {
        earliest(&mut d, t);
    }
    match &w.sandbox {
        None => {
            d.plan = Plan::RunSandbox { attempt: 0, changed: false };
            return d;
        }
        Some(s) if !s.ready => {
            d.plan = Plan::RunSandbox { attempt: s.attempt + 1, changed: true };
            return d;
        }
        Some(_) => {}
    }
    let init = w.spec.init.len();
    for i in 0..init {
        let c = &w.containers[i];
        if c.is_running() || c.stopping {
            if w.spec.init[i].sidecar && c.started && !c.stopping {
                continue;
            }
            return d;
        }
        if !wants_start(w, i) {
            continue;
        }
        if let Some(t) = c.retry_at.filter(|t| *t > now) {
            earliest(&mut d, t);
            return d;
        }
        if let Some(until) = backoff_until(w, i, now, crash) {
            d.backoffs.push((i, until));
            earliest(&mut d, until);
            return d;
        }
        d.plan = Plan::Start(i);
        return d;
    }
    d.plan = Plan::Idle;
    for j in init..w.containers.len() {
        if !wants_start(w, j) {
            continue;
        }
        if let Some(t) = w.containers[j].retry_at.filter(|t| *t > now) {
            earliest(&mut d, t);
            continue;
        }
        if let Some(until) = backoff_until(w, j, now, crash) {
            d.backoffs.push((j, until));
            earliest(&mut d, until);
            continue;
        }
        d.plan = Plan::Start(j);
        return d;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::podspec;
    use super::super::worker::{CState, CStatus, SandboxState, Terminated};
    use super::*;
    use serde_json::json;

    fn worker(spec: serde_json::Value) -> PodWorker {
        let mut w = PodWorker::new(
            podspec::parse(&json!({"metadata": {"name": "p", "namespace": "d", "uid": "u"}, "spec": spec})),
            0,
        );
        w.sandbox = Some(SandboxState { id: "s".into(), ip: "10.244.1.2".into(), attempt: 0, ready: true });
        w
    }

    fn term(code: i32, at: Millis) -> CStatus {
        CStatus::Terminated(Terminated {
            exit_code: code,
            reason: "Error".into(),
            started_at: 0,
            finished_at: at,
            container_id: "c".into(),
        })
    }

    fn run(c: &mut CState) {
        c.status = CStatus::Running { started_at: 0 };
        c.id = Some("c".into());
        c.started = true;
    }

    #[test]
    fn sandbox_first_then_init_containers_in_order() {
        let spec = json!({"initContainers": [{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox"}], "containers": [{"name": "app", "image": "nginx"}]});
        let mut w = worker(spec.clone());
        w.sandbox = None;
        assert_eq!(plan(&w, false, 0, &Backoff::default()).plan, Plan::RunSandbox { attempt: 0, changed: false });
        let mut w = worker(spec);
        assert_eq!(plan(&w, false, 0, &Backoff::default()).plan, Plan::Start(0));
        run(&mut w.containers[0]);
        assert_eq!(plan(&w, false, 0, &Backoff::default()).plan, Plan::Wait, "init a is running");
        w.containers[0].status = term(0, 5);
        assert_eq!(plan(&w, false, 5, &Backoff::default()).plan, Plan::Start(1));
        w.containers[1].status = term(0, 6);
        w.containers[1].id = Some("x".into());
        assert_eq!(plan(&w, false, 6, &Backoff::default()).plan, Plan::Start(2));
    }

    #[test]
    fn failed_init_restarts_with_backoff_or_fails_the_pod() {
        let spec = |policy: &str| json!({"restartPolicy": policy, "initContainers": [{"name": "a", "image": "busybox"}], "containers": [{"name": "app", "image": "nginx"}]});
        let mut w = worker(spec("Never"));
        w.containers[0].status = term(1, 5);
        w.containers[0].id = Some("c".into());
        assert_eq!(plan(&w, false, 5, &Backoff::default()).plan, Plan::Finish);
        let mut w = worker(spec("Always"));
        w.containers[0].status = term(1, 5);
        w.containers[0].id = Some("c".into());
        let mut crash = Backoff::default();
        assert_eq!(plan(&w, false, 5, &crash).plan, Plan::Start(0), "the first restart is immediate");
        crash.next("u_a", 1);
        let d = plan(&w, false, 6, &crash);
        assert_eq!((d.plan, d.backoffs, d.wake), (Plan::Wait, vec![(0, 10_005)], Some(10_005)));
    }

    #[test]
    fn restart_policies_for_app_containers() {
        for (policy, code, want) in [
            ("Always", 0, true),
            ("Always", 1, true),
            ("OnFailure", 0, false),
            ("OnFailure", 2, true),
            ("Never", 1, false),
        ] {
            let mut w = worker(json!({"restartPolicy": policy, "containers": [{"name": "app", "image": "busybox"}]}));
            w.containers[0].status = term(code, 5);
            w.containers[0].id = Some("c".into());
            assert_eq!(wants_start(&w, 0), want, "{policy} exit {code}");
        }
        let mut w = worker(json!({"restartPolicy": "OnFailure", "containers": [{"name": "app", "image": "nginx"}]}));
        w.containers[0].status = term(0, 5);
        w.containers[0].id = Some("c".into());
        w.containers[0].restart_on_exit = true;
        assert!(wants_start(&w, 0), "a liveness kill restarts even with exit 0");
    }

    #[test]
    fn blocked_containers_do_not_block_the_others() {
        let mut w =
            worker(json!({"containers": [{"name": "a", "image": "nginx:nosuchtag"}, {"name": "b", "image": "nginx"}]}));
        w.containers[0].retry_at = Some(10_000);
        let d = plan(&w, false, 1000, &Backoff::default());
        assert_eq!((d.plan, d.wake), (Plan::Start(1), Some(10_000)));
    }

    #[test]
    fn references_are_fetched_before_the_sandbox() {
        let mut w = worker(json!({"containers": [{"name": "a", "image": "nginx"}]}));
        w.sandbox = None;
        assert_eq!(plan(&w, true, 0, &Backoff::default()).plan, Plan::Fetch);
        w.fetched = true;
        w.fetch_pending = 1;
        assert_eq!(plan(&w, true, 0, &Backoff::default()).plan, Plan::Wait);
    }

    #[test]
    fn sidecars_let_the_next_init_start_once_started() {
        let mut w = worker(
            json!({"initContainers": [{"name": "log", "image": "alpine", "restartPolicy": "Always"}], "containers": [{"name": "app", "image": "nginx"}]}),
        );
        run(&mut w.containers[0]);
        assert_eq!(plan(&w, false, 0, &Backoff::default()).plan, Plan::Start(1));
        w.containers[0].started = false;
        assert_eq!(plan(&w, false, 0, &Backoff::default()).plan, Plan::Wait);
    }

    #[test]
    fn completed_pods_finish() {
        let mut w = worker(json!({"restartPolicy": "Never", "containers": [{"name": "a", "image": "busybox"}]}));
        w.containers[0].status = term(0, 5);
        w.containers[0].id = Some("c".into());
        assert_eq!(plan(&w, false, 5, &Backoff::default()).plan, Plan::Finish);
    }
}
