//! From an HTTP request line to what it asks of the cluster: a discovery document, the version, a
//! health check, the clock's advance, or one REST call to the kube-apiserver (`ApiRequest`).

use serde_json::Value;

use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, PatchType, RequestOptions, Verb};
use crate::sim::apiserver::status::Status;
use crate::sim::time::{Millis, parse_duration};

/// The most virtual time one `advance` call may ask for.
const MAX_ADVANCE_MS: Millis = 24 * 3_600_000;

/// What a Table row carries of its object (`metav1.IncludeObjectPolicy`): its metadata by default,
/// the whole object when kubectl sorts (`--sort-by` asks `includeObject=Object`), or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowObject {
    None,
    Metadata,
    Object,
}

/// What one HTTP request asks for.
#[derive(Debug, Clone)]
pub enum Route {
    /// `GET /version`.
    Version,
    /// `/healthz`, `/livez`, `/readyz`: `ok`.
    Health,
    /// `GET /api`: the core group's versions.
    CoreVersions,
    /// `GET /apis`: every other group.
    Groups,
    /// `GET /api/v1` or `/apis/GROUP/VERSION`: the resources of one group version.
    Resources { group: String, version: String },
    /// `GET /openapi/v3`.
    OpenApiRoot,
    /// `GET /openapi/v3/api/v1`, `/openapi/v3/apis/GROUP/VERSION`: the path after `/openapi/v3/`.
    OpenApi(String),
    /// `GET .../pods/NAME/log`: a container's log, read from its kubelet.
    Log(super::logs::LogRequest),
    /// `GET`/`POST .../pods/NAME/exec`: a command in a container, over a WebSocket.
    Exec(super::exec::ExecRequest),
    /// `GET`/`POST .../pods/NAME/attach`: a container's output from now on, over a WebSocket.
    Attach(super::attach::AttachRequest),
    /// `GET`/`POST .../pods/NAME/portforward`: kubectl's port-forward, over SPDY (tunnelled or plain).
    PortForward(super::portforward::PortForwardRequest),
    /// A REST call; `table` when the client asked for `Table` rows (`as=Table`), with what each
    /// row carries of its object (`includeObject`).
    Api { request: Box<ApiRequest>, table: Option<RowObject> },
    /// `POST /sandbox/v1/advance?duration=90s`: moves a manually driven clock.
    Advance(Millis),
    /// Anything else: the apiserver's own answer (404 for an unknown path, 405, 415, 400).
    Error(Status),
}

/// `%XX` and `+` in a query value.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%').then(|| s.get(i + 1..i + 3)).flatten();
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query's parameters, decoded, in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Go's `strconv.ParseBool` truths, which the apiserver's query decoding accepts (the Python client
/// sends `watch=True`).
pub(super) fn parse_bool(v: &str) -> bool {
    matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True")
}

fn not_found() -> Status {
    Status::new(
        404,
        crate::sim::apiserver::status::Reason::NotFound,
        "the server could not find the requested resource",
    )
}

