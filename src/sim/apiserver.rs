//! kube-apiserver: the only component that talks to etcd. It admits, validates and stores objects,
//! serves reads, and fans watch events out to every client.
//!
//! A write is a small state machine, as the real registry's `GuaranteedUpdate`:
//! ```text
//!  request ──► compute new object from the watch cache's copy ──► etcd txn
//!                 ▲                                    (if mod_revision == seen: put, else: get)
//!                 └──── compare failed: retry on the value etcd returned (up to 5 times) ◄──┘
//!  txn ok ──► response to the client; etcd's watch event ──► watch cache ──► watchers
//! ```
//! Reads (`get`, `list`) go to etcd as quorum reads; watches are served from the watch cache.

pub mod admission;
pub mod cache;
pub mod connect;
pub mod eviction;
pub mod fields;
pub mod history;
pub mod ingressclass;
pub mod json_patch;
pub mod limits;
pub mod metrics;
pub mod pagination;
pub mod patch;
pub mod priority;
pub mod protection;
pub mod quota;
pub mod resize;
pub mod scale;
pub mod serviceaccount;
pub mod storageclass;
mod watch;
pub use watch::{CONNECTION_LOST, CONNECTION_REFUSED};
pub mod watchers;
mod writes;

// The apiserver's wire types live in the protocol module, below the kernel; re-exported where they were.
pub use super::protocol::{request, status};

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use self::admission::{AdmissionCtx, IpAllocator};
use self::cache::{WatchCache, set_resource_version};
use self::fields::FieldSelector;
use self::request::{ApiRequest, ApiResponse, EventType, PatchType, Verb, WatchNotice};
use self::status::Status;
use self::writes::WriteOutcome;
use super::api::selector::{Selector, parse_selector};
use super::api::{self, ResourceType};
use super::component::Component;
use super::etcd::{EtcdOp, EtcdReply, EtcdRequest, EtcdResult, EtcdWatchBatch};
use super::kernel::{Kernel, TimerKind};
use super::message::{Message, Payload};
use super::store::{Compare, Op, OpResponse, RangeRequest};

/// How long the apiserver waits for etcd before answering 504.
pub const ETCD_TIMEOUT_MS: u64 = 10_000;
/// The apiserver compacts etcd this often (`--etcd-compaction-interval`, 5 minutes), each time up to
/// the revision it had seen at the previous round, so watchers always have 5 minutes of history.
pub const COMPACTION_INTERVAL_MS: u64 = 5 * 60 * 1000;
/// GuaranteedUpdate retries on a stale cache before giving up with a Conflict.
const MAX_UPDATE_ATTEMPTS: u32 = 5;

/// What a request waits for from etcd.
#[derive(Debug)]
enum Waiting {
    /// A get or list range.
    Read,
    /// The pod of a connect subresource (`connect.rs`), read before its kubelet is dialled.
    Connect,
    /// A write of a computed object (None = delete), made against `seen_rev`.
    Write { key: String, outcome: WriteOutcome, attempts: u32 },
}

#[derive(Debug)]
struct Pending {
    client: Component,
    req: ApiRequest,
    waiting: Waiting,
}

/// The kube-apiserver actor.
#[derive(Debug)]
pub struct ApiServer {
    pub running: bool,
    pub cache: WatchCache,
    pending: BTreeMap<u64, Box<Pending>>,
    ips: IpAllocator,
    /// The revision to compact to at the next compaction round.
    compact_next: i64,
    /// When the compaction loop's next tick is due.
    next_compaction: u64,
    /// After a restart: the id of the etcd range that re-fills the watch cache, until it answers.
    initializing: Option<u64>,
    /// Pod creates waiting for their namespace's `default` ServiceAccount, by request id, with the
    /// attempts made (the ServiceAccount plugin looks again, up to 10 times, 100-200 ms apart).
    waiting_for_account: BTreeMap<u64, (Component, Box<ApiRequest>, u32)>,
    /// metrics-server's last scrape, which the aggregation layer serves as the Metrics API; `None`
    /// while no metrics-server is available (the world keeps it; see `world/metrics.rs`).
    pub metrics: Option<metrics::Scrape>,
    /// Streams dialled to kubelets for `exec` and `log`, by the id of the call to the kubelet.
    streams: BTreeMap<u64, connect::OpenStream>,
}

