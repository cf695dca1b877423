//! The kubelet's server for the apiserver's streams (`pkg/kubelet/server/server.go`): `/exec` checks
//! the container (`GetExec`) and asks the runtime to run the command (CRI `Exec`, whose stream it
//! relays back); `/containerLogs` reads the container's log (`GetContainerLogs`); `/portForward`
//! finds the pod's sandbox (`GetPortForward`) and has the runtime connect inside it (CRI `PortForward`).
//!
//! ```text
//!   apiserver ──Stream(exec)──► kubelet ──Cri(Exec)──► runtime ──CriReply(ExecStream)──► kubelet ──StreamReply──► apiserver
//!   apiserver ──Stream(logs)──► kubelet ──StreamReply(lines)──► apiserver
//!   apiserver ──Stream(portForward)──► kubelet ──Cri(PortForward)──► runtime ──CriReply(ForwardStream)──► kubelet ──StreamReply──► apiserver
//! ```

use super::Kubelet;
use crate::sim::component::Component;
use crate::sim::kernel::Kernel;
use crate::sim::message::Payload;
use crate::sim::protocol::cri::{CriCall, CriRequest, CriResponse, CriResult};
use crate::sim::protocol::stream::{KubeletReply, KubeletRequest, StreamData, StreamOp};

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
            StreamOp::PortForward { port, data } => match self.forward_target(ns, pod) {
                Err(refused) => Err(refused),
                Ok(sandbox_id) => {
                    let id = k.fresh_id();
                    self.streams.insert(id, (from, r.id));
                    let call = CriCall::PortForward { sandbox_id, port: *port, data: data.clone() };
                    k.send(self.me(), self.runtime(), Payload::Cri(Box::new(CriRequest { id, call })));
                    return;
                }
            },
        };
        k.send(self.me(), from, Payload::StreamReply(Box::new(KubeletReply { id: r.id, result: answer })));
    }

    /// The sandbox a port-forward connects inside, or why the kubelet refuses: `getPortForward`
    /// answers 404 `pod does not exist` for a pod it does not run, and the runtime manager fails
    /// with `failed to find sandboxID for pod NAME_NAMESPACE(UID)` when it has no sandbox
    /// (`kuberuntime_manager.go`'s `GetPortForward`, `format.PodDesc`).
    fn forward_target(&self, namespace: &str, pod: &str) -> Result<String, String> {
        let key = (namespace.to_string(), pod.to_string());
        let Some((uid, w)) = self.keys.get(&key).and_then(|uid| Some((uid, self.pods.get(uid)?))) else {
            return Err("pod does not exist".into());
        };
        match &w.sandbox {
            Some(s) => Ok(s.id.clone()),
            None => Err(format!("failed to find sandboxID for pod {pod}_{namespace}({uid})")),
        }
    }

    /// Relays the runtime's answer to an exec or port-forward stream back to the apiserver; hands
    /// back any other CRI reply for the pod lifecycle to read.
    pub(crate) fn end_stream(&mut self, r: CriResponse, k: &mut Kernel) -> Option<CriResponse> {
        let Some((to, request)) = self.streams.remove(&r.id) else { return Some(r) };
        let data = match r.result {
            Ok(CriResult::ExecStream(out)) => StreamData::Exec(out),
            Ok(CriResult::ForwardStream(out)) => StreamData::PortForward(out),
            Ok(other) => StreamData::Exec(Err(format!("unexpected answer to Exec: {other:?}"))),
            Err(e) => {
                StreamData::Exec(Err(format!("Internal error occurred: error executing command in container: {e}")))
            }
        };
        k.send(self.me(), to, Payload::StreamReply(Box::new(KubeletReply { id: request, result: Ok(data) })));
        None
    }
}
