//! Whether a pod may run on a node, the one implementation the scheduler, the DaemonSet controller,
//! the taint-eviction controller and the kubelet's admission share (upstream's
//! `component-helpers/scheduling/corev1`: `ToleratesTaint`, `FindMatchingUntoleratedTaint`,
//! `nodeaffinity.GetRequiredNodeAffinity`, and the host-port clash rule of `nodeports`).
//!
//! A pure module below the components: it reads `api` JSON and knows nothing of who asks. Every
//! parser here is total: malformed input reads as "matches nothing" (or is skipped), never a panic.

mod affinity;
mod ports;
mod taints;

pub use affinity::{NodeSelector, NodeSelectorTerm, PreferredTerm, RequiredNodeAffinity};
pub use ports::{HostPort, host_ports};
pub use taints::{Effect, Taint, Toleration, TolerationOp, find_untolerated, tolerated};
