//! `Table` responses (`meta.k8s.io/v1`): the apiserver's server-side printing, which kubectl asks for
//! with `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`. The rows come from the same column
//! definitions the sandbox's kubectl prints with (`kubectl::printers::columns`), which follow the
//! apiserver's table convertors.

use serde_json::{Value, json};

use super::route::RowObject;
use crate::sim::kubectl::printers::columns::{RowCtx, printer_for};
use crate::sim::time::Millis;

/// `PartialObjectMetadata`: what a row carries of its object by default (`includeObject=Metadata`).
fn partial(obj: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or(json!({}))})
}

/// An object, or a `XList`, as a Table; `kind` names the rows' kind when the list is empty.
pub fn to_table(value: &Value, kind: &str, now: Millis, include: RowObject) -> Value {
    let printer = printer_for(kind);
    let ctx = RowCtx { now };
    let items: Vec<&Value> = match value.get("items").and_then(Value::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![value],
    };
    let columns: Vec<Value> = printer
        .columns
        .iter()
        .map(|c| {
            let mut d = json!({"name": c.name, "type": "string", "format": "", "description": "",
                "priority": if c.wide_only { 1 } else { 0 }});
            if c.is_name {
                d["format"] = json!("name");
            }
            d
        })
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let object = match include {
                RowObject::Object => (*o).clone(),
                RowObject::Metadata => partial(o),
                RowObject::None => Value::Null,
            };
            json!({"cells": (printer.row)(o, &ctx), "object": object})
        })
        .collect();
    // The list's metadata, so that a paged `kubectl get` follows `continue` through the Table too.
    let mut metadata = json!({});
    for field in ["resourceVersion", "continue", "remainingItemCount"] {
        if let Some(v) = value.get("metadata").and_then(|m| m.get(field)) {
            metadata[field] = v.clone();
        }
    }
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
        "columnDefinitions": columns, "rows": rows})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_becomes_rows_with_the_printer_columns() {
        let list = json!({"kind": "NamespaceList", "metadata": {"resourceVersion": "42"}, "items": [
            {"metadata": {"name": "default", "creationTimestamp": "1970-01-01T00:00:00Z"}, "status": {"phase": "Active"}}]});
        let t = to_table(&list, "Namespace", 0, RowObject::Metadata);
        let names: Vec<&str> =
            t["columnDefinitions"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(names, ["NAME", "STATUS", "AGE"]);
        assert_eq!(t["rows"][0]["cells"][0], "default");
        assert_eq!(t["rows"][0]["cells"][1], "Active");
        assert_eq!(t["rows"][0]["object"]["metadata"]["name"], "default");
        assert_eq!(t["metadata"]["resourceVersion"], "42");
        assert_eq!(t["metadata"].get("continue"), None);
        assert_eq!(t["columnDefinitions"][0]["format"], "name");
        let page = json!({"kind": "NamespaceList", "metadata": {"resourceVersion": "42", "continue": "abc", "remainingItemCount": 3}, "items": []});
        let t = to_table(&page, "Namespace", 0, RowObject::Object);
        assert_eq!((&t["metadata"]["continue"], &t["metadata"]["remainingItemCount"]), (&json!("abc"), &json!(3)));
    }

    /// `includeObject=Object` (what `kubectl get --sort-by` asks) gives the whole object, so the
    /// client can sort on any field; `None` gives no object.
    #[test]
    fn rows_carry_what_include_object_asks() {
        let ns = json!({"metadata": {"name": "default"}, "status": {"phase": "Active"}});
        assert_eq!(to_table(&ns, "Namespace", 0, RowObject::Object)["rows"][0]["object"]["status"]["phase"], "Active");
        let partial = to_table(&ns, "Namespace", 0, RowObject::Metadata);
        assert_eq!(partial["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert_eq!(partial["rows"][0]["object"].get("status"), None);
        assert_eq!(to_table(&ns, "Namespace", 0, RowObject::None)["rows"][0]["object"], Value::Null);
    }
}
