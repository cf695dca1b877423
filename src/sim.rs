//! The simulated cluster: pure and deterministic, no web dependencies (runs natively under `cargo test`).

pub mod api;
pub mod apiserver;
pub mod bench;
pub mod client;
pub mod cloud;
pub mod component;
pub mod controllers;
pub mod etcd;
pub mod kernel;
pub mod kubectl;
pub mod message;
pub mod network;
pub mod node;
pub mod rng;
pub mod scheduler;
pub mod sort;
pub mod script;
pub mod store;
pub mod time;
pub mod trace;
pub mod world;
