//! The container runtime of one node (containerd-like): answers the kubelet's CRI calls, pulls images
//! from the shared registry, runs containers as simulated processes and reports their exits.
//!
//! ```text
//!   RunPodSandbox ─► IP from the node's pod CIDR ─► PullImage (takes time) ─► CreateContainer
//!   ─► StartContainer ─► running ── exits by itself (timer at its natural end) ─► event on the stream
//!                                └─ StopContainer: SIGTERM, SIGKILL after the timeout ─► reply
//! ```
//! A running container costs one timer only if it will end by itself; servers cost nothing.

pub mod store;

use super::behaviour::{Behaviour, Launch, Sigterm, exit_reason};
use super::cri::{ContainerExit, ContainerInfo, ContainerState, CriCall, CriError, CriRequest, CriResponse, CriResult};
use super::host::{Host, HostHandle};
use super::registry::{Registry, ResolvedImage};
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::{Message, Payload};
use crate::sim::time::Millis;
use store::{Cidr, Container, Sandbox, Store};

/// How long the runtime takes for calls that are not pulls (virtual ms).
const SANDBOX_MS: Millis = 250;
const CREATE_MS: Millis = 30;
const START_MS: Millis = 60;

/// The image every sandbox runs, present on every node from the start (as on kind nodes).
pub const PAUSE_IMAGE: &str = "registry.k8s.io/pause:3.10";

/// An answer waiting for its time: the caller, the answer, and an image to store once pulled.
type Pending = (Component, Result<CriResult, CriError>, Option<ResolvedImage>);

/// The containerd of one node.
#[derive(Debug, Clone)]
pub struct Runtime {
    pub running: bool,
    pub node: String,
    cidr: Cidr,
    store: Store,
    /// The kubelet's `GetContainerEvents` stream, once opened.
    events: Option<(Component, u64)>,
    /// Answers waiting for their time, by request id.
    replies: std::collections::BTreeMap<u64, Box<Pending>>,
    /// The node's disk and process table (shared with the kubelet of the same node).
    pub host: HostHandle,
}

fn me(node: &str) -> Component {
    Component::Runtime(node.to_string())
}

fn err(code: &'static str, message: impl Into<String>) -> CriError {
    CriError { code, message: message.into() }
}

fn hex_id(k: &mut Kernel) -> String {
    (0..4).map(|_| format!("{:016x}", k.rng.next_u64())).collect()
}

impl Runtime {
    /// A runtime for `node`, allocating pod IPs from `pod_cidr` (e.g. `10.244.1.0/24`).
    pub fn new(node: &str, pod_cidr: &str, registry: &Registry) -> Self {
        let mut store = Store::default();
        // kind's node image comes with the cluster's own images (and pause) already imported.
        for image in super::registry::kind_images::PRELOADED {
            if let Ok(resolved) = registry.resolve(image) {
                store.add_image(&resolved);
            }
        }
        Runtime {
            running: true,
            node: node.to_string(),
            cidr: Cidr::parse(pod_cidr),
            store,
            events: None,
            replies: Default::default(),
            host: Host::handle(node),
        }
    }

    /// `crictl ps -a`: every container, in id order.
    pub fn containers(&self) -> Vec<ContainerInfo> {
        self.store.container_infos()
    }

    /// The pod (its name) whose container `container` runs in a sandbox of `namespace`, if one does:
    /// how the world knows that a process it models as a component (the local-path-provisioner) is up.
    pub fn running_pod_of(&self, namespace: &str, container: &str) -> Option<&str> {
        self.store.containers.values().find_map(|c| {
            let sandbox = self.store.sandboxes.get(&c.info.sandbox_id)?;
            let runs = c.info.state == ContainerState::Running && c.info.name == container;
            (runs && sandbox.namespace == namespace).then_some(sandbox.name.as_str())
        })
    }

    /// `crictl pods`.
    pub fn sandboxes(&self) -> Vec<super::cri::SandboxInfo> {
        self.store.sandbox_infos()
    }

