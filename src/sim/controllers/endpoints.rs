//! The endpoints controller (`pkg/controller/endpoint`): for each Service with a selector, an
//! Endpoints object of the same name listing the IPs of the pods it selects, ready ones in
//! `addresses` and the others in `notReadyAddresses`, with the Service's ports resolved against
//! each pod (`targetPort` may name a container port).
//!
//! Which pods back a Service is kept current from events ([`Members`]), and an Endpoints object lists
//! at most 1000 addresses (`endpoints.kubernetes.io/over-capacity: truncated`), so a Service over
//! 150,000 pods costs little per change. Simplified: the 1000 kept are the first by pod name (upstream
//! keeps ready and not-ready addresses in proportion); no last-change-trigger-time annotation.

use crate::sim::api::pointer::Pointer;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Controller;
use super::members::{Member, Members, has_selector, services};
use super::objects;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

/// `maxCapacity`: an Endpoints object lists at most 1000 addresses (then it is marked truncated).
pub const MAX_ENDPOINTS: usize = 1000;
pub const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";

fn endpoints_rt() -> &'static ResourceType {
    api::resolve("endpoints").expect("endpoints are always served")
}

#[derive(Debug, Default)]
pub struct EndpointsController {
    members: Members,
    /// Pods that changed since the Service's last sync.
    dirty: BTreeMap<ObjectKey, Vec<ObjectKey>>,
    /// For a truncated Endpoints: the last pod it lists. Changes to pods after it cannot change it.
    window_end: BTreeMap<ObjectKey, ObjectKey>,
}

fn address(m: &Member) -> Value {
    let mut a = json!({"ip": m.ip, "targetRef": m.target});
    if !m.node.is_empty() {
        a["nodeName"] = json!(m.node);
    }
    if let Some(h) = &m.hostname {
        a["hostname"] = json!(h);
    }
    a
}

/// One subset being built: the addresses sharing one port list.
#[derive(Default)]
struct Subset {
    ready: Vec<Value>,
    not_ready: Vec<Value>,
    ports: Vec<Value>,
}

/// The subsets for a Service's members, one per distinct port list (`RepackSubsets`), from the
/// first 1000 members by pod name; when some were left out, the last pod listed.
pub fn subsets(members: &BTreeMap<ObjectKey, Member>, publish_not_ready: bool) -> (Vec<Value>, Option<ObjectKey>) {
    let mut by_ports: BTreeMap<String, Subset> = BTreeMap::new();
    let mut taken = 0;
    let mut last = None;
    for (k, m) in members {
        if m.terminating && !publish_not_ready {
            continue;
        }
        if taken == MAX_ENDPOINTS {
            return (pack(by_ports), last);
        }
        taken += 1;
        last = Some(k.clone());
        let entry = by_ports
            .entry(Value::Array(m.ports.clone()).to_string())
            .or_insert_with(|| Subset { ports: m.ports.clone(), ..Subset::default() });
        if m.ready || publish_not_ready { entry.ready.push(address(m)) } else { entry.not_ready.push(address(m)) }
    }
    (pack(by_ports), None)
}

fn pack(by_ports: BTreeMap<String, Subset>) -> Vec<Value> {
    by_ports
        .into_values()
        .map(|Subset { ready, not_ready, ports }| {
            let mut s = json!({});
            if !ready.is_empty() {
                s["addresses"] = Value::Array(ready);
            }
            if !not_ready.is_empty() {
                s["notReadyAddresses"] = Value::Array(not_ready);
            }
            if !ports.is_empty() {
                s["ports"] = Value::Array(ports);
            }
            s
        })
        .collect()
}

impl EndpointsController {
    /// `syncService`.
    pub fn sync_service(&mut self, inf: &Informers, key: &ObjectKey) -> Vec<Action> {
        let (ns, name) = (key.0.as_str(), key.1.as_str());
        let existing = inf.get(endpoints_rt(), ns, name);
        let Some(svc) = inf.get(services(), ns, name) else {
            self.members.forget(key);
            return existing
                .map(|_| Action::Delete {
                    resource: endpoints_rt(),
                    namespace: Some(ns.into()),
                    name: name.into(),
                    propagation: None,
                    grace_seconds: None,
                })
                .into_iter()
                .collect();
        };
        if !has_selector(svc) {
            self.members.forget(key);
            return Vec::new();
        }
        let dirty = self.dirty.remove(key).unwrap_or_default();
        if self.members.of(key).is_none() {
            self.members.rebuild(inf, key);
            self.window_end.remove(key);
        }
        if existing.is_some() && self.window_end.get(key).is_some_and(|end| dirty.iter().all(|p| p > end)) {
            return Vec::new();
        }
        let publish = svc.at("/spec/publishNotReadyAddresses").and_then(Value::as_bool) == Some(true);
        let (subsets, last) = self.members.of(key).map(|m| subsets(m, publish)).unwrap_or_default();
        let truncated = last.is_some();
        match last {
            Some(end) => self.window_end.insert(key.clone(), end),
            None => self.window_end.remove(key),
        };
        let mut ep = existing.cloned().unwrap_or_else(
            || json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": ns}}),
        );
        let before = ep.clone();
        ep["metadata"]["labels"] = svc.at("/metadata/labels").cloned().unwrap_or(json!({}));
        let ann = objects::map_at(&mut ep, &["metadata", "annotations"]);
        if truncated {
            ann.insert(OVER_CAPACITY.into(), json!("truncated"));
        } else {
            ann.remove(OVER_CAPACITY);
        }
        if ann.is_empty() {
            ep["metadata"].as_object_mut().map(|m| m.remove("annotations"));
        }
        match subsets.is_empty() {
            true => ep.as_object_mut().map(|m| m.remove("subsets")),
            false => ep.as_object_mut().map(|m| m.insert("subsets".into(), Value::Array(subsets))),
        };
        match existing {
            None => vec![Action::Create { resource: endpoints_rt(), namespace: Some(ns.into()), object: ep }],
            Some(_) if ep == before => Vec::new(),
            Some(_) => vec![Action::Update { resource: endpoints_rt(), object: ep }],
        }
    }
}

