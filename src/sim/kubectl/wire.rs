//! kubectl and the cluster in two wasm modules: the JSON each side sends the other.
//!
//! The browser loads kubectl as its own module when the learner first needs it (the page starts
//! faster without it). That module cannot see the world's memory, so every [`Cluster`] call
//! becomes a JSON message that the page's module answers with [`serve`], as real kubectl reaches
//! the apiserver over HTTP. The other direction carries a command line in and its [`Output`] back.
//! Both modules are built from this crate, so a message that does not decode is a bug; it still
//! gives an error the learner can read, never a panic.

use std::cell::Cell;

use serde_json::{Map, Value, json};

use super::cluster::{Cluster, WatchBatch};
use super::printers::table::TableOptions;
use super::{ExecSession, Output, Watching};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, EventType, PatchType, RequestOptions, Verb};
use crate::sim::apiserver::status::{Reason, Status};
use crate::sim::node::kubelet::inspect::{ContainerUsage, NodeUsage, PodUsage};
use crate::sim::time::Millis;
use crate::sim::workstation::{Binds, ListenRequest};

/// A [`Cluster`] reached through `transport`, which delivers a message to [`serve`] and returns
/// its answer.
pub struct Remote<F: Fn(&str) -> String> {
    transport: F,
    /// The last time the cluster reported; what `now` says once its answers cannot be read.
    last_now: Cell<Millis>,
}

/// How far `now` moves on each call once the cluster's answers cannot be read: a kubectl wait loop
/// (`--wait`, `rollout status`) then passes its deadline after a few calls instead of spinning.
const UNREADABLE_CLOCK_STEP_MS: Millis = 60 * 60 * 1000;

impl<F: Fn(&str) -> String> Remote<F> {
    pub fn new(transport: F) -> Self {
        Self { transport, last_now: Cell::new(0) }
    }

    fn ask(&self, message: Value) -> Value {
        serde_json::from_str((self.transport)(&message.to_string()).as_str()).unwrap_or(Value::Null)
    }
}

/// What a client makes of an answer it cannot read.
fn garbled(answer: &Value) -> Status {
    Status::internal(format!("kubectl: the cluster's answer could not be read: {answer}"))
}

impl<F: Fn(&str) -> String> Cluster for Remote<F> {
    fn now(&self) -> Millis {
        let now = self.ask(json!({"op": "now"}))["now"]
            .as_u64()
            .unwrap_or_else(|| self.last_now.get().saturating_add(UNREADABLE_CLOCK_STEP_MS));
        self.last_now.set(now);
        now
    }

    fn run_until(&mut self, t: Millis) {
        self.ask(json!({"op": "run_until", "t": t}));
    }

    fn call(&mut self, req: ApiRequest) -> Result<Value, Status> {
        let answer = self.ask(json!({"op": "call", "req": request_to_json(&req)}));
        match (answer.get("ok"), answer.get("err")) {
            (Some(v), _) => Ok(v.clone()),
            (None, Some(e)) => Err(status_from_json(e).unwrap_or_else(|| garbled(&answer))),
            (None, None) => Err(garbled(&answer)),
        }
    }

    fn call_all(&mut self, reqs: Vec<ApiRequest>) -> Vec<Result<Value, Status>> {
        let n = reqs.len();
        let answer = self.ask(json!({"op": "call_all", "reqs": reqs.iter().map(request_to_json).collect::<Vec<_>>()}));
        let answers = answer.as_array().filter(|a| a.len() == n);
        // Each answer read as `call` reads one; a reply of the wrong shape fails every request.
        (0..n)
            .map(|i| match answers.map(|a| &a[i]) {
                Some(a) => match (a.get("ok"), a.get("err")) {
                    (Some(v), _) => Ok(v.clone()),
                    (None, Some(e)) => Err(status_from_json(e).unwrap_or_else(|| garbled(a))),
                    (None, None) => Err(garbled(a)),
                },
                None => Err(garbled(&answer)),
            })
            .collect()
    }

    fn cached(&self, key: &str) -> Option<Value> {
        Some(self.ask(json!({"op": "cached", "key": key})).get_mut("object")?.take()).filter(|v| !v.is_null())
    }

    fn open_watch(&mut self, req: ApiRequest) -> u64 {
        self.ask(json!({"op": "open_watch", "req": request_to_json(&req)}))["id"].as_u64().unwrap_or(0)
    }