    /// `crictl images`.
    pub fn images(&self) -> Vec<super::cri::ImageInfo> {
        self.store.image_infos()
    }

    /// The node lost power: every process dies (exit code 255, reason `Unknown`, as the kubelet sees
    /// after a reboot), network namespaces and pending calls vanish. Images stay on disk.
    pub fn power_off(&mut self, now: Millis) {
        let ids: Vec<String> = self.store.containers.keys().cloned().collect();
        for id in ids {
            self.exited(&id, 255, "Unknown", now);
            if let Some(c) = self.store.containers.get_mut(&id) {
                c.stopping = None;
            }
        }
        let hosts: Vec<Option<u32>> = self
            .store
            .sandboxes
            .values_mut()
            .map(|s| {
                s.ready = false;
                s.host.take()
            })
            .collect();
        for h in hosts {
            self.store.release_ip(h);
        }
        self.events = None;
        self.replies.clear();
    }

    /// A process ended: the store records it, and what it would have written later never lands.
    fn exited(&mut self, id: &str, code: i32, reason: &str, at: Millis) {
        self.store.mark_exited(id, code, reason, at);
        self.host.borrow_mut().stop(id, at);
    }

    fn reply_later(
        &mut self,
        k: &mut Kernel,
        to: Component,
        id: u64,
        after: Millis,
        result: Result<CriResult, CriError>,
        image: Option<ResolvedImage>,
    ) {
        self.replies.insert(id, Box::new((to, result, image)));
        k.set_timer(me(&self.node), after.max(1), TimerKind::Object(format!("reply:{id}")));
    }

    fn send(&self, k: &mut Kernel, to: Component, id: u64, result: Result<CriResult, CriError>) {
        k.send(me(&self.node), to, Payload::CriReply(Box::new(CriResponse { id, result })));
    }

