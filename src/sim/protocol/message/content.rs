//! A message's full content, for the inspector: what the wire would carry, not just its summary.
//!
//! API traffic is shown as Kubernetes would send it: the request line, the query and the JSON body;
//! the response's object or `Status`; a watch event's `{type, object}`. etcd traffic shows the
//! transaction's compares and operations with each stored value decoded (the sandbox stores JSON
//! where a real apiserver stores protobuf). CRI calls are shown as their gRPC messages' fields.

use super::Payload;
use crate::sim::protocol::etcd::{EtcdOp, EtcdReply, EtcdRequest, EtcdResult, EtcdWatchBatch};
use crate::sim::protocol::packet::Packet;
use crate::sim::protocol::request::{ApiRequest, ApiResponse, RequestOptions, WatchNotice};
use crate::sim::store::{Compare, Op, OpResponse};
use crate::sim::store::{EventKind, KeyValue};
use serde_json::{Map, Value, json};

impl Payload {
    /// The message's content as a JSON document (the inspector prints it as YAML), or as text for
    /// the CRI's protobuf messages.
    pub fn content(&self) -> Content {
        match self {
            Payload::Request(r) => Content::Document(request(r)),
            Payload::Response(r) => Content::Document(response(r)),
            Payload::Watch(w) => Content::Document(watch(w)),
            Payload::Etcd(e) => Content::Document(etcd_request(e)),
            Payload::EtcdReply(e) => Content::Document(etcd_reply(e)),
            Payload::EtcdWatch(w) => Content::Document(etcd_watch(w)),
            Payload::Cri(c) => Content::Text(format!("{:#?}", c.call)),
            Payload::CriReply(c) => Content::Text(match &c.result {
                Ok(result) => format!("{result:#?}"),
                Err(e) => e.to_string(),
            }),
            Payload::Scrape(r) => Content::Text(r.summary()),
            Payload::ScrapeReply(r) => Content::Text(format!("{r:#?}")),
            Payload::Packet(p) => Content::Document(packet(p)),
            Payload::Stream(r) => Content::Text(format!("{:#?}", r)),
            Payload::StreamReply(r) => Content::Text(match &r.result {
                Ok(data) => format!("{data:#?}"),
                Err(e) => e.clone(),
            }),
        }
    }
}

/// What [`Payload::content`] gives.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Document(Value),
    Text(String),
}

fn request(r: &ApiRequest) -> Value {
    let mut doc = Map::new();
    doc.insert("request".into(), json!(r.summary()));
    let query = query(&r.options);
    if !query.is_empty() {
        doc.insert("query".into(), Value::Object(query));
    }
    if let Some(sub) = &r.subresource {
        doc.insert("subresource".into(), json!(sub));
    }
    if let Some(body) = &r.body {
        doc.insert("body".into(), body.clone());
    }
    Value::Object(doc)
}

/// The query parameters a real client would put on the URL.
fn query(o: &RequestOptions) -> Map<String, Value> {
    let mut q = Map::new();
    let mut put = |k: &str, v: Value| {
        q.insert(k.to_string(), v);
    };
    if let Some(s) = &o.label_selector {
        put("labelSelector", json!(s));
    }
    if let Some(s) = &o.field_selector {
        put("fieldSelector", json!(s));
    }
    if let Some(rv) = o.resource_version {
        put("resourceVersion", json!(rv.to_string()));
    }
    if o.send_initial_events {
        put("sendInitialEvents", json!(true));
    }
    if let Some(t) = o.timeout_seconds {
        put("timeoutSeconds", json!(t));
    }
    if o.dry_run {
        put("dryRun", json!("All"));
    }
    if let Some(p) = &o.propagation_policy {
        put("propagationPolicy", json!(p));
    }
    if let Some(g) = o.grace_period_seconds {
        put("gracePeriodSeconds", json!(g));
    }
    for (k, v) in &o.params {
        match q.get_mut(k) {
            // A repeated parameter (`command=ls&command=/`) is a list.
            Some(Value::Array(a)) => a.push(json!(v)),
            Some(first) => *first = json!([first.clone(), v]),
            None => {
                q.insert(k.clone(), json!(v));
            }
        }
    }
    q
}

