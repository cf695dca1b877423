//! Watches: opening one (a WatchList from the current state, or a resume from a resourceVersion out
//! of the history), and what a stopped apiserver does to the watches and requests it held.

use std::sync::Arc;

use serde_json::{Value, json};

use super::request::{ApiRequest, EventType};
use super::status::{Reason, Status};
use super::watchers::Watcher;
use super::{ApiServer, ETCD_TIMEOUT_MS, api_version, notify, respond, selectors_of};
use crate::sim::api;
use crate::sim::component::Component;
use crate::sim::etcd::{EtcdOp, EtcdReply, EtcdRequest, EtcdResult};
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::Payload;
use crate::sim::store::EventKind;
use crate::sim::store::RangeRequest;

/// What a client sees when the apiserver's process dies under an open connection (client-go's words
/// for a watch stream whose connection was lost).
pub const CONNECTION_LOST: &str = "an error on the server (\"unable to decode an event from the watch stream: http2: client connection lost\") has prevented the request from succeeding";

/// What a client sees when it connects while the apiserver is down (the control-plane endpoint of a
/// kind cluster).
pub const CONNECTION_REFUSED: &str = "dial tcp kind-control-plane:6443: connect: connection refused";

const TIMEOUT_PREFIX: &str = "watch-timeout/";

fn timeout_timer(watch_id: u64) -> String {
    format!("{TIMEOUT_PREFIX}{watch_id}")
}

impl ApiServer {
    /// Opens a watch. With `sendInitialEvents` the current objects come first, then a bookmark that
    /// ends them; with a resourceVersion the kept changes after it are replayed (or `410 Gone` if some
    /// are no longer kept); otherwise events start now.
    pub(super) fn open_watch(&mut self, client: Component, req: ApiRequest, k: &mut Kernel) {
        if self.initializing.is_some() {
            // cacher.go's answer while its cache is not ready.
            let busy = Status::new(429, Reason::TooManyRequests, "storage is (re)initializing");
            return respond(k, client, req.id, Err(busy));
        }
        let (labels, fields) = match selectors_of(&req) {
            Ok(s) => s,
            Err(e) => return respond(k, client, req.id, Err(e)),
        };
        let w = Watcher {
            id: req.id,
            client: client.clone(),
            resource: req.resource,
            namespace: req.namespace.clone(),
            labels,
            fields,
        };
        if req.options.send_initial_events {
            let prefix = api::storage_prefix(req.resource, req.namespace.as_deref());
            let initial: Vec<Arc<Value>> = self
                .cache
                .list_prefix_shared(&prefix)
                .filter(|o| w.event_for(EventKind::Put, None, o).is_some())
                .cloned()
                .collect();
            for object in initial {
                notify(k, &client, req.id, EventType::Added, req.resource, object);
            }
            let bookmark = json!({
                "kind": req.resource.kind, "apiVersion": api_version(req.resource),
                "metadata": {"resourceVersion": self.cache.revision.to_string(), "annotations": {"k8s.io/initial-events-end": "true"}}
            });
            notify(k, &client, req.id, EventType::Bookmark, req.resource, Arc::new(bookmark));
        } else if let Some(rv) = req.options.resource_version {
            let replay: Vec<(EventType, Arc<Value>)> = match self.cache.history.since(rv) {
                Err(gone) => return respond(k, client, req.id, Err(gone)),
                Ok(changes) => changes
                    .filter(|c| c.resource.plural == req.resource.plural)
                    .filter_map(|c| w.event_for(c.kind, c.old.as_deref(), &c.new).map(|e| (e, c.new.clone())))
                    .collect(),
            };
            for (event, object) in replay {
                notify(k, &client, req.id, event, req.resource, object);
            }
        }
        if let Some(t) = req.options.timeout_seconds {
            k.set_timer(Component::ApiServer, t.saturating_mul(1_000), TimerKind::Object(timeout_timer(req.id)));
        }
        self.cache.watchers.add(w);
    }

    /// A watch's `timeoutSeconds` is over: the stream ends normally (the client resumes from its last
    /// resourceVersion). Returns false for other timers.
    pub(super) fn on_watch_timer(&mut self, kind: &TimerKind, k: &mut Kernel) -> bool {
        let TimerKind::Object(name) = kind else { return false };
        let Some(id) = name.strip_prefix(TIMEOUT_PREFIX).and_then(|id| id.parse().ok()) else { return false };
        if let Some(client) = self.cache.watchers.remove(id) {
            respond(k, client, id, Ok(json!({})));
        }
        true
    }

    /// The process stops: every open watch and every request in flight ends for its client with a
    /// lost connection, and the watch cache's history is gone with the process (a restarted apiserver
    /// serves watches only from its new initial state, so resumes from before answer `410 Gone`).
    pub fn stop(&mut self, k: &mut Kernel) {
        self.running = false;
        let lost = || Err(Status::new(500, Reason::InternalError, CONNECTION_LOST));
        for (client, id) in self.cache.watchers.drain() {
            respond(k, client, id, lost());
        }
        for p in std::mem::take(&mut self.pending).into_values() {
            respond(k, p.client, p.req.id, lost());
        }
        for (client, req, _) in std::mem::take(&mut self.waiting_for_account).into_values() {
            respond(k, client, req.id, lost());
        }
        self.cache.history.reset(self.cache.revision);
        self.initializing = None;
    }

    /// The process starts again: its compaction loop restarts (a stopped process misses its timers),
    /// and its watch cache is re-filled from one etcd range before it serves watches (until then they
    /// get `429`); lists and writes go to etcd as always.
    pub fn restart(&mut self, k: &mut Kernel) {
        self.running = true;
        self.start(k);
        self.refill_cache(k);
    }

    pub(super) fn refill_cache(&mut self, k: &mut Kernel) {
        let id = k.fresh_id();
        self.initializing = Some(id);
        let everything = RangeRequest::prefix("/registry/");
        let op = EtcdOp::Range(everything);
        k.send(Component::ApiServer, Component::Etcd, Payload::Etcd(Box::new(EtcdRequest { id, op })));
        k.set_timer(Component::ApiServer, ETCD_TIMEOUT_MS, TimerKind::RequestTimeout(id));
    }

    pub(super) fn on_refill(&mut self, reply: EtcdReply, k: &mut Kernel) {
        match reply.result {
            Ok(EtcdResult::Range(r)) => {
                self.cache.refill(&r.kvs, reply.revision);
                self.initializing = None;
            }
            _ => self.refill_cache(k),
        }
    }
}
