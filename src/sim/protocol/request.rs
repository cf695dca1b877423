//! The kube-apiserver's wire types: requests, responses and watch events, as REST calls would carry them.

use crate::sim::api::pointer::Pointer;
use std::sync::Arc;

use serde_json::Value;

use super::status::Status;
use crate::sim::api::ResourceType;

/// The REST verb of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Verb {
    Get,
    List,
    /// A watch stream; with `send_initial_events` it starts with the current objects (WatchList).
    Watch,
    Create,
    Update,
    Patch(PatchType),
    Delete,
    DeleteCollection,
}

/// The patch formats kubectl uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json` (RFC 7386).
    Merge,
    /// `application/strategic-merge-patch+json`: lists with a merge key merge by that key.
    Strategic,
    /// `application/json-patch+json` (RFC 6902): a list of operations on JSON pointers.
    Json,
    /// `application/apply-patch+yaml`: server-side apply, which the simulated apiserver does not serve
    /// (it answers `415`, see `status::unsupported_patch`).
    Apply,
}

/// Query parameters that matter to the simulation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestOptions {
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    /// For watches: start after this revision. For lists/gets: ignored (served at the latest).
    pub resource_version: Option<i64>,
    pub send_initial_events: bool,
    /// For watches: the apiserver ends the stream after this long (client-go's reflector asks for
    /// 5 to 10 minutes, then resumes from the last resourceVersion).
    pub timeout_seconds: Option<u64>,
    pub dry_run: bool,
    /// `Background` (default), `Foreground` or `Orphan`.
    pub propagation_policy: Option<String>,
    pub grace_period_seconds: Option<i64>,
    /// For lists: at most this many objects in one page (`limit`); the rest follows `continue`.
    pub limit: Option<i64>,
    /// For lists: the `continue` token of the previous page.
    pub continue_token: Option<String>,
    /// The options of a connect subresource (`exec`, `log`) as its query parameters, in order:
    /// `PodExecOptions` (`command` once per word, `container`, `stdin`, `tty`) or `PodLogOptions`.
    pub params: Vec<(String, String)>,
}

impl RequestOptions {
    /// The first value of a connect parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// One REST call to the kube-apiserver.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub id: u64,
    pub verb: Verb,
    pub resource: &'static ResourceType,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// `status`, `binding`, `scale`, `finalize`, `eviction`.
    pub subresource: Option<String>,
    pub body: Option<Value>,
    pub options: RequestOptions,
}

impl ApiRequest {
    pub fn new(id: u64, verb: Verb, resource: &'static ResourceType) -> Self {
        Self {
            id,
            verb,
            resource,
            namespace: None,
            name: None,
            subresource: None,
            body: None,
            options: RequestOptions::default(),
        }
    }

    pub fn in_namespace(mut self, ns: Option<&str>) -> Self {
        self.namespace = if self.resource.namespaced { ns.map(str::to_string) } else { None };
        self
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn on_subresource(mut self, subresource: &str) -> Self {
        self.subresource = Some(subresource.to_string());
        self
    }

    /// The HTTP method a real client would use.
    pub fn method(&self) -> &'static str {
        match self.verb {
            Verb::Get | Verb::List | Verb::Watch => "GET",
            Verb::Create => "POST",
            Verb::Update => "PUT",
            Verb::Patch(_) => "PATCH",
            Verb::Delete | Verb::DeleteCollection => "DELETE",
        }
    }

    /// The REST path, e.g. `/apis/apps/v1/namespaces/default/deployments/web/status`.
    pub fn path(&self) -> String {
        let rt = self.resource;
        let mut p = if rt.group.is_empty() {
            format!("/api/{}", rt.version)
        } else {
            format!("/apis/{}/{}", rt.group, rt.version)
        };
        if let Some(ns) = &self.namespace {
            p.push_str("/namespaces/");
            p.push_str(ns);
        }
        p.push('/');
        p.push_str(rt.plural);
        if let Some(name) = &self.name {
            p.push('/');
            p.push_str(name);
        }
        if let Some(sub) = &self.subresource {
            p.push('/');
            p.push_str(sub);
        }
        p
    }

