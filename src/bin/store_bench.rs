//! Native micro-benchmarks of the write and watch paths, below the whole-cluster `sandbox bench`:
//! creates per second through the store alone and through the kube-apiserver, and one write fanned
//! out to many watchers at both levels. A benchmark, not a test: it prints, it never asserts a time.
//!
//! ```text
//! store_bench [--creates N] [--api-creates N] [--watchers N] [--writes N]
//! cargo run --profile bench-native --bin store_bench
//! ```
//!
//! Every line ends with the machine's state (cores, load average), since numbers from a busy machine
//! are not comparable with numbers from an idle one.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

use k8s_sandbox::sim::api::{self, ResourceType};
use k8s_sandbox::sim::apiserver::request::{ApiRequest, Verb};
use k8s_sandbox::sim::store::{Compare, Op, Store};
use k8s_sandbox::sim::world::World;

const USAGE: &str = "usage: store_bench [--creates N] [--api-creates N] [--watchers N] [--writes N]";

/// `--name N` or `--name=N`, else the default.
fn number(args: &[String], name: &str, default: usize) -> Result<usize, String> {
    let value = args.iter().enumerate().find_map(|(i, a)| {
        if a == name { args.get(i + 1).cloned() } else { a.strip_prefix(&format!("{name}=")).map(str::to_string) }
    });
    match value {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("store_bench: {name} needs a number, got {v:?}\n{USAGE}")),
    }
}

/// Cores and the 1/5/15-minute load average, appended to every line.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    format!("nproc {cores}, load average {}", load.as_deref().unwrap_or("unknown"))
}

fn pods() -> &'static ResourceType {
    api::resolve("pods").expect("pods are always served")
}

/// A pod as a ReplicaSet creates it (labels, owner, one container with resources, the default
/// tolerations), for the apiserver path: what a client sends.
fn pod_request(i: usize) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": format!("web-7f4d79f7d7-{i:06}"), "namespace": "default",
            "labels": {"app": "web", "pod-template-hash": "7f4d79f7d7", "tier": "frontend", "track": "stable"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7f4d79f7d7",
                "uid": "8c7c2b0e-6c5e-4f7a-9f0e-3a1b2c3d4e5f", "controller": true, "blockOwnerDeletion": true}]
        },
        "spec": {
            "containers": [{
                "name": "web", "image": "registry.k8s.io/nginx-slim:0.8", "imagePullPolicy": "IfNotPresent",
                "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
                "env": [{"name": "MODE", "value": "production"}, {"name": "LOG_LEVEL", "value": "info"}],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
                "readinessProbe": {"httpGet": {"path": "/healthz", "port": 80}, "periodSeconds": 10},
                "volumeMounts": [{"name": "config", "mountPath": "/etc/web", "readOnly": true}]
            }],
            "volumes": [{"name": "config", "configMap": {"name": "web-config"}}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "schedulerName": "default-scheduler"
        }
    })
}

