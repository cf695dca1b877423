//! The kubelet's server for the apiserver's streams (`pkg/kubelet/server/server.go`): `/exec` checks
//! the container (`GetExec`) and asks the runtime to run the command (CRI `Exec`, whose stream it
//! relays back); `/attach` does the same with the container's main process (`GetAttach`, CRI
//! `Attach`); `/containerLogs` reads the container's log (`GetContainerLogs`).
//!
//! ```text
//!   apiserver ──Stream(exec)──► kubelet ──Cri(Exec)──► runtime ──CriReply(ExecStream)──► kubelet ──StreamReply──► apiserver
//!   apiserver ──Stream(logs)──► kubelet ──StreamReply(lines)──► apiserver
//! ```

use super::Kubelet;
use crate::sim::component::Component;
use crate::sim::kernel::Kernel;
use crate::sim::message::Payload;
use crate::sim::protocol::cri::{CriCall, CriRequest, CriResponse, CriResult};
use crate::sim::protocol::stream::{ExecResult, KubeletReply, KubeletRequest, StreamData, StreamOp};

impl Kubelet {
    /// One call of the apiserver to this kubelet's server.
    pub(crate) fn on_stream(&mut self, from: Component, r: KubeletRequest, k: &mut Kernel) {
        let (ns, pod, container) = (&r.namespace, &r.pod, Some(r.container.as_str()));
        let answer = match &r.op {
            StreamOp::Logs { previous } => {
                self.logs_with_times(ns, pod, container, *previous, k.now()).map(StreamData::Logs)
            }
            StreamOp::Exec { command, stdin, tty } => match self.exec_target(ns, pod, container) {
                Err(refused) => Err(refused),
                Ok((w, i)) => {
                    let container_id = w.containers[i].id.clone().unwrap_or_default();
                    let id = k.fresh_id();
                    self.streams.insert(id, (from, r.id));
                    let call = CriCall::Exec { container_id, cmd: command.clone(), stdin: stdin.clone(), tty: *tty };
                    k.send(self.me(), self.runtime(), Payload::Cri(Box::new(CriRequest { id, call })));
                    return;
                }
            },
            // `GetAttach` checks the container as `GetExec` does, then the runtime attaches (CRI `Attach`).
            StreamOp::Attach { stdin, tty } => match self.exec_target(ns, pod, container) {
                Err(refused) => Err(refused),
                Ok((w, i)) => {
                    let container_id = w.containers[i].id.clone().unwrap_or_default();
                    let id = k.fresh_id();
                    self.streams.insert(id, (from, r.id));
                    let call = CriCall::Attach { container_id, stdin: stdin.clone(), tty: *tty };
                    k.send(self.me(), self.runtime(), Payload::Cri(Box::new(CriRequest { id, call })));
                    return;
                }
            },
        };
        k.send(self.me(), from, Payload::StreamReply(Box::new(KubeletReply { id: r.id, result: answer })));
    }

    /// Relays the runtime's answer to an exec stream back to the apiserver; hands back any other
    /// CRI reply for the pod lifecycle to read.
    pub(crate) fn end_stream(&mut self, r: CriResponse, k: &mut Kernel) -> Option<CriResponse> {
        let Some((to, request)) = self.streams.remove(&r.id) else { return Some(r) };
        let data = match r.result {
            Ok(CriResult::ExecStream(out)) => StreamData::Exec(out),
            Ok(other) => StreamData::Exec(ExecResult::failed(format!("unexpected answer to Exec: {other:?}"))),
            Err(e) => StreamData::Exec(ExecResult::failed(format!(
                "Internal error occurred: error executing command in container: {e}"
            ))),
        };
        k.send(self.me(), to, Payload::StreamReply(Box::new(KubeletReply { id: request, result: Ok(data) })));
        None
    }
}
