//! The whole-path benchmark: M pods through Deployments on N nodes, from `kubectl create` to Running.
//!
//! The simulation never reads wall time, so the caller passes a wall clock (`Instant` natively,
//! `performance.now()` in the browser) and a memory probe; this module only drives the world.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::api;
use super::apiserver::request::{ApiRequest, Verb};
use super::kubectl::{self, wire};
use super::time::Millis;
use super::world::World;

/// Pods per Deployment in the benchmark (so 150,000 pods are 1,500 Deployments).
pub const PODS_PER_DEPLOYMENT: usize = 100;
/// Virtual time the benchmark allows before it stops waiting.
pub const VIRTUAL_LIMIT_MS: Millis = 60 * 60 * 1000;

/// What one run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchResult {
    pub nodes: usize,
    pub pods: usize,
    pub running: usize,
    pub wall_ms: f64,
    pub virtual_ms: Millis,
    pub messages: u64,
    pub peak_memory_bytes: u64,
    /// `kubectl get pods -A` at the end, in-process and through `kubectl::wire` (the JSON the
    /// release site's kubectl module and the page exchange), in wall milliseconds.
    pub get_pods_ms: f64,
    pub get_pods_wire_ms: f64,
}

impl BenchResult {
    /// The one line both the native and the browser benchmark print last.
    pub fn line(&self) -> String {
        let secs = self.wall_ms / 1000.0;
        let rate = if secs > 0.0 { self.running as f64 / secs } else { 0.0 };
        format!(
            "bench: {} nodes, {}/{} pods Running, wall {:.2} s, {:.0} pods/s, virtual {:.1} s, {} messages, peak memory {:.1} MiB ({:.0} KB per pod); kubectl get pods -A {:.0} ms in-process, {:.0} ms across the module wire",
            self.nodes,
            self.running,
            self.pods,
            secs,
            rate,
            self.virtual_ms as f64 / 1000.0,
            self.messages,
            self.peak_memory_bytes as f64 / (1024.0 * 1024.0),
            self.peak_memory_bytes as f64 / 1000.0 / self.pods.max(1) as f64,
            self.get_pods_ms,
            self.get_pods_wire_ms
        )
    }
}

fn deployment(name: &str, replicas: usize) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10", "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}
            }
        }
    })
}

/// The benchmark's pods (in `default`; kube-system's are the cluster's own) in phase Running, read
/// from the apiserver's watch cache.
pub fn running_pods(world: &World) -> usize {
    let prefix = api::storage_prefix(api::resolve("pods").expect("pods are served"), Some("default"));
    world
        .apiserver
        .cache
        .list_prefix(&prefix)
        .filter(|p| p.at("/status/phase").and_then(Value::as_str) == Some("Running"))
        .count()
}

/// Runs the benchmark. `wall_ms` is the caller's clock; `memory` reports current memory in bytes.
pub fn run(nodes: usize, pods: usize, seed: u64, wall_ms: &dyn Fn() -> f64, memory: &dyn Fn() -> u64) -> BenchResult {
    let start = wall_ms();
    let mut world = World::with_workers(seed, nodes);
    let rt = api::resolve("deployments").expect("deployments are served");
    let mut left = pods;
    let mut i = 0;
    while left > 0 {
        let n = left.min(PODS_PER_DEPLOYMENT);
        let req = ApiRequest::new(0, Verb::Create, rt)
            .in_namespace(Some("default"))
            .with_body(deployment(&format!("bench-{i}"), n));
        let _ = world.call(req);
        left -= n;
        i += 1;
    }
    let begin = world.now();
    let mut peak = memory();
    let mut running = 0;
    while world.now() - begin < VIRTUAL_LIMIT_MS {
        world.run_for(1000);
        peak = peak.max(memory());
        running = running_pods(&world);
        if running >= pods {
            break;
        }
    }
    let (wall, virtual_ms, messages) = (wall_ms() - start, world.now() - begin, world.k.trace.total_sent());
    let (get_pods_ms, get_pods_wire_ms) = get_pods_both_ways(world, wall_ms);
    BenchResult {
        nodes,
        pods,
        running,
        wall_ms: wall,
        virtual_ms,
        messages,
        peak_memory_bytes: peak,
        get_pods_ms,
        get_pods_wire_ms,
    }
}

/// Times `kubectl get pods -A` linked in, then across the wire (loopback: both ends in this process,
/// so the difference is the JSON each side writes and reads).
fn get_pods_both_ways(world: World, wall_ms: &dyn Fn() -> f64) -> (f64, f64) {
    const LINE: &str = "kubectl get pods -A";
    let world = std::cell::RefCell::new(world);
    let t0 = wall_ms();
    let direct = kubectl::execute(&mut *world.borrow_mut(), LINE, None, &kubectl::NoFiles);
    let t1 = wall_ms();
    let mut remote = wire::Remote::new(|m: &str| wire::serve(&mut *world.borrow_mut(), m));
    let across = kubectl::execute(&mut remote, LINE, None, &kubectl::NoFiles);
    let t2 = wall_ms();
    debug_assert_eq!(direct.stdout.lines().count(), across.stdout.lines().count());
    (t1 - t0, t2 - t1)
}
