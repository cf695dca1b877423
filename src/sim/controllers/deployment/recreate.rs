//! The Recreate strategy (`recreate.go`): every old pod is stopped before any new one starts.
//!
//! ```text
//!  old RSs → 0 ─► wait until no old pod is Pending/Running/Unknown ─► new RS (created) → replicas
//! ```

use super::state::State;
use super::{old_pods_running, progress, replicasets_of};

/// `rolloutRecreate`.
pub fn rollout(st: &mut State<'_>) {
    replicasets_of::sync_revision(st, false);
    let mut scaled_down = false;
    for i in st.olds() {
        if st.rs_replicas(i) > 0 {
            scaled_down |= st.scale_if_needed(i, 0);
        }
    }
    if scaled_down || old_pods_running(st) {
        return progress::sync_rollout_status(st);
    }
    if st.new_rs.is_none() {
        replicasets_of::sync_revision(st, true);
    }
    if let Some(i) = st.new_rs {
        let n = st.d_replicas();
        st.scale_if_needed(i, n);
    }
    if progress::complete(st.orig, &st.orig["status"]) {
        replicasets_of::cleanup(st);
    }
    progress::sync_rollout_status(st);
}
