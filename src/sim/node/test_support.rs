//! Test harness: a kernel with one node's runtime, where tests play the kubelet by hand.

pub mod cluster;

use super::cri::{ContainerConfig, ContainerExit, CriCall, CriRequest, CriResponse, CriResult};
use super::registry::Registry;
use super::runtime::Runtime;
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, Scheduled};
use crate::sim::message::Payload;
use crate::sim::time::Millis;

pub struct Harness {
    pub k: Kernel,
    pub reg: Registry,
    pub rt: Runtime,
    pub replies: Vec<CriResponse>,
    stream: u64,
}

pub fn kubelet() -> Component {
    Component::Kubelet("n1".into())
}

pub fn runtime() -> Component {
    Component::Runtime("n1".into())
}

/// A container config with what tests usually vary.
pub fn config(image: &str, command: &[&str], memory_limit: Option<u64>) -> ContainerConfig {
    ContainerConfig {
        name: "c".into(),
        pod_uid: "uid-1".into(),
        pod: "default/p".into(),
        image: image.into(),
        command: command.iter().map(|s| s.to_string()).collect(),
        args: vec![],
        env: vec![],
        memory_limit,
        files: vec![],
        mounts: vec![],
        ports: vec![],
        expect_exit: false,
        attempt: 0,
        stdin: false,
        stdin_once: false,
        tty: false,
    }
}

impl Harness {
    pub fn new() -> Self {
        let reg = Registry::default();
        let rt = Runtime::new("n1", "10.244.1.0/24", &reg);
        let mut h = Harness { k: Kernel::new(7), reg, rt, replies: Vec::new(), stream: 0 };
        h.stream = h.call(CriCall::GetContainerEvents);
        h.run_for(5);
        h
    }

    pub fn call(&mut self, call: CriCall) -> u64 {
        let id = self.k.fresh_id();
        self.k.send(kubelet(), runtime(), Payload::Cri(Box::new(CriRequest { id, call })));
        id
    }

    pub fn run_for(&mut self, d: Millis) {
        let until = self.k.now() + d;
        while let Some(item) = self.k.pop_due(until) {
            match item {
                Scheduled::Deliver(msg) if msg.to == runtime() => self.rt.on_message(msg, &mut self.k, &self.reg),
                Scheduled::Deliver(msg) => {
                    if let Payload::CriReply(r) = msg.payload {
                        self.replies.push(*r);
                    }
                }
                Scheduled::Timer { owner, kind } if owner == runtime() => self.rt.on_timer(kind, &mut self.k),
                Scheduled::Timer { .. } => {}
            }
        }
        self.k.advance_to(until);
    }

    pub fn reply(&self, id: u64) -> Option<&CriResponse> {
        self.replies.iter().find(|r| r.id == id)
    }

    /// Exits reported on the event stream.
    pub fn exits(&self) -> Vec<ContainerExit> {
        self.replies
            .iter()
            .filter(|r| r.id == self.stream)
            .filter_map(|r| if let Ok(CriResult::Exited(e)) = &r.result { Some(e.clone()) } else { None })
            .collect()
    }

    fn answer(&mut self, id: u64, within: Millis) -> CriResult {
        self.run_for(within);
        match self.reply(id).map(|r| r.result.clone()) {
            Some(Ok(r)) => r,
            other => panic!("call {id} answered {other:?}"),
        }
    }

    pub fn pull(&mut self, image: &str) {
        let id = self.call(CriCall::PullImage { image: image.into() });
        self.answer(id, 60_000);
    }

    pub fn sandbox(&mut self, name: &str) -> (String, String) {
        let cfg = super::cri::SandboxConfig {
            pod_uid: format!("uid-{name}"),
            namespace: "default".into(),
            name: name.into(),
            hostname: name.into(),
            attempt: 0,
            host_network: false,
        };
        let id = self.call(CriCall::RunPodSandbox(cfg));
        match self.answer(id, 1000) {
            CriResult::SandboxReady { sandbox_id, ip } => (sandbox_id, ip),
            other => panic!("sandbox: {other:?}"),
        }
    }

    pub fn create(&mut self, sandbox_id: &str, cfg: ContainerConfig) -> String {
        let id = self.call(CriCall::CreateContainer { sandbox_id: sandbox_id.into(), config: Box::new(cfg) });
        match self.answer(id, 100) {
            CriResult::ContainerCreated { container_id } => container_id,
            other => panic!("create: {other:?}"),
        }
    }

    /// Starts a container and returns when it started.
    pub fn start(&mut self, cid: &str) -> Millis {
        let id = self.call(CriCall::StartContainer { container_id: cid.into() });
        match self.answer(id, 100) {
            CriResult::ContainerStarted { started_at, .. } => started_at,
            other => panic!("start: {other:?}"),
        }
    }
}
