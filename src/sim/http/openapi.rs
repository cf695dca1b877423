//! The OpenAPI v3 documents, as far as clients read them today: the root (`/openapi/v3`) lists one
//! document per group version, and each names the operations of its resources with their
//! `x-kubernetes-group-version-kind` and the `fieldValidation` and `dryRun` parameters. That is what
//! kubectl 1.33 looks for before it leaves validation to the server (`--validate=strict` sends
//! `fieldValidation=Strict`, which the simulated apiserver's strict decoder answers).
//!
//! Simplified: the documents carry no schemas (`components.schemas` is empty), so `kubectl explain`
//! through `sandbox serve` and client-side validation have nothing to read.

use serde_json::{Map, Value, json};

use crate::sim::api;

/// Group versions as the root names them: `api/v1`, `apis/apps/v1`.
fn served() -> Vec<(String, &'static str, &'static str)> {
    let mut out: Vec<(String, &'static str, &'static str)> = Vec::new();
    for rt in api::resources() {
        for v in std::iter::once(rt.version).chain(rt.other_versions.iter().copied()) {
            let key = if rt.group.is_empty() { format!("api/{v}") } else { format!("apis/{}/{v}", rt.group) };
            if !out.iter().any(|(k, _, _)| *k == key) {
                out.push((key, rt.group, v));
            }
        }
    }
    out
}

/// `GET /openapi/v3`.
pub fn root() -> Value {
    let mut paths = Map::new();
    for (key, _, _) in served() {
        // The hash lets clients cache a document; the documents never change, so one hash serves.
        paths.insert(key.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash=sandbox-v1")}));
    }
    json!({"paths": paths})
}

fn operation(group: &str, version: &str, kind: &str, action: &str) -> Value {
    let param = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    let parameters: Vec<Value> = match action {
        "post" | "put" | "patch" => vec![param("dryRun"), param("fieldManager"), param("fieldValidation")],
        _ => vec![],
    };
    json!({
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": kind},
        "parameters": parameters,
        "responses": {"200": {"description": "OK"}}
    })
}

/// `GET /openapi/v3/api/v1` or `/openapi/v3/apis/GROUP/VERSION`; None for one not served.
pub fn group_version(path: &str) -> Option<Value> {
    let (_, group, version) = served().into_iter().find(|(k, _, _)| k == path)?;
    let mut paths = Map::new();
    let prefix = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
    for rt in api::resources().iter().filter(|r| r.group == group) {
        let scope = if rt.namespaced { "/namespaces/{namespace}" } else { "" };
        let collection = format!("{prefix}{scope}/{}", rt.plural);
        paths.insert(
            collection.clone(),
            json!({"get": operation(group, version, rt.kind, "list"), "post": operation(group, version, rt.kind, "post")}),
        );
        paths.insert(
            format!("{collection}/{{name}}"),
            json!({
                "get": operation(group, version, rt.kind, "get"),
                "put": operation(group, version, rt.kind, "put"),
                "patch": operation(group, version, rt.kind, "patch"),
                "delete": operation(group, version, rt.kind, "delete")
            }),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.1"},
        "paths": paths,
        "components": {"schemas": {}}
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_group_version_names_its_operations() {
        let root = root();
        assert_eq!(root["paths"]["apis/apps/v1"]["serverRelativeURL"], "/openapi/v3/apis/apps/v1?hash=sandbox-v1");
        assert!(root["paths"].get("api/v1").is_some());
        let apps = group_version("apis/apps/v1").expect("apps/v1");
        let patch = &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(patch["x-kubernetes-group-version-kind"]["kind"], "Deployment");
        assert!(patch["parameters"].as_array().is_some_and(|p| p.iter().any(|p| p["name"] == "fieldValidation")));
        let nodes = &group_version("api/v1").expect("v1")["paths"]["/api/v1/nodes/{name}"];
        assert_eq!(nodes["get"]["x-kubernetes-group-version-kind"]["kind"], "Node");
        assert!(group_version("apis/apps/v9").is_none());
    }
}
