//! What the kube-apiserver and etcd say to each other: transactions, ranges, leases and compaction
//! requests, their replies, and batches of watch events.

use crate::sim::store::{Compare, EventKind, Op, RangeRequest, RangeResponse, Revision, TxnResponse, WatchEvent};
use crate::sim::time::Millis;

/// One call from the kube-apiserver.
/// How long an Event lives in etcd after its last write before its lease expires (the apiserver's
/// `--event-ttl`, 1 h). Event recorders know it too: after it, a repeat is a new Event.
pub const EVENT_TTL_MS: Millis = 60 * 60 * 1000;

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
    /// A put attached to a fresh lease of `ttl_ms`, if `compares` hold (Events expire this way; each write
    /// of an Event renews its TTL, as the apiserver's event registry sets it on create and update).
    PutWithTtl {
        key: String,
        value: std::sync::Arc<[u8]>,
        ttl_ms: Millis,
        compares: Vec<Compare>,
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
