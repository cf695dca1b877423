//! A one-node cluster for kubelet scenario tests: a real kernel, the kubelet and runtime actors, and a
//! small fake kube-apiserver that stores pods, answers with canned objects and pushes watch events.

use crate::sim::api::pointer::Pointer;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::sim::apiserver::request::{ApiRequest, ApiResponse, EventType, Verb, WatchNotice};
use crate::sim::apiserver::status::{Reason, Status};
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, Scheduled};
use crate::sim::message::Payload;
use crate::sim::node::kubelet::{Kubelet, NodeConfig};
use crate::sim::node::registry::Registry;
use crate::sim::node::runtime::Runtime;
use crate::sim::time::{Millis, rfc3339};

pub const NODE: &str = "kind-worker";

pub struct Cluster {
    pub k: Kernel,
    pub reg: Registry,
    pub kubelet: Kubelet,
    pub rt: Runtime,
    /// Every request the kubelet sent, in order (verb, path).
    pub requests: Vec<(String, String)>,
    /// Pods by `(namespace, name)`.
    pub pods: BTreeMap<(String, String), Value>,
    pub configmaps: BTreeMap<(String, String), Value>,
    pub secrets: BTreeMap<(String, String), Value>,
    /// Events: (pod name, type, reason, message, time).
    pub events: Vec<(String, String, String, String, Millis)>,
    /// Events created, by name: the recorder patches repeats onto them.
    event_objects: BTreeMap<String, Value>,
    /// Every status patch written: (pod name, time, status).
    pub statuses: Vec<(String, Millis, Value)>,
    /// While true the fake apiserver answers nothing (it is down).
    pub api_down: bool,
    watch: Option<u64>,
    rv: u64,
    uids: u64,
}

fn kubelet_c() -> Component {
    Component::Kubelet(NODE.into())
}

fn runtime_c() -> Component {
    Component::Runtime(NODE.into())
}

impl Cluster {
    pub fn new() -> Cluster {
        let reg = Registry::default();
        let cfg = NodeConfig::new(NODE, 1, false);
        let mut rt = Runtime::new(NODE, &cfg.pod_cidr, &reg);
        let kubelet = Kubelet::new(cfg);
        rt.host = kubelet.host.clone();
        let mut c = Cluster {
            k: Kernel::new(42),
            reg,
            kubelet,
            rt,
            requests: Vec::new(),
            pods: BTreeMap::new(),
            configmaps: BTreeMap::new(),
            secrets: BTreeMap::new(),
            events: Vec::new(),
            event_objects: BTreeMap::new(),
            statuses: Vec::new(),
            api_down: false,
            watch: None,
            rv: 1,
            uids: 0,
        };
        c.kubelet.start(&mut c.k);
        c.run_for(100);
        c
    }

    pub fn run_for(&mut self, d: Millis) {
        let until = self.k.now() + d;
        while let Some(item) = self.k.pop_due(until) {
            match item {
                Scheduled::Deliver(msg) => match &msg.to {
                    Component::ApiServer => {
                        if let Payload::Request(req) = msg.payload {
                            self.serve(*req);
                        }
                    }
                    to if *to == runtime_c() && self.rt.running => self.rt.on_message(msg, &mut self.k, &self.reg),
                    to if *to == kubelet_c() && self.kubelet.running => self.kubelet.on_message(msg, &mut self.k),
                    _ => {}
                },
                Scheduled::Timer { owner, kind } => {
                    if owner == runtime_c() && self.rt.running {
                        self.rt.on_timer(kind, &mut self.k);
                    } else if owner == kubelet_c() && self.kubelet.running {
                        self.kubelet.on_timer(kind, &mut self.k);
                    }
                }
            }
        }
        self.k.advance_to(until);
    }

    fn respond(&mut self, id: u64, result: Result<Value, Status>) {
        self.k.send(
            Component::ApiServer,
            kubelet_c(),
            Payload::Response(Box::new(ApiResponse { request_id: id, result })),
        );
    }

