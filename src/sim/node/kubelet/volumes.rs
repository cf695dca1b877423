//! ConfigMaps and Secrets in pods: which ones a pod needs, the files its volumes mount, and the
//! environment of each container, with the kubelet's errors when one is missing
//! (`FailedMount ... configmap "x" not found`, `CreateContainerConfigError`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::podspec::{ContainerSpec, EnvValue, PodSpec, Volume};
use crate::sim::node::cri::Mount;
use crate::sim::node::host;

/// A referenced object: `(is_secret, name)`.
pub type ObjectRef = (bool, String);

/// What the kubelet fetched: the object's data, or `None` when it does not exist.
pub type Fetched = BTreeMap<ObjectRef, Option<BTreeMap<String, String>>>;

fn kind(secret: bool) -> &'static str {
    if secret { "secret" } else { "configmap" }
}

/// Every ConfigMap and Secret the pod's volumes and environment refer to.
pub fn references(spec: &PodSpec) -> BTreeSet<ObjectRef> {
    let mut refs = BTreeSet::new();
    for v in &spec.volumes {
        match v {
            Volume::ConfigMap { source, .. } => {
                refs.insert((false, source.clone()));
            }
            Volume::Secret { source, .. } => {
                refs.insert((true, source.clone()));
            }
            _ => {}
        }
    }
    for c in spec.all() {
        for (_, e) in &c.env {
            match e {
                EnvValue::ConfigMapKey { name, .. } => refs.insert((false, name.clone())),
                EnvValue::SecretKey { name, .. } => refs.insert((true, name.clone())),
                _ => false,
            };
        }
        for f in &c.env_from {
            refs.insert((f.secret, f.name.clone()));
        }
    }
    refs
}

/// The data of a ConfigMap or Secret object (Secret values are base64-decoded).
pub fn data_of(obj: &Value, secret: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(data) = obj.get("data").and_then(Value::as_object) {
        for (k, v) in data {
            let raw = v.as_str().unwrap_or_default();
            let value = if secret { decode_base64(raw).unwrap_or_else(|| raw.to_string()) } else { raw.to_string() };
            out.insert(k.clone(), value);
        }
    }
    if secret && let Some(data) = obj.get("stringData").and_then(Value::as_object) {
        for (k, v) in data {
            out.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
        }
    }
    out
}

/// Standard base64 (with or without padding); `None` when it is not base64 or not UTF-8.
pub fn decode_base64(s: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8(out).ok()
}

/// A container's files fixed at its start (path, content) and the node's directories mounted into it.
pub type Mounted = (Vec<(String, String)>, Vec<Mount>);

/// The files a ConfigMap or Secret volume projects (path in the volume, content), or the
/// FailedMount message when its object or a key is missing (`Ok(None)`: optional and missing).
pub fn projected_files(vol: &Volume, fetched: &Fetched) -> Result<Option<Vec<(String, String)>>, String> {
    let (Volume::ConfigMap { name: vol_name, source, items, optional }
    | Volume::Secret { name: vol_name, source, items, optional }) = vol
    else {
        return Ok(None);
    };
    let secret = matches!(vol, Volume::Secret { .. });
    let data = match fetched.get(&(secret, source.clone())) {
        Some(Some(d)) => d,
        _ if *optional => return Ok(None),
        _ => {
            return Err(format!(
                "MountVolume.SetUp failed for volume \"{vol_name}\" : {} \"{source}\" not found",
                kind(secret)
            ));
        }
    };
    if items.is_empty() {
        return Ok(Some(data.iter().map(|(k, v)| (k.clone(), v.clone())).collect()));
    }
    let mut files = Vec::new();
    for (key, to) in items {
        match data.get(key) {
            Some(v) => files.push((to.clone(), v.clone())),
            None if *optional => {}
            None => {
                return Err(format!(
                    "MountVolume.SetUp failed for volume \"{vol_name}\" : {} references non-existent config key: {key}",
                    kind(secret)
                ));
            }
        }
    }
    Ok(Some(files))
}