    pub fn summary(&self) -> String {
        let watch = if self.verb == Verb::Watch { "?watch=true" } else { "" };
        let mut s = format!("{} {}{watch}", self.method(), self.path());
        for (i, (k, v)) in self.options.params.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(&format!("{k}={v}"));
        }
        // An Event says in words what its component did (`Scaled up replica set web-x from 0 to 1`):
        // the diagram and a command's story tell it with the request that records it.
        if self.resource.plural == "events"
            && let Some(body) = &self.body
            && let Some(reason) = body.get("reason").and_then(Value::as_str)
        {
            let kind = body.get("type").and_then(Value::as_str).unwrap_or("Normal");
            let note = body.get("message").or_else(|| body.get("note")).and_then(Value::as_str).unwrap_or_default();
            s.push_str(&format!(": {kind} {reason} {note:?}"));
        }
        s
    }

    pub fn key(&self) -> Option<String> {
        let name = self.name.as_deref().or_else(|| self.body.as_ref()?.at("/metadata/name")?.as_str())?;
        Some(crate::sim::api::storage_key(self.resource, self.namespace.as_deref(), name))
    }
}

/// The answer to one request: an object (or a `XList`), or a `Status` error.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub request_id: u64,
    pub result: Result<Value, Status>,
}

impl ApiResponse {
    pub fn summary(&self) -> String {
        match &self.result {
            Ok(v) if v.get("stream").is_some() => stream_summary(v),
            Ok(v) => {
                let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
                match v.get("items").and_then(Value::as_array) {
                    Some(items) => format!("200 {kind} ({} items)", items.len()),
                    None => {
                        let name = v.at("/metadata/name").and_then(Value::as_str).unwrap_or("");
                        format!("200 {kind} {name}")
                    }
                }
            }
            Err(s) => format!("{} {}", s.code, s.reason_text()),
        }
    }

    pub fn revision(&self) -> Option<i64> {
        self.result.as_ref().ok()?.at("/metadata/resourceVersion")?.as_str()?.parse().ok()
    }
}

/// A connect subresource's answer (`protocol/connect.rs`): the stream it stands for.
fn stream_summary(v: &Value) -> String {
    let text = |k: &str| v.get(k).and_then(Value::as_str);
    if let Some(lines) = v.get("lines").and_then(Value::as_array) {
        return format!("200 log ({} lines)", lines.len());
    }
    if let Some(refused) = text("refused") {
        return format!("upgrade refused: {refused}");
    }
    if let Some(error) = text("error") {
        return format!("101 Switching Protocols, stream ended: {error}");
    }
    if let Some(data) = text("data") {
        // One character per byte (`connect::bytes_to_text`): the count is the bytes the pod wrote.
        return format!("101 Switching Protocols, port-forward stream: {} bytes back", data.chars().count());
    }
    let bytes = text("stdout").map_or(0, str::len);
    format!("101 Switching Protocols, {bytes} bytes, exit {}", v["exitCode"].as_i64().unwrap_or(0))
}

/// A watch event's type, as the watch API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EventType {
    Added,
    Modified,
    Deleted,
    /// Marks the end of the initial events of a WatchList (`k8s.io/initial-events-end`).
    Bookmark,
}

/// One event on a watch stream.
#[derive(Debug, Clone)]
pub struct WatchNotice {
    /// The id of the request that opened the watch.
    pub watch_id: u64,
    pub event: EventType,
    /// Shared with the apiserver's watch cache, every other notice of the same change and every
    /// informer that keeps it: one object version is decoded once, however many watchers see it.
    pub object: Arc<Value>,
}

impl WatchNotice {
    pub fn summary(&self) -> String {
        let kind = self.object.get("kind").and_then(Value::as_str).unwrap_or("");
        let ns = self.object.at("/metadata/namespace").and_then(Value::as_str);
        let name = self.object.at("/metadata/name").and_then(Value::as_str).unwrap_or("");
        let ev = serde_json::to_value(self.event).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        match ns {
            Some(ns) => format!("{ev} {kind} {ns}/{name}"),
            None => format!("{ev} {kind} {name}"),
        }
    }

    pub fn revision(&self) -> Option<i64> {
        self.object.at("/metadata/resourceVersion")?.as_str()?.parse().ok()
    }
}
