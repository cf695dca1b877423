//! `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]` (`cmd/patch/patch.go`):
//! each goes to the apiserver as a PATCH of its type (a JSON patch is applied there, see
//! `apiserver/json_patch.rs`). Prints `patched` or `patched (no change)`.

use crate::sim::api::pointer::Pointer;

use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{self, namespace, object_ref, targets};
use super::{Ctx, Output};
use crate::sim::api::decode::yaml;
use crate::sim::apiserver::request::{ApiRequest, PatchType, Verb};

const FLAGS: &[args::FlagSpec] = &[
    flag("patch", Some('p'), FlagKind::Value),
    flag("patch-file", None, FlagKind::Value),
    flag("type", None, FlagKind::Value),
    flag("subresource", None, FlagKind::Value),
    flag("dry-run", None, FlagKind::Value),
    flag("field-manager", None, FlagKind::Value),
    flag("output", Some('o'), FlagKind::Value),
];

/// The patch text as JSON: kubectl reads it as YAML, of which JSON is a subset, converted as
/// Kubernetes converts YAML (YAML 1.1 scalars: `yes` is true, `0644` is 420; go-yaml's error text).
fn parse_patch(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    yaml::to_json(text).map_err(|e| {
        let line = e.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        format!("error: unable to parse {text:?}: yaml: {line}{}", e.message)
    })
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl patch --help' for usage."))?;
    let kind = p.get("type").unwrap_or("strategic");
    if !matches!(kind, "json" | "merge" | "strategic") {
        return Err(format!("error: --type must be one of [json merge strategic], not {kind:?}"));
    }
    let text = match (p.get("patch"), p.get("patch-file")) {
        (Some(t), _) if !t.is_empty() => t.to_string(),
        (_, Some(f)) => {
            let docs = cx.files.read(f)?;
            docs.into_iter().map(|(_, content)| content).collect::<Vec<_>>().join("\n")
        }
        _ => return Err("error: must specify --patch or --patch-file containing the contents of the patch".into()),
    };
    if p.positional.is_empty() {
        return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into());
    }
    let patch = parse_patch(&text)?;
    if kind != "json" && !patch.is_object() {
        return Err(format!("error: unable to parse {text:?}: the patch must be a JSON or YAML object"));
    }
    let ns = namespace(&p);
    let sub = p.get("subresource");
    if let Some(s) = sub.filter(|s| !matches!(*s, "status" | "scale")) {
        return Err(format!("error: invalid subresource value: {s:?}. Must be one of [status scale]"));
    }
    let dry_run = p.get("dry-run").is_some_and(|d| d != "none");
    for (rt, names) in targets(&p.positional)? {
        if names.is_empty() {
            return Err("error: resource(s) were provided, but no name was specified".into());
        }
        for name in names {
            let before = match common::get_one(cx, rt, &ns, &name) {
                Ok(o) => o,
                Err(e) => {
                    out.err(e.to_string());
                    continue;
                }
            };
            let req = match kind {
                "json" => ApiRequest::new(0, Verb::Patch(PatchType::Json), rt).with_body(patch.clone()),
                "merge" => ApiRequest::new(0, Verb::Patch(PatchType::Merge), rt).with_body(patch.clone()),
                _ => ApiRequest::new(0, Verb::Patch(PatchType::Strategic), rt).with_body(patch.clone()),
            };
            let mut req = req.in_namespace(Some(&ns)).named(&name);
            if let Some(s) = sub {
                req = req.on_subresource(s);
            }
            req.options.dry_run = dry_run;
            match cx.world.call(req) {
                Ok(after) => {
                    let changed = after.at("/metadata/resourceVersion") != before.at("/metadata/resourceVersion")
                        || (dry_run && after != before);
                    let what = if changed { "patched" } else { "patched (no change)" };
                    let suffix = match p.get("dry-run") {
                        Some("server") => " (server dry run)",
                        _ if dry_run => " (dry run)",
                        _ => "",
                    };
                    out.out(format!("{} {what}{suffix}", object_ref(rt, &name)));
                }
                Err(e) => out.err(e.to_string()),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_parse_as_json_or_yaml() {
        assert_eq!(parse_patch(r#"{"spec":{"replicas":3}}"#), Ok(json!({"spec": {"replicas": 3}})));
        assert_eq!(parse_patch("spec:\n  replicas: 3"), Ok(json!({"spec": {"replicas": 3}})));
        assert_eq!(parse_patch(r#"[{"op":"remove","path":"/a"}]"#), Ok(json!([{"op": "remove", "path": "/a"}])));
        assert!(parse_patch("{spec: [").is_err());
    }

    #[test]
    fn yaml_patches_read_as_kubernetes_reads_yaml() {
        // kubectl 1.32: kubectl patch -f d.yaml --local -p 'a: ['
        assert_eq!(
            parse_patch("a: ["),
            Err(r#"error: unable to parse "a: [": yaml: line 1: did not find expected node content"#.to_string())
        );
        // YAML 1.1, as sigs.k8s.io/yaml reads it (serde_yaml alone would give the string "yes" and 644).
        assert_eq!(
            parse_patch("metadata: {labels: {x: yes}}\nmode: 0644"),
            Ok(json!({"metadata": {"labels": {"x": true}}, "mode": 420}))
        );
    }
}
