//! `kubectl label` and `kubectl annotate`: `key=value` sets, `key-` removes, `--overwrite` replaces.

use crate::sim::api::pointer::Pointer;
use serde_json::{Map, Value, json};

use super::args::{self, FlagKind, flag};
use super::common::{self, list, namespace, object_ref, resolve};
use super::{Ctx, Output};
use crate::sim::apiserver::request::{ApiRequest, PatchType, Verb};

/// Which metadata map the command edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Labels,
    Annotations,
}

const FLAGS: &[args::FlagSpec] = &[
    flag("overwrite", None, FlagKind::Bool),
    flag("all", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::Value),
    flag("list", None, FlagKind::Bool),
    flag("dry-run", None, FlagKind::Value),
];

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output, field: Field) -> Result<(), String> {
    let (cmd, key, done, undone) = match field {
        Field::Labels => ("label", "labels", "labeled", "unlabeled"),
        Field::Annotations => ("annotate", "annotations", "annotated", "annotated"),
    };
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl {cmd} --help' for usage."))?;
    let ns = namespace(&p);
    let mut pos = p.positional.iter();
    let first = pos.next().ok_or(format!("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl {cmd} -h' for help and examples"))?;
    let (rt, mut names) = match first.split_once('/') {
        Some((t, n)) => (resolve(t)?, vec![n.to_string()]),
        None => (resolve(first)?, Vec::new()),
    };
    let mut changes: Vec<(String, Option<String>)> = Vec::new();
    for arg in pos {
        if let Some(k) = arg.strip_suffix('-') {
            changes.push((k.to_string(), None));
        } else if let Some((k, v)) = arg.split_once('=') {
            changes.push((k.to_string(), Some(v.to_string())));
        } else if changes.is_empty() {
            names.push(arg.clone());
        } else {
            return Err(format!("error: invalid {cmd} format: {arg}"));
        }
    }
    if changes.is_empty() && !p.bool("list") {
        return Err(format!(
            "error: at least one {} update is required",
            if field == Field::Labels { "label" } else { "annotation" }
        ));
    }
    if names.is_empty() {
        if !p.bool("all") && p.get("selector").is_none() {
            return Err("error: resource(s) were provided, but no name was specified".to_string());
        }
        names = list(cx, rt, Some(&ns), p.get("selector"), None)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|o| common::name_of(o).to_string())
            .collect();
    }
    for name in names {
        let obj = match common::get_one(cx, rt, &ns, &name) {
            Ok(o) => o,
            Err(e) => {
                out.err(e.to_string());
                continue;
            }
        };
        let current = obj.at(&format!("/metadata/{key}")).and_then(Value::as_object).cloned().unwrap_or_default();
        let mut patch = Map::new();
        let mut removed_only = true;
        for (k, v) in &changes {
            match v {
                Some(v) => {
                    removed_only = false;
                    if let Some(old) = current.get(k).and_then(Value::as_str)
                        && old != v
                        && !p.bool("overwrite")
                    {
                        return Err(format!("error: '{k}' already has a value ({old}), and --overwrite is false"));
                    }
                    patch.insert(k.clone(), json!(v));
                }
                None => {
                    if !current.contains_key(k) {
                        out.out(format!(
                            "{} \"{k}\" not found.",
                            if field == Field::Labels { "label" } else { "annotation" }
                        ));
                    }
                    patch.insert(k.clone(), Value::Null);
                }
            }
        }
        let body = json!({"metadata": {key: Value::Object(patch)}});
        let req =
            ApiRequest::new(0, Verb::Patch(PatchType::Merge), rt).in_namespace(Some(&ns)).named(&name).with_body(body);
        let before = obj.at("/metadata/resourceVersion").cloned();
        match cx.world.call(req) {
            Ok(after) => {
                let what = if after.at("/metadata/resourceVersion").cloned() == before {
                    format!("not {done}")
                } else if removed_only {
                    undone.to_string()
                } else {
                    done.to_string()
                };
                out.out(format!("{} {what}", object_ref(rt, &name)));
            }
            Err(e) => out.err(e.to_string()),
        }
    }
    Ok(())
}
