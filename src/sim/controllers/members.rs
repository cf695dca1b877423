//! Which pods back each Service, kept current from pod and Service events, so the endpoints
//! controllers never rescan every pod of a namespace when one pod changes.

use crate::sim::api::pointer::Pointer;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::objects::{self, str_at};
use super::pods;
use crate::sim::api::selector::map_selects;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::Informers;
use crate::sim::client::{Change, ObjectKey};

pub fn services() -> &'static ResourceType {
    api::resolve("services").expect("services are always served")
}

pub fn pods_rt() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

/// One pod behind a Service.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub ip: String,
    pub node: String,
    pub ready: bool,
    pub terminating: bool,
    /// The Service's ports resolved against this pod (`targetPort` may name a container port).
    pub ports: Vec<Value>,
    /// `{kind: Pod, namespace, name, uid}`.
    pub target: Value,
    /// Set when the pod's `hostname` + `subdomain` make it addressable through this Service.
    pub hostname: Option<String>,
}

/// `podutil.FindPort`: a Service port's `targetPort` on one pod (a number, or a container port name).
pub fn target_port(svc_port: &Value, pod: &Value) -> Option<i64> {
    let proto = |v: &Value| match str_at(v, "/protocol") {
        "" => "TCP".to_string(),
        p => p.to_string(),
    };
    match svc_port.get("targetPort") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(name)) => name.parse().ok().or_else(|| {
            pod.at("/spec/containers")?
                .as_array()?
                .iter()
                .flat_map(|c| c.get("ports").and_then(Value::as_array).into_iter().flatten())
                .find(|p| str_at(p, "/name") == name && proto(p) == proto(svc_port))
                .and_then(|p| p.get("containerPort").and_then(Value::as_i64))
        }),
        _ => svc_port.get("port").and_then(Value::as_i64),
    }
}

/// The endpoint ports of a Service for one pod, or None if a named port does not resolve.
pub fn ports_for(svc: &Value, pod: &Value) -> Option<Vec<Value>> {
    let ports = svc.at("/spec/ports").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    ports
        .iter()
        .map(|p| {
            let mut e =
                json!({"port": target_port(p, pod)?, "protocol": match str_at(p, "/protocol") { "" => "TCP", x => x }});
            if let Some(name) = p.get("name").and_then(Value::as_str).filter(|s| !s.is_empty()) {
                e["name"] = json!(name);
            }
            Some(e)
        })
        .collect()
}

/// Whether a Service has a selector (Services without one are managed by hand).
pub fn has_selector(svc: &Value) -> bool {
    svc.at("/spec/selector").and_then(Value::as_object).is_some_and(|m| !m.is_empty())
}

/// `shouldPodBeInEndpoints` plus selection: the pod's entry for this Service, if it has one.
pub fn member_for(svc: &Value, pod: &Value) -> Option<Member> {
    let ip = str_at(pod, "/status/podIP");
    if ip.is_empty()
        || matches!(pods::phase(pod), "Succeeded" | "Failed")
        || !map_selects(svc.at("/spec/selector"), pod)
    {
        return None;
    }
    let hostname = str_at(pod, "/spec/hostname");
    Some(Member {
        ip: ip.to_string(),
        node: pods::node_name(pod).to_string(),
        ready: pods::is_ready(pod),
        terminating: objects::is_deleting(pod),
        ports: ports_for(svc, pod)?,
        target: json!({"kind": "Pod", "namespace": objects::namespace(pod), "name": objects::name(pod), "uid": objects::uid(pod)}),
        hostname: (!hostname.is_empty() && str_at(pod, "/spec/subdomain") == objects::name(svc))
            .then(|| hostname.to_string()),
    })
}

/// The members of every Service, by Service key then pod key.
#[derive(Debug, Default, Clone)]
pub struct Members {
    by_service: BTreeMap<ObjectKey, BTreeMap<ObjectKey, Member>>,
}

