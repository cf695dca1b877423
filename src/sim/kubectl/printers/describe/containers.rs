//! Container sections shared by Pod and pod-template describers: image, ports, command, state,
//! resources, probes, environment and mounts (`describeContainers`, `DescribePodTemplate`).

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::super::fields::{arr_at, at, bool_at, i64_at, int_or_string, opt_str, str_at, string_map};
use super::quantity::resource_list;
use super::writer::{PrefixWriter, rfc1123z};
use super::{annotations_multiline, env, labels_multiline, print_bool, volumes};
use crate::sim::kubectl::printers::jsonpath::go_quote;

/// `describeContainers`: `pod` is given for a real pod (its statuses and field values are shown).
pub fn describe_containers(
    w: &mut PrefixWriter,
    label: &str,
    containers: &[Value],
    statuses: &[Value],
    pod: Option<&Value>,
    space: &str,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(0, &format!("{space}{label}:{none}\n"));
    for c in containers {
        let name = str_at(c, &["name"]);
        let status = statuses.iter().find(|s| str_at(s, &["name"]) == name);
        basic_info(w, c, status, space);
        command(w, c);
        if let Some(s) = status {
            describe_status(w, "State", at(s, &["state"]));
            if at(s, &["lastState", "terminated"]).is_some_and(Value::is_object) {
                describe_status(w, "Last State", at(s, &["lastState"]));
            }
            w.write(2, &format!("Ready:\t{}\n", print_bool(bool_at(s, &["ready"]))));
            w.write(2, &format!("Restart Count:\t{}\n", i64_at(s, &["restartCount"])));
        }
        describe_resources(w, c.get("resources").unwrap_or(&Value::Null), 2);
        probes(w, c);
        if !arr_at(c, &["envFrom"]).is_empty() {
            env::env_from(w, c);
        }
        env::env(w, c, pod);
        mounts(w, c);
    }
}

