//! The root CA certificate publisher (`pkg/controller/certificates/rootcacertpublisher`): every
//! namespace has a `kube-root-ca.crt` ConfigMap with the cluster CA, created when the namespace
//! appears, re-created if deleted and put back if edited, so that pods can verify the apiserver.

use serde_json::{Value, json};

use super::Controller;
use super::objects;
use crate::sim::api::pointer::Pointer;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::bootstrap::ROOT_CA_CRT;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// `RootCACertConfigMapName`.
pub const CONFIG_MAP_NAME: &str = "kube-root-ca.crt";
const DESCRIPTION_ANNOTATION: &str = "kubernetes.io/description";
const DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

fn namespaces() -> &'static ResourceType {
    api::resolve("namespaces").expect("namespaces are always served")
}

fn config_maps() -> &'static ResourceType {
    api::resolve("configmaps").expect("configmaps are always served")
}

#[derive(Debug, Default)]
pub struct RootCaCertPublisher;

/// `syncNamespace`: create the ConfigMap if missing; put the data and the description back if changed.
pub fn sync(inf: &Informers, ns: &str) -> Vec<Action> {
    let Some(n) = inf.get(namespaces(), "", ns) else { return Vec::new() };
    // A create in a terminating namespace is refused; upstream ignores that error, here it is not sent.
    if objects::is_deleting(n) || objects::str_at(n, "/status/phase") == "Terminating" {
        return Vec::new();
    }
    let data = json!({"ca.crt": ROOT_CA_CRT});
    let Some(cm) = inf.get(config_maps(), ns, CONFIG_MAP_NAME) else {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": CONFIG_MAP_NAME, "namespace": ns, "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
            "data": data});
        return vec![Action::Create { resource: config_maps(), namespace: Some(ns.to_string()), object: cm }];
    };
    let described = cm
        .at("/metadata/annotations")
        .and_then(|a| a.get(DESCRIPTION_ANNOTATION))
        .and_then(Value::as_str)
        .is_some_and(|d| !d.is_empty());
    if cm.get("data") == Some(&data) && described {
        return Vec::new();
    }
    let mut cm = Value::clone(cm);
    cm["data"] = data;
    let annotations = cm["metadata"].as_object_mut().map(|m| m.entry("annotations").or_insert(json!({})));
    if let Some(a) = annotations {
        if !a.is_object() {
            *a = Value::Object(serde_json::Map::new());
        }
        a[DESCRIPTION_ANNOTATION] = json!(DESCRIPTION);
    }
    if let Some(m) = cm.as_object_mut() {
        m.remove("binaryData");
    }
    vec![Action::Update { resource: config_maps(), object: cm }]
}

impl Controller for RootCaCertPublisher {
    fn name(&self) -> &'static str {
        "root-ca-certificate-publisher"
    }

    fn event_source(&self) -> &'static str {
        "root-ca-cert-publisher"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["namespaces", "configmaps"]
    }

    /// Upstream starts one worker (`Run(ctx, 1)`).
    fn workers(&self) -> usize {
        1
    }

    /// Namespaces added or updated; the ConfigMap updated or deleted (its namespace is synced again).
    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        let obj = &change.new;
        match change.resource.plural {
            "namespaces" if change.event != EventType::Deleted => vec![(String::new(), objects::name(obj).to_string())],
            "configmaps" if change.event != EventType::Added && objects::name(obj) == CONFIG_MAP_NAME => {
                vec![(String::new(), objects::namespace(obj).to_string())]
            }
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, _now: Millis, _rng: &mut Rng) -> Vec<Action> {
        sync(inf, &key.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controllers::testutil::*;
    use std::collections::BTreeMap;

    fn data_of(cm: &Value) -> BTreeMap<String, String> {
        cm.get("data")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default()
    }

    fn ns(name: &str, terminating: bool) -> Value {
        let mut n = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "uid": name}, "status": {"phase": "Active"}});
        if terminating {
            n["metadata"]["deletionTimestamp"] = json!("2025-01-01T00:00:00Z");
            n["status"]["phase"] = json!("Terminating");
        }
        n
    }

    #[test]
    fn every_active_namespace_gets_the_ca_and_keeps_it() {
        let mut inf = Informers::default();
        inf.insert(ns("team", false));
        inf.insert(ns("going", true));
        let made = creates(&sync(&inf, "team"), "ConfigMap");
        assert_eq!(made[0]["metadata"]["name"], "kube-root-ca.crt");
        assert_eq!(data_of(&made[0]).get("ca.crt").map(String::as_str), Some(ROOT_CA_CRT));
        assert!(
            made[0]["metadata"]["annotations"][DESCRIPTION_ANNOTATION]
                .as_str()
                .is_some_and(|d| d.starts_with("Contains a CA bundle"))
        );
        assert!(sync(&inf, "going").is_empty(), "not in a terminating namespace");
        assert!(sync(&inf, "missing").is_empty());

        let mut cm = made[0].clone();
        cm["metadata"]["uid"] = json!("cm");
        inf.insert(cm.clone());
        assert!(sync(&inf, "team").is_empty(), "in place: nothing to do");

        let mut edited = cm.clone();
        edited["data"]["ca.crt"] = json!("tampered");
        let ch = inf.apply(config_maps(), EventType::Modified, std::sync::Arc::new(edited)).expect("change");
        assert_eq!(RootCaCertPublisher.keys_for(&ch, &inf), vec![(String::new(), "team".to_string())]);
        let fixed = updates(&sync(&inf, "team"), "ConfigMap");
        assert_eq!(data_of(&fixed[0]).get("ca.crt").map(String::as_str), Some(ROOT_CA_CRT), "edits are put back");

        let ch = inf.remove(cm).expect("change");
        assert_eq!(
            RootCaCertPublisher.keys_for(&ch, &inf),
            vec![(String::new(), "team".to_string())],
            "deleted: re-created"
        );
    }
}