    /// Handles one CRI call; `registry` answers pulls.
    pub fn on_message(&mut self, msg: Message, k: &mut Kernel, registry: &Registry) {
        let Payload::Cri(req) = msg.payload else { return };
        let CriRequest { id, call } = *req;
        let from = msg.from;
        let now = k.now();
        match call {
            CriCall::GetContainerEvents => {
                self.events = Some((from.clone(), id));
                self.send(k, from, id, Ok(CriResult::Done));
            }
            CriCall::ListContainers => {
                let listing = CriResult::Listing {
                    sandboxes: self.store.sandbox_infos(),
                    containers: self.store.container_infos(),
                };
                self.send(k, from, id, Ok(listing));
            }
            CriCall::ListImages => self.send(k, from, id, Ok(CriResult::Images(self.store.image_infos()))),
            CriCall::RunPodSandbox(cfg) => {
                // A host-network sandbox has no network namespace: the CNI is not called and no
                // address is taken from the node's range (the kubelet reports the node's IP).
                let allocated =
                    if cfg.host_network { Some(None) } else { self.store.allocate_ip(&self.cidr).map(Some) };
                let result = match allocated {
                    Some(host) => {
                        let sid = hex_id(k);
                        let ip = host.map(|h| self.cidr.address(h)).unwrap_or_default();
                        self.store.sandboxes.insert(
                            sid.clone(),
                            Box::new(Sandbox {
                                id: sid.clone(),
                                pod_uid: cfg.pod_uid,
                                namespace: cfg.namespace,
                                name: cfg.name,
                                hostname: cfg.hostname,
                                attempt: cfg.attempt,
                                ip: ip.clone(),
                                host,
                                ready: true,
                            }),
                        );
                        Ok(CriResult::SandboxReady { sandbox_id: sid, ip })
                    }
                    None => Err(err(
                        "Unknown",
                        format!(
                            "failed to setup network for sandbox: plugin type=\"host-local\" failed (add): failed to allocate for range 0: no IP addresses available in range set: {}",
                            self.cidr.range()
                        ),
                    )),
                };
                self.reply_later(k, from, id, SANDBOX_MS, result, None);
            }
            CriCall::StopPodSandbox { sandbox_id } => {
                let running: Vec<String> = self
                    .store
                    .containers
                    .values()
                    .filter(|c| c.info.sandbox_id == sandbox_id && c.info.state == ContainerState::Running)
                    .map(|c| c.info.id.clone())
                    .collect();
                for cid in running {
                    self.exited(&cid, 137, "Error", now);
                }
                if let Some(s) = self.store.sandboxes.get_mut(&sandbox_id) {
                    s.ready = false;
                    let host = s.host.take();
                    self.store.release_ip(host);
                }
                self.send(k, from, id, Ok(CriResult::Done));
            }
            CriCall::RemovePodSandbox { sandbox_id } => {
                for c in self.store.containers.values().filter(|c| c.info.sandbox_id == sandbox_id) {
                    self.host.borrow_mut().remove(&c.info.id);
                }
                self.store.remove_sandbox(&sandbox_id);
                self.send(k, from, id, Ok(CriResult::Done));
            }
            CriCall::PullImage { image } => match registry.resolve(&image) {
                Ok(img) => {
                    let cached = self.store.has_image(&img.repo_digest);
                    let after = registry.pull_duration(&img, cached);
                    let result = Ok(CriResult::ImagePulled {
                        full: img.full.clone(),
                        repo_digest: img.repo_digest.clone(),
                        size: img.size,
                    });
                    self.reply_later(k, from, id, after, result, Some(img));
                }
                Err(e) => {
                    let result = Err(err(e.code(), e.to_string()));
                    self.reply_later(k, from, id, 400 + super::stable_hash(&image) % 400, result, None);
                }
            },
            CriCall::CreateContainer { sandbox_id, config } => {
                let result = self.create(k, &sandbox_id, &config, registry);
                self.reply_later(k, from, id, CREATE_MS, result, None);
            }
            CriCall::StartContainer { container_id } => {
                // The answer is queued before the exit timer: a process that ends at once is
                // reported after StartContainer returns, as containerd does.
                self.replies.insert(id, Box::new((from.clone(), Ok(CriResult::Done), None)));
                k.set_timer(me(&self.node), START_MS, TimerKind::Object(format!("reply:{id}")));
                let result = self.start(k, &container_id, now + START_MS);
                self.replies.insert(id, Box::new((from, result, None)));
            }
            CriCall::StopContainer { container_id, timeout_seconds } => {
                self.stop(k, from, id, &container_id, timeout_seconds)
            }
            CriCall::RemoveContainer { container_id } => {
                self.store.containers.remove(&container_id);
                self.host.borrow_mut().remove(&container_id);
                self.send(k, from, id, Ok(CriResult::Done));
            }
            // The world runs an exec (`World::runtime_exec`): the command needs the container's
            // files and the pod's network, which the runtime alone does not hold. Reached without
            // a world (a runtime tested on its own), it answers as containerd does for an id it
            // cannot exec in.
            CriCall::Exec { container_id, .. } => {
                let e = err("NotFound", format!("failed to exec in container: container {container_id:?} not found"));
                self.send(k, from, id, Err(e));
            }
            // Likewise the world connects a port-forward inside the pod (`World::runtime_portforward`);
            // alone, the runtime knows no sandbox's servers: containerd's words for a sandbox it lacks.
            CriCall::PortForward { sandbox_id, .. } => {
                let e = format!("failed to find sandbox {sandbox_id:?} in store: not found");
                self.send(k, from, id, Ok(CriResult::ForwardStream(Err(e))));
            }
        }
    }

    /// Answers an exec after `after` ms of virtual time: how long the command ran (waiting on the
    /// network, sleeping), as the streaming server closes the stream when the process ends.
    pub fn answer_exec(&mut self, k: &mut Kernel, to: Component, id: u64, after: Millis, out: Result<String, String>) {
        self.reply_later(k, to, id, after, Ok(CriResult::ExecStream(out)), None);
    }

