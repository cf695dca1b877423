//! `kubectl describe`: the per-kind describers of `k8s.io/kubectl/pkg/describe`, fed with the object,
//! its events and whatever related objects kubectl would have fetched (a node's pods, a
//! deployment's ReplicaSets, a service's EndpointSlices...).
//!
//! Output goes through Go's tabwriter (padding 2), so alignment breaks and restarts exactly where
//! kubectl's does; ages are measured against the simulation's virtual "now".

mod autoscaling;
mod containers;
mod env;
mod events;
mod generic;
mod ingress;
mod namespace;
mod network_policy;
mod node;
mod pod;
mod quantity;
mod service;
mod storage;
mod volumes;
mod workloads;
mod writer;

pub use quantity::{Quantity, pod_requests_and_limits};

use serde_json::Value;

use super::age;
use super::columns::canonical_kind;
use super::fields::{arr_at, at, opt_str, str_at, string_map};
use crate::sim::time::Millis;
use writer::PrefixWriter;

/// Objects kubectl fetches besides the one described. Leave empty what does not apply.
#[derive(Debug, Clone, Default)]
pub struct DescribeContext {
    /// Virtual time for ages.
    pub now: Millis,
    /// Node: pods bound to it. ReplicaSet: pods matching its selector (only those it controls count).
    pub pods: Vec<Value>,
    /// Deployment: the ReplicaSets it owns (the one matching its template is the new one).
    pub replica_sets: Vec<Value>,
    /// Service: EndpointSlices labelled `kubernetes.io/service-name=<name>`. Ingress: its namespace's.
    pub endpoint_slices: Vec<Value>,
    /// Ingress: the Services of its namespace (its backends').
    pub services: Vec<Value>,
    /// Node: its Lease in `kube-node-lease` (`None` prints kubectl's "Failed to get lease").
    pub lease: Option<Value>,
    /// Namespace: its ResourceQuotas.
    pub resource_quotas: Vec<Value>,
    /// Namespace: its LimitRanges.
    pub limit_ranges: Vec<Value>,
    /// `--show-events=false`: leave the Events section out.
    pub hide_events: bool,
}

impl DescribeContext {
    /// `translateTimestampSince` at this context's "now".
    fn since(&self, ts: Option<&str>) -> String {
        age::since(ts, self.now)
    }
}

/// Describes one object the way `kubectl describe <kind> <name>` prints it.
pub fn describe(kind: &str, obj: &Value, events: &[Value], ctx: &DescribeContext) -> String {
    let own_kind = str_at(obj, &["kind"]);
    let kind = canonical_kind(if own_kind.is_empty() { kind } else { own_kind }).unwrap_or("");
    let events = if ctx.hide_events { None } else { Some(events) };
    let mut w = PrefixWriter::new();
    match kind {
        "Pod" => pod::describe_pod(&mut w, obj, events, ctx),
        "Node" => node::describe_node(&mut w, obj, events, ctx),
        "Deployment" => workloads::describe_deployment(&mut w, obj, events, ctx),
        "ReplicaSet" => workloads::describe_replica_set(&mut w, obj, events, ctx),
        "ReplicationController" => workloads::describe_replication_controller(&mut w, obj, events, ctx),
        "ResourceQuota" => namespace::describe_resource_quota(&mut w, obj),
        "Job" => workloads::describe_job(&mut w, obj, events, ctx),
        "Service" => service::describe_service(&mut w, obj, events, ctx),
        "Namespace" => namespace::describe_namespace(&mut w, obj, ctx),
        "ConfigMap" => namespace::describe_config_map(&mut w, obj, events, ctx),
        "Secret" => namespace::describe_secret(&mut w, obj),
        "NetworkPolicy" => network_policy::describe_network_policy(&mut w, obj),
        "Ingress" => ingress::describe_ingress(&mut w, obj, events, ctx),
        "IngressClass" => ingress::describe_ingress_class(&mut w, obj, events, ctx),
        "PersistentVolume" => storage::describe_persistent_volume(&mut w, obj, events, ctx),
        "PersistentVolumeClaim" => storage::describe_persistent_volume_claim(&mut w, obj, events, ctx),
        "StorageClass" => storage::describe_storage_class(&mut w, obj, events, ctx),
        "HorizontalPodAutoscaler" => autoscaling::describe_hpa(&mut w, obj, events, ctx),
        _ => generic::describe_generic(&mut w, obj, events, ctx),
    }
    w.finish()
}

