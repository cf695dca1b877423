//! The documents a client reads before it sends anything: `/version`, and legacy discovery (`/api`,
//! `/apis`, `/api/v1`, `/apis/GROUP/VERSION`), built from the same registry that decides what the
//! simulated apiserver serves.
//!
//! Aggregated discovery (`apidiscovery.k8s.io/v2`) is not served: kubectl asks for it first and, on a
//! plain `application/json` answer, reads the legacy documents instead, as it does with older servers.

use serde_json::{Value, json};

use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::metrics;
use crate::sim::sort::StableSort;

/// The address the `kubernetes` Service's EndpointSlice names (the control-plane node's apiserver).
const SERVER_ADDRESS: &str = "172.18.0.2:6443";

/// `GET /version`, as a 1.33 apiserver answers it.
pub fn version() -> Value {
    json!({
        "major": "1", "minor": "33", "emulationMajor": "1", "emulationMinor": "33",
        "minCompatibilityMajor": "1", "minCompatibilityMinor": "32",
        "gitVersion": "v1.33.1", "gitCommit": "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
        "gitTreeState": "clean", "buildDate": "2025-05-15T08:19:08Z",
        "goVersion": "go1.24.2", "compiler": "gc", "platform": "linux/amd64"
    })
}

/// `GET /api`.
pub fn core_versions() -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": SERVER_ADDRESS}]})
}

/// Every versions a group serves, preferred first.
fn group_versions(group: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for rt in api::resources().iter().filter(|r| r.group == group) {
        for v in std::iter::once(rt.version).chain(rt.other_versions.iter().rev().copied()) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// `GET /apis`: the named groups, in the registry's order.
pub fn groups() -> Value {
    let mut names: Vec<&'static str> = Vec::new();
    for rt in api::resources().iter().filter(|r| !r.group.is_empty()) {
        if !names.contains(&rt.group) {
            names.push(rt.group);
        }
    }
    let groups: Vec<Value> = names
        .iter()
        .map(|g| {
            let versions: Vec<Value> =
                group_versions(g).iter().map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v})).collect();
            json!({"name": g, "preferredVersion": versions.first().cloned().unwrap_or(Value::Null), "versions": versions})
        })
        .collect();
    // The aggregated Metrics API comes last, as APIService groups do.
    let mut groups = groups;
    let v1beta1 = json!({"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"});
    groups.push(json!({"name": metrics::GROUP, "preferredVersion": v1beta1, "versions": [v1beta1]}));
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn resource_entry(rt: &ResourceType) -> Value {
    let mut e = json!({"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
        "kind": rt.kind, "verbs": rt.verbs});
    if !rt.short_names.is_empty() {
        e["shortNames"] = json!(rt.short_names);
    }
    if !rt.categories.is_empty() {
        e["categories"] = json!(rt.categories);
    }
    e
}

/// The subresources the simulated apiserver serves for `rt`, as discovery lists them after the
/// resource (`deployments/scale` is how kubectl's scale client finds a scalable kind).
fn subresource_entries(rt: &ResourceType) -> Vec<Value> {
    let entry = |sub: &str, kind: &str, verbs: &[&str]| {
        json!({"name": format!("{}/{sub}", rt.plural), "singularName": "", "namespaced": rt.namespaced,
            "kind": kind, "verbs": verbs})
    };
    let mut out = Vec::new();
    if rt.plural == "pods" && rt.group.is_empty() {
        out.push(entry("binding", "Binding", &["create"]));
        let mut eviction = entry("eviction", "Eviction", &["create"]);
        eviction["group"] = json!("policy");
        eviction["version"] = json!("v1");
        out.push(eviction);
        out.push(entry("exec", "PodExecOptions", &["create", "get"]));
        out.push(entry("log", "Pod", &["get"]));
    }
    if rt.plural == "namespaces" && rt.group.is_empty() {
        out.push(entry("finalize", "Namespace", &["update"]));
    }
    if crate::sim::apiserver::scale::served(rt) {
        let mut scale = entry("scale", "Scale", &["get", "patch", "update"]);
        scale["group"] = json!("autoscaling");
        scale["version"] = json!("v1");
        out.push(scale);
    }
    if crate::sim::apiserver::admission::has_status_subresource(rt) {
        out.push(entry("status", rt.kind, &["get", "patch", "update"]));
    }
    out
}

