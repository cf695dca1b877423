//! The cluster's own workloads, as `kubeadm init` installs its addons (CoreDNS and kube-proxy,
//! `cmd/kubeadm/app/phases/addons/{dns,proxy}/manifests.go`) and kind applies its CNI (kindnet,
//! `pkg/build/nodeimage/const_cni.go`). RBAC objects (ClusterRoles, bindings) are left out: the
//! simulated apiserver does not enforce them.

use serde_json::Value;

use super::{DNS_SERVICE_IP, POD_SUBNET};
use crate::sim::node::registry::kind_images;

/// The kubeadm Corefile for the `cluster.local` domain.
pub const COREFILE: &str = ".:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
";

/// kubeadm's addons, kind's CNI, then kind's storage (`storage.rs`), in the order they are applied. `apiserver_endpoint` is the
/// control plane's `host:port`, which kube-proxy's kubeconfig names.
pub fn manifests(apiserver_endpoint: &str) -> Vec<Value> {
    let vars = [
        ("COREFILE", COREFILE),
        ("COREDNS_IMAGE", kind_images::COREDNS),
        ("DNS_SERVICE_IP", DNS_SERVICE_IP),
        ("KUBE_PROXY_IMAGE", kind_images::KUBE_PROXY),
        ("KINDNETD_IMAGE", kind_images::KINDNETD),
        ("POD_SUBNET", POD_SUBNET),
        ("APISERVER_ENDPOINT", apiserver_endpoint),
    ];
    super::manifests_from_json(include_str!("manifests/addons.json"), &vars)
        .into_iter()
        .chain(super::storage::manifests())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addons_are_the_kind_set() {
        let kinds: Vec<String> =
            manifests("172.18.0.2:6443").iter().map(|m| format!("{}/{}", m["kind"], m["metadata"]["name"])).collect();
        assert_eq!(kinds.len(), 14);
        assert!(kinds.contains(&"\"Deployment\"/\"local-path-provisioner\"".to_string()));
        assert!(kinds.contains(&"\"StorageClass\"/\"standard\"".to_string()));
        assert!(kinds.contains(&"\"DaemonSet\"/\"kindnet\"".to_string()));
        let all = manifests("172.18.0.2:6443");
        let dns = all.iter().find(|m| m["kind"] == "Service" && m["metadata"]["name"] == "kube-dns").expect("kube-dns");
        assert_eq!(dns["spec"]["clusterIP"], "10.96.0.10");
        let coredns =
            all.iter().find(|m| m["kind"] == "Deployment" && m["metadata"]["name"] == "coredns").expect("coredns");
        assert_eq!(coredns["spec"]["replicas"], 2);
        assert_eq!(coredns["spec"]["template"]["spec"]["containers"][0]["image"], kind_images::COREDNS);
        let proxy =
            all.iter().find(|m| m["kind"] == "ConfigMap" && m["metadata"]["name"] == "kube-proxy").expect("kube-proxy");
        assert!(proxy["data"]["kubeconfig.conf"].as_str().expect("text").contains("server: https://172.18.0.2:6443\n"));
        assert!(COREFILE.contains("kubernetes cluster.local in-addr.arpa ip6.arpa"));
    }
}