    /// Answers a forwarded connection after `after` ms: when the copy from the pod's server has
    /// ended (its answer has come back over the pod's loopback).
    pub fn answer_forward(&mut self, k: &mut Kernel, to: Component, id: u64, after: Millis, out: Result<Vec<u8>, String>) {
        self.reply_later(k, to, id, after, Ok(CriResult::ForwardStream(out)), None);
    }

    fn create(
        &mut self,
        k: &mut Kernel,
        sandbox_id: &str,
        config: &super::cri::ContainerConfig,
        registry: &Registry,
    ) -> Result<CriResult, CriError> {
        let Some(sandbox) = self.store.sandboxes.get(sandbox_id).filter(|s| s.ready) else {
            return Err(err("NotFound", format!("failed to get sandbox \"{sandbox_id}\": not found")));
        };
        let hostname = if sandbox.hostname.is_empty() { sandbox.name.clone() } else { sandbox.hostname.clone() };
        let full = registry.resolve(&config.image).map(|i| i.full).unwrap_or_else(|_| config.image.clone());
        let Some(digest) = self.store.tags.get(&full).cloned() else {
            return Err(err(
                "NotFound",
                format!("failed to create containerd container: error unpacking image: image \"{full}\": not found"),
            ));
        };
        let behaviour = Behaviour::of(&Launch {
            image: &config.image,
            command: &config.command,
            args: &config.args,
            env: &config.env,
            files: &config.files,
            mounts: &config.mounts,
            ports: &config.ports,
            hostname: &hostname,
            expect_exit: config.expect_exit,
            host_listeners: &[],
            host: None,
            layer: None,
            stdin: None,
            tty: false,
        });
        let cid = hex_id(k);
        let info = ContainerInfo {
            id: cid.clone(),
            sandbox_id: sandbox_id.to_string(),
            pod_uid: config.pod_uid.clone(),
            name: config.name.clone(),
            attempt: config.attempt,
            image_ref: digest,
            state: ContainerState::Created,
            created_at: k.now(),
            started_at: None,
            finished_at: None,
            exit_code: None,
            reason: String::new(),
        };
        self.store.containers.insert(
            cid.clone(),
            Box::new(Container {
                info,
                behaviour,
                config: Some(Box::new((config.clone(), hostname))),
                memory_limit: config.memory_limit,
                exit_at: None,
                stopping: None,
            }),
        );
        Ok(CriResult::ContainerCreated { container_id: cid })
    }

    fn start(&mut self, k: &mut Kernel, id: &str, at: Millis) -> Result<CriResult, CriError> {
        let Some(c) = self.store.containers.get_mut(id) else {
            return Err(err("NotFound", format!("an error occurred when try to find container \"{id}\": not found")));
        };
        if c.info.state != ContainerState::Created {
            return Err(err("FailedPrecondition", format!("container {id} is not in created state")));
        }
        c.info.state = ContainerState::Running;
        c.info.started_at = Some(at);
        // What the process reads under its mounts is what the node's disk holds as it runs.
        let mut host = self.host.borrow_mut();
        host.fs.settle(k.now());
        if let Some(launch) = &c.config {
            let (config, hostname) = &**launch;
            c.behaviour = Behaviour::of(&Launch {
                image: &config.image,
                command: &config.command,
                args: &config.args,
                env: &config.env,
                files: &config.files,
                mounts: &config.mounts,
                ports: &config.ports,
                hostname,
                expect_exit: config.expect_exit,
                host_listeners: &[],
                host: Some((&host.fs, at)),
                layer: None,
                stdin: None,
                tty: false,
            });
        }
        let mounts = c.config.as_ref().map(|l| l.0.mounts.clone()).unwrap_or_default();
        host.start(id, at, &c.behaviour, &mounts);
        if let Some(l) = &c.config {
            host.started_files.insert(id.to_string(), l.0.files.clone());
        }
        drop(host);
        if let Some(exit) = c.behaviour.natural_end(c.memory_limit) {
            let when = at + exit.after;
            c.exit_at = Some((when, exit.code, exit.reason));
            k.set_timer(me(&self.node), when.saturating_sub(k.now()).max(1), TimerKind::Object(format!("exit:{id}")));
        }
        Ok(CriResult::ContainerStarted { container_id: id.to_string(), started_at: at })
    }

