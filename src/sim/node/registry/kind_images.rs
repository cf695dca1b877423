//! The images kind's node image (`kindest/node:v1.33.1`) ships with: kubeadm's control-plane images,
//! CoreDNS, kindnet, the local-path-provisioner and its helper, and the pause image, imported into every
//! node's containerd when the image is built (kind's `pkg/build/nodeimage`), so a new cluster starts
//! without pulling anything.

/// The Kubernetes version the control-plane images are tagged with (the kubelets report the same).
pub const KUBE_VERSION: &str = "v1.33.1";
pub const KUBE_APISERVER: &str = "registry.k8s.io/kube-apiserver:v1.33.1";
pub const KUBE_CONTROLLER_MANAGER: &str = "registry.k8s.io/kube-controller-manager:v1.33.1";
pub const KUBE_SCHEDULER: &str = "registry.k8s.io/kube-scheduler:v1.33.1";
pub const KUBE_PROXY: &str = "registry.k8s.io/kube-proxy:v1.33.1";
/// kubeadm 1.33's etcd (`constants.DefaultEtcdVersion`).
pub const ETCD: &str = "registry.k8s.io/etcd:3.5.21-0";
/// kubeadm 1.33's CoreDNS (`constants.CoreDNSVersion`).
pub const COREDNS: &str = "registry.k8s.io/coredns/coredns:v1.12.0";
/// kind v0.29's CNI (`pkg/build/nodeimage/const_cni.go`).
pub const KINDNETD: &str = "docker.io/kindest/kindnetd:v20250512-df8de77b";
pub const PAUSE: &str = "registry.k8s.io/pause:3.10";
/// kind v0.29's storage provisioner and its helper (`pkg/build/nodeimage/const_storage.go`).
pub const LOCAL_PATH_PROVISIONER: &str = "docker.io/kindest/local-path-provisioner:v20250214-acbabc1a";
pub const LOCAL_PATH_HELPER: &str = "docker.io/kindest/local-path-helper:v20241212-8ac705d0";

/// Every image preloaded on a node, in the order kind imports them.
pub const PRELOADED: &[&str] = &[
    KINDNETD,
    LOCAL_PATH_HELPER,
    LOCAL_PATH_PROVISIONER,
    COREDNS,
    ETCD,
    KUBE_APISERVER,
    KUBE_CONTROLLER_MANAGER,
    KUBE_PROXY,
    KUBE_SCHEDULER,
    PAUSE,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::node::registry::Registry;

    #[test]
    fn every_preloaded_image_is_in_the_registry() {
        let r = Registry::default();
        for image in PRELOADED {
            assert!(r.resolve(image).is_ok(), "{image}");
        }
    }
}
