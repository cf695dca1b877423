//! CoreDNS's `kubernetes` plugin, as kind's Corefile configures it (`kubernetes cluster.local
//! in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa }`, then `forward .
//! /etc/resolv.conf`): the answer to one query from Services, EndpointSlices and Namespaces.
//!
//! The record rules (coredns plugin/kubernetes, README and `kubernetes.go` `findServices`/`findPods`;
//! the Kubernetes DNS specification):
//!
//! | name | answer |
//! | --- | --- |
//! | `<svc>.<ns>.svc.cluster.local` | the ClusterIP; headless: every ready endpoint address; ExternalName: a CNAME |
//! | `<host>.<svc>.<ns>.svc.cluster.local` | the endpoint whose `hostname` (or dashed IP) is `<host>` (StatefulSet pods) |
//! | `<a-b-c-d>.<ns>.pod.cluster.local` | `a.b.c.d` (`pods insecure`: not checked against pods) |
//! | `cluster.local`, `svc.cluster.local`, `<ns>.svc.cluster.local`, `pod.cluster.local` | NODATA |
//! | anything else under `cluster.local` | NXDOMAIN |
//! | `d.c.b.a.in-addr.arpa` of a ClusterIP or endpoint | PTR to its name |
//! | anything else | forwarded upstream: the sandbox has no upstream, so SERVFAIL |
//!
//! Only IPv4 is simulated: AAAA questions for names that exist are NODATA.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use crate::sim::node::behaviour::net::{DnsReply, QType, Record, is_ipv4};
use crate::sim::node::kubelet::dns::CLUSTER_DOMAIN;

/// The objects CoreDNS answers from, as its informers hold them.
#[derive(Debug, Clone, Copy)]
pub struct Objects<'a> {
    pub services: &'a [&'a Value],
    pub slices: &'a [&'a Value],
    pub namespaces: &'a [&'a str],
}

fn str_at<'v>(v: &'v Value, p: &str) -> &'v str {
    v.at(p).and_then(Value::as_str).unwrap_or_default()
}

/// One ready endpoint: its address and the hostname it is published under.
struct Endpoint {
    ip: String,
    hostname: String,
}

impl Objects<'_> {
    fn service(&self, ns: &str, name: &str) -> Option<&Value> {
        self.services
            .iter()
            .copied()
            .find(|s| str_at(s, "/metadata/namespace") == ns && str_at(s, "/metadata/name") == name)
    }

    /// The ready endpoints of a Service, over all its slices (CoreDNS publishes ready addresses).
    fn endpoints(&self, ns: &str, svc: &str) -> Vec<Endpoint> {
        let mut out: Vec<Endpoint> = Vec::new();
        for s in self.slices.iter().filter(|s| {
            str_at(s, "/metadata/namespace") == ns && str_at(s, "/metadata/labels/kubernetes.io~1service-name") == svc
        }) {
            for e in s.get("endpoints").and_then(Value::as_array).into_iter().flatten() {
                if e.at("/conditions/ready").and_then(Value::as_bool) == Some(false) {
                    continue;
                }
                for ip in e.get("addresses").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                    if !out.iter().any(|x| x.ip == ip) {
                        let hostname = e
                            .get("hostname")
                            .and_then(Value::as_str)
                            .map_or_else(|| ip.replace('.', "-"), str::to_string);
                        out.push(Endpoint { ip: ip.to_string(), hostname });
                    }
                }
            }
        }
        out
    }
}

/// The answer to `qname` (absolute, no trailing dot) of type `qtype`.
pub fn answer(objects: &Objects<'_>, qname: &str, qtype: QType) -> DnsReply {
    let q = qname.to_ascii_lowercase();
    if let Some(rev) = q.strip_suffix(".in-addr.arpa") {
        return reverse(objects, &q, rev, qtype);
    }
    let Some(rest) = q.strip_suffix(CLUSTER_DOMAIN).filter(|r| r.is_empty() || r.ends_with('.')) else {
        // Outside the zone: `forward . /etc/resolv.conf` has no upstream to reach.
        return DnsReply::ServFail;
    };
    let labels: Vec<&str> = rest.trim_end_matches('.').split('.').filter(|l| !l.is_empty()).collect();
    let addresses = |ips: Vec<String>| match qtype {
        QType::A => DnsReply::Answer(ips.into_iter().map(|ip| Record::A { name: qname.to_string(), ip }).collect()),
        _ => DnsReply::Answer(Vec::new()),
    };
    let ns_exists = |ns: &str| objects.namespaces.contains(&ns);
    match labels.as_slice() {
        [] | ["svc"] | ["pod"] => DnsReply::Answer(Vec::new()),
        [ns, "svc"] | [ns, "pod"] if ns_exists(ns) => DnsReply::Answer(Vec::new()),
        [svc, ns, "svc"] => match objects.service(ns, svc) {
            None => DnsReply::NxDomain,
            Some(s) if str_at(s, "/spec/type") == "ExternalName" => {
                let target = str_at(s, "/spec/externalName").trim_end_matches('.').to_string();
                DnsReply::Answer(vec![Record::Cname { name: qname.to_string(), target }])
            }
            Some(s) => match str_at(s, "/spec/clusterIP") {
                "None" | "" => {
                    let eps = objects.endpoints(ns, svc);
                    if eps.is_empty() { DnsReply::NxDomain } else { addresses(eps.into_iter().map(|e| e.ip).collect()) }
                }
                ip => addresses(vec![ip.to_string()]),
            },
        },
        [host, svc, ns, "svc"] if objects.service(ns, svc).is_some() => {
            match objects.endpoints(ns, svc).into_iter().find(|e| e.hostname == *host) {
                Some(e) => addresses(vec![e.ip]),
                None => DnsReply::NxDomain,
            }
        }
        [dashed, ns, "pod"] if ns_exists(ns) => {
            let ip = dashed.replace('-', ".");
            if is_ipv4(&ip) { addresses(vec![ip]) } else { DnsReply::NxDomain }
        }
        _ => DnsReply::NxDomain,
    }
}

