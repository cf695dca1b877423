//! `kubectl delete`: by name, `TYPE/NAME`, `-f`, `-l` or `--all`, with `--grace-period`, `--cascade`
//! and kubectl's default `--wait` (it returns once the objects are really gone).

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{self, list, namespace, targets, type_name};
use super::until::{Ended, Verdict, until_with_sync};
use super::{Ctx, Output};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, EventType, Verb};
use crate::sim::apiserver::status::Reason;
use crate::sim::time::Millis;
use crate::sim::time::parse_duration;

const FLAGS: &[args::FlagSpec] = &[
    flag("filename", Some('f'), FlagKind::Multi),
    flag("selector", Some('l'), FlagKind::Value),
    flag("all", None, FlagKind::Bool),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("grace-period", None, FlagKind::Int),
    flag("force", None, FlagKind::Bool),
    flag("now", None, FlagKind::Bool),
    flag("cascade", None, FlagKind::Value),
    flag("wait", None, FlagKind::Value),
    flag("ignore-not-found", None, FlagKind::Bool),
    flag("timeout", None, FlagKind::Value),
    flag("output", Some('o'), FlagKind::Value),
];

/// How long `--wait` waits at most before giving up quietly (virtual time).
const WAIT_LIMIT_MS: Millis = 120_000;

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let words: Vec<String> =
        words.iter().map(|w| if w == "--wait" { "--wait=true".to_string() } else { w.clone() }).collect();
    let p = args::parse(&words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl delete --help' for usage."))?;
    let ns = namespace(&p);
    let grace = match (p.int("grace-period"), p.bool("now"), p.bool("force")) {
        (Some(g), _, _) => Some(g),
        (None, true, _) => Some(1),
        (None, false, true) => Some(0),
        _ => None,
    };
    let propagation = match p.get("cascade") {
        None | Some("background") | Some("true") => None,
        Some("foreground") => Some("Foreground".to_string()),
        Some("orphan") | Some("false") => Some("Orphan".to_string()),
        Some(other) => {
            return Err(format!(
                "error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\"."
            ));
        }
    };
    let mut work: Vec<(&'static ResourceType, String, String)> = Vec::new();
    if !p.all("filename").is_empty() {
        for (source, text) in super::apply::read_sources(cx, p.all("filename"))? {
            for doc in api::decode_documents(&text) {
                let obj = doc.map_err(|e| super::apply::decode_error(&e, &source))?.value;
                let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
                let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
                let Ok(rt) = api::for_kind(av, kind) else {
                    out.err(format!("error: resource mapping not found for name: \"{}\" namespace: \"\" from \"{source}\": no matches for kind \"{kind}\" in version \"{av}\"\nensure CRDs are installed first", common::name_of(&obj)));
                    continue;
                };
                let obj_ns = obj.at("/metadata/namespace").and_then(Value::as_str).unwrap_or(&ns).to_string();
                work.push((rt, obj_ns, common::name_of(&obj).to_string()));
            }
        }
    } else {
        if p.positional.is_empty() {
            return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into());
        }
        for (rt, names) in targets(&p.positional)? {
            if names.is_empty() {
                if !p.bool("all") && p.get("selector").is_none() {
                    return Err("error: resource(s) were provided, but no name was specified".into());
                }
                let scope = if p.bool("all-namespaces") { None } else { Some(ns.as_str()) };
                let items = list(cx, rt, scope, p.get("selector"), None).map_err(|e| e.to_string())?;
                if items.is_empty() {
                    out.stderr
                        .push_str(&format!("{}\n", common::no_resources(rt.namespaced && scope.is_some(), scope)));
                }
                for o in items {
                    let ons = o.at("/metadata/namespace").and_then(Value::as_str).unwrap_or(&ns).to_string();
                    work.push((rt, ons, common::name_of(&o).to_string()));
                }
            } else {
                work.extend(names.into_iter().map(|n| (rt, ns.clone(), n)));
            }
        }
    }
    if grace == Some(0) && p.bool("force") {
        out.stderr.push_str("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    let timeout = match p.get("timeout") {
        None => None,
        Some(t) => Some(parse_duration(t).ok_or_else(|| {
            format!("error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"")
        })?),
    };
    let mut deleted = Vec::new();
    for (rt, obj_ns, name) in work {
        let mut req = ApiRequest::new(0, Verb::Delete, rt).in_namespace(Some(&obj_ns)).named(&name);
        req.options.grace_period_seconds = grace;
        req.options.propagation_policy = propagation.clone();
        match cx.world.call(req) {
            Ok(body) => {
                match p.get("output") {
                    Some("name") => out.out(format!("{}/{name}", type_name(rt))),
                    _ => out.out(format!("{} \"{name}\" deleted", type_name(rt))),
                }
                let uid = body.at("/metadata/uid").and_then(Value::as_str).map(str::to_string);
                deleted.push(Deleted { rt, ns: obj_ns, name, uid });
            }
            Err(e) if p.bool("ignore-not-found") && e.reason == crate::sim::apiserver::status::Reason::NotFound => {}
            Err(e) => out.err(e.to_string()),
        }
    }
    if p.get("wait") != Some("false") {
        // `--timeout=0` (the flag's default) means a week to kubectl; here a shorter limit, passed quietly.
        let deadline = cx.world.now() + timeout.filter(|t| *t > 0).unwrap_or(WAIT_LIMIT_MS);
        for d in &deleted {
            match wait_deleted(cx, d, deadline) {
                Ok(()) => {}
                Err(NotGone::TimedOut) if timeout.is_none() => {}
                Err(NotGone::TimedOut) => {
                    out.err(format!("error: timed out waiting for the condition on {}/{}", d.rt.plural, d.name))
                }
                Err(NotGone::Failed(e)) => out.err(e),
            }
        }
    }
    Ok(())
}

/// An object the DELETE was accepted for, and its uid then (from the answer).
struct Deleted {
    rt: &'static ResourceType,
    ns: String,
    name: String,
    uid: Option<String>,
}

/// Why a wait ended with the object still there.
enum NotGone {
    TimedOut,
    /// The apiserver's error, as kubectl prints it.
    Failed(String),
}

/// kubectl's `--wait` for one object, as its `IsDeleted` does it (kubectl/pkg/cmd/wait/delete.go): a
/// GET (gone, or another object of the same name by uid, as a mirror pod the kubelet re-creates at
/// once: done); else an informer on that one name (`until::until_with_sync`), done when the list no
/// longer holds it or a DELETED event comes.
fn wait_deleted(cx: &mut Ctx, d: &Deleted, deadline: Millis) -> Result<(), NotGone> {
    let get = ApiRequest::new(0, Verb::Get, d.rt).in_namespace(Some(&d.ns)).named(&d.name);
    let found = match cx.world.call(get) {
        Err(e) if e.reason == Reason::NotFound => return Ok(()),
        // kubectl delete gives up waiting quietly where it may not look.
        Err(e) if matches!(e.reason, Reason::Forbidden | Reason::MethodNotAllowed) => return Ok(()),
        Err(e) => return Err(NotGone::Failed(e.to_string())),
        Ok(found) => found,
    };
    if d.uid.is_some() && found.at("/metadata/uid").and_then(Value::as_str) != d.uid.as_deref() {
        return Ok(());
    }
    if cx.world.now() >= deadline {
        return Err(NotGone::TimedOut);
    }
    let gone = |exists: bool| if exists { Verdict::Wait } else { Verdict::Done };
    let deleted = |e: EventType, _: &Value| if e == EventType::Deleted { Verdict::Done } else { Verdict::Wait };
    match until_with_sync(cx, d.rt, &d.ns, &d.name, deadline, gone, deleted) {
        Ok(Ended::Done) => Ok(()),
        Ok(Ended::TimedOut) => Err(NotGone::TimedOut),
        Ok(Ended::Failed(e)) => Err(NotGone::Failed(e)),
        Err(e) => Err(NotGone::Failed(e.to_string())),
    }
}
