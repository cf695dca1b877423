//! kube-proxy in iptables mode, minimal: it watches Services and EndpointSlices and keeps the NAT
//! rules a real one would write (`KUBE-SERVICES` → `KUBE-SVC-*` → `KUBE-SEP-*` DNAT), which the UI
//! can show (`iptables-save`) and the simulation can use to route a ClusterIP to pod addresses.
//!
//! Every kube-proxy watches every Service and EndpointSlice of the cluster, as upstream does: on a
//! very large simulated cluster the world may choose not to run them.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::{Change, Reflector};
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::{Message, Payload};

/// One port of a Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub name: String,
    pub protocol: String,
    pub port: u16,
    pub node_port: Option<u16>,
}

/// What kube-proxy needs of a Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInfo {
    pub cluster_ip: String,
    pub ports: Vec<ServicePort>,
}

/// One endpoint of an EndpointSlice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub ip: String,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

/// What kube-proxy needs of an EndpointSlice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SliceInfo {
    pub service: String,
    /// Port name -> number on the endpoints.
    pub ports: Vec<(String, u16)>,
    pub endpoints: Vec<Endpoint>,
}

/// What kube-proxy's nat rules do with one packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dnat {
    /// No rule matches: the packet goes on to its destination as addressed.
    NoRule,
    /// The Service has no endpoints: `-j REJECT` (TCP reset, ICMP port unreachable for UDP).
    Reject,
    /// `KUBE-SVC-*`: one of these `ip:port` endpoints, chosen by the statistic rules.
    To(Vec<String>),
}

impl Dnat {
    fn to(backends: Vec<String>) -> Dnat {
        if backends.is_empty() { Dnat::Reject } else { Dnat::To(backends) }
    }
}

/// The kube-proxy of one node.
#[derive(Debug, Clone)]
pub struct KubeProxy {
    pub running: bool,
    pub node: String,
    /// Services, then EndpointSlices.
    reflectors: Box<[Reflector; 2]>,
    services: BTreeMap<(String, String), ServiceInfo>,
    slices: BTreeMap<(String, String), Box<SliceInfo>>,
    /// How many times the rules changed (a real kube-proxy's sync count).
    pub syncs: u64,
    /// [`KubeProxy::iptables_save`]'s text and the sync it was written at: the inspector shows it on
    /// every render, and it changes only when the rules do.
    saved: RefCell<Option<(u64, Arc<str>)>>,
}

fn rt(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("services and endpointslices are always served")
}

fn key(obj: &Value) -> (String, String) {
    let s = |p: &str| obj.at(p).and_then(Value::as_str).unwrap_or_default().to_string();
    (s("/metadata/namespace"), s("/metadata/name"))
}

/// Reads a Service.
pub fn service_info(obj: &Value) -> ServiceInfo {
    let ports = obj.at("/spec/ports").and_then(Value::as_array).map(|ps| {
        ps.iter()
            .map(|p| ServicePort {
                name: p.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                protocol: p.get("protocol").and_then(Value::as_str).unwrap_or("TCP").to_string(),
                port: p.get("port").and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok()).unwrap_or(0),
                node_port: p.get("nodePort").and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok()),
            })
            .collect()
    });
    ServiceInfo {
        cluster_ip: obj.at("/spec/clusterIP").and_then(Value::as_str).unwrap_or_default().to_string(),
        ports: ports.unwrap_or_default(),
    }
}

/// Reads an EndpointSlice.
pub fn slice_info(obj: &Value) -> SliceInfo {
    let service =
        obj.at("/metadata/labels/kubernetes.io~1service-name").and_then(Value::as_str).unwrap_or_default().to_string();
    let ports = obj.get("ports").and_then(Value::as_array).map(|ps| {
        ps.iter()
            .filter_map(|p| {
                Some((
                    p.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                    u16::try_from(p.get("port")?.as_u64()?).ok()?,
                ))
            })
            .collect()
    });
    let endpoints = obj.get("endpoints").and_then(Value::as_array).map(|es| {
        es.iter()
            .flat_map(|e| {
                let cond = |c: &str, default: bool| {
                    e.at(&format!("/conditions/{c}")).and_then(Value::as_bool).unwrap_or(default)
                };
                let (ready, serving, terminating) =
                    (cond("ready", true), cond("serving", cond("ready", true)), cond("terminating", false));
                e.get("addresses")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(move |ip| Endpoint { ip: ip.to_string(), ready, serving, terminating })
            })
            .collect()
    });
    SliceInfo { service, ports: ports.unwrap_or_default(), endpoints: endpoints.unwrap_or_default() }
}

