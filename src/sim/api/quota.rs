//! The quota evaluators (`pkg/quota/v1/evaluator/core`): which quotas an object counts against (scopes
//! and scope selectors), what it uses of each quota resource, and the usage arithmetic
//! (`quota.Add`, `Mask`, `LessThanOrEqual`) that the ResourceQuota admission plugin and the quota
//! controller share.
//!
//! ```text
//!   quota.status.hard ──matching_resources(kind)──► resources this object can use
//!   quota.spec.scopes + scopeSelector ──scope_selectors──► every one must match (pods only)
//!   object ──usage──► {pods: 1, requests.cpu: 500m, count/pods: 1, ...}
//! ```

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::meta::{at, str_at};
use super::quantity::{Quantity, parse_quantity};
use super::selector;
use crate::sim::time::{Millis, parse_rfc3339};

/// Quantities by resource name, sorted (Go's `ResourceList`, printed in key order).
pub type Usage = BTreeMap<String, Quantity>;

/// The resources the pod evaluator tracks by name (`podResources`).
const POD_RESOURCES: &[&str] = &[
    "count/pods",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
];

/// `validationSet`: a pod counted by a quota on one of these must state it in every container.
const VALIDATION_SET: &[&str] = &["cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory"];

/// Core kinds a quota may count under their bare plural (`services`, `secrets`, ...), besides `count/<plural>`.
const LEGACY_COUNTS: &[&str] =
    &["configmaps", "persistentvolumeclaims", "replicationcontrollers", "resourcequotas", "secrets", "services"];

/// One `ScopedResourceSelectorRequirement`; `spec.scopes` entries become `Exists` requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRequirement {
    pub scope: String,
    pub operator: String,
    pub values: Vec<String>,
}

/// `getScopeSelectorsFromQuota`: the scopes (as `Exists`), then the scope selector's expressions.
pub fn scope_selectors(quota: &Value) -> Vec<ScopeRequirement> {
    let scopes = at(quota, &["spec", "scopes"]).and_then(Value::as_array).into_iter().flatten();
    let mut out: Vec<ScopeRequirement> = scopes
        .filter_map(Value::as_str)
        .map(|s| ScopeRequirement { scope: s.to_string(), operator: "Exists".into(), values: Vec::new() })
        .collect();
    let exprs = at(quota, &["spec", "scopeSelector", "matchExpressions"]).and_then(Value::as_array);
    for e in exprs.into_iter().flatten() {
        let values = e.get("values").and_then(Value::as_array).into_iter().flatten();
        out.push(ScopeRequirement {
            scope: str_at(e, &["scopeName"]).unwrap_or_default().to_string(),
            operator: str_at(e, &["operator"]).unwrap_or_default().to_string(),
            values: values.filter_map(Value::as_str).map(str::to_string).collect(),
        });
    }
    out
}

/// `isTerminating`: the pod has an active deadline.
fn is_terminating(pod: &Value) -> bool {
    at(pod, &["spec", "activeDeadlineSeconds"]).and_then(Value::as_i64).is_some_and(|d| d >= 0)
}

/// The containers and init containers of a pod.
fn all_containers(pod: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers"]
        .into_iter()
        .filter_map(|f| at(pod, &["spec", f]).and_then(Value::as_array))
        .flatten()
}

/// `qos.GetPodQOS == BestEffort`: no container requests or limits cpu or memory.
pub fn is_best_effort(pod: &Value) -> bool {
    all_containers(pod).all(|c| {
        ["requests", "limits"].iter().all(|kind| {
            let list = at(c, &["resources", kind]).and_then(Value::as_object);
            list.is_none_or(|l| !l.contains_key("cpu") && !l.contains_key("memory"))
        })
    })
}

