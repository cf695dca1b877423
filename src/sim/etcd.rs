//! The etcd actor: serves the kube-apiserver's transactions and ranges from the MVCC store and streams
//! its watch events back. Only the kube-apiserver talks to it, as in a real cluster.

use super::component::Component;
use super::kernel::Kernel;
use super::message::Payload;
use super::store::{
    Compare, EventKind, Op, RangeRequest, RangeResponse, Revision, Store, TxnResponse, WatchEvent, WatchId,
};
use super::time::Millis;

/// How long an Event lives in etcd before its lease expires (the apiserver's `--event-ttl`, 1h).
pub const EVENT_TTL_MS: Millis = 60 * 60 * 1000;

/// One call from the kube-apiserver.
#[derive(Debug, Clone)]
pub struct EtcdRequest {
    pub id: u64,
    pub op: EtcdOp,
}

#[derive(Debug, Clone)]
pub enum EtcdOp {
    Txn {
        compares: Vec<Compare>,
        success: Vec<Op>,
        failure: Vec<Op>,
    },
    Range(RangeRequest),
    /// A put attached to a fresh lease of `ttl_ms` (Events expire this way).
    PutWithTtl {
        key: String,
        value: std::sync::Arc<[u8]>,
        ttl_ms: Millis,
    },
    /// Drops history below a revision (the apiserver asks every 5 minutes).
    Compact(Revision),
}

#[derive(Debug, Clone)]
pub enum EtcdResult {
    Txn(TxnResponse),
    Range(RangeResponse),
    Compacted,
}

/// etcd's answer; `revision` is the store's revision after the call.
#[derive(Debug, Clone)]
pub struct EtcdReply {
    pub id: u64,
    pub revision: Revision,
    pub result: Result<EtcdResult, String>,
}

/// Watch events for the kube-apiserver's watch on `/registry/`.
#[derive(Debug, Clone)]
pub struct EtcdWatchBatch {
    pub events: Vec<WatchEvent>,
}

impl EtcdRequest {
    pub fn summary(&self) -> String {
        match &self.op {
            EtcdOp::Txn { success, .. } => {
                let ops: Vec<String> = success.iter().map(op_summary).collect();
                format!("txn {}", ops.join(", "))
            }
            EtcdOp::Range(r) if r.prefix => format!("range {} (prefix)", r.key),
            EtcdOp::Range(r) => format!("range {}", r.key),
            EtcdOp::PutWithTtl { key, .. } => format!("put {key} (lease)"),
            EtcdOp::Compact(rev) => format!("compact {rev}"),
        }
    }

    pub fn key(&self) -> Option<String> {
        match &self.op {
            EtcdOp::Txn { success, .. } => success.first().map(|op| match op {
                Op::Put { key, .. } | Op::Delete { key } | Op::Get { key } => key.clone(),
            }),
            EtcdOp::Range(r) => Some(r.key.clone()),
            EtcdOp::PutWithTtl { key, .. } => Some(key.clone()),
            EtcdOp::Compact(_) => None,
        }
    }
}

fn op_summary(op: &Op) -> String {
    match op {
        Op::Put { key, .. } => format!("put {key}"),
        Op::Delete { key } => format!("delete {key}"),
        Op::Get { key } => format!("get {key}"),
    }
}

impl EtcdReply {
    pub fn summary(&self) -> String {
        match &self.result {
            Ok(EtcdResult::Txn(t)) if t.succeeded => format!("txn ok, revision {}", self.revision),
            Ok(EtcdResult::Txn(_)) => format!("txn compare failed, revision {}", self.revision),
            Ok(EtcdResult::Range(r)) => format!("{} key(s), revision {}", r.kvs.len(), self.revision),
            Ok(EtcdResult::Compacted) => format!("compacted, revision {}", self.revision),
            Err(e) => format!("error: {e}"),
        }
    }
}

impl EtcdWatchBatch {
    pub fn summary(&self) -> String {
        match self.events.as_slice() {
            [one] => {
                let verb = match one.kind {
                    EventKind::Put => "PUT",
                    EventKind::Delete => "DELETE",
                };
                format!("{verb} {}", one.kv.key)
            }
            many => format!("{} events", many.len()),
        }
    }
}

/// The etcd member: the store plus whether it is up.
#[derive(Debug)]
pub struct Etcd {
    pub store: Store,
    pub running: bool,
    apiserver_watch: WatchId,
}

impl Default for Etcd {
    fn default() -> Self {
        Self::new()
    }
}

impl Etcd {
    pub fn new() -> Self {
        let mut store = Store::new();
        let apiserver_watch = store.watch("/registry/", true, 0).expect("watching from now cannot be compacted");
        Self { store, running: true, apiserver_watch }
    }

    /// Serves one request and pushes the watch events it caused to the kube-apiserver.
    pub fn handle(&mut self, req: EtcdRequest, k: &mut Kernel) {
        let result = match req.op {
            EtcdOp::Txn { compares, success, failure } => {
                self.store.txn(&compares, success, failure).map(EtcdResult::Txn).map_err(|e| e.to_string())
            }
            EtcdOp::Range(r) => self.store.range(&r).map(EtcdResult::Range).map_err(|e| e.to_string()),
            EtcdOp::PutWithTtl { key, value, ttl_ms } => {
                let lease = self.store.lease_grant(ttl_ms, k.now());
                self.store
                    .txn(&[], vec![Op::Put { key, value, lease: Some(lease) }], vec![])
                    .map(EtcdResult::Txn)
                    .map_err(|e| e.to_string())
            }
            EtcdOp::Compact(rev) => self.store.compact(rev).map(|()| EtcdResult::Compacted).map_err(|e| e.to_string()),
        };
        // Watch events go out before the reply on the same FIFO link, so the apiserver's cache has
        // seen a write by the time the writer hears it succeeded.
        self.flush_watch(k);
        let reply = EtcdReply { id: req.id, revision: self.store.revision(), result };
        k.send(Component::Etcd, Component::ApiServer, Payload::EtcdReply(Box::new(reply)));
    }

    /// Expires leases that are due (Event TTLs) and streams the deletions.
    pub fn tick(&mut self, k: &mut Kernel) {
        self.store.expire_leases(k.now());
        self.flush_watch(k);
    }

    fn flush_watch(&mut self, k: &mut Kernel) {
        for (id, events) in self.store.drain_watch_events() {
            if id == self.apiserver_watch && !events.is_empty() {
                k.send(Component::Etcd, Component::ApiServer, Payload::EtcdWatch(Box::new(EtcdWatchBatch { events })));
            }
        }
    }

    /// Any lease expiry the simulation must wake etcd for.
    pub fn next_timer(&self) -> Option<Millis> {
        self.store.next_lease_expiry()
    }
}
