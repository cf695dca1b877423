//! `kubectl cordon`, `kubectl uncordon` and `kubectl taint` (`cmd/drain/drain.go`,
//! `cmd/taint/taint.go` and `utils.go`): they edit a Node's `spec.unschedulable` and `spec.taints`;
//! the scheduler and the taint-eviction controller react. `drain` is in `drain.rs`.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::args::{self, FlagKind, flag};
use super::common::{self, list};
use super::{Ctx, Output};
use crate::sim::api::validation::names::{is_qualified_name, is_valid_label_value};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, PatchType, Verb};

pub fn nodes_rt() -> &'static ResourceType {
    api::resolve("nodes").expect("nodes are always served")
}

/// The Nodes named (`x` or `node/x`) or selected with `-l`, fetched; missing ones are reported.
pub fn named_nodes(
    cx: &mut Ctx,
    names: &[String],
    selector: Option<&str>,
    out: &mut Output,
) -> Result<Vec<Value>, String> {
    if let Some(sel) = selector {
        return list(cx, nodes_rt(), None, Some(sel), None).map_err(|e| e.to_string());
    }
    let mut found = Vec::new();
    for n in names {
        let name = match n.split_once('/') {
            Some((t, name)) if api::resolve(t).is_some_and(|r| r.kind == "Node") => name,
            Some((t, _)) => return Err(format!("error: expected resource of type node, got {t:?}")),
            None => n.as_str(),
        };
        match common::get_one(cx, nodes_rt(), "", name) {
            Ok(node) => found.push(node),
            Err(e) => out.err(e.to_string()),
        }
    }
    Ok(found)
}

/// Sets `spec.unschedulable` on each node and prints `node/x cordoned` (or `already cordoned`).
/// Returns the nodes it handled, for `drain`.
pub fn cordon_nodes(cx: &mut Ctx, nodes: &[Value], desired: bool, dry_run: bool, out: &mut Output) -> Vec<String> {
    let verb = if desired { "cordon" } else { "uncordon" };
    let mut done = Vec::new();
    for node in nodes {
        let name = common::name_of(node).to_string();
        let current = node.at("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false);
        let suffix = if dry_run { " (dry run)" } else { "" };
        if current == desired {
            out.out(format!("node/{name} already {verb}ed{suffix}"));
            done.push(name);
            continue;
        }
        if !dry_run {
            let patch = json!({"spec": {"unschedulable": if desired { json!(true) } else { Value::Null }}});
            let req = ApiRequest::new(0, Verb::Patch(PatchType::Strategic), nodes_rt()).named(&name).with_body(patch);
            if let Err(e) = cx.world.call(req) {
                out.err(format!("error: unable to {verb} node {name:?}: {}", e.message));
                continue;
            }
        }
        out.out(format!("node/{name} {verb}ed{suffix}"));
        done.push(name);
    }
    done
}

pub fn cordon(cx: &mut Ctx, words: &[String], out: &mut Output, desired: bool) -> Result<(), String> {
    let cmd = if desired { "cordon" } else { "uncordon" };
    let p = args::parse(words, &[flag("selector", Some('l'), FlagKind::Value), flag("dry-run", None, FlagKind::Value)])
        .map_err(|e| format!("error: {e}\nSee 'kubectl {cmd} --help' for usage."))?;
    if p.positional.is_empty() && p.get("selector").is_none() {
        return Err(format!("error: USAGE: {cmd} NODE [flags]\nSee 'kubectl {cmd} -h' for help and examples"));
    }
    let nodes = named_nodes(cx, &p.positional, p.get("selector"), out)?;
    cordon_nodes(cx, &nodes, desired, p.get("dry-run").is_some_and(|d| d != "none"), out);
    Ok(())
}

/// One taint as kubectl parses it: `key[=value]:Effect`, or `key[:Effect]` to remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: String,
}

impl Taint {
    /// `Taint.ToString`.
    fn text(&self) -> String {
        match (self.value.is_empty(), self.effect.is_empty()) {
            (true, true) => self.key.clone(),
            (false, true) => format!("{}={}:", self.key, self.value),
            (true, false) => format!("{}:{}", self.key, self.effect),
            (false, false) => format!("{}={}:{}", self.key, self.value, self.effect),
        }
    }

    fn of(v: &Value) -> Taint {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        Taint { key: s("key"), value: s("value"), effect: s("effect") }
    }
}