/// `printLabelsMultiline`: `Title:\tk=v` then one `k=v` per line under it, or `<none>`.
fn labels_multiline(w: &mut PrefixWriter, title: &str, pairs: &[(String, String)]) {
    w.write(0, &format!("{title}:\t"));
    if pairs.is_empty() {
        w.line("<none>");
        return;
    }
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        w.write(0, &format!("{k}={v}\n"));
    }
}

/// `printAnnotationsMultiline`: sorted, last-applied-configuration skipped, long or multi-line
/// values on their own lines and cut at 140 characters.
fn annotations_multiline(w: &mut PrefixWriter, title: &str, obj: &Value) {
    const MAX: usize = 140;
    w.write(0, &format!("{title}:\t"));
    let pairs: Vec<(String, String)> = string_map(obj, &["metadata", "annotations"])
        .into_iter()
        .filter(|(k, _)| k != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    if pairs.is_empty() {
        w.line("<none>");
        return;
    }
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX || value.contains('\n') {
            w.write(0, &format!("{key}:\n"));
            for line in value.split('\n') {
                w.write(0, &format!("\t  {}\n", shorten(line, MAX - 2)));
            }
        } else {
            w.write(0, &format!("{key}: {value}\n"));
        }
    }
}

/// `shorten`: the first `max` bytes and `...` (cut on a character boundary).
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// `printController`: `Kind/name` of the controlling owner, if any.
fn controller_of(obj: &Value) -> Option<String> {
    arr_at(obj, &["metadata", "ownerReferences"])
        .iter()
        .find(|r| at(r, &["controller"]).and_then(Value::as_bool) == Some(true))
        .map(|r| format!("{}/{}", str_at(r, &["kind"]), str_at(r, &["name"])))
}

