//! Each controller's event recorder: turns `Action::Event` into the core/v1 Event object client-go's
//! recorder writes, with the controller's own source (`deployment-controller`, `replicaset-controller`),
//! which is what `kubectl describe` shows in its `From` column.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::objects::str_at;
use crate::sim::api;
use crate::sim::client::Action;
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, rfc3339};

/// The Event a recorder with `source` would create for `action`; other actions pass through unchanged.
pub fn record(source: &str, action: Action, now: Millis, rng: &mut Rng) -> Action {
    let Action::Event { regarding, event_type, reason, message } = action else { return action };
    let Ok(events) = api::for_kind("v1", "Event") else {
        return Action::Event { regarding, event_type, reason, message };
    };
    let event = event_object(source, &regarding, event_type, &reason, &message, now, rng);
    let ns = str_at(&event, "/metadata/namespace").to_string();
    Action::Create { resource: events, namespace: Some(ns), object: event }
}

/// A core/v1 Event as client-go's recorder writes it (name `<object>.<hex>`, count 1). Events about
/// cluster-scoped objects (nodes) go to `default`, as the recorder does.
fn event_object(
    source: &str,
    regarding: &Value,
    event_type: &str,
    reason: &str,
    message: &str,
    now: Millis,
    rng: &mut Rng,
) -> Value {
    let name = match str_at(regarding, "/metadata/name") {
        "" => "unknown",
        n => n,
    };
    let ns = match str_at(regarding, "/metadata/namespace") {
        "" => "default",
        n => n,
    };
    let t = rfc3339(now);
    let mut involved = json!({
        "apiVersion": str_at(regarding, "/apiVersion"),
        "kind": str_at(regarding, "/kind"),
        "name": name,
        "uid": str_at(regarding, "/metadata/uid"),
        "resourceVersion": str_at(regarding, "/metadata/resourceVersion"),
    });
    if let Some(n) = regarding.at("/metadata/namespace").and_then(Value::as_str) {
        involved["namespace"] = json!(n);
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": format!("{name}.{:016x}", rng.next_u64()), "namespace": ns},
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "source": {"component": source},
        "firstTimestamp": t,
        "lastTimestamp": t,
        "count": 1,
        "type": event_type,
        "reportingComponent": source,
        "reportingInstance": "",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_the_controller_as_source() {
        let mut rng = Rng::new(1);
        let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default", "uid": "u"}});
        let a = Action::Event {
            regarding: dep,
            event_type: "Normal",
            reason: "ScalingReplicaSet".into(),
            message: "m".into(),
        };
        let Action::Create { object, namespace, .. } = record("deployment-controller", a, 1000, &mut rng) else {
            panic!("an event becomes a create")
        };
        assert_eq!(namespace.as_deref(), Some("default"));
        assert_eq!(object["source"]["component"], "deployment-controller");
        assert_eq!(object["involvedObject"]["kind"], "Deployment");
        assert!(object["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("web.")));
    }

    #[test]
    fn node_events_go_to_default_and_other_actions_pass_through() {
        let mut rng = Rng::new(1);
        let node = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "w1"}});
        let a = Action::Event { regarding: node, event_type: "Normal", reason: "R".into(), message: "m".into() };
        let Action::Create { object, .. } = record("node-controller", a, 0, &mut rng) else {
            panic!("an event becomes a create")
        };
        assert_eq!(object["metadata"]["namespace"], "default");
        assert!(object["involvedObject"].get("namespace").is_none());
        let r = Action::Requeue { key: ("a".into(), "b".into()), after: 5 };
        assert_eq!(record("x", r.clone(), 0, &mut rng), r);
    }
}
