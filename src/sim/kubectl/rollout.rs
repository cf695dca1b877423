//! `kubectl rollout status|history|undo|restart|pause|resume`: the workload rollout commands of
//! `k8s.io/kubectl/pkg/cmd/rollout`, with the polymorphic helpers' wording (`objectpauser.go`,
//! `objectresumer.go`, `objectrestarter.go`). Status and history live in their own files.

use crate::sim::api::pointer::Pointer;
mod history;
mod status;

use serde_json::{Value, json};

use super::args::{self, FlagKind, FlagSpec, flag};
use super::common::{self, list, namespace, object_ref, targets};
use super::{Ctx, Output};
use crate::sim::api::ResourceType;
use crate::sim::apiserver::request::{ApiRequest, PatchType, Verb};
use crate::sim::time::rfc3339;

/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

const HELP: &str = "Manage the deployment of one or more resources.

 Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets

Available Commands:
  history       View rollout history
  pause         Mark the provided resource as paused
  restart       Restart a resource
  resume        Resume a paused resource
  status        Show the status of the rollout
  undo          Undo a previous rollout

Usage:
  kubectl rollout SUBCOMMAND [options]";

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let Some((sub, rest)) = words.split_first() else {
        // `DefaultSubCommandRun`: the help goes to stderr and kubectl exits 1.
        return Err(HELP.into());
    };
    match sub.as_str() {
        "status" => status::run(cx, rest, out),
        "history" => history::history(cx, rest, out),
        "undo" => history::undo(cx, rest, out),
        "pause" => pause_resume_restart(cx, rest, out, Action::Pause),
        "resume" => pause_resume_restart(cx, rest, out, Action::Resume),
        "restart" => pause_resume_restart(cx, rest, out, Action::Restart),
        "-h" | "--help" | "help" => {
            out.out(HELP);
            Ok(())
        }
        other => Err(format!("error: unknown command \"{other}\"\nSee 'kubectl rollout -h' for help and examples")),
    }
}

/// Parses a rollout subcommand's flags with kubectl's usage hint on errors.
fn parse(words: &[String], sub: &str, specs: &[FlagSpec]) -> Result<args::Parsed, String> {
    args::parse(words, specs).map_err(|e| format!("error: {e}\nSee 'kubectl rollout {sub} --help' for usage."))
}

/// The objects named on the command line (`deployment/web`, `deployment web`, or every object of a
/// type with `-l`/no name), fetched from the API. Not-found errors are printed and skipped.
fn objects(cx: &mut Ctx, p: &args::Parsed, out: &mut Output) -> Result<Vec<(&'static ResourceType, Value)>, String> {
    if p.positional.is_empty() {
        return Err("error: required resource not specified".into());
    }
    let ns = namespace(p);
    let mut found = Vec::new();
    for (rt, names) in targets(&p.positional)? {
        if names.is_empty() {
            let items = list(cx, rt, Some(&ns), p.get("selector"), None).map_err(|e| e.to_string())?;
            found.extend(items.into_iter().map(|o| (rt, o)));
            continue;
        }
        for name in names {
            match common::get_one(cx, rt, &ns, &name) {
                Ok(o) => found.push((rt, o)),
                Err(e) => out.err(e.to_string()),
            }
        }
    }
    Ok(found)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Pause,
    Resume,
    Restart,
}

const SIMPLE_FLAGS: &[FlagSpec] = &[
    flag("selector", Some('l'), FlagKind::Value),
    flag("dry-run", None, FlagKind::Value),
    flag("field-manager", None, FlagKind::Value),
];

/// The patch each action makes, or the helper's error (printed as `error: deployments.apps "web" ...`).
fn patch_for(action: Action, obj: &Value, now: u64) -> Result<Value, &'static str> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    let paused = obj.at("/spec/paused").and_then(Value::as_bool).unwrap_or(false);
    match (action, kind) {
        (Action::Pause, "Deployment") if paused => Err("is already paused"),
        (Action::Pause, "Deployment") => Ok(json!({"spec": {"paused": true}})),
        (Action::Pause, _) => Err("pausing is not supported"),
        (Action::Resume, "Deployment") if !paused => Err("is not paused"),
        (Action::Resume, "Deployment") => Ok(json!({"spec": {"paused": null}})),
        (Action::Resume, _) => Err("resuming is not supported"),
        (Action::Restart, "Deployment") if paused => Err("can't restart paused deployment (run rollout resume first)"),
        (Action::Restart, "Deployment" | "DaemonSet" | "StatefulSet") => {
            Ok(json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: rfc3339(now)}}}}}))
        }
        (Action::Restart, _) => Err("restarting is not supported"),
    }
}

fn pause_resume_restart(cx: &mut Ctx, words: &[String], out: &mut Output, action: Action) -> Result<(), String> {
    let (sub, done) = match action {
        Action::Pause => ("pause", "paused"),
        Action::Resume => ("resume", "resumed"),
        Action::Restart => ("restart", "restarted"),
    };
    let p = parse(words, sub, SIMPLE_FLAGS)?;
    let ns = namespace(&p);
    let dry_run = p.get("dry-run").is_some_and(|d| d != "none");
    for (rt, obj) in objects(cx, &p, out)? {
        let name = common::name_of(&obj).to_string();
        let patch = match patch_for(action, &obj, cx.world.now()) {
            Ok(patch) => patch,
            Err(why) => {
                out.err(format!("error: {} \"{name}\" {why}", rt.group_resource()));
                continue;
            }
        };
        let shown = if dry_run { format!("{done} (dry run)") } else { done.to_string() };
        if dry_run {
            out.out(format!("{} {shown}", object_ref(rt, &name)));
            continue;
        }
        let req = ApiRequest::new(0, Verb::Patch(PatchType::Strategic), rt)
            .in_namespace(Some(&ns))
            .named(&name)
            .with_body(patch);
        match cx.world.call(req) {
            Ok(_) => out.out(format!("{} {shown}", object_ref(rt, &name))),
            Err(e) => out.err(format!("error: failed to patch: {}", e.message)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy(paused: bool) -> Value {
        json!({"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"paused": paused}})
    }

    #[test]
    fn patches_and_refusals_per_action_and_kind() {
        let ds = json!({"kind": "DaemonSet", "spec": {}});
        let cases: Vec<(Action, Value, Result<Value, &str>)> = vec![
            (Action::Pause, deploy(false), Ok(json!({"spec": {"paused": true}}))),
            (Action::Pause, deploy(true), Err("is already paused")),
            (Action::Pause, ds.clone(), Err("pausing is not supported")),
            (Action::Resume, deploy(true), Ok(json!({"spec": {"paused": null}}))),
            (Action::Resume, deploy(false), Err("is not paused")),
            (Action::Resume, ds.clone(), Err("resuming is not supported")),
            (Action::Restart, deploy(true), Err("can't restart paused deployment (run rollout resume first)")),
            (
                Action::Restart,
                ds,
                Ok(
                    json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: "2025-01-01T00:00:05Z"}}}}}),
                ),
            ),
            (Action::Restart, json!({"kind": "Pod"}), Err("restarting is not supported")),
        ];
        for (action, obj, want) in cases {
            assert_eq!(patch_for(action, &obj, 5_000), want, "{action:?} {obj}");
        }
    }
}
