//! A request that reached ingress-nginx's pod on 80 or 443: the controller's routes pick a backend
//! by `Host` and path, and nginx opens its own connection from the controller's pod straight to one
//! of the backend Service's ready endpoints (round robin), not through the ClusterIP. That second
//! connection is decided by kindnet's NetworkPolicy agent like any other (the controller's egress,
//! the backend pod's ingress).
//!
//! What the client sees (ingress-nginx's defaults, `proxy-next-upstream: error timeout`,
//! `proxy-next-upstream-tries: 3`):
//!
//! | case | answer |
//! | --- | --- |
//! | no server or location routes it, or the controller has no configuration yet | 404 from the default backend |
//! | the Service, its port, or any ready endpoint is missing | 503 Service Temporarily Unavailable |
//! | every endpoint tried refused the connection | 502 Bad Gateway |
//! | an endpoint tried did not answer (dropped, or nobody has its address) | 504 Gateway Time-out |
//! | otherwise | the backend's own answer to the same path |

//!
//! Drawn as packets (`../path.rs`): after the client's own connection to the controller's pod, each
//! try is nginx's connection from its pod to the endpoint (no Service rule matches a pod's address,
//! so kindnet routes it: the pod's node's CNI, the endpoint's node's, the endpoint's pod, its
//! answer), the first hop naming the location, upstream and endpoint chosen; then nginx's HTTP
//! answer to whoever holds the client's end of the connection (a pod, or a node when the request
//! started there).

use super::{PodNetwork, firewall};
use crate::sim::component::Component;
use crate::sim::dataplane::path::{self, MAX_HOPS, Trip};
use crate::sim::dataplane::policy::{Proto, Verdict};
use crate::sim::ingress::{IngressNginx, PortRef, Target};
use crate::sim::node::behaviour::net::{Connect, Peer};
use crate::sim::node::behaviour::nettools::http::{self, Response};

/// `proxy-next-upstream-tries`.
const TRIES: usize = 3;

fn error(status: u16) -> Response {
    Response::Http { status, body: http::ingress_nginx_error(status) }
}

/// The controller's pod a request reached: where nginx's own connections leave from.
struct Proxy {
    node: String,
    source: firewall::Source,
    pod: Component,
    ip: String,
}

impl PodNetwork<'_> {
    /// The answer of the ingress-nginx pod at `peer` to `GET path` for `host`.
    pub(super) fn through_ingress(&self, controller: &IngressNginx, peer: &Peer, host: &str, path: &str) -> Response {
        let Some(routes) = controller.routes() else {
            let answer = http::get(peer, path);
            self.answered(peer, &answer, "nginx has no configuration yet: its default server answers".into());
            return answer;
        };
        let chosen = routes.choose(host, path);
        let Target::Service { namespace, name, port } = chosen.target else {
            self.answered(peer, &error(404), format!("{chosen}: the default backend answers"));
            return error(404);
        };
        let endpoints = controller.endpoints(namespace, name, port);
        let port_text = match port {
            PortRef::Number(n) => n.to_string(),
            PortRef::Name(n) => n.clone(),
        };
        let upstream = format!("{namespace}-{name}-{port_text}");
        let Some(proxy) = self.proxy_at(&peer.ip) else { return error(502) };
        let mut timed_out = false;
        for _ in 0..TRIES.min(endpoints.len()) {
            let Some((ip, port)) = controller.pick(&upstream, &endpoints) else { break };
            let node_ip = self.node_ip(&proxy.node);
            let verdict =
                firewall::verdict(self.cache, &proxy.node, node_ip, Some(&proxy.source), &ip, port, Proto::Tcp);
            let result = if verdict == Verdict::Allow { self.reach(&ip, port) } else { Connect::TimedOut };
            let why = format!("{chosen} → upstream {upstream} → endpoint {ip}:{port} (round robin)");
            self.record_try(&proxy, (&ip, port), verdict, &result, why);
            match result {
                Connect::Open(backend) => {
                    let answer = http::get(&backend, path);
                    let why = format!("nginx passes on {ip}:{port}'s answer (upstream {upstream})");
                    self.answered(peer, &answer, why);
                    return answer;
                }
                Connect::Refused => {}
                Connect::TimedOut => timed_out = true,
            }
        }
        let (status, why) = match (endpoints.is_empty(), timed_out) {
            (true, _) => (503, format!("{chosen} → upstream {upstream}: no ready endpoint")),
            (false, true) => (504, format!("upstream {upstream}: an endpoint tried did not answer")),
            (false, false) => (502, format!("upstream {upstream}: every endpoint tried refused the connection")),
        };
        self.answered(peer, &error(status), why);
        error(status)
    }

    /// nginx's connection from its pod to the endpoint `ip:port`, as hops: kindnet routes it (or
    /// drops it, `verdict`), the endpoint's pod answers (`result`). Recorded whoever the client
    /// is, as long as there is room.
    fn record_try(&self, proxy: &Proxy, (ip, port): (&str, u16), verdict: Verdict, result: &Connect, why: String) {
        if self.hops.borrow().len() >= MAX_HOPS {
            return;
        }
        let client = ("TCP", proxy.pod.clone(), proxy.ip.as_str());
        let mut t = Trip::start_routed(client, &proxy.node, format!("{ip}:{port}"), "SYN".into(), why);
        if self.arrive(&mut t, proxy.node.clone(), ip, verdict) {
            match result {
                Connect::Open(_) => t.reply("SYN-ACK"),
                Connect::Refused => t.reply("RST"),
                Connect::TimedOut => {}
            }
        }
        self.keep(Some(t));
    }

    /// nginx's HTTP answer to its client, on the connection the client opened to `peer`: sent to
    /// whoever the controller's `SYN-ACK` went to (nothing when that connection was not recorded).
    fn answered(&self, peer: &Peer, answer: &Response, why: String) {
        let what = match answer {
            Response::Http { status, .. } => format!("HTTP/1.1 {status} {}", http::reason(*status)),
            Response::Empty => "FIN (no HTTP answer)".to_string(),
        };
        let pod = self.proxy_at(&peer.ip).map(|p| p.pod);
        let mut hops = self.hops.borrow_mut();
        let accepted = hops.iter().rev().find(|h| Some(&h.from) == pod.as_ref() && h.packet.what == "SYN-ACK");
        let Some(accepted) = accepted else { return };
        let answer = path::answer(
            accepted.from.clone(),
            accepted.to.clone(),
            accepted.packet.src.clone(),
            accepted.packet.dst.clone(),
            what,
            why,
        );
        if hops.len() < MAX_HOPS {
            hops.push(answer);
        }
    }

    /// The controller's pod that has `ip`, with its node.
    fn proxy_at(&self, ip: &str) -> Option<Proxy> {
        self.nodes.iter().find_map(|(node, n)| {
            let w = n.kubelet.pods.values().find(|w| w.sandbox.as_ref().is_some_and(|s| s.ip == ip))?;
            let source = firewall::Source { namespace: w.spec.namespace.clone(), pod: w.spec.name.clone() };
            let pod = Component::Pod(format!("{}/{}", w.spec.namespace, w.spec.name));
            Some(Proxy { node: node.clone(), source, pod, ip: ip.to_string() })
        })
    }
}