/// `parseTaint`.
fn parse_taint(st: &str) -> Result<Taint, String> {
    let invalid = || format!("invalid taint spec: {st}");
    let parts: Vec<&str> = st.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [k] => (k.to_string(), String::new(), String::new()),
        [kv, effect] => {
            if !matches!(*effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
                return Err(format!("invalid taint effect: {effect}, unsupported taint effect"));
            }
            let kv: Vec<&str> = kv.split('=').collect();
            if kv.len() > 2 {
                return Err(invalid());
            }
            let value = kv.get(1).map(|v| v.to_string()).unwrap_or_default();
            let errs = is_valid_label_value(&value);
            if !errs.is_empty() {
                return Err(format!("invalid taint spec: {st}, {}", errs.join("; ")));
            }
            (kv[0].to_string(), value, effect.to_string())
        }
        _ => return Err(invalid()),
    };
    let errs = is_qualified_name(&key);
    if !errs.is_empty() {
        return Err(format!("invalid taint spec: {st}, {}", errs.join("; ")));
    }
    Ok(Taint { key, value, effect })
}

/// `parseTaints`: taints to add and taints to remove (`key-`, `key:Effect-`).
pub fn parse_taints(specs: &[String]) -> Result<(Vec<Taint>, Vec<Taint>), String> {
    let (mut add, mut remove) = (Vec::<Taint>::new(), Vec::new());
    for s in specs {
        if let Some(r) = s.strip_suffix('-') {
            let t = parse_taint(r)?;
            remove.push(Taint { value: String::new(), ..t });
            continue;
        }
        let t = parse_taint(s)?;
        if t.effect.is_empty() {
            return Err(format!("invalid taint spec: {s}"));
        }
        if add.iter().any(|a| a.key == t.key && a.effect == t.effect) {
            return Err(format!(
                "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                t.key, t.value, t.effect
            ));
        }
        add.push(t);
    }
    Ok((add, remove))
}

/// `reorganizeTaints`: the node's new taint list and the operation word, or the first removal error.
pub fn reorganize(
    old: &[Taint],
    add: &[Taint],
    remove: &[Taint],
    overwrite: bool,
) -> Result<(&'static str, Vec<Taint>), String> {
    let mut new: Vec<Taint> = add.to_vec();
    for o in old {
        if !new.iter().any(|n| n.key == o.key && n.effect == o.effect) {
            new.push(o.clone());
        }
    }
    let added = old.len() != new.len();
    let mut deleted = false;
    for r in remove {
        let before = new.len();
        new.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        deleted = new.len() != before;
        if !deleted {
            return Err(format!("taint {:?} not found", r.text()));
        }
    }
    let op = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    Ok((op, new))
}

