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

/// Reads a JSON array of manifests (`bootstrap/manifests/*.json`), each `${NAME}` in it (always
/// inside a string) replaced by `vars`' value for NAME. The manifests are data, not code: written
/// with `json!`, every key and value was code of its own in the page's wasm (about 48 KB of it
/// before compression; README, "Download size").
fn manifests_from_json(text: &str, vars: &[(&str, &str)]) -> Vec<serde_json::Value> {
    let mut text = text.to_string();
    for (name, value) in vars {
        let quoted = serde_json::Value::from(*value).to_string();
        text = text.replace(&format!("${{{name}}}"), &quoted[1..quoted.len() - 1]);
    }
    match serde_json::from_str(&text) {
        Ok(serde_json::Value::Array(items)) => items,
        other => panic!("bootstrap manifests are a JSON array, as the tests check: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_replaced_inside_strings_with_escaping() {
        let text = r#"[{"a": "x${V}y", "b": "${W}", "c": 1}]"#;
        let got = manifests_from_json(text, &[("V", "1\n\"2\""), ("W", "w")]);
        assert_eq!(got, vec![serde_json::json!({"a": "x1\n\"2\"y", "b": "w", "c": 1})]);
    }

    #[test]
    fn every_placeholder_of_the_boot_manifests_is_filled() {
        let all = addons::manifests("172.18.0.2:6443").into_iter().chain(metrics_server::manifests());
        for m in all {
            let text = m.to_string();
            assert!(!text.contains("${"), "a placeholder is left in {text}");
        }
    }
}
