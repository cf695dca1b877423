//! The container runtime's streaming server: where a CRI `Exec` runs and a `PortForward` connects.
//! The command needs the container's files (the kubelet's view of the node's disk) and the pod's
//! network (every node's kube-proxy rules, the CNI, CoreDNS), which only the world holds together,
//! so the world runs it when the `Exec` reaches the runtime, and the runtime answers when the
//! command has ended. A port-forward dials `localhost:PORT` in the pod's network namespace, so the
//! world finds what listens there and has its server answer the connection's bytes.
//!
//! ```text
//!   kubelet ──Cri(PortForward)──► runtime ──TCP 127.0.0.1:80──► pod ──reply──► runtime ──CriReply(ForwardStream)──► kubelet
//! ```

use super::World;
use crate::sim::component::Component;
use crate::sim::dataplane::view::PodNetwork;
use crate::sim::message::{Message, Payload};
use crate::sim::node::kubelet::inspect::ExecIo;
use crate::sim::node::behaviour::net::Connect;
use crate::sim::node::behaviour::nettools::http::wire;
use crate::sim::protocol::cri::{CriCall, CriError, CriResponse};
use crate::sim::protocol::packet::{Hop, Packet};

/// A port-forward's loopback round trip inside the pod (1 ms each way on the veth's latency), after
/// which the runtime answers: the pod's reply is drawn before the runtime's.
const LOOPBACK_ROUND_TRIP_MS: u64 = 2;

impl World {
    /// Runs a CRI `Exec` delivered to the runtime of `node`; hands back any other message for the
    /// runtime to handle itself.
    pub(super) fn runtime_exec(&mut self, node: &str, msg: Message) -> Option<Message> {
        let Payload::Cri(req) = &msg.payload else { return Some(msg) };
        if let CriCall::PortForward { sandbox_id, port, data } = &req.call {
            let (id, from) = (req.id, msg.from.clone());
            let (sandbox_id, port, data) = (sandbox_id.clone(), *port, data.clone());
            return self.runtime_portforward(node, id, from, &sandbox_id, port, &data);
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
}

/// containerd's error when nothing listens on the port inside the pod
/// (`internal/cri/server/sandbox_portforward_linux.go`): it dials `localhost:PORT` with `tcp4`, then
/// `tcp6`. kind's pods have no IPv6 loopback address, so Go's resolver finds no address for `tcp6`
/// (`filterAddrList`'s `AddrError` on the host asked). The message ends in a space, as upstream's
/// format string does.
pub fn refused_inside(sandbox_id: &str, port: u16) -> String {
    format!(
        "failed to connect to localhost:{port} inside namespace {sandbox_id:?}, IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6: address localhost: no suitable address found "
    )
}

/// The message the runtime's port-forward handler writes on the error stream
/// (`k8s.io/kubelet/pkg/cri/streaming/portforward/httpstream.go`): containerd serves the stream with
/// the sandbox id as the pod and no uid.
pub fn forward_error(sandbox_id: &str, port: u16, err: &str) -> String {
    format!("error forwarding port {port} to pod {sandbox_id}, uid : {err}")
}

impl World {
    /// Connects a CRI `PortForward` inside its sandbox and has the runtime answer with what the
    /// server there wrote back (or containerd's error), the loopback exchange drawn as two packets.
    fn runtime_portforward(
        &mut self,
        node: &str,
        id: u64,
        from: Component,
        sandbox_id: &str,
        port: u16,
        data: &[u8],
    ) -> Option<crate::sim::message::Message> {
        let now = self.now();
        let World { nodes, apiserver, k, ingress, .. } = self;
        let pod = nodes.get(node).and_then(|n| {
            n.kubelet.pods.values().find(|w| w.sandbox.as_ref().is_some_and(|s| s.id == sandbox_id))
        });
        let Some((ns, name)) = pod.map(|w| (w.spec.namespace.clone(), w.spec.name.clone())) else {
            let e = format!("failed to find sandbox {sandbox_id:?} in store: not found");
            nodes.get_mut(node)?.runtime.answer_forward(k, from, id, 1, Err(forward_error(sandbox_id, port, &e)));
            return None;
        };
        let (answer, hops) = {
            let view = PodNetwork::new(nodes, &apiserver.cache, &mut k.rng, node, now)
                .from_pod(&ns, &name)
                .with_ingress(ingress);
            let answer = match view.loopback(port) {
                Connect::Open(peer) => Ok(wire::answer(&view, &peer, data)),
                Connect::Refused | Connect::TimedOut => Err(refused_inside(sandbox_id, port)),
            };
            // What the server did meanwhile (ingress-nginx's onward connection) is drawn between the two.
            (answer, view.take_hops())
        };
        let runtime = Component::Runtime(node.to_string());
        let pod = Component::Pod(format!("{ns}/{name}"));
        let reply = match &answer {
            Ok(bytes) => match wire::parse_response(bytes) {
                Some(r) => format!("{}, {} bytes", r.status_line, bytes.len()),
                None => format!("{} bytes, then FIN", bytes.len()),
            },
            Err(_) => "RST".to_string(),
        };
        let packet = |src: &str, dst: String, what: String| Packet {
            proto: "TCP",
            src: src.to_string(),
            dst,
            what,
            rules: Vec::new(),
            next: Vec::new(),
        };
        let dial = Hop {
            from: runtime.clone(),
            to: pod.clone(),
            packet: packet("127.0.0.1", format!("127.0.0.1:{port}"), format!("SYN + {} bytes from the port-forward", data.len())),
            decision: Some(format!("containerd dials localhost:{port} in the pod's network namespace")),
            filtered: false,
        };
        let back = Hop { from: pod, to: runtime, packet: packet(&format!("127.0.0.1:{port}"), "127.0.0.1".into(), reply), decision: None, filtered: false };
        let mut path = vec![dial];
        path.extend(hops);
        path.push(back);
        crate::sim::dataplane::path::send(k, path);
        let out = answer.map_err(|e| forward_error(sandbox_id, port, &e));
        nodes.get_mut(node)?.runtime.answer_forward(k, from, id, LOOPBACK_ROUND_TRIP_MS, out);
        None
    }
}
