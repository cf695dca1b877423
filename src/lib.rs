//! Kubernetes Architecture Sandbox: a whole cluster simulated in Rust, drawn in the browser.
//!
//! `sim` is the cluster (pure, deterministic, no web dependencies); `lessons` are the teacher's lesson
//! files and their checks, read against `sim`; `ui` is the Yew front end.

pub mod lessons;
pub mod sim;
pub mod ui;

/// Test helpers shared by the unit and integration tests (native only).
#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod test_support;
