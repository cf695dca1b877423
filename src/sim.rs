//! The simulated cluster: pure and deterministic, no web dependencies (runs natively under `cargo test`).
//!
//! Maps whose values are larger structs hold them boxed (`BTreeMap<K, Box<V>>`): BTreeMap's node
//! code is compiled once per key and value layout, and wasm-opt folds the copies that come out
//! identical, so values of one size (a pointer) share it. Boxing 23 such maps took 22 KB (gzip)
//! off the page; the struct's own drop and clone code is unchanged.

pub mod api;
pub mod apiserver;
pub mod bench;
pub mod bootstrap;
pub mod client;
pub mod cloud;
pub mod component;
pub mod controllers;
pub mod dataplane;
pub mod etcd;
pub mod http;
pub mod ingress;
pub mod kernel;
pub mod kubectl;
pub mod metrics_server;
pub mod protocol;
pub mod provisioner;
// Re-exported where it was before the protocol module held it.
pub use protocol::message;
pub mod network;
pub mod node;
pub mod rng;
pub mod scheduler;
pub mod script;
pub mod sort;
pub mod store;
pub mod time;
pub mod trace;
pub mod workstation;
pub mod world;
