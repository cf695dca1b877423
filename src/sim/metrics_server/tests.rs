//! metrics-server on a whole cluster: its scrapes as messages, the Metrics API following its pod, and a
//! node that is down dropping out, each citing the upstream behaviour it checks.

use crate::sim::apiserver::metrics::POD_METRICS;
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::kubectl::{self, NoFiles, Output};
use crate::sim::world::World;

fn k(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

/// The node metrics-server's pod runs on.
fn its_node(w: &mut World) -> String {
    k(w, "get pods -n kube-system -l k8s-app=metrics-server -o jsonpath={.items[0].spec.nodeName}").stdout
}

/// `Scrape` in metrics-server's `scraper.go`: one `GET /metrics/resource` to every node of its
/// informer each `--metric-resolution`, each answered once.
#[test]
fn the_scrape_is_one_request_and_one_answer_per_node_every_15_s() {
    let mut w = World::new(21);
    w.run_for(60_000);
    let from = w.now() - 30_000;
    let scrapes: Vec<_> = w.k.trace.entries().iter().filter(|e| e.kind == "kubelet" && e.sent_at >= from).collect();
    let asks = scrapes.iter().filter(|e| &*e.from == "metrics-server").count();
    let answers = scrapes.iter().filter(|e| &*e.to == "metrics-server").count();
    assert_eq!((asks, answers), (8, 8), "two cycles of four nodes: {scrapes:#?}");
    let ask = scrapes.iter().find(|e| &*e.from == "metrics-server").expect("a scrape");
    assert!(ask.to.starts_with("kubelet/"), "{ask:?}");
    assert!(ask.summary.starts_with("GET https://172.18.0.") && ask.summary.ends_with(":10250/metrics/resource"));
    // Its ticker is its own loop: no story follows the command that started its pod into every scrape.
    assert!(scrapes.iter().filter(|e| &*e.from == "metrics-server").all(|e| e.cause.is_none()), "{scrapes:#?}");
}

/// kube-aggregator answers for an APIService only while its Service has endpoints; kubectl 1.33 then
/// finds the group missing from (aggregated) discovery; the HPA controller's `FailedGetResourceMetric`
/// carries the client's error. A new metrics-server serves again once Ready.
#[test]
fn the_metrics_api_follows_the_pod() {
    let mut w = World::new(22);
    assert_eq!(k(&mut w, "top nodes").stderr, "error: Metrics API not available\n", "not Ready yet at 12 s");
    w.run_for(20_000);
    assert!(k(&mut w, "top nodes").stdout.starts_with("NAME"), "Ready by 32 s");
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: idle\nspec:\n  selector:\n    matchLabels:\n      app: idle\n  template:\n    metadata:\n      labels:\n        app: idle\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        command: [sleep, \"3600\"]\n        resources:\n          requests:\n            cpu: 100m\n";
    assert!(!kubectl::execute(&mut w, "apply -f -", Some(deploy), &NoFiles).failed);
    assert!(!k(&mut w, "autoscale deployment idle --cpu-percent=50 --max=3").failed);
    assert!(!k(&mut w, "scale deployment metrics-server -n kube-system --replicas=0").failed);
    w.run_for(40_000);
    assert!(!w.metrics_server.running);
    assert_eq!(k(&mut w, "top pods").stderr, "error: Metrics API not available\n");
    let req = ApiRequest::new(0, Verb::List, &POD_METRICS).in_namespace(Some("default"));
    let err = w.call(req).expect_err("503");
    assert_eq!(
        (err.code, err.message.as_str()),
        (503, "the server is currently unable to handle the request (get pods.metrics.k8s.io)")
    );
    assert!(k(&mut w, "get hpa idle").stdout.contains("cpu: <unknown>/50%"));
    let d = k(&mut w, "describe hpa idle").stdout;
    assert!(
        d.contains("FailedGetResourceMetric")
            && d.contains("unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)"),
        "{d}"
    );
    assert!(!k(&mut w, "scale deployment metrics-server -n kube-system --replicas=1").failed);
    w.run_for(10_000);
    assert!(w.metrics_server.running, "the new pod's container runs");
    assert_eq!(k(&mut w, "top pods").stderr, "error: Metrics API not available\n", "not Ready before 20 s");
    w.run_for(25_000);
    let top = k(&mut w, "top pods");
    assert!(top.stdout.lines().any(|l| l.starts_with("idle-")), "{top:?}");
    w.run_for(30_000);
    assert!(k(&mut w, "get hpa idle").stdout.contains("cpu: 0%/50%"), "{}", k(&mut w, "get hpa idle").stdout);
}

/// A node that does not answer within `--kubelet-request-timeout` (10 s) is missing from the batch,
/// and `storage.go` forgets what a batch lacks: `kubectl top node` prints `<unknown>` for it.
#[test]
fn a_node_that_is_down_drops_out() {
    let mut w = World::new(23);
    w.run_for(30_000);
    let host = its_node(&mut w);
    let down = ["sandbox-worker", "sandbox-worker2", "sandbox-worker3"]
        .into_iter()
        .find(|n| *n != host)
        .expect("three workers");
    w.set_node_running(down, false).expect("the node exists");
    w.run_for(26_000);
    let nodes = k(&mut w, "top nodes").stdout;
    let line = nodes.lines().find(|l| l.starts_with(&format!("{down} "))).expect("listed");
    assert!(line.contains("<unknown>"), "{nodes}");
    assert_eq!(nodes.lines().filter(|l| l.contains("<unknown>")).count(), 1, "{nodes}");
}

/// A replaced pod is a new process with one ticker: the old pod's tick, still queued when the new
/// process starts, ends with the old process instead of running a second loop beside the new one's.
#[test]
fn a_replaced_pod_scrapes_once_per_resolution() {
    let mut w = World::new(21);
    w.run_for(60_000);
    assert!(!k(&mut w, "delete pod -n kube-system -l k8s-app=metrics-server --wait=false").failed);
    w.run_for(120_000);
    assert!(w.metrics_server.running, "the new pod's process runs");
    let from = w.now() - 30_000;
    let asks =
        w.k.trace
            .entries()
            .iter()
            .filter(|e| e.kind == "kubelet" && e.sent_at >= from && &*e.from == "metrics-server")
            .count();
    assert_eq!(asks, 8, "two cycles of four nodes, not two loops");
}
