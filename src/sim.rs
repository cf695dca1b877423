//! The simulated cluster: pure and deterministic, no web dependencies (runs natively under `cargo test`).

pub mod component;
pub mod network;
pub mod rng;
pub mod store;
pub mod time;
pub mod trace;
