//! The resource Metrics API (`metrics.k8s.io/v1beta1`, `k8s.io/metrics`) as the kube-apiserver's
//! aggregation layer serves it from metrics-server: `PodMetrics` and `NodeMetrics`, read-only, from
//! metrics-server's last scrape of the kubelets.
//!
//! ```text
//!  kubelets' usage ──every 15 s (metrics-server's --metric-resolution)──► Scrape ──► GET/LIST
//!  pods.metrics.k8s.io / nodes.metrics.k8s.io ──► PodMetrics{timestamp, window, containers[].usage}
//! ```
//! metrics-server reports CPU as a rate between two scrapes, so a container appears once it has run
//! through one whole resolution window: a pod younger than one scrape has no metrics yet. With no
//! metrics-server available, the aggregator answers 503 (`ServiceUnavailable`).

use serde_json::{Value, json};

use crate::sim::api::pointer::Pointer;

use super::cache::WatchCache;
use super::fields::FieldSelector;
use super::request::{ApiRequest, Verb};
use super::status::{Reason, Status};
use crate::sim::api::selector::{Selector, parse_selector};
use crate::sim::api::{self, ResourceType};
use crate::sim::node::kubelet::inspect::PodUsage;
use crate::sim::time::{Millis, rfc3339};

/// metrics-server's `--metric-resolution` (its default): how often it scrapes every kubelet.
pub const RESOLUTION_MS: Millis = 15_000;
/// The group kubectl top and the HPA controller look for.
pub const GROUP: &str = "metrics.k8s.io";

/// `pods.metrics.k8s.io`: one `PodMetrics` per pod metrics-server has two samples of.
pub static POD_METRICS: ResourceType = metrics_type("PodMetrics", "pods", true);
/// `nodes.metrics.k8s.io`: one `NodeMetrics` per node whose kubelet answered the last scrape.
pub static NODE_METRICS: ResourceType = metrics_type("NodeMetrics", "nodes", false);

const fn metrics_type(kind: &'static str, plural: &'static str, namespaced: bool) -> ResourceType {
    ResourceType {
        group: GROUP,
        version: "v1beta1",
        other_versions: &[],
        kind,
        plural,
        singular: "",
        short_names: &[],
        namespaced,
        categories: &[],
        verbs: &["get", "list"],
        etcd_prefix: "",
    }
}

pub use crate::sim::protocol::kubelet::NodeSample;

/// What metrics-server holds after one scrape of every reachable kubelet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scrape {
    /// The scrape's instant, a multiple of [`RESOLUTION_MS`]: the metrics' `timestamp`.
    pub at: Millis,
    pub nodes: Vec<NodeSample>,
    /// Pods with at least one container that ran through the whole window before `at`.
    pub pods: Vec<PodUsage>,
}

/// Whether a request is for the Metrics API (served here, not from etcd).
pub fn is_metrics(rt: &ResourceType) -> bool {
    rt.group == GROUP
}

fn unavailable(rt: &ResourceType) -> Status {
    let verb = "get";
    Status::new(
        503,
        Reason::ServiceUnavailable,
        format!("the server is currently unable to handle the request ({verb} {}.{GROUP})", rt.plural),
    )
}

/// Answers a Metrics API request from the last scrape (`None`: metrics-server is not available).
pub fn answer(req: &ApiRequest, scrape: Option<&Scrape>, cache: &WatchCache, now: Millis) -> Result<Value, Status> {
    let rt = req.resource;
    let Some(scrape) = scrape else { return Err(unavailable(rt)) };
    if !matches!(req.verb, Verb::Get | Verb::List) {
        return Err(Status::new(
            405,
            Reason::MethodNotAllowed,
            "the server does not allow this method on the requested resource",
        ));
    }
    let labels = parse_selector(req.options.label_selector.as_deref().unwrap_or(""))
        .map_err(|e| Status::bad_request(e.to_string()))?;
    let fields = FieldSelector::parse(req.options.field_selector.as_deref().unwrap_or(""))
        .map_err(|e| Status::bad_request(e.to_string()))?;
    let items = if rt.namespaced {
        pod_items(scrape, cache, req.namespace.as_deref(), &labels, &fields, now)
    } else {
        node_items(scrape, cache, &labels, now)
    };
    match (&req.verb, &req.name) {
        (Verb::Get, Some(name)) => {
            let found = items.into_iter().find(|m| m.at("/metadata/name").and_then(Value::as_str) == Some(name));
            let shown = match (&req.namespace, rt.namespaced) {
                (Some(ns), true) => format!("{ns}/{name}"),
                _ => name.clone(),
            };
            found.ok_or_else(|| {
                Status::new(404, Reason::NotFound, format!("{}.{GROUP} \"{shown}\" not found", rt.kind.to_lowercase()))
            })
        }
        _ => Ok(json!({
            "kind": format!("{}List", rt.kind), "apiVersion": format!("{GROUP}/v1beta1"),
            "metadata": {}, "items": items,
        })),
    }
}