impl Default for ApiServer {
    fn default() -> Self {
        Self::new()
    }
}

impl ApiServer {
    pub fn new() -> Self {
        Self {
            running: true,
            cache: WatchCache::default(),
            pending: BTreeMap::new(),
            ips: IpAllocator::default(),
            compact_next: 0,
            initializing: None,
            next_compaction: 0,
            waiting_for_account: BTreeMap::new(),
            metrics: None,
            streams: BTreeMap::new(),
        }
    }

    /// Starts the periodic compaction loop.
    pub fn start(&mut self, k: &mut Kernel) {
        self.next_compaction = k.now() + COMPACTION_INTERVAL_MS;
        k.set_timer(Component::ApiServer, COMPACTION_INTERVAL_MS, TimerKind::Tick);
    }

    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        match msg.payload {
            Payload::Request(req) => self.on_request(msg.from, *req, k),
            Payload::EtcdReply(reply) => self.on_etcd_reply(*reply, k),
            Payload::EtcdWatch(batch) => self.on_etcd_watch(*batch, k),
            Payload::StreamReply(reply) => self.on_stream_reply(*reply, k),
            _ => {}
        }
    }

    pub fn on_timer(&mut self, kind: TimerKind, k: &mut Kernel) {
        if self.on_watch_timer(&kind, k) {
            return;
        }
        match kind {
            TimerKind::RequestTimeout(etcd_id) if Some(etcd_id) == self.initializing => self.refill_cache(k),
            TimerKind::RequestTimeout(etcd_id) => {
                if let Some(p) = self.pending.remove(&etcd_id) {
                    respond(k, p.client, p.req.id, Err(Status::timeout("etcdserver: request timed out")));
                }
            }
            TimerKind::Object(name) if self.on_dial_timer(&name, k) => {}
            TimerKind::Object(name) if name.starts_with(serviceaccount::RETRY_TIMER) => {
                let id = name[serviceaccount::RETRY_TIMER.len()..].parse::<u64>().ok();
                if let Some((client, req, attempt)) = id.and_then(|id| self.waiting_for_account.remove(&id)) {
                    self.start_write_attempt(client, *req, k, attempt + 1);
                }
            }
            // A tick armed before a restart is stale: the restart armed its own.
            TimerKind::Tick if k.now() == self.next_compaction => {
                if self.compact_next > 0 {
                    let id = k.fresh_id();
                    k.send(
                        Component::ApiServer,
                        Component::Etcd,
                        Payload::Etcd(Box::new(EtcdRequest { id, op: EtcdOp::Compact(self.compact_next) })),
                    );
                }
                self.compact_next = self.cache.revision;
                self.start(k);
            }
            _ => {}
        }
    }

    /// Forgets a client's watches (the client restarted and will open new ones).
    pub fn drop_watches_of(&mut self, client: &Component) {
        self.cache.watchers.remove_client(client);
    }

    fn on_request(&mut self, client: Component, req: ApiRequest, k: &mut Kernel) {
        let rt = req.resource;
        if let Some(refused) = body_not_an_object(&req) {
            return respond(k, client, req.id, Err(refused));
        }
        // Server-side apply is refused whether or not the object exists (it would create one).
        if req.verb == Verb::Patch(PatchType::Apply) {
            return respond(k, client, req.id, Err(Status::unsupported_patch("application/apply-patch+yaml")));
        }
        if req.subresource.as_deref() == Some("scale") && !scale::served(rt) {
            let missing =
                Status::new(404, status::Reason::NotFound, "the server could not find the requested resource");
            return respond(k, client, req.id, Err(missing));
        }
        if connect::is_connect(&req) {
            let Some(name) = req.name.clone() else {
                return respond(k, client, req.id, Err(Status::bad_request("resource name may not be empty")));
            };
            let key = api::storage_key(rt, req.namespace.as_deref(), &name);
            return self.send_to_etcd(k, client, req, Waiting::Connect, EtcdOp::Range(range(key, false)));
        }
        if metrics::is_metrics(rt) {
            let answer = metrics::answer(&req, self.metrics.as_ref(), &self.cache, k.now());
            return respond(k, client, req.id, answer);
        }
        match req.verb.clone() {
            Verb::Get => {
                let Some(name) = req.name.clone() else {
                    return respond(k, client, req.id, Err(Status::bad_request("resource name may not be empty")));
                };
                let key = api::storage_key(rt, req.namespace.as_deref(), &name);
                self.send_to_etcd(k, client, req, Waiting::Read, EtcdOp::Range(range(key, false)));
            }
            Verb::List => {
                if let Err(e) = selectors_of(&req) {
                    return respond(k, client, req.id, Err(e));
                }
                let prefix = api::storage_prefix(rt, req.namespace.as_deref());
                let page = match pagination::start_of(&req, &prefix) {
                    Ok(page) => page,
                    Err(e) => return respond(k, client, req.id, Err(e)),
                };
                let read = RangeRequest { start: page.key, revision: page.revision, ..range(prefix, true) };
                self.send_to_etcd(k, client, req, Waiting::Read, EtcdOp::Range(read));
            }
            Verb::Watch => self.open_watch(client, req, k),
            Verb::DeleteCollection => respond(
                k,
                client,
                req.id,
                Err(Status::new(
                    405,
                    status::Reason::MethodNotAllowed,
                    "the server does not allow this method on the requested resource",
                )),
            ),
            _ => self.start_write(client, req, k),
        }
    }

    fn start_write(&mut self, client: Component, req: ApiRequest, k: &mut Kernel) {
        self.start_write_attempt(client, req, k, 1);
    }

    fn start_write_attempt(&mut self, client: Component, req: ApiRequest, k: &mut Kernel, attempt: u32) {
        let now = k.now();
        let computed = {
            let mut cx = AdmissionCtx { cache: &self.cache, now, rng: &mut k.rng, ips: &mut self.ips };
            writes::compute(&req, &mut cx)
        };
        match computed {
            Err(e) if attempt < serviceaccount::DEFAULT_ACCOUNT_ATTEMPTS && serviceaccount::awaits_default(&e) => {
                // `getServiceAccount`: the controller-manager should make `default` in a moment.
                let wait = serviceaccount::retry_interval(&mut k.rng);
                k.set_timer(
                    Component::ApiServer,
                    wait,
                    TimerKind::Object(format!("{}{}", serviceaccount::RETRY_TIMER, req.id)),
                );
                self.waiting_for_account.insert(req.id, (client, Box::new(req), attempt));
            }
            Err(e) => respond(k, client, req.id, Err(e)),
            Ok(c) => self.send_write(k, client, req, c, 1),
        }
    }

    /// Sends a computed write as one etcd transaction: the object compared on the revision it was
    /// computed against, and each quota it charges compared on its own (ResourceQuota admission).
    fn send_write(&mut self, k: &mut Kernel, client: Component, req: ApiRequest, c: writes::Computed, attempts: u32) {
        let writes::Computed { key, rev: seen_rev, outcome, charges } = c;
        if req.options.dry_run {
            let body = match &outcome {
                WriteOutcome::Put(v) | WriteOutcome::Delete(v) | WriteOutcome::Unchanged(v) => v.clone(),
            };
            return respond(k, client, req.id, Ok(api::convert::to_served(req.resource, &body)));
        }
        let mut compares = vec![if seen_rev == 0 {
            Compare::Missing(key.clone())
        } else {
            Compare::ModRevision(key.clone(), seen_rev)
        }];
        compares.extend(charges.iter().map(|q| Compare::ModRevision(q.key.clone(), q.revision)));
        // The object first: its watch event reaches the quota controller before the quota's, so a
        // controller that sees the charged quota has seen the object too.
        let charged = charges.iter().map(|q| Op::Put { key: q.key.clone(), value: encode(&q.quota), lease: None });
        let success = match &outcome {
            WriteOutcome::Put(v) => {
                std::iter::once(Op::Put { key: key.clone(), value: encode(v), lease: None }).chain(charged).collect()
            }
            WriteOutcome::Delete(_) => vec![Op::Delete { key: key.clone() }],
            WriteOutcome::Unchanged(v) => {
                // Nothing to write: answer with the current object, as the registry does for no-op updates.
                return respond(k, client, req.id, Ok(api::convert::to_served(req.resource, v)));
            }
        };
        let op = match &outcome {
            WriteOutcome::Put(v) if req.resource.kind == "Event" && charges.is_empty() => {
                EtcdOp::PutWithTtl { key: key.clone(), value: encode(v), ttl_ms: super::etcd::EVENT_TTL_MS, compares }
            }
            _ => EtcdOp::Txn { compares, success, failure: vec![Op::Get { key: key.clone() }] },
        };
        self.send_to_etcd(k, client, req, Waiting::Write { key, outcome, attempts }, op);
    }

    fn send_to_etcd(&mut self, k: &mut Kernel, client: Component, req: ApiRequest, waiting: Waiting, op: EtcdOp) {
        let id = k.fresh_id();
        self.pending.insert(id, Box::new(Pending { client, req, waiting }));
        k.send(Component::ApiServer, Component::Etcd, Payload::Etcd(Box::new(EtcdRequest { id, op })));
        k.set_timer(Component::ApiServer, ETCD_TIMEOUT_MS, TimerKind::RequestTimeout(id));
    }

    fn on_etcd_reply(&mut self, reply: EtcdReply, k: &mut Kernel) {
        if Some(reply.id) == self.initializing {
            return self.on_refill(reply, k);
        }
        let Some(p) = self.pending.remove(&reply.id) else { return };
        let result = match reply.result {
            // A page read at a revision compaction has dropped (`interpretListError`).
            Err(e) if pagination::is_compacted(&e) && p.req.verb == Verb::List => {
                let prefix = api::storage_prefix(p.req.resource, p.req.namespace.as_deref());
                let start = pagination::start_of(&p.req, &prefix).ok().and_then(|s| s.key).unwrap_or_default();
                return respond(k, p.client, p.req.id, Err(pagination::expired(&start, &prefix)));
            }
            Err(e) => return respond(k, p.client, p.req.id, Err(Status::internal(e))),
            Ok(r) => r,
        };
        match (p.waiting, result) {
            (Waiting::Read, EtcdResult::Range(r)) => {
                let rt = p.req.resource;
                let out = if p.req.verb == Verb::Get {
                    match r.kvs.first().and_then(|kv| decode(&kv.value, kv.mod_revision)) {
                        Some(obj) if p.req.subresource.as_deref() == Some("scale") => Ok(scale::of(&obj)),
                        Some(obj) => Ok(api::convert::to_served(rt, &obj)),
                        None => Err(Status::not_found(rt, p.req.name.as_deref().unwrap_or_default())),
                    }
                } else {
                    Ok(list_page(&p.req, &r, reply.revision))
                };
                respond(k, p.client, p.req.id, out);
            }
            (Waiting::Connect, EtcdResult::Range(r)) => {
                let pod = r.kvs.first().and_then(|kv| decode(&kv.value, kv.mod_revision));
                self.connect(p.client, p.req, pod, k);
            }
            (Waiting::Write { key, outcome, attempts, .. }, EtcdResult::Txn(t)) => {
                if t.succeeded {
                    let mut body = match outcome {
                        WriteOutcome::Put(v) | WriteOutcome::Delete(v) | WriteOutcome::Unchanged(v) => v,
                    };
                    set_resource_version(&mut body, reply.revision);
                    if p.req.subresource.as_deref() == Some("scale") {
                        body = scale::of(&body);
                    } else {
                        body = api::convert::to_served(p.req.resource, &body);
                    }
                    return respond(k, p.client, p.req.id, Ok(body));
                }
                let current = t.responses.iter().find_map(|r| match r {
                    OpResponse::Get { kv: Some(kv) } => {
                        decode(&kv.value, kv.mod_revision).map(|v| (v, kv.mod_revision))
                    }
                    _ => None,
                });
                self.retry_write(k, p.client, p.req, key, current, attempts);
            }
            _ => respond(k, p.client, p.req.id, Err(Status::internal("unexpected etcd response"))),
        }
    }

    /// The compare failed: etcd had a newer (or no) object. Recompute against it, as GuaranteedUpdate does.
    fn retry_write(
        &mut self,
        k: &mut Kernel,
        client: Component,
        req: ApiRequest,
        key: String,
        current: Option<(Value, i64)>,
        attempts: u32,
    ) {
        let rt = req.resource;
        let name = req.name.clone().unwrap_or_else(|| key.rsplit('/').next().unwrap_or_default().to_string());
        let result = match (&req.verb, current) {
            // generateName collided with an existing name: pick another suffix, as the apiserver has
            // done since 1.32 (RetryGenerateName), instead of failing the create.
            (Verb::Create, Some(_))
                if req.subresource.is_none() && generated_name(&req) && attempts < MAX_UPDATE_ATTEMPTS =>
            {
                let now = k.now();
                let mut cx = AdmissionCtx { cache: &self.cache, now, rng: &mut k.rng, ips: &mut self.ips };
                match writes::compute(&req, &mut cx) {
                    Ok(c) => return self.send_write(k, client, req, c, attempts + 1),
                    Err(e) => Err(e),
                }
            }
            (Verb::Create, Some(_)) if req.subresource.is_none() => Err(Status::already_exists(rt, &name)),
            // The object is still missing, so a quota it charged changed meanwhile: evaluate again
            // against the quota as it is now (the cache has it: etcd's watch event came first).
            (Verb::Create, None) if req.subresource.is_none() => {
                if attempts >= MAX_UPDATE_ATTEMPTS {
                    Err(Status::internal("resource quota evaluation timed out"))
                } else {
                    let now = k.now();
                    let mut cx = AdmissionCtx { cache: &self.cache, now, rng: &mut k.rng, ips: &mut self.ips };
                    match writes::compute(&req, &mut cx) {
                        Ok(c) => return self.send_write(k, client, req, c, attempts + 1),
                        Err(e) => Err(e),
                    }
                }
            }
            (_, None) => Err(Status::not_found(rt, &name)),
            (_, Some(_)) if writes::has_precondition(&req) || attempts >= MAX_UPDATE_ATTEMPTS => {
                Err(Status::conflict(rt, &name))
            }
            (_, Some((cur, rev))) => {
                let now = k.now();
                let mut cx = AdmissionCtx { cache: &self.cache, now, rng: &mut k.rng, ips: &mut self.ips };
                writes::recompute(&req, &cur, rev, &mut cx).map(|o| (rev, o))
            }
        };
        match result {
            Err(e) => respond(k, client, req.id, Err(e)),
            Ok((rev, outcome)) => {
                let c = writes::Computed { key, rev, outcome, charges: Vec::new() };
                self.send_write(k, client, req, c, attempts + 1)
            }
        }
    }

    fn on_etcd_watch(&mut self, batch: EtcdWatchBatch, k: &mut Kernel) {
        if self.initializing.is_some() {
            // The range that re-fills the cache already holds these changes (etcd sends a watch
            // batch before the reply of the write that caused it, on the same FIFO link).
            return;
        }
        for ev in &batch.events {
            let Some(change) = self.cache.apply(ev) else { continue };
            let targets: Vec<(Component, u64, EventType, &'static ResourceType)> = self
                .cache
                .watchers
                .candidates(change.resource, change.old.as_deref(), &change.new)
                .into_iter()
                .filter_map(|w| {
                    w.event_for(change.kind, change.old.as_deref(), &change.new)
                        .map(|e| (w.client.clone(), w.id, e, w.resource))
                })
                .collect();
            for (client, id, event, rt) in targets {
                notify(k, &client, id, event, rt, change.new.clone());
            }
        }
    }
}