/// Name, and Namespace when the object has one, as most describers begin.
fn name_namespace(w: &mut PrefixWriter, obj: &Value) {
    w.write(0, &format!("Name:\t{}\n", str_at(obj, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", str_at(obj, &["metadata", "namespace"])));
}

/// Labels and Annotations sections.
fn labels_and_annotations(w: &mut PrefixWriter, obj: &Value) {
    labels_multiline(w, "Labels", &string_map(obj, &["metadata", "labels"]));
    annotations_multiline(w, "Annotations", obj);
}

/// `CreationTimestamp:` line.
fn creation_timestamp(w: &mut PrefixWriter, obj: &Value) {
    let ts = writer::rfc1123z(opt_str(obj, &["metadata", "creationTimestamp"]));
    w.write(0, &format!("CreationTimestamp:\t{ts}\n"));
}

/// `printBool`.
fn print_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects and the text kubectl 1.33 printed for them (captured from a fake apiserver, TZ=UTC).
    fn fixtures() -> (Millis, Vec<Value>) {
        let v: Value =
            serde_json::from_str(include_str!("testdata/describe/fixtures.json")).expect("fixtures are valid JSON");
        let now = crate::sim::time::parse_rfc3339(str_at(&v, &["now"])).expect("fixture time parses");
        (now, arr_at(&v, &["objects"]).to_vec())
    }

    fn find<'a>(objs: &'a [Value], kind: &str, name: &str) -> &'a Value {
        objs.iter()
            .find(|o| str_at(o, &["kind"]) == kind && str_at(o, &["metadata", "name"]) == name)
            .unwrap_or_else(|| panic!("fixture {kind}/{name}"))
    }

    fn events_for(objs: &[Value], kind: &str, name: &str) -> Vec<Value> {
        objs.iter()
            .filter(|o| str_at(o, &["kind"]) == "Event")
            .filter(|e| {
                str_at(e, &["involvedObject", "kind"]) == kind && str_at(e, &["involvedObject", "name"]) == name
            })
            .cloned()
            .collect()
    }

    fn check(got: &str, want: &str) {
        for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
            assert_eq!(g, w, "line {}", i + 1);
        }
        assert_eq!(got, want);
    }

    #[test]
    fn pod_matches_kubectl() {
        let (now, objs) = fixtures();
        let pod = find(&objs, "Pod", "web-5d4f8b7c9-abcde");
        let ctx = DescribeContext { now, ..Default::default() };
        let got = describe("pods", pod, &events_for(&objs, "Pod", "web-5d4f8b7c9-abcde"), &ctx);
        check(&got, include_str!("testdata/describe/pod.txt"));
    }

    fn of_kind(objs: &[Value], kind: &str) -> Vec<Value> {
        objs.iter().filter(|o| str_at(o, &["kind"]) == kind).cloned().collect()
    }

    #[test]
    fn node_matches_kubectl() {
        let (now, objs) = fixtures();
        let pods =
            of_kind(&objs, "Pod").into_iter().filter(|p| str_at(p, &["spec", "nodeName"]) == "kind-worker").collect();
        let ctx = DescribeContext {
            now,
            pods,
            lease: Some(find(&objs, "Lease", "kind-worker").clone()),
            ..Default::default()
        };
        let got = describe("node", find(&objs, "Node", "kind-worker"), &events_for(&objs, "Node", "kind-worker"), &ctx);
        check(&got, include_str!("testdata/describe/node.txt"));
    }

    #[test]
    fn deployment_matches_kubectl() {
        let (now, objs) = fixtures();
        let ctx = DescribeContext { now, replica_sets: of_kind(&objs, "ReplicaSet"), ..Default::default() };
        let got = describe("deploy", find(&objs, "Deployment", "web"), &events_for(&objs, "Deployment", "web"), &ctx);
        check(&got, include_str!("testdata/describe/deployment.txt"));
    }

    #[test]
    fn replica_set_matches_kubectl() {
        let (now, objs) = fixtures();
        let ctx = DescribeContext { now, pods: of_kind(&objs, "Pod"), ..Default::default() };
        let got = describe(
            "rs",
            find(&objs, "ReplicaSet", "web-5d4f8b7c9"),
            &events_for(&objs, "ReplicaSet", "web-5d4f8b7c9"),
            &ctx,
        );
        check(&got, include_str!("testdata/describe/replicaset.txt"));
    }

    #[test]
    fn services_match_kubectl() {
        let (now, objs) = fixtures();
        let ctx = DescribeContext { now, endpoint_slices: of_kind(&objs, "EndpointSlice"), ..Default::default() };
        let got = describe("svc", find(&objs, "Service", "web"), &[], &ctx);
        check(&got, include_str!("testdata/describe/service-nodeport.txt"));
        let ctx = DescribeContext { now, ..Default::default() };
        let got = describe("svc", find(&objs, "Service", "kubernetes"), &[], &ctx);
        check(&got, include_str!("testdata/describe/service-clusterip.txt"));
    }

    #[test]
    fn namespaces_match_kubectl() {
        let (now, objs) = fixtures();
        let ctx = DescribeContext { now, ..Default::default() };
        check(
            &describe("ns", find(&objs, "Namespace", "default"), &[], &ctx),
            include_str!("testdata/describe/namespace-empty.txt"),
        );
        let ctx = DescribeContext {
            now,
            resource_quotas: of_kind(&objs, "ResourceQuota"),
            limit_ranges: of_kind(&objs, "LimitRange"),
            ..Default::default()
        };
        check(
            &describe("ns", find(&objs, "Namespace", "team-a"), &[], &ctx),
            include_str!("testdata/describe/namespace-quota.txt"),
        );
    }

    #[test]
    fn job_configmap_and_generic_match_kubectl() {
        let (now, objs) = fixtures();
        let ctx = DescribeContext { now, ..Default::default() };
        check(
            &describe("job", find(&objs, "Job", "pi"), &events_for(&objs, "Job", "pi"), &ctx),
            include_str!("testdata/describe/job.txt"),
        );
        check(
            &describe("cm", find(&objs, "ConfigMap", "cfg"), &[], &ctx),
            include_str!("testdata/describe/configmap.txt"),
        );
        check(
            &describe("widgets", find(&objs, "Widget", "w1"), &[], &ctx),
            include_str!("testdata/describe/generic.txt"),
        );
    }

    #[test]
    fn hidden_events_and_missing_lease() {
        let (now, objs) = fixtures();
        let ctx = DescribeContext { now, hide_events: true, ..Default::default() };
        let got = describe("Node", find(&objs, "Node", "kind-worker"), &[], &ctx);
        assert!(!got.contains("Events:"));
        assert!(
            got.contains(
                "Lease:              Failed to get lease: leases.coordination.k8s.io \"kind-worker\" not found\n"
            ),
            "{got}"
        );
        assert!(got.contains("Non-terminated Pods:          (0 in total)\n"), "{got}");
    }

    #[test]
    fn garbage_never_panics() {
        let ctx = DescribeContext {
            pods: vec![serde_json::json!(null), serde_json::json!({"spec": {"containers": "x"}})],
            replica_sets: vec![serde_json::json!(1)],
            endpoint_slices: vec![serde_json::json!({"ports": [{}], "endpoints": [{}]})],
            lease: Some(serde_json::json!([])),
            resource_quotas: vec![serde_json::json!({"status": {"hard": {"pods": 3}}})],
            limit_ranges: vec![serde_json::json!({"spec": {"limits": [{"max": {"cpu": []}}]}})],
            ..Default::default()
        };
        let junk = [
            serde_json::json!(null),
            serde_json::json!("text"),
            serde_json::json!({"metadata": {"name": 3, "labels": [1], "annotations": {"a": null}}}),
            serde_json::json!({"spec": {"containers": [{"env": [{"valueFrom": {"fieldRef": 1}}], "ports": "x"}], "volumes": [{}]},
                               "status": {"containerStatuses": [{"state": {"terminated": {"startedAt": 5}}}]}}),
        ];
        for kind in [
            "Pod",
            "Node",
            "Deployment",
            "ReplicaSet",
            "ReplicationController",
            "ResourceQuota",
            "Job",
            "Service",
            "Namespace",
            "ConfigMap",
            "Secret",
            "NetworkPolicy",
            "Widget",
        ] {
            for obj in &junk {
                let out = describe(kind, obj, &[serde_json::json!({"count": "x"})], &ctx);
                assert!(out.starts_with("Name:"), "{kind}: {out}");
            }
        }
    }

    /// `describeQuota`, compared with what kubectl 1.33 printed for the same objects: the scope help
    /// lines carry no tab, so they end the tabwriter's block and the table aligns on its own.
    #[test]
    fn resource_quota_as_kubectl_prints_it() {
        let scoped = serde_json::json!({"kind": "ResourceQuota", "metadata": {"name": "pods-high", "namespace": "default"},
            "spec": {"hard": {"cpu": "1", "memory": "200Gi", "pods": "10"}, "scopes": ["NotTerminating", "BestEffort"]},
            "status": {"hard": {"cpu": "1", "memory": "200Gi", "pods": "10"}, "used": {"cpu": "500m", "pods": "1"}}});
        assert_eq!(
            describe("quota", &scoped, &[], &DescribeContext::default()),
            "Name:       pods-high\nNamespace:  default\nScopes:     BestEffort, NotTerminating\n \
             * Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.\n \
             * Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.\n\
             Resource  Used  Hard\n--------  ----  ----\ncpu       500m  1\nmemory    0     200Gi\npods      1     10\n"
        );
        let plain = serde_json::json!({"kind": "ResourceQuota", "metadata": {"name": "plain", "namespace": "default"},
            "spec": {"hard": {"pods": "2"}},
            "status": {"hard": {"pods": "2", "requests.memory": "1Gi", "count/deployments.apps": "3"},
                       "used": {"pods": "2", "requests.memory": "512Mi"}}});
        assert_eq!(
            describe("ResourceQuota", &plain, &[], &DescribeContext::default()),
            "Name:                   plain\nNamespace:              default\nResource                Used   Hard\n\
             --------                ----   ----\ncount/deployments.apps  0      3\npods                    2      2\n\
             requests.memory         512Mi  1Gi\n"
        );
    }

    /// `describeReplicationController`, compared with kubectl 1.33's output for the same objects.
    #[test]
    fn replication_controller_as_kubectl_prints_it() {
        let rc = serde_json::json!({"apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": "nginx", "namespace": "default", "uid": "rc1", "labels": {"app": "nginx"}},
            "spec": {"replicas": 3, "selector": {"app": "nginx"}, "template": {"metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}},
            "status": {"replicas": 3, "readyReplicas": 3}});
        let pod = serde_json::json!({"metadata": {"name": "nginx-a", "namespace": "default", "labels": {"app": "nginx"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "ReplicationController", "name": "nginx", "uid": "rc1", "controller": true}]},
            "status": {"phase": "Running"}});
        let ctx = DescribeContext { pods: vec![pod], ..Default::default() };
        assert_eq!(
            describe("rc", &rc, &[], &ctx),
            "Name:         nginx\nNamespace:    default\nSelector:     app=nginx\nLabels:       app=nginx\nAnnotations:  <none>\n\
             Replicas:     3 current / 3 desired\nPods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed\nPod Template:\n\
             \x20 Labels:  app=nginx\n  Containers:\n   nginx:\n    Image:         nginx\n    Port:          80/TCP\n\
             \x20   Host Port:     0/TCP\n    Environment:   <none>\n    Mounts:        <none>\n  Volumes:         <none>\n\
             \x20 Node-Selectors:  <none>\n  Tolerations:     <none>\nEvents:            <none>\n"
        );
    }
}