/// `GET /api/v1` or `/apis/GROUP/VERSION`; None for a group version that is not served.
pub fn resources(group: &str, version: &str) -> Option<Value> {
    if group == metrics::GROUP {
        return (version == "v1beta1").then(metrics_resources);
    }
    let mut served: Vec<&ResourceType> = api::resources()
        .iter()
        .filter(|r| r.group == group && (r.version == version || r.other_versions.contains(&version)))
        .collect();
    if served.is_empty() {
        return None;
    }
    served.stable_sort_by(|a, b| a.plural.cmp(b.plural));
    let group_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    let resources: Vec<Value> =
        served.into_iter().flat_map(|rt| std::iter::once(resource_entry(rt)).chain(subresource_entries(rt))).collect();
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}))
}

/// metrics-server's `metrics.k8s.io/v1beta1`, which the apiserver serves as an aggregated API.
fn metrics_resources() -> Value {
    let resources: Vec<Value> = [&metrics::NODE_METRICS, &metrics::POD_METRICS]
        .into_iter()
        .map(|rt| json!({"name": rt.plural, "singularName": "", "namespaced": rt.namespaced, "kind": rt.kind, "verbs": rt.verbs}))
        .collect();
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "metrics.k8s.io/v1beta1", "resources": resources})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_lists_what_the_registry_serves() {
        let apps = resources("apps", "v1").expect("apps/v1 is served");
        let deploy = apps["resources"].as_array().and_then(|a| a.iter().find(|r| r["name"] == "deployments"));
        let deploy = deploy.expect("deployments");
        assert_eq!((deploy["kind"].as_str(), deploy["namespaced"].as_bool()), (Some("Deployment"), Some(true)));
        assert_eq!(deploy["shortNames"], json!(["deploy"]));
        assert!(resources("apps", "v9").is_none());
        let core = resources("", "v1").expect("v1");
        assert_eq!(core["groupVersion"], "v1");
        let groups = groups();
        let names: Vec<&str> =
            groups["groups"].as_array().into_iter().flatten().filter_map(|g| g["name"].as_str()).collect();
        assert!(names.contains(&"apps") && names.contains(&"batch") && !names.contains(&""), "{names:?}");
        let autoscaling = groups["groups"].as_array().into_iter().flatten().find(|g| g["name"] == "autoscaling");
        assert_eq!(autoscaling.map(|g| g["preferredVersion"]["version"].clone()), Some(json!("v2")));
        assert_eq!(
            groups["groups"].as_array().and_then(|g| g.last()).map(|g| g["name"].clone()),
            Some(json!("metrics.k8s.io"))
        );
    }

    /// kubectl's scale client finds a scalable kind by its `/scale` entry (autoscaling/v1 Scale), and
    /// `kubectl top` needs the aggregated metrics group.
    #[test]
    fn subresources_and_the_metrics_api_are_listed() {
        let apps = resources("apps", "v1").expect("apps/v1");
        let names: Vec<&str> =
            apps["resources"].as_array().into_iter().flatten().filter_map(|r| r["name"].as_str()).collect();
        let at = names.iter().position(|n| *n == "deployments").expect("deployments");
        assert_eq!(names[at + 1..at + 3], ["deployments/scale", "deployments/status"]);
        let scale = apps["resources"].as_array().and_then(|a| a.iter().find(|r| r["name"] == "deployments/scale"));
        assert_eq!(
            scale.map(|s| (s["group"].clone(), s["version"].clone(), s["kind"].clone())),
            Some((json!("autoscaling"), json!("v1"), json!("Scale")))
        );
        let core = resources("", "v1").expect("v1");
        let core_names: Vec<&str> =
            core["resources"].as_array().into_iter().flatten().filter_map(|r| r["name"].as_str()).collect();
        for sub in ["pods/binding", "pods/eviction", "pods/exec", "pods/log", "pods/status", "namespaces/finalize"] {
            assert!(core_names.contains(&sub), "{sub}: {core_names:?}");
        }
        assert!(!core_names.contains(&"configmaps/status"), "no status strategy");
        let metrics = resources("metrics.k8s.io", "v1beta1").expect("the Metrics API");
        assert_eq!(
            metrics["resources"][1],
            json!({"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]})
        );
        assert!(resources("metrics.k8s.io", "v1").is_none());
    }
}
