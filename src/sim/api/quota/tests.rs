use super::*;

fn pod(spec: Value) -> Value {
    json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": spec, "status": {"phase": "Pending"}})
}

fn req(scope: &str, op: &str, values: &[&str]) -> ScopeRequirement {
    ScopeRequirement {
        scope: scope.into(),
        operator: op.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

/// `podMatchesScopeFunc`, one row per scope (pkg/quota/v1/evaluator/core/pods_test.go TestPodEvaluatorMatchingScopes).
#[test]
fn each_scope_matches_the_pods_upstream_says() {
    let best_effort = pod(json!({"containers": [{"name": "c", "image": "nginx"}]}));
    let burstable = pod(json!({"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}]}));
    let deadline = pod(json!({"activeDeadlineSeconds": 60, "containers": [{"name": "c"}]}));
    let cross = pod(json!({"containers": [{"name": "c"}], "affinity": {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "k", "namespaces": ["other"]}]}}}));
    let cross_preferred = pod(json!({"containers": [{"name": "c"}], "affinity": {"podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": {"topologyKey": "k", "namespaceSelector": {}}}]}}}));
    let same_ns = pod(json!({"containers": [{"name": "c"}], "affinity": {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "k"}]}}}));
    let rows: &[(&str, &Value, bool)] = &[
        ("BestEffort", &best_effort, true),
        ("BestEffort", &burstable, false),
        ("NotBestEffort", &best_effort, false),
        ("NotBestEffort", &burstable, true),
        ("Terminating", &deadline, true),
        ("Terminating", &best_effort, false),
        ("NotTerminating", &deadline, false),
        ("NotTerminating", &best_effort, true),
        ("CrossNamespacePodAffinity", &cross, true),
        ("CrossNamespacePodAffinity", &cross_preferred, true),
        ("CrossNamespacePodAffinity", &same_ns, false),
        ("CrossNamespacePodAffinity", &best_effort, false),
        ("NoSuchScope", &best_effort, false),
    ];
    for (scope, p, want) in rows {
        assert_eq!(pod_matches_scope(&req(scope, "Exists", &[]), p), *want, "{scope} on {p}");
    }
}

/// The PriorityClass scope per operator; a pod without a class has no `PriorityClass` label at all.
#[test]
fn priority_class_scope_per_operator() {
    let high = pod(json!({"priorityClassName": "high", "containers": [{"name": "c"}]}));
    let low = pod(json!({"priorityClassName": "low", "containers": [{"name": "c"}]}));
    let none = pod(json!({"containers": [{"name": "c"}]}));
    let rows: &[(&str, &[&str], [bool; 3])] = &[
        ("In", &["high"], [true, false, false]),
        ("In", &["high", "low"], [true, true, false]),
        ("NotIn", &["high"], [false, true, true]),
        ("Exists", &[], [true, true, false]),
        ("DoesNotExist", &[], [false, false, true]),
        ("Gt", &["1"], [false, false, false]),
    ];
    for (op, values, want) in rows {
        let r = req("PriorityClass", op, values);
        let got = [pod_matches_scope(&r, &high), pod_matches_scope(&r, &low), pod_matches_scope(&r, &none)];
        assert_eq!(got, *want, "{op} {values:?}");
    }
}

