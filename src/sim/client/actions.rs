//! Writes as data: the `Action`s reconcilers return, and how the owning actor turns each into one API
//! request (with the Events client-go's recorder would write).

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::ObjectKey;
use super::events::{EventSource, event_object};
use crate::sim::api::ResourceType;
use crate::sim::component::Component;
use crate::sim::kernel::Kernel;
use crate::sim::message::Payload;
use crate::sim::protocol::request::{ApiRequest, PatchType, Verb};
use crate::sim::protocol::status::Status;
use crate::sim::time::{Millis, rfc3339};

/// What became of one write a reconcile asked for.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The apiserver answered with this object.
    Done(&'a Value),
    /// The apiserver (or the network, as a timeout) refused it.
    Failed(&'a Status),
    /// Never sent: an earlier create of the same slow-start batch failed (client-go `slowStartBatch`).
    Skipped,
}

/// A write a reconciler wants made. The owning actor sends each as one API request.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Create {
        resource: &'static ResourceType,
        namespace: Option<String>,
        object: Value,
    },
    /// PUT of the whole object; `object.metadata.resourceVersion` makes it conditional.
    Update {
        resource: &'static ResourceType,
        object: Value,
    },
    /// PUT to the `status` subresource.
    UpdateStatus {
        resource: &'static ResourceType,
        object: Value,
    },
    Patch {
        resource: &'static ResourceType,
        namespace: Option<String>,
        name: String,
        patch_type: PatchType,
        patch: Value,
        status: bool,
    },
    Delete {
        resource: &'static ResourceType,
        namespace: Option<String>,
        name: String,
        propagation: Option<String>,
        grace_seconds: Option<i64>,
    },
    /// POST `pods/binding`: what the scheduler writes to place a pod.
    Bind {
        namespace: String,
        name: String,
        node: String,
    },
    /// Record an Event about an object (reason, message, type `Normal` or `Warning`).
    Event {
        regarding: Value,
        event_type: &'static str,
        reason: String,
        message: String,
    },
    /// PUT to the `scale` subresource: the HPA's write of its target's replica count.
    UpdateScale {
        resource: &'static ResourceType,
        namespace: String,
        name: String,
        replicas: i64,
    },
    /// A read of a collection (the HPA controller's Metrics API query): its answer reaches
    /// `Controller::on_result`, and a refused read does not make the sync count as failed.
    List {
        resource: &'static ResourceType,
        namespace: Option<String>,
        label_selector: Option<String>,
    },
    /// Look at this key again after a delay (like `Action::requeue(d)`).
    Requeue {
        key: ObjectKey,
        after: Millis,
    },
}

/// Opens a watch on `rt` that starts with the current objects (WatchList: `sendInitialEvents=true`),
/// so an informer needs no separate list. Returns the watch id that its notices will carry.
pub fn open_watch(me: &Component, rt: &'static ResourceType, field_selector: Option<String>, k: &mut Kernel) -> u64 {
    let id = k.fresh_id();
    let mut req = ApiRequest::new(id, Verb::Watch, rt);
    req.options.send_initial_events = true;
    req.options.field_selector = field_selector;
    k.send(me.clone(), Component::ApiServer, Payload::Request(Box::new(req)));
    id
}

/// Turns an action into its API request and sends it; returns the request id (None for `Requeue`,
/// which the actor handles itself).
pub fn send_action(me: &Component, action: Action, k: &mut Kernel) -> Option<u64> {
    let id = k.fresh_id();
    let ns_of = |v: &Value| v.at("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
    let name_of = |v: &Value| v.at("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let req = match action {
        Action::Requeue { .. } => return None,
        Action::Create { resource, namespace, object } => {
            ApiRequest::new(id, Verb::Create, resource).in_namespace(namespace.as_deref()).with_body(object)
        }
        Action::Update { resource, object } => ApiRequest::new(id, Verb::Update, resource)
            .in_namespace(ns_of(&object).as_deref())
            .named(&name_of(&object))
            .with_body(object),
        Action::UpdateStatus { resource, object } => ApiRequest::new(id, Verb::Update, resource)
            .in_namespace(ns_of(&object).as_deref())
            .named(&name_of(&object))
            .on_subresource("status")
            .with_body(object),
        Action::Patch { resource, namespace, name, patch_type, patch, status } => {
            let r = ApiRequest::new(id, Verb::Patch(patch_type), resource)
                .in_namespace(namespace.as_deref())
                .named(&name)
                .with_body(patch);
            if status { r.on_subresource("status") } else { r }
        }
        Action::Delete { resource, namespace, name, propagation, grace_seconds } => {
            let mut r = ApiRequest::new(id, Verb::Delete, resource).in_namespace(namespace.as_deref()).named(&name);
            r.options.propagation_policy = propagation;
            r.options.grace_period_seconds = grace_seconds;
            r
        }
        Action::UpdateScale { resource, namespace, name, replicas } => {
            let body = json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": name, "namespace": namespace}, "spec": {"replicas": replicas}});
            ApiRequest::new(id, Verb::Update, resource)
                .in_namespace(Some(&namespace))
                .named(&name)
                .on_subresource("scale")
                .with_body(body)
        }
        Action::List { resource, namespace, label_selector } => {
            let mut r = ApiRequest::new(id, Verb::List, resource).in_namespace(namespace.as_deref());
            r.options.label_selector = label_selector;
            r
        }
        Action::Bind { namespace, name, node } => {
            let body = json!({
                "apiVersion": "v1", "kind": "Binding",
                "metadata": {"name": name, "namespace": namespace},
                "target": {"apiVersion": "v1", "kind": "Node", "name": node}
            });
            ApiRequest::new(id, Verb::Create, pods())
                .in_namespace(Some(&namespace))
                .named(&name)
                .on_subresource("binding")
                .with_body(body)
        }
        Action::Event { regarding, event_type, reason, message } => {
            // Uncorrelated: components record through their `EventRecorder`, which sends a create or a patch.
            let t = rfc3339(k.now());
            let event = event_object(&EventSource::of(me), &regarding, event_type, &reason, &message, &t, &mut k.rng);
            let ns = ns_of(&event);
            ApiRequest::new(id, Verb::Create, events()).in_namespace(ns.as_deref()).with_body(event)
        }
    };
    k.send(me.clone(), Component::ApiServer, Payload::Request(Box::new(req)));
    Some(id)
}

fn pods() -> &'static ResourceType {
    crate::sim::api::resolve("pods").expect("pods are always served")
}

fn events() -> &'static ResourceType {
    crate::sim::api::for_kind("v1", "Event").expect("core v1 events are always served")
}
