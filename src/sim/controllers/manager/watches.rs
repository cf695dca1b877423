//! The informers' side of the manager: one reflector per resource the controllers need (the client
//! library's list-and-watch loop), whose changes feed the shared informers' indexes and the
//! controllers' queues. Controllers start syncing once every reflector has listed (client-go's
//! `WaitForCacheSync`).

use super::{ControllerManager, me};
use crate::sim::api::ResourceType;
use crate::sim::apiserver::request::{ApiResponse, WatchNotice};
use crate::sim::client::Reflector;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::time::Millis;

impl ControllerManager {
    pub(super) fn open(&mut self, rt: &'static ResourceType, k: &mut Kernel) {
        let mut reflector = Reflector::new(rt, None);
        reflector.start(&me(), k);
        self.reflectors.push(reflector);
    }

    pub(super) fn on_watch(&mut self, n: WatchNotice, now: Millis) {
        let Some(r) = self.reflectors.iter_mut().find(|r| r.owns(n.watch_id)) else { return };
        let rt = r.resource();
        for change in r.on_notice(n) {
            if let Some(change) = self.informers.apply(rt, change.event, change.new) {
                self.dispatch(&change, now);
            }
        }
        if !self.started && self.reflectors.iter().all(Reflector::has_synced) {
            self.started = true;
        }
    }

    /// A watch that failed or ended goes back to its reflector. Returns false when the response is
    /// not about a watch.
    pub(super) fn on_watch_response(&mut self, resp: &ApiResponse, k: &mut Kernel) -> bool {
        self.reflectors.iter_mut().any(|r| r.on_response(resp, &me(), k))
    }

    /// The reflectors' backoff and health-check timers. Returns false for other timers.
    pub(super) fn on_reflector_timer(&mut self, kind: &TimerKind, k: &mut Kernel) -> bool {
        self.reflectors.iter_mut().any(|r| r.on_timer(kind, &me(), k))
    }
}