    fn watch_events(&mut self, id: u64, until: Millis) -> WatchBatch {
        let answer = self.ask(json!({"op": "watch_events", "id": id, "until": until}));
        let events = answer["events"]
            .as_array()
            .map(|es| es.iter().filter_map(|e| Some((event_from_name(e[0].as_str()?)?, e[1].clone()))).collect())
            .unwrap_or_default();
        // An answer that cannot be read ends the stream, so that a waiting kubectl stops.
        (events, answer["ended"].as_bool().unwrap_or(true))
    }

    fn close_watch(&mut self, id: u64) {
        self.ask(json!({"op": "close_watch", "id": id}));
    }

    fn node_usage(&self, node: &str) -> Option<NodeUsage> {
        node_usage_from_json(self.ask(json!({"op": "node_usage", "node": node})).get("usage")?)
    }

    fn pod_usage(&self) -> Vec<PodUsage> {
        let answer = self.ask(json!({"op": "pod_usage"}));
        answer["pods"].as_array().map(|pods| pods.iter().filter_map(pod_usage_from_json).collect()).unwrap_or_default()
    }

    fn listen(&mut self, req: ListenRequest) -> Binds {
        let answer = self.ask(json!({"op": "listen", "req": req}));
        // An answer that cannot be read binds nothing: kubectl then says it could not listen.
        let unreadable = || Err("the cluster's answer could not be read".to_string());
        let binds = answer["binds"].as_array().cloned().unwrap_or_default();
        let read = |b: &Value| match (b.get("port").and_then(Value::as_u64), b.get("err").and_then(Value::as_str)) {
            (Some(p), _) => u16::try_from(p).map_err(|_| "port out of range".to_string()),
            (None, Some(e)) => Err(e.to_string()),
            (None, None) => unreadable(),
        };
        let mut out: Binds = binds
            .iter()
            .map(|port| port.as_array().map(|bs| bs.iter().map(read).collect()).unwrap_or_default())
            .collect();
        out.resize_with(req.ports.len(), || vec![unreadable()]);
        out
    }
}

/// The cluster's side: answers one message from [`Remote`].
pub fn serve(cluster: &mut dyn Cluster, message: &str) -> String {
    let m: Value = serde_json::from_str(message).unwrap_or(Value::Null);
    let s = |k: &str| m[k].as_str().unwrap_or_default();
    let answer = match s("op") {
        "now" => json!({"now": cluster.now()}),
        "run_until" => {
            cluster.run_until(m["t"].as_u64().unwrap_or_else(|| cluster.now()));
            json!({})
        }
        "call" => match request_from_json(&m["req"]) {
            Some(req) => call_answer(cluster.call(req)),
            None => unreadable(&m["req"]),
        },
        // Requests that cannot be read are answered so, and the others all sent together.
        "call_all" => {
            let wanted: Vec<Value> = m["reqs"].as_array().cloned().unwrap_or_default();
            let reqs: Vec<Option<ApiRequest>> = wanted.iter().map(request_from_json).collect();
            let mut answers = cluster.call_all(reqs.iter().flatten().cloned().collect()).into_iter();
            let each = wanted.iter().zip(&reqs).map(|(raw, req)| match req {
                Some(_) => answers.next().map_or_else(|| unreadable(raw), call_answer),
                None => unreadable(raw),
            });
            Value::Array(each.collect())
        }
        "cached" => json!({"object": cluster.cached(s("key"))}),
        "open_watch" => match request_from_json(&m["req"]) {
            Some(req) => json!({"id": cluster.open_watch(req)}),
            None => json!({}),
        },
        "watch_events" => {
            let (events, ended) = cluster
                .watch_events(m["id"].as_u64().unwrap_or(0), m["until"].as_u64().unwrap_or_else(|| cluster.now()));
            let events: Vec<Value> = events.into_iter().map(|(e, o)| json!([e, o])).collect();
            json!({"events": events, "ended": ended})
        }
        "close_watch" => {
            cluster.close_watch(m["id"].as_u64().unwrap_or(0));
            json!({})
        }
        "node_usage" => json!({"usage": cluster.node_usage(s("node")).map(|u| node_usage_to_json(&u))}),
        "pod_usage" => json!({"pods": cluster.pod_usage().iter().map(pod_usage_to_json).collect::<Vec<_>>()}),
        "listen" => match serde_json::from_value::<ListenRequest>(m["req"].clone()).ok() {
            Some(req) => {
                let binds: Vec<Vec<Value>> = cluster
                    .listen(req)
                    .into_iter()
                    .map(|port| {
                        port.into_iter()
                            .map(|b| match b {
                                Ok(p) => json!({"port": p}),
                                Err(e) => json!({"err": e}),
                            })
                            .collect()
                    })
                    .collect();
                json!({"binds": binds})
            }
            None => json!({"binds": []}),
        },
        other => json!({"err": format!("unknown message {other:?}")}),
    };
    answer.to_string()
}

