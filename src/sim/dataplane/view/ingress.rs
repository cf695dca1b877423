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

use super::{PodNetwork, firewall};
use crate::sim::dataplane::policy::{Proto, Verdict};
use crate::sim::ingress::{IngressNginx, PortRef, Target};
use crate::sim::node::behaviour::net::{Connect, Peer};
use crate::sim::node::behaviour::nettools::http::{self, Response};

/// `proxy-next-upstream-tries`.
const TRIES: usize = 3;

fn error(status: u16) -> Response {
    Response::Http { status, body: http::ingress_nginx_error(status) }
}

impl PodNetwork<'_> {
    /// The answer of the ingress-nginx pod at `peer` to `GET path` for `host`.
    pub(super) fn through_ingress(&self, controller: &IngressNginx, peer: &Peer, host: &str, path: &str) -> Response {
        let Some(routes) = controller.routes() else { return http::get(peer, path) };
        let Target::Service { namespace, name, port } = routes.route(host, path) else { return error(404) };
        let endpoints = controller.endpoints(namespace, name, port);
        let port_text = match port {
            PortRef::Number(n) => n.to_string(),
            PortRef::Name(n) => n.clone(),
        };
        let upstream = format!("{namespace}-{name}-{port_text}");
        let Some(source) = self.pod_at(&peer.ip) else { return error(502) };
        let mut timed_out = false;
        for _ in 0..TRIES.min(endpoints.len()) {
            let Some((ip, port)) = controller.pick(&upstream, &endpoints) else { break };
            let node_ip = self.nodes.get(&source.0).map_or("", |n| n.config.internal_ip.as_str());
            if firewall::verdict(self.cache, &source.0, node_ip, Some(&source.1), &ip, port, Proto::Tcp)
                != Verdict::Allow
            {
                timed_out = true;
                continue;
            }
            match self.reach(&ip, port) {
                Connect::Open(backend) => return http::get(&backend, path),
                Connect::Refused => {}
                Connect::TimedOut => timed_out = true,
            }
        }
        match (endpoints.is_empty(), timed_out) {
            (true, _) => error(503),
            (false, true) => error(504),
            (false, false) => error(502),
        }
    }

    /// The node and pod that have `ip` (the controller's pod the request reached).
    fn pod_at(&self, ip: &str) -> Option<(String, firewall::Source)> {
        self.nodes.iter().find_map(|(node, n)| {
            let w = n.kubelet.pods.values().find(|w| w.sandbox.as_ref().is_some_and(|s| s.ip == ip))?;
            let source = firewall::Source { namespace: w.spec.namespace.clone(), pod: w.spec.name.clone() };
            Some((node.clone(), source))
        })
    }
}