/// `usesCrossNamespacePodAffinity`: a pod (anti-)affinity term that names namespaces or a namespace selector.
fn uses_cross_namespace_affinity(pod: &Value) -> bool {
    let cross = |t: &Value| {
        t.get("namespaces").and_then(Value::as_array).is_some_and(|n| !n.is_empty())
            || t.get("namespaceSelector").is_some_and(|s| !s.is_null())
    };
    ["podAffinity", "podAntiAffinity"].iter().any(|a| {
        let required = at(pod, &["spec", "affinity", a, "requiredDuringSchedulingIgnoredDuringExecution"]);
        let preferred = at(pod, &["spec", "affinity", a, "preferredDuringSchedulingIgnoredDuringExecution"]);
        required.and_then(Value::as_array).into_iter().flatten().any(cross)
            || preferred
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|w| w.get("podAffinityTerm"))
                .any(cross)
    })
}

/// `podMatchesScopeFunc`. A PriorityClass requirement reads the pod's class as the label
/// `PriorityClass` of a label set that is empty when the pod names no class (`podMatchesSelector`),
/// so `NotIn` and `DoesNotExist` match class-less pods.
pub fn pod_matches_scope(req: &ScopeRequirement, pod: &Value) -> bool {
    match req.scope.as_str() {
        "Terminating" => is_terminating(pod),
        "NotTerminating" => !is_terminating(pod),
        "BestEffort" => is_best_effort(pod),
        "NotBestEffort" => !is_best_effort(pod),
        "PriorityClass" => {
            let class = str_at(pod, &["spec", "priorityClassName"]).filter(|c| !c.is_empty());
            if req.operator == "Exists" {
                return class.is_some();
            }
            // `ScopedResourceSelectorRequirementsAsSelector`, matched against {PriorityClass: class}.
            let labels: BTreeMap<String, String> =
                class.map(|c| ("PriorityClass".to_string(), c.to_string())).into_iter().collect();
            selector::label_operator(&req.operator)
                .and_then(|op| selector::Requirement::new("PriorityClass", op, req.values.clone()).ok())
                .is_some_and(|r| r.matches(&labels))
        }
        "CrossNamespacePodAffinity" => uses_cross_namespace_affinity(pod),
        _ => false,
    }
}

/// The plural an object-count resource name counts: `count/deployments.apps` -> (`deployments`, `apps`).
fn counted(resource: &str) -> Option<(&str, &str)> {
    if let Some(rest) = resource.strip_prefix("count/") {
        return Some(rest.split_once('.').unwrap_or((rest, "")));
    }
    LEGACY_COUNTS.contains(&resource).then_some((resource, ""))
}

/// Whether the evaluator of `plural.group` tracks this quota resource (`MatchingResources`).
fn tracks(resource: &str, plural: &str, group: &str) -> bool {
    match (plural, group) {
        ("pods", "") => {
            POD_RESOURCES.contains(&resource)
                || resource.starts_with("hugepages-")
                || resource.starts_with("requests.hugepages-")
                || resource.strip_prefix("requests.").is_some_and(|r| r.contains('/'))
        }
        ("services", "") if matches!(resource, "services.loadbalancers" | "services.nodeports") => true,
        ("persistentvolumeclaims", "")
            if resource == "requests.storage"
                || resource.ends_with(".storageclass.storage.k8s.io/requests.storage")
                || resource.ends_with(".storageclass.storage.k8s.io/persistentvolumeclaims") =>
        {
            true
        }
        _ => counted(resource) == Some((plural, group)),
    }
}

/// The plural and group whose objects use a quota resource, for the controller's recount.
pub fn kind_of(resource: &str) -> Option<(&str, &str)> {
    if tracks(resource, "pods", "") {
        return Some(("pods", ""));
    }
    if tracks(resource, "services", "") && !resource.starts_with("count/") {
        return Some(("services", ""));
    }
    if tracks(resource, "persistentvolumeclaims", "") && !resource.starts_with("count/") {
        return Some(("persistentvolumeclaims", ""));
    }
    counted(resource)
}

/// Names of a quota's `status.hard` (what admission enforces) or `spec.hard`.
pub fn hard(quota: &Value, part: &str) -> Usage {
    let list = at(quota, &[part, "hard"]).and_then(Value::as_object).into_iter().flatten();
    list.filter_map(|(k, v)| Some((k.clone(), quantity(v)?))).collect()
}

/// `status.used` of a quota.
pub fn used(quota: &Value) -> Usage {
    let list = at(quota, &["status", "used"]).and_then(Value::as_object).into_iter().flatten();
    list.filter_map(|(k, v)| Some((k.clone(), quantity(v)?))).collect()
}

