//! The one place the UI calls into the simulation: building a world, running kubectl, faults, and
//! reading what the diagram and inspector show. Everything else in `ui` works on plain data.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::sim::apiserver::request::EventType;
use crate::sim::component::Component;
use crate::sim::kubectl;
use crate::sim::kubectl::printers::table::TableOptions;
use crate::sim::scheduler::decision::Verdict;
use crate::sim::time::Millis;
use crate::sim::world::World;
use crate::ui::model::ClusterModel;
use crate::ui::session::Op;

/// The seed of a fresh sandbox: every learner starts from the same cluster.
pub const DEFAULT_SEED: u64 = 1;
/// How many of the newest messages keep their full content for the inspector (each is a copy of
/// the object it carries: a few KB).
const KEPT_PAYLOADS: usize = 5_000;

/// Booting stops once every node is Ready, or after this much virtual time.
const BOOT_LIMIT_MS: Millis = 60_000;

/// A fresh kind-like cluster (a control-plane node and three workers), booted until its nodes are
/// Ready: the learner starts with a working cluster, as after `kind create cluster`.
pub fn new_world(seed: u64) -> World {
    let mut world = World::new(seed);
    world.k.trace.keep_payloads = KEPT_PAYLOADS;
    while world.now() < BOOT_LIMIT_MS {
        let model = model(&world);
        if !model.nodes.is_empty() && model.nodes.iter().all(|n| n.readiness == crate::ui::model::Readiness::Ready) {
            break;
        }
        world.run_for(100);
    }
    world
}

/// Runs one kubectl command line (in the kubectl module, where it is loaded separately). The
/// browser has no files: only `-f -` reads anything.
pub fn kubectl(world: &mut World, line: &str, stdin: Option<&str>) -> kubectl::Output {
    crate::ui::kubectl_module::execute(world, line, stdin)
}

/// The rows a `kubectl get -w` stream has received since last asked, as kubectl prints them.
pub fn drain_watch(world: &mut World, watch: &kubectl::Watching) -> String {
    let now = world.now();
    let Some(events) = world.kubectl_watch_events.get_mut(&watch.watch_id) else { return String::new() };
    let objects: Vec<Value> = events.drain(..).filter(|n| n.event != EventType::Bookmark).map(|n| n.object).collect();
    if objects.is_empty() {
        return String::new();
    }
    let options = TableOptions { now, ..watch.options };
    crate::ui::kubectl_module::watch_rows(watch.kind, &options, objects)
}

/// Ends a `get -w` stream (Ctrl+C): the apiserver forgets the watch.
pub fn stop_watch(world: &mut World, watch_id: u64) {
    world.close_kubectl_watch(watch_id);
}

/// Whether a node is powered on (None when there is no such node).
pub fn node_running(world: &World, name: &str) -> Option<bool> {
    world.nodes.get(name).map(|n| n.running)
}

/// Applies one logged action: kubectl commands return their output, faults may be refused.
///
/// The world first finishes every event due at the current instant. Playback steps event by
/// event, so a learner (or a preset) can act between two events of the same millisecond, while a
/// replay runs to the logged instant as a whole before acting: finishing the instant here makes
/// both see the same world, so a reload rebuilds the same trace.
pub fn apply(world: &mut World, op: &Op) -> Result<Option<kubectl::Output>, String> {
    world.run_until(world.now());
    let fault = match op {
        Op::Kubectl { line, stdin } => return Ok(Some(kubectl(world, line, stdin.as_deref()))),
        Op::Node { name, running } => world.set_node_running(name, *running),
        Op::Component { name, running } => match Component::parse(name) {
            Some(c) => world.set_component_running(&c, *running),
            None => return Err(format!("there is no component {name:?}")),
        },
        Op::AddNode { name } => {
            if world.nodes.contains_key(name) {
                return Err(format!("node {name:?} already exists"));
            }
            world.add_node_named(name, false);
            Ok(())
        }
    };
    fault.map(|()| None).map_err(|e| e.to_string())
}

/// Adds a worker named as kind names the next one; returns its name (logged, so that a replay adds
/// the same node).
pub fn add_node(world: &mut World) -> String {
    // As in `apply`: act on a finished instant, as the replay of `Op::AddNode` will.
    world.run_until(world.now());
    world.add_node()
}

/// When the world's next event is due, if anything is queued.
pub fn next_due(world: &World) -> Option<Millis> {
    world.k.next_due()
}

/// The diagram's model: nodes and pods from the apiserver's cache, and which processes are stopped.
pub fn model(world: &World) -> ClusterModel {
    let mut m = objects_model(world);
    m.stopped = stopped(world, &m);
    m
}

/// The revision of the apiserver's watch cache: [`objects_model`] changes only when it does.
pub fn cache_revision(world: &World) -> i64 {
    world.apiserver.cache.revision
}

