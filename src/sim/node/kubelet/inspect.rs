//! What `kubectl logs`, `kubectl exec` and `kubectl top` ask a kubelet, answered from the containers'
//! simulated behaviour, with the kubelet's and the API server's wording for errors.

use super::launch::LaunchParts;
use super::worker::{CState, CStatus, PodWorker};
use super::{Kubelet, status};
use crate::sim::node::behaviour::Behaviour;
use crate::sim::node::behaviour::exec::{ExecOutput, exec_run, not_found_message};
use crate::sim::node::behaviour::net::Network;
use crate::sim::node::behaviour::timeline;
use crate::sim::node::cri::short_id;
use crate::sim::node::host::fs::Op;
use crate::sim::node::host::on_host;
use crate::sim::node::stable_hash;
use crate::sim::protocol::stream::{ExecEnd, ExecResult};
use crate::sim::sort::StableSort;
use crate::sim::time::Millis;

/// The most lines `kubectl logs` gets from one container (the kubelet rotates log files).
pub const MAX_LOG_LINES: usize = 10_000;

/// What the kubelet's `/metrics/resource` reports (the wire's types, `protocol/kubelet.rs`).
pub use crate::sim::protocol::kubelet::{ContainerUsage, PodUsage};

/// The node's resource use (`kubectl top node`), system daemons included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeUsage {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub pods: Vec<PodUsage>,
}

/// A running container's request loop (`while sleep 0.01; do wget -q -O- http://svc; done`): the
/// host and port it asks, and how many requests a second.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestLoop {
    pub namespace: String,
    pub host: String,
    pub port: u16,
    pub per_second: f64,
}

/// What the kubelet, containerd and the OS use on every node.
const SYSTEM_CPU_MILLIS: u64 = 60;
const SYSTEM_MEMORY: u64 = 600 << 20;

/// What an exec runs and what its streams carry: the command, its stdin (`-i`) and whether a
/// terminal is attached (`-t`: an interactive shell prints its prompt).
#[derive(Debug, Clone, Copy)]
pub struct ExecIo<'a> {
    pub argv: &'a [String],
    pub stdin: Option<&'a str>,
    pub tty: bool,
}