fn basic_info(w: &mut PrefixWriter, c: &Value, status: Option<&Value>, space: &str) {
    let indent = if space.is_empty() { "" } else { " " };
    w.write(1, &format!("{indent}{}:\n", str_at(c, &["name"])));
    if let Some(s) = status {
        w.write(2, &format!("Container ID:\t{}\n", str_at(s, &["containerID"])));
    }
    w.write(2, &format!("Image:\t{}\n", str_at(c, &["image"])));
    if let Some(s) = status {
        w.write(2, &format!("Image ID:\t{}\n", str_at(s, &["imageID"])));
    }
    let ports = arr_at(c, &["ports"]);
    let list = |field: &str| {
        ports
            .iter()
            .map(|p| format!("{}/{}", i64_at(p, &[field]), str_at(p, &["protocol"])))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (field, single, plural) in [("containerPort", "Port", "Ports"), ("hostPort", "Host Port", "Host Ports")] {
        let text = list(field);
        if text.contains(',') {
            w.write(2, &format!("{plural}:\t{text}\n"));
        } else {
            w.write(2, &format!("{single}:\t{}\n", if text.is_empty() { "<none>" } else { &text }));
        }
    }
    if let Some(profile) = opt_str(c, &["securityContext", "seccompProfile", "type"]) {
        w.write(2, &format!("SeccompProfile:\t{profile}\n"));
        if profile == "Localhost" {
            w.write(
                3,
                &format!(
                    "LocalhostProfile:\t{}\n",
                    str_at(c, &["securityContext", "seccompProfile", "localhostProfile"])
                ),
            );
        }
    }
}

fn command(w: &mut PrefixWriter, c: &Value) {
    for (field, title) in [("command", "Command"), ("args", "Args")] {
        let items = arr_at(c, &[field]);
        if items.is_empty() {
            continue;
        }
        w.write(2, &format!("{title}:\n"));
        for item in items {
            for line in item.as_str().unwrap_or("").split('\n') {
                w.write(3, &format!("{line}\n"));
            }
        }
    }
}

/// `describeStatus` for a container state (`State:` / `Last State:`).
fn describe_status(w: &mut PrefixWriter, title: &str, state: Option<&Value>) {
    let part = |k: &str| state.and_then(|s| s.get(k)).filter(|v| v.is_object());
    if let Some(r) = part("running") {
        w.write(2, &format!("{title}:\tRunning\n"));
        w.write(3, &format!("Started:\t{}\n", rfc1123z(opt_str(r, &["startedAt"]))));
    } else if let Some(wt) = part("waiting") {
        w.write(2, &format!("{title}:\tWaiting\n"));
        let reason = str_at(wt, &["reason"]);
        if !reason.is_empty() {
            w.write(3, &format!("Reason:\t{reason}\n"));
        }
    } else if let Some(t) = part("terminated") {
        w.write(2, &format!("{title}:\tTerminated\n"));
        for key in ["reason", "message"] {
            let v = str_at(t, &[key]);
            if !v.is_empty() {
                let label = if key == "reason" { "Reason" } else { "Message" };
                w.write(3, &format!("{label}:\t{v}\n"));
            }
        }
        w.write(3, &format!("Exit Code:\t{}\n", i64_at(t, &["exitCode"])));
        if i64_at(t, &["signal"]) > 0 {
            w.write(3, &format!("Signal:\t{}\n", i64_at(t, &["signal"])));
        }
        w.write(3, &format!("Started:\t{}\n", rfc1123z(opt_str(t, &["startedAt"]))));
        w.write(3, &format!("Finished:\t{}\n", rfc1123z(opt_str(t, &["finishedAt"]))));
    } else {
        w.write(2, &format!("{title}:\tWaiting\n"));
    }
}

/// `describeResources`: Limits then Requests, names sorted, quantities canonical.
pub fn describe_resources(w: &mut PrefixWriter, resources: &Value, level: usize) {
    for (field, title) in [("limits", "Limits"), ("requests", "Requests")] {
        let list = resource_list(resources, &[field]);
        if !list.is_empty() {
            w.write(level, &format!("{title}:\n"));
        }
        for (name, q) in list {
            w.write(level + 1, &format!("{name}:\t{}\n", q.to_canonical()));
        }
    }
}

fn probes(w: &mut PrefixWriter, c: &Value) {
    for (field, title) in [("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"), ("startupProbe", "Startup")]
    {
        if let Some(p) = c.get(field).filter(|p| p.is_object()) {
            w.write(2, &format!("{title}:\t{}\n", describe_probe(p)));
        }
    }
}

/// `DescribeProbe`: `http-get http://:80/healthz delay=3s timeout=1s period=10s #success=1 #failure=3`.
pub fn describe_probe(p: &Value) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        i64_at(p, &["initialDelaySeconds"]),
        i64_at(p, &["timeoutSeconds"]),
        i64_at(p, &["periodSeconds"]),
        i64_at(p, &["successThreshold"]),
        i64_at(p, &["failureThreshold"])
    );
    if let Some(exec) = p.get("exec").filter(|v| v.is_object()) {
        let cmd: Vec<&str> = arr_at(exec, &["command"]).iter().map(|v| v.as_str().unwrap_or("")).collect();
        format!("exec [{}] {attrs}", cmd.join(" "))
    } else if let Some(h) = p.get("httpGet").filter(|v| v.is_object()) {
        let port = at(h, &["port"]).map(|v| int_or_string(Some(v))).unwrap_or_default();
        let host_field = str_at(h, &["host"]);
        let host = if port.is_empty() {
            host_field.to_string()
        } else if host_field.contains(':') {
            format!("[{host_field}]:{port}")
        } else {
            format!("{host_field}:{port}")
        };
        let scheme = str_at(h, &["scheme"]).to_lowercase();
        let mut url = if scheme.is_empty() { String::new() } else { format!("{scheme}:") };
        if !host.is_empty() {
            url.push_str("//");
            url.push_str(&host);
        }
        let path = str_at(h, &["path"]);
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            url.push('/');
        }
        url.push_str(path);
        format!("http-get {url} {attrs}")
    } else if let Some(t) = p.get("tcpSocket").filter(|v| v.is_object()) {
        format!("tcp-socket {}:{} {attrs}", str_at(t, &["host"]), int_or_string(at(t, &["port"])))
    } else if let Some(g) = p.get("grpc").filter(|v| v.is_object()) {
        format!("grpc <pod>:{} {} {attrs}", i64_at(g, &["port"]), str_at(g, &["service"]))
    } else {
        format!("unknown {attrs}")
    }
}

