//! Scenario tests of ResourceQuota on a whole simulated cluster: the admission plugin charging
//! `status.used` atomically (`staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota`),
//! scopes (`pkg/quota/v1/evaluator/core/pods.go`), and the quota controller's recount and
//! replenishment (`pkg/controller/resourcequota`), as `kubectl describe quota` shows them.

use k8s_sandbox::sim::api;
use k8s_sandbox::sim::apiserver::request::{ApiRequest, Verb};
use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;
use serde_json::json;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn kubectl_in(w: &mut World, line: &str, stdin: &str) -> Output {
    kubectl::execute(w, line, Some(stdin), &NoFiles)
}

fn pod_create(name: &str) -> ApiRequest {
    let rt = api::resolve("pods").expect("pods are served");
    ApiRequest::new(0, Verb::Create, rt).in_namespace(Some("default")).with_body(json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}
    }))
}

/// A cluster whose `default` namespace has the quota `pods-2` (`pods: 2`), counted by the controller.
fn with_pod_quota(seed: u64) -> World {
    let mut w = World::new(seed);
    let out = kubectl(&mut w, "create quota pods-2 --hard=pods=2");
    assert_eq!(out.stdout, "resourcequota/pods-2 created\n", "{out:?}");
    w.run_for(5_000);
    w
}

/// Three creates sent at the same instant against `pods: 2`: the plugin computes used + 1 from
/// the quota's status and writes it with a resourceVersion compare, so the losers of the race
/// re-evaluate against the new usage and exactly one is refused (`CheckRequest`, `checkQuotas`).
#[test]
fn a_burst_of_creates_cannot_pass_the_limit() {
    let mut w = with_pod_quota(1);
    let results = w.call_all(vec![pod_create("a"), pod_create("b"), pod_create("c")]);
    let refused: Vec<String> = results.iter().filter_map(|r| r.as_ref().err().map(|e| e.message.clone())).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2, "{refused:?}");
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].ends_with("is forbidden: exceeded quota: pods-2, requested: pods=1, used: pods=2, limited: pods=2"),
        "{}",
        refused[0]
    );
    let describe = kubectl(&mut w, "describe quota pods-2").stdout;
    assert_eq!(
        describe,
        "Name:       pods-2\nNamespace:  default\nResource    Used  Hard\n--------    ----  ----\npods        2     2\n"
    );
    assert_eq!(kubectl(&mut w, "get quota pods-2 --no-headers").stdout.split_whitespace().nth(2), Some("2/2"));
}

/// Replenishment: deleting a pod makes the controller recount, and the freed slot can be used.
#[test]
fn deleting_a_pod_gives_its_slot_back() {
    let mut w = with_pod_quota(2);
    for name in ["a", "b"] {
        assert!(w.call(pod_create(name)).is_ok());
    }
    assert!(w.call(pod_create("c")).is_err());
    assert!(!kubectl(&mut w, "delete pod a --wait=false").failed);
    w.run_for(60_000);
    let used = kubectl(&mut w, "get quota pods-2 -o jsonpath={.status.used.pods}").stdout;
    assert_eq!(used, "1");
    assert!(w.call(pod_create("c")).is_ok(), "the slot freed by the deleted pod");
}

/// A quota scoped to priority class `high` counts and constrains only pods of that class.
#[test]
fn a_priority_class_scoped_quota_leaves_other_pods_alone() {
    let mut w = World::new(3);
    let manifests = r#"
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000000
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: pods-high}
spec:
  hard: {cpu: "1", memory: 200Gi, pods: "10"}
  scopeSelector:
    matchExpressions:
    - {operator: In, scopeName: PriorityClass, values: [high]}
"#;
    let out = kubectl_in(&mut w, "apply -f -", manifests);
    assert!(!out.failed, "{out:?}");
    w.run_for(5_000);
    assert!(!kubectl(&mut w, "run plain --image=nginx").failed, "a pod without a class is not constrained");
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: high-priority}
spec:
  priorityClassName: high
  containers:
  - name: c
    image: nginx
    resources: {requests: {cpu: 500m, memory: 10Gi}, limits: {cpu: 500m, memory: 10Gi}}
"#;
    assert!(!kubectl_in(&mut w, "apply -f -", pod).failed);
    let unstated = kubectl_in(
        &mut w,
        "apply -f -",
        &pod.replace("high-priority", "bare")
            .replace("    resources: {requests: {cpu: 500m, memory: 10Gi}, limits: {cpu: 500m, memory: 10Gi}}\n", ""),
    );
    assert!(
        unstated.stderr.contains("failed quota: pods-high: must specify cpu for: c; memory for: c"),
        "{unstated:?}"
    );
    w.run_for(30_000);
    let describe = kubectl(&mut w, "describe quota pods-high").stdout;
    assert_eq!(
        describe,
        "Name:       pods-high\nNamespace:  default\nResource    Used  Hard\n--------    ----  ----\ncpu         500m  1\nmemory      10Gi  200Gi\npods        1     10\n"
    );
}

/// Malformed scopes are refused by validation with the field path, and nothing is stored.
#[test]
fn malformed_scope_selectors_are_refused() {
    let mut w = World::new(4);
    let bad = r#"
apiVersion: v1
kind: ResourceQuota
metadata: {name: bad}
spec:
  hard: {pods: "1"}
  scopeSelector:
    matchExpressions:
    - {operator: In, scopeName: PriorityClass}
"#;
    let out = kubectl_in(&mut w, "apply -f -", bad);
    assert!(out.failed);
    assert!(
        out.stderr.contains("spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"),
        "{}",
        out.stderr
    );
    let best_effort = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: be}\nspec:\n  hard: {pods: \"1\", cpu: \"1\"}\n  scopes: [BestEffort]\n";
    let out = kubectl_in(&mut w, "apply -f -", best_effort);
    assert!(
        out.stderr.contains("spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\"}: unsupported scope applied to resource"),
        "{}",
        out.stderr
    );
    assert_eq!(kubectl(&mut w, "get quota").stderr, "No resources found in default namespace.\n");
}

/// `kubectl create quota` builds the object as `create_quota.go` does; bad input gets kubectl's words.
#[test]
fn create_quota_generates_the_object() {
    let mut w = World::new(5);
    let yaml =
        kubectl(&mut w, "create quota best-effort --hard=pods=10 --scopes=BestEffort --dry-run=client -o yaml").stdout;
    assert_eq!(
        yaml,
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  creationTimestamp: null\n  name: best-effort\nspec:\n  hard:\n    pods: \"10\"\n  scopes:\n  - BestEffort\nstatus: {}\n"
    );
    let bad = kubectl(&mut w, "create quota q --hard=pods");
    assert_eq!(bad.stderr, "error: Invalid argument syntax pods, expected <resource>=<value>\n");
    let refused = kubectl(&mut w, "create quota q --hard=cpu=1 --scopes=BestEffort");
    assert!(refused.stderr.contains("unsupported scope applied to resource"), "{refused:?}");
}