/// One call's answer on the wire.
fn call_answer(result: Result<Value, Status>) -> Value {
    match result {
        Ok(v) => json!({"ok": v}),
        Err(e) => json!({"err": status_to_json(&e)}),
    }
}

/// The answer to a request that does not decode.
fn unreadable(req: &Value) -> Value {
    json!({"err": status_to_json(&Status::bad_request(format!("the request could not be read: {req}")))})
}

/// A watch event's type from its name on the wire (as the watch API spells it).
fn event_from_name(name: &str) -> Option<EventType> {
    Some(match name {
        "ADDED" => EventType::Added,
        "MODIFIED" => EventType::Modified,
        "DELETED" => EventType::Deleted,
        "BOOKMARK" => EventType::Bookmark,
        _ => return None,
    })
}

/// A verb's name on the wire (a `match`, so that a new verb cannot be forgotten here).
fn verb_name(v: &Verb) -> &'static str {
    match v {
        Verb::Get => "get",
        Verb::List => "list",
        Verb::Watch => "watch",
        Verb::Create => "create",
        Verb::Update => "update",
        Verb::Patch(PatchType::Merge) => "patch-merge",
        Verb::Patch(PatchType::Strategic) => "patch-strategic",
        Verb::Patch(PatchType::Json) => "patch-json",
        Verb::Patch(PatchType::Apply) => "patch-apply",
        Verb::Delete => "delete",
        Verb::DeleteCollection => "deletecollection",
    }
}

fn verb_from_name(name: &str) -> Option<Verb> {
    Some(match name {
        "get" => Verb::Get,
        "list" => Verb::List,
        "watch" => Verb::Watch,
        "create" => Verb::Create,
        "update" => Verb::Update,
        "patch-merge" => Verb::Patch(PatchType::Merge),
        "patch-strategic" => Verb::Patch(PatchType::Strategic),
        "patch-json" => Verb::Patch(PatchType::Json),
        "patch-apply" => Verb::Patch(PatchType::Apply),
        "delete" => Verb::Delete,
        "deletecollection" => Verb::DeleteCollection,
        _ => return None,
    })
}

pub fn request_to_json(r: &ApiRequest) -> Value {
    let verb = verb_name(&r.verb);
    let o = &r.options;
    json!({
        "verb": verb, "group": r.resource.group, "version": r.resource.version, "resource": r.resource.plural,
        "namespace": r.namespace, "name": r.name, "subresource": r.subresource, "body": r.body,
        "labelSelector": o.label_selector, "fieldSelector": o.field_selector, "resourceVersion": o.resource_version,
        "sendInitialEvents": o.send_initial_events, "timeoutSeconds": o.timeout_seconds, "dryRun": o.dry_run,
        "propagationPolicy": o.propagation_policy, "gracePeriodSeconds": o.grace_period_seconds,
        "limit": o.limit, "continue": o.continue_token, "params": o.params,
    })
}

/// The registry's resource for a group, version and plural; None for one this cluster does not serve.
fn resource(group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
    use crate::sim::apiserver::metrics::{NODE_METRICS, POD_METRICS};
    // The Metrics API is aggregated, not in the apiserver's own table.
    api::resources()
        .iter()
        .chain([&NODE_METRICS, &POD_METRICS])
        .find(|r| r.group == group && r.plural == plural && (version.is_empty() || r.version == version))
}

