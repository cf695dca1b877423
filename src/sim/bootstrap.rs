//! What a new cluster holds before anyone uses it, and who makes each object, as kind boots one:
//! the kube-apiserver's own objects (`apiserver.rs`), the static pod manifests kubeadm writes for the
//! control plane (`static_pods.rs`), kubeadm's addons CoreDNS and kube-proxy, kind's CNI, kindnet
//! (`addons.rs`), and kind's storage: the local-path-provisioner and the default StorageClass
//! (`storage.rs`), then metrics-server as its `components.yaml` installs it (`metrics_server.rs`). The
//! world (`world/boot.rs`) hands each to the component that acts on it.

pub mod addons;
pub mod apiserver;
pub mod metrics_server;
pub mod static_pods;
pub mod storage;

/// kind's service CIDR's first address: the `kubernetes` Service.
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
/// The tenth address, kubeadm's `kube-dns` Service (`GetDNSIP`).
pub const DNS_SERVICE_IP: &str = "10.96.0.10";
/// kind's pod CIDR (`podSubnet`), of which each node gets a /24.
pub const POD_SUBNET: &str = "10.244.0.0/16";
/// The cluster CA's certificate (`/etc/kubernetes/pki/ca.crt`): what the root-ca-cert-publisher puts
/// in every namespace's `kube-root-ca.crt` and pods find at `.../serviceaccount/ca.crt`. A stand-in:
/// nothing in the simulation verifies TLS.
pub const ROOT_CA_CRT: &str =
    "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIsimulatedcluster\n-----END CERTIFICATE-----";
/// The apiserver's secure port (`--secure-port`, kubeadm's `bindPort`).
pub const APISERVER_PORT: u16 = 6443;
