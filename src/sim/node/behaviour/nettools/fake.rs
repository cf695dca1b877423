//! A fixed network for the programs' unit tests: one nginx Service `web` (10.96.0.20) in `default`,
//! a Service `empty` without endpoints (10.96.0.30), CoreDNS at 10.96.0.10, one pod 10.244.1.5.

use super::super::net::{Connect, DnsReply, Network, Peer, QType, Record};
use super::super::programs::ServerKind;

/// The test network; `dns_down` makes every query time out.
#[derive(Debug, Default)]
pub struct Fake {
    pub dns_down: bool,
}

impl Network for Fake {
    fn dns(&self, server: &str, name: &str, qtype: QType) -> DnsReply {
        if self.dns_down || server != "10.96.0.10" {
            return DnsReply::Timeout;
        }
        let a = |ip: &str| match qtype {
            QType::A => DnsReply::Answer(vec![Record::A { name: name.to_string(), ip: ip.to_string() }]),
            _ => DnsReply::Answer(vec![]),
        };
        match name {
            "web.default.svc.cluster.local" => a("10.96.0.20"),
            "empty.default.svc.cluster.local" => a("10.96.0.30"),
            "ext.default.svc.cluster.local" => {
                DnsReply::Answer(vec![Record::Cname { name: name.to_string(), target: "example.com".into() }])
            }
            n if n.ends_with("cluster.local") => DnsReply::NxDomain,
            _ => DnsReply::ServFail,
        }
    }

    fn connect(&self, ip: &str, port: u16) -> Connect {
        match (ip, port) {
            ("10.96.0.20", 80) | ("10.244.1.5", 80) => Connect::Open(Peer {
                ip: "10.244.1.5".into(),
                port: 80,
                server: ServerKind::Nginx,
                hostname: "web-1".into(),
                up_for: 60_000,
                now: 0,
            }),
            ("10.96.0.30", _) | ("10.244.1.5", _) => Connect::Refused,
            _ => Connect::TimedOut,
        }
    }

    fn ping(&self, ip: &str) -> bool {
        ip.starts_with("10.244.")
    }
}