fn mounts(w: &mut PrefixWriter, c: &Value) {
    let mut list: Vec<&Value> = arr_at(c, &["volumeMounts"]).iter().collect();
    w.write(2, &format!("Mounts:{}\n", if list.is_empty() { "\t<none>" } else { "" }));
    list.stable_sort_by(|a, b| str_at(a, &["mountPath"]).cmp(str_at(b, &["mountPath"])));
    for m in list {
        let mut flags = vec![if bool_at(m, &["readOnly"]) { "ro".to_string() } else { "rw".to_string() }];
        let sub = str_at(m, &["subPath"]);
        if !sub.is_empty() {
            flags.push(format!("path={}", go_quote(sub)));
        }
        w.write(3, &format!("{} from {} ({})\n", str_at(m, &["mountPath"]), str_at(m, &["name"]), flags.join(",")));
    }
    let mut devices: Vec<&Value> = arr_at(c, &["volumeDevices"]).iter().collect();
    if !devices.is_empty() {
        w.write(2, "Devices:\n");
        devices.stable_sort_by(|a, b| str_at(a, &["devicePath"]).cmp(str_at(b, &["devicePath"])));
        for d in devices {
            w.write(3, &format!("{} from {}\n", str_at(d, &["devicePath"]), str_at(d, &["name"])));
        }
    }
}

/// `DescribePodTemplate`, used by Deployment, ReplicaSet and Job.
pub fn describe_pod_template(w: &mut PrefixWriter, template: Option<&Value>) {
    w.write(0, "Pod Template:\n");
    let Some(t) = template.filter(|t| t.is_object()) else {
        w.write(1, "<unset>");
        return;
    };
    labels_multiline(w, "  Labels", &string_map(t, &["metadata", "labels"]));
    if !string_map(t, &["metadata", "annotations"]).is_empty() {
        annotations_multiline(w, "  Annotations", t);
    }
    let sa = str_at(t, &["spec", "serviceAccountName"]);
    if !sa.is_empty() {
        w.write(1, &format!("Service Account:\t{sa}\n"));
    }
    let init = arr_at(t, &["spec", "initContainers"]);
    if !init.is_empty() {
        describe_containers(w, "Init Containers", init, &[], None, "  ");
    }
    describe_containers(w, "Containers", arr_at(t, &["spec", "containers"]), &[], None, "  ");
    volumes::describe_volumes(w, arr_at(t, &["spec", "volumes"]), "  ");
    volumes::topology_spread(w, t, "  ");
    let pc = str_at(t, &["spec", "priorityClassName"]);
    if !pc.is_empty() {
        w.write(1, &format!("Priority Class Name:\t{pc}\n"));
    }
    labels_multiline(w, "  Node-Selectors", &string_map(t, &["spec", "nodeSelector"]));
    volumes::tolerations(w, "  Tolerations", arr_at(t, &["spec", "tolerations"]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn probes_print_like_kubectl() {
        let http = json!({"httpGet": {"path": "/healthz", "port": 80, "scheme": "HTTP"}, "initialDelaySeconds": 3,
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3});
        assert_eq!(
            describe_probe(&http),
            "http-get http://:80/healthz delay=3s timeout=1s period=10s #success=1 #failure=3"
        );
        assert_eq!(
            describe_probe(&json!({"tcpSocket": {"port": "http"}})),
            "tcp-socket :http delay=0s timeout=0s period=0s #success=0 #failure=0"
        );
        assert_eq!(
            describe_probe(&json!({"exec": {"command": ["cat", "/tmp/x"]}})).split(' ').take(3).collect::<Vec<_>>(),
            ["exec", "[cat", "/tmp/x]"]
        );
        assert!(describe_probe(&json!({})).starts_with("unknown delay=0s"));
        assert!(
            describe_probe(&json!({"httpGet": {"host": "::1", "port": 8080, "path": "x"}}))
                .starts_with("http-get //[::1]:8080/x ")
        );
    }
}
