//! Helpers every kubectl command shares: namespaces, resource names, API calls.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::Ctx;
use super::args::Parsed;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::apiserver::status::Status;

/// The namespace a command works in: `-n`, else the kubeconfig context's (`default`).
pub fn namespace(p: &Parsed) -> String {
    p.get("namespace").unwrap_or("default").to_string()
}

/// Resolves a type argument (`po`, `deployments.apps`, `svc`) as kubectl's RESTMapper does.
pub fn resolve(arg: &str) -> Result<&'static ResourceType, String> {
    api::resolve(arg).ok_or_else(|| format!("error: the server doesn't have a resource type \"{arg}\""))
}

/// `deployment.apps`, `pod`: how kubectl names a type in its messages.
pub fn type_name(rt: &ResourceType) -> String {
    if rt.group.is_empty() { rt.singular.to_string() } else { format!("{}.{}", rt.singular, rt.group) }
}

/// `deployment.apps/web`.
pub fn object_ref(rt: &ResourceType, name: &str) -> String {
    format!("{}/{name}", type_name(rt))
}

pub fn name_of(obj: &Value) -> &str {
    obj.at("/metadata/name").and_then(Value::as_str).unwrap_or_default()
}

/// Sends one request and waits for the answer.
pub fn call(cx: &mut Ctx, req: ApiRequest) -> Result<Value, Status> {
    cx.world.call(req)
}

/// A GET of one object.
pub fn get_one(cx: &mut Ctx, rt: &'static ResourceType, ns: &str, name: &str) -> Result<Value, Status> {
    call(cx, ApiRequest::new(0, Verb::Get, rt).in_namespace(Some(ns)).named(name))
}

/// A LIST; `ns: None` lists all namespaces.
pub fn list(
    cx: &mut Ctx,
    rt: &'static ResourceType,
    ns: Option<&str>,
    labels: Option<&str>,
    fields: Option<&str>,
) -> Result<Vec<Value>, Status> {
    let mut req = ApiRequest::new(0, Verb::List, rt);
    req.namespace = if rt.namespaced { ns.map(str::to_string) } else { None };
    req.options.label_selector = labels.map(str::to_string);
    req.options.field_selector = fields.map(str::to_string);
    let list = call(cx, req)?;
    Ok(list.get("items").and_then(Value::as_array).cloned().unwrap_or_default())
}

/// How many objects kubectl asks for per page (`--chunk-size`'s default).
pub const CHUNK_SIZE: i64 = 500;

/// A LIST in pages of [`CHUNK_SIZE`], as kubectl's `get` and `drain` read collections (`?limit=500`,
/// then `continue` until the apiserver gives no more token).
pub fn list_chunked(
    cx: &mut Ctx,
    rt: &'static ResourceType,
    ns: Option<&str>,
    labels: Option<&str>,
    fields: Option<&str>,
) -> Result<Vec<Value>, Status> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut req = ApiRequest::new(0, Verb::List, rt);
        req.namespace = if rt.namespaced { ns.map(str::to_string) } else { None };
        req.options.label_selector = labels.map(str::to_string);
        req.options.field_selector = fields.map(str::to_string);
        req.options.limit = Some(CHUNK_SIZE);
        req.options.continue_token = token.take();
        let mut page = call(cx, req)?;
        if let Some(Value::Array(more)) = page.get_mut("items").map(Value::take) {
            items.extend(more);
        }
        token = page.at("/metadata/continue").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_string);
        if token.is_none() {
            return Ok(items);
        }
    }
}

/// The `No resources found` message kubectl prints on stderr for an empty list.
pub fn no_resources(rt_namespaced: bool, ns: Option<&str>) -> String {
    match ns {
        Some(ns) if rt_namespaced => format!("No resources found in {ns} namespace."),
        _ => "No resources found".to_string(),
    }
}

/// Splits `TYPE/NAME` arguments and `TYPE NAME...` arguments into (type, names) pairs.
pub fn targets(positional: &[String]) -> Result<Vec<(&'static ResourceType, Vec<String>)>, String> {
    let mut out: Vec<(&'static ResourceType, Vec<String>)> = Vec::new();
    if positional.iter().any(|a| a.contains('/')) {
        for a in positional {
            let Some((t, n)) = a.split_once('/') else {
                return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".to_string());
            };
            let rt = resolve(t)?;
            match out.iter_mut().find(|(r, _)| std::ptr::eq(*r, rt)) {
                Some((_, names)) => names.push(n.to_string()),
                None => out.push((rt, vec![n.to_string()])),
            }
        }
        return Ok(out);
    }
    let Some((types, names)) = positional.split_first() else { return Ok(out) };
    for t in types.split(',').filter(|t| !t.is_empty()) {
        out.push((resolve(t)?, names.to_vec()));
    }
    Ok(out)
}
