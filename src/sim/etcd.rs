//! The etcd actor: serves the kube-apiserver's transactions and ranges from the MVCC store and streams
//! its watch events back. Only the kube-apiserver talks to it, as in a real cluster.

use super::component::Component;
use super::kernel::Kernel;
use super::message::Payload;
use super::store::{Op, Store, WatchId};

// The wire types live in the protocol module, below the kernel; re-exported where they were.
pub use super::protocol::etcd::{EVENT_TTL_MS, EtcdOp, EtcdReply, EtcdRequest, EtcdResult, EtcdWatchBatch};
use super::time::Millis;

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
            EtcdOp::PutWithTtl { key, value, ttl_ms, compares } => {
                let lease = self.store.lease_grant(ttl_ms, k.now());
                let failure = vec![Op::Get { key: key.clone() }];
                self.store
                    .txn(&compares, vec![Op::Put { key, value, lease: Some(lease) }], failure)
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
