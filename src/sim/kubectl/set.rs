//! `kubectl set image`: changes container images in a pod template (`cmd/set/set_image.go`), which
//! starts a rolling update of a Deployment. The other `set` subcommands are not simulated.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::args::{self, FlagKind, flag};
use super::common::{self, list, namespace, object_ref, targets};
use super::{Ctx, Output};
use crate::sim::apiserver::request::{ApiRequest, PatchType, Verb};

const FLAGS: &[args::FlagSpec] = &[
    flag("all", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::Value),
    flag("dry-run", None, FlagKind::Value),
    flag("record", None, FlagKind::Bool),
    flag("field-manager", None, FlagKind::Value),
];

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    match words.split_first() {
        Some((sub, rest)) if sub == "image" => image(cx, rest, out),
        Some((sub, _)) if matches!(sub.as_str(), "env" | "resources" | "selector" | "serviceaccount" | "subject") => {
            Err(format!("error: kubectl set {sub} is not simulated in this sandbox; use kubectl patch or kubectl apply instead"))
        }
        Some((sub, _)) if !sub.starts_with('-') => Err(format!("error: unknown command \"{sub}\"\nSee 'kubectl set -h' for help and examples")),
        _ => Err("Configure application resources.\n\nAvailable Commands:\n  image           Update the image of a pod template\n\nUsage:\n  kubectl set SUBCOMMAND [options]".into()),
    }
}

/// Where an object of this kind keeps its pod spec (`UpdatePodSpecForObject`).
fn pod_spec_path(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("/spec"),
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "ReplicationController" => {
            Some("/spec/template/spec")
        }
        _ => None,
    }
}

/// `(container, image)` pairs, in the order given.
type ImagePairs = Vec<(String, String)>;

/// Splits `TYPE/NAME ... C=IMAGE ...` into resources and image pairs.
fn split_pairs(positional: &[String]) -> Result<(Vec<String>, ImagePairs), String> {
    let mut resources = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for a in positional {
        match a.split_once('=') {
            Some((c, image)) => {
                if c.is_empty() || image.is_empty() {
                    return Err(format!("error: invalid image format: {a:?}"));
                }
                match pairs.iter_mut().find(|(k, _)| k == c) {
                    Some(p) => p.1 = image.to_string(),
                    None => pairs.push((c.to_string(), image.to_string())),
                }
            }
            None if pairs.is_empty() => resources.push(a.clone()),
            None => return Err(format!("error: all resources must be specified before image changes: {a}")),
        }
    }
    Ok((resources, pairs))
}

