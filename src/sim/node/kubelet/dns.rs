//! The pod's `/etc/resolv.conf`, as the kubelet decides it (pkg/kubelet/network/dns/dns.go) and
//! containerd writes it: `search`, then `nameserver`, then `options`.
//!
//! | dnsPolicy | hostNetwork | resolv.conf |
//! | --- | --- | --- |
//! | ClusterFirst (default) | false | the cluster DNS Service, `<ns>.svc.cluster.local svc.cluster.local cluster.local`, `ndots:5` |
//! | ClusterFirst | true | the node's (dns.go falls through to Default) |
//! | ClusterFirstWithHostNet | any | the cluster's |
//! | Default | any | the node's |
//! | None | any | only `dnsConfig` |
//!
//! `dnsConfig` is merged into all of them: nameservers and searches appended without duplicates,
//! options replaced by name (dns.go `appendDNSConfig`).

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

/// The kubelet's `--cluster-dns` (the kube-dns Service's ClusterIP in kind).
pub const CLUSTER_DNS: &str = "10.96.0.10";
/// The kubelet's `--cluster-domain`.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// A kind node's own resolv.conf: kind's entrypoint points it at the Docker network's gateway, and
/// Docker writes `ndots:0` for user-defined networks. There is no search domain.
const NODE_NAMESERVER: &str = "172.18.0.1";
const NODE_OPTIONS: &[&str] = &["ndots:0"];

/// `spec.dnsPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    #[default]
    ClusterFirst,
    ClusterFirstWithHostNet,
    Default,
    None,
}

/// What the kubelet needs of a pod to write its resolv.conf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodDns {
    pub policy: Policy,
    pub host_network: bool,
    /// `spec.dnsConfig`, kept as JSON text (rare, and smaller than a tree).
    pub config: Option<Box<str>>,
}

impl PodDns {
    /// Reads `spec.dnsPolicy`, `spec.hostNetwork` and `spec.dnsConfig`.
    pub fn parse(spec: &Value) -> PodDns {
        let policy = match spec.get("dnsPolicy").and_then(Value::as_str) {
            Some("ClusterFirstWithHostNet") => Policy::ClusterFirstWithHostNet,
            Some("Default") => Policy::Default,
            Some("None") => Policy::None,
            _ => Policy::ClusterFirst,
        };
        PodDns {
            policy,
            host_network: spec.get("hostNetwork").and_then(Value::as_bool) == Some(true),
            config: spec.get("dnsConfig").filter(|c| c.is_object()).map(|c| c.to_string().into_boxed_str()),
        }
    }

    /// The file's content for a pod in `namespace`.
    pub fn resolv_conf(&self, namespace: &str) -> String {
        let cluster = match self.policy {
            Policy::ClusterFirst => !self.host_network,
            Policy::ClusterFirstWithHostNet => true,
            Policy::Default | Policy::None => false,
        };
        let (mut servers, mut searches, mut options): (Vec<String>, Vec<String>, Vec<String>) = if cluster {
            let d = CLUSTER_DOMAIN;
            (
                vec![CLUSTER_DNS.into()],
                vec![format!("{namespace}.svc.{d}"), format!("svc.{d}"), d.into()],
                vec!["ndots:5".into()],
            )
        } else if self.policy == Policy::None {
            (Vec::new(), Vec::new(), Vec::new())
        } else {
            (vec![NODE_NAMESERVER.into()], Vec::new(), NODE_OPTIONS.iter().map(|s| s.to_string()).collect())
        };
        if let Some(cfg) = self.config.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()) {
            let strings = |p: &str| -> Vec<String> {
                cfg.at(p)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            };
            for s in strings("/nameservers") {
                if !servers.contains(&s) {
                    servers.push(s);
                }
            }
            for s in strings("/searches") {
                if !searches.contains(&s) {
                    searches.push(s);
                }
            }
            for o in cfg.get("options").and_then(Value::as_array).into_iter().flatten() {
                let Some(name) = o.get("name").and_then(Value::as_str) else { continue };
                let text = match o.get("value").and_then(Value::as_str) {
                    Some(v) => format!("{name}:{v}"),
                    None => name.to_string(),
                };
                options.retain(|x| x.split(':').next() != Some(name));
                options.push(text);
            }
        }
        let mut out = Vec::new();
        if !searches.is_empty() {
            out.push(format!("search {}", searches.join(" ")));
        }
        out.extend(servers.iter().map(|s| format!("nameserver {s}")));
        if !options.is_empty() {
            out.push(format!("options {}", options.join(" ")));
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// dns.go: ClusterFirst, ClusterFirst on the host network, ClusterFirstWithHostNet, Default,
    /// None with dnsConfig.
    #[test]
    fn policies_as_dns_go() {
        let conf = |spec: Value| PodDns::parse(&spec).resolv_conf("shop");
        assert_eq!(
            conf(json!({})),
            "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5"
        );
        assert_eq!(conf(json!({"hostNetwork": true})), "nameserver 172.18.0.1\noptions ndots:0");
        assert!(conf(json!({"hostNetwork": true, "dnsPolicy": "ClusterFirstWithHostNet"})).contains("10.96.0.10"));
        assert_eq!(conf(json!({"dnsPolicy": "Default"})), "nameserver 172.18.0.1\noptions ndots:0");
        let none = json!({"dnsPolicy": "None", "dnsConfig": {"nameservers": ["1.2.3.4"], "searches": ["ns1.svc.cluster-domain.example"], "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}});
        assert_eq!(conf(none), "search ns1.svc.cluster-domain.example\nnameserver 1.2.3.4\noptions ndots:2 edns0");
        let merged = json!({"dnsConfig": {"options": [{"name": "ndots", "value": "1"}]}});
        assert!(conf(merged).ends_with("options ndots:1"), "options are replaced by name");
    }
}
