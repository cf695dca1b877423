//! The kubelet's own API traffic: the 10 s loop (Lease renewal, node status when it changed or every
//! 5 min), the answers to its requests, and retrying what got no answer (the apiserver was down).

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::registration;
use super::worker::Stage;
use super::{ApiOp, Kubelet, REPORT_MS, TICK_MS, rt, volumes};
use crate::sim::apiserver::request::{ApiResponse, PatchType};
use crate::sim::apiserver::status::Reason;
use crate::sim::client::Action;
use crate::sim::kernel::Kernel;

impl Kubelet {
    /// Requests that got no answer within a tick (the apiserver was down, a link was cut) count as
    /// failed: what they were for is tried again.
    fn expire_requests(&mut self, k: &mut Kernel) {
        let now = k.now();
        let expired: Vec<u64> =
            self.api.iter().filter(|(_, (_, sent))| sent + TICK_MS <= now).map(|(id, _)| *id).collect();
        for id in expired {
            let Some((op, _)) = self.api.remove(&id) else { continue };
            match op {
                ApiOp::NodeCreate | ApiOp::NodeGet => {
                    let node = registration::node_object(&self.config, now, self.boots, &self.image_list);
                    self.api_action(
                        Action::Create { resource: rt("nodes"), namespace: None, object: node },
                        ApiOp::NodeCreate,
                        k,
                    );
                }
                ApiOp::LeaseCreate | ApiOp::LeaseGet | ApiOp::LeaseUpdate => self.hb.lease_pending = false,
                ApiOp::NodeStatus => self.hb.status_fingerprint = 0,
                ApiOp::PodStatus(uid) => {
                    if let Some(w) = self.pods.get_mut(&uid) {
                        w.last_status = 0;
                    }
                    self.post_status(&uid, k);
                }
                ApiOp::PodDelete(uid) => {
                    if self.pods.get(&uid).is_some_and(|w| w.stage == Stage::Finished && !w.deleted) {
                        self.delete_object(&uid, k);
                    }
                }
                ApiOp::Fetch(uid, ..) | ApiOp::Claim(uid, ..) | ApiOp::ClaimVolume(uid, ..) => {
                    if let Some(w) = self.pods.get_mut(&uid) {
                        w.fetch_pending = w.fetch_pending.saturating_sub(1);
                        w.refetch_at = Some(now);
                    }
                    self.sync(&uid, k);
                }
                ApiOp::Event => {}
                op @ (ApiOp::MirrorCreate(_) | ApiOp::MirrorDelete(_)) => self.mirror_reply(op, None, k),
            }
        }
    }

