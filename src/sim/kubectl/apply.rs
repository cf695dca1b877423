//! `kubectl apply -f` and `kubectl create -f`: decode every document, route it to its resource, and
//! create it or (apply) patch it with a three-way merge against the last applied configuration.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::args::{self, FlagKind, flag};
use super::common::{self, object_ref};
use super::{Ctx, Output};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, PatchType, Verb};
use crate::sim::apiserver::status::Reason;

/// The annotation where kubectl keeps what was last applied (the base of its three-way merge).
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Apply,
    Create,
    /// `apply --server-side`: one apply PATCH per object, which the simulated apiserver refuses (`415`).
    ServerSideApply,
}

const FLAGS: &[args::FlagSpec] = &[
    flag("filename", Some('f'), FlagKind::Multi),
    flag("recursive", Some('R'), FlagKind::Bool),
    flag("dry-run", None, FlagKind::Value),
    flag("output", Some('o'), FlagKind::Value),
    flag("server-side", None, FlagKind::Bool),
    flag("force-conflicts", None, FlagKind::Bool),
    flag("validate", None, FlagKind::Value),
    flag("save-config", None, FlagKind::Bool),
    flag("field-manager", None, FlagKind::Value),
];

/// Reads every `-f` source into `(source name, text)` pairs. A URL is fetched as kubectl fetches it;
/// with no internet, only the manifests the sandbox bundles answer (`sim/ingress/manifest.rs`).
pub fn read_sources(cx: &Ctx, files: &[String]) -> Result<Vec<(String, String)>, String> {
    use crate::sim::ingress::manifest;
    let mut out = Vec::new();
    for f in files {
        if manifest::is_url(f) {
            let text = manifest::bundled(f).ok_or_else(|| manifest::unreachable(f))?;
            out.push((f.clone(), text.to_string()));
        } else if f == "-" {
            let text = cx.stdin.ok_or("error: no objects passed to apply")?;
            out.push(("STDIN".to_string(), text.to_string()));
        } else {
            out.extend(cx.files.read(f)?);
        }
    }
    Ok(out)
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output, mode: Mode) -> Result<(), String> {
    let verb = if mode == Mode::Apply { "apply" } else { "create" };
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl {verb} --help' for usage."))?;
    let files = p.all("filename");
    if files.is_empty() {
        return Err("error: must specify one of -f and -k".into());
    }
    let dry_run = match p.get("dry-run") {
        None | Some("none") => None,
        Some("client") => Some("client"),
        Some("server") => Some("server"),
        Some(other) => {
            return Err(format!(
                "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ));
        }
    };
    let server_side = mode == Mode::Apply && p.bool("server-side");
    if server_side && dry_run == Some("client") {
        return Err(
            "error: --dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)".into()
        );
    }
    let flag_ns = p.get("namespace").map(str::to_string);
    let sources = read_sources(cx, files)?;
    let mut applied = 0usize;
    for (source, text) in sources {
        for doc in api::decode_documents(&text) {
            let obj = match doc {
                Ok(d) => d.value,
                Err(e) => {
                    out.err(decode_error(&e, &source));
                    continue;
                }
            };
            applied += 1;
            let mode = if server_side { Mode::ServerSideApply } else { mode };
            apply_one(cx, out, mode, &source, obj, flag_ns.as_deref(), dry_run, p.get("output"));
        }
    }
    if applied == 0 && !out.failed {
        return Err("error: no objects passed to apply".into());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn apply_one(
    cx: &mut Ctx,
    out: &mut Output,
    mode: Mode,
    source: &str,
    obj: Value,
    flag_ns: Option<&str>,
    dry_run: Option<&str>,
    output: Option<&str>,
) {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default().to_string();
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
    let name = common::name_of(&obj).to_string();
    let obj_ns = obj.at("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
    let rt = match api::for_kind(&api_version, &kind) {
        Ok(rt) => rt,
        Err(_) => {
            // kubectl's mapper names the object's own namespace here, never `-n` (cli-runtime infoForData).
            let ns = obj_ns.clone().unwrap_or_default();
            return out.err(format!(
                "error: resource mapping not found for name: \"{name}\" namespace: \"{ns}\" from \"{source}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first"
            ));
        }
    };
    let ns = if rt.namespaced {
        if let (Some(o), Some(f)) = (&obj_ns, flag_ns)
            && o != f
        {
            return out.err(format!(
                    "error: the namespace from the provided object \"{o}\" does not match the namespace \"{f}\". You must pass '--namespace={o}' to perform this operation."
                ));
        }
        obj_ns.or(flag_ns.map(str::to_string)).unwrap_or_else(|| "default".into())
    } else {
        String::new()
    };
    let suffix = match dry_run {
        Some("client") => " (dry run)",
        Some(_) => " (server dry run)",
        None => "",
    };
    let reference = object_ref(rt, &name);
    if name.is_empty() && obj.at("/metadata/generateName").is_none() || mode != Mode::Create && name.is_empty() {
        return out.err(format!("error: error when retrieving current configuration of:\nResource: \"{}\", GroupVersionKind: \"{}\"\nName: \"\", Namespace: \"{ns}\"\nfrom server for: \"{source}\": resource name may not be empty", qualified_resource(rt), gvk(rt)));
    }
    if dry_run == Some("client") {
        return report(
            out,
            output,
            &reference,
            if mode == Mode::Apply { "configured" } else { "created" },
            suffix,
            &obj,
        );
    }
    if mode == Mode::ServerSideApply {
        return server_side_apply(cx, out, rt, &ns, &name, obj, dry_run == Some("server"), output, suffix);
    }
    let live = if mode == Mode::Apply {
        match common::get_one(cx, rt, &ns, &name) {
            Ok(v) => Some(v),
            Err(e) if e.reason == Reason::NotFound => None,
            Err(e) => return out.err(e.kubectl_text(Some(&format!("error when retrieving current configuration of:\nResource: \"{}\", GroupVersionKind: \"{}\"\nName: \"{name}\", Namespace: \"{ns}\"\nfrom server for: \"{source}\"", qualified_resource(rt), gvk(rt))))),
        }
    } else {
        None
    };
    let dry = dry_run == Some("server");
    match live {
        None => {
            let mut body = obj.clone();
            if mode == Mode::Apply {
                set_last_applied(&mut body, &obj);
            }
            // kubectl 1.33's apply reads a namespace other than `default` before creating in it (measured
            // against a server: `GET /api/v1/namespaces/NS`, whatever it answers, then the POST).
            if mode == Mode::Apply && rt.namespaced && ns != "default" {
                let _ = common::get_one(cx, api::resolve("namespaces").expect("namespaces are served"), "", &ns);
            }
            let mut req = ApiRequest::new(0, Verb::Create, rt).in_namespace(Some(&ns)).with_body(body);
            req.options.dry_run = dry;
            match cx.world.call(req) {
                Ok(created) => {
                    report(out, output, &object_ref(rt, common::name_of(&created)), "created", suffix, &created)
                }
                Err(e) => out.err(e.kubectl_text(Some(&format!("error when creating \"{source}\"")))),
            }
        }
        Some(live) => {
            let patch = three_way_patch(&live, &obj);
            let before = live.at("/metadata/resourceVersion").cloned();
            let mut req = ApiRequest::new(0, Verb::Patch(PatchType::Strategic), rt)
                .in_namespace(Some(&ns))
                .named(&name)
                .with_body(patch);
            req.options.dry_run = dry;
            match cx.world.call(req) {
                Ok(after) => {
                    let changed = after.at("/metadata/resourceVersion").cloned() != before;
                    report(
                        out,
                        output,
                        &reference,
                        if changed || dry { "configured" } else { "unchanged" },
                        suffix,
                        &after,
                    )
                }
                Err(e) => out.err(e.kubectl_text(Some(&format!("error when patching \"{source}\"")))),
            }
        }
    }
}

/// kubectl's line for a document that could not be decoded.
pub fn decode_error(e: &api::DecodeError, source: &str) -> String {
    let msg = e.kubectl_message(source);
    if msg.starts_with("Error from server") { msg } else { format!("error: {msg}") }
}

/// kubectl's server-side apply (`applyOneObject`): a PATCH of type `application/apply-patch+yaml`
/// with the whole object, no read first. A `415` means the server cannot apply, in kubectl's words.
#[allow(clippy::too_many_arguments)]
fn server_side_apply(
    cx: &mut Ctx,
    out: &mut Output,
    rt: &'static ResourceType,
    ns: &str,
    name: &str,
    obj: Value,
    dry: bool,
    output: Option<&str>,
    suffix: &str,
) {
    let mut req =
        ApiRequest::new(0, Verb::Patch(PatchType::Apply), rt).in_namespace(Some(ns)).named(name).with_body(obj);
    req.options.dry_run = dry;
    match cx.world.call(req) {
        Ok(applied) => report(out, output, &object_ref(rt, name), "serverside-applied", suffix, &applied),
        Err(e) if e.code == 415 => {
            out.err(format!("error: Server-side apply not available on the server: ({})", e.message))
        }
        Err(e) => out.err(e.to_string()),
    }
}

fn report(out: &mut Output, output: Option<&str>, reference: &str, verb: &str, suffix: &str, obj: &Value) {
    match output {
        Some("yaml") => out.stdout.push_str(&super::printers::to_yaml(obj)),
        Some("json") => out.out(super::printers::to_json(obj)),
        Some("name") => out.out(reference),
        _ => out.out(format!("{reference} {verb}{suffix}")),
    }
}

fn qualified_resource(rt: &ResourceType) -> String {
    crate::sim::apiserver::status::qualified(rt)
}

fn gvk(rt: &ResourceType) -> String {
    format!("{}/{}, Kind={}", rt.group, rt.version, rt.kind).trim_start_matches('/').to_string()
}

/// Stores the applied configuration in the annotation, as kubectl does (compact JSON, newline-ended).
fn set_last_applied(body: &mut Value, applied: &Value) {
    let text = format!("{}\n", serde_json::to_string(applied).expect("a Value always serializes"));
    if !body.at("/metadata/annotations").is_some_and(Value::is_object) {
        body["metadata"]["annotations"] = json!({});
    }
    body["metadata"]["annotations"][LAST_APPLIED] = Value::String(text);
}

/// kubectl's three-way merge, simplified: the patch sets everything in the new configuration and
/// deletes (with `null`) the fields that the last applied configuration had and the new one dropped.
/// Fields other writers own (status, defaults, controller-set labels) are left alone.
pub fn three_way_patch(live: &Value, new: &Value) -> Value {
    let last: Value = live
        .at(&format!("/metadata/annotations/{}", LAST_APPLIED.replace('/', "~1")))
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    let mut patch = new.clone();
    add_deletions(&mut patch, &last);
    set_last_applied(&mut patch, new);
    patch
}

fn add_deletions(patch: &mut Value, last: &Value) {
    let (Value::Object(p), Value::Object(l)) = (patch, last) else { return };
    let removed: Vec<String> = l.keys().filter(|k| !p.contains_key(*k)).cloned().collect();
    for k in removed {
        p.insert(k, Value::Null);
    }
    for (k, v) in p.iter_mut() {
        if let (Value::Object(_), Some(lv @ Value::Object(_))) = (&*v, l.get(k)) {
            add_deletions(v, lv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kubectl::{NoFiles, execute};
    use crate::sim::world::World;

    /// The mapping error shows the namespace written in the object, not the one given with `-n`;
    /// an invalid object is reported as `The Kind "name" is invalid`, without the server prefix.
    #[test]
    fn refusals_print_as_kubectl_does() {
        let mut w = World::bare(1);
        execute(&mut w, "create namespace kafka", None, &NoFiles);
        let crd = "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: k\n";
        let out = execute(&mut w, "apply -f - -n kafka", Some(crd), &NoFiles);
        assert_eq!(
            out.stderr,
            "error: resource mapping not found for name: \"k\" namespace: \"\" from \"STDIN\": no matches for kind \"Kafka\" in version \"kafka.strimzi.io/v1beta2\"\nensure CRDs are installed first\n"
        );
        let out = execute(&mut w, "apply -f -", Some(&crd.replace("name: k", "name: k\n  namespace: kafka")), &NoFiles);
        assert!(out.stderr.contains("name: \"k\" namespace: \"kafka\" from"), "{out:?}");
        let bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n";
        let out = execute(&mut w, "apply -f -", Some(bad), &NoFiles);
        assert!(
            out.stderr.starts_with("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\""),
            "{out:?}"
        );
    }

    #[test]
    fn three_way_patch_deletes_dropped_fields_only() {
        let last = json!({"metadata": {"name": "w", "labels": {"a": "1", "b": "2"}}, "spec": {"replicas": 3}});
        let mut live = last.clone();
        live["metadata"]["annotations"] = json!({LAST_APPLIED: serde_json::to_string(&last).expect("serializes")});
        live["metadata"]["labels"]["controller-set"] = json!("x");
        let new = json!({"metadata": {"name": "w", "labels": {"a": "1"}}, "spec": {"replicas": 3}});
        let patch = three_way_patch(&live, &new);
        assert_eq!(
            patch["metadata"]["labels"],
            json!({"a": "1", "b": null}),
            "b was dropped; controller-set is not ours"
        );
        assert!(patch["metadata"]["annotations"][LAST_APPLIED].as_str().is_some_and(|s| s.contains("\"replicas\":3")));
    }
}