/// `d.c.b.a.in-addr.arpa`: a Service's ClusterIP or an endpoint's address; the rest falls through
/// to the forwarder, which has no upstream.
fn reverse(objects: &Objects<'_>, qname: &str, rev: &str, qtype: QType) -> DnsReply {
    let mut octets: Vec<&str> = rev.split('.').collect();
    octets.reverse();
    let ip = octets.join(".");
    if !is_ipv4(&ip) {
        return DnsReply::ServFail;
    }
    let zone = CLUSTER_DOMAIN;
    let mut target = None;
    for s in objects.services {
        let (ns, name) = (str_at(s, "/metadata/namespace"), str_at(s, "/metadata/name"));
        if str_at(s, "/spec/clusterIP") == ip {
            target = Some(format!("{name}.{ns}.svc.{zone}"));
        } else if let Some(e) = objects.endpoints(ns, name).into_iter().find(|e| e.ip == ip) {
            target = Some(format!("{}.{name}.{ns}.svc.{zone}", e.hostname));
        }
        if target.is_some() {
            break;
        }
    }
    match (target, qtype) {
        (Some(target), QType::Ptr) => DnsReply::Answer(vec![Record::Ptr { name: qname.to_string(), target }]),
        (Some(_), _) => DnsReply::Answer(Vec::new()),
        (None, _) => DnsReply::ServFail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn a(name: &str, ip: &str) -> DnsReply {
        DnsReply::Answer(vec![Record::A { name: name.into(), ip: ip.into() }])
    }

    /// The record rules of the table above, one row each.
    #[test]
    fn kubernetes_plugin_records() {
        let web = json!({"metadata": {"namespace": "default", "name": "web"}, "spec": {"clusterIP": "10.96.5.5"}});
        let db = json!({"metadata": {"namespace": "default", "name": "db"}, "spec": {"clusterIP": "None"}});
        let ext = json!({"metadata": {"namespace": "default", "name": "ext"}, "spec": {"type": "ExternalName", "externalName": "example.com"}});
        let slice = json!({"metadata": {"namespace": "default", "name": "db-x", "labels": {"kubernetes.io/service-name": "db"}},
            "endpoints": [{"addresses": ["10.244.1.7"], "hostname": "db-0", "conditions": {"ready": true}},
                          {"addresses": ["10.244.2.8"], "hostname": "db-1", "conditions": {"ready": false}}]});
        let services = [&web, &db, &ext];
        let slices = [&slice];
        let o = Objects { services: &services, slices: &slices, namespaces: &["default", "kube-system"] };
        let ask = |n: &str| answer(&o, n, QType::A);
        assert_eq!(ask("web.default.svc.cluster.local"), a("web.default.svc.cluster.local", "10.96.5.5"));
        assert_eq!(ask("WEB.default.svc.cluster.local"), a("WEB.default.svc.cluster.local", "10.96.5.5"));
        assert_eq!(answer(&o, "web.default.svc.cluster.local", QType::Aaaa), DnsReply::Answer(vec![]));
        assert_eq!(ask("db.default.svc.cluster.local"), a("db.default.svc.cluster.local", "10.244.1.7"), "ready only");
        assert_eq!(ask("db-0.db.default.svc.cluster.local"), a("db-0.db.default.svc.cluster.local", "10.244.1.7"));
        assert_eq!(ask("db-1.db.default.svc.cluster.local"), DnsReply::NxDomain, "not ready: not published");
        assert_eq!(
            ask("ext.default.svc.cluster.local"),
            DnsReply::Answer(vec![Record::Cname {
                name: "ext.default.svc.cluster.local".into(),
                target: "example.com".into()
            }])
        );
        assert_eq!(
            ask("10-244-9-9.default.pod.cluster.local"),
            a("10-244-9-9.default.pod.cluster.local", "10.244.9.9")
        );
        assert_eq!(ask("nope.default.svc.cluster.local"), DnsReply::NxDomain);
        assert_eq!(ask("web.other.svc.cluster.local"), DnsReply::NxDomain);
        assert_eq!(ask("web.svc.cluster.local"), DnsReply::NxDomain);
        assert_eq!(ask("default.svc.cluster.local"), DnsReply::Answer(vec![]));
        assert_eq!(ask("web"), DnsReply::ServFail, "outside the zone: forwarded, no upstream");
        assert_eq!(ask("example.com"), DnsReply::ServFail);
        assert_eq!(
            answer(&o, "5.5.96.10.in-addr.arpa", QType::Ptr),
            DnsReply::Answer(vec![Record::Ptr {
                name: "5.5.96.10.in-addr.arpa".into(),
                target: "web.default.svc.cluster.local".into()
            }])
        );
    }
}
