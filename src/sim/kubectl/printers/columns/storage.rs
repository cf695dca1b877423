//! Rows for storage and quota kinds: PersistentVolume, PersistentVolumeClaim, ResourceQuota.

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::super::fields::{arr_at, at, obj_at, opt_str, str_at};
use super::RowCtx;

fn name(obj: &Value) -> String {
    str_at(obj, &["metadata", "name"]).to_string()
}

/// `GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that fixed order.
pub fn access_modes(modes: &[Value]) -> String {
    let has = |m: &str| modes.iter().any(|v| v.as_str() == Some(m));
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(m, _)| has(m))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

/// A quantity as `Quantity.String()` prints a missing one: `0`.
fn quantity(obj: &Value, path: &[&str]) -> String {
    match at(obj, path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".into(),
    }
}

fn deleting(obj: &Value) -> bool {
    at(obj, &["metadata", "deletionTimestamp"]).is_some_and(|d| !d.is_null())
}

/// PersistentVolume columns.
pub fn persistent_volume(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let claim = match obj_at(obj, &["spec", "claimRef"]) {
        Some(_) => format!(
            "{}/{}",
            str_at(obj, &["spec", "claimRef", "namespace"]),
            str_at(obj, &["spec", "claimRef", "name"])
        ),
        None => String::new(),
    };
    let phase = if deleting(obj) { "Terminating" } else { str_at(obj, &["status", "phase"]) };
    vec![
        name(obj),
        quantity(obj, &["spec", "capacity", "storage"]),
        access_modes(arr_at(obj, &["spec", "accessModes"])),
        str_at(obj, &["spec", "persistentVolumeReclaimPolicy"]).to_string(),
        phase.to_string(),
        claim,
        crate::sim::api::meta::storage_class(obj).to_string(),
        opt_str(obj, &["spec", "volumeAttributesClassName"]).unwrap_or("<unset>").to_string(),
        str_at(obj, &["status", "reason"]).to_string(),
        ctx.age(obj),
        opt_str(obj, &["spec", "volumeMode"]).unwrap_or("<unset>").to_string(),
    ]
}

/// PersistentVolumeClaim columns: capacity and modes only once bound to a volume.
pub fn persistent_volume_claim(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let volume = str_at(obj, &["spec", "volumeName"]);
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (quantity(obj, &["status", "capacity", "storage"]), access_modes(arr_at(obj, &["status", "accessModes"])))
    };
    let phase = if deleting(obj) { "Terminating" } else { str_at(obj, &["status", "phase"]) };
    vec![
        name(obj),
        phase.to_string(),
        volume.to_string(),
        capacity,
        modes,
        crate::sim::api::meta::storage_class(obj).to_string(),
        opt_str(obj, &["spec", "volumeAttributesClassName"]).unwrap_or("<unset>").to_string(),
        ctx.age(obj),
        opt_str(obj, &["spec", "volumeMode"]).unwrap_or("<unset>").to_string(),
    ]
}

/// ResourceQuota REQUEST and LIMIT: `resource: used/hard` pairs, `limits.*` in LIMIT.
pub fn resource_quota(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let mut hard: Vec<String> =
        obj_at(obj, &["status", "hard"]).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    hard.stable_sort();
    let (mut req, mut lim) = (Vec::new(), Vec::new());
    for r in &hard {
        let text = format!("{r}: {}/{}", quantity(obj, &["status", "used", r]), quantity(obj, &["status", "hard", r]));
        let pieces: Vec<&str> = r.split('.').collect();
        if pieces.len() > 1 && pieces[0] == "limits" { lim.push(text) } else { req.push(text) }
    }
    vec![name(obj), req.join(", "), lim.join(", "), ctx.age(obj)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CTX: RowCtx = RowCtx { now: 600_000 };

    #[test]
    fn volumes_and_claims() {
        let pv = json!({"metadata": {"name": "pv1"}, "spec": {"capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
            "claimRef": {"namespace": "default", "name": "data"}, "storageClassName": "standard"},
            "status": {"phase": "Bound"}});
        assert_eq!(
            persistent_volume(&pv, &CTX)[1..9],
            ["1Gi", "RWO,RWX", "Retain", "Bound", "default/data", "standard", "<unset>", ""]
        );
        let pending = json!({"metadata": {"name": "data"}, "spec": {"storageClassName": "standard"}, "status": {"phase": "Pending"}});
        assert_eq!(persistent_volume_claim(&pending, &CTX)[1..6], ["Pending", "", "", "", "standard"]);
        assert_eq!(persistent_volume(&json!({}), &CTX)[1], "0");
    }

    #[test]
    fn resource_quota_splits_requests_and_limits() {
        let q = json!({"metadata": {"name": "q"}, "status": {"hard": {"pods": "10", "limits.cpu": "2", "requests.cpu": "1"},
            "used": {"pods": "3", "requests.cpu": "500m"}}});
        assert_eq!(resource_quota(&q, &CTX)[1..3], ["pods: 3/10, requests.cpu: 500m/1", "limits.cpu: 0/2"]);
    }
}
