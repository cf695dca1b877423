//! The wire: every message the simulated components send each other, and the kernel's envelope for it.
//!
//! This module sits below the kernel and every component. It depends only on the object model
//! (`api`), the store's value types (`store`), component names and time, never on the actors that
//! send these messages, so that the transport knows nothing above it (as raft-rs and turmoil keep
//! their transports). `tests/architecture.rs` holds it to that.

pub mod connect;
pub mod cri;
pub mod etcd;
pub mod kubelet;
pub mod message;
pub mod packet;
pub mod request;
pub mod status;
pub mod stream;
