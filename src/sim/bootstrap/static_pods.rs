//! The static pod manifests kubeadm writes to `/etc/kubernetes/manifests` on kind's control-plane node
//! (`cmd/kubeadm/app/phases/controlplane/manifests.go`, `phases/etcd/local.go`): each component on the
//! host network, `system-node-critical`, probed on the port the simulated process serves.
//!
//! The manifests are fixed at cluster creation, as kind writes them once; the kubelet runs them
//! (`node/kubelet/static_pods.rs`) and their probes reach the simulated component's port, so a stopped
//! component shows in its pod.

use serde_json::{Value, json};

use super::{APISERVER_PORT, POD_SUBNET};
use crate::sim::component::Component;
use crate::sim::node::registry::kind_images;

/// etcd's metrics and health port (`--listen-metrics-urls=http://127.0.0.1:2381`).
pub const ETCD_HEALTH_PORT: u16 = 2381;
/// kube-controller-manager's secure port.
pub const CONTROLLER_MANAGER_PORT: u16 = 10257;
/// kube-scheduler's secure port.
pub const SCHEDULER_PORT: u16 = 10259;

/// The control-plane process that serves `port` on the control-plane node's host network.
pub fn component_on(port: u16) -> Option<Component> {
    match port {
        APISERVER_PORT => Some(Component::ApiServer),
        ETCD_HEALTH_PORT => Some(Component::Etcd),
        CONTROLLER_MANAGER_PORT => Some(Component::ControllerManager),
        SCHEDULER_PORT => Some(Component::Scheduler),
        _ => None,
    }
}

/// The ports the control plane's health endpoints listen on, one per static pod.
pub const HOST_PORTS: [u16; 4] = [ETCD_HEALTH_PORT, APISERVER_PORT, CONTROLLER_MANAGER_PORT, SCHEDULER_PORT];

/// `staticpodutil.LivenessProbe`, `ReadinessProbe` and `StartupProbe`.
fn probe(kind: &str, host: &str, path: &str, port: u16, scheme: &str) -> Value {
    let mut p = json!({"httpGet": {"host": host, "path": path, "port": port, "scheme": scheme}, "timeoutSeconds": 15});
    let (failures, delay, period) = match kind {
        "readiness" => (3, None, 1),
        "startup" => (24, Some(10), 10),
        _ => (8, Some(10), 10),
    };
    p["failureThreshold"] = json!(failures);
    p["periodSeconds"] = json!(period);
    if let Some(d) = delay {
        p["initialDelaySeconds"] = json!(d);
    }
    p
}

fn host_path(name: &str, path: &str, ty: Option<&str>) -> Value {
    match ty {
        Some(t) => json!({"name": name, "hostPath": {"path": path, "type": t}}),
        None => json!({"name": name, "hostPath": {"path": path}}),
    }
}

/// `staticpodutil.ComponentPod`: the pod around one component container.
fn component_pod(name: &str, container: Value, volumes: Vec<Value>, annotations: Value) -> Value {
    let mut meta =
        json!({"name": name, "namespace": "kube-system", "labels": {"component": name, "tier": "control-plane"}});
    if annotations.as_object().is_some_and(|a| !a.is_empty()) {
        meta["annotations"] = annotations;
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {
        "containers": [container], "hostNetwork": true,
        "priorityClassName": "system-node-critical",
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "volumes": volumes}})
}

fn flags(binary: &str, args: &[(&str, String)]) -> Vec<String> {
    std::iter::once(binary.to_string()).chain(args.iter().map(|(k, v)| format!("--{k}={v}"))).collect()
}

fn mounts(list: &[(&str, &str)]) -> Vec<Value> {
    list.iter().map(|(n, p)| json!({"name": n, "mountPath": p, "readOnly": *n != "etcd-data"})).collect()
}

