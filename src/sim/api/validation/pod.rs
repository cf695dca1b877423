//! Pod and pod-spec rules: volumes, containers, policies, and what a pod update may change.

use super::container::{Role, Shared, validate_containers};
use super::names::{inclusive_range_error, is_dns1123_label, is_dns1123_subdomain, is_qualified_name};
use super::scheduling::validate_scheduling;
use super::{Errs, child, index};
use crate::sim::api::meta::{array_at, i64_at, str_at};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Every volume source a pod may name; exactly one must be set.
const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

const HOST_PATH_TYPES: &[&str] =
    &["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"];

/// What `kubectl apply` on an existing pod runs into when it changes anything else.
pub(super) const POD_UPDATE_FORBIDDEN: &str = "pod updates may not change fields other than `spec.containers[*].image`,\
`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),\
`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// A Pod object: its spec, and on update the immutability rule.
pub(super) fn validate_pod(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
    validate_pod_spec(&spec, "spec", true, errs);
    if let Some(old_spec) = old.and_then(|o| o.get("spec")) {
        validate_pod_update(old_spec, &spec, errs);
    }
}

/// A pod spec at `path` (`spec` for a Pod, `spec.template.spec` for a workload).
pub(super) fn validate_pod_spec(spec: &Value, path: &str, is_pod: bool, errs: &mut Errs) {
    let volumes = validate_volumes(array_at(spec, &["volumes"]), &child(path, "volumes"), errs);
    let containers = array_at(spec, &["containers"]);
    let mut shared = Shared { volumes: &volumes, names: BTreeSet::new(), is_pod };
    validate_containers(
        array_at(spec, &["initContainers"]),
        &child(path, "initContainers"),
        Role::Init,
        &mut shared,
        errs,
    );
    if containers.is_empty() {
        errs.required(&child(path, "containers"), "");
    }
    validate_containers(containers, &child(path, "containers"), Role::Regular, &mut shared, errs);
    validate_host_ports(spec, path, errs);
    match str_at(spec, &["restartPolicy"]).unwrap_or("") {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.required(&child(path, "restartPolicy"), ""),
        other => errs.unsupported(&child(path, "restartPolicy"), other, &["Always", "OnFailure", "Never"]),
    }
    match str_at(spec, &["dnsPolicy"]).unwrap_or("") {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" => {}
        "None" => {
            if array_at(spec, &["dnsConfig", "nameservers"]).is_empty() {
                errs.required(
                    &child(&child(path, "dnsConfig"), "nameservers"),
                    "must provide at least one DNS nameserver when DNSPolicy is set to None",
                );
            }
        }
        "" => errs.required(&child(path, "dnsPolicy"), ""),
        other => errs.unsupported(
            &child(path, "dnsPolicy"),
            other,
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        ),
    }
    if let Some(sa) = str_at(spec, &["serviceAccountName"]).filter(|s| !s.is_empty()) {
        errs.each_invalid(&child(path, "serviceAccountName"), sa, is_dns1123_subdomain(sa));
    }
    for field in ["hostname", "subdomain"] {
        if let Some(h) = str_at(spec, &[field]).filter(|s| !s.is_empty()) {
            errs.each_invalid(&child(path, field), h, is_dns1123_label(h));
        }
    }
    if let Some(pc) = str_at(spec, &["priorityClassName"]).filter(|s| !s.is_empty()) {
        errs.each_invalid(&child(path, "priorityClassName"), pc, is_dns1123_subdomain(pc));
    }
    if let Some(ads) = i64_at(spec, &["activeDeadlineSeconds"])
        && !(1..=i64::from(i32::MAX)).contains(&ads)
    {
        errs.invalid_int(&child(path, "activeDeadlineSeconds"), ads, &inclusive_range_error(1, i64::from(i32::MAX)));
    }
    let mut gates = BTreeSet::new();
    for (i, gate) in array_at(spec, &["schedulingGates"]).iter().enumerate() {
        let name = str_at(gate, &["name"]).unwrap_or("");
        let gp = child(&index(&child(path, "schedulingGates"), i), "name");
        errs.each_invalid(&gp, name, is_qualified_name(name));
        if !gates.insert(name.to_string()) {
            errs.duplicate(&gp, name);
        }
    }
    for (i, alias) in array_at(spec, &["hostAliases"]).iter().enumerate() {
        let ap = index(&child(path, "hostAliases"), i);
        let ip = str_at(alias, &["ip"]).unwrap_or("");
        if ip.parse::<std::net::IpAddr>().is_err() {
            errs.invalid_str(&child(&ap, "ip"), ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
        }
        for (j, h) in array_at(alias, &["hostnames"]).iter().enumerate() {
            let h = h.as_str().unwrap_or("");
            errs.each_invalid(&index(&child(&ap, "hostnames"), j), h, is_dns1123_subdomain(h));
        }
    }
    validate_scheduling(spec, path, errs);
}

/// Two containers of one pod cannot bind the same host port and protocol.
fn validate_host_ports(spec: &Value, path: &str, errs: &mut Errs) {
    let mut seen = BTreeSet::new();
    for field in ["initContainers", "containers"] {
        for (i, c) in array_at(spec, &[field]).iter().enumerate() {
            for (j, port) in array_at(c, &["ports"]).iter().enumerate() {
                let Some(host) = i64_at(port, &["hostPort"]).filter(|h| *h != 0) else { continue };
                let proto = str_at(port, &["protocol"]).unwrap_or("TCP");
                let ip = str_at(port, &["hostIP"]).unwrap_or("");
                let id = format!("{host}/{proto}");
                if !seen.insert(format!("{ip}{id}")) {
                    let p = child(&index(&child(&index(&child(path, field), i), "ports"), j), "hostPort");
                    errs.duplicate(&p, &id);
                }
            }
        }
    }
}

/// Volume names (DNS labels, unique) and exactly one source each; returns the declared names.
fn validate_volumes(volumes: &[Value], path: &str, errs: &mut Errs) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, v) in volumes.iter().enumerate() {
        let vp = index(path, i);
        let name = str_at(v, &["name"]).unwrap_or("");
        if name.is_empty() {
            errs.required(&child(&vp, "name"), "");
        } else {
            let msgs = is_dns1123_label(name);
            if !msgs.is_empty() {
                errs.each_invalid(&child(&vp, "name"), name, msgs);
            } else if !names.insert(name.to_string()) {
                errs.duplicate(&child(&vp, "name"), name);
            }
        }
        let present: Vec<&str> =
            VOLUME_SOURCES.iter().copied().filter(|s| v.get(*s).is_some_and(|x| !x.is_null())).collect();
        if present.is_empty() {
            errs.required(&vp, "must specify a volume type");
        }
        for extra in present.iter().skip(1) {
            errs.forbidden(&child(&vp, extra), "may not specify more than 1 volume type");
        }
        if let Some(source) = present.first() {
            validate_volume_source(source, &v[*source], &child(&vp, source), errs);
        }
    }
    names
}

