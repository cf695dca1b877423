//! The simulated cluster: pure and deterministic, no web dependencies (runs natively under `cargo test`).

pub mod time;
