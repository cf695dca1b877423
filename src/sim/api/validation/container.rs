//! Container rules: names, images, ports, mounts, probes, sidecars (env and resources have their own files).

use super::names::{is_dns1123_label, is_valid_port_name, is_valid_port_num};
use super::{BadValue, Errs, child, index};
use crate::sim::api::meta::{array_at, i64_at, str_at};
use serde_json::Value;
use std::collections::BTreeSet;

/// Regular containers, or init containers (which may be sidecars).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Regular,
    Init,
}

/// What the containers of one pod spec share while being checked.
pub(super) struct Shared<'a> {
    /// Volume names declared by the pod, for volumeMount references.
    pub volumes: &'a BTreeSet<String>,
    /// Container names seen so far (init and regular share one namespace).
    pub names: BTreeSet<String>,
    /// Whether this is a Pod (image is required) rather than a template.
    pub is_pod: bool,
}

/// Validates one list (`containers` or `initContainers`) at `path`.
pub(super) fn validate_containers(list: &[Value], path: &str, role: Role, shared: &mut Shared, errs: &mut Errs) {
    for (i, c) in list.iter().enumerate() {
        validate_container(c, &index(path, i), role, shared, errs);
    }
}

fn validate_container(c: &Value, p: &str, role: Role, shared: &mut Shared, errs: &mut Errs) {
    let name = str_at(c, &["name"]).unwrap_or("");
    if name.is_empty() {
        errs.required(&child(p, "name"), "");
    } else {
        let msgs = is_dns1123_label(name);
        if !msgs.is_empty() {
            errs.each_invalid(&child(p, "name"), name, msgs);
        } else if !shared.names.insert(name.to_string()) {
            errs.duplicate(&child(p, "name"), name);
        }
    }
    let image = str_at(c, &["image"]).unwrap_or("");
    if shared.is_pod && image.is_empty() {
        errs.required(&child(p, "image"), "");
    } else if image.trim() != image {
        errs.invalid_str(&child(p, "image"), image, "must not have leading or trailing whitespace");
    }
    match str_at(c, &["imagePullPolicy"]).unwrap_or("") {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.required(&child(p, "imagePullPolicy"), ""),
        other => errs.unsupported(&child(p, "imagePullPolicy"), other, &["Always", "IfNotPresent", "Never"]),
    }
    match str_at(c, &["terminationMessagePolicy"]).unwrap_or("") {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.required(&child(p, "terminationMessagePolicy"), ""),
        other => errs.unsupported(&child(p, "terminationMessagePolicy"), other, &["File", "FallbackToLogsOnError"]),
    }
    validate_ports(array_at(c, &["ports"]), &child(p, "ports"), errs);
    super::env::validate_env(array_at(c, &["env"]), &child(p, "env"), errs);
    super::env::validate_env_from(array_at(c, &["envFrom"]), &child(p, "envFrom"), errs);
    validate_mounts(array_at(c, &["volumeMounts"]), &child(p, "volumeMounts"), shared.volumes, errs);
    super::resources::validate_resources(c.get("resources"), &child(p, "resources"), errs);
    let restart = str_at(c, &["restartPolicy"]);
    let sidecar = role == Role::Init && restart == Some("Always");
    match (role, restart) {
        (Role::Regular, Some(_)) => {
            errs.forbidden(&child(p, "restartPolicy"), "may not be set for non-init containers")
        }
        (Role::Init, Some(r)) if r != "Always" => errs.unsupported(&child(p, "restartPolicy"), r, &["Always"]),
        _ => {}
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(v) = c.get(probe).filter(|v| !v.is_null()) else { continue };
        let pp = child(p, probe);
        if role == Role::Init && !sidecar {
            errs.forbidden(&pp, "may not be set for init containers without restartPolicy=Always");
            continue;
        }
        validate_probe(v, &pp, errs);
        if probe != "readinessProbe"
            && let Some(s) = i64_at(v, &["successThreshold"]).filter(|s| *s != 1)
        {
            errs.invalid_int(&child(&pp, "successThreshold"), s, "must be 1");
        }
    }
    if let Some(lc) = c.get("lifecycle").filter(|v| !v.is_null()) {
        let lp = child(p, "lifecycle");
        if role == Role::Init && !sidecar {
            errs.forbidden(&lp, "may not be set for init containers without restartPolicy=Always");
        } else {
            for hook in ["postStart", "preStop"] {
                if let Some(h) = lc.get(hook).filter(|v| !v.is_null()) {
                    validate_handler(h, &child(&lp, hook), &["exec", "httpGet", "tcpSocket", "sleep"], errs);
                }
            }
        }
    }
}

