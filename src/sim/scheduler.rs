//! kube-scheduler: watches pods and nodes, picks a node for every pending pod, and binds it.
//!
//! ```text
//!  watch pods ─┐                      ┌─ activeQ ◄── backoffQ (1s, 2s, 4s … 10s)
//!  watch nodes ┼─► cluster cache ─────┤      │            ▲
//!  watch pcs  ─┘   (NodeInfo totals)  │      ▼            │ cluster event / 5 min flush
//!                                     │  scheduling cycle ─► unschedulablePods
//!                                     │   PreFilter → Filter (percentageOfNodesToScore, rotating start)
//!                                     │   → PreScore → Score → Normalize × weight → highest (ties: rng)
//!                                     │      │ no fit: PostFilter = preemption (evict lower priority)
//!                                     ▼      ▼
//!                           assume pod on node ──► POST pods/binding ──► Event "Scheduled"
//! ```
//! The pure parts (queue, plugins, cycle, preemption) take the cache and a pod and return decisions;
//! the actor (`actor.rs`) turns decisions into API requests.

pub mod actor;
pub mod cluster;
pub mod cycle;
pub mod decision;
pub mod fasthash;
pub mod framework;
pub mod history;
pub mod labels;
pub mod nodeinfo;
pub mod plugins;
pub mod podinfo;
pub mod preemption;
pub mod queue;
pub mod registry;
pub mod resources;
pub mod terms;
pub mod volumes;
pub mod writes;

#[cfg(test)]
pub(crate) mod testing;

pub use actor::Scheduler;
pub use decision::Decision;
