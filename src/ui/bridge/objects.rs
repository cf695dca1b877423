//! What the views read from the kube-apiserver's cache: the diagram's nodes and pods, which
//! processes are stopped, one object, names for Tab completion, and an object's Events.

use crate::sim::api::pointer::Pointer;
use std::collections::BTreeSet;

use serde_json::Value;

use super::Sim;
use crate::sim::component::Component;
use crate::ui::model::ClusterModel;

/// The diagram's model: nodes and pods from the apiserver's cache, and which processes are stopped.
pub fn model(sim: &Sim) -> ClusterModel {
    let mut m = objects_model(sim);
    m.stopped = stopped(sim, &m);
    m
}

/// The revision of the apiserver's watch cache: [`objects_model`] changes only when it does.
pub fn cache_revision(sim: &Sim) -> i64 {
    sim.world.apiserver.cache.revision
}

/// The nodes and pods of the model, read from every node and pod object (the costly part, which
/// the diagram redoes only when [`cache_revision`] moves); nothing is marked stopped.
pub fn objects_model(sim: &Sim) -> ClusterModel {
    let cache = &sim.world.apiserver.cache;
    let mut model = ClusterModel::from_objects(
        cache.list_prefix("/registry/minions/"),
        cache.list_prefix("/registry/pods/"),
        BTreeSet::new(),
    );
    // The claims a pod uses, for its volume badge (as the scheduler and kubelet read them).
    for pod in &mut model.pods {
        if let Some(obj) = cache.get(&pod.key()) {
            pod.claims = crate::sim::api::podutil::claim_names(obj);
        }
    }
    model
}

/// The processes that are stopped, named as the trace names them (`node/<name>` for a node that is
/// powered off), among the control plane and the nodes of `m`.
pub fn stopped(sim: &Sim, m: &ClusterModel) -> BTreeSet<String> {
    let mut stopped: BTreeSet<String> =
        sim.world.nodes.iter().filter(|(_, n)| !n.running).map(|(name, _)| format!("node/{name}")).collect();
    let control = [
        Component::ApiServer,
        Component::Etcd,
        Component::Scheduler,
        Component::ControllerManager,
        Component::CloudControllerManager,
    ];
    let on_nodes = m.nodes.iter().flat_map(|n| {
        [Component::Kubelet(n.name.clone()), Component::KubeProxy(n.name.clone()), Component::Runtime(n.name.clone())]
    });
    stopped.extend(control.into_iter().chain(on_nodes).filter(|c| !sim.world.is_running(c)).map(|c| c.to_string()));
    stopped
}

/// Whether a node is powered on (None when there is no such node).
pub fn node_running(sim: &Sim, name: &str) -> Option<bool> {
    sim.world.nodes.get(name).map(|n| n.running)
}

/// A live object by storage key, as the apiserver would return it.
pub fn object(sim: &Sim, key: &str) -> Option<Value> {
    sim.world.apiserver.cache.get(key).cloned()
}

/// One endpoint of a Service, as its EndpointSlices list it: `ip:port`, ready, and the pod behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRow {
    pub address: String,
    pub ready: bool,
    pub pod: Option<String>,
}

/// A Service's endpoints, from the EndpointSlices labelled with its name (what kube-proxy balances
/// over: the ready ones).
pub fn service_endpoints(sim: &Sim, namespace: &str, service: &str) -> Vec<EndpointRow> {
    let Some(rt) = crate::sim::api::resolve("endpointslices") else { return Vec::new() };
    let prefix = crate::sim::api::storage_prefix(rt, Some(namespace));
    let mut rows = Vec::new();
    for slice in sim.world.apiserver.cache.list_prefix(&prefix) {
        if slice.at("/metadata/labels/kubernetes.io~1service-name").and_then(Value::as_str) != Some(service) {
            continue;
        }
        let ports: Vec<u64> = slice
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("port").and_then(Value::as_u64))
            .collect();
        for e in slice.get("endpoints").and_then(Value::as_array).into_iter().flatten() {
            let ready = e.at("/conditions/ready").and_then(Value::as_bool).unwrap_or(true);
            let pod = e.at("/targetRef/name").and_then(Value::as_str).map(str::to_string);
            for ip in e.get("addresses").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                let addrs: Vec<String> = if ports.is_empty() {
                    vec![ip.to_string()]
                } else {
                    ports.iter().map(|p| format!("{ip}:{p}")).collect()
                };
                rows.extend(addrs.into_iter().map(|address| EndpointRow { address, ready, pod: pod.clone() }));
            }
        }
    }
    rows
}