fn validate_ports(ports: &[Value], path: &str, errs: &mut Errs) {
    let mut names = BTreeSet::new();
    for (j, port) in ports.iter().enumerate() {
        let pp = index(path, j);
        let name = str_at(port, &["name"]).unwrap_or("");
        if !name.is_empty() {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                errs.each_invalid(&child(&pp, "name"), name, msgs);
            } else if !names.insert(name.to_string()) {
                errs.duplicate(&child(&pp, "name"), name);
            }
        }
        match i64_at(port, &["containerPort"]).unwrap_or(0) {
            0 => errs.required(&child(&pp, "containerPort"), ""),
            n => is_valid_port_num(n).iter().for_each(|m| errs.invalid_int(&child(&pp, "containerPort"), n, m)),
        }
        if let Some(h) = i64_at(port, &["hostPort"]).filter(|h| *h != 0) {
            is_valid_port_num(h).iter().for_each(|m| errs.invalid_int(&child(&pp, "hostPort"), h, m));
        }
        validate_protocol(str_at(port, &["protocol"]).unwrap_or(""), &child(&pp, "protocol"), errs);
    }
}

/// Port protocols: TCP, UDP or SCTP.
pub(super) fn validate_protocol(protocol: &str, path: &str, errs: &mut Errs) {
    match protocol {
        "TCP" | "UDP" | "SCTP" => {}
        "" => errs.required(path, ""),
        other => errs.unsupported(path, other, &["SCTP", "TCP", "UDP"]),
    }
}

fn validate_mounts(mounts: &[Value], path: &str, volumes: &BTreeSet<String>, errs: &mut Errs) {
    let mut seen = BTreeSet::new();
    for (j, m) in mounts.iter().enumerate() {
        let mp = index(path, j);
        let name = str_at(m, &["name"]).unwrap_or("");
        if name.is_empty() {
            errs.required(&child(&mp, "name"), "");
        } else if !volumes.contains(name) {
            errs.not_found(&child(&mp, "name"), name);
        }
        let mount_path = str_at(m, &["mountPath"]).unwrap_or("");
        if mount_path.is_empty() {
            errs.required(&child(&mp, "mountPath"), "");
        } else if !seen.insert(mount_path.to_string()) {
            errs.invalid_str(&child(&mp, "mountPath"), mount_path, "must be unique");
        }
        if let Some(sub) = str_at(m, &["subPath"]).filter(|s| !s.is_empty()) {
            if sub.starts_with('/') {
                errs.invalid_str(&child(&mp, "subPath"), sub, "must be a relative path");
            } else if sub.split('/').any(|part| part == "..") {
                errs.invalid_str(&child(&mp, "subPath"), sub, "must not contain '..'");
            }
        }
    }
}

/// A probe: exactly one handler and non-negative timings.
fn validate_probe(probe: &Value, path: &str, errs: &mut Errs) {
    validate_handler(probe, path, &["exec", "httpGet", "tcpSocket", "grpc"], errs);
    for f in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
        errs.non_negative(&child(path, f), i64_at(probe, &[f]));
    }
    if let Some(t) = i64_at(probe, &["terminationGracePeriodSeconds"]).filter(|t| *t <= 0) {
        errs.invalid_int(&child(path, "terminationGracePeriodSeconds"), t, "must be greater than 0");
    }
}