fn validate_volume_source(kind: &str, src: &Value, path: &str, errs: &mut Errs) {
    let required = |field: &str, errs: &mut Errs| {
        if str_at(src, &[field]).unwrap_or("").is_empty() {
            errs.required(&child(path, field), "");
        }
    };
    match kind {
        "hostPath" => {
            required("path", errs);
            let t = str_at(src, &["type"]).unwrap_or("");
            if !HOST_PATH_TYPES.contains(&t) {
                errs.unsupported(&child(path, "type"), t, &HOST_PATH_TYPES[1..]);
            }
        }
        "secret" => required("secretName", errs),
        "configMap" => required("name", errs),
        "persistentVolumeClaim" => required("claimName", errs),
        "nfs" => {
            required("server", errs);
            required("path", errs);
        }
        "emptyDir" => {
            let medium = str_at(src, &["medium"]).unwrap_or("");
            if !matches!(medium, "" | "Memory" | "HugePages") && !medium.starts_with("HugePages-") {
                errs.unsupported(&child(path, "medium"), medium, &["", "Memory", "HugePages"]);
            }
        }
        "projected" => {
            for (i, s) in array_at(src, &["sources"]).iter().enumerate() {
                let sp = index(&child(path, "sources"), i);
                if let Some(tok) = s.get("serviceAccountToken").filter(|v| !v.is_null()) {
                    let tp = child(&sp, "serviceAccountToken");
                    if str_at(tok, &["path"]).unwrap_or("").is_empty() {
                        errs.required(&child(&tp, "path"), "");
                    }
                    if let Some(e) = i64_at(tok, &["expirationSeconds"]).filter(|e| *e < 600) {
                        errs.invalid_int(
                            &child(&tp, "expirationSeconds"),
                            e,
                            "may not specify a duration less than 10 minutes",
                        );
                    }
                }
            }
        }
        _ => {}
    }
    if let Some(mode) = i64_at(src, &["defaultMode"]).filter(|m| !(0..=0o777).contains(m)) {
        errs.invalid_int(
            &child(path, "defaultMode"),
            mode,
            "must be a number between 0 and 0777 (octal), both inclusive",
        );
    }
    for (i, item) in array_at(src, &["items"]).iter().enumerate() {
        let ip = index(&child(path, "items"), i);
        let p = str_at(item, &["path"]).unwrap_or("");
        if p.is_empty() {
            errs.required(&child(&ip, "path"), "");
        } else if p.starts_with('/') {
            errs.invalid_str(&child(&ip, "path"), p, "must be a relative path");
        } else if p.split('/').any(|part| part == "..") {
            errs.invalid_str(&child(&ip, "path"), p, "must not contain '..'");
        }
        if kind != "downwardAPI" && str_at(item, &["key"]).unwrap_or("").is_empty() {
            errs.required(&child(&ip, "key"), "");
        }
    }
}

