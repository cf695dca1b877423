//! Small accessors for objects as JSON: metadata, owner references, conditions, int-or-percent.
//!
//! Objects arrive as `serde_json::Value` in Kubernetes shape; these helpers read them without ever
//! panicking on a missing or oddly typed field (a learner's manifest may have anything).

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::{Map, Value, json};

use crate::sim::api::ResourceType;
use crate::sim::client::ObjectKey;
use crate::sim::time::{Millis, parse_rfc3339, rfc3339};

/// A string field by JSON pointer, or "".
pub fn str_at<'a>(obj: &'a Value, ptr: &str) -> &'a str {
    obj.at(ptr).and_then(Value::as_str).unwrap_or("")
}

/// An integer field by JSON pointer, or `default`.
pub fn i64_at(obj: &Value, ptr: &str, default: i64) -> i64 {
    obj.at(ptr).and_then(Value::as_i64).unwrap_or(default)
}

pub fn name(obj: &Value) -> &str {
    str_at(obj, "/metadata/name")
}

pub fn namespace(obj: &Value) -> &str {
    str_at(obj, "/metadata/namespace")
}

pub fn uid(obj: &Value) -> &str {
    str_at(obj, "/metadata/uid")
}

pub fn key_of(obj: &Value) -> ObjectKey {
    (namespace(obj).to_string(), name(obj).to_string())
}

/// `metadata.generation` (1 when absent, as after a create).
pub fn generation(obj: &Value) -> i64 {
    i64_at(obj, "/metadata/generation", 1)
}

pub fn is_deleting(obj: &Value) -> bool {
    obj.at("/metadata/deletionTimestamp").is_some_and(|v| !v.is_null())
}

/// When the object was created, in virtual ms (0 when unknown).
pub fn created_ms(obj: &Value) -> Millis {
    parse_rfc3339(str_at(obj, "/metadata/creationTimestamp")).unwrap_or(0)
}

pub fn label<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.at("/metadata/labels")?.get(key)?.as_str()
}

pub fn annotation<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.at("/metadata/annotations")?.get(key)?.as_str()
}