pub fn request_from_json(v: &Value) -> Option<ApiRequest> {
    let verb = verb_from_name(v["verb"].as_str()?)?;
    let text = |k: &str| v[k].as_str().map(str::to_string);
    let mut req = ApiRequest::new(
        0,
        verb,
        resource(v["group"].as_str()?, v["version"].as_str().unwrap_or_default(), v["resource"].as_str()?)?,
    );
    req.namespace = text("namespace");
    req.name = text("name");
    req.subresource = text("subresource");
    req.body = Some(v["body"].clone()).filter(|b| !b.is_null());
    req.options = RequestOptions {
        label_selector: text("labelSelector"),
        field_selector: text("fieldSelector"),
        resource_version: v["resourceVersion"].as_i64(),
        send_initial_events: v["sendInitialEvents"].as_bool().unwrap_or(false),
        timeout_seconds: v["timeoutSeconds"].as_u64(),
        dry_run: v["dryRun"].as_bool().unwrap_or(false),
        propagation_policy: text("propagationPolicy"),
        grace_period_seconds: v["gracePeriodSeconds"].as_i64(),
        limit: v["limit"].as_i64(),
        continue_token: text("continue"),
        params: v["params"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string())))
            .collect(),
    };
    Some(req)
}

/// A status's reason on the wire: the API's spelling, and `Unreachable` for the client's own
/// failure to reach the apiserver (which the API has no name for).
fn reason_name(s: &Status) -> &'static str {
    if s.reason == Reason::Unreachable { "Unreachable" } else { s.reason_text() }
}

fn reason_from_name(name: &str) -> Option<Reason> {
    Some(match name {
        "NotFound" => Reason::NotFound,
        "AlreadyExists" => Reason::AlreadyExists,
        "Conflict" => Reason::Conflict,
        "Invalid" => Reason::Invalid,
        "BadRequest" => Reason::BadRequest,
        "Forbidden" => Reason::Forbidden,
        "MethodNotAllowed" => Reason::MethodNotAllowed,
        "UnsupportedMediaType" => Reason::UnsupportedMediaType,
        "TooManyRequests" => Reason::TooManyRequests,
        "RequestEntityTooLarge" => Reason::RequestEntityTooLarge,
        "ServiceUnavailable" => Reason::ServiceUnavailable,
        "" => Reason::Unknown,
        "Expired" => Reason::Expired,
        "InternalError" => Reason::InternalError,
        "Timeout" => Reason::Timeout,
        "Unreachable" => Reason::Unreachable,
        _ => return None,
    })
}

fn status_to_json(s: &Status) -> Value {
    json!({"code": s.code, "reason": reason_name(s), "message": s.message, "continue": s.continue_token})
}

fn status_from_json(v: &Value) -> Option<Status> {
    let reason = reason_from_name(v["reason"].as_str()?)?;
    let mut s = Status::new(u16::try_from(v["code"].as_u64()?).ok()?, reason, v["message"].as_str()?);
    s.continue_token = v["continue"].as_str().map(str::to_string);
    Some(s)
}

fn pod_usage_to_json(p: &PodUsage) -> Value {
    let containers: Vec<Value> = p.containers.iter().map(|c| json!([c.name, c.cpu_millis, c.memory_bytes])).collect();
    json!({"namespace": p.namespace, "name": p.name, "containers": containers})
}

fn pod_usage_from_json(v: &Value) -> Option<PodUsage> {
    let containers = v["containers"].as_array()?.iter().map(|c| {
        Some(ContainerUsage {
            name: c[0].as_str()?.to_string(),
            cpu_millis: c[1].as_u64()?,
            memory_bytes: c[2].as_u64()?,
        })
    });
    Some(PodUsage {
        namespace: v["namespace"].as_str()?.to_string(),
        name: v["name"].as_str()?.to_string(),
        containers: containers.collect::<Option<_>>()?,
    })
}

fn node_usage_to_json(u: &NodeUsage) -> Value {
    json!({"cpu": u.cpu_millis, "memory": u.memory_bytes, "pods": u.pods.iter().map(pod_usage_to_json).collect::<Vec<_>>()})
}

fn node_usage_from_json(v: &Value) -> Option<NodeUsage> {
    let pods = v["pods"].as_array()?.iter().map(pod_usage_from_json).collect::<Option<_>>()?;
    Some(NodeUsage { cpu_millis: v["cpu"].as_u64()?, memory_bytes: v["memory"].as_u64()?, pods })
}

fn options_to_json(o: &TableOptions) -> Value {
    json!({"now": o.now, "wide": o.wide, "showLabels": o.show_labels, "withNamespace": o.with_namespace, "noHeaders": o.no_headers, "showKind": o.show_kind})
}

