//! The one client library every component uses to talk to the kube-apiserver, in the style of client-go
//! and kube-runtime: a reflector (list, watch, resume, re-list) feeding an informer cache, and `Action`s
//! that the owning actor turns into API requests.
//!
//! Reconcilers stay pure (as kube-rs's `reconcile(obj, ctx) -> Result<Action, _>`): they read the
//! cache and return actions; the actor sends them as requests. That keeps every rule testable without a
//! network, and every write visible as a message in the trace.

mod actions;
mod cache;
pub mod event_series;
pub mod events;
mod expectations;
mod informers;
pub mod reflector;
pub mod workqueue;

pub use actions::{Action, Outcome, open_watch, send_action};
pub use cache::{Cache, Change, ObjectKey, object_key, resource_id};
pub use expectations::{EXPECTATIONS_TTL_MS, Expectations};
pub use informers::{Informers, ObjectRef, PodCounts, ResourceId};
pub use reflector::Reflector;
