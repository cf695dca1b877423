//! What a write does to an object: create, update, patch, status, binding, finalize and (graceful)
//! delete, computed from the current object as the registry strategies do.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::admission::{self, AdmissionCtx};
use super::patch::{merge_patch, strategic_merge_patch};
use super::quota::QuotaCharge;
use super::request::{ApiRequest, PatchType, Verb};
use super::status::Status;
use crate::sim::api;
use crate::sim::time::rfc3339;

/// The object to store, and whether the store should delete it instead.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    Put(Value),
    /// Remove the key; the value is the object as it was, for the response.
    Delete(Value),
    /// Nothing changed; answer with the current object.
    Unchanged(Value),
}

fn rv_of(v: &Value) -> Option<i64> {
    v.at("/metadata/resourceVersion")?.as_str()?.parse().ok()
}

/// Whether the client made the write conditional on a resourceVersion (then a conflict is final).
pub fn has_precondition(req: &ApiRequest) -> bool {
    matches!(req.verb, Verb::Update | Verb::Patch(_)) && req.body.as_ref().and_then(rv_of).is_some()
}

/// A computed write: the key, the revision it was computed against, the outcome, and the quota
/// usage a create charges (written in the same transaction).
pub struct Computed {
    pub key: String,
    pub rev: i64,
    pub outcome: WriteOutcome,
    pub charges: Vec<QuotaCharge>,
}

/// First attempt: the current object comes from the watch cache.
pub fn compute(req: &ApiRequest, cx: &mut AdmissionCtx) -> Result<Computed, Status> {
    let rt = req.resource;
    if req.verb == Verb::Create && req.subresource.is_none() {
        let body = req.body.clone().ok_or_else(|| Status::bad_request("the body of the request was empty"))?;
        let c = admission::prepare_create(rt, req.namespace.as_deref(), body, cx)?;
        return Ok(Computed { key: c.key, rev: 0, outcome: WriteOutcome::Put(c.object), charges: c.charges });
    }
    let name = req
        .name
        .clone()
        .or_else(|| req.body.as_ref()?.at("/metadata/name")?.as_str().map(str::to_string))
        .ok_or_else(|| Status::bad_request("resource name may not be empty"))?;
    let key = api::storage_key(rt, req.namespace.as_deref(), &name);
    // The cache is borrowed for the context's whole life, not from the context: no copy of the object.
    let cache = cx.cache;
    let current = cache.get(&key).ok_or_else(|| Status::not_found(rt, &name))?;
    let rev = rv_of(current).unwrap_or(0);
    let outcome = recompute(req, current, rev, cx)?;
    Ok(Computed { key, rev, outcome, charges: Vec::new() })
}

