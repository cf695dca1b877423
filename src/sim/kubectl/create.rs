//! `kubectl create <generator>` (and `kubectl run`'s, `run.rs`): build the object exactly as kubectl's generators
//! do (compare `kubectl create deployment x --image=nginx --dry-run=client -o yaml`), then POST it.

use crate::sim::api::pointer::Pointer;
use serde_json::{Map, Value, json};

use super::apply::{self, Mode};
use super::args::{self, FlagKind, Parsed, flag};
use super::common::{namespace, object_ref, resolve};
use super::{Ctx, Output};
use crate::sim::apiserver::request::{ApiRequest, Verb};

pub(super) const FLAGS: &[args::FlagSpec] = &[
    flag("filename", Some('f'), FlagKind::Multi),
    flag("image", None, FlagKind::Multi),
    flag("replicas", Some('r'), FlagKind::Int32),
    flag("port", None, FlagKind::Int32),
    flag("dry-run", None, FlagKind::Value),
    flag("output", Some('o'), FlagKind::Value),
    flag("from-literal", None, FlagKind::Multi),
    flag("from-file", None, FlagKind::Multi),
    flag("tcp", None, FlagKind::Multi),
    flag("node-port", None, FlagKind::Int),
    flag("type", None, FlagKind::Value),
    flag("schedule", None, FlagKind::Value),
    flag("restart", None, FlagKind::Value),
    flag("labels", None, FlagKind::Value),
    flag("env", None, FlagKind::Multi),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::Value),
    flag("expose", None, FlagKind::Bool),
    flag("command", None, FlagKind::Bool),
    flag("rm", None, FlagKind::Bool),
    flag("stdin", Some('i'), FlagKind::Bool),
    flag("tty", Some('t'), FlagKind::Bool),
    flag("attach", None, FlagKind::Bool),
    flag("quiet", Some('q'), FlagKind::Bool),
    flag("pod-running-timeout", None, FlagKind::Value),
    flag("leave-stdin-open", None, FlagKind::Bool),
    flag("hard", None, FlagKind::Value),
    flag("scopes", None, FlagKind::Value),
];

/// The usage hint under a flag error: cobra names the subcommand (`kubectl create deployment --help`).
fn create_usage(words: &[String]) -> String {
    let mut names = words.iter().map(String::as_str).filter(|w| !w.starts_with('-'));
    match (names.next(), names.next()) {
        // `create service nodeport`, `create secret generic`: the command is two words deep.
        (Some(sub @ ("service" | "svc" | "secret")), Some(kind)) => {
            format!("See 'kubectl create {sub} {kind} --help' for usage.")
        }
        (Some(sub), _) => format!("See 'kubectl create {sub} --help' for usage."),
        (None, _) => "See 'kubectl create --help' for usage.".into(),
    }
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    if words.iter().any(|w| w == "-f" || w.starts_with("--filename") || w.starts_with("-f=")) {
        return apply::run(cx, words, out, Mode::Create);
    }
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\n{}", create_usage(words)))?;
    let Some(sub) = p.positional.first().map(String::as_str) else {
        return Err("error: must specify one of -f and -k".into());
    };
    let name = p.positional.get(1).cloned();
    let need_name = |what: &str| {
        name.clone().ok_or_else(|| {
            format!("error: exactly one NAME is required, got 0\nSee 'kubectl create {what} -h' for help and examples")
        })
    };
    let (resource, obj) = match sub {
        "namespace" | "ns" => (
            "namespaces",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta(&need_name("namespace")?, None), "spec": {}, "status": {}}),
        ),
        "deployment" | "deploy" => ("deployments.apps", deployment(&need_name("deployment")?, &p)?),
        "configmap" | "cm" => ("configmaps", configmap(&need_name("configmap")?, &p)?),
        "secret" => ("secrets", secret(&p)?),
        "service" | "svc" => ("services", service(&p)?),
        "job" => ("jobs.batch", job(&need_name("job")?, &p)?),
        "cronjob" | "cj" => ("cronjobs.batch", cronjob(&need_name("cronjob")?, &p)?),
        "quota" | "resourcequota" => ("resourcequotas", quota(&need_name("quota")?, &p)?),
        "serviceaccount" | "sa" => (
            "serviceaccounts",
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(&need_name("serviceaccount")?, None)}),
        ),
        other => return Err(format!("error: unknown command \"{other}\" for \"kubectl create\"")),
    };
    // Each generator wraps the apiserver's error in its own words (`create_configmap.go`: `failed to
    // create configmap: %v`; the secret's has no colon); `create namespace` returns it as it is.
    let failed = match sub {
        "namespace" | "ns" => None,
        "configmap" | "cm" => Some("failed to create configmap: ".to_string()),
        "secret" => Some("failed to create secret ".to_string()),
        "service" | "svc" => {
            Some(format!("failed to create {} service: ", obj.at("/spec/type").and_then(Value::as_str).unwrap_or("")))
        }
        "deployment" | "deploy" => Some("failed to create deployment: ".to_string()),
        "job" => Some("failed to create job: ".to_string()),
        "cronjob" | "cj" => Some("failed to create cronjob: ".to_string()),
        "quota" | "resourcequota" => Some("failed to create quota: ".to_string()),
        _ => Some("failed to create serviceaccount: ".to_string()),
    };
    submit(cx, &p, out, resource, obj, failed.as_deref())
}

