//! The cluster's own workloads, as `kubeadm init` installs its addons (CoreDNS and kube-proxy,
//! `cmd/kubeadm/app/phases/addons/{dns,proxy}/manifests.go`) and kind applies its CNI (kindnet,
//! `pkg/build/nodeimage/const_cni.go`). RBAC objects (ClusterRoles, bindings) are left out: the
//! simulated apiserver does not enforce them.

use serde_json::{Value, json};

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

fn service_account(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "kube-system"}})
}

fn coredns_deployment() -> Value {
    let port = |n: u16, name: &str, proto: &str| json!({"containerPort": n, "name": name, "protocol": proto});
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {"replicas": 2, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}}, "spec": {
                "priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns",
                "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100,
                    "podAffinityTerm": {"labelSelector": {"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                        "topologyKey": "kubernetes.io/hostname"}}]}},
                "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                    {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "containers": [{"name": "coredns", "image": kind_images::COREDNS, "imagePullPolicy": "IfNotPresent",
                    "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                    "args": ["-conf", "/etc/coredns/Corefile"],
                    "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": true}],
                    "ports": [port(53, "dns", "UDP"), port(53, "dns-tcp", "TCP"), port(9153, "metrics", "TCP"),
                        port(8080, "liveness-probe", "TCP"), port(8181, "readiness-probe", "TCP")],
                    "livenessProbe": {"httpGet": {"path": "/health", "port": "liveness-probe", "scheme": "HTTP"},
                        "initialDelaySeconds": 60, "timeoutSeconds": 5, "successThreshold": 1, "failureThreshold": 5},
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": "readiness-probe", "scheme": "HTTP"}},
                    "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                        "readOnlyRootFilesystem": true}}],
                "dnsPolicy": "Default",
                "volumes": [{"name": "config-volume", "configMap": {"name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}]}}}})
}

fn kube_dns_service() -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
        "spec": {"clusterIP": DNS_SERVICE_IP, "selector": {"k8s-app": "kube-dns"}, "ports": [
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}})
}

/// kube-proxy's configuration as kubeadm writes it for kind (iptables mode), trimmed to the fields
/// that differ from kube-proxy's defaults.
fn kube_proxy_config_map(apiserver_endpoint: &str) -> Value {
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n    server: https://{apiserver_endpoint}\n  name: default\ncontexts:\n- context:\n    cluster: default\n    namespace: default\n    user: default\n  name: default\ncurrent-context: default\nusers:\n- name: default\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token"
    );
    let config = format!(
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nbindAddress: 0.0.0.0\nclientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\nclusterCIDR: {POD_SUBNET}\nconntrack:\n  maxPerCore: 0\nkind: KubeProxyConfiguration\nmode: iptables\niptables:\n  minSyncPeriod: 1s\n  syncPeriod: 30s"
    );
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"app": "kube-proxy"}},
        "data": {"config.conf": config, "kubeconfig.conf": kubeconfig}})
}

fn kube_proxy_daemon_set() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"k8s-app": "kube-proxy"}},
        "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}}, "updateStrategy": {"type": "RollingUpdate"},
            "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}}, "spec": {
                "priorityClassName": "system-node-critical",
                "containers": [{"name": "kube-proxy", "image": kind_images::KUBE_PROXY, "imagePullPolicy": "IfNotPresent",
                    "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                    "securityContext": {"privileged": true},
                    "volumeMounts": [{"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
                        {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
                        {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": true}],
                    "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]}],
                "hostNetwork": true, "serviceAccountName": "kube-proxy",
                "volumes": [{"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                    {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                    {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}],
                "tolerations": [{"operator": "Exists"}],
                "nodeSelector": {"kubernetes.io/os": "linux"}}}}})
}

fn kindnet_daemon_set() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kindnet", "namespace": "kube-system", "labels": {"app": "kindnet", "k8s-app": "kindnet", "tier": "node"}},
        "spec": {"selector": {"matchLabels": {"app": "kindnet"}},
            "template": {"metadata": {"labels": {"app": "kindnet", "k8s-app": "kindnet", "tier": "node"}}, "spec": {
                "hostNetwork": true, "tolerations": [{"operator": "Exists"}], "serviceAccountName": "kindnet",
                "containers": [{"name": "kindnet-cni", "image": kind_images::KINDNETD,
                    "env": [{"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                        {"name": "POD_SUBNET", "value": POD_SUBNET}],
                    "volumeMounts": [{"name": "cni-cfg", "mountPath": "/etc/cni/net.d"},
                        {"name": "xtables-lock", "mountPath": "/run/xtables.lock", "readOnly": false},
                        {"name": "lib-modules", "mountPath": "/lib/modules", "readOnly": true}],
                    "resources": {"requests": {"cpu": "100m", "memory": "50Mi"}, "limits": {"cpu": "100m", "memory": "50Mi"}},
                    "securityContext": {"privileged": false, "capabilities": {"add": ["NET_RAW", "NET_ADMIN"]}}}],
                "volumes": [{"name": "cni-cfg", "hostPath": {"path": "/etc/cni/net.d"}},
                    {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                    {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}]}}}})
}

/// kubeadm's addons, kind's CNI, then kind's storage (`storage.rs`), in the order they are applied. `apiserver_endpoint` is the
/// control plane's `host:port`.
pub fn manifests(apiserver_endpoint: &str) -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": "kube-system"},
            "data": {"Corefile": COREFILE}}),
        service_account("coredns"),
        coredns_deployment(),
        kube_dns_service(),
        service_account("kube-proxy"),
        kube_proxy_config_map(apiserver_endpoint),
        kube_proxy_daemon_set(),
        service_account("kindnet"),
        kindnet_daemon_set(),
    ]
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
        assert_eq!(kube_dns_service()["spec"]["clusterIP"], "10.96.0.10");
        assert_eq!(coredns_deployment()["spec"]["replicas"], 2);
        assert!(COREFILE.contains("kubernetes cluster.local in-addr.arpa ip6.arpa"));
    }
}