fn response(r: &ApiResponse) -> Value {
    match &r.result {
        Ok(obj) => json!({"status": 200, "body": obj}),
        Err(s) => json!({"status": s.code, "body": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
            "message": s.message, "reason": s.reason_text(), "code": s.code}}),
    }
}

fn packet(p: &Packet) -> Value {
    let mut doc = json!({"protocol": p.proto, "source": p.src, "destination": p.dst, "packet": p.what});
    if !p.rules.is_empty() {
        doc["matched"] = json!(p.rules);
    }
    doc
}

fn watch(w: &WatchNotice) -> Value {
    let event = serde_json::to_value(w.event).unwrap_or(Value::Null);
    json!({"type": event, "object": &*w.object})
}

fn etcd_request(e: &EtcdRequest) -> Value {
    match &e.op {
        EtcdOp::Txn { compares, success, failure } => json!({"txn": {
            "compare": compares.iter().map(compare).collect::<Vec<_>>(),
            "success": success.iter().map(op).collect::<Vec<_>>(),
            "failure": failure.iter().map(op).collect::<Vec<_>>(),
        }}),
        EtcdOp::Range(r) => {
            json!({"range": {"key": r.key, "prefix": r.prefix, "limit": r.limit, "revision": r.revision}})
        }
        EtcdOp::PutWithTtl { key, value, ttl_ms, compares } => json!({
            "leaseGrant": {"ttlSeconds": ttl_ms / 1000},
            "txn": {"compare": compares.iter().map(compare).collect::<Vec<_>>(), "success": [{"put": {"key": key, "value": decode(value)}}]},
        }),
        EtcdOp::Compact(rev) => json!({"compact": {"revision": rev}}),
    }
}

fn compare(c: &Compare) -> Value {
    match c {
        Compare::ModRevision(k, r) => json!(format!("mod_revision({k}) == {r}")),
        Compare::CreateRevision(k, r) => json!(format!("create_revision({k}) == {r}")),
        Compare::Version(k, v) => json!(format!("version({k}) == {v}")),
        Compare::Exists(k) => json!(format!("version({k}) > 0")),
        Compare::Missing(k) => json!(format!("version({k}) == 0")),
    }
}

fn op(o: &Op) -> Value {
    match o {
        Op::Put { key, value, lease } => json!({"put": {"key": key, "lease": lease, "value": decode(value)}}),
        Op::Delete { key } => json!({"delete": {"key": key}}),
        Op::Get { key } => json!({"get": {"key": key}}),
    }
}

fn etcd_reply(e: &EtcdReply) -> Value {
    let result = match &e.result {
        Err(message) => json!({"error": message}),
        Ok(EtcdResult::Compacted) => json!("compacted"),
        Ok(EtcdResult::Range(r)) => {
            json!({"count": r.count, "more": r.more, "kvs": r.kvs.iter().map(kv).collect::<Vec<_>>()})
        }
        Ok(EtcdResult::Txn(t)) => {
            json!({"succeeded": t.succeeded, "responses": t.responses.iter().map(op_response).collect::<Vec<_>>()})
        }
    };
    json!({"header": {"revision": e.revision}, "result": result})
}

fn op_response(r: &OpResponse) -> Value {
    match r {
        OpResponse::Put { prev } => json!({"put": {"prevKv": prev.as_ref().map(kv)}}),
        OpResponse::Delete { deleted } => json!({"delete": {"deleted": deleted.as_ref().map(kv)}}),
        OpResponse::Get { kv: found } => json!({"get": {"kv": found.as_ref().map(kv)}}),
    }
}

fn etcd_watch(w: &EtcdWatchBatch) -> Value {
    let events: Vec<Value> = w
        .events
        .iter()
        .map(|e| {
            let kind = match e.kind {
                EventKind::Put => "PUT",
                EventKind::Delete => "DELETE",
            };
            json!({"type": kind, "kv": kv(&e.kv)})
        })
        .collect();
    json!({"events": events})
}

fn kv(k: &KeyValue) -> Value {
    json!({"key": &*k.key, "create_revision": k.create_revision, "mod_revision": k.mod_revision,
        "version": k.version, "value": decode(&k.value)})
}

/// A stored value: the object's JSON, decoded so it prints as YAML; other bytes as text.
fn decode(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(bytes)))
}

#[cfg(test)]
mod tests;
