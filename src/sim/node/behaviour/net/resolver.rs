//! The C library's resolver as wget, curl, nc and ping use it (`getaddrinfo`): read the container's
//! `/etc/resolv.conf`, expand a short name with the `search` list under `ndots`, ask the nameserver.
//!
//! With the kubelet's `options ndots:5`, `web` (0 dots) is tried as `web.<ns>.svc.cluster.local`,
//! `web.svc.cluster.local`, `web.cluster.local`, and only then as `web`; a name with 5 dots or more,
//! or ending in a dot, is tried as written first (resolv.conf(5), musl's `name_from_dns_search`).
//! An NXDOMAIN moves on to the next candidate; a timeout or SERVFAIL ends the lookup (musl returns
//! `EAI_AGAIN` at once), as does NODATA.

use super::{DnsReply, Network, QType, Record, is_ipv4};
use crate::sim::time::Millis;

/// What `/etc/resolv.conf` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    pub nameservers: Vec<String>,
    pub search: Vec<String>,
    pub ndots: usize,
}

impl ResolvConf {
    /// Parses the file; no `nameserver` line means 127.0.0.1, as in glibc and musl; `ndots` defaults
    /// to 1 and is capped at 15, as resolv.conf(5) says.
    pub fn parse(text: &str) -> ResolvConf {
        let mut conf = ResolvConf { nameservers: Vec::new(), search: Vec::new(), ndots: 1 };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => conf.nameservers.extend(words.next().map(str::to_string)),
                Some("search") | Some("domain") => conf.search = words.map(str::to_string).collect(),
                Some("options") => {
                    for o in words {
                        if let Some(n) = o.strip_prefix("ndots:").and_then(|n| n.parse::<usize>().ok()) {
                            conf.ndots = n.min(15);
                        }
                    }
                }
                _ => {}
            }
        }
        if conf.nameservers.is_empty() {
            conf.nameservers.push("127.0.0.1".into());
        }
        conf
    }

    /// The names tried for `name`, in order.
    pub fn candidates(&self, name: &str) -> Vec<String> {
        if let Some(absolute) = name.strip_suffix('.') {
            return vec![absolute.to_string()];
        }
        let expanded = self.search.iter().filter(|d| !d.is_empty() && *d != ".").map(|d| format!("{name}.{d}"));
        let dots = name.matches('.').count();
        if dots >= self.ndots {
            std::iter::once(name.to_string()).chain(expanded).collect()
        } else {
            expanded.chain(std::iter::once(name.to_string())).collect()
        }
    }
}

/// Why a name did not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupError {
    /// Every candidate was NXDOMAIN, or the name has no address (`EAI_NONAME`).
    NoName,
    /// The server failed or did not answer (`EAI_AGAIN`).
    Again,
}

/// A lookup's outcome and the virtual time it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub result: Result<Vec<String>, LookupError>,
    pub took: Millis,
}

/// `getaddrinfo(host)` for IPv4: the addresses, or why not. `timeout` is how long the library waits
/// for a server that does not answer (musl: 5 s in all; glibc: 5 s per attempt, 2 attempts).
pub fn getaddrinfo(net: &dyn Network, conf: &ResolvConf, host: &str, timeout: Millis) -> Lookup {
    if is_ipv4(host) {
        return Lookup { result: Ok(vec![host.to_string()]), took: 0 };
    }
    if host == "localhost" {
        return Lookup { result: Ok(vec!["127.0.0.1".into()]), took: 0 };
    }
    if host.is_empty() || host.len() > 253 {
        return Lookup { result: Err(LookupError::NoName), took: 0 };
    }
    let server = conf.nameservers.first().map_or("127.0.0.1", String::as_str);
    for name in conf.candidates(host) {
        match net.dns(server, &name, QType::A) {
            DnsReply::NxDomain => continue,
            DnsReply::ServFail => return Lookup { result: Err(LookupError::Again), took: 0 },
            DnsReply::Timeout => return Lookup { result: Err(LookupError::Again), took: timeout },
            DnsReply::Answer(records) => {
                let ips: Vec<String> = records
                    .into_iter()
                    .filter_map(|r| if let Record::A { ip, .. } = r { Some(ip) } else { None })
                    .collect();
                let result = if ips.is_empty() { Err(LookupError::NoName) } else { Ok(ips) };
                return Lookup { result, took: 0 };
            }
        }
    }
    Lookup { result: Err(LookupError::NoName), took: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str =
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5";

    #[test]
    fn parses_the_kubelet_file() {
        let c = ResolvConf::parse(POD);
        assert_eq!(c.nameservers, vec!["10.96.0.10"]);
        assert_eq!(c.search.len(), 3);
        assert_eq!(c.ndots, 5);
        assert_eq!(ResolvConf::parse("").nameservers, vec!["127.0.0.1"]);
        assert_eq!(ResolvConf::parse("options ndots:99").ndots, 15);
    }

    /// resolv.conf(5): "a name with fewer dots than ndots is tried with the search list first".
    #[test]
    fn ndots_and_search_order() {
        let c = ResolvConf::parse(POD);
        assert_eq!(
            c.candidates("web"),
            vec!["web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"]
        );
        assert_eq!(c.candidates("web.other")[0], "web.other.default.svc.cluster.local");
        assert_eq!(c.candidates("a.b.c.d.e.f")[0], "a.b.c.d.e.f", "5 dots or more: as written first");
        assert_eq!(c.candidates("web.default.svc.cluster.local."), vec!["web.default.svc.cluster.local"]);
    }
}