/// The same pod as stored (status and server-set metadata added), about 1.5 KB of JSON.
fn stored_pod(i: usize) -> Vec<u8> {
    let mut pod = pod_request(i);
    pod["metadata"]["uid"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
    pod["metadata"]["creationTimestamp"] = json!("2025-01-01T00:00:00Z");
    pod["spec"]["tolerations"] = json!([
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
    ]);
    pod["status"] = json!({"phase": "Pending", "qosClass": "Burstable"});
    serde_json::to_vec(&pod).expect("a JSON value always serializes")
}

fn per_second(n: usize, secs: f64) -> f64 {
    if secs > 0.0 { n as f64 / secs } else { 0.0 }
}

/// (a) Creates through the store alone: the apiserver's create transaction ("put if missing, else
/// get"), one per pod, values prepared beforehand.
fn store_creates(n: usize) -> String {
    let values: Vec<(String, Arc<[u8]>)> =
        (0..n).map(|i| (format!("/registry/pods/default/web-{i:06}"), Arc::from(stored_pod(i)))).collect();
    let bytes = values.first().map_or(0, |v| v.1.len());
    let mut store = Store::new();
    let start = Instant::now();
    let mut failed = 0;
    for (key, value) in values {
        let put = Op::Put { key: key.clone(), value, lease: None };
        match store.txn(&[Compare::Missing(key.clone())], vec![put], vec![Op::Get { key }]) {
            Ok(r) if r.succeeded => {}
            _ => failed += 1,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    format!(
        "store creates: {n} txn puts of {bytes}-byte pods in {secs:.3} s = {:.0} creates/s ({failed} failed), store revision {}, ~{:.0} MiB held",
        per_second(n, secs),
        store.revision(),
        store.approx_bytes() as f64 / (1024.0 * 1024.0)
    )
}

/// (b) Creates through the kube-apiserver: kubectl -> apiserver (admission, defaulting, validation)
/// -> etcd txn -> response, with the watch cache fed from etcd's watch, on a world with no nodes.
fn api_creates(n: usize) -> String {
    let mut world = World::bare(1);
    let requests: Vec<ApiRequest> = (0..n)
        .map(|i| ApiRequest::new(0, Verb::Create, pods()).in_namespace(Some("default")).with_body(pod_request(i)))
        .collect();
    let start = Instant::now();
    let failed = requests.into_iter().map(|r| world.call(r)).filter(Result::is_err).count();
    let secs = start.elapsed().as_secs_f64();
    format!(
        "apiserver creates: {n} pod creates in {secs:.3} s = {:.0} creates/s ({failed} failed), {} messages, virtual {:.1} s",
        per_second(n, secs),
        world.k.trace.total_sent(),
        world.now() as f64 / 1000.0
    )
}

/// (c, store level) `watchers` prefix watches on `/registry/pods/`; each write is drained to all of
/// them with `drain_watch_events_shared`.
fn store_fanout(watchers: usize, writes: usize) -> String {
    let mut store = Store::new();
    for _ in 0..watchers {
        store.watch("/registry/pods/", true, 0).expect("a watch from now is always possible");
    }
    let values: Vec<Arc<[u8]>> = (0..writes).map(|i| Arc::from(stored_pod(i))).collect();
    let start = Instant::now();
    let mut delivered = 0;
    for (i, value) in values.into_iter().enumerate() {
        store.put(&format!("/registry/pods/default/web-{i:06}"), value, None).expect("a non-empty key without lease");
        delivered += store.drain_watch_events_shared().iter().map(|(_, events)| events.len()).sum::<usize>();
    }
    let secs = start.elapsed().as_secs_f64();
    format!(
        "store watch fan-out: {writes} writes x {watchers} watchers, {delivered} events in {secs:.4} s = {:.1} us per write, {:.0} deliveries/s",
        secs * 1e6 / writes.max(1) as f64,
        per_second(delivered, secs)
    )
}

/// (c, apiserver level) `watchers` watches on pods opened through the kube-apiserver (as `kubectl get
/// pods -w -A` would); each create is answered, then its ADDED notice travels to every watcher.
fn api_fanout(watchers: usize, writes: usize) -> String {
    let mut world = World::bare(1);
    let ids: Vec<u64> =
        (0..watchers).map(|_| world.open_kubectl_watch(ApiRequest::new(0, Verb::Watch, pods()))).collect();
    world.run_for(1_000);
    let requests: Vec<ApiRequest> = (0..writes)
        .map(|i| ApiRequest::new(0, Verb::Create, pods()).in_namespace(Some("default")).with_body(pod_request(i)))
        .collect();
    let start = Instant::now();
    for r in requests {
        let _ = world.call(r);
        // One virtual second is far more than the simulated network needs to deliver every notice.
        world.run_for(1_000);
    }
    let secs = start.elapsed().as_secs_f64();
    let delivered: usize = ids.iter().map(|id| world.kubectl_watch_events.get(id).map_or(0, Vec::len)).sum();
    format!(
        "apiserver watch fan-out: {writes} creates x {watchers} watchers, {delivered} notices delivered in {secs:.3} s = {:.2} ms per write, {:.0} notices/s",
        secs * 1e3 / writes.max(1) as f64,
        per_second(delivered, secs)
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let parsed = (|| {
        Ok::<_, String>((
            number(&args, "--creates", 50_000)?,
            number(&args, "--api-creates", 5_000)?,
            number(&args, "--watchers", 1_000)?,
            number(&args, "--writes", 20)?,
        ))
    })();
    let (creates, api, watchers, writes) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    println!("store_bench: {} | {}", store_creates(creates), machine());
    println!("store_bench: {} | {}", api_creates(api), machine());
    println!("store_bench: {} | {}", store_fanout(watchers, writes * 5), machine());
    println!("store_bench: {} | {}", api_fanout(watchers, writes), machine());
    ExitCode::SUCCESS
}