/// Prints (dry run) or creates the generated object.
pub(super) fn submit(
    cx: &mut Ctx,
    p: &Parsed,
    out: &mut Output,
    resource: &str,
    obj: Value,
    failed: Option<&str>,
) -> Result<(), String> {
    let rt = resolve(resource)?;
    let name = obj.at("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    match p.get("dry-run") {
        Some("client") => {
            match p.get("output") {
                Some("yaml") => out.stdout.push_str(&super::printers::to_yaml(&obj)),
                Some("json") => out.out(super::printers::to_json(&obj)),
                Some("name") => out.out(object_ref(rt, &name)),
                _ => out.out(format!("{} created (dry run)", object_ref(rt, &name))),
            }
            return Ok(());
        }
        None | Some("none") | Some("server") => {}
        Some(other) => {
            return Err(format!(
                "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ));
        }
    }
    let ns = namespace(p);
    let mut req = ApiRequest::new(0, Verb::Create, rt).in_namespace(Some(&ns)).with_body(obj);
    req.options.dry_run = p.get("dry-run") == Some("server");
    // The generators wrap the apiserver's error with `%v`, which prints the Status's message as
    // the server wrote it (`Deployment.apps "web" is invalid: ...`), not kubectl's own layout.
    let created = cx.world.call(req).map_err(|e| match failed {
        Some(words) if e.code != 0 => format!("error: {words}{}", crate::sim::http::status::server_message(&e)),
        _ => e.to_string(),
    })?;
    let suffix = if p.get("dry-run") == Some("server") { " (server dry run)" } else { "" };
    match p.get("output") {
        Some("yaml") => out.stdout.push_str(&super::printers::to_yaml(&created)),
        Some("json") => out.out(super::printers::to_json(&created)),
        Some("name") => out.out(object_ref(rt, &name)),
        _ => out.out(format!("{} created{suffix}", object_ref(rt, &name))),
    }
    Ok(())
}

/// `kubectl create quota` (`create_quota.go`): `--hard=pods=2,requests.cpu=1` (`populateResourceListV1`)
/// and `--scopes=BestEffort,...` (`parseScopes`); the apiserver validates the rest.
fn quota(name: &str, p: &Parsed) -> Result<Value, String> {
    let mut hard = serde_json::Map::new();
    for item in p.get("hard").unwrap_or("").split(',').filter(|i| !i.is_empty()) {
        let parts: Vec<&str> = item.split('=').collect();
        let [res, qty] = parts[..] else {
            return Err(format!("error: Invalid argument syntax {item}, expected <resource>=<value>"));
        };
        let q = crate::sim::api::quantity::parse_quantity(qty).map_err(|_| {
            "error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
                .to_string()
        })?;
        hard.insert(res.to_string(), json!(q.to_string()));
    }
    let scopes: Vec<&str> = p.get("scopes").unwrap_or("").split(',').filter(|s| !s.is_empty()).collect();
    let mut spec = Map::new();
    if !hard.is_empty() {
        spec.insert("hard".into(), Value::Object(hard));
    }
    if !scopes.is_empty() {
        spec.insert("scopes".into(), json!(scopes));
    }
    Ok(json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta(name, None), "spec": spec, "status": {}}))
}

