//! The container runtime's streaming server: where a CRI `Exec` or `Attach` runs. The command needs the
//! container's files (the kubelet's view of the node's disk) and the pod's network (every node's
//! kube-proxy rules, the CNI, CoreDNS), which only the world holds together, so the world runs it
//! when the `Exec` reaches the runtime, and the runtime answers when the command has ended.

use super::World;
use crate::sim::component::Component;
use crate::sim::dataplane::view::PodNetwork;
use crate::sim::message::{Message, Payload};
use crate::sim::node::kubelet::inspect::ExecIo;
use crate::sim::protocol::cri::{CriCall, CriError, CriResponse};
use crate::sim::protocol::stream::ExecResult;

impl World {
    /// Runs a CRI `Exec` delivered to the runtime of `node`; hands back any other message for the
    /// runtime to handle itself.
    pub(super) fn runtime_exec(&mut self, node: &str, msg: Message) -> Option<Message> {
        let Payload::Cri(req) = &msg.payload else { return Some(msg) };
        if matches!(req.call, CriCall::Attach { .. }) {
            self.runtime_attach(node, msg);
            return None;
        }
        let CriCall::Exec { container_id, cmd, stdin, tty } = &req.call else { return Some(msg) };
        let (id, from) = (req.id, msg.from.clone());
        let now = self.now();
        let World { nodes, apiserver, k, ingress, .. } = self;
        let target = nodes.get(node).and_then(|n| n.kubelet.container_by_id(container_id));
        let Some((ns, pod, container)) = target else {
            let e = CriError { code: "NotFound", message: format!("container {container_id:?} not found") };
            let reply = Payload::CriReply(Box::new(CriResponse { id, result: Err(e) }));
            k.send(Component::Runtime(node.to_string()), from, reply);
            return None;
        };
        let (answer, waited, hops) = {
            let view = PodNetwork::new(nodes, &apiserver.cache, &mut k.rng, node, now)
                .from_pod(&ns, &pod)
                .with_ingress(ingress);
            let kubelet = &nodes.get(node)?.kubelet;
            let io = ExecIo { argv: cmd, stdin: stdin.as_deref(), tty: *tty };
            let (answer, waited) = kubelet.exec_net(&ns, &pod, Some(&container), io, now, Some(&view));
            (answer, waited, view.take_hops())
        };
        // The program's packets travel the simulated network, hop after hop (`dataplane::path`),
        // caused by the Exec that ran it.
        crate::sim::dataplane::path::send(k, hops);
        let n = nodes.get_mut(node)?;
        // What the command wrote may change what the pod's probes see.
        n.kubelet.rearm_probes(&ns, &pod, k);
        n.runtime.answer_exec(k, from, id, waited, answer);
        None
    }

    /// Runs a CRI `Attach`: the stdin it carries goes to the container's main process, and the stream
    /// carries back what the process wrote. The stream closing closes the process's stdin when the
    /// container asked for that (`stdinOnce`): its shell reads end-of-file and ends with its status,
    /// as it does at once after `exit`. Without stdin kept open (`stdin: false`) the process never
    /// reads what was sent.
    fn runtime_attach(&mut self, node: &str, msg: Message) {
        let Payload::Cri(req) = &msg.payload else { return };
        let CriCall::Attach { container_id, stdin, tty } = &req.call else { return };
        let (id, from) = (req.id, msg.from.clone());
        let now = self.now();
        let World { nodes, apiserver, k, ingress, .. } = self;
        let Some(n) = nodes.get(node) else { return };
        let target = n.kubelet.container_by_id(container_id);
        let (open, once) = n.runtime.stdin_of(container_id).unwrap_or((false, false));
        let Some((ns, pod, container)) = target else {
            let e = CriError { code: "NotFound", message: format!("container {container_id:?} not found") };
            let reply = Payload::CriReply(Box::new(CriResponse { id, result: Err(e) }));
            k.send(Component::Runtime(node.to_string()), from, reply);
            return;
        };
        let input = stdin.as_deref().filter(|_| open);
        let (run, hops) = {
            let view = PodNetwork::new(nodes, &apiserver.cache, &mut k.rng, node, now)
                .from_pod(&ns, &pod)
                .with_ingress(ingress);
            let Some(n) = nodes.get(node) else { return };
            let io = ExecIo { argv: &[], stdin: input, tty: *tty };
            (n.kubelet.attach_net(&ns, &pod, &container, io, now, Some(&view)), view.take_hops())
        };
        crate::sim::dataplane::path::send(k, hops);
        let Some(n) = nodes.get_mut(node) else { return };
        let (answer, waited) = match run {
            Ok(run) => {
                if run.exited || (input.is_some() && once) {
                    n.runtime.end_process(k, container_id, run.waited, run.status);
                }
                n.kubelet.rearm_probes(&ns, &pod, k);
                // An attach's stream carries no exit code: it ends when the process or its
                // input does (the CRI's Attach, unlike Exec, reports none).
                (ExecResult::exited(run.output, 0), run.waited)
            }
            Err(e) => (ExecResult::failed(e), 0),
        };
        n.runtime.answer_exec(k, from, id, waited, answer);
    }
}