/// Exactly one of `kinds` (probe or lifecycle-hook handlers), each checked.
fn validate_handler(h: &Value, path: &str, kinds: &[&str], errs: &mut Errs) {
    let present: Vec<&str> = kinds.iter().copied().filter(|k| h.get(*k).is_some_and(|v| !v.is_null())).collect();
    if present.is_empty() {
        errs.required(path, "must specify a handler type");
        return;
    }
    for extra in &present[1..] {
        errs.forbidden(&child(path, extra), "may not specify more than 1 handler type");
    }
    let kind = present[0];
    let hp = child(path, kind);
    let Some(handler) = h.get(kind) else { return };
    match kind {
        "exec" if array_at(handler, &["command"]).is_empty() => errs.required(&child(&hp, "command"), ""),
        "httpGet" => {
            validate_port_num_or_name(handler.get("port"), &child(&hp, "port"), errs);
            if let Some(s) = str_at(handler, &["scheme"]).filter(|s| !matches!(*s, "HTTP" | "HTTPS")) {
                errs.unsupported(&child(&hp, "scheme"), s, &["HTTP", "HTTPS"]);
            }
        }
        "tcpSocket" => validate_port_num_or_name(handler.get("port"), &child(&hp, "port"), errs),
        "grpc" => {
            let port = i64_at(handler, &["port"]).unwrap_or(0);
            is_valid_port_num(port).iter().for_each(|m| errs.invalid_int(&child(&hp, "port"), port, m));
        }
        "sleep" => errs.non_negative(&child(&hp, "seconds"), i64_at(handler, &["seconds"])),
        _ => {}
    }
}