    /// The 10 s loop: retry the unanswered, renew the Lease, post the node status when due.
    pub(crate) fn tick(&mut self, k: &mut Kernel) {
        let now = k.now();
        self.expire_requests(k);
        let unsent: Vec<String> =
            self.pods.iter().filter(|(_, w)| w.last_status == 0).map(|(uid, _)| uid.clone()).collect();
        for uid in unsent {
            self.post_status(&uid, k);
        }
        let Some(uid) = self.hb.node_uid.clone() else {
            return;
        };
        self.sync_mirrors(k);
        match self.hb.lease.clone() {
            Some(mut lease) if !self.hb.lease_pending => {
                lease["spec"]["renewTime"] = json!(registration::micro_time(now));
                self.hb.lease_pending = true;
                self.api_action(Action::Update { resource: rt("leases"), object: lease }, ApiOp::LeaseUpdate, k);
            }
            None if !self.hb.lease_pending => {
                self.hb.lease_pending = true;
                let lease = registration::lease_object(&self.config, &uid, now);
                self.api_action(
                    Action::Create { resource: rt("leases"), namespace: Some("kube-node-lease".into()), object: lease },
                    ApiOp::LeaseCreate,
                    k,
                );
            }
            _ => {}
        }
        // Only the images change what the node reports; the status is built when it is sent.
        let fp = {
            use std::hash::{Hash, Hasher};
            let mut h = crate::sim::node::Fnv::default();
            for i in &self.image_list {
                (&i.repo_digest, &i.tags, i.size).hash(&mut h);
            }
            h.finish() | 1
        };
        // `nodeStatusHasChanged` compares with the Node the apiserver holds: one whose Ready condition
        // another writer changed (the node lifecycle controller's `Unknown` after an outage) is
        // reported again at once, not at the next five-minute report.
        let node_disagrees = self.sources[super::SOURCE_NODE].cache().list(rt("nodes"), None).any(|n| {
            n.at("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|cs| cs.iter().find(|c| c.get("type").and_then(Value::as_str) == Some("Ready")))
                .is_some_and(|c| c.get("status").and_then(Value::as_str) != Some("True"))
        });
        if fp != self.hb.status_fingerprint || now >= self.hb.status_sent_at + REPORT_MS || node_disagrees {
            self.hb.status_fingerprint = fp;
            self.hb.status_sent_at = now;
            let status =
                registration::node_status(&self.config, self.hb.registered_at, now, self.boots, &self.image_list);
            let patch = json!({"status": status});
            let name = self.config.name.clone();
            self.api_action(
                Action::Patch {
                    resource: rt("nodes"),
                    namespace: None,
                    name,
                    patch_type: PatchType::Strategic,
                    patch,
                    status: true,
                },
                ApiOp::NodeStatus,
                k,
            );
        }
    }

    /// One of a pod's fetches answered: once all have, its volumes are projected again and it syncs.
    fn fetch_answered(&mut self, uid: &str, k: &mut Kernel) {
        let Some(w) = self.pods.get_mut(uid) else { return };
        w.fetch_pending = w.fetch_pending.saturating_sub(1);
        if w.fetch_pending == 0 {
            self.refresh_projections(uid);
            self.sync(uid, k);
        }
    }

    /// Handles the answer to one of the kubelet's requests.
    pub(crate) fn on_response(&mut self, r: ApiResponse, k: &mut Kernel) {
        let me = self.me();
        if self.sources.iter_mut().any(|source| source.on_response(&r, &me, k)) {
            return;
        }
        let Some((op, _)) = self.api.remove(&r.request_id) else { return };
        let uid_of = |v: &Value| v.at("/metadata/uid").and_then(Value::as_str).map(str::to_string);
        match (op, r.result) {
            (ApiOp::NodeCreate | ApiOp::NodeGet, Ok(node)) => {
                self.hb.node_uid = uid_of(&node);
                self.sync_mirrors(k);
            }
            (op @ (ApiOp::MirrorCreate(_) | ApiOp::MirrorDelete(_)), result) => {
                let created = result.ok().as_ref().and_then(uid_of);
                self.mirror_reply(op, created, k);
            }
            (ApiOp::NodeCreate, Err(s)) if s.reason == Reason::AlreadyExists => {
                let name = self.config.name.clone();
                self.api_get(rt("nodes"), None, &name, ApiOp::NodeGet, k);
            }
            (ApiOp::LeaseCreate | ApiOp::LeaseGet | ApiOp::LeaseUpdate, Ok(lease)) => {
                self.hb.lease = Some(lease);
                self.hb.lease_pending = false;
            }
            (ApiOp::LeaseCreate | ApiOp::LeaseUpdate, Err(s))
                if matches!(s.reason, Reason::AlreadyExists | Reason::Conflict) =>
            {
                let name = self.config.name.clone();
                self.api_get(rt("leases"), Some("kube-node-lease"), &name, ApiOp::LeaseGet, k);
            }
            (ApiOp::LeaseCreate | ApiOp::LeaseGet | ApiOp::LeaseUpdate, Err(_)) => self.hb.lease_pending = false,
            (ApiOp::NodeStatus, Err(_)) => self.hb.status_fingerprint = 0,
            (ApiOp::PodStatus(uid), Err(s)) if s.reason != Reason::NotFound => {
                // Sent again at the next change or tick.
                if let Some(w) = self.pods.get_mut(&uid) {
                    w.last_status = 0;
                }
            }
            (ApiOp::Fetch(uid, ns, secret, name), result) => {
                let data = match result {
                    Ok(obj) => Some(volumes::data_of(&obj, secret)),
                    Err(_) => None,
                };
                self.objects.insert((ns, secret, name), data);
                self.fetch_answered(&uid, k);
            }
            (ApiOp::Claim(uid, ns, claim), result) => {
                if self.on_claim(&uid, ns, claim, result, k)
                    && let Some(w) = self.pods.get_mut(&uid)
                {
                    w.fetch_pending += 1;
                }
                self.fetch_answered(&uid, k);
            }
            (ApiOp::ClaimVolume(uid, ns, claim, volume), result) => {
                self.on_claim_volume(ns, claim, volume, result);
                self.fetch_answered(&uid, k);
            }
            _ => {}
        }
    }
}