/// The served resource at `group`/`version` named `plural`.
fn resource_at(group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
    let metrics: [&'static ResourceType; 2] =
        [&crate::sim::apiserver::metrics::POD_METRICS, &crate::sim::apiserver::metrics::NODE_METRICS];
    api::resources().iter().chain(metrics).find(|r| {
        r.group == group && r.plural == plural && (r.version == version || r.other_versions.contains(&version))
    })
}

/// Reads one HTTP request. `content_type` and `accept` are the request's headers (empty when absent).
pub fn route(method: &str, target: &str, content_type: &str, accept: &str, body: &[u8]) -> Route {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params = query_pairs(query);
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    match (method, parts.as_slice()) {
        ("GET", ["version"]) => return Route::Version,
        ("GET", ["healthz" | "livez" | "readyz"]) => return Route::Health,
        ("GET", ["api"]) => return Route::CoreVersions,
        ("GET", ["openapi", "v3"]) => return Route::OpenApiRoot,
        ("GET", ["openapi", "v3", rest @ ..]) => return Route::OpenApi(rest.join("/")),
        ("GET", ["apis"]) => return Route::Groups,
        ("GET", ["api", v]) => return Route::Resources { group: String::new(), version: v.to_string() },
        ("GET", ["apis", g, v]) => return Route::Resources { group: g.to_string(), version: v.to_string() },
        ("POST", ["sandbox", "v1", "advance"]) => {
            return match param("duration").and_then(parse_duration) {
                // Each virtual hour is simulated message by message: a day is the most one call may ask.
                Some(d) if d > MAX_ADVANCE_MS => Route::Error(Status::bad_request(format!(
                    "duration: at most 24h per call, got {:?}",
                    param("duration").unwrap_or("")
                ))),
                Some(d) => Route::Advance(d),
                None => Route::Error(Status::bad_request(format!(
                    "duration: want a Go duration such as 90s or 1m30s, got {:?}",
                    param("duration").unwrap_or("")
                ))),
            };
        }
        _ => {}
    }
    // /api/v1/... or /apis/G/V/...: then optionally namespaces/NS, the plural, a name, a subresource.
    let (group, version, rest) = match parts.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Route::Error(not_found()),
    };
    let (namespace, rest): (Option<String>, &[&str]) = match rest {
        // A namespace's own subresources, not a collection inside it.
        ["namespaces", _, "status" | "finalize"] => (None, rest),
        ["namespaces", ns, tail @ ..] if !tail.is_empty() => (Some(ns.to_string()), tail),
        _ => (None, rest),
    };
    let (plural, name, sub) = match rest {
        [p] => (*p, None, None),
        [p, n] => (*p, Some(n.to_string()), None),
        [p, n, s] => (*p, Some(n.to_string()), Some(s.to_string())),
        _ => return Route::Error(not_found()),
    };
    let Some(rt) = resource_at(group, version, plural).filter(|rt| rt.namespaced || namespace.is_none()) else {
        return Route::Error(not_found());
    };
    if let (Some("log"), "GET", "pods", Some(ns), Some(pod)) = (sub.as_deref(), method, rt.plural, &namespace, &name) {
        return match super::logs::LogRequest::from_query(ns, pod, &params) {
            Ok(r) => Route::Log(r),
            Err(s) => Route::Error(s),
        };
    }
    if let (Some("exec"), "GET" | "POST", "pods", Some(ns), Some(pod)) =
        (sub.as_deref(), method, rt.plural, &namespace, &name)
    {
        return match super::exec::ExecRequest::from_query(ns, pod, &params) {
            Ok(r) => Route::Exec(r),
            Err(s) => Route::Error(s),
        };
    }
    if let (Some("attach"), "GET" | "POST", "pods", Some(ns), Some(pod)) =
        (sub.as_deref(), method, rt.plural, &namespace, &name)
    {
        return match super::attach::AttachRequest::from_query(ns, pod, &params) {
            Ok(r) => Route::Attach(r),
            Err(s) => Route::Error(s),
        };
    }
    if let (Some("portforward"), "GET" | "POST", "pods", Some(ns), Some(pod)) =
        (sub.as_deref(), method, rt.plural, &namespace, &name)
    {
        return Route::PortForward(super::portforward::PortForwardRequest { namespace: ns.clone(), pod: pod.clone() });
    }
    // The subresources the simulated apiserver serves; `proxy` is not served over HTTP yet, and a
    // real apiserver answers an unknown one with 404.
    let served_sub = match (sub.as_deref(), method) {
        (None, _) => true,
        (Some("status"), "GET" | "PUT" | "PATCH") => true,
        (Some("scale"), "GET" | "PUT" | "PATCH") => crate::sim::apiserver::scale::served(rt),
        (Some("binding" | "eviction"), "POST") => rt.plural == "pods",
        (Some("finalize"), "PUT") => rt.plural == "namespaces",
        _ => false,
    };
    if !served_sub {
        return Route::Error(not_found());
    }
    let watch = param("watch").is_some_and(parse_bool);
    let verb = match (method, &name, watch) {
        ("GET", _, true) => Verb::Watch,
        ("GET", Some(_), false) => Verb::Get,
        ("GET", None, false) => Verb::List,
        ("POST", None, _) => Verb::Create,
        ("POST", Some(_), _) if sub.is_some() => Verb::Create,
        ("PUT", Some(_), _) => Verb::Update,
        ("PATCH", Some(_), _) => match content_type.split(';').next().unwrap_or("").trim() {
            "application/merge-patch+json" => Verb::Patch(PatchType::Merge),
            "application/strategic-merge-patch+json" => Verb::Patch(PatchType::Strategic),
            "application/json-patch+json" => Verb::Patch(PatchType::Json),
            "application/apply-patch+yaml" => Verb::Patch(PatchType::Apply),
            other => return Route::Error(Status::unsupported_patch(other)),
        },
        ("DELETE", Some(_), _) => Verb::Delete,
        ("DELETE", None, _) => Verb::DeleteCollection,
        _ => {
            return Route::Error(Status::new(
                405,
                crate::sim::apiserver::status::Reason::MethodNotAllowed,
                "the server does not allow this method on the requested resource",
            ));
        }
    };
    let protobuf = content_type.starts_with("application/vnd.kubernetes.protobuf");
    let body: Option<Value> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else if protobuf {
        match super::protobuf::decode(body) {
            Ok(v) => Some(v),
            Err(e) => {
                return Route::Error(Status::new(
                    415,
                    crate::sim::apiserver::status::Reason::UnsupportedMediaType,
                    format!(
                        "the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf (this protobuf body could not be read: {e})"
                    ),
                ));
            }
        }
    } else if verb == Verb::Patch(PatchType::Apply) {
        // An apply configuration is YAML (JSON is YAML too); the apiserver refuses it whatever it holds.
        serde_yaml::from_slice::<Value>(body).ok()
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => Some(v),
            Err(e) => {
                return Route::Error(Status::bad_request(format!(
                    "the object provided is unrecognized or could not be decoded: {e}"
                )));
            }
        }
    };
    let number = |k: &str| param(k).and_then(|v| v.parse::<i64>().ok());
    // DELETE's options may come in the body (`DeleteOptions`) as well as the query.
    let delete_opt = |k: &str| body.as_ref().and_then(|b| b.get(k)).cloned();
    let mut options = RequestOptions {
        label_selector: param("labelSelector").filter(|s| !s.is_empty()).map(str::to_string),
        field_selector: param("fieldSelector").filter(|s| !s.is_empty()).map(str::to_string),
        resource_version: number("resourceVersion").filter(|v| *v > 0),
        send_initial_events: param("sendInitialEvents").is_some_and(parse_bool),
        timeout_seconds: number("timeoutSeconds").and_then(|t| u64::try_from(t).ok()),
        dry_run: param("dryRun") == Some("All"),
        propagation_policy: param("propagationPolicy").map(str::to_string),
        grace_period_seconds: number("gracePeriodSeconds"),
        // `resourceVersion=0` lists are served whole from the watch cache, which ignores `limit`
        // (the cacher's `shouldDelegateList`); other limited lists page from etcd.
        limit: number("limit").filter(|l| *l > 0 && param("resourceVersion") != Some("0")),
        continue_token: param("continue").filter(|c| !c.is_empty()).map(str::to_string),
        params: Vec::new(),
    };
    let is_delete = matches!(verb, Verb::Delete | Verb::DeleteCollection);
    if is_delete {
        if let Some(p) = delete_opt("propagationPolicy").and_then(|v| v.as_str().map(str::to_string)) {
            options.propagation_policy = Some(p);
        }
        if let Some(g) = delete_opt("gracePeriodSeconds").and_then(|v| v.as_i64()) {
            options.grace_period_seconds = Some(g);
        }
        if delete_opt("dryRun").and_then(|v| v.as_array().cloned()).is_some_and(|a| a.iter().any(|x| x == "All")) {
            options.dry_run = true;
        }
    }
    let body = if is_delete { None } else { body };
    let mut request = ApiRequest::new(0, verb, rt).in_namespace(namespace.as_deref());
    request.name = name;
    request.subresource = sub;
    request.body = body;
    request.options = options;
    let as_table = accept.split(',').next().is_some_and(|first| first.contains("as=Table"));
    let table = as_table.then(|| match param("includeObject") {
        Some("Object") => RowObject::Object,
        Some("None") => RowObject::None,
        _ => RowObject::Metadata,
    });
    Route::Api { request: Box::new(request), table }
}

#[cfg(test)]
mod tests;