/// Whether a create asked the apiserver to make up the name.
fn generated_name(req: &ApiRequest) -> bool {
    let meta = req.body.as_ref().and_then(|b| b.get("metadata"));
    let named = meta.and_then(|m| m.get("name")).and_then(Value::as_str).is_some_and(|n| !n.is_empty());
    !named && meta.and_then(|m| m.get("generateName")).is_some()
}

/// A list (or one page of it) from what etcd read, as the etcd3 store's `GetList` makes it: the keys in
/// order, filtered by resource and selectors, cut after `limit` objects with a `continue` token for
/// the rest, and `remainingItemCount` when no selector filtered (then the keys left are the objects left).
fn list_page(req: &ApiRequest, r: &super::store::RangeResponse, current: i64) -> Value {
    let rt = req.resource;
    let (labels, fields) = selectors_of(req).unwrap_or_default();
    let limit = req.options.limit.filter(|l| *l > 0).map(|l| l as usize);
    let prefix = api::storage_prefix(rt, req.namespace.as_deref());
    // A page continues at its first page's revision; a first page is read at the latest.
    let revision = pagination::start_of(req, &prefix).ok().and_then(|s| s.revision).unwrap_or(current);
    let mut items = Vec::new();
    let mut last_key: Option<&str> = None;
    let mut more = false;
    for kv in &r.kvs {
        if limit.is_some_and(|l| items.len() >= l) {
            more = true;
            break;
        }
        last_key = Some(&kv.key);
        if cache::resource_for_key(&kv.key).is_none_or(|x| x.plural != rt.plural) {
            continue;
        }
        if let Some(o) = decode(&kv.value, kv.mod_revision).filter(|o| labels.matches_object(o) && fields.matches(o)) {
            items.push(api::convert::to_served(rt, &o));
        }
    }
    let mut metadata = json!({"resourceVersion": revision.to_string()});
    if let (true, Some(last), Some(limit)) = (more, last_key, limit) {
        metadata["continue"] = json!(pagination::encode_continue(last, &prefix, revision));
        if req.options.label_selector.is_none() && req.options.field_selector.is_none() {
            metadata["remainingItemCount"] = json!(r.count.saturating_sub(limit));
        }
    }
    json!({"apiVersion": api_version(rt), "kind": format!("{}List", rt.kind), "metadata": metadata, "items": items})
}