#[test]
fn scope_selectors_join_scopes_and_match_expressions() {
    let q = json!({"spec": {"scopes": ["BestEffort"], "scopeSelector": {"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}});
    assert_eq!(scope_selectors(&q), vec![req("BestEffort", "Exists", &[]), req("PriorityClass", "In", &["high"])]);
}

/// `generic.Matches`: a quota counts an object when it tracks one of its resources and all scopes match;
/// scoped quotas count pods only.
#[test]
fn a_quota_matches_by_resource_and_scope() {
    let quota = |hard: Value, spec: Value| json!({"spec": spec, "status": {"hard": hard}});
    let high = pod(json!({"priorityClassName": "high", "containers": [{"name": "c"}]}));
    let plain = pod(json!({"containers": [{"name": "c"}]}));
    let svc = json!({"spec": {"type": "ClusterIP"}});
    let pods_high = quota(
        json!({"pods": "10"}),
        json!({"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}),
    );
    assert!(matches(&pods_high, &high, "pods", ""));
    assert!(!matches(&pods_high, &plain, "pods", ""), "a quota for class high leaves other pods alone");
    let unscoped = quota(json!({"pods": "2", "services": "1"}), json!({}));
    assert!(matches(&unscoped, &plain, "pods", ""));
    assert!(matches(&unscoped, &svc, "services", ""));
    assert!(!matches(&unscoped, &json!({}), "configmaps", ""), "no tracked resource");
    let scoped_services = quota(json!({"services": "1"}), json!({"scopes": ["BestEffort"]}));
    assert!(!matches(&scoped_services, &svc, "services", ""), "scopes only select pods");
    let counts = quota(json!({"count/deployments.apps": "1"}), json!({}));
    assert!(matches(&counts, &json!({}), "deployments", "apps"));
    assert!(!matches(&counts, &json!({}), "replicasets", "apps"));
    assert!(!matches(&quota(json!({"pods": "1"}), json!({})), &plain, "pods", "x"));
}

#[test]
fn pod_usage_counts_requests_limits_and_end_of_life() {
    let p = pod(json!({"containers": [
        {"name": "a", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}}},
        {"name": "b", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}],
        "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "1"}}}]}));
    let u = usage(&p, "pods", "", 0);
    let show = |k: &str| u.get(k).map(|q| q.to_string());
    assert_eq!(show("pods").as_deref(), Some("1"));
    assert_eq!(show("count/pods").as_deref(), Some("1"));
    assert_eq!(show("requests.cpu").as_deref(), Some("1"), "the larger of containers' sum and an init container");
    assert_eq!(show("cpu").as_deref(), Some("1"));
    assert_eq!(show("requests.memory").as_deref(), Some("128Mi"));
    assert_eq!(show("limits.cpu").as_deref(), Some("500m"));
    let mut done = p.clone();
    done["status"]["phase"] = json!("Succeeded");
    let u = usage(&done, "pods", "", 0);
    assert_eq!(u.keys().collect::<Vec<_>>(), vec!["count/pods"], "count/pods counts every stored pod");
    let mut deleted = p.clone();
    deleted["metadata"]["deletionTimestamp"] = json!(crate::sim::time::rfc3339(10_000));
    deleted["metadata"]["deletionGracePeriodSeconds"] = json!(30);
    assert!(pod_is_charged(&deleted, 40_000), "within its grace period");
    assert!(!pod_is_charged(&deleted, 40_001), "past its grace period (QuotaV1Pod)");
}

#[test]
fn service_and_claim_usage() {
    let lb = json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 80}, {"port": 443}]}});
    let u = usage(&lb, "services", "", 0);
    assert_eq!(pretty(&u), "count/services=1,services=1,services.loadbalancers=1,services.nodeports=2");
    let pvc = json!({"spec": {"storageClassName": "gold", "resources": {"requests": {"storage": "1Gi"}}}});
    let u = usage(&pvc, "persistentvolumeclaims", "", 0);
    assert_eq!(u.get("requests.storage").map(ToString::to_string).as_deref(), Some("1Gi"));
    assert!(u.contains_key("gold.storageclass.storage.k8s.io/requests.storage"));
    assert_eq!(kind_of("services.nodeports"), Some(("services", "")));
    assert_eq!(kind_of("requests.cpu"), Some(("pods", "")));
    assert_eq!(kind_of("count/deployments.apps"), Some(("deployments", "apps")));
    assert_eq!(kind_of("secrets"), Some(("secrets", "")));
    assert_eq!(kind_of("requests.storage"), Some(("persistentvolumeclaims", "")));
}

/// `Constraints`: the words upstream's pod evaluator uses when a container does not state cpu/memory.
#[test]
fn pods_must_state_what_a_quota_tracks() {
    let p = pod(json!({"containers": [
        {"name": "web", "resources": {"requests": {"cpu": "1"}}},
        {"name": "log"}]}));
    let required: Vec<String> = ["pods", "requests.cpu", "limits.memory"].iter().map(|s| s.to_string()).collect();
    assert_eq!(
        pod_constraints(&required, &p),
        Err("must specify limits.memory for: log,web; requests.cpu for: log".to_string())
    );
    assert_eq!(pod_constraints(&["pods".to_string(), "count/pods".to_string()], &p), Ok(()));
}

#[test]
fn usage_arithmetic() {
    let q = |s: &str| parse_quantity(s).expect("test quantity");
    let used: Usage = [("pods".to_string(), q("2")), ("requests.memory".to_string(), q("0"))].into();
    let req: Usage = [("pods".to_string(), q("1")), ("requests.memory".to_string(), q("512Mi"))].into();
    let sum = add(&used, &req);
    assert_eq!(pretty(&sum), "pods=3,requests.memory=512Mi", "zero takes the notation of what is added");
    let hard: Usage = [("pods".to_string(), q("2")), ("requests.memory".to_string(), q("1Gi"))].into();
    assert_eq!(exceeded(&sum, &hard), vec!["pods".to_string()]);
    assert_eq!(pretty(&mask(&sum, &["pods".to_string()])), "pods=3");
    assert_eq!(to_json(&hard), json!({"pods": "2", "requests.memory": "1Gi"}));
}