impl Controller for EndpointsController {
    fn name(&self) -> &'static str {
        "endpoints"
    }

    fn event_source(&self) -> &'static str {
        "endpoint-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["services", "pods", "endpoints"]
    }

    fn keys_for(&mut self, change: &Change, inf: &Informers) -> Vec<ObjectKey> {
        let key = objects::key_of(&change.new);
        match change.resource.plural {
            "services" => {
                if change.event == EventType::Deleted
                    || change.old.as_deref().is_none_or(|o| {
                        o.get("spec") != change.new.get("spec")
                            || o.at("/metadata/labels") != change.new.at("/metadata/labels")
                    })
                {
                    self.members.forget(&key);
                    self.window_end.remove(&key);
                }
                vec![key]
            }
            "pods" => {
                let touched = self.members.pod_changed(inf, change);
                for svc in &touched {
                    self.dirty.entry(svc.clone()).or_default().push(key.clone());
                }
                touched
            }
            // Someone removed our Endpoints: put them back.
            _ if change.event == EventType::Deleted => vec![key],
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, _now: Millis, _rng: &mut Rng) -> Vec<Action> {
        self.sync_service(inf, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controllers::testutil::*;

    fn sync_service(inf: &Informers, ns: &str, name: &str) -> Vec<Action> {
        EndpointsController::default().sync_service(inf, &(ns.to_string(), name.to_string()))
    }

    pub fn service(selector: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "default", "name": "web", "uid": "svc-uid", "labels": {"app": "web"}},
            "spec": {"selector": selector, "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}})
    }

    pub fn web_pod(name: &str, ip: &str, ready: bool) -> Value {
        let mut p = pod_of(&replicaset("rs", 1, "web"), name, "w1", "Running", ready.then_some(0));
        p["spec"]["containers"][0]["ports"] = json!([{"name": "http", "containerPort": 8080}]);
        p["status"]["podIP"] = json!(ip);
        p
    }

    #[test]
    fn ready_pods_are_addresses_others_not_ready_with_named_ports_resolved() {
        let mut inf = Informers::default();
        inf.insert(service(json!({"app": "web"})));
        inf.insert(web_pod("a", "10.244.1.2", true));
        inf.insert(web_pod("b", "10.244.1.3", false));
        let mut no_ip = web_pod("c", "", true);
        no_ip["status"].as_object_mut().expect("status").remove("podIP");
        inf.insert(no_ip);
        let out = sync_service(&inf, "default", "web");
        let ep = &creates(&out, "Endpoints")[0];
        let s = &ep["subsets"][0];
        assert_eq!(s["addresses"][0]["ip"], "10.244.1.2");
        assert_eq!(s["addresses"][0]["targetRef"]["name"], "a");
        assert_eq!(s["notReadyAddresses"][0]["ip"], "10.244.1.3");
        assert_eq!(s["ports"], json!([{"port": 8080, "protocol": "TCP", "name": "http"}]));
    }

    #[test]
    fn updates_only_on_change_and_deletes_with_the_service() {
        let mut inf = Informers::default();
        let svc = service(json!({"app": "web"}));
        inf.insert(svc.clone());
        inf.insert(web_pod("a", "10.244.1.2", true));
        let mut ep = creates(&sync_service(&inf, "default", "web"), "Endpoints").remove(0);
        ep["metadata"]["uid"] = json!("ep");
        inf.insert(ep);
        assert!(sync_service(&inf, "default", "web").is_empty());
        inf.insert(web_pod("a", "10.244.1.2", false));
        assert_eq!(updates(&sync_service(&inf, "default", "web"), "Endpoints").len(), 1);
        inf.remove(svc);
        assert_eq!(deletes(&sync_service(&inf, "default", "web"), "Endpoints"), vec!["web"]);
    }

    #[test]
    fn more_than_1000_addresses_are_truncated_and_marked() {
        let mut inf = Informers::default();
        inf.insert(service(json!({"app": "web"})));
        for i in 0..1001 {
            inf.insert(web_pod(&format!("p{i:04}"), &format!("10.1.{}.{}", i / 250, i % 250), true));
        }
        let ep = creates(&sync_service(&inf, "default", "web"), "Endpoints").remove(0);
        assert_eq!(ep["subsets"][0]["addresses"].as_array().map(Vec::len), Some(MAX_ENDPOINTS));
        assert_eq!(ep["metadata"]["annotations"][OVER_CAPACITY], "truncated");
    }

    #[test]
    fn services_without_selector_are_not_managed() {
        let mut inf = Informers::default();
        let mut svc = service(json!({}));
        svc["spec"].as_object_mut().expect("spec").remove("selector");
        inf.insert(svc);
        assert!(sync_service(&inf, "default", "web").is_empty());
    }

    #[test]
    fn pod_changes_wake_matching_services() {
        let mut inf = Informers::default();
        inf.insert(service(json!({"app": "web"})));
        let ch = inf.insert(web_pod("a", "10.0.0.1", true)).expect("change");
        assert_eq!(
            EndpointsController::default().keys_for(&ch, &inf),
            vec![("default".to_string(), "web".to_string())]
        );
    }
}
