//! The data plane, first increment: what a program in a pod reaches when it resolves a name or
//! opens a connection, computed from the cluster's state at the moment it asks (`view.rs`), with
//! CoreDNS's record rules (`coredns.rs`) and kindnet's NetworkPolicy verdicts (`policy.rs`). The
//! packets are not yet messages on the simulated network: the path is computed at exec time, and the
//! diagram does not draw it.

pub mod coredns;
pub mod policy;
pub mod view;
