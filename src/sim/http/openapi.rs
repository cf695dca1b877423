//! The OpenAPI v3 documents, as far as clients read them today: the root (`/openapi/v3`) lists one
//! document per group version, and each names the operations of its resources with their
//! `x-kubernetes-group-version-kind` and the `fieldValidation` and `dryRun` parameters. That is what
//! kubectl 1.33 looks for before it leaves validation to the server (`--validate=strict` sends
//! `fieldValidation=Strict`, which the simulated apiserver's strict decoder answers).
//!
//! With the API documentation loaded (natively always: `strict::docs`), each document also carries
//! the schemas of its kinds, built from the strict checker's schema table and that documentation:
//! descriptions, `required`, and the patch strategies kubectl apply computes its strategic merge
//! patch from (without them it would replace lists that it merges by key). So real `kubectl explain`
//! through `sandbox serve` prints what the sandbox's prints. Simplified: no enums, formats only for
//! the leaves that have one, no `default`s, and component names `sandbox.Pod` (`sandbox.v2.X` for
//! the table's `X~2`) instead of Go package paths; kubectl shows only the part after the last dot.

use serde_json::{Map, Value, json};

use crate::sim::api;
use crate::sim::api::strict::docs::{self, Docs};
use crate::sim::api::strict::schema::{Leaf, Schema, Shape, schema};

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
    let schemas = docs::docs().map(|d| schemas(schema(), d, group, version)).unwrap_or_default();
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.1"},
        "paths": paths,
        "components": {"schemas": schemas}
    }))
}

/// The component schemas of one group version: its kinds' types and every type they reach.
fn schemas(s: &Schema, docs: &Docs, group: &str, version: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let mut queue: Vec<(usize, Option<&str>)> = api::resources()
        .iter()
        .filter(|rt| rt.group == group)
        .filter_map(|rt| s.kind(group, version, rt.kind).map(|id| (id, Some(rt.kind))))
        .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((id, kind)) = queue.pop() {
        if !seen.insert(id) {
            continue;
        }
        let def = &s.types[id];
        let doc = docs.of(&def.id);
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (name, shape) in &def.fields {
            let field = doc.and_then(|d| d.fields.get(name));
            let mut prop = shape_schema(s, shape, &mut queue);
            if let (Some(field), Value::Object(p)) = (field, &mut prop) {
                if !field.description.is_empty() {
                    p.insert("description".into(), field.description.clone().into());
                }
                if let Some((strategy, key)) = &field.patch {
                    p.insert("x-kubernetes-patch-strategy".into(), strategy.clone().into());
                    if let Some(key) = key {
                        p.insert("x-kubernetes-patch-merge-key".into(), key.clone().into());
                    }
                }
                if field.required {
                    required.push(name.clone());
                }
            }
            properties.insert(name.clone(), prop);
        }
        let mut schema = json!({"type": "object", "properties": properties});
        if let Some(d) = doc.filter(|d| !d.description.is_empty()) {
            schema["description"] = d.description.clone().into();
        }
        if !required.is_empty() {
            schema["required"] = required.into();
        }
        if let Some(kind) = kind {
            schema["x-kubernetes-group-version-kind"] = json!([{"group": group, "version": version, "kind": kind}]);
        }
        out.insert(component(&def.id), schema);
    }
    for (name, leaf) in [("Time", "string"), ("Quantity", ""), ("IntOrString", "")] {
        let mut schema = match leaf {
            "string" => json!({"type": "string", "format": "date-time"}),
            _ if name == "Quantity" => json!({"oneOf": [{"type": "string"}, {"type": "number"}]}),
            _ => json!({"oneOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true}),
        };
        if let Some(d) = docs.of(name).filter(|d| !d.description.is_empty()) {
            schema["description"] = d.description.clone().into();
        }
        out.insert(component(name), schema);
    }
    out
}

/// A table id's component name: kubectl prints what follows the last dot.
fn component(id: &str) -> String {
    match id.split_once('~') {
        Some((name, n)) => format!("sandbox.v{n}.{name}"),
        None => format!("sandbox.{id}"),
    }
}

fn reference(id: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{}", component(id))})
}

/// A field's schema; a struct it names is queued. A struct is wrapped in `allOf`, as the
/// apiserver's documents do, so that the field's description can sit beside the reference.
fn shape_schema(s: &Schema, shape: &Shape, queue: &mut Vec<(usize, Option<&str>)>) -> Value {
    match shape {
        Shape::Opt(inner) => shape_schema(s, inner, queue),
        Shape::List(item) => json!({"type": "array", "items": unwrap_all_of(shape_schema(s, item, queue))}),
        Shape::Map(item) => {
            json!({"type": "object", "additionalProperties": unwrap_all_of(shape_schema(s, item, queue))})
        }
        Shape::Struct(id) => {
            queue.push((*id, None));
            json!({"allOf": [reference(&s.types[*id].id)]})
        }
        Shape::Leaf(leaf) => match leaf {
            Leaf::Str => json!({"type": "string"}),
            Leaf::I32 => json!({"type": "integer", "format": "int32"}),
            Leaf::I64 => json!({"type": "integer", "format": "int64"}),
            Leaf::F64 => json!({"type": "number", "format": "double"}),
            Leaf::Bool => json!({"type": "boolean"}),
            Leaf::Bytes => json!({"type": "string", "format": "byte"}),
            Leaf::Any => json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
            Leaf::Time => json!({"allOf": [reference("Time")]}),
            Leaf::Quantity => json!({"allOf": [reference("Quantity")]}),
            Leaf::IntOrStr => json!({"allOf": [reference("IntOrString")]}),
        },
    }
}

/// Items and map values name their type with a bare `$ref`, as the apiserver's documents do.
fn unwrap_all_of(v: Value) -> Value {
    match v.get("allOf").and_then(Value::as_array) {
        Some(all) if all.len() == 1 => all[0].clone(),
        _ => v,
    }
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

    #[test]
    fn each_document_carries_its_kinds_schemas_with_descriptions_and_patch_strategies() {
        let v1 = group_version("api/v1").expect("v1");
        let schemas = &v1["components"]["schemas"];
        let pod = &schemas["sandbox.Pod"];
        assert_eq!(pod["x-kubernetes-group-version-kind"][0]["kind"], "Pod");
        assert!(pod["description"].as_str().is_some_and(|d| d.starts_with("Pod is a collection of containers")));
        assert_eq!(pod["properties"]["spec"]["allOf"][0]["$ref"], "#/components/schemas/sandbox.PodSpec");
        let containers = &schemas["sandbox.PodSpec"]["properties"]["containers"];
        assert_eq!(containers["items"]["$ref"], "#/components/schemas/sandbox.Container");
        assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
        assert!(schemas["sandbox.PodSpec"]["required"].as_array().is_some_and(|r| r.iter().any(|f| f == "containers")));
        assert!(schemas.get("sandbox.Deployment").is_none(), "only the group version's own kinds and what they reach");
        let hpa = group_version("apis/autoscaling/v2").expect("autoscaling/v2");
        assert_eq!(
            hpa["components"]["schemas"]["sandbox.v2.HorizontalPodAutoscaler"]["x-kubernetes-group-version-kind"][0]["version"],
            "v2"
        );
    }
}