fn etcd(node: &str, ip: &str) -> Value {
    let pki = "/etc/kubernetes/pki/etcd";
    let command = flags(
        "etcd",
        &[
            ("advertise-client-urls", format!("https://{ip}:2379")),
            ("cert-file", format!("{pki}/server.crt")),
            ("client-cert-auth", "true".into()),
            ("data-dir", "/var/lib/etcd".into()),
            ("experimental-initial-corrupt-check", "true".into()),
            ("experimental-watch-progress-notify-interval", "5s".into()),
            ("initial-advertise-peer-urls", format!("https://{ip}:2380")),
            ("initial-cluster", format!("{node}=https://{ip}:2380")),
            ("key-file", format!("{pki}/server.key")),
            ("listen-client-urls", format!("https://127.0.0.1:2379,https://{ip}:2379")),
            ("listen-metrics-urls", format!("http://127.0.0.1:{ETCD_HEALTH_PORT}")),
            ("listen-peer-urls", format!("https://{ip}:2380")),
            ("name", node.to_string()),
            ("peer-cert-file", format!("{pki}/peer.crt")),
            ("peer-client-cert-auth", "true".into()),
            ("peer-key-file", format!("{pki}/peer.key")),
            ("peer-trusted-ca-file", format!("{pki}/ca.crt")),
            ("snapshot-count", "10000".into()),
            ("trusted-ca-file", format!("{pki}/ca.crt")),
        ],
    );
    let container = json!({"name": "etcd", "image": kind_images::ETCD, "imagePullPolicy": "IfNotPresent", "command": command,
        "livenessProbe": probe("liveness", "127.0.0.1", "/livez", ETCD_HEALTH_PORT, "HTTP"),
        "readinessProbe": probe("readiness", "127.0.0.1", "/readyz", ETCD_HEALTH_PORT, "HTTP"),
        "startupProbe": probe("startup", "127.0.0.1", "/readyz", ETCD_HEALTH_PORT, "HTTP"),
        "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
        "volumeMounts": mounts(&[("etcd-data", "/var/lib/etcd"), ("etcd-certs", pki)])});
    let volumes = vec![
        host_path("etcd-certs", pki, Some("DirectoryOrCreate")),
        host_path("etcd-data", "/var/lib/etcd", Some("DirectoryOrCreate")),
    ];
    component_pod(
        "etcd",
        container,
        volumes,
        json!({"kubeadm.kubernetes.io/etcd.advertise-client-urls": format!("https://{ip}:2379")}),
    )
}

/// The volumes every kubeadm control-plane component mounts (certificates and the node's CA bundles).
fn ca_volumes() -> (Vec<Value>, Vec<(&'static str, &'static str)>) {
    let list = [
        ("ca-certs", "/etc/ssl/certs"),
        ("etc-ca-certificates", "/etc/ca-certificates"),
        ("k8s-certs", "/etc/kubernetes/pki"),
        ("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates"),
        ("usr-share-ca-certificates", "/usr/share/ca-certificates"),
    ];
    (list.iter().map(|(n, p)| host_path(n, p, Some("DirectoryOrCreate"))).collect(), list.to_vec())
}

fn apiserver(ip: &str) -> Value {
    let pki = "/etc/kubernetes/pki";
    let command = flags(
        "kube-apiserver",
        &[
            ("advertise-address", ip.to_string()),
            ("allow-privileged", "true".into()),
            ("authorization-mode", "Node,RBAC".into()),
            ("client-ca-file", format!("{pki}/ca.crt")),
            ("enable-admission-plugins", "NodeRestriction".into()),
            ("enable-bootstrap-token-auth", "true".into()),
            ("etcd-cafile", format!("{pki}/etcd/ca.crt")),
            ("etcd-certfile", format!("{pki}/apiserver-etcd-client.crt")),
            ("etcd-keyfile", format!("{pki}/apiserver-etcd-client.key")),
            ("etcd-servers", "https://127.0.0.1:2379".into()),
            ("kubelet-client-certificate", format!("{pki}/apiserver-kubelet-client.crt")),
            ("kubelet-client-key", format!("{pki}/apiserver-kubelet-client.key")),
            ("kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname".into()),
            ("proxy-client-cert-file", format!("{pki}/front-proxy-client.crt")),
            ("proxy-client-key-file", format!("{pki}/front-proxy-client.key")),
            ("requestheader-allowed-names", "front-proxy-client".into()),
            ("requestheader-client-ca-file", format!("{pki}/front-proxy-ca.crt")),
            ("requestheader-extra-headers-prefix", "X-Remote-Extra-".into()),
            ("requestheader-group-headers", "X-Remote-Group".into()),
            ("requestheader-username-headers", "X-Remote-User".into()),
            ("runtime-config", String::new()),
            ("secure-port", APISERVER_PORT.to_string()),
            ("service-account-issuer", "https://kubernetes.default.svc.cluster.local".into()),
            ("service-account-key-file", format!("{pki}/sa.pub")),
            ("service-account-signing-key-file", format!("{pki}/sa.key")),
            ("service-cluster-ip-range", "10.96.0.0/16".into()),
            ("tls-cert-file", format!("{pki}/apiserver.crt")),
            ("tls-private-key-file", format!("{pki}/apiserver.key")),
        ],
    );
    let (volumes, list) = ca_volumes();
    let container = json!({"name": "kube-apiserver", "image": kind_images::KUBE_APISERVER, "imagePullPolicy": "IfNotPresent",
        "command": command,
        "livenessProbe": probe("liveness", ip, "/livez", APISERVER_PORT, "HTTPS"),
        "readinessProbe": probe("readiness", ip, "/readyz", APISERVER_PORT, "HTTPS"),
        "startupProbe": probe("startup", ip, "/livez", APISERVER_PORT, "HTTPS"),
        "resources": {"requests": {"cpu": "250m"}}, "volumeMounts": mounts(&list)});
    let endpoint = format!("{ip}:{APISERVER_PORT}");
    component_pod(
        "kube-apiserver",
        container,
        volumes,
        json!({"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": endpoint}),
    )
}

