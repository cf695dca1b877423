//! The LimitRanger and ResourceQuota admission plugins: per-container defaults and bounds from a
//! namespace's LimitRanges, and the namespace totals its ResourceQuotas allow.

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

/// What one pod adds to each quota resource (`pods`, `requests.cpu`, `limits.memory`, ...).
fn pod_usage(pod: &Value, resource: &str) -> Option<i64> {
    let sum = |kind: &str, res: &str| -> Option<i64> {
        let cs = pod.at("/spec/containers").and_then(Value::as_array)?;
        cs.iter().map(|c| c.at(&format!("/resources/{kind}/{res}")).and_then(milli)).sum()
    };
    match resource {
        "pods" | "count/pods" => Some(1000),
        "cpu" | "requests.cpu" => sum("requests", "cpu"),
        "memory" | "requests.memory" => sum("requests", "memory"),
        "limits.cpu" => sum("limits", "cpu"),
        "limits.memory" => sum("limits", "memory"),
        _ => Some(0),
    }
}

/// Whether a quota resource counts objects of this kind (`services`, `count/deployments.apps`, ...).
fn counts_kind(resource: &str, plural: &str, group: &str) -> bool {
    let qualified = if group.is_empty() { plural.to_string() } else { format!("{plural}.{group}") };
    resource == plural || resource == format!("count/{qualified}")
}

/// ResourceQuota on a create: refuses what would take a namespace over a quota's `hard` limits,
/// counting what exists now (the real plugin reads `status.used`, kept by the quota controller).
pub fn resource_quota(obj: &Value, plural: &str, group: &str, ns: &str, cache: &WatchCache) -> Result<(), String> {
    for quota in &in_namespace(cache, "resourcequotas", ns) {
        let qname = quota.at("/metadata/name").and_then(Value::as_str).unwrap_or_default();
        let Some(Value::Object(hard)) = quota.at("/spec/hard") else { continue };
        let existing: Vec<Value> =
            match api::resolve(format!("{plural}.{group}").trim_end_matches('.')).or_else(|| api::resolve(plural)) {
                Some(rt) => cache.list_prefix(&api::storage_prefix(rt, Some(ns))).cloned().collect(),
                None => Vec::new(),
            };
        let live: Vec<&Value> = existing
            .iter()
            .filter(|o| !matches!(o.at("/status/phase").and_then(Value::as_str), Some("Succeeded" | "Failed")))
            .collect();
        let (mut requested, mut used, mut limited, mut missing) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (res, q) in hard {
            let Some(limit) = milli(q) else { continue };
            let (add, now): (Option<i64>, i64) =
                if plural == "pods" && !res.starts_with("count/") || res == "count/pods" {
                    (pod_usage(obj, res), live.iter().filter_map(|p| pod_usage(p, res)).sum())
                } else if counts_kind(res, plural, group) {
                    (Some(1000), live.len() as i64 * 1000)
                } else {
                    continue;
                };
            let Some(add) = add else {
                missing.push(res.clone());
                continue;
            };
            if add > 0 && now + add > limit {
                requested.push(format!("{res}={}", show(res, add)));
                used.push(format!("{res}={}", show(res, now)));
                limited.push(format!("{res}={}", show(res, limit)));
            }
        }
        if !missing.is_empty() {
            return Err(format!("failed quota: {qname}: must specify {}", missing.join(",")));
        }
        if !requested.is_empty() {
            return Err(format!(
                "exceeded quota: {qname}, requested: {}, used: {}, limited: {}",
                requested.join(","),
                used.join(","),
                limited.join(",")
            ));
        }
    }
    Ok(())
}
