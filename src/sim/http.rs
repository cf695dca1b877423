//! The Kubernetes REST API over HTTP, as `sandbox serve` offers it to real clients (kubectl, client
//! libraries): what an HTTP request means to the simulated kube-apiserver, and the documents the real
//! apiserver serves besides objects (version, discovery, `Table` rows).
//!
//! Pure and socket-free, so it is tested natively like the rest of the simulation; the server that
//! owns the sockets and the clock is `src/bin/sandbox/serve.rs`. Every object request becomes one
//! [`ApiRequest`] sent to the kube-apiserver as a message, exactly as the sandbox's own kubectl sends
//! it, so it lands in the trace.

pub mod attach;
pub mod discovery;
pub mod exec;
pub mod logs;
pub mod openapi;
pub mod portforward;
pub mod protobuf;
pub mod route;
// The SPDY codec needs zlib, which only the native `sandbox serve` links.
#[cfg(not(target_arch = "wasm32"))]
pub mod spdy;
pub mod status;
pub mod table;
pub mod websocket;

pub use route::{Route, RowObject, route};