/// A chain suffix as kube-proxy derives it (base32 of a hash of the service port and protocol).
pub fn chain_hash(seed: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let hex = super::hex64(seed);
    hex.as_bytes()
        .chunks(2)
        .take(16)
        .map(|pair| {
            let byte = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
            ALPHABET[usize::from(byte) % 32] as char
        })
        .collect()
}

impl KubeProxy {
    /// A kube-proxy that has not started yet (`start` opens its watches).
    pub fn new(node: &str) -> Self {
        KubeProxy {
            running: true,
            node: node.to_string(),
            reflectors: Box::new([Reflector::new(rt("services"), None), Reflector::new(rt("endpointslices"), None)]),
            services: BTreeMap::new(),
            slices: BTreeMap::new(),
            syncs: 0,
            saved: RefCell::new(None),
        }
    }

    fn me(&self) -> Component {
        Component::KubeProxy(self.node.clone())
    }

    /// Starts (or restarts) the process: it forgets its rules and watches everything again.
    pub fn start(&mut self, k: &mut Kernel) {
        *self = KubeProxy::new(&self.node);
        let me = self.me();
        for r in self.reflectors.iter_mut() {
            r.start(&me, k);
        }
    }

    /// Its list-and-watch loops (Services, EndpointSlices).
    pub fn reflectors(&self) -> &[Reflector] {
        &self.reflectors[..]
    }

    /// Stops the process (the world stops delivering to it).
    pub fn stop(&mut self) {
        self.running = false;
    }