fn quantity(v: &Value) -> Option<Quantity> {
    match v {
        Value::String(s) => parse_quantity(s).ok(),
        Value::Number(n) => parse_quantity(&n.to_string()).ok(),
        _ => None,
    }
}

/// `MatchingResources`: the names of `names` that objects of `plural.group` use.
pub fn matching_resources<'a>(names: impl IntoIterator<Item = &'a String>, plural: &str, group: &str) -> Vec<String> {
    names.into_iter().filter(|r| tracks(r, plural, group)).cloned().collect()
}

/// `generic.Matches`: the quota tracks a resource this object uses, and every scope requirement
/// matches. Only pods have scopes (`MatchesNoScopeFunc` for the rest): a scoped quota counts no other kind.
pub fn matches(quota: &Value, obj: &Value, plural: &str, group: &str) -> bool {
    let names = hard(quota, "status");
    if matching_resources(names.keys(), plural, group).is_empty() {
        return false;
    }
    let pod = plural == "pods" && group.is_empty();
    scope_selectors(quota).iter().all(|r| pod && pod_matches_scope(r, obj))
}

/// `QuotaV1Pod`: a finished pod, or one deleted longer ago than its grace period, uses no compute.
pub fn pod_is_charged(pod: &Value, now: Millis) -> bool {
    if matches!(str_at(pod, &["status", "phase"]), Some("Succeeded" | "Failed")) {
        return false;
    }
    let deleted = str_at(pod, &["metadata", "deletionTimestamp"]).and_then(parse_rfc3339);
    let grace = at(pod, &["metadata", "deletionGracePeriodSeconds"]).and_then(Value::as_i64);
    match (deleted, grace) {
        (Some(t), Some(g)) => now <= t.saturating_add(g.max(0) as Millis * 1000),
        _ => true,
    }
}

/// A container's or pod's `resources.<kind>` as a list.
fn list_of(c: &Value, kind: &str) -> Usage {
    let list = at(c, &["resources", kind]).and_then(Value::as_object).into_iter().flatten();
    list.filter_map(|(k, v)| Some((k.clone(), quantity(v)?))).collect()
}

/// `resourcehelper.PodRequests`/`PodLimits`: the containers' sum, or the largest init container if
/// that is more, per resource.
fn pod_resources(pod: &Value, kind: &str) -> Usage {
    let mut sum = Usage::new();
    for c in at(pod, &["spec", "containers"]).and_then(Value::as_array).into_iter().flatten() {
        sum = add(&sum, &list_of(c, kind));
    }
    for c in at(pod, &["spec", "initContainers"]).and_then(Value::as_array).into_iter().flatten() {
        for (k, q) in list_of(c, kind) {
            if sum.get(&k).is_none_or(|s| q > *s) {
                sum.insert(k, q);
            }
        }
    }
    sum
}

/// `podComputeUsageHelper`: what requests and limits mean in quota names.
fn compute_usage(requests: &Usage, limits: &Usage) -> Usage {
    let mut out = Usage::new();
    out.insert("pods".into(), Quantity::from_millis(1000));
    for (res, q) in requests {
        match res.as_str() {
            "cpu" | "memory" | "ephemeral-storage" => {
                out.insert(res.clone(), *q);
                out.insert(format!("requests.{res}"), *q);
            }
            r if r.starts_with("hugepages-") => {
                out.insert(res.clone(), *q);
                out.insert(format!("requests.{res}"), *q);
            }
            r if r.contains('/') && !r.starts_with("kubernetes.io/") => {
                out.insert(format!("requests.{res}"), *q);
            }
            _ => {}
        }
    }
    for res in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(q) = limits.get(res) {
            out.insert(format!("limits.{res}"), *q);
        }
    }
    out
}