pub fn taint(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(
        words,
        &[
            flag("overwrite", None, FlagKind::Bool),
            flag("all", None, FlagKind::Bool),
            flag("selector", Some('l'), FlagKind::Value),
            flag("dry-run", None, FlagKind::Value),
        ],
    )
    .map_err(|e| format!("error: {e}\nSee 'kubectl taint --help' for usage."))?;
    let (mut resources, mut specs) = (Vec::new(), Vec::new());
    for s in &p.positional {
        let is_taint = s.contains('=') || s.contains(':') || s.ends_with('-');
        match (specs.is_empty(), is_taint) {
            (_, true) => specs.push(s.clone()),
            (true, false) => resources.push(s.clone()),
            (false, false) => return Err(format!("error: all resources must be specified before taint changes: {s}")),
        }
    }
    let Some(first) = resources.first() else {
        return Err("error: one or more resources must be specified as <resource> <name>".into());
    };
    if specs.is_empty() {
        return Err("error: at least one taint update is required".into());
    }
    let (add, remove) =
        parse_taints(&specs).map_err(|e| format!("error: {e}\nSee 'kubectl taint -h' for help and examples"))?;
    let (type_arg, mut names) = match first.split_once('/') {
        Some((t, n)) => (t.to_string(), vec![n.to_string()]),
        None => (first.clone(), resources[1..].to_vec()),
    };
    let rt = common::resolve(&type_arg)?;
    if rt.kind != "Node" {
        return Err(format!("error: invalid resource type {}, only node types are supported", type_arg.to_lowercase()));
    }
    let conflicts: Vec<String> = add
        .iter()
        .flat_map(|a| remove.iter().filter(move |r| r.key == a.key && (r.effect.is_empty() || r.effect == a.effect)))
        .map(|r| format!("{{\"{}\":\"{}\"}}", r.key, r.effect))
        .collect();
    if !conflicts.is_empty() {
        return Err(format!(
            "error: can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        ));
    }
    if p.bool("all") && p.get("selector").is_some() {
        return Err("error: setting 'all' parameter with a non empty selector is prohibited".into());
    }
    if !p.bool("all") && p.get("selector").is_none() && names.is_empty() {
        return Err("error: at least one resource name must be specified since 'all' parameter is not set".into());
    }
    let nodes = if p.bool("all") {
        names.clear();
        list(cx, nodes_rt(), None, None, None).map_err(|e| e.to_string())?
    } else {
        named_nodes(cx, &names, p.get("selector"), out)?
    };
    let dry_run = p.get("dry-run").is_some_and(|d| d != "none");
    for node in nodes {
        let name = common::name_of(&node).to_string();
        let old: Vec<Taint> = node
            .at("/spec/taints")
            .and_then(Value::as_array)
            .map(|ts| ts.iter().map(Taint::of).collect())
            .unwrap_or_default();
        if !p.bool("overwrite") {
            let exists: Vec<&str> = add
                .iter()
                .filter(|a| old.iter().any(|o| o.key == a.key && o.effect == a.effect))
                .map(|a| a.key.as_str())
                .collect();
            if !exists.is_empty() {
                return Err(format!(
                    "error: node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                    exists.join(",")
                ));
            }
        }
        let (op, new) = reorganize(&old, &add, &remove, p.bool("overwrite")).map_err(|e| format!("error: {e}"))?;
        if dry_run {
            out.out(format!("node/{name} {op} (dry run)"));
            continue;
        }
        // Keep each surviving taint as the node has it (with `timeAdded`), new ones as given.
        let originals: Vec<Value> = node.at("/spec/taints").and_then(Value::as_array).cloned().unwrap_or_default();
        let taints: Vec<Value> = new
            .iter()
            .map(|t| {
                originals.iter().find(|o| Taint::of(o) == *t).cloned().unwrap_or_else(|| {
                    let mut v = json!({"key": t.key, "effect": t.effect});
                    if !t.value.is_empty() {
                        v["value"] = json!(t.value);
                    }
                    v
                })
            })
            .collect();
        let body = json!({"spec": {"taints": if taints.is_empty() { Value::Null } else { Value::Array(taints) }}});
        let req = ApiRequest::new(0, Verb::Patch(PatchType::Strategic), nodes_rt()).named(&name).with_body(body);
        match cx.world.call(req) {
            Ok(_) => out.out(format!("node/{name} {op}")),
            Err(e) => out.err(e.to_string()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(key: &str, value: &str, effect: &str) -> Taint {
        Taint { key: key.into(), value: value.into(), effect: effect.into() }
    }

    #[test]
    fn parses_taint_specs_like_kubectl() {
        let specs: Vec<String> = ["dedicated=gpu:NoSchedule", "spot:NoExecute", "old-", "x:PreferNoSchedule-"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (add, remove) = parse_taints(&specs).expect("valid specs");
        assert_eq!(add, [t("dedicated", "gpu", "NoSchedule"), t("spot", "", "NoExecute")]);
        assert_eq!(remove, [t("old", "", ""), t("x", "", "PreferNoSchedule")]);
        let bad = |s: &str| parse_taints(&[s.to_string()]).map(|_| ());
        // Without a colon the whole `a=b` is the key, which is not a qualified name.
        assert!(bad("a=b").is_err_and(|e| e.starts_with("invalid taint spec: a=b, name part must consist")));
        assert_eq!(bad("a=b:"), Err("invalid taint effect: , unsupported taint effect".into()));
        assert_eq!(bad("a=b:Sometimes"), Err("invalid taint effect: Sometimes, unsupported taint effect".into()));
        assert_eq!(bad("a=b=c:NoSchedule"), Err("invalid taint spec: a=b=c:NoSchedule".into()));
        assert!(bad("-bad-key-:NoSchedule").is_err());
        let dup: Vec<String> = vec!["a=1:NoSchedule".into(), "a=2:NoSchedule".into()];
        assert_eq!(
            parse_taints(&dup).map(|_| ()),
            Err("duplicated taints with the same key and effect: {a 2 NoSchedule <nil>}".into())
        );
    }

    #[test]
    fn reorganize_names_the_operation() {
        let old = vec![t("a", "1", "NoSchedule")];
        assert_eq!(reorganize(&old, &[t("b", "", "NoExecute")], &[], false).map(|r| r.0), Ok("tainted"));
        assert_eq!(reorganize(&old, &[], &[t("a", "", "")], false), Ok(("untainted", vec![])));
        assert_eq!(
            reorganize(&old, &[t("a", "2", "NoSchedule")], &[], true),
            Ok(("modified", vec![t("a", "2", "NoSchedule")]))
        );
        assert_eq!(
            reorganize(&old, &[], &[t("zz", "", "NoSchedule")], false),
            Err("taint \"zz:NoSchedule\" not found".into())
        );
        assert_eq!(
            reorganize(&old, &[], &[t("a", "", "NoExecute")], false),
            Err("taint \"a:NoExecute\" not found".into())
        );
    }

    #[test]
    fn taint_text() {
        assert_eq!(t("k", "v", "NoSchedule").text(), "k=v:NoSchedule");
        assert_eq!(t("k", "", "").text(), "k");
        assert_eq!(t("k", "v", "").text(), "k=v:");
    }
}