    /// Applies a watch event to the rules; a watch that ended goes back to its reflector.
    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        let me = self.me();
        match msg.payload {
            Payload::Watch(n) => {
                let Some(i) = self.reflectors.iter().position(|r| r.owns(n.watch_id)) else { return };
                for change in self.reflectors[i].on_notice(*n) {
                    if self.apply(i == 0, &change) {
                        self.syncs += 1;
                    }
                }
            }
            Payload::Response(r) => {
                let _ = self.reflectors.iter_mut().any(|refl| refl.on_response(&r, &me, k));
            }
            _ => {}
        }
    }

    /// Whether a change alters the rules.
    fn apply(&mut self, services: bool, change: &Change) -> bool {
        let key = key(&change.new);
        match (change.event, services) {
            (EventType::Bookmark, _) => false,
            (EventType::Deleted, true) => self.services.remove(&key).is_some(),
            (EventType::Deleted, false) => self.slices.remove(&key).is_some(),
            (_, true) => {
                let info = service_info(&change.new);
                self.services.insert(key, info.clone()).as_ref() != Some(&info)
            }
            (_, false) => {
                let info = slice_info(&change.new);
                self.slices.insert(key, Box::new(info.clone())).as_deref() != Some(&info)
            }
        }
    }

    /// The reflectors' timers (backoff, health checks); rules are computed when read.
    pub fn on_timer(&mut self, kind: TimerKind, k: &mut Kernel) {
        let me = self.me();
        let _ = self.reflectors.iter_mut().any(|r| r.on_timer(&kind, &me, k));
    }

    /// The endpoints (`ip:port`) a Service port balances over: ready ones, or serving terminating
    /// ones when none is ready (kube-proxy's fallback).
    pub fn backends(&self, namespace: &str, service: &str, port_name: &str) -> Vec<String> {
        let slices: Vec<&SliceInfo> = self
            .slices
            .iter()
            .filter(|((ns, _), s)| ns == namespace && s.service == service)
            .map(|(_, s)| &**s)
            .collect();
        let pick = |want_ready: bool| -> Vec<String> {
            let mut out: Vec<String> = slices
                .iter()
                .flat_map(|s| {
                    let port = s.ports.iter().find(|(n, _)| n == port_name).map(|(_, p)| *p);
                    s.endpoints
                        .iter()
                        .filter(move |e| if want_ready { e.ready } else { e.serving && e.terminating })
                        .filter_map(move |e| port.map(|p| format!("{}:{p}", e.ip)))
                })
                .collect();
            out.stable_sort();
            out.dedup();
            out
        };
        let ready = pick(true);
        if ready.is_empty() { pick(false) } else { ready }
    }

    /// What the rules do with a packet for `ip:port` over `protocol` (`TCP`, `UDP`): a Service's
    /// ClusterIP port jumps to its `KUBE-SVC-*` chain, or is REJECTed when the Service has no
    /// endpoints (kube-proxy writes a REJECT rule then, so clients see "connection refused").
    pub fn dnat(&self, ip: &str, port: u16, protocol: &str) -> Dnat {
        let found = self.services.iter().find_map(|(key, s)| {
            let p = s.ports.iter().find(|p| p.port == port && p.protocol.eq_ignore_ascii_case(protocol))?;
            (s.cluster_ip == ip).then_some((key, p))
        });
        match found {
            Some(((ns, name), p)) => Dnat::to(self.backends(ns, name, &p.name)),
            None => Dnat::NoRule,
        }
    }

    /// What the rules do with a packet for `port` on one of this node's addresses (`KUBE-NODEPORTS`).
    pub fn node_port(&self, port: u16, protocol: &str) -> Dnat {
        let found = self.services.iter().find_map(|(key, s)| {
            s.ports
                .iter()
                .find(|p| p.node_port == Some(port) && p.protocol.eq_ignore_ascii_case(protocol))
                .map(|p| (key, p))
        });
        match found {
            Some(((ns, name), p)) => Dnat::to(self.backends(ns, name, &p.name)),
            None => Dnat::NoRule,
        }
    }

    /// Where a connection to `cluster_ip:port` goes.
    pub fn route(&self, cluster_ip: &str, port: u16) -> Vec<String> {
        self.services
            .iter()
            .find(|(_, s)| s.cluster_ip == cluster_ip && s.ports.iter().any(|p| p.port == port))
            .map(|((ns, name), s)| {
                let p = s.ports.iter().find(|p| p.port == port).map(|p| p.name.clone()).unwrap_or_default();
                self.backends(ns, name, &p)
            })
            .unwrap_or_default()
    }

    /// Each Service port's rules, in the order kube-proxy's `syncProxyRules` writes them.
    fn port_rules(&self) -> Vec<PortRules> {
        let mut out = Vec::new();
        for ((ns, name), svc) in &self.services {
            if svc.cluster_ip.is_empty() || svc.cluster_ip == "None" {
                continue;
            }
            for p in &svc.ports {
                let port_name =
                    if p.name.is_empty() { format!("{ns}/{name}") } else { format!("{ns}/{name}:{}", p.name) };
                let proto = p.protocol.to_lowercase();
                let backends = self.backends(ns, name, &p.name);
                let mut r = PortRules {
                    cluster_ip: svc.cluster_ip.clone(),
                    port: p.port,
                    node_port: p.node_port,
                    protocol: p.protocol.clone(),
                    chains: Vec::new(),
                    service: None,
                    node_port_rule: None,
                    reject: None,
                    seps: Vec::new(),
                };
                if backends.is_empty() {
                    // `proxier.go`: a Service port with no endpoints gets a REJECT in the filter
                    // table's KUBE-SERVICES ("%s has no endpoints"), so clients are refused at once.
                    r.reject = Some(format!(
                        "-A KUBE-SERVICES -d {}/32 -p {proto} -m comment --comment \"{port_name} has no endpoints\" -m {proto} --dport {} -j REJECT --reject-with icmp-port-unreachable",
                        svc.cluster_ip, p.port
                    ));
                    out.push(r);
                    continue;
                }
                let svc_chain = format!("KUBE-SVC-{}", chain_hash(&format!("{port_name}{}", p.protocol)));
                r.chains.push(format!(":{svc_chain} - [0:0]"));
                r.service = Some(format!(
                    "-A KUBE-SERVICES -d {}/32 -p {proto} -m comment --comment \"{port_name} cluster IP\" -m {proto} --dport {} -j {svc_chain}",
                    svc.cluster_ip, p.port
                ));
                r.node_port_rule = p.node_port.map(|np| format!("-A KUBE-NODEPORTS -p {proto} -m comment --comment \"{port_name}\" -m {proto} --dport {np} -j {svc_chain}"));
                let n = backends.len();
                for (i, b) in backends.iter().enumerate() {
                    let sep = format!("KUBE-SEP-{}", chain_hash(&format!("{port_name}{}{b}", p.protocol)));
                    r.chains.push(format!(":{sep} - [0:0]"));
                    let remaining = n - i;
                    let statistic = if remaining > 1 {
                        format!(" -m statistic --mode random --probability {:.11}", 1.0 / remaining as f64)
                    } else {
                        String::new()
                    };
                    let ip = b.rsplit_once(':').map_or(b.as_str(), |(ip, _)| ip);
                    r.seps.push(Sep {
                        backend: b.clone(),
                        jump: format!("-A {svc_chain} -m comment --comment \"{port_name} -> {b}\"{statistic} -j {sep}"),
                        masq: format!("-A {sep} -s {ip}/32 -m comment --comment \"{port_name}\" -j KUBE-MARK-MASQ"),
                        dnat: format!("-A {sep} -p {proto} -m comment --comment \"{port_name}\" -m {proto} -j DNAT --to-destination {b}"),
                    });
                }
                out.push(r);
            }
        }
        out
    }

    /// The rules a packet for `ip:port` (`protocol`) matched on this node, as `iptables-save`
    /// prints them, in the order the kernel walked them: `KUBE-SERVICES`' jump (or
    /// `KUBE-NODEPORTS`' when `node_port`), the `KUBE-SVC-*` rule that chose `backend`, and its
    /// `KUBE-SEP-*` DNAT; or the REJECT of a Service without endpoints. Empty when no rule matched.
    pub fn matched(&self, ip: &str, port: u16, protocol: &str, node_port: bool, backend: Option<&str>) -> Vec<String> {
        let Some(r) = self.port_rules().into_iter().find(|r| {
            r.protocol.eq_ignore_ascii_case(protocol)
                && if node_port { r.node_port == Some(port) } else { r.cluster_ip == ip && r.port == port }
        }) else {
            return Vec::new();
        };
        if let Some(reject) = r.reject {
            return if node_port { Vec::new() } else { vec![reject] };
        }
        let mut out: Vec<String> =
            if node_port { r.node_port_rule.into_iter().collect() } else { r.service.into_iter().collect() };
        if let Some(sep) = r.seps.into_iter().find(|s| Some(s.backend.as_str()) == backend) {
            out.push(sep.jump);
            out.push(sep.dnat);
        }
        out
    }

    /// [`KubeProxy::iptables_save`], written once per sync.
    pub fn rules_text(&self) -> Arc<str> {
        let mut saved = self.saved.borrow_mut();
        match &*saved {
            Some((sync, text)) if *sync == self.syncs => text.clone(),
            _ => {
                let text: Arc<str> = self.iptables_save().into();
                *saved = Some((self.syncs, text.clone()));
                text
            }
        }
    }

    /// The nat table (and the filter table's REJECTs) as `iptables-save` would print kube-proxy's
    /// chains.
    pub fn iptables_save(&self) -> String {
        let mut chains = vec![
            ":KUBE-SERVICES - [0:0]".to_string(),
            ":KUBE-NODEPORTS - [0:0]".to_string(),
            ":KUBE-MARK-MASQ - [0:0]".to_string(),
        ];
        let mut rules = Vec::new();
        let mut nodeports = Vec::new();
        let mut rejects = Vec::new();
        for r in self.port_rules() {
            chains.extend(r.chains);
            rules.extend(r.service);
            nodeports.extend(r.node_port_rule);
            rejects.extend(r.reject);
            for s in r.seps {
                rules.extend([s.jump, s.masq, s.dnat]);
            }
        }
        rules.push("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS".into());
        rules.extend(nodeports);
        let mut out = Vec::new();
        if !rejects.is_empty() {
            out.extend(["*filter".to_string(), ":KUBE-SERVICES - [0:0]".to_string()]);
            out.extend(rejects);
            out.push("COMMIT".into());
        }
        out.push("*nat".to_string());
        out.extend(chains);
        out.extend(rules);
        out.push("COMMIT".into());
        out.join("\n")
    }
}