/// metrics-server's units: CPU in nanocores, memory in KiB.
fn usage(cpu_millis: u64, memory_bytes: u64) -> Value {
    json!({"cpu": format!("{}n", cpu_millis * 1_000_000), "memory": format!("{}Ki", memory_bytes / 1024)})
}

fn meta(name: &str, namespace: Option<&str>, labels: Option<&Value>, now: Millis) -> Value {
    let mut m = json!({"name": name, "creationTimestamp": rfc3339(now)});
    if let Some(ns) = namespace {
        m["namespace"] = json!(ns);
    }
    if let Some(l) = labels.filter(|l| l.as_object().is_some_and(|o| !o.is_empty())) {
        m["labels"] = l.clone();
    }
    m
}

/// PodMetrics of the scraped pods that still exist and match the selectors (the pods' own labels).
fn pod_items(
    scrape: &Scrape,
    cache: &WatchCache,
    namespace: Option<&str>,
    labels: &Selector,
    fields: &FieldSelector,
    now: Millis,
) -> Vec<Value> {
    let pods = api::resolve("pods").expect("pods are always served");
    let window = format!("{}s", RESOLUTION_MS / 1000);
    scrape
        .pods
        .iter()
        .filter(|p| namespace.is_none_or(|ns| ns == p.namespace))
        .filter_map(|p| {
            let pod = cache.get(&api::storage_key(pods, Some(&p.namespace), &p.name))?;
            if !labels.matches_object(pod) || !fields.matches(pod) {
                return None;
            }
            let containers: Vec<Value> = p
                .containers
                .iter()
                .map(|c| json!({"name": c.name, "usage": usage(c.cpu_millis, c.memory_bytes)}))
                .collect();
            Some(json!({
                "kind": "PodMetrics", "apiVersion": format!("{GROUP}/v1beta1"),
                "metadata": meta(&p.name, Some(&p.namespace), pod.at("/metadata/labels"), now),
                "timestamp": rfc3339(scrape.at), "window": window, "containers": containers,
            }))
        })
        .collect()
}

fn node_items(scrape: &Scrape, cache: &WatchCache, labels: &Selector, now: Millis) -> Vec<Value> {
    let nodes = api::resolve("nodes").expect("nodes are always served");
    let window = format!("{}s", RESOLUTION_MS / 1000);
    scrape
        .nodes
        .iter()
        .filter_map(|n| {
            let node = cache.get(&api::storage_key(nodes, None, &n.name))?;
            labels.matches_object(node).then(|| {
                json!({
                    "kind": "NodeMetrics", "apiVersion": format!("{GROUP}/v1beta1"),
                    "metadata": meta(&n.name, None, node.at("/metadata/labels"), now),
                    "timestamp": rfc3339(scrape.at), "window": window,
                    "usage": usage(n.cpu_millis, n.memory_bytes),
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::node::kubelet::inspect::ContainerUsage;

    fn scrape() -> Scrape {
        Scrape {
            at: 30_000,
            nodes: vec![NodeSample { name: "n1".into(), cpu_millis: 250, memory_bytes: 2 << 20 }],
            pods: vec![PodUsage {
                namespace: "default".into(),
                name: "web".into(),
                containers: vec![ContainerUsage { name: "c".into(), cpu_millis: 12, memory_bytes: 4096 }],
            }],
        }
    }

    #[test]
    fn units_are_metrics_servers() {
        assert_eq!(usage(12, 4096), json!({"cpu": "12000000n", "memory": "4Ki"}));
        let q = crate::sim::api::quantity::parse_cpu_millis("12000000n");
        assert_eq!(q.ok(), Some(12));
    }

    #[test]
    fn without_metrics_server_the_aggregator_answers_503() {
        let req = ApiRequest::new(1, Verb::List, &POD_METRICS).in_namespace(Some("default"));
        let err = answer(&req, None, &WatchCache::default(), 0).unwrap_err();
        assert_eq!(err.code, 503);
        assert_eq!(err.message, "the server is currently unable to handle the request (get pods.metrics.k8s.io)");
    }

    #[test]
    fn a_pod_the_cache_no_longer_has_is_not_listed() {
        let req = ApiRequest::new(1, Verb::List, &POD_METRICS).in_namespace(Some("default"));
        let list = answer(&req, Some(&scrape()), &WatchCache::default(), 40_000).unwrap();
        assert_eq!(list["kind"], "PodMetricsList");
        assert_eq!(list["items"], json!([]));
        let get = ApiRequest::new(2, Verb::Get, &POD_METRICS).in_namespace(Some("default")).named("web");
        let err = answer(&get, Some(&scrape()), &WatchCache::default(), 40_000).unwrap_err();
        assert_eq!(err.message, "podmetrics.metrics.k8s.io \"default/web\" not found");
    }
}