/// The object's finalizers.
pub fn finalizers(obj: &Value) -> Vec<&str> {
    obj.at("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A mutable map at `ptr` (each segment created as an object when missing or not an object).
pub fn map_at<'a>(obj: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = obj;
    for seg in path {
        if !cur.is_object() {
            *cur = json!({});
        }
        let m = cur.as_object_mut().expect("made an object just above");
        cur = m.entry(seg.to_string()).or_insert_with(|| json!({}));
    }
    if !cur.is_object() {
        *cur = json!({});
    }
    cur.as_object_mut().expect("made an object just above")
}

// Owner references are read in place by the client library's informers too, so they live in `api::meta`.
pub use crate::sim::api::meta::{controller_ref, controller_uid, owner_refs};

/// Whether `obj` is controlled by `owner` (`metav1.IsControlledBy`).
pub fn is_controlled_by(obj: &Value, owner: &Value) -> bool {
    controller_uid(obj).is_some_and(|u| !u.is_empty() && u == uid(owner))
}

/// `metav1.NewControllerRef`: how a controller marks what it creates, so the garbage collector
/// deletes it with its owner and foreground deletion waits for it.
pub fn controller_ref_to(owner: &Value, rt: &ResourceType) -> Value {
    json!({
        "apiVersion": api_version(rt),
        "kind": rt.kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// `apps/v1`, `v1`: the apiVersion of a resource type.
pub fn api_version(rt: &ResourceType) -> String {
    if rt.group.is_empty() { rt.version.to_string() } else { format!("{}/{}", rt.group, rt.version) }
}

/// The object with `status` replaced, for a status write; it keeps its `resourceVersion`, so the
/// write is conditional (a stale cache gets a 409 Conflict and the sync is retried).
pub fn status_write(obj: &Value, status: Value) -> Value {
    let mut o = obj.clone();
    o["status"] = status;
    o
}

/// The condition of `type` in a `status.conditions` list.
pub fn condition<'a>(obj: &'a Value, ty: &str) -> Option<&'a Value> {
    obj.at("/status/conditions")?.as_array()?.iter().find(|c| c.get("type").and_then(Value::as_str) == Some(ty))
}

/// Whether the condition of `type` has status `True`.
pub fn condition_true(obj: &Value, ty: &str) -> bool {
    condition(obj, ty).and_then(|c| c.get("status")).and_then(Value::as_str) == Some("True")
}

/// Sets a condition in a conditions list the way the controllers' `SetCondition` helpers do: nothing
/// changes when status and reason are the same; `lastTransitionTime` is kept while the status is kept.
/// Returns whether anything changed.
pub fn set_condition(
    conditions: &mut Vec<Value>,
    ty: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: Millis,
    with_update_time: bool,
) -> bool {
    let pos = conditions.iter().position(|c| c.get("type").and_then(Value::as_str) == Some(ty));
    let mut transition = rfc3339(now);
    if let Some(i) = pos {
        let cur = &conditions[i];
        let cur_status = cur.get("status").and_then(Value::as_str).unwrap_or("");
        if cur_status == status && cur.get("reason").and_then(Value::as_str).unwrap_or("") == reason {
            return false;
        }
        if cur_status == status
            && let Some(t) = cur.get("lastTransitionTime").and_then(Value::as_str)
        {
            transition = t.to_string();
        }
        conditions.remove(i);
    }
    let mut c = json!({"type": ty, "status": status});
    if with_update_time {
        c["lastUpdateTime"] = json!(rfc3339(now));
    }
    c["lastTransitionTime"] = json!(transition);
    c["reason"] = json!(reason);
    c["message"] = json!(message);
    conditions.push(c);
    true
}

/// Removes the condition of `type`; returns whether one was there.
pub fn remove_condition(conditions: &mut Vec<Value>, ty: &str) -> bool {
    let before = conditions.len();
    conditions.retain(|c| c.get("type").and_then(Value::as_str) != Some(ty));
    before != conditions.len()
}

/// The conditions list of a status, cloned for editing.
pub fn conditions_of(obj: &Value) -> Vec<Value> {
    obj.at("/status/conditions").and_then(Value::as_array).cloned().unwrap_or_default()
}

/// `intstr.GetScaledValueFromIntOrPercent`: `25%` of `total`, rounded up or down. `None` when the
/// value is neither an integer nor a percentage.
pub fn int_or_percent(v: Option<&Value>, total: i64, round_up: bool) -> Option<i64> {
    match v {
        None | Some(Value::Null) => Some(0),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => {
            if let Some(p) = s.strip_suffix('%') {
                let p: i64 = p.trim().parse().ok()?;
                let scaled = p * total;
                Some(if round_up { (scaled + 99).div_euclid(100) } else { scaled.div_euclid(100) })
            } else {
                s.parse().ok()
            }
        }
        Some(_) => None,
    }
}

/// A stable text for hashing: objects with their keys sorted, so that field order never changes a hash.
pub fn canonical_json(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.stable_sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    write(&m[k.as_str()], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(v, &mut s);
    s
}

/// FNV-1a, 32 bits: what `controller.ComputeHash` feeds the pod template into.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// apimachinery `rand.SafeEncodeString`: maps each character onto the vowel-free alphabet, so a
/// hash can never spell a word (this is why hashes look like `5d4f8c9b7`).
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.chars().map(|c| ALPHANUMS[(c as usize) % ALPHANUMS.len()] as char).collect()
}

/// `controller.ComputeHash`: the hash of a pod template plus the collision count, safe-encoded.
pub fn compute_hash(template: &Value, collision_count: Option<i64>) -> String {
    let mut bytes = canonical_json(template).into_bytes();
    if let Some(c) = collision_count {
        let mut b = (c as u32).to_le_bytes().to_vec();
        b.extend([0u8; 4]);
        bytes.extend(b);
    }
    safe_encode(&fnv32a(&bytes).to_string())
}

/// A node's `spec.taints` as JSON (empty when it has none).
pub fn taints_of(node: &Value) -> &[Value] {
    node.get("spec").and_then(|s| s.get("taints")).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A pod spec's `tolerations` as JSON (empty when it has none).
pub fn tolerations_of(pod_spec: &Value) -> &[Value] {
    pod_spec.get("tolerations").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_or_percent_rounds_as_intstr() {
        // maxSurge rounds up, maxUnavailable rounds down (deployment util ResolveFenceposts).
        let cases = [
            (json!("25%"), 10, true, Some(3)),
            (json!("25%"), 10, false, Some(2)),
            (json!("1%"), 2, true, Some(1)),
            (json!("1%"), 2, false, Some(0)),
            (json!(3), 10, true, Some(3)),
            (json!("3"), 10, false, Some(3)),
            (json!("x%"), 10, false, None),
            (json!(true), 10, false, None),
        ];
        for (v, total, up, want) in cases {
            assert_eq!(int_or_percent(Some(&v), total, up), want, "{v} of {total}");
        }
        assert_eq!(int_or_percent(None, 10, true), Some(0));
    }

    #[test]
    fn hash_is_stable_under_key_order_and_changes_with_content_and_collisions() {
        let a =
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        let b: Value = serde_json::from_str(
            r#"{"spec":{"containers":[{"image":"nginx","name":"c"}]},"metadata":{"labels":{"app":"web"}}}"#,
        )
        .expect("valid json");
        assert_eq!(compute_hash(&a, None), compute_hash(&b, None));
        let c = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx:2"}]}});
        assert_ne!(compute_hash(&a, None), compute_hash(&c, None));
        assert_ne!(compute_hash(&a, None), compute_hash(&a, Some(1)));
        let h = compute_hash(&a, None);
        assert!(h.chars().all(|ch| "bcdf456789".contains(ch)), "{h}");
    }

    #[test]
    fn set_condition_keeps_transition_time_while_status_holds() {
        let mut conds = Vec::new();
        assert!(set_condition(&mut conds, "Available", "False", "A", "m", 1000, true));
        assert!(
            !set_condition(&mut conds, "Available", "False", "A", "other", 5000, true),
            "same status+reason is no change"
        );
        assert!(set_condition(&mut conds, "Available", "False", "B", "m", 5000, true));
        assert_eq!(conds[0]["lastTransitionTime"], json!(rfc3339(1000)));
        assert!(set_condition(&mut conds, "Available", "True", "B", "m", 9000, true));
        assert_eq!(conds[0]["lastTransitionTime"], json!(rfc3339(9000)));
        assert!(remove_condition(&mut conds, "Available"));
        assert!(!remove_condition(&mut conds, "Available"));
    }

    #[test]
    fn controller_ref_lookup() {
        let owner = json!({"metadata": {"name": "web", "uid": "u1"}});
        let rt = crate::sim::api::resolve("replicasets").expect("served");
        let r = controller_ref_to(&owner, rt);
        assert_eq!(r["apiVersion"], "apps/v1");
        assert_eq!(r["blockOwnerDeletion"], true);
        let pod = json!({"metadata": {"ownerReferences": [{"uid": "x"}, r]}});
        assert!(is_controlled_by(&pod, &owner));
        assert!(!is_controlled_by(&json!({}), &owner));
        assert!(!is_controlled_by(&pod, &json!({"metadata": {"uid": "x"}})), "a non-controller ref does not control");
    }
}