fn options_from_json(v: &Value) -> TableOptions {
    let flag = |k: &str| v[k].as_bool().unwrap_or(false);
    TableOptions {
        now: v["now"].as_u64().unwrap_or(0),
        wide: flag("wide"),
        show_labels: flag("showLabels"),
        with_namespace: flag("withNamespace"),
        no_headers: flag("noHeaders"),
        show_kind: flag("showKind"),
    }
}

/// A command line for the kubectl module.
pub fn command_to_json(line: &str, stdin: Option<&str>) -> String {
    json!({"line": line, "stdin": stdin}).to_string()
}

/// The kubectl module's side: the command line and stdin a page sent.
pub fn command_from_json(message: &str) -> (String, Option<String>) {
    let v: Value = serde_json::from_str(message).unwrap_or(Value::Null);
    (v["line"].as_str().unwrap_or_default().to_string(), v["stdin"].as_str().map(str::to_string))
}

pub fn output_to_json(o: &Output) -> String {
    let watching: Vec<Value> = o
        .watching
        .iter()
        .map(|w| json!({"id": w.watch_id, "kind": w.kind, "options": options_to_json(&w.options)}))
        .collect();
    let session = o.session.as_ref().map(|s| {
        json!({"namespace": s.namespace, "pod": s.pod, "container": s.container, "shell": s.shell, "prompt": s.prompt,
            "end": s.end, "farewell": s.farewell})
    });
    json!({"stdout": o.stdout, "stderr": o.stderr, "failed": o.failed, "watching": watching, "session": session})
        .to_string()
}

/// The page's side: what kubectl printed. An answer that cannot be read is reported as kubectl's
/// own failure, so the learner sees something went wrong.
pub fn output_from_json(answer: &str) -> Output {
    let v: Value = serde_json::from_str(answer).unwrap_or(Value::Null);
    let Some(o) = v.as_object() else {
        let mut out = Output::default();
        out.err(format!("error: the kubectl module's answer could not be read: {answer}"));
        return out;
    };
    let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let watching = o
        .get("watching")
        .and_then(Value::as_array)
        .map(|ws| ws.iter().filter_map(watching_from_json).collect())
        .unwrap_or_default();
    Output {
        stdout: text("stdout"),
        stderr: text("stderr"),
        failed: o.get("failed").and_then(Value::as_bool).unwrap_or(true),
        watching,
        session: o.get("session").and_then(session_from_json),
    }
}

fn session_from_json(v: &Value) -> Option<ExecSession> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let shell = v.get("shell")?.as_array()?.iter().map(|w| w.as_str().map(str::to_string)).collect::<Option<_>>()?;
    Some(ExecSession {
        namespace: text("namespace")?,
        pod: text("pod")?,
        container: text("container")?,
        shell,
        prompt: text("prompt")?,
        end: v.get("end")?.as_array()?.iter().map(|w| w.as_str().map(str::to_string)).collect::<Option<_>>()?,
        farewell: text("farewell"),
    })
}

fn watching_from_json(v: &Value) -> Option<Watching> {
    let kind = api::resources().iter().find(|r| v["kind"] == r.kind)?.kind;
    Some(Watching { watch_id: v["id"].as_u64()?, kind, options: options_from_json(&v["options"]) })
}

/// The rows of a `get -w` stream, asked of the kubectl module (which holds the printers).
pub fn watch_rows_to_json(kind: &str, options: &TableOptions, objects: Vec<Value>) -> String {
    let mut m = Map::new();
    m.insert("kind".into(), json!(kind));
    m.insert("options".into(), options_to_json(options));
    m.insert("objects".into(), Value::Array(objects));
    Value::Object(m).to_string()
}