/// One Service port's rules.
struct PortRules {
    cluster_ip: String,
    port: u16,
    node_port: Option<u16>,
    protocol: String,
    /// The chains it declares (`:KUBE-SVC-… - [0:0]`).
    chains: Vec<String>,
    /// `KUBE-SERVICES`' jump to its `KUBE-SVC-*` chain.
    service: Option<String>,
    node_port_rule: Option<String>,
    /// The filter table's REJECT, when it has no endpoints.
    reject: Option<String>,
    seps: Vec<Sep>,
}

/// One endpoint's rules.
struct Sep {
    backend: String,
    jump: String,
    masq: String,
    dnat: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::apiserver::request::WatchNotice;
    use serde_json::json;

    fn deliver(p: &mut KubeProxy, k: &mut Kernel, watch: u64, event: EventType, object: Value) {
        let msg = Message {
            id: 0,
            from: Component::ApiServer,
            to: Component::KubeProxy("n1".into()),
            payload: Payload::Watch(Box::new(WatchNotice { watch_id: watch, event, object: object.into() })),
        };
        p.on_message(msg, k);
    }

    fn setup() -> (KubeProxy, Kernel, u64, u64) {
        let mut k = Kernel::new(1);
        let mut p = KubeProxy::new("n1");
        p.start(&mut k);
        let (s, e) = (p.reflectors[0].watch_id().expect("opened"), p.reflectors[1].watch_id().expect("opened"));
        (p, k, s, e)
    }

