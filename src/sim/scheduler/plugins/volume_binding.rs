//! VolumeBinding (`pkg/scheduler/framework/plugins/volumebinding`), its PreFilter: every claim the pod
//! uses must exist and not be being deleted, and an unbound claim must be one whose class waits for the
//! first consumer; otherwise no node can help. (Its Filter, which finds volumes or provisioning on each
//! node for WaitForFirstConsumer claims, and its PreBind are not modelled: such pods are placed as if
//! their volumes were found.)

use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{ClusterEvent, Plugin, PreFilterResult, Status};
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "VolumeBinding";
/// `ErrReasonBindConflict`'s sibling for PreFilter: claims the PV controller must bind first.
pub const UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";

#[derive(Debug, Default)]
pub struct VolumeBinding;

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter(&mut self, pod: &PodInfo, cluster: &Cluster) -> PreFilterResult {
        let volumes = cluster.volumes();
        let mut unbound_immediate = false;
        for name in &pod.claims {
            let Some(claim) = volumes.claim(&pod.namespace, name) else {
                return Err(Status::unresolvable(format!("persistentvolumeclaim \"{name}\" not found")));
            };
            if claim.deleting {
                return Err(Status::unresolvable(format!("persistentvolumeclaim \"{name}\" is being deleted")));
            }
            if !claim.bound && !volumes.delays_binding(claim) {
                unbound_immediate = true;
            }
        }
        if unbound_immediate {
            return Err(Status::unresolvable(UNBOUND_IMMEDIATE));
        }
        Ok(None)
    }

    fn requeue_on(&self, event: &ClusterEvent) -> bool {
        matches!(event, ClusterEvent::PvcChange | ClusterEvent::StorageClassChange | ClusterEvent::NodeAdd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::framework::Code;
    use crate::sim::scheduler::testing::pod;
    use serde_json::json;

    fn claim(name: &str, volume: &str, class: &str, deleting: bool) -> serde_json::Value {
        let mut c = json!({"metadata": {"namespace": "default", "name": name},
            "spec": {"volumeName": volume, "storageClassName": class}});
        if deleting {
            c["metadata"]["deletionTimestamp"] = json!("2025-01-01T00:00:00Z");
        }
        c
    }

    #[test]
    fn pre_filter_table() {
        let mut cluster = Cluster::default();
        cluster.volumes_mut().set_claim(&claim("bound", "pv1", "manual", false));
        cluster.volumes_mut().set_claim(&claim("waiting", "", "fast", false));
        cluster.volumes_mut().set_claim(&claim("late", "", "standard", false));
        cluster.volumes_mut().set_claim(&claim("going", "pv2", "manual", true));
        cluster
            .volumes_mut()
            .set_class(&json!({"metadata": {"name": "standard"}, "volumeBindingMode": "WaitForFirstConsumer"}), false);
        let uses = |claims: &[&str]| {
            let vols: Vec<_> =
                claims.iter().map(|c| json!({"name": c, "persistentVolumeClaim": {"claimName": c}})).collect();
            pod("p", "", "", json!({"volumes": vols}))
        };
        let cases: [(&[&str], Option<&str>); 6] = [
            (&[], None),
            (&["bound"], None),
            (&["late"], None),
            (&["bound", "waiting"], Some(UNBOUND_IMMEDIATE)),
            (&["missing"], Some("persistentvolumeclaim \"missing\" not found")),
            (&["going"], Some("persistentvolumeclaim \"going\" is being deleted")),
        ];
        for (claims, want) in cases {
            let got = VolumeBinding.pre_filter(&uses(claims), &cluster);
            match want {
                None => assert!(got.is_ok(), "{claims:?}"),
                Some(msg) => {
                    let s = got.expect_err("rejected");
                    assert_eq!(
                        (s.code, s.message()),
                        (Code::UnschedulableAndUnresolvable, msg.to_string()),
                        "{claims:?}"
                    );
                }
            }
        }
        let eph =
            pod("web-0", "", "", json!({"volumes": [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {}}}]}));
        assert_eq!(eph.claims, ["web-0-scratch"]);
    }
}
