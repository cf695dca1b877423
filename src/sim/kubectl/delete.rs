//! `kubectl delete`: by name, `TYPE/NAME`, `-f`, `-l` or `--all`, with `--grace-period`, `--cascade`
//! and kubectl's default `--wait` (it returns once the objects are really gone).

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{self, list, namespace, targets, type_name};
use super::{Ctx, Output};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::time::Millis;

const FLAGS: &[args::FlagSpec] = &[
    flag("filename", Some('f'), FlagKind::Multi),
    flag("selector", Some('l'), FlagKind::Value),
    flag("all", None, FlagKind::Bool),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("grace-period", None, FlagKind::Value),
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
    let grace = match (p.get("grace-period"), p.bool("now"), p.bool("force")) {
        (Some(g), _, _) => {
            Some(g.parse::<i64>().map_err(|_| format!("error: invalid argument \"{g}\" for \"--grace-period\" flag"))?)
        }
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
                let key = crate::sim::api::storage_key(
                    rt,
                    Some(&obj_ns).filter(|_| rt.namespaced).map(String::as_str),
                    &name,
                );
                deleted.push((key, body.at("/metadata/uid").and_then(Value::as_str).map(str::to_string)));
            }
            Err(e) if p.bool("ignore-not-found") && e.reason == crate::sim::apiserver::status::Reason::NotFound => {}
            Err(e) => out.err(e.to_string()),
        }
    }
    if p.get("wait") != Some("false") {
        wait_gone(cx, &deleted);
    }
    Ok(())
}

/// kubectl's `--wait`: runs the cluster until the apiserver no longer has the objects. An object of
/// the same name with another uid counts as gone, as kubectl's wait compares uids (a mirror pod the
/// kubelet re-creates at once). (Real kubectl watches each object; here the watch cache is read
/// directly so the wait adds no messages.)
fn wait_gone(cx: &mut Ctx, keys: &[(String, Option<String>)]) {
    let deadline = cx.world.now() + WAIT_LIMIT_MS;
    let present = |cx: &Ctx, key: &str, uid: &Option<String>| {
        cx.world
            .cached(key)
            .is_some_and(|o| uid.is_none() || o.at("/metadata/uid").and_then(Value::as_str) == uid.as_deref())
    };
    while cx.world.now() < deadline && keys.iter().any(|(k, uid)| present(cx, k, uid)) {
        let next = (cx.world.now() + 100).min(deadline);
        cx.world.run_until(next);
    }
}