fn controller_manager() -> Value {
    let kubeconfig = "/etc/kubernetes/controller-manager.conf".to_string();
    let pki = "/etc/kubernetes/pki";
    let command = flags(
        "kube-controller-manager",
        &[
            ("allocate-node-cidrs", "true".into()),
            ("authentication-kubeconfig", kubeconfig.clone()),
            ("authorization-kubeconfig", kubeconfig.clone()),
            ("bind-address", "127.0.0.1".into()),
            ("client-ca-file", format!("{pki}/ca.crt")),
            ("cluster-cidr", POD_SUBNET.into()),
            ("cluster-name", crate::sim::world::CLUSTER_NAME.into()),
            ("cluster-signing-cert-file", format!("{pki}/ca.crt")),
            ("cluster-signing-key-file", format!("{pki}/ca.key")),
            ("controllers", "*,bootstrapsigner,tokencleaner".into()),
            ("enable-hostpath-provisioner", "true".into()),
            ("kubeconfig", kubeconfig),
            ("leader-elect", "true".into()),
            ("requestheader-client-ca-file", format!("{pki}/front-proxy-ca.crt")),
            ("root-ca-file", format!("{pki}/ca.crt")),
            ("service-account-private-key-file", format!("{pki}/sa.key")),
            ("service-cluster-ip-range", "10.96.0.0/16".into()),
            ("use-service-account-credentials", "true".into()),
        ],
    );
    let (mut volumes, mut list) = ca_volumes();
    volumes.push(host_path(
        "flexvolume-dir",
        "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
        Some("DirectoryOrCreate"),
    ));
    volumes.push(host_path("kubeconfig", "/etc/kubernetes/controller-manager.conf", Some("FileOrCreate")));
    list.push(("flexvolume-dir", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec"));
    list.push(("kubeconfig", "/etc/kubernetes/controller-manager.conf"));
    let container = json!({"name": "kube-controller-manager", "image": kind_images::KUBE_CONTROLLER_MANAGER,
        "imagePullPolicy": "IfNotPresent", "command": command,
        "livenessProbe": probe("liveness", "127.0.0.1", "/healthz", CONTROLLER_MANAGER_PORT, "HTTPS"),
        "startupProbe": probe("startup", "127.0.0.1", "/healthz", CONTROLLER_MANAGER_PORT, "HTTPS"),
        "resources": {"requests": {"cpu": "200m"}}, "volumeMounts": mounts(&list)});
    component_pod("kube-controller-manager", container, volumes, json!({}))
}

fn scheduler() -> Value {
    let kubeconfig = "/etc/kubernetes/scheduler.conf".to_string();
    let command = flags(
        "kube-scheduler",
        &[
            ("authentication-kubeconfig", kubeconfig.clone()),
            ("authorization-kubeconfig", kubeconfig.clone()),
            ("bind-address", "127.0.0.1".into()),
            ("kubeconfig", kubeconfig.clone()),
            ("leader-elect", "true".into()),
        ],
    );
    let container = json!({"name": "kube-scheduler", "image": kind_images::KUBE_SCHEDULER, "imagePullPolicy": "IfNotPresent",
        "command": command,
        "livenessProbe": probe("liveness", "127.0.0.1", "/healthz", SCHEDULER_PORT, "HTTPS"),
        "startupProbe": probe("startup", "127.0.0.1", "/healthz", SCHEDULER_PORT, "HTTPS"),
        "resources": {"requests": {"cpu": "100m"}}, "volumeMounts": mounts(&[("kubeconfig", &kubeconfig)])});
    component_pod(
        "kube-scheduler",
        container,
        vec![host_path("kubeconfig", &kubeconfig, Some("FileOrCreate"))],
        json!({}),
    )
}

/// The four manifests of a control-plane node named `node` at `ip`, in the directory's (file name) order.
pub fn manifests(node: &str, ip: &str) -> Vec<Value> {
    vec![etcd(node, ip), apiserver(ip), controller_manager(), scheduler()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::pointer::Pointer;

    #[test]
    fn every_manifest_is_a_critical_host_network_pod_probed_on_its_components_port() {
        let ms = manifests("sandbox-control-plane", "172.18.0.2");
        let names: Vec<&str> = ms.iter().filter_map(|m| m.at("/metadata/name").and_then(Value::as_str)).collect();
        assert_eq!(names, ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]);
        for (m, port) in ms.iter().zip(HOST_PORTS) {
            assert_eq!(m["spec"]["priorityClassName"], "system-node-critical");
            assert_eq!(m["spec"]["hostNetwork"], true);
            assert_eq!(m["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"], port);
            assert!(component_on(port).is_some());
        }
        assert_eq!(component_on(80), None);
        assert_eq!(ms[1]["spec"]["containers"][0]["image"], "registry.k8s.io/kube-apiserver:v1.33.1");
    }
}
