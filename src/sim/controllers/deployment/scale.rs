//! Scaling without rolling (`sync.go` `scale`): a paused Deployment, or `kubectl scale` in the middle
//! of a rollout, spreads the new size over the active ReplicaSets in proportion to their sizes.

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::state::{State, by_creation};
use super::{ANN_DESIRED, ANN_MAX, max_surge, progress, replicasets_of};
use crate::sim::controllers::objects;

/// `isScalingEvent`: an active ReplicaSet was sized for a different `spec.replicas`.
pub fn is_scaling_event(st: &mut State<'_>) -> bool {
    replicasets_of::sync_revision(st, false);
    let want = st.d_replicas();
    st.all().into_iter().filter(|i| st.rs_replicas(*i) > 0).any(|i| {
        objects::annotation(&st.rss[i], ANN_DESIRED).and_then(|s| s.parse::<i64>().ok()).is_some_and(|d| d != want)
    })
}

/// `sync`: scale, clean up history, write status.
pub fn sync(st: &mut State<'_>) {
    replicasets_of::sync_revision(st, false);
    scale(st);
    replicasets_of::cleanup(st);
    progress::sync_status(st);
}

/// `FindActiveOrLatest`: the only active ReplicaSet, or the newest when none is active.
fn active_or_latest(st: &State<'_>) -> Option<usize> {
    let mut olds = st.olds();
    olds.stable_sort_by(|a, b| by_creation(&st.rss[*b], &st.rss[*a]));
    let mut all = olds.clone();
    all.extend(st.new_rs);
    let active: Vec<usize> = all.into_iter().filter(|i| st.rs_replicas(*i) > 0).collect();
    match active.len() {
        0 => st.new_rs.or(olds.first().copied()),
        1 => Some(active[0]),
        _ => None,
    }
}

/// `IsSaturated`: the new ReplicaSet has all replicas, sized for them, and all available.
fn saturated(st: &State<'_>, i: usize) -> bool {
    let want = st.d_replicas();
    let desired = objects::annotation(&st.rss[i], ANN_DESIRED).and_then(|s| s.parse::<i64>().ok());
    st.rs_replicas(i) == want && desired == Some(want) && st.available(i) == want
}

/// `getReplicaSetFraction`: this ReplicaSet's share of the change, from the max-replicas it was sized for.
fn fraction(st: &State<'_>, i: usize) -> i64 {
    let want = st.d_replicas();
    let have = st.rs_replicas(i);
    if want == 0 {
        return -have;
    }
    let deployment_replicas = want + max_surge(&st.d);
    let annotated = objects::annotation(&st.rss[i], ANN_MAX)
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| objects::i64_at(&st.d, "/status/replicas", 0));
    if annotated == 0 {
        return 0;
    }
    ((have * deployment_replicas) as f64 / annotated as f64).round() as i64 - have
}

fn scale(st: &mut State<'_>) {
    let want = st.d_replicas();
    if let Some(i) = active_or_latest(st) {
        if st.rs_replicas(i) != want {
            st.scale_if_needed(i, want);
        }
        return;
    }
    if let Some(i) = st.new_rs.filter(|i| saturated(st, *i)) {
        let _ = i;
        for o in st.olds() {
            if st.rs_replicas(o) > 0 {
                st.scale_if_needed(o, 0);
            }
        }
        return;
    }
    if !super::is_rolling(&st.d) {
        return;
    }
    let mut active: Vec<usize> = st.all().into_iter().filter(|i| st.rs_replicas(*i) > 0).collect();
    let to_add = want.max(0) - st.sum_replicas(&active);
    // Larger first; on ties newer first when growing, older first when shrinking.
    active.stable_sort_by(|a, b| {
        let (ra, rb): (&Value, &Value) = (&st.rss[*a], &st.rss[*b]);
        st.rs_replicas(*b)
            .cmp(&st.rs_replicas(*a))
            .then_with(|| if to_add > 0 { by_creation(rb, ra) } else { by_creation(ra, rb) })
    });
    let mut added = 0;
    let mut sizes: Vec<i64> = Vec::new();
    for &i in &active {
        let have = st.rs_replicas(i);
        if to_add == 0 || to_add == added {
            sizes.push(have);
            continue;
        }
        let allowed = to_add - added;
        let f = fraction(st, i);
        let p = if to_add > 0 { f.min(allowed) } else { f.max(allowed) };
        sizes.push(have + p);
        added += p;
    }
    if let Some(first) = sizes.first_mut()
        && to_add != 0
    {
        *first = (*first + to_add - added).max(0);
    }
    for (&i, n) in active.iter().zip(sizes) {
        // `scaleReplicaSet` also refreshes the annotations when the size is unchanged.
        st.scale(i, n);
    }
}