/// Names of existing objects of a kind (as typed on the command line), for Tab completion.
pub fn names(sim: &Sim, kind: &str, namespace: Option<&str>) -> Vec<String> {
    let Some((prefix, namespaced)) = storage_prefix(kind) else { return Vec::new() };
    let prefix = if namespaced { format!("{prefix}{}/", namespace.unwrap_or("default")) } else { prefix.to_string() };
    sim.world
        .apiserver
        .cache
        .list_prefix(&prefix)
        .filter_map(|o| o.at("/metadata/name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// Where the kube-apiserver stores a kind (its etcd key layout), and whether it is namespaced.
fn storage_prefix(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind.to_ascii_lowercase().as_str() {
        "pods" | "pod" | "po" => ("/registry/pods/", true),
        "deployments" | "deployment" | "deploy" => ("/registry/deployments/", true),
        "replicasets" | "replicaset" | "rs" => ("/registry/replicasets/", true),
        "statefulsets" | "statefulset" | "sts" => ("/registry/statefulsets/", true),
        "daemonsets" | "daemonset" | "ds" => ("/registry/daemonsets/", true),
        "jobs" | "job" => ("/registry/jobs/", true),
        "cronjobs" | "cronjob" | "cj" => ("/registry/cronjobs/", true),
        "services" | "service" | "svc" => ("/registry/services/specs/", true),
        "configmaps" | "configmap" | "cm" => ("/registry/configmaps/", true),
        "secrets" | "secret" => ("/registry/secrets/", true),
        "serviceaccounts" | "serviceaccount" | "sa" => ("/registry/serviceaccounts/", true),
        "events" | "event" | "ev" => ("/registry/events/", true),
        "nodes" | "node" | "no" => ("/registry/minions/", false),
        "namespaces" | "namespace" | "ns" => ("/registry/namespaces/", false),
        _ => return None,
    })
}

/// One Event about an object, as `kubectl describe` lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub kind: String,
    pub reason: String,
    pub from: String,
    pub message: String,
    pub count: i64,
}

/// Events whose involvedObject is this `kind` named `name` (oldest first, as stored). Events about
/// cluster-scoped objects (nodes) live in the `default` namespace, as the kubelet records them.
pub fn events_for(sim: &Sim, namespace: &str, kind: &str, name: &str) -> Vec<EventRow> {
    let namespace = if namespace.is_empty() { "default" } else { namespace };
    let prefix = format!("/registry/events/{namespace}/");
    let s = |v: &Value, p: &str| v.at(p).and_then(Value::as_str).unwrap_or_default().to_string();
    sim.world
        .apiserver
        .cache
        .list_prefix(&prefix)
        .filter(|e| e.at("/involvedObject/name").and_then(Value::as_str) == Some(name))
        .filter(|e| e.at("/involvedObject/kind").and_then(Value::as_str).is_none_or(|k| k == kind))
        .map(|e| EventRow {
            kind: s(e, "/type"),
            reason: s(e, "/reason"),
            from: {
                let from = s(e, "/source/component");
                if from.is_empty() { s(e, "/reportingComponent") } else { from }
            },
            message: s(e, "/message"),
            count: e.get("count").and_then(Value::as_i64).unwrap_or(1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_prefixes_cover_kubectl_spellings() {
        let cases = [
            ("po", Some(("/registry/pods/", true))),
            ("Deployments", Some(("/registry/deployments/", true))),
            ("svc", Some(("/registry/services/specs/", true))),
            ("no", Some(("/registry/minions/", false))),
            ("widgets", None),
        ];
        for (kind, want) in cases {
            assert_eq!(storage_prefix(kind), want, "{kind}");
        }
    }
}