/// An IntOrString port: a number in range or an IANA port name.
pub(super) fn validate_port_num_or_name(port: Option<&Value>, path: &str, errs: &mut Errs) {
    match port {
        Some(Value::String(name)) => errs.each_invalid(path, name, is_valid_port_name(name)),
        Some(v) => {
            let n = v.as_i64().unwrap_or(0);
            is_valid_port_num(n).into_iter().for_each(|m| errs.invalid(path, BadValue::Int(n), &m));
        }
        None => errs.required(path, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(containers: Value, role: Role, is_pod: bool) -> Vec<String> {
        let volumes: BTreeSet<String> = ["data".to_string()].into();
        let mut shared = Shared { volumes: &volumes, names: BTreeSet::new(), is_pod };
        let mut errs = Errs::default();
        let list = containers.as_array().cloned().unwrap_or_default();
        let path = if role == Role::Init { "spec.initContainers" } else { "spec.containers" };
        validate_containers(&list, path, role, &mut shared, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    fn ok_container(extra: Value) -> Value {
        let mut c =
            json!({"name": "web", "image": "nginx", "imagePullPolicy": "Always", "terminationMessagePolicy": "File"});
        if let (Value::Object(base), Value::Object(more)) = (&mut c, extra) {
            base.extend(more);
        }
        c
    }

    #[test]
    fn accepts_a_good_container() {
        let c = ok_container(json!({"ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
            "env": [{"name": "A", "value": "1"}, {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}}],
            "envFrom": [{"configMapRef": {"name": "cfg"}}],
            "volumeMounts": [{"name": "data", "mountPath": "/data", "subPath": "x"}],
            "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}},
            "livenessProbe": {"httpGet": {"path": "/", "port": "http", "scheme": "HTTP"}, "periodSeconds": 10, "successThreshold": 1},
            "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}}));
        assert_eq!(check(json!([c]), Role::Regular, true), Vec::<String>::new());
    }

    #[test]
    fn table_of_container_errors() {
        let cases: Vec<(Value, Role, &str)> = vec![
            (
                json!({"name": "", "image": "x", "imagePullPolicy": "Always", "terminationMessagePolicy": "File"}),
                Role::Regular,
                "spec.containers[0].name: Required value",
            ),
            (ok_container(json!({"image": ""})), Role::Regular, "spec.containers[0].image: Required value"),
            (
                ok_container(json!({"imagePullPolicy": "Sometimes"})),
                Role::Regular,
                "spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
            ),
            (
                ok_container(json!({"ports": [{"containerPort": 70000, "protocol": "TCP"}]})),
                Role::Regular,
                "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ),
            (
                ok_container(json!({"ports": [{"protocol": "TCP"}]})),
                Role::Regular,
                "spec.containers[0].ports[0].containerPort: Required value",
            ),
            (
                ok_container(json!({"ports": [{"containerPort": 80, "protocol": "tcp"}]})),
                Role::Regular,
                "spec.containers[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ),
            (
                ok_container(json!({"env": [{"name": "A=B"}]})),
                Role::Regular,
                "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
            ),
            (
                ok_container(json!({"env": [{"name": "A", "valueFrom": {}}]})),
                Role::Regular,
                "spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            ),
            (
                ok_container(json!({"env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s"}}}]})),
                Role::Regular,
                "spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value",
            ),
            (
                ok_container(json!({"volumeMounts": [{"name": "cache", "mountPath": "/c"}]})),
                Role::Regular,
                "spec.containers[0].volumeMounts[0].name: Not found: \"cache\"",
            ),
            (
                ok_container(
                    json!({"volumeMounts": [{"name": "data", "mountPath": "/d"}, {"name": "data", "mountPath": "/d"}]}),
                ),
                Role::Regular,
                "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/d\": must be unique",
            ),
            (
                ok_container(json!({"resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}})),
                Role::Regular,
                "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            ),
            (
                ok_container(json!({"resources": {"limits": {"memory": "-1"}}})),
                Role::Regular,
                "spec.containers[0].resources.limits[memory]: Invalid value: \"-1\": must be greater than or equal to 0",
            ),
            (
                ok_container(json!({"resources": {"limits": {"gpu": "1"}}})),
                Role::Regular,
                "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource for containers",
            ),
            (
                ok_container(json!({"livenessProbe": {"periodSeconds": 5}})),
                Role::Regular,
                "spec.containers[0].livenessProbe: Required value: must specify a handler type",
            ),
            (
                ok_container(json!({"livenessProbe": {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}}})),
                Role::Regular,
                "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
            ),
            (
                ok_container(json!({"livenessProbe": {"tcpSocket": {"port": 80}, "successThreshold": 2}})),
                Role::Regular,
                "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
            ),
            (
                ok_container(json!({"readinessProbe": {"httpGet": {"port": 0}}})),
                Role::Regular,
                "spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
            ),
            (
                ok_container(json!({"restartPolicy": "Always"})),
                Role::Regular,
                "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers",
            ),
            (
                ok_container(json!({"restartPolicy": "OnFailure"})),
                Role::Init,
                "spec.initContainers[0].restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"",
            ),
            (
                ok_container(json!({"readinessProbe": {"exec": {"command": ["true"]}}})),
                Role::Init,
                "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
            ),
        ];
        for (c, role, want) in cases {
            assert_eq!(check(json!([c]), role, true), [want], "{want}");
        }
    }

    #[test]
    fn templates_may_omit_images_and_names_must_be_unique() {
        assert!(check(json!([ok_container(json!({"image": ""}))]), Role::Regular, false).is_empty());
        assert_eq!(
            check(json!([ok_container(json!({})), ok_container(json!({}))]), Role::Regular, true),
            ["spec.containers[1].name: Duplicate value: \"web\""]
        );
        let sidecar =
            ok_container(json!({"restartPolicy": "Always", "readinessProbe": {"exec": {"command": ["true"]}}}));
        assert!(check(json!([sidecar]), Role::Init, true).is_empty());
    }
}