    fn slice(ready: &[(&str, bool)]) -> Value {
        let eps: Vec<Value> = ready
            .iter()
            .map(|(ip, r)| json!({"addresses": [ip], "conditions": {"ready": r, "serving": true, "terminating": !r}}))
            .collect();
        json!({"metadata": {"namespace": "default", "name": "web-abc12", "labels": {"kubernetes.io/service-name": "web"}},
               "ports": [{"name": "http", "port": 80, "protocol": "TCP"}], "endpoints": eps})
    }

    #[test]
    fn services_route_to_ready_endpoints() {
        let (mut p, mut k, s, e) = setup();
        let svc = json!({"metadata": {"namespace": "default", "name": "web"}, "spec": {"clusterIP": "10.96.12.34", "type": "NodePort", "ports": [{"name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080}]}});
        deliver(&mut p, &mut k, s, EventType::Added, svc);
        deliver(
            &mut p,
            &mut k,
            e,
            EventType::Added,
            slice(&[("10.244.1.2", true), ("10.244.2.3", true), ("10.244.1.9", false)]),
        );
        assert_eq!(p.route("10.96.12.34", 80), vec!["10.244.1.2:80", "10.244.2.3:80"]);
        let rules = p.iptables_save();
        assert!(rules.contains("-A KUBE-SERVICES -d 10.96.12.34/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80 -j KUBE-SVC-"), "{rules}");
        assert!(rules.contains("--probability 0.50000000000"));
        assert!(rules.contains("-j DNAT --to-destination 10.244.2.3:80"));
        assert!(rules.contains("--dport 30080"));
        assert_eq!(p.syncs, 2);
    }

    #[test]
    fn terminating_endpoints_are_a_fallback_and_deletes_clear() {
        let (mut p, mut k, s, e) = setup();
        deliver(
            &mut p,
            &mut k,
            s,
            EventType::Added,
            json!({"metadata": {"namespace": "default", "name": "web"}, "spec": {"clusterIP": "10.96.0.5", "ports": [{"name": "http", "port": 80}]}}),
        );
        deliver(&mut p, &mut k, e, EventType::Added, slice(&[("10.244.1.9", false)]));
        assert_eq!(p.backends("default", "web", "http"), vec!["10.244.1.9:80"]);
        deliver(&mut p, &mut k, e, EventType::Deleted, slice(&[]));
        assert!(p.route("10.96.0.5", 80).is_empty());
        assert!(!p.iptables_save().contains("KUBE-SVC-"), "no endpoints, no service chain");
        deliver(&mut p, &mut k, 999, EventType::Added, slice(&[("1.2.3.4", true)]));
        assert!(p.backends("default", "web", "http").is_empty(), "unknown watch ids are ignored");
    }

    #[test]
    fn chain_names_look_like_kube_proxy() {
        let c = chain_hash("default/web:httpTCP");
        assert_eq!(c.len(), 16);
        assert!(c.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        assert_ne!(c, chain_hash("default/web:httpsTCP"));
    }
}