/// Computes the outcome against a given current object (first attempt or a GuaranteedUpdate retry).
pub fn recompute(req: &ApiRequest, current: &Value, rev: i64, cx: &mut AdmissionCtx) -> Result<WriteOutcome, Status> {
    let rt = req.resource;
    let name = current.at("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let body = || req.body.clone().ok_or_else(|| Status::bad_request("the body of the request was empty"));
    let sub = req.subresource.as_deref();
    let new = match (&req.verb, sub) {
        (Verb::Create, Some("binding")) => admission::bind(rt, current, &body()?, cx.now)?,
        (Verb::Create, Some("eviction")) => {
            super::eviction::check(current, cx.cache)?;
            return delete(req, current, cx);
        }
        (Verb::Update, Some("finalize")) => {
            let mut ns = current.clone();
            ns["spec"]["finalizers"] = body()?.at("/spec/finalizers").cloned().unwrap_or(json!([]));
            ns
        }
        (Verb::Update, Some("scale")) => super::scale::apply(rt, current, &body()?)?,
        (Verb::Update, sub) => {
            let b = body()?;
            if rv_of(&b).is_some_and(|r| r != rev) {
                return Err(Status::conflict(rt, &name));
            }
            let new = admission::prepare_update(rt, current, b, sub == Some("status"))?;
            if sub.is_none() {
                super::resize::validate(rt, current, &new, cx.cache)?;
            }
            new
        }
        (Verb::Patch(pt), Some("scale")) => {
            let mut scale = super::scale::of(current);
            match pt {
                PatchType::Merge => merge_patch(&mut scale, &body()?),
                PatchType::Strategic => strategic_merge_patch(&mut scale, &body()?),
                PatchType::Json => scale = super::json_patch::patch_object(&scale, &body()?)?,
                PatchType::Apply => return Err(Status::unsupported_patch("application/apply-patch+yaml")),
            }
            super::scale::apply(rt, current, &scale)?
        }
        (Verb::Patch(pt), sub) => {
            let p = body()?;
            if rv_of(&p).is_some_and(|r| r != rev) {
                return Err(Status::conflict(rt, &name));
            }
            // A patch applies to the object as the client reads it (its version's field names).
            let mut patched = api::convert::to_served(rt, current);
            match pt {
                PatchType::Merge => merge_patch(&mut patched, &p),
                PatchType::Strategic => strategic_merge_patch(&mut patched, &p),
                PatchType::Json => patched = super::json_patch::patch_object(current, &p)?,
                PatchType::Apply => return Err(Status::unsupported_patch("application/apply-patch+yaml")),
            }
            let new = admission::prepare_update(rt, current, patched, sub == Some("status"))?;
            if sub.is_none() {
                super::resize::validate(rt, current, &new, cx.cache)?;
            }
            new
        }
        (Verb::Delete, _) => return delete(req, current, cx),
        _ => {
            return Err(Status::new(
                405,
                super::status::Reason::MethodNotAllowed,
                "the server does not allow this method on the requested resource",
            ));
        }
    };
    Ok(settle(current, new))
}

/// An object being deleted whose last finalizer is gone is removed; an update that changes nothing is a no-op.
fn settle(current: &Value, new: Value) -> WriteOutcome {
    if new.at("/metadata/deletionTimestamp").is_some() && finalizers_empty(&new) {
        return WriteOutcome::Delete(new);
    }
    if same_but_resource_version(current, &new) {
        WriteOutcome::Unchanged(current.clone())
    } else {
        WriteOutcome::Put(new)
    }
}

/// `current` (which carries `metadata.resourceVersion`) equals `new` (which does not) but for that field,
/// compared in place: every update goes through here, and copying the object to compare cost a clone.
fn same_but_resource_version(current: &Value, new: &Value) -> bool {
    let (Some(cur), Some(new)) = (current.as_object(), new.as_object()) else { return current == new };
    cur.len() == new.len()
        && cur.iter().all(|(k, v)| match (k.as_str(), new.get(k)) {
            ("metadata", Some(n)) => match (v.as_object(), n.as_object()) {
                (Some(cm), Some(nm)) => {
                    let cm_len = cm.len() - usize::from(cm.contains_key("resourceVersion"));
                    cm_len == nm.len()
                        && cm.iter().filter(|(mk, _)| *mk != "resourceVersion").all(|(mk, mv)| nm.get(mk) == Some(mv))
                }
                _ => v == n,
            },
            (_, Some(n)) => v == n,
            (_, None) => false,
        })
}

fn finalizers_empty(obj: &Value) -> bool {
    let empty = |p: &str| obj.at(p).and_then(Value::as_array).is_none_or(Vec::is_empty);
    empty("/metadata/finalizers")
        && (obj.get("kind").and_then(Value::as_str) != Some("Namespace") || empty("/spec/finalizers"))
}

/// Graceful deletion, as `rest.BeforeDelete` and the pod strategy decide it:
/// - a pod bound to a node gets `deletionTimestamp` = now + grace, and its kubelet finishes the job
///   (it deletes again with grace 0 once the containers stopped);
/// - `Foreground`/`Orphan` propagation adds the `foregroundDeletion`/`orphan` finalizer;
/// - an object with finalizers (a namespace: `spec.finalizers`) only gets `deletionTimestamp`;
/// - anything else is removed at once.
fn delete(req: &ApiRequest, current: &Value, cx: &mut AdmissionCtx) -> Result<WriteOutcome, Status> {
    let kind = current.get("kind").and_then(Value::as_str).unwrap_or(req.resource.kind);
    let already = current.at("/metadata/deletionTimestamp").is_some();
    let mut obj = current.clone();
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    let finalizer = match req.options.propagation_policy.as_deref() {
        Some("Foreground") => Some("foregroundDeletion"),
        Some("Orphan") => Some("orphan"),
        _ => None,
    };
    if let Some(f) = finalizer {
        let list = obj["metadata"]["finalizers"].as_array().cloned().unwrap_or_default();
        if !list.iter().any(|x| x == f) {
            let mut list = list;
            list.push(json!(f));
            obj["metadata"]["finalizers"] = Value::Array(list);
        }
    }
    if kind == "Pod" {
        let default_grace = current.at("/spec/terminationGracePeriodSeconds").and_then(Value::as_i64).unwrap_or(30);
        let grace = req.options.grace_period_seconds.unwrap_or(default_grace).max(0);
        let bound = current.at("/spec/nodeName").and_then(Value::as_str).is_some_and(|n| !n.is_empty());
        let finished = matches!(current.at("/status/phase").and_then(Value::as_str), Some("Succeeded" | "Failed"));
        if bound && grace > 0 && !finished {
            if already {
                return Ok(WriteOutcome::Unchanged(current.clone()));
            }
            obj["metadata"]["deletionTimestamp"] = json!(rfc3339(cx.now + grace as u64 * 1000));
            obj["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            return Ok(WriteOutcome::Put(obj));
        }
    }
    if kind == "Namespace" {
        if already {
            return Ok(WriteOutcome::Unchanged(current.clone()));
        }
        if !finalizers_empty(&obj) {
            obj["metadata"]["deletionTimestamp"] = json!(rfc3339(cx.now));
            obj["status"]["phase"] = json!("Terminating");
            return Ok(WriteOutcome::Put(obj));
        }
    }
    if !finalizers_empty(&obj) {
        if already && finalizer.is_none() {
            return Ok(WriteOutcome::Unchanged(current.clone()));
        }
        if !already {
            obj["metadata"]["deletionTimestamp"] = json!(rfc3339(cx.now));
            obj["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        }
        return Ok(if obj == *current { WriteOutcome::Unchanged(current.clone()) } else { WriteOutcome::Put(obj) });
    }
    Ok(WriteOutcome::Delete(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_equal_but_for_the_resource_version_is_unchanged() {
        let cur = json!({"metadata": {"name": "a", "resourceVersion": "7"}, "spec": {"x": 1}});
        assert!(same_but_resource_version(&cur, &json!({"metadata": {"name": "a"}, "spec": {"x": 1}})));
        let differs = [
            json!({"metadata": {"name": "a"}, "spec": {"x": 2}}),
            json!({"metadata": {"name": "a", "resourceVersion": "7"}, "spec": {"x": 1}}),
            json!({"metadata": {"name": "a", "labels": {}}, "spec": {"x": 1}}),
            json!({"metadata": {"name": "a"}}),
            json!({"metadata": {"name": "a"}, "spec": {"x": 1}, "status": {}}),
            json!("a"),
        ];
        for new in differs {
            assert!(!same_but_resource_version(&cur, &new), "{new}");
        }
    }
}