/// Blanks what a pod update may change, so two specs can be compared for everything else.
fn mutable_masked(spec: &Value) -> Value {
    let mut s = spec.clone();
    if let Value::Object(map) = &mut s {
        for field in ["containers", "initContainers"] {
            if let Some(Value::Array(cs)) = map.get_mut(field) {
                for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                    c.insert("image".into(), Value::Null);
                }
            }
        }
        // Tolerations may only grow (checked separately); scheduling gates may be removed.
        for field in ["activeDeadlineSeconds", "terminationGracePeriodSeconds", "tolerations", "schedulingGates"] {
            map.remove(field);
        }
    }
    s
}

fn validate_pod_update(old: &Value, new: &Value, errs: &mut Errs) {
    let old_tol = array_at(old, &["tolerations"]);
    let new_tol = array_at(new, &["tolerations"]);
    let removed_toleration = old_tol.iter().any(|t| !new_tol.contains(t));
    let a = mutable_masked(old);
    let b = mutable_masked(new);
    if a == b && !removed_toleration {
        return;
    }
    errs.forbidden("spec", &format!("{POD_UPDATE_FORBIDDEN}\n{}", spec_diff(&a, &b)));
}

/// A short go-cmp-style diff of the top-level spec fields that changed.
fn spec_diff(old: &Value, new: &Value) -> String {
    let empty = Map::new();
    let (o, n) = (old.as_object().unwrap_or(&empty), new.as_object().unwrap_or(&empty));
    let mut lines = vec!["  core.PodSpec{".to_string()];
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    for k in keys {
        let (ov, nv) = (o.get(k), n.get(k));
        if ov != nv {
            if let Some(v) = ov {
                lines.push(format!("- \t{k}: {v},"));
            }
            if let Some(v) = nv {
                lines.push(format!("+ \t{k}: {v},"));
            }
        }
    }
    lines.push("  }".to_string());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(extra: Value) -> Value {
        let mut s = json!({"containers": [{"name": "web", "image": "nginx", "imagePullPolicy": "Always",
            "terminationMessagePolicy": "File", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
            "volumes": [{"name": "data", "emptyDir": {}}], "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"});
        if let (Value::Object(base), Value::Object(more)) = (&mut s, extra) {
            base.extend(more);
        }
        s
    }

    fn check(s: Value) -> Vec<String> {
        let mut errs = Errs::default();
        validate_pod_spec(&s, "spec", true, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn accepts_a_good_spec() {
        assert_eq!(
            check(spec(json!({"serviceAccountName": "builder", "hostname": "web-0", "priorityClassName": "high",
            "hostAliases": [{"ip": "127.0.0.1", "hostnames": ["foo.local"]}], "schedulingGates": [{"name": "example.com/foo"}]}))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn table_of_spec_errors() {
        let cases = [
            (json!({"containers": []}), vec!["spec.containers: Required value"]),
            (
                json!({"restartPolicy": "Sometimes"}),
                vec![
                    "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
                ],
            ),
            (
                json!({"dnsPolicy": "Cluster"}),
                vec![
                    "spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"",
                ],
            ),
            (
                json!({"volumes": [{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]}),
                vec!["spec.volumes[1].name: Duplicate value: \"data\""],
            ),
            (
                json!({"volumes": [{"name": "data"}]}),
                vec!["spec.volumes[0]: Required value: must specify a volume type"],
            ),
            (
                json!({"volumes": [{"name": "data", "emptyDir": {}, "hostPath": {"path": "/x"}}]}),
                // hostPath comes first in VolumeSource, so emptyDir is the extra one.
                vec!["spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type"],
            ),
            (
                json!({"volumes": [{"name": "data", "secret": {}}]}),
                vec!["spec.volumes[0].secret.secretName: Required value"],
            ),
            (
                json!({"volumes": [{"name": "data", "configMap": {"name": "c", "defaultMode": 1000}}]}),
                vec![
                    "spec.volumes[0].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive",
                ],
            ),
            (
                json!({"activeDeadlineSeconds": 0}),
                vec!["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"],
            ),
            (
                json!({"serviceAccountName": "Bad_SA"}),
                vec![
                    "spec.serviceAccountName: Invalid value: \"Bad_SA\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                ],
            ),
        ];
        for (extra, want) in cases {
            assert_eq!(check(spec(extra)), want);
        }
    }

    #[test]
    fn host_ports_must_not_clash() {
        let s = spec(json!({"containers": [
            {"name": "a", "image": "x", "imagePullPolicy": "Always", "terminationMessagePolicy": "File", "ports": [{"containerPort": 80, "hostPort": 80, "protocol": "TCP"}]},
            {"name": "b", "image": "x", "imagePullPolicy": "Always", "terminationMessagePolicy": "File", "ports": [{"containerPort": 81, "hostPort": 80, "protocol": "TCP"}]}]}));
        assert_eq!(check(s), ["spec.containers[1].ports[0].hostPort: Duplicate value: \"80/TCP\""]);
    }

    #[test]
    fn pod_updates_allow_only_images_and_tolerations() {
        let old = json!({"spec": spec(json!({"tolerations": [{"key": "a", "operator": "Exists"}]}))});
        let mut image = old.clone();
        image["spec"]["containers"][0]["image"] = json!("nginx:1.27");
        image["spec"]["tolerations"] = json!([{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}]);
        let mut errs = Errs::default();
        validate_pod(&image, Some(&old), &mut errs);
        assert!(errs.0.is_empty(), "{:?}", errs.0);

        let mut port = old.clone();
        port["spec"]["containers"][0]["ports"] = json!([{"containerPort": 8080, "protocol": "TCP"}]);
        let mut errs = Errs::default();
        validate_pod(&port, Some(&old), &mut errs);
        assert_eq!(errs.0.len(), 1);
        let msg = errs.0[0].to_string();
        assert!(
            msg.starts_with(
                "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
            ),
            "{msg}"
        );
        assert!(msg.contains("+ \tcontainers:"), "{msg}");

        let mut removed = old.clone();
        removed["spec"]["tolerations"] = json!([]);
        let mut errs = Errs::default();
        validate_pod(&removed, Some(&old), &mut errs);
        assert_eq!(errs.0.len(), 1);
    }
}
