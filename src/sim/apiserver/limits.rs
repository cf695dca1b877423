//! The LimitRanger admission plugin: per-container defaults and bounds from a namespace's LimitRanges.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::cache::WatchCache;
use crate::sim::api::{self, quantity};

/// Milli-units of a quantity (CPU in millicores, memory in milli-bytes), so CPU and memory compare alike.
fn milli(v: &Value) -> Option<i64> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    quantity::parse_quantity(&s).ok().map(|q| q.milli_value())
}

/// Prints milli-units back the way the apiserver's messages do (`500m`, `1Gi`).
fn show(resource: &str, m: i64) -> String {
    if resource.ends_with("cpu") { quantity::format_cpu_millis(m) } else { quantity::format_bytes(m / 1000) }
}

fn in_namespace(cache: &WatchCache, plural: &str, ns: &str) -> Vec<Value> {
    let rt = api::resolve(plural).expect("limitranges and resourcequotas are served");
    let prefix = api::storage_prefix(rt, Some(ns));
    cache.list_prefix(&prefix).cloned().collect()
}

fn containers_mut(pod: &mut Value) -> Vec<&mut Value> {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else { return Vec::new() };
    spec.iter_mut()
        .filter(|(k, _)| *k == "initContainers" || *k == "containers")
        .filter_map(|(_, v)| v.as_array_mut())
        .flat_map(|a| a.iter_mut())
        .collect()
}

/// SetDefaults_LimitRangeItem for Containers: a missing `default` limit is the `max`, a missing
/// `defaultRequest` is the `default`, else the `min`.
fn with_item_defaults(mut item: Value) -> Value {
    let fill = |item: &mut Value, from: &str, to: &str| {
        if let Some(Value::Object(src)) = item.get(from).cloned() {
            for (k, v) in src {
                if item.at(&format!("/{to}/{k}")).is_none() {
                    item[to][k.as_str()] = v;
                }
            }
        }
    };
    fill(&mut item, "max", "default");
    fill(&mut item, "default", "defaultRequest");
    fill(&mut item, "min", "defaultRequest");
    item
}

/// LimitRanger on a pod create: fills `default` limits and `defaultRequest` requests, then checks
/// `min`/`max` per container. Returns the messages of every violation.
pub fn limit_ranger(pod: &mut Value, ns: &str, cache: &WatchCache) -> Result<(), Vec<String>> {
    let ranges = in_namespace(cache, "limitranges", ns);
    let items: Vec<Value> = ranges
        .iter()
        .flat_map(|r| r.at("/spec/limits").and_then(Value::as_array).cloned().unwrap_or_default())
        .filter(|l| l.get("type").and_then(Value::as_str) == Some("Container"))
        .map(with_item_defaults)
        .collect();
    if items.is_empty() {
        return Ok(());
    }
    let mut errors = Vec::new();
    for c in containers_mut(pod) {
        for item in &items {
            for (field, target) in [("default", "limits"), ("defaultRequest", "requests")] {
                if let Some(Value::Object(defaults)) = item.get(field) {
                    for (res, q) in defaults {
                        if c.at(&format!("/resources/{target}/{res}")).is_none() {
                            c["resources"][target][res] = q.clone();
                        }
                    }
                }
            }
        }
        // Requests default to limits (core defaulting, run again after LimitRanger filled limits).
        if let Some(Value::Object(limits)) = c.at("/resources/limits").cloned() {
            for (res, q) in limits {
                if c.at(&format!("/resources/requests/{res}")).is_none() {
                    c["resources"]["requests"][res.as_str()] = q;
                }
            }
        }
        for item in &items {
            if let Some(Value::Object(max)) = item.get("max") {
                for (res, q) in max {
                    let (Some(bound), limit) = (milli(q), c.at(&format!("/resources/limits/{res}")).and_then(milli))
                    else {
                        continue;
                    };
                    match limit {
                        None => errors.push(format!(
                            "maximum {res} usage per Container is {}.  No limit is specified",
                            show(res, bound)
                        )),
                        Some(l) if l > bound => errors.push(format!(
                            "maximum {res} usage per Container is {}, but limit is {}",
                            show(res, bound),
                            show(res, l)
                        )),
                        _ => {}
                    }
                }
            }
            if let Some(Value::Object(min)) = item.get("min") {
                for (res, q) in min {
                    let (Some(bound), request) =
                        (milli(q), c.at(&format!("/resources/requests/{res}")).and_then(milli))
                    else {
                        continue;
                    };
                    match request {
                        None => errors.push(format!(
                            "minimum {res} usage per Container is {}.  No request is specified",
                            show(res, bound)
                        )),
                        Some(r) if r < bound => errors.push(format!(
                            "minimum {res} usage per Container is {}, but request is {}",
                            show(res, bound),
                            show(res, r)
                        )),
                        _ => {}
                    }
                }
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}