    fn stop(&mut self, k: &mut Kernel, from: Component, req: u64, id: &str, timeout_seconds: i64) {
        let now = k.now();
        let Some(c) = self.store.containers.get_mut(id) else {
            // Stopping a container that is gone succeeds (the CRI call is idempotent).
            self.send(k, from, req, Ok(CriResult::Done));
            return;
        };
        if c.info.state != ContainerState::Running {
            let info = c.info.clone();
            let result = CriResult::ContainerStopped {
                container_id: info.id,
                exit_code: info.exit_code.unwrap_or(0),
                reason: info.reason,
                finished_at: info.finished_at.unwrap_or(now),
            };
            self.send(k, from, req, Ok(result));
            return;
        }
        let grace = (timeout_seconds.max(0) as Millis) * 1000;
        let (after, code) = match c.behaviour.sigterm {
            Sigterm::Exit { after, code } if after < grace => (after, code),
            _ => (grace, 137),
        };
        // A process that will end by itself before the signal takes effect keeps its own exit.
        let (when, code) = match c.exit_at {
            Some((t, natural, _)) if t <= now + after => (t, natural),
            _ => (now + after, code),
        };
        c.stopping = Some((req, when, code));
        self.replies.insert(req, Box::new((from, Ok(CriResult::Done), None)));
        k.set_timer(me(&self.node), when.saturating_sub(now).max(1), TimerKind::Object(format!("stop:{id}")));
    }

    /// Fires a runtime timer: a delayed answer, a natural exit or the end of a stop.
    pub fn on_timer(&mut self, kind: TimerKind, k: &mut Kernel) {
        let TimerKind::Object(key) = kind else { return };
        let now = k.now();
        if let Some(id) = key.strip_prefix("reply:").and_then(|i| i.parse::<u64>().ok()) {
            if let Some((to, result, image)) = self.replies.remove(&id).map(|b| *b) {
                if let Some(img) = image {
                    self.store.add_image(&img);
                }
                self.send(k, to, id, result);
            }
        } else if let Some(cid) = key.strip_prefix("exit:") {
            let Some(c) = self.store.containers.get(cid) else { return };
            let Some((when, code, reason)) = c.exit_at else { return };
            if when != now || c.info.state != ContainerState::Running || c.stopping.is_some() {
                return;
            }
            let pod_uid = c.info.pod_uid.clone();
            self.exited(cid, code, reason, now);
            if let Some((to, stream)) = self.events.clone() {
                let exit = ContainerExit {
                    container_id: cid.to_string(),
                    pod_uid,
                    exit_code: code,
                    reason: reason.to_string(),
                    finished_at: now,
                };
                self.send(k, to, stream, Ok(CriResult::Exited(exit)));
            }
        } else if let Some(cid) = key.strip_prefix("stop:") {
            let Some(c) = self.store.containers.get_mut(cid) else { return };
            let Some((req, when, code)) = c.stopping else { return };
            if when != now {
                return;
            }
            c.stopping = None;
            let reason = if c.exit_at.is_some_and(|(t, _, r)| t == now && r == "OOMKilled") {
                "OOMKilled"
            } else {
                exit_reason(code)
            };
            self.exited(cid, code, reason, now);
            if let Some((to, _, _)) = self.replies.remove(&req).map(|b| *b) {
                let result = CriResult::ContainerStopped {
                    container_id: cid.to_string(),
                    exit_code: code,
                    reason: reason.to_string(),
                    finished_at: now,
                };
                self.send(k, to, req, Ok(result));
            }
        }
    }
}

#[cfg(test)]
mod tests;
