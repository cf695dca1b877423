//! The RollingUpdate strategy (`rolling.go`): scale the new ReplicaSet up as far as maxSurge allows;
//! if it did not grow, scale old ones down as far as maxUnavailable allows (unhealthy replicas first).
//!
//! Worked example, 3 replicas, maxSurge 1, maxUnavailable 0 (at most 4 pods, at least 3 available):
//! ```text
//!  old 3 / new 0 ─► new 1 (4 pods) ─► new ready: old 2 ─► new 2 ─► old 1 ─► new 3 ─► old 0
//! ```

use super::replicasets_of::{self, new_rs_new_replicas};
use super::state::State;
use super::{max_unavailable, progress};
use crate::sim::sort::StableSort;

/// `rolloutRolling`.
pub fn rollout(st: &mut State<'_>) {
    replicasets_of::sync_revision(st, true);
    if reconcile_new(st) || reconcile_old(st) {
        return progress::sync_rollout_status(st);
    }
    if progress::complete(st.orig, &st.orig["status"]) {
        replicasets_of::cleanup(st);
    }
    progress::sync_rollout_status(st);
}

/// `reconcileNewReplicaSet`: returns whether the new ReplicaSet was scaled.
fn reconcile_new(st: &mut State<'_>) -> bool {
    let Some(i) = st.new_rs else { return false };
    let want = st.d_replicas();
    let have = st.rs_replicas(i);
    if have == want {
        return false;
    }
    if have > want {
        return st.scale_if_needed(i, want);
    }
    let n = new_rs_new_replicas(st, have);
    st.scale_if_needed(i, n)
}

/// `reconcileOldReplicaSets`: returns whether any old ReplicaSet was scaled down.
fn reconcile_old(st: &mut State<'_>) -> bool {
    let mut olds: Vec<usize> = st.olds().into_iter().filter(|i| st.rs_replicas(*i) > 0).collect();
    if st.sum_replicas(&olds) == 0 {
        return false;
    }
    let all_pods = st.sum_replicas(&st.all());
    let min_available = st.d_replicas() - max_unavailable(&st.d);
    let new_unavailable = st.new_rs.map_or(0, |i| st.rs_replicas(i) - st.available(i));
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    olds.stable_sort_by(|a, b| super::state::by_creation(&st.rss[*a], &st.rss[*b]));
    let cleaned = cleanup_unhealthy(st, &olds, max_scaled_down);
    let scaled = scale_down_olds(st, &olds);
    cleaned + scaled > 0
}

/// `cleanupUnhealthyReplicas`: old ReplicaSets lose their unavailable replicas first, which cannot
/// make availability worse.
fn cleanup_unhealthy(st: &mut State<'_>, olds: &[usize], max_cleanup: i64) -> i64 {
    let mut total = 0;
    for &i in olds {
        if total >= max_cleanup {
            break;
        }
        let (have, avail) = (st.rs_replicas(i), st.available(i));
        if have == 0 || have == avail {
            continue;
        }
        let down = (max_cleanup - total).min(have - avail);
        st.scale_if_needed(i, have - down);
        total += down;
    }
    total
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: only as far as the available pods exceed minAvailable.
fn scale_down_olds(st: &mut State<'_>, olds: &[usize]) -> i64 {
    let min_available = st.d_replicas() - max_unavailable(&st.d);
    let available = st.sum_status(&st.all(), "availableReplicas");
    if available <= min_available {
        return 0;
    }
    let budget = available - min_available;
    let mut total = 0;
    for &i in olds {
        if total >= budget {
            break;
        }
        let have = st.rs_replicas(i);
        if have == 0 {
            continue;
        }
        let down = have.min(budget - total);
        st.scale_if_needed(i, have - down);
        total += down;
    }
    total
}