fn range(key: String, prefix: bool) -> RangeRequest {
    RangeRequest { key, prefix, ..RangeRequest::default() }
}

/// The request's selectors; a bad one is a 400 with apimachinery's message, as the real apiserver's
/// parameter decoding answers.
fn selectors_of(req: &ApiRequest) -> Result<(Selector, FieldSelector), Status> {
    let labels = parse_selector(req.options.label_selector.as_deref().unwrap_or(""))
        .map_err(|e| Status::bad_request(e.to_string()))?;
    let fields = FieldSelector::parse(req.options.field_selector.as_deref().unwrap_or(""))
        .map_err(|e| Status::bad_request(e.to_string()))?
        .stored_labels(|label| api::convert::stored_field_label(req.resource, label));
    Ok((labels, fields))
}

pub fn api_version(rt: &ResourceType) -> String {
    rt.api_version()
}

fn encode(v: &Value) -> std::sync::Arc<[u8]> {
    serde_json::to_vec(v).expect("a serde_json::Value always serializes").into()
}

fn decode(bytes: &[u8], rev: i64) -> Option<Value> {
    let mut v: Value = serde_json::from_slice(bytes).ok()?;
    set_resource_version(&mut v, rev);
    Some(v)
}

fn respond(k: &mut Kernel, client: Component, request_id: u64, result: Result<Value, Status>) {
    k.send(Component::ApiServer, client, Payload::Response(Box::new(ApiResponse { request_id, result })));
}