/// What one object uses of every resource its evaluator knows (`Usage`).
pub fn usage(obj: &Value, plural: &str, group: &str, now: Millis) -> Usage {
    let one = Quantity::from_millis(1000);
    let qualified = if group.is_empty() { plural.to_string() } else { format!("{plural}.{group}") };
    let mut out = Usage::new();
    out.insert(format!("count/{qualified}"), one);
    if group.is_empty() && LEGACY_COUNTS.contains(&plural) {
        out.insert(plural.to_string(), one);
    }
    match (plural, group) {
        ("pods", "") if pod_is_charged(obj, now) => {
            out = add(&out, &compute_usage(&pod_resources(obj, "requests"), &pod_resources(obj, "limits")));
        }
        ("services", "") => {
            let ty = str_at(obj, &["spec", "type"]).unwrap_or("ClusterIP");
            let ports = at(obj, &["spec", "ports"]).and_then(Value::as_array).map_or(0, Vec::len) as i64;
            let lb = i64::from(ty == "LoadBalancer");
            let node_ports = if matches!(ty, "NodePort" | "LoadBalancer") { ports } else { 0 };
            out.insert("services.loadbalancers".into(), Quantity::from_millis(lb * 1000));
            out.insert("services.nodeports".into(), Quantity::from_millis(node_ports * 1000));
        }
        ("persistentvolumeclaims", "") => {
            let storage = at(obj, &["spec", "resources", "requests", "storage"]).and_then(quantity);
            if let Some(s) = storage {
                out.insert("requests.storage".into(), s);
            }
            if let Some(class) = str_at(obj, &["spec", "storageClassName"]).filter(|c| !c.is_empty()) {
                out.insert(format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"), one);
                if let Some(s) = storage {
                    out.insert(format!("{class}.storageclass.storage.k8s.io/requests.storage"), s);
                }
            }
        }
        _ => {}
    }
    out
}

/// The pod evaluator's `Constraints`: when a quota tracks cpu or memory, every container must state
/// it (a backward-compatibility rule upstream keeps). `Err` holds `must specify ...`.
pub fn pod_constraints(required: &[String], pod: &Value) -> Result<(), String> {
    let required: Vec<&str> = required.iter().map(String::as_str).filter(|r| VALIDATION_SET.contains(r)).collect();
    let mut missing: BTreeMap<&str, std::collections::BTreeSet<String>> = BTreeMap::new();
    for c in all_containers(pod) {
        let have = compute_usage(&list_of(c, "requests"), &list_of(c, "limits"));
        for r in &required {
            if !have.contains_key(*r) {
                missing.entry(r).or_default().insert(str_at(c, &["name"]).unwrap_or_default().to_string());
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(r, names)| format!("{r} for: {}", names.iter().cloned().collect::<Vec<_>>().join(",")))
        .collect();
    Err(format!("must specify {}", parts.join("; ")))
}

/// `quota.Add`: every key of either list; a zero left side takes the right side's notation, as
/// `Quantity.Add` does.
pub fn add(a: &Usage, b: &Usage) -> Usage {
    let mut out = a.clone();
    for (k, q) in b {
        let sum = match a.get(k) {
            Some(l) if l.cmp(&Quantity::from_millis(0)).is_ne() => l.add(q),
            _ => *q,
        };
        out.insert(k.clone(), sum);
    }
    out
}

/// `quota.Mask`: only the named entries.
pub fn mask(list: &Usage, names: &[String]) -> Usage {
    list.iter().filter(|(k, _)| names.contains(k)).map(|(k, q)| (k.clone(), *q)).collect()
}

/// `quota.LessThanOrEqual`: the names over their limit (only names both lists have are compared).
pub fn exceeded(usage: &Usage, limits: &Usage) -> Vec<String> {
    usage.iter().filter(|(k, q)| limits.get(*k).is_some_and(|l| *q > l)).map(|(k, _)| k.clone()).collect()
}

/// `prettyPrint`: `a=1,b=2` in key order.
pub fn pretty(list: &Usage) -> String {
    list.iter().map(|(k, q)| format!("{k}={q}")).collect::<Vec<_>>().join(",")
}

/// A usage list as the JSON `status.used` / `status.hard` map.
pub fn to_json(list: &Usage) -> Value {
    Value::Object(list.iter().map(|(k, q)| (k.clone(), json!(q.to_string()))).collect())
}

#[cfg(test)]
mod tests;