pub(super) fn meta(name: &str, labels: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("creationTimestamp".into(), Value::Null);
    if let Some(l) = labels {
        m.insert("labels".into(), l);
    }
    m.insert("name".into(), json!(name));
    Value::Object(m)
}

/// `nginx:1.27` -> `nginx`; `registry.k8s.io/e2e-test-images/agnhost:2.39` -> `agnhost`, as kubectl
/// names a generated container after its image.
fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let base = last.split(['@', ':']).next().unwrap_or(last);
    base.to_string()
}

fn deployment(name: &str, p: &Parsed) -> Result<Value, String> {
    let images = p.all("image");
    if images.is_empty() {
        return Err("error: required flag(s) \"image\" not set".into());
    }
    let replicas = p.int("replicas").unwrap_or(1);
    let port = p.int("port");
    let containers: Vec<Value> = images
        .iter()
        .map(|img| {
            let mut c = json!({"image": img, "name": container_name(img)});
            if let Some(port) = port {
                c["ports"] = json!([{"containerPort": port}]);
            }
            c["resources"] = json!({});
            c
        })
        .collect();
    let labels = json!({"app": name});
    Ok(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": meta(name, Some(labels.clone())),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "strategy": {},
            "template": {"metadata": {"creationTimestamp": null, "labels": labels}, "spec": {"containers": containers}}
        },
        "status": {}
    }))
}

/// `--from-literal=key=value` pairs as `util.ParseLiteralSource` reads them: split at the first
/// `=`, and a leading `=` (an empty key) is refused like a missing one.
fn literal_pairs(p: &Parsed) -> Result<Map<String, Value>, String> {
    let mut data = Map::new();
    for lit in p.all("from-literal") {
        let (k, v) = lit
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| format!("error: invalid literal source {lit}, expected key=value"))?;
        data.insert(k.to_string(), json!(v));
    }
    if !p.all("from-file").is_empty() {
        return Err("error: --from-file reads local files, which this sandbox does not have; use --from-literal".into());
    }
    Ok(data)
}

fn configmap(name: &str, p: &Parsed) -> Result<Value, String> {
    let data = literal_pairs(p)?;
    let mut obj = json!({"apiVersion": "v1"});
    if !data.is_empty() {
        obj["data"] = Value::Object(data);
    }
    obj["kind"] = json!("ConfigMap");
    obj["metadata"] = meta(name, None);
    Ok(obj)
}

fn secret(p: &Parsed) -> Result<Value, String> {
    match p.positional.get(1).map(String::as_str) {
        Some("generic") => {}
        Some(other @ ("tls" | "docker-registry")) => return Err(format!("error: kubectl create secret {other} needs local files or credentials; this sandbox supports `secret generic --from-literal`")),
        _ => return Err("error: unknown command \"secret\" for \"kubectl create\": use `kubectl create secret generic NAME --from-literal=key=value`".into()),
    }
    let name = p.positional.get(2).ok_or(
        "error: exactly one NAME is required, got 0\nSee 'kubectl create secret generic -h' for help and examples",
    )?;
    let data: Map<String, Value> = literal_pairs(p)?
        .into_iter()
        .map(|(k, v)| (k, json!(crate::sim::api::base64::encode(v.as_str().unwrap_or_default().as_bytes()))))
        .collect();
    let mut obj = json!({"apiVersion": "v1"});
    if !data.is_empty() {
        obj["data"] = Value::Object(data);
    }
    obj["kind"] = json!("Secret");
    obj["metadata"] = meta(name, None);
    if let Some(t) = p.get("type") {
        obj["type"] = json!(t);
    }
    Ok(obj)
}