impl Kubelet {
    fn find(&self, namespace: &str, pod: &str, container: Option<&str>) -> Result<(&PodWorker, usize), String> {
        let w = self
            .keys
            .get(&(namespace.to_string(), pod.to_string()))
            .and_then(|uid| self.pods.get(uid))
            .ok_or_else(|| format!("pods \"{pod}\" not found"))?;
        let names =
            |v: &[super::podspec::ContainerSpec]| v.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" ");
        let i = match container {
            Some(name) => w
                .spec
                .all()
                .position(|c| c.name == name)
                .ok_or_else(|| format!("container {name} is not valid for pod {pod}"))?,
            None if w.spec.containers.len() == 1 => w.spec.init.len(),
            None if w.spec.containers.is_empty() => {
                return Err(format!("a container name must be specified for pod {pod}"));
            }
            None => {
                let mut e = format!(
                    "a container name must be specified for pod {pod}, choose one of: [{}]",
                    names(&w.spec.containers)
                );
                if !w.spec.init.is_empty() {
                    e.push_str(&format!(" or one of the init containers: [{}]", names(&w.spec.init)));
                }
                return Err(e);
            }
        };
        Ok((w, i))
    }

    /// `kubectl logs` with the time of each line (for `--timestamps` and `--since`).
    pub fn logs_with_times(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
        now: Millis,
    ) -> Result<Vec<(Millis, String)>, String> {
        let (w, i) = self.find(namespace, pod, container)?;
        let c = &w.containers[i];
        let name = &w.spec.container(i).name;
        let window = log_window(c, previous, now).map_err(|why| match why {
            Why::NoPrevious => format!("previous terminated container {name:?} in pod {pod:?} not found"),
            Why::Terminated => format!("container {name:?} in pod {pod:?} is terminated"),
            Why::Waiting(reason) => match reason.as_str() {
                "ErrImagePull" => {
                    format!("container {name:?} in pod {pod:?} is waiting to start: image can't be pulled")
                }
                "ImagePullBackOff" => {
                    format!("container {name:?} in pod {pod:?} is waiting to start: trying and failing to pull image")
                }
                other => format!("container {name:?} in pod {pod:?} is waiting to start: {other}"),
            },
        })?;
        let (started, until) = window;
        let Some(b) = &c.behaviour else { return Ok(Vec::new()) };
        Ok(timeline::log_lines(b, started, until.saturating_sub(started), MAX_LOG_LINES))
    }

    /// `kubectl logs [--previous]`: the container's output lines, or the error the API returns.
    pub fn logs(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
        now: Millis,
    ) -> Result<Vec<String>, String> {
        Ok(self.logs_with_times(namespace, pod, container, previous, now)?.into_iter().map(|(_, l)| l).collect())
    }

    /// `kubectl exec POD [-c C] -- ARGV`: the output, or the error text kubectl prints (a non-zero
    /// exit ends with `command terminated with exit code N`).
    pub fn exec(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        argv: &[String],
        now: Millis,
    ) -> Result<String, String> {
        let io = ExecIo { argv, stdin: None, tty: false };
        let r = self.exec_net(namespace, pod, container, io, now, None).0;
        match r.end {
            ExecEnd::Exited(0) => Ok(r.output),
            ExecEnd::Exited(code) => Err(format!("{}command terminated with exit code {code}", r.output)),
            ExecEnd::Failed(e) => Err(e),
        }
    }

    /// [`Self::exec`] with what the exec's stdin carries and the pod's view of the network; also
    /// how long the command waited on it (timeouts), which `kubectl exec` waits for too.
    pub fn exec_net(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        io: ExecIo<'_>,
        now: Millis,
        net: Option<&dyn Network>,
    ) -> (ExecResult, Millis) {
        match self.exec_parts(namespace, pod, container, io, now, net) {
            Ok((result, waited)) => (result, waited),
            Err(e) => (ExecResult::failed(e), 0),
        }
    }

    fn exec_parts(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        io: ExecIo<'_>,
        now: Millis,
        net: Option<&dyn Network>,
    ) -> Result<(ExecResult, Millis), String> {
        let (w, i) = self.exec_target(namespace, pod, container)?;
        let c = &w.containers[i];
        let (CStatus::Running { started_at }, Some(b)) = (&c.status, &c.behaviour) else {
            let name = &w.spec.container(i).name;
            return Err(format!("unable to upgrade connection: container not found ({name:?})"));
        };
        let mut parts = self.launch_parts(w, i)?;
        let cid = c.id.clone().unwrap_or_default();
        // The files copied in at the start (a `subPath` mount) stay as they were then.
        if let Some(files) = self.host.borrow().started_files.get(&cid) {
            parts.files = files.clone();
        }
        let (output, waited, _) = self.exec_on_disk(b, &parts, &cid, io, now.saturating_sub(*started_at), now, net);
        let answer = match output {
            ExecOutput::NotFound(cmd) => {
                let id = c.id.as_deref().map(short_id).unwrap_or_default();
                ExecResult::failed(format!(
                    "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec {id:?}: {}",
                    not_found_message(&cmd)
                ))
            }
            ExecOutput::Ran { exit_code, output, .. } => {
                let mut text = output.join("\n");
                if !text.is_empty() {
                    text.push('\n');
                }
                ExecResult::exited(text, exit_code)
            }
        };
        Ok((answer, waited))
    }

    /// The running container an exec would run in, or why the kubelet refuses before any stream
    /// opens (`GetExec`'s `findContainer`: `container not found ("x")`).
    pub(crate) fn exec_target(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
    ) -> Result<(&PodWorker, usize), String> {
        let (w, i) = self.find(namespace, pod, container)?;
        let phase = status::phase(w);
        if matches!(phase, "Succeeded" | "Failed") {
            return Err(format!("cannot exec into a container in a completed pod; current phase is {phase}"));
        }
        let c = &w.containers[i];
        let name = &w.spec.container(i).name;
        match (&c.status, &c.behaviour) {
            (CStatus::Running { .. }, Some(_)) => Ok((w, i)),
            _ => Err(format!("unable to upgrade connection: container not found ({name:?})")),
        }
    }

    /// The pod and container a runtime container id belongs to: `(namespace, pod, container)`.
    pub fn container_by_id(&self, id: &str) -> Option<(String, String, String)> {
        self.keys.iter().find_map(|((ns, pod), uid)| {
            let w = self.pods.get(uid)?;
            let i = w.containers.iter().position(|c| c.id.as_deref() == Some(id))?;
            Some((ns.clone(), pod.clone(), w.spec.container(i).name.clone()))
        })
    }

    /// After a `kubectl exec` into the pod: its sleeping probes look at the files again.
    pub fn rearm_probes(&mut self, namespace: &str, pod: &str, k: &mut crate::sim::kernel::Kernel) {
        let now = k.now();
        let Some(uid) = self.keys.get(&(namespace.to_string(), pod.to_string())).cloned() else { return };
        let Some(w) = self.pods.get_mut(&uid) else { return };
        let mut due: Option<Millis> = None;
        for i in 0..w.containers.len() {
            let spec = w.spec.container(i).clone();
            let c = &mut w.containers[i];
            if let CStatus::Running { started_at } = c.status
                && let Some(t) = super::probes::rearm(c, &spec, started_at, now)
            {
                due = Some(due.map_or(t, |d| d.min(t)));
            }
        }
        if let Some(t) = due {
            self.wake(&uid, t, k);
        }
    }

    /// Runs an exec against the node's disk as it is now: its writes under mounts land there (at
    /// their virtual time), the rest stays in the container's own layer.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn exec_on_disk(
        &self,
        b: &Behaviour,
        parts: &LaunchParts,
        cid: &str,
        io: ExecIo<'_>,
        elapsed: Millis,
        now: Millis,
        net: Option<&dyn Network>,
    ) -> (ExecOutput, Millis, bool) {
        let run = {
            let mut host = self.host.borrow_mut();
            host.fs.settle(now);
            let layer = host.layers.get(cid).cloned().unwrap_or_default();
            let mut launch = parts.launch();
            launch.host = Some((&host.fs, now));
            launch.stdin = io.stdin;
            launch.tty = io.tty;
            exec_run(b, &launch, io.argv, elapsed, now, net, &layer)
        };
        let mut host = self.host.borrow_mut();
        let mut t = now;
        for step in &run.steps {
            if let Some((op, true)) = Op::of_step(step).and_then(|op| on_host(&op, &parts.mounts)) {
                host.fs.schedule(&format!("exec:{cid}"), t, op);
            }
            t += step.duration();
        }
        host.fs.settle(now);
        if !run.layer.is_empty() {
            host.layers.insert(cid.to_string(), run.layer);
        }
        (run.output, run.waited, run.exited)
    }

    /// The request loops its running containers are in at `now` (past their start-up steps).
    pub fn request_loops(&self, now: Millis) -> Vec<RequestLoop> {
        use crate::sim::node::behaviour::{End, Step};
        let mut out = Vec::new();
        for w in self.pods.values() {
            for c in &w.containers {
                let (CStatus::Running { started_at }, Some(b)) = (&c.status, &c.behaviour) else { continue };
                let End::Loop(body) = &b.end else { continue };
                let setup: Millis = b.steps.iter().map(Step::duration).sum();
                let period: Millis = body.iter().map(Step::duration).sum();
                if *started_at + setup > now || period == 0 {
                    continue;
                }
                for s in body {
                    if let Step::Request { host, port } = s {
                        out.push(RequestLoop {
                            namespace: w.spec.namespace.clone(),
                            host: host.clone(),
                            port: *port,
                            per_second: 1000.0 / period as f64,
                        });
                    }
                }
            }
        }
        out
    }

    /// `kubectl top`: deterministic simulated use of every running container and the node.
    pub fn usage(&self, now: Millis) -> NodeUsage {
        let mut pods = Vec::new();
        let (mut cpu, mut mem) = (SYSTEM_CPU_MILLIS, SYSTEM_MEMORY);
        for w in self.pods.values() {
            let mut containers = Vec::new();
            for (i, c) in w.containers.iter().enumerate() {
                let spec = w.spec.container(i);
                let (CStatus::Running { started_at }, Some(b)) = (&c.status, &c.behaviour) else { continue };
                // Asked about an instant before the container started (metrics-server's earlier sample).
                if *started_at > now {
                    continue;
                }
                let elapsed = now.saturating_sub(*started_at);
                // ±10 % that changes every 15 s (the metrics resolution), the same on every run.
                let jitter = 90 + stable_hash(&format!("{}/{}/{}", w.spec.uid, spec.name, now / 15_000)) % 21;
                let mut c_cpu = u64::from(timeline::cpu_at(b, elapsed)) * jitter / 100;
                if let Some(limit) = spec.cpu_limit {
                    c_cpu = c_cpu.min(limit);
                }
                let c_mem = (timeline::memory_at(b, elapsed) * jitter / 100).min(spec.memory_limit.unwrap_or(u64::MAX));
                cpu += c_cpu;
                mem += c_mem;
                containers.push(ContainerUsage { name: spec.name.clone(), cpu_millis: c_cpu, memory_bytes: c_mem });
            }
            if !containers.is_empty() {
                pods.push(PodUsage { namespace: w.spec.namespace.clone(), name: w.spec.name.clone(), containers });
            }
        }
        pods.stable_sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        NodeUsage { cpu_millis: cpu, memory_bytes: mem, pods }
    }
}

/// Why there are no logs to show.
enum Why {
    NoPrevious,
    Terminated,
    Waiting(String),
}

/// The instance whose logs to show: `(started, until)`, as the kubelet's `validateContainerLogStatus`.
fn log_window(c: &CState, previous: bool, now: Millis) -> Result<(Millis, Millis), Why> {
    if previous {
        return c.last.as_ref().map(|t| (t.started_at, t.finished_at)).ok_or(Why::NoPrevious);
    }
    match &c.status {
        CStatus::Running { started_at } => Ok((*started_at, now)),
        CStatus::Terminated(t) => Ok((t.started_at, t.finished_at)),
        CStatus::Waiting { reason, .. } => match &c.last {
            Some(t) => Ok((t.started_at, t.finished_at)),
            None if c.id.is_some() => Err(Why::Terminated),
            None => Err(Why::Waiting(reason.clone())),
        },
    }
}
