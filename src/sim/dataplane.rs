//! The data plane: what a program in a pod reaches when it resolves a name or opens a connection,
//! computed from the cluster's state at the moment it asks (`view.rs`), with CoreDNS's record rules
//! (`coredns.rs`) and kindnet's NetworkPolicy verdicts (`policy.rs`). The path is decided when the
//! program runs; its hops are then sent as messages (`path.rs`), which the trace and diagram show.

pub mod coredns;
pub mod path;
pub mod policy;
pub mod view;