impl Members {
    /// Recomputes one Service's members from the cache (first look, or the Service changed).
    pub fn rebuild(&mut self, inf: &Informers, svc_key: &ObjectKey) {
        let Some(svc) = inf.get(services(), &svc_key.0, &svc_key.1).filter(|s| has_selector(s)) else {
            self.by_service.remove(svc_key);
            return;
        };
        let members = inf
            .selected_by_map(pods_rt(), &svc_key.0, svc.at("/spec/selector"))
            .filter_map(|p| Some((objects::key_of(p), member_for(svc, p)?)))
            .collect();
        self.by_service.insert(svc_key.clone(), members);
    }

    /// Updates every known Service that selects the pod (now or before); returns the Services whose
    /// members changed.
    pub fn pod_changed(&mut self, inf: &Informers, change: &Change) -> Vec<ObjectKey> {
        let pod = &change.new;
        let pod_key = objects::key_of(pod);
        let mut touched = Vec::new();
        for svc in inf.list(services(), Some(objects::namespace(pod))) {
            let svc_key = objects::key_of(svc);
            let Some(members) = self.by_service.get_mut(&svc_key) else {
                if has_selector(svc)
                    && (map_selects(svc.at("/spec/selector"), pod)
                        || change.old.as_deref().is_some_and(|o| map_selects(svc.at("/spec/selector"), o)))
                {
                    touched.push(svc_key);
                }
                continue;
            };
            let now = if change.event == EventType::Deleted { None } else { member_for(svc, pod) };
            let changed = match now {
                Some(m) => members.insert(pod_key.clone(), m.clone()).is_none_or(|old| old != m),
                None => members.remove(&pod_key).is_some(),
            };
            if changed {
                touched.push(svc_key);
            }
        }
        touched
    }

    /// A Service's members, if known.
    pub fn of(&self, svc_key: &ObjectKey) -> Option<&BTreeMap<ObjectKey, Member>> {
        self.by_service.get(svc_key)
    }

    pub fn forget(&mut self, svc_key: &ObjectKey) {
        self.by_service.remove(svc_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controllers::testutil::*;

    pub fn service() -> Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "default", "name": "web", "uid": "svc-uid"},
            "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})
    }

    pub fn web_pod(name: &str, ip: &str, ready: bool) -> Value {
        let mut p = pod_of(&replicaset("rs", 1, "web"), name, "w1", "Running", ready.then_some(0));
        p["spec"]["containers"][0]["ports"] = json!([{"name": "http", "containerPort": 8080}]);
        p["status"]["podIP"] = json!(ip);
        p
    }

    #[test]
    fn members_follow_pod_events_without_rescans() {
        let mut inf = Informers::default();
        inf.insert(service());
        inf.insert(web_pod("a", "10.0.0.1", true));
        let svc = ("default".to_string(), "web".to_string());
        let mut m = Members::default();
        m.rebuild(&inf, &svc);
        assert_eq!(m.of(&svc).map(BTreeMap::len), Some(1));
        let ch = inf.insert(web_pod("b", "10.0.0.2", false)).expect("change");
        assert_eq!(m.pod_changed(&inf, &ch), vec![svc.clone()]);
        let b = &m.of(&svc).expect("known")[&("default".to_string(), "b".to_string())];
        assert_eq!((b.ready, b.ports.clone()), (false, vec![json!({"port": 8080, "protocol": "TCP", "name": "http"})]));
        let ch = inf.insert(web_pod("b", "10.0.0.2", false)).expect("change");
        assert!(m.pod_changed(&inf, &ch).is_empty(), "nothing changed for the Service");
        let ch = inf.remove(web_pod("a", "10.0.0.1", true)).expect("change");
        assert_eq!(m.pod_changed(&inf, &ch), vec![svc.clone()]);
        assert_eq!(m.of(&svc).map(BTreeMap::len), Some(1));
    }

    #[test]
    fn unresolvable_named_ports_and_finished_pods_are_not_members() {
        let mut p = web_pod("a", "10.0.0.1", true);
        p["spec"]["containers"][0]["ports"] = json!([]);
        assert!(member_for(&service(), &p).is_none());
        let mut done = web_pod("b", "10.0.0.2", true);
        done["status"]["phase"] = json!("Succeeded");
        assert!(member_for(&service(), &done).is_none());
        assert!(member_for(&service(), &web_pod("c", "10.0.0.3", true)).is_some());
    }
}