/// Sends a watch event, the object in the version the watch asked for.
fn notify(k: &mut Kernel, client: &Component, watch_id: u64, event: EventType, rt: &ResourceType, object: Arc<Value>) {
    let object = if api::convert::converts(rt) { Arc::new(api::convert::to_served(rt, &object)) } else { object };
    k.send(Component::ApiServer, client.clone(), Payload::Watch(Box::new(WatchNotice { watch_id, event, object })));
}

/// A write whose body is JSON but not an object (`[]`, `3`, `"x"`) is refused by the apiserver's
/// decoder before anything reads it, in Go's words; the rest of the apiserver may then take a body to
/// be an object.
fn body_not_an_object(req: &ApiRequest) -> Option<Status> {
    // A JSON patch is a list of operations; its handler reads it (`json_patch::patch_object`).
    if !matches!(req.verb, Verb::Create | Verb::Update | Verb::Patch(PatchType::Merge | PatchType::Strategic)) {
        return None;
    }
    let body = req.body.as_ref()?;
    let json_type = match body {
        Value::Object(_) => return None,
        Value::Array(_) => "array",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Null => return Some(Status::bad_request("Object 'Kind' is missing in 'null'")),
    };
    let message = match req.verb {
        Verb::Patch(_) => format!("json: cannot unmarshal {json_type} into Go value of type map[string]interface {{}}"),
        _ => format!(
            "couldn't get version/kind; json parse error: json: cannot unmarshal {json_type} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}"
        ),
    };
    Some(Status::bad_request(message))
}