    fn notify(&mut self, event: EventType, object: Value) {
        if let Some(watch_id) = self.watch {
            self.k.send(
                Component::ApiServer,
                kubelet_c(),
                Payload::Watch(Box::new(WatchNotice { watch_id, event, object: object.into() })),
            );
        }
    }

    fn bump(&mut self, obj: &mut Value) {
        self.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
    }

    fn serve(&mut self, req: ApiRequest) {
        if self.api_down {
            return;
        }
        self.requests.push((req.method().to_string(), req.path()));
        let plural = req.resource.plural;
        let key = (req.namespace.clone().unwrap_or_default(), req.name.clone().unwrap_or_default());
        let not_found = |name: &str| Status::new(404, Reason::NotFound, format!("{plural} \"{name}\" not found"));
        match (&req.verb, plural, req.subresource.as_deref()) {
            (Verb::Watch, "pods", _) => {
                self.watch = Some(req.id);
                let pods: Vec<Value> = self.pods.values().cloned().collect();
                for p in pods {
                    self.notify(EventType::Added, p);
                }
            }
            (Verb::Create, "nodes" | "leases", _) => {
                let mut obj = req.body.clone().unwrap_or(Value::Null);
                obj["metadata"]["uid"] = json!(format!("{plural}-uid"));
                self.bump(&mut obj);
                self.respond(req.id, Ok(obj));
            }
            (Verb::Update | Verb::Patch(_), "nodes" | "leases", _) => {
                let mut obj = req.body.clone().unwrap_or(Value::Null);
                self.bump(&mut obj);
                self.respond(req.id, Ok(obj));
            }
            (Verb::Create, "events", _) => {
                let e = req.body.clone().unwrap_or(Value::Null);
                let s = |p: &str| e.at(p).and_then(Value::as_str).unwrap_or_default().to_string();
                self.events.push((s("/involvedObject/name"), s("/type"), s("/reason"), s("/message"), self.k.now()));
                self.event_objects.insert(s("/metadata/name"), e.clone());
                self.respond(req.id, Ok(e));
            }
            // A repeat the kubelet's recorder counts on the first Event: another occurrence.
            (Verb::Patch(_), "events", _) => match self.event_objects.get(&key.1).cloned() {
                Some(e) => {
                    let s = |p: &str| e.at(p).and_then(Value::as_str).unwrap_or_default().to_string();
                    let message = req.body.as_ref().and_then(|b| b.get("message")).and_then(Value::as_str);
                    let message = message.map_or_else(|| s("/message"), str::to_string);
                    self.events.push((s("/involvedObject/name"), s("/type"), s("/reason"), message, self.k.now()));
                    self.respond(req.id, Ok(e));
                }
                None => self.respond(req.id, Err(not_found(&key.1))),
            },
            (Verb::Patch(_), "pods", Some("status")) => match self.pods.get(&key).cloned() {
                Some(mut pod) => {
                    let status = req.body.as_ref().and_then(|b| b.get("status")).cloned().unwrap_or(Value::Null);
                    self.statuses.push((key.1.clone(), self.k.now(), status.clone()));
                    let mut merged = pod["status"].as_object().cloned().unwrap_or_default();
                    for (k, v) in status.as_object().cloned().unwrap_or_default() {
                        merged.insert(k, v);
                    }
                    pod["status"] = Value::Object(merged);
                    self.bump(&mut pod);
                    self.pods.insert(key, pod.clone());
                    self.respond(req.id, Ok(pod.clone()));
                    self.notify(EventType::Modified, pod);
                }
                None => self.respond(req.id, Err(not_found(&key.1))),
            },
            (Verb::Delete, "pods", _) => match self.pods.remove(&key) {
                Some(pod) => {
                    self.respond(req.id, Ok(pod.clone()));
                    self.notify(EventType::Deleted, pod);
                }
                None => self.respond(req.id, Err(not_found(&key.1))),
            },
            (Verb::Get, "configmaps" | "secrets", _) => {
                let store = if plural == "secrets" { &self.secrets } else { &self.configmaps };
                let result = store.get(&key).cloned().ok_or_else(|| not_found(&key.1));
                self.respond(req.id, result);
            }
            _ => self.respond(req.id, Err(Status::new(405, Reason::MethodNotAllowed, "not simulated"))),
        }
    }

