//! The informers' side of the manager: one watch per resource (WatchList with initial events), re-opened
//! and re-listed after a failure, as client-go's reflector does.

use std::collections::BTreeSet;

use super::{ControllerManager, REWATCH_BACKOFF_MS, REWATCH_PREFIX, Watch, me};
use crate::sim::api::ResourceType;
use crate::sim::apiserver::request::{ApiResponse, EventType, WatchNotice};
use crate::sim::client::{self, ObjectKey};
use crate::sim::controllers::objects;
use crate::sim::kernel::{Kernel, TimerKind};

impl ControllerManager {
    pub(super) fn open(&mut self, rt: &'static ResourceType, relist: Option<BTreeSet<ObjectKey>>, k: &mut Kernel) {
        let id = client::open_watch(&me(), rt, None, k);
        self.watches.insert(id, Box::new(Watch { rt, synced: false, relist }));
    }

    /// Re-opens every watch (the apiserver restarted and forgot them): each informer re-lists and
    /// deletes what disappeared meanwhile.
    pub fn reopen_watches(&mut self, k: &mut Kernel) {
        let old = std::mem::take(&mut self.watches);
        for w in old.into_values() {
            let keys = self.informers.list(w.rt, None).map(objects::key_of).collect();
            self.open(w.rt, Some(keys), k);
        }
    }

    pub(super) fn on_watch(&mut self, n: WatchNotice) {
        let Some(w) = self.watches.get_mut(&n.watch_id) else { return };
        let rt = w.rt;
        if n.event == EventType::Bookmark {
            if !w.synced {
                w.synced = true;
                if let Some(before) = w.relist.take() {
                    self.purge_missing(rt, before);
                }
            }
            if !self.started && self.watches.values().all(|w| w.synced) {
                self.started = true;
            }
            return;
        }
        if let Some(seen) = w.relist.as_mut() {
            seen.remove(&objects::key_of(&n.object));
        }
        if let Some(change) = self.informers.apply(rt, n.event, n.object) {
            self.dispatch(&change);
        }
    }

    /// After a re-list, objects that were cached but are gone get a delete (client-go's Replace).
    fn purge_missing(&mut self, rt: &'static ResourceType, missing: BTreeSet<ObjectKey>) {
        for (ns, name) in missing {
            if let Some(obj) = self.informers.get_shared(rt, &ns, &name)
                && let Some(change) = self.informers.apply(rt, EventType::Deleted, obj)
            {
                self.dispatch(&change);
            }
        }
    }

    /// A watch that failed (or ended): the reflector re-lists after a short backoff. Returns false
    /// when the response is not about a watch.
    pub(super) fn on_watch_response(&mut self, resp: &ApiResponse, k: &mut Kernel) -> bool {
        let Some(w) = self.watches.remove(&resp.request_id) else { return false };
        if resp.result.is_err() {
            let kind = TimerKind::Object(format!("{REWATCH_PREFIX}{}", w.rt.plural));
            k.set_timer(me(), REWATCH_BACKOFF_MS, kind);
        } else {
            self.watches.insert(resp.request_id, w);
        }
        true
    }
}