/// What the container sees from its volumes, or the FailedMount message of the first volume that
/// cannot be set up. `claim_path` says where a claim's volume keeps its data on the node. The
/// service account volume's `kube-root-ca.crt` part is always there: the kubelet does not wait
/// for the root-ca-cert-publisher's ConfigMap (a real one would fail the mount until it exists, a
/// few milliseconds after the namespace). A `subPath` mount of a ConfigMap or Secret is a copy made
/// at the start, never updated (upstream bind-mounts the file, which the atomic writer replaces).
pub fn container_files(
    spec: &PodSpec,
    c: &ContainerSpec,
    fetched: &Fetched,
    claim_path: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Mounted, String> {
    let mut files = Vec::new();
    let mut mounts = Vec::new();
    for (vol_name, path, read_only, sub_path) in &c.mounts {
        let Some(vol) = spec.volumes.iter().find(|v| v.name() == vol_name) else { continue };
        let dir = path.trim_end_matches('/');
        let sub = |base: String| {
            if sub_path.is_empty() { base } else { format!("{}/{sub_path}", base.trim_end_matches('/')) }
        };
        let mut mount = |host_path: String, readonly: bool| {
            mounts.push(Mount { container_path: dir.to_string(), host_path: sub(host_path), readonly })
        };
        match vol {
            Volume::ConfigMap { .. } | Volume::Secret { .. } => {
                let Some(projected) = projected_files(vol, fetched)? else { continue };
                if sub_path.is_empty() {
                    mount(host::projected_dir(&spec.uid, matches!(vol, Volume::Secret { .. }), vol_name), true);
                } else if let Some((_, content)) = projected.iter().find(|(p, _)| p == sub_path) {
                    files.push((dir.to_string(), content.clone()));
                }
            }
            Volume::ServiceAccount { .. } => {
                files.push((format!("{dir}/ca.crt"), crate::sim::bootstrap::ROOT_CA_CRT.into()));
                files.push((format!("{dir}/namespace"), spec.namespace.clone()));
                files.push((
                    format!("{dir}/token"),
                    format!("eyJhbGciOiJSUzI1NiIsImtpZCI6InNpbSJ9.{}.c2lnbmF0dXJl", spec.service_account),
                ));
            }
            Volume::EmptyDir { name } | Volume::Other { name } => mount(host::empty_dir(&spec.uid, name), *read_only),
            Volume::DownwardApi { name, .. } => mount(host::downward_dir(&spec.uid, name), true),
            Volume::HostPath { path, .. } => mount(path.clone(), *read_only),
            Volume::Claim { claim, read_only: claim_ro, .. } => mount(claim_path(claim)?, *read_only || *claim_ro),
        }
    }
    Ok((files, mounts))
}

/// A downward API file's content (`fieldRef.fieldPath`): labels and annotations as `key="value"`
/// lines, one field as its value, as the kubelet's `downwardapi` volume plugin writes them.
pub fn downward_file(spec: &PodSpec, path: &str) -> String {
    let map = |m: &BTreeMap<String, String>| {
        m.iter()
            .map(|(k, v)| format!("{k}={}", crate::sim::api::validation::gofmt::quote(v)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match path {
        "metadata.name" => spec.name.clone(),
        "metadata.namespace" => spec.namespace.clone(),
        "metadata.uid" => spec.uid.clone(),
        "metadata.labels" => map(&spec.labels),
        "metadata.annotations" => map(&spec.annotations),
        other => downward_map_entry(spec, other).unwrap_or_default(),
    }
}

/// Where the pod is, for `fieldRef` values.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub node: &'a str,
    pub host_ip: &'a str,
    pub pod_ip: &'a str,
    /// The node's allocatable CPU and memory (limits default to them for `resourceFieldRef`).
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

/// The variables every container gets for the `kubernetes` Service.
fn service_links() -> Vec<(String, String)> {
    [
        ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
        ("KUBERNETES_SERVICE_PORT", "443"),
        ("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
        ("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
        ("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"),
        ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
        ("KUBERNETES_PORT_443_TCP_PORT", "443"),
        ("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn set(env: &mut Vec<(String, String)>, k: String, v: String) {
    match env.iter_mut().find(|(name, _)| *name == k) {
        Some(e) => e.1 = v,
        None => env.push((k, v)),
    }
}

/// `metadata.labels['key']` or `metadata.annotations['key']`: one entry of the pod's maps.
fn downward_map_entry(spec: &PodSpec, path: &str) -> Option<String> {
    let (map, rest) = if let Some(rest) = path.strip_prefix("metadata.labels['") {
        (&spec.labels, rest)
    } else {
        (&spec.annotations, path.strip_prefix("metadata.annotations['")?)
    };
    map.get(rest.strip_suffix("']")?).cloned()
}

/// The container's environment, or the `CreateContainerConfigError` message.
pub fn container_env(
    spec: &PodSpec,
    c: &ContainerSpec,
    fetched: &Fetched,
    at: Placement<'_>,
) -> Result<Vec<(String, String)>, String> {
    let mut env = service_links();
    let lookup = |secret: bool, name: &str| fetched.get(&(secret, name.to_string())).and_then(Option::as_ref);
    for f in &c.env_from {
        match lookup(f.secret, &f.name) {
            Some(data) => {
                for (k, v) in data {
                    set(&mut env, format!("{}{k}", f.prefix), v.clone());
                }
            }
            None if f.optional => {}
            None => return Err(format!("{} \"{}\" not found", kind(f.secret), f.name)),
        }
    }
    for (name, value) in &c.env {
        let v = match value {
            EnvValue::Literal(v) => v.clone(),
            EnvValue::ConfigMapKey { name: src, key, optional } | EnvValue::SecretKey { name: src, key, optional } => {
                let secret = matches!(value, EnvValue::SecretKey { .. });
                match lookup(secret, src).map(|d| d.get(key)) {
                    Some(Some(v)) => v.clone(),
                    _ if *optional => continue,
                    None => return Err(format!("{} \"{src}\" not found", kind(secret))),
                    Some(None) => {
                        return Err(format!(
                            "couldn't find key {key} in {} {}/{src}",
                            if secret { "Secret" } else { "ConfigMap" },
                            spec.namespace
                        ));
                    }
                }
            }
            EnvValue::Field(path) => match path.as_str() {
                "metadata.name" => spec.name.clone(),
                "metadata.namespace" => spec.namespace.clone(),
                "metadata.uid" => spec.uid.clone(),
                "spec.nodeName" => at.node.to_string(),
                "spec.serviceAccountName" => spec.service_account.clone(),
                "status.podIP" | "status.podIPs" => at.pod_ip.to_string(),
                "status.hostIP" | "status.hostIPs" => at.host_ip.to_string(),
                other => downward_map_entry(spec, other).unwrap_or_default(),
            },
            EnvValue::Resource(r) => match r.as_str() {
                "limits.cpu" => c.cpu_limit.unwrap_or(at.cpu_millis).div_ceil(1000).to_string(),
                "requests.cpu" => c.cpu_request.div_ceil(1000).to_string(),
                "limits.memory" => c.memory_limit.unwrap_or(at.memory_bytes).to_string(),
                "requests.memory" => c.memory_request.to_string(),
                _ => "0".to_string(),
            },
        };
        set(&mut env, name.clone(), v);
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::super::podspec;
    use super::*;
    use serde_json::json;

    fn spec() -> PodSpec {
        podspec::parse(&json!({"metadata": {"name": "web", "namespace": "shop", "uid": "u1"}, "spec": {
            "containers": [{"name": "c", "image": "nginx",
                "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode"}}},
                        {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                        {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                        {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                "envFrom": [{"configMapRef": {"name": "cfg"}, "prefix": "CFG_"}],
                "volumeMounts": [{"name": "conf", "mountPath": "/etc/conf"}, {"name": "sa", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"},
                                 {"name": "scratch", "mountPath": "/scratch"}]}],
            "volumes": [{"name": "conf", "configMap": {"name": "cfg", "items": [{"key": "mode", "path": "mode.txt"}]}},
                        {"name": "sa", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
                        {"name": "scratch", "emptyDir": {}}]}}))
    }

    fn fetched(with_secret: bool) -> Fetched {
        let mut f = Fetched::new();
        f.insert((false, "cfg".into()), Some([("mode".to_string(), "fast".to_string())].into()));
        f.insert((true, "db".into()), with_secret.then(|| [("password".to_string(), "s3cret".to_string())].into()));
        f
    }

    const AT: Placement<'static> =
        Placement { node: "n1", host_ip: "172.18.0.3", pod_ip: "10.244.1.2", cpu_millis: 2000, memory_bytes: 1 << 30 };

    #[test]
    fn references_cover_volumes_and_env() {
        let refs: Vec<ObjectRef> = references(&spec()).into_iter().collect();
        assert_eq!(refs, vec![(false, "cfg".to_string()), (true, "db".to_string())]);
    }

    #[test]
    fn environment_resolution() {
        let s = spec();
        let env = container_env(&s, &s.containers[0], &fetched(true), AT).expect("all present");
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("MODE"), Some("fast"));
        assert_eq!(get("CFG_mode"), Some("fast"));
        assert_eq!(get("PW"), Some("s3cret"));
        assert_eq!(get("POD"), Some("web"));
        assert_eq!(get("IP"), Some("10.244.1.2"));
        assert_eq!(get("KUBERNETES_SERVICE_HOST"), Some("10.96.0.1"));
        assert_eq!(container_env(&s, &s.containers[0], &fetched(false), AT), Err("secret \"db\" not found".into()));
        let mut missing_key = fetched(true);
        missing_key.insert((false, "cfg".into()), Some(BTreeMap::new()));
        assert_eq!(
            container_env(&s, &s.containers[0], &missing_key, AT),
            Err("couldn't find key mode in ConfigMap shop/cfg".into())
        );
    }

    #[test]
    fn files_of_volumes() {
        let s = spec();
        let no_claims = |c: &str| Err(format!("no claim {c}"));
        let (files, mounts) = container_files(&s, &s.containers[0], &fetched(true), &no_claims).expect("mountable");
        assert_eq!(mounts[0].host_path, "/var/lib/kubelet/pods/u1/volumes/kubernetes.io~configmap/conf");
        assert!(mounts[0].readonly, "ConfigMap volumes are read-only");
        assert_eq!(
            projected_files(&s.volumes[0], &fetched(true)),
            Ok(Some(vec![("mode.txt".to_string(), "fast".to_string())]))
        );
        assert!(
            files
                .contains(&("/var/run/secrets/kubernetes.io/serviceaccount/namespace".to_string(), "shop".to_string()))
        );
        assert_eq!(
            mounts[1],
            Mount {
                container_path: "/scratch".into(),
                host_path: "/var/lib/kubelet/pods/u1/volumes/kubernetes.io~empty-dir/scratch".into(),
                readonly: false
            }
        );
        let none = Fetched::new();
        assert_eq!(
            container_files(&s, &s.containers[0], &none, &no_claims),
            Err("MountVolume.SetUp failed for volume \"conf\" : configmap \"cfg\" not found".into())
        );
    }

    #[test]
    fn secrets_are_base64_decoded() {
        assert_eq!(decode_base64("czNjcmV0"), Some("s3cret".into()));
        assert_eq!(decode_base64("YWRtaW4="), Some("admin".into()));
        assert_eq!(decode_base64("!!"), None);
        let data = data_of(&json!({"data": {"password": "czNjcmV0"}}), true);
        assert_eq!(data.get("password").map(String::as_str), Some("s3cret"));
        assert_eq!(data_of(&json!({"data": {"k": "v"}}), false).get("k").map(String::as_str), Some("v"));
    }
}