/// The kubectl module's side of [`watch_rows_to_json`]: kind, options and objects.
pub fn watch_rows_from_json(message: &str) -> (String, TableOptions, Vec<Value>) {
    let mut v: Value = serde_json::from_str(message).unwrap_or(Value::Null);
    let objects = match v.get_mut("objects").map(Value::take) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    (v["kind"].as_str().unwrap_or_default().to_string(), options_from_json(&v["options"]), objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The browser's kubectl module hands an attach session to the page over this wire: its end lines
    /// and closing note must arrive, or `exit` in `kubectl run -it --rm` would leave the pod behind.
    #[test]
    fn a_session_reads_back_whole() {
        let session = ExecSession {
            namespace: "default".into(),
            pod: "tmp".into(),
            container: "tmp".into(),
            shell: vec!["sh".into()],
            prompt: "/ # ".into(),
            end: vec!["kubectl attach tmp -n default -c tmp -i -q".into(), "kubectl delete pod tmp".into()],
            farewell: Some("Session ended".into()),
        };
        let out = Output { stderr: "note\n".into(), session: Some(session), ..Output::default() };
        assert_eq!(output_from_json(&output_to_json(&out)), out);
        let exec = Output { session: out.session.map(|s| ExecSession { end: vec![], farewell: None, ..s }), ..out };
        assert_eq!(output_from_json(&output_to_json(&exec)), exec);
    }

    #[test]
    fn every_verb_and_reason_has_a_name_that_reads_back() {
        let verbs = [
            Verb::Get,
            Verb::List,
            Verb::Watch,
            Verb::Create,
            Verb::Update,
            Verb::Patch(PatchType::Merge),
            Verb::Patch(PatchType::Strategic),
            Verb::Patch(PatchType::Json),
            Verb::Patch(PatchType::Apply),
            Verb::Delete,
            Verb::DeleteCollection,
        ];
        for v in verbs {
            assert_eq!(verb_from_name(verb_name(&v)), Some(v));
        }
        assert_eq!(verb_from_name("teleport"), None);
        let reasons = [
            Reason::NotFound,
            Reason::AlreadyExists,
            Reason::Conflict,
            Reason::Invalid,
            Reason::BadRequest,
            Reason::Forbidden,
            Reason::MethodNotAllowed,
            Reason::UnsupportedMediaType,
            Reason::TooManyRequests,
            Reason::RequestEntityTooLarge,
            Reason::Expired,
            Reason::InternalError,
            Reason::Timeout,
            Reason::Unreachable,
        ];
        for r in reasons {
            assert_eq!(reason_from_name(reason_name(&Status::new(400, r, ""))), Some(r));
        }
        assert_eq!(reason_from_name("Teapot"), None);
        for e in [EventType::Added, EventType::Modified, EventType::Deleted, EventType::Bookmark] {
            assert_eq!(event_from_name(serde_json::to_value(e).unwrap().as_str().unwrap()), Some(e));
        }
        assert_eq!(event_from_name("ERROR"), None);
    }

    #[test]
    fn calls_sent_together_cross_the_wire_answered_in_order() {
        let world = std::cell::RefCell::new(crate::sim::world::World::new(1));
        let mut remote = Remote::new(|m: &str| serve(&mut *world.borrow_mut(), m));
        let pods = api::resolve("pods").unwrap();
        let get = |name: &str| ApiRequest::new(0, Verb::Get, pods).in_namespace(Some("kube-system")).named(name);
        let answers = remote.call_all(vec![get("nope"), get("etcd-sandbox-control-plane")]);
        assert_eq!(answers[0].as_ref().unwrap_err().code, 404);
        assert_eq!(answers[1].as_ref().unwrap()["metadata"]["name"], "etcd-sandbox-control-plane");
        // A request that does not decode is answered so, in its place; the others still go.
        let good = request_to_json(&get("etcd-sandbox-control-plane"));
        let message = json!({"op": "call_all", "reqs": [{"verb": "teleport"}, good]}).to_string();
        let reply: Value = serde_json::from_str(&serve(&mut *world.borrow_mut(), &message)).unwrap();
        assert!(reply[0]["err"]["message"].as_str().unwrap().starts_with("the request could not be read"));
        assert_eq!(reply[1]["ok"]["metadata"]["name"], "etcd-sandbox-control-plane");
        // An answer of the wrong shape fails every request rather than shifting them.
        let mut broken = Remote::new(|_: &str| "[{\"ok\": 1}]".to_string());
        let answers = broken.call_all(vec![get("a"), get("b")]);
        assert!(answers.iter().all(|a| a.as_ref().is_err_and(|e| e.message.contains("could not be read"))));
    }

    #[test]
    fn watch_rows_of_any_json_shape_read_without_panicking() {
        for message in ["[1]", "5", "\"x\"", "{\"objects\": 3}", "{\"kind\": [], \"options\": 7}", "not json"] {
            let (kind, _, objects) = watch_rows_from_json(message);
            assert_eq!((kind.as_str(), objects.len()), ("", 0), "{message}");
        }
    }
}