fn service(p: &Parsed) -> Result<Value, String> {
    let ty = match p.positional.get(1).map(String::as_str) {
        Some("clusterip") => "ClusterIP",
        Some("nodeport") => "NodePort",
        Some("loadbalancer") => "LoadBalancer",
        Some(other) => return Err(format!("error: unknown command \"{other}\" for \"kubectl create service\"")),
        None => return Err("error: kubectl create service needs a type: clusterip, nodeport or loadbalancer".into()),
    };
    let name = p.positional.get(2).ok_or("error: exactly one NAME is required, got 0")?;
    let mut ports = Vec::new();
    for tcp in p.all("tcp") {
        let (port, target) = tcp.split_once(':').unwrap_or((tcp, tcp));
        let target = if target.is_empty() { port } else { target };
        let (port_n, target_v) = (service_port(port)?, target_port(target)?);
        let mut entry =
            json!({"name": format!("{port}-{target}"), "port": port_n, "protocol": "TCP", "targetPort": target_v});
        if let Some(np) = p.int("node-port") {
            entry["nodePort"] = json!(np);
        }
        ports.push(entry);
    }
    if ports.is_empty() {
        return Err("error: at least one --tcp=port:targetPort is required".into());
    }
    let labels = json!({"app": name});
    Ok(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta(name, Some(labels.clone())),
        "spec": {"ports": ports, "selector": labels, "type": ty},
        "status": {"loadBalancer": {}}
    }))
}

fn job_spec(name: &str, p: &Parsed, restart: &str) -> Result<Value, String> {
    let image = p.get("image").ok_or("error: required flag(s) \"image\" not set")?;
    let mut c = Map::new();
    if !p.after_dashes.is_empty() {
        c.insert("command".into(), json!(p.after_dashes));
    }
    c.insert("image".into(), json!(image));
    c.insert("name".into(), json!(name));
    c.insert("resources".into(), json!({}));
    Ok(
        json!({"metadata": {"creationTimestamp": null}, "spec": {"containers": [Value::Object(c)], "restartPolicy": restart}}),
    )
}

fn job(name: &str, p: &Parsed) -> Result<Value, String> {
    Ok(json!({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": meta(name, None),
        "spec": {"template": job_spec(name, p, "Never")?}, "status": {}
    }))
}

fn cronjob(name: &str, p: &Parsed) -> Result<Value, String> {
    let schedule = p.get("schedule").ok_or("error: required flag(s) \"schedule\" not set")?;
    Ok(json!({
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(name, None),
        "spec": {"jobTemplate": {"metadata": {"creationTimestamp": null, "name": name}, "spec": {"template": job_spec(name, p, "OnFailure")?}}, "schedule": schedule},
        "status": {}
    }))
}

/// A `--tcp` port as `utilsnet.ParsePort(port, true)` reads it: `strconv.ParseUint(port, 10, 16)`.
fn service_port(port: &str) -> Result<u16, String> {
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("error: strconv.ParseUint: parsing {port:?}: invalid syntax"));
    }
    port.parse().map_err(|_| format!("error: strconv.ParseUint: parsing {port:?}: value out of range"))
}

/// A `--tcp` target port as `intstr.Parse` reads it: a number must be a valid port
/// (`validation.IsValidPortNum`); anything else is a port name.
fn target_port(target: &str) -> Result<Value, String> {
    match target.parse::<i64>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(json!(n)),
        Ok(_) => Err("error: must be between 1 and 65535, inclusive".into()),
        Err(_) => Ok(json!(target)),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names_follow_the_image() {
        assert_eq!(container_name("nginx"), "nginx");
        assert_eq!(container_name("nginx:1.27"), "nginx");
        assert_eq!(container_name("registry.k8s.io/e2e-test-images/agnhost:2.39"), "agnhost");
        assert_eq!(container_name("busybox@sha256:abc"), "busybox");
    }
}