/// The nodes and pods of the model, read from every node and pod object (the costly part, which
/// the diagram redoes only when [`cache_revision`] moves); nothing is marked stopped.
pub fn objects_model(world: &World) -> ClusterModel {
    let cache = &world.apiserver.cache;
    ClusterModel::from_objects(
        cache.list_prefix("/registry/minions/"),
        cache.list_prefix("/registry/pods/"),
        BTreeSet::new(),
    )
}

/// The processes that are stopped, named as the trace names them (`node/<name>` for a node that is
/// powered off), among the control plane and the nodes of `m`.
pub fn stopped(world: &World, m: &ClusterModel) -> BTreeSet<String> {
    let mut stopped: BTreeSet<String> =
        world.nodes.iter().filter(|(_, n)| !n.running).map(|(name, _)| format!("node/{name}")).collect();
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
    stopped.extend(control.into_iter().chain(on_nodes).filter(|c| !world.is_running(c)).map(|c| c.to_string()));
    stopped
}

/// A live object by storage key, as the apiserver would return it.
pub fn object(world: &World, key: &str) -> Option<Value> {
    world.apiserver.cache.get(key).cloned()
}

/// Names of existing objects of a kind (as typed on the command line), for Tab completion.
pub fn names(world: &World, kind: &str, namespace: Option<&str>) -> Vec<String> {
    let Some((prefix, namespaced)) = storage_prefix(kind) else { return Vec::new() };
    let prefix = if namespaced { format!("{prefix}{}/", namespace.unwrap_or("default")) } else { prefix.to_string() };
    world
        .apiserver
        .cache
        .list_prefix(&prefix)
        .filter_map(|o| o.pointer("/metadata/name").and_then(Value::as_str).map(str::to_string))
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
pub fn events_for(world: &World, namespace: &str, kind: &str, name: &str) -> Vec<EventRow> {
    let namespace = if namespace.is_empty() { "default" } else { namespace };
    let prefix = format!("/registry/events/{namespace}/");
    let s = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    world
        .apiserver
        .cache
        .list_prefix(&prefix)
        .filter(|e| e.pointer("/involvedObject/name").and_then(Value::as_str) == Some(name))
        .filter(|e| e.pointer("/involvedObject/kind").and_then(Value::as_str).is_none_or(|k| k == kind))
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

/// The scheduler's last decision for a pod, as a table: one row per node, one column per plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionTable {
    pub plugins: Vec<String>,
    pub rows: Vec<DecisionRow>,
    pub chosen: Option<String>,
    pub message: String,
    /// Which scheduling attempt this was (1 for the first; more after backoffs).
    pub attempt: u32,
}

/// One node's verdicts: a filter failure reason or a score per plugin (empty when not run).
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRow {
    pub node: String,
    pub cells: Vec<String>,
    pub feasible: bool,
    pub total: Option<i64>,
}

/// The scheduling decision for a pod, if the scheduler kept one: filters show ✓, their rejection
/// reasons, or `–` when an earlier filter already rejected the node (upstream stops at the first
/// failure); scores show `normalized×weight`.
pub fn decision(world: &World, namespace: &str, name: &str) -> Option<DecisionTable> {
    let d = world.scheduler.last_decision(namespace, name)?;
    let mut plugins: Vec<String> = d.filter_plugins.iter().map(|p| p.to_string()).collect();
    plugins.extend(d.score_plugins.iter().map(|(p, _)| format!("{p} (score)")));
    let rows =
        d.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let mut cells: Vec<String> = d
                    .filter_verdicts(i)
                    .into_iter()
                    .map(|(_, v)| match v {
                        Verdict::Passed => "✓".to_string(),
                        Verdict::Rejected(s) => s.reasons.join(", "),
                        Verdict::NotRun => "–".to_string(),
                    })
                    .collect();
                match d.scores(i) {
                    Some(scores) => cells.extend(scores.iter().map(|s| {
                        if s.skipped { "skip".to_string() } else { format!("{}×{}", s.normalized, s.weight) }
                    })),
                    None => cells.extend(d.score_plugins.iter().map(|_| String::new())),
                }
                DecisionRow {
                    node: node.to_string(),
                    cells,
                    feasible: d.rejected.get(i).is_some_and(Option::is_none),
                    total: d.total(i),
                }
            })
            .collect();
    let mut message = d.message.clone();
    if let Some(n) = &d.nominated_node {
        message.push_str(&format!(" Preemption nominated {n}"));
        if !d.victims.is_empty() {
            message.push_str(&format!(", evicting {}", d.victims.join(", ")));
        }
        message.push('.');
    }
    Some(DecisionTable { plugins, rows, chosen: d.chosen().map(str::to_string), message, attempt: d.attempt })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_prints_one_yaml_list() {
        let mut world = World::new(1);
        let out = kubectl(&mut world, crate::ui::header::EXPORT_COMMAND, None);
        assert!(out.stderr.is_empty(), "{}", out.stderr);
        assert!(out.stdout.starts_with("apiVersion: v1\nitems:\n"), "{}", &out.stdout[..out.stdout.len().min(200)]);
        assert!(out.stdout.contains("kind: Namespace") && out.stdout.contains("kind: List"));
    }

    #[test]
    fn faults_are_applied_or_refused_with_a_reason() {
        let mut world = World::new(1);
        let node = model(&world).nodes.last().map(|n| n.name.clone()).expect("a fresh cluster has nodes");
        assert_eq!(apply(&mut world, &Op::Node { name: node.clone(), running: false }), Ok(None));
        assert_eq!(node_running(&world, &node), Some(false));
        assert!(model(&world).stopped.contains(&format!("node/{node}")));
        assert!(apply(&mut world, &Op::Node { name: "nope".into(), running: false }).is_err());
        assert!(apply(&mut world, &Op::Component { name: "kubectl".into(), running: false }).is_err());
        assert!(apply(&mut world, &Op::Component { name: "not-a-component".into(), running: false }).is_err());
        assert_eq!(apply(&mut world, &Op::Component { name: "kube-scheduler".into(), running: false }), Ok(None));
        assert!(model(&world).stopped.contains("kube-scheduler"));
        let added = add_node(&mut world);
        assert!(apply(&mut world, &Op::AddNode { name: added }).is_err(), "a node cannot be added twice");
    }

    #[test]
    fn the_model_is_the_objects_plus_what_is_stopped() {
        let mut world = World::new(1);
        world.run_for(5_000);
        let objects = objects_model(&world);
        assert!(objects.stopped.is_empty());
        assert_eq!(model(&world), ClusterModel { stopped: stopped(&world, &objects), ..objects.clone() });
        // A fault changes what is stopped but writes nothing: the diagram reads it on every render.
        let node = objects.nodes.last().map(|n| n.name.clone()).expect("a fresh cluster has nodes");
        let revision = cache_revision(&world);
        assert_eq!(apply(&mut world, &Op::Node { name: node.clone(), running: false }), Ok(None));
        assert_eq!(cache_revision(&world), revision);
        assert!(stopped(&world, &objects).contains(&format!("kubelet/{node}")));
        // A write moves the revision, and the objects with it.
        let _ = kubectl(&mut world, "kubectl run web --image=nginx", None);
        world.run_for(100);
        assert!(cache_revision(&world) > revision);
        assert!(objects_model(&world).pods.iter().any(|p| p.name == "web"));
    }

    #[test]
    fn get_watch_streams_changes_until_stopped() {
        let mut world = World::new(1);
        let _ = kubectl(&mut world, "kubectl run before --image=nginx", None);
        world.run_for(5_000);
        let out = kubectl(&mut world, "kubectl get pods -w", None);
        assert!(out.stdout.contains("before"), "the listing comes first: {}", out.stdout);
        let watch = out.watching.first().cloned().expect("-w opens a watch");
        world.run_for(100);
        let first = drain_watch(&mut world, &watch);
        assert!(!first.contains("before"), "the listed pod is not printed again: {first}");
        let _ = kubectl(&mut world, "kubectl run after --image=nginx", None);
        world.run_for(5_000);
        let rows = drain_watch(&mut world, &watch);
        assert!(rows.contains("after") && !rows.contains("NAME"), "{rows}");
        assert_eq!(drain_watch(&mut world, &watch), "", "rows are printed once");
        stop_watch(&mut world, watch.watch_id);
        let _ = kubectl(&mut world, "kubectl delete pod after", None);
        world.run_for(5_000);
        assert_eq!(drain_watch(&mut world, &watch), "", "a stopped watch prints nothing");
    }

    #[test]
    fn events_are_found_for_the_right_object() {
        let mut world = World::new(1);
        let _ = kubectl(&mut world, "kubectl run web --image=nginx", None);
        let _ = kubectl(&mut world, "kubectl create service clusterip web --tcp=80:80", None);
        world.run_for(10_000);
        let reasons: Vec<String> = events_for(&world, "default", "Pod", "web").into_iter().map(|e| e.reason).collect();
        assert!(reasons.iter().any(|r| r == "Scheduled"), "{reasons:?}");
        assert!(
            events_for(&world, "default", "Service", "web").iter().all(|e| e.reason != "Scheduled"),
            "a Service does not get its namesake pod's events"
        );
        assert!(events_for(&world, "default", "Pod", "nobody").is_empty());
    }

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