    /// Binds a pod to the node as the scheduler would, and lets the watch deliver it.
    pub fn add_pod(&mut self, mut pod: Value) -> String {
        self.uids += 1;
        let uid = format!("00000000-0000-4000-8000-{:012}", self.uids);
        if pod["metadata"].get("namespace").is_none() {
            pod["metadata"]["namespace"] = json!("default");
        }
        pod["metadata"]["uid"] = json!(uid);
        pod["spec"]["nodeName"] = json!(NODE);
        pod["status"] = json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": rfc3339(self.k.now())}]});
        self.bump(&mut pod);
        let key = (
            pod["metadata"]["namespace"].as_str().unwrap_or_default().to_string(),
            pod["metadata"]["name"].as_str().unwrap_or_default().to_string(),
        );
        self.pods.insert(key, pod.clone());
        self.notify(EventType::Added, pod);
        uid
    }

    /// `kubectl delete pod` with a grace period (0 with force removes it at once).
    pub fn delete_pod(&mut self, name: &str, grace: i64) {
        let key = ("default".to_string(), name.to_string());
        let Some(mut pod) = self.pods.get(&key).cloned() else { return };
        if grace == 0 {
            self.pods.remove(&key);
            self.notify(EventType::Deleted, pod);
            return;
        }
        pod["metadata"]["deletionTimestamp"] = json!(rfc3339(self.k.now() + grace as Millis * 1000));
        pod["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
        self.bump(&mut pod);
        self.pods.insert(key, pod.clone());
        self.notify(EventType::Modified, pod);
    }

    pub fn add_configmap(&mut self, name: &str, data: Value) {
        let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": data});
        self.configmaps.insert(("default".into(), name.into()), obj);
    }

    pub fn pod(&self, name: &str) -> Value {
        self.pods.get(&("default".to_string(), name.to_string())).cloned().unwrap_or(Value::Null)
    }

    pub fn phase(&self, name: &str) -> String {
        self.pod(name).at("/status/phase").and_then(Value::as_str).unwrap_or_default().to_string()
    }

    /// `waiting:Reason`, `running`, `terminated:Reason:code` of container `i`.
    pub fn state(&self, name: &str, i: usize) -> String {
        let st = self.pod(name).at(&format!("/status/containerStatuses/{i}/state")).cloned().unwrap_or(Value::Null);
        describe_state(&st)
    }

    pub fn init_state(&self, name: &str, i: usize) -> String {
        let st = self.pod(name).at(&format!("/status/initContainerStatuses/{i}/state")).cloned().unwrap_or(Value::Null);
        describe_state(&st)
    }

    pub fn condition(&self, name: &str, ty: &str) -> String {
        let conds = self.pod(name).at("/status/conditions").and_then(Value::as_array).cloned().unwrap_or_default();
        conds.iter().find(|c| c["type"] == ty).and_then(|c| c["status"].as_str()).unwrap_or_default().to_string()
    }

    pub fn restarts(&self, name: &str, i: usize) -> i64 {
        self.pod(name).at(&format!("/status/containerStatuses/{i}/restartCount")).and_then(Value::as_i64).unwrap_or(-1)
    }

    /// `reason: message` of the events about a pod, in order.
    pub fn events_of(&self, name: &str) -> Vec<String> {
        self.events.iter().filter(|e| e.0 == name).map(|e| format!("{}: {}", e.2, e.3)).collect()
    }

    pub fn count(&self, method: &str, path_part: &str) -> usize {
        self.requests.iter().filter(|(m, p)| m == method && p.contains(path_part)).count()
    }
}

pub fn describe_state(st: &Value) -> String {
    if let Some(w) = st.get("waiting") {
        format!("waiting:{}", w["reason"].as_str().unwrap_or_default())
    } else if st.get("running").is_some() {
        "running".into()
    } else if let Some(t) = st.get("terminated") {
        format!("terminated:{}:{}", t["reason"].as_str().unwrap_or_default(), t["exitCode"])
    } else {
        "none".into()
    }
}
