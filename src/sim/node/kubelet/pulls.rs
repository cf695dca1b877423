//! Image pulls as the kubelet's image manager does them: pull policy, one pull at a time per node
//! (`serializeImagePulls`), back-off per pod and image (10 s doubling to 5 min), and the events
//! `Pulling`, `Pulled`, `Failed`, `BackOff` with upstream's wording.

use super::podspec::PullPolicy;
use super::sync::Advance;
use super::worker::Progress;
use super::{CriOp, Kubelet};
use crate::sim::kernel::Kernel;
use crate::sim::node::backoff::go_duration;
use crate::sim::node::cri::{CriCall, CriError, CriResult};
use crate::sim::node::registry::reference::{ImageRef, invalid_name_message};
use crate::sim::time::Millis;

/// How long a container waits before its next attempt when the image name is unusable.
const HOPELESS_RETRY_MS: Millis = 300_000;

impl Kubelet {
    /// Makes sure container `i`'s image is on the node: checks the policy, the back-off, and queues
    /// a pull when needed.
    pub(crate) fn ensure_image(&mut self, uid: &str, i: usize, k: &mut Kernel) -> Advance {
        let now = k.now();
        let Some(w) = self.pods.get_mut(uid) else { return Advance::Sent };
        let image = w.spec.container(i).image.clone();
        let policy = w.spec.container(i).pull_policy;
        let full = match ImageRef::parse(&image) {
            Ok(r) => r.full(),
            Err(e) => {
                let message = invalid_name_message(&image, &e);
                w.containers[i].wait("InvalidImageName", message.clone());
                w.containers[i].retry_at = Some(now + HOPELESS_RETRY_MS);
                self.event(uid, "Warning", "InspectFailed", message, k);
                self.event(uid, "Warning", "Failed", "Error: InvalidImageName".into(), k);
                return Advance::Blocked;
            }
        };
        let present = self.images.get(&full).cloned();
        let must_pull = match (policy, &present) {
            (PullPolicy::Always, _) | (PullPolicy::IfNotPresent, None) => true,
            (_, Some(_)) => false,
            (PullPolicy::Never, None) => {
                let message = format!("Container image {image:?} is not present with pull policy of Never");
                w.containers[i].wait("ErrImageNeverPull", message.clone());
                w.containers[i].retry_at = Some(now + HOPELESS_RETRY_MS);
                self.event(uid, "Warning", "ErrImageNeverPull", message, k);
                return Advance::Blocked;
            }
        };
        if !must_pull {
            let c = &mut w.containers[i];
            c.image = Some((full, present.unwrap_or_default()));
            c.progress = Progress::ImageReady;
            self.event(uid, "Normal", "Pulled", format!("Container image {image:?} already present on machine"), k);
            return Advance::Again;
        }
        let key = format!("{uid}_{image}");
        if self.pull_backoff.in_backoff_since_update(&key, now) {
            let until = self.pull_backoff.update_backoff_ends(&key).unwrap_or(now + 10_000);
            let previous = self.pull_errors.get(&key).cloned().unwrap_or_default();
            let c = &mut w.containers[i];
            c.wait("ImagePullBackOff", format!("Back-off pulling image {image:?}: ErrImagePull: {previous}"));
            c.retry_at = Some(until);
            self.event(uid, "Normal", "BackOff", format!("Back-off pulling image {image:?}"), k);
            self.event(uid, "Warning", "Failed", "Error: ImagePullBackOff".into(), k);
            return Advance::Blocked;
        }
        w.busy = Some(0);
        self.event(uid, "Normal", "Pulling", format!("Pulling image {image:?}"), k);
        self.pull_queue.push_back((uid.to_string(), i, now));
        self.pump_pulls(k);
        Advance::Sent
    }

    /// Sends the next queued pull if none is in flight.
    pub(crate) fn pump_pulls(&mut self, k: &mut Kernel) {
        while self.pulling.is_none() {
            let Some((uid, i, queued)) = self.pull_queue.pop_front() else { return };
            let Some(w) = self.pods.get(&uid) else { continue };
            if w.stage != super::worker::Stage::Active {
                if let Some(w) = self.pods.get_mut(&uid) {
                    w.busy = None;
                }
                continue;
            }
            let image = w.spec.container(i).image.clone();
            let id = self.cri_call(CriCall::PullImage { image }, CriOp::Pull(uid.clone(), i, queued, k.now()), k);
            self.pulling = Some(id);
            if let Some(w) = self.pods.get_mut(&uid) {
                w.busy = Some(id);
            }
        }
    }

    /// The runtime answered a pull.
    pub(crate) fn pull_done(
        &mut self,
        uid: &str,
        i: usize,
        queued: Millis,
        sent: Millis,
        result: Result<CriResult, CriError>,
        k: &mut Kernel,
    ) {
        let now = k.now();
        self.pulling = None;
        if let Some(w) = self.pods.get_mut(uid) {
            w.busy = None;
            let image = w.spec.container(i).image.clone();
            match result {
                Ok(CriResult::ImagePulled { full, repo_digest, size }) => {
                    self.add_image(&full, &repo_digest, size);
                    if let Some(w) = self.pods.get_mut(uid) {
                        w.containers[i].image = Some((full, repo_digest));
                        w.containers[i].progress = Progress::ImageReady;
                    }
                    let message = format!(
                        "Successfully pulled image {image:?} in {} ({} including waiting). Image size: {size} bytes.",
                        go_duration(now - sent),
                        go_duration(now - queued)
                    );
                    self.event(uid, "Normal", "Pulled", message, k);
                }
                Ok(_) => {}
                Err(e) => {
                    let key = format!("{uid}_{image}");
                    self.pull_backoff.next(&key, now);
                    self.pull_errors.insert(key, e.to_string());
                    let c = &mut w.containers[i];
                    c.wait("ErrImagePull", e.to_string());
                    // Resync soon: the container then shows ImagePullBackOff until the back-off ends.
                    c.retry_at = Some(now + 1000);
                    self.event(uid, "Warning", "Failed", format!("Failed to pull image {image:?}: {e}"), k);
                    self.event(uid, "Warning", "Failed", "Error: ErrImagePull".into(), k);
                    self.wake(uid, now + 1000, k);
                }
            }
        }
        self.pump_pulls(k);
        self.sync(uid, k);
    }
}