/// Applies the image changes to a pod spec; returns the names not found and the containers changed.
fn set_images(spec: &Value, pairs: &[(String, String)]) -> (Vec<String>, Vec<(&'static str, Value)>) {
    let mut missing = Vec::new();
    let mut changed: Vec<(&'static str, Value)> = Vec::new();
    for (name, image) in pairs {
        let mut found = false;
        for list in ["initContainers", "containers"] {
            for c in spec.get(list).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                let cname = c.get("name").and_then(Value::as_str).unwrap_or_default();
                if cname == name || name == "*" {
                    found = true;
                    if c.get("image").and_then(Value::as_str) != Some(image.as_str()) {
                        changed.retain(|(l, v)| !(*l == list && v["name"] == cname));
                        changed.push((list, json!({"name": cname, "image": image})));
                    }
                }
            }
        }
        if !found {
            missing.push(name.clone());
        }
    }
    (missing, changed)
}

/// Nests `inner` under the JSON pointer `path` (`/spec/template/spec` → `{"spec":{"template":{"spec":inner}}}`).
fn nest(path: &str, inner: Value) -> Value {
    path.split('/').filter(|s| !s.is_empty()).rev().fold(inner, |acc, key| json!({ key: acc }))
}

fn image(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl set image --help' for usage."))?;
    let (resources, pairs) = split_pairs(&p.positional)?;
    let mut problems = Vec::new();
    if p.bool("all") && p.get("selector").is_some() {
        problems.push("cannot set --all and --selector at the same time".to_string());
    }
    if resources.is_empty() {
        problems.push("one or more resources must be specified as <resource> <name> or <resource>/<name>".into());
    }
    if pairs.is_empty() {
        problems.push("at least one image update is required".into());
    } else if pairs.len() > 1 && pairs.iter().any(|(c, _)| c == "*") {
        problems.push(
            "all containers are already specified by *, but saw more than one container_name=container_image pairs"
                .into(),
        );
    }
    match problems.len() {
        0 => {}
        1 => return Err(format!("error: {}", problems[0])),
        _ => return Err(format!("error: [{}]", problems.join(", "))),
    }
    let ns = namespace(&p);
    let dry_run = p.get("dry-run").is_some_and(|d| d != "none");
    let mut errors = Vec::new();
    for (rt, names) in targets(&resources)? {
        let objs: Vec<Value> = if names.is_empty() {
            if !p.bool("all") && p.get("selector").is_none() {
                return Err("error: resource(s) were provided, but no name was specified".into());
            }
            list(cx, rt, Some(&ns), p.get("selector"), None).map_err(|e| e.to_string())?
        } else {
            let mut v = Vec::new();
            for n in &names {
                match common::get_one(cx, rt, &ns, n) {
                    Ok(o) => v.push(o),
                    Err(e) => errors.push(e.to_string()),
                }
            }
            v
        };
        for obj in objs {
            let name = common::name_of(&obj).to_string();
            let Some(path) = pod_spec_path(rt.kind) else {
                errors.push(format!(
                    "error: {}/{name} the object is not a pod or does not have a pod template: *v1.{}",
                    rt.plural, rt.kind
                ));
                continue;
            };
            let spec = obj.at(path).cloned().unwrap_or(json!({}));
            let (missing, changed) = set_images(&spec, &pairs);
            errors.extend(missing.iter().map(|m| format!("error: unable to find container named {m:?}")));
            if changed.is_empty() {
                continue;
            }
            let mut inner = serde_json::Map::new();
            for (list, c) in changed {
                inner
                    .entry(list.to_string())
                    .or_insert_with(|| json!([]))
                    .as_array_mut()
                    .expect("inserted as an array")
                    .push(c);
            }
            let done = if dry_run { "image updated (dry run)" } else { "image updated" };
            if dry_run {
                out.out(format!("{} {done}", object_ref(rt, &name)));
                continue;
            }
            let req = ApiRequest::new(0, Verb::Patch(PatchType::Strategic), rt)
                .in_namespace(Some(&ns))
                .named(&name)
                .with_body(nest(path, Value::Object(inner)));
            match cx.world.call(req) {
                Ok(_) => out.out(format!("{} {done}", object_ref(rt, &name))),
                Err(e) => {
                    errors.push(format!("failed to patch image update to pod template: {}", e.kubectl_text(None)))
                }
            }
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(format!("[{}]", errors.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn pairs_follow_resources() {
        let (r, p) = split_pairs(&w(&["deployment/web", "nginx=nginx:1.27", "side=busybox"])).expect("valid");
        assert_eq!(r, ["deployment/web"]);
        assert_eq!(p, [("nginx".to_string(), "nginx:1.27".to_string()), ("side".to_string(), "busybox".to_string())]);
        assert_eq!(
            split_pairs(&w(&["deployment", "a=b", "web"])),
            Err("error: all resources must be specified before image changes: web".into())
        );
        assert_eq!(split_pairs(&w(&["d/web", "=x"])), Err("error: invalid image format: \"=x\"".into()));
    }

    #[test]
    fn images_change_only_where_they_differ() {
        let spec = json!({"containers": [{"name": "nginx", "image": "nginx"}, {"name": "side", "image": "busybox"}], "initContainers": [{"name": "init", "image": "busybox"}]});
        let (missing, changed) =
            set_images(&spec, &[("nginx".into(), "nginx:1.27".into()), ("ghost".into(), "x".into())]);
        assert_eq!(missing, ["ghost"]);
        assert_eq!(changed, [("containers", json!({"name": "nginx", "image": "nginx:1.27"}))]);
        let (missing, changed) = set_images(&spec, &[("side".into(), "busybox".into())]);
        assert!(missing.is_empty() && changed.is_empty());
        let (_, changed) = set_images(&spec, &[("*".into(), "alpine".into())]);
        assert_eq!(changed.len(), 3);
    }

    #[test]
    fn patch_nesting_and_paths() {
        assert_eq!(nest("/spec/template/spec", json!({"a": 1})), json!({"spec": {"template": {"spec": {"a": 1}}}}));
        assert_eq!(pod_spec_path("CronJob"), Some("/spec/jobTemplate/spec/template/spec"));
        assert_eq!(pod_spec_path("Service"), None);
    }
}
