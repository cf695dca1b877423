//! Storage and quota kinds: PersistentVolume, PersistentVolumeClaim, StorageClass, ResourceQuota, LimitRange.

use super::config::object;
use super::meta::validate_label_selector;
use super::names::{is_dns1123_subdomain, is_qualified_name};
use super::{BadValue, Errs, child, index, key};
use crate::sim::api::meta::{array_at, at, str_at};
use crate::sim::api::quantity::{Quantity, parse_quantity};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

const ACCESS_MODES: &[&str] = &["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

fn validate_access_modes(spec: &Value, path: &str, required_detail: &str, errs: &mut Errs) {
    let modes = array_at(spec, &["accessModes"]);
    if modes.is_empty() {
        errs.required(path, required_detail);
    }
    for m in modes {
        let m = m.as_str().unwrap_or("");
        if !ACCESS_MODES.contains(&m) {
            errs.unsupported(path, m, ACCESS_MODES);
        }
    }
}

fn validate_volume_mode(spec: &Value, path: &str, errs: &mut Errs) {
    if let Some(mode) = str_at(spec, &["volumeMode"]).filter(|m| !matches!(*m, "Block" | "Filesystem")) {
        errs.unsupported(path, mode, &["Block", "Filesystem"]);
    }
}

/// PersistentVolume: capacity, access modes, exactly one source, reclaim policy.
pub(super) fn validate_persistent_volume(obj: &Value, errs: &mut Errs) {
    let spec = at(obj, &["spec"]).unwrap_or(&Value::Null);
    validate_access_modes(spec, "spec.accessModes", "", errs);
    match object(spec, &["capacity"]) {
        None => errs.required("spec.capacity", ""),
        Some(cap) if cap.is_empty() => errs.required("spec.capacity", ""),
        Some(cap) => {
            for k in cap.keys().filter(|k| k.as_str() != "storage") {
                errs.unsupported(&key("spec.capacity", k), k, &["storage"]);
            }
        }
    }
    const SOURCES: &[&str] = &[
        "hostPath",
        "local",
        "nfs",
        "csi",
        "iscsi",
        "fc",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "azureDisk",
        "azureFile",
        "cephfs",
        "rbd",
        "cinder",
        "glusterfs",
        "flexVolume",
        "flocker",
        "vsphereVolume",
        "quobyte",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "storageos",
    ];
    let present: Vec<&str> = SOURCES.iter().copied().filter(|s| spec.get(*s).is_some_and(|v| !v.is_null())).collect();
    if present.is_empty() {
        errs.required("spec", "must specify a volume type");
    }
    for extra in present.iter().skip(1) {
        errs.forbidden(&child("spec", extra), "may not specify more than 1 volume type");
    }
    if present.first() == Some(&"hostPath") && str_at(spec, &["hostPath", "path"]).unwrap_or("").is_empty() {
        errs.required("spec.hostPath.path", "");
    }
    if present.first() == Some(&"local") && spec.get("nodeAffinity").is_none_or(Value::is_null) {
        errs.required("spec.nodeAffinity", "Local volume requires node affinity");
    }
    if let Some(p) =
        str_at(spec, &["persistentVolumeReclaimPolicy"]).filter(|p| !matches!(*p, "Delete" | "Recycle" | "Retain"))
    {
        errs.unsupported("spec.persistentVolumeReclaimPolicy", p, &["Delete", "Recycle", "Retain"]);
    }
    if let Some(sc) = str_at(spec, &["storageClassName"]).filter(|s| !s.is_empty()) {
        errs.each_invalid("spec.storageClassName", sc, is_dns1123_subdomain(sc));
    }
    validate_volume_mode(spec, "spec.volumeMode", errs);
}

/// PersistentVolumeClaim: access modes and a positive storage request; spec fixed once created.
pub(super) fn validate_persistent_volume_claim(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let spec = at(obj, &["spec"]).unwrap_or(&Value::Null);
    validate_access_modes(spec, "spec.accessModes", "at least 1 access mode is required", errs);
    if let Some(sel) = spec.get("selector").filter(|v| !v.is_null()) {
        validate_label_selector(sel, "spec.selector", errs);
    }
    match str_at(spec, &["resources", "requests", "storage"]).map(parse_quantity) {
        None => errs.required("spec.resources[storage]", ""),
        Some(Ok(q)) if q <= Quantity::from_millis(0) => {
            errs.invalid_str("spec.resources[storage]", &q.to_string(), "must be greater than zero")
        }
        _ => {}
    }
    if let Some(sc) = str_at(spec, &["storageClassName"]).filter(|s| !s.is_empty()) {
        errs.each_invalid("spec.storageClassName", sc, is_dns1123_subdomain(sc));
    }
    validate_volume_mode(spec, "spec.volumeMode", errs);
    if let Some(old) = old {
        validate_claim_update(obj, old, errs);
    }
}

/// `ValidatePersistentVolumeClaimUpdate`: the spec is fixed once created, but for `volumeName` set once
/// (binding) and, on a Bound claim, the storage request; the request may shrink only while it stays
/// above `status.capacity` (RecoverVolumeExpansionFailure, beta and on in 1.33: a user can take back
/// an expansion that failed, never below what the volume has).
fn validate_claim_update(obj: &Value, old: &Value, errs: &mut Errs) {
    let (spec, old_spec) = (at(obj, &["spec"]).unwrap_or(&Value::Null), at(old, &["spec"]).unwrap_or(&Value::Null));
    let bound = str_at(obj, &["status", "phase"]) == Some("Bound");
    let masked = |s: &Value, binding: bool| {
        let mut s = s.clone();
        if let Value::Object(m) = &mut s {
            m.remove("volumeAttributesClassName");
            if bound && let Some(Value::Object(req)) = m.get_mut("resources").and_then(|r| r.get_mut("requests")) {
                req.remove("storage");
            }
            if binding {
                m.remove("volumeName");
            }
        }
        s
    };
    let binding = str_at(old_spec, &["volumeName"]).unwrap_or("").is_empty();
    if masked(spec, binding) != masked(old_spec, binding) {
        errs.forbidden(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        );
    }
    let size = |v: &Value, path: &[&str]| {
        str_at(v, path).and_then(|q| parse_quantity(q).ok()).unwrap_or(Quantity::from_millis(0))
    };
    let (new_size, old_size) =
        (size(spec, &["resources", "requests", "storage"]), size(old_spec, &["resources", "requests", "storage"]));
    if new_size < old_size && new_size <= size(old, &["status", "capacity", "storage"]) {
        errs.forbidden("spec.resources.requests.storage", "field can not be less than status.capacity");
    }
}

/// StorageClass: a provisioner, known policies; most fields fixed after creation.
pub(super) fn validate_storage_class(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    if str_at(obj, &["provisioner"]).unwrap_or("").is_empty() {
        errs.required("provisioner", "");
    }
    if let Some(p) = str_at(obj, &["reclaimPolicy"]).filter(|p| !matches!(*p, "Delete" | "Retain")) {
        errs.unsupported("reclaimPolicy", p, &["Delete", "Retain"]);
    }
    if let Some(m) = str_at(obj, &["volumeBindingMode"]).filter(|m| !matches!(*m, "Immediate" | "WaitForFirstConsumer"))
    {
        errs.unsupported("volumeBindingMode", m, &["Immediate", "WaitForFirstConsumer"]);
    }
    let Some(old) = old else { return };
    for f in ["parameters", "provisioner", "reclaimPolicy"] {
        if obj.get(f) != old.get(f) {
            errs.forbidden(f, &format!("updates to {f} are forbidden."));
        }
    }
    if obj.get("volumeBindingMode") != old.get("volumeBindingMode") {
        let v = str_at(obj, &["volumeBindingMode"]).unwrap_or("");
        errs.invalid_str("volumeBindingMode", v, "field is immutable");
    }
}

/// Resource names a quota may limit without a domain prefix.
pub(super) fn is_standard_quota_resource(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "cpu",
        "memory",
        "ephemeral-storage",
        "pods",
        "services",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
        "storage",
    ];
    NAMES.contains(&name) || name.contains('.') || name.contains('/') || name.starts_with("hugepages-")
}

/// A map of quantities: known names, parseable and non-negative values.
pub(super) fn validate_resource_list(
    list: Option<&Map<String, Value>>,
    path: &str,
    standard: fn(&str) -> bool,
    what: &str,
    errs: &mut Errs,
) {
    for (name, q) in list.into_iter().flatten() {
        let p = key(path, name);
        if !standard(name) {
            errs.invalid_str(&p, name, &format!("must be a standard resource for {what}"));
        }
        let text = q.as_str().map(str::to_string).unwrap_or_else(|| q.to_string());
        if let Ok(qty) = parse_quantity(&text)
            && qty.is_negative()
        {
            errs.invalid_str(&p, &qty.to_string(), "must be greater than or equal to 0");
        }
    }
}

/// LimitRange: types, and min <= defaultRequest <= default <= max per resource.
pub(super) fn validate_limit_range(obj: &Value, errs: &mut Errs) {
    let mut types = BTreeSet::new();
    for (i, item) in array_at(obj, &["spec", "limits"]).iter().enumerate() {
        let ip = index("spec.limits", i);
        let ty = str_at(item, &["type"]).unwrap_or("");
        errs.each_invalid(&child(&ip, "type"), ty, is_qualified_name(ty));
        if !types.insert(ty.to_string()) {
            errs.duplicate(&child(&ip, "type"), ty);
        }
        let list = |f: &str| -> Vec<(String, Quantity)> {
            object(item, &[f])
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| {
                    Some((
                        k.clone(),
                        parse_quantity(v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()).as_str())
                            .ok()?,
                    ))
                })
                .collect()
        };
        let (min, max, default, default_req) = (list("min"), list("max"), list("default"), list("defaultRequest"));
        if ty == "Pod" {
            for f in ["default", "defaultRequest"] {
                if object(item, &[f]).is_some_and(|m| !m.is_empty()) {
                    errs.forbidden(&child(&ip, f), "may not be specified when `type` is 'Pod'");
                }
            }
        }
        if ty == "PersistentVolumeClaim" && !min.iter().chain(&max).any(|(k, _)| k == "storage") {
            errs.required(
                &child(&ip, "limits"),
                "either minimum or maximum storage value is required, but neither was provided",
            );
        }
        let find = |l: &[(String, Quantity)], k: &str| l.iter().find(|(n, _)| n == k).map(|(_, q)| *q);
        let keys: BTreeSet<&String> =
            min.iter().chain(&max).chain(&default).chain(&default_req).map(|(k, _)| k).collect();
        for k in keys {
            let (mn, mx, df, dr) = (find(&min, k), find(&max, k), find(&default, k), find(&default_req, k));
            let mut check =
                |a: Option<Quantity>, b: Option<Quantity>, field: &str, shown: Option<Quantity>, what: String| {
                    if let (Some(a), Some(b), Some(shown)) = (a, b, shown)
                        && a > b
                    {
                        errs.invalid(&key(&child(&ip, field), k), BadValue::Str(shown.to_string()), &what);
                    }
                };
            let s = |q: Option<Quantity>| q.map(|q| q.to_string()).unwrap_or_default();
            check(mn, mx, "min", mn, format!("min value {} is greater than max value {}", s(mn), s(mx)));
            check(
                mn,
                dr,
                "defaultRequest",
                dr,
                format!("min value {} is greater than default request value {}", s(mn), s(dr)),
            );
            check(
                dr,
                mx,
                "defaultRequest",
                dr,
                format!("default request value {} is greater than max value {}", s(dr), s(mx)),
            );
            check(
                dr,
                df,
                "defaultRequest",
                dr,
                format!("default request value {} is greater than default limit value {}", s(dr), s(df)),
            );
            check(mn, df, "default", mn, format!("min value {} is greater than default value {}", s(mn), s(df)));
            check(df, mx, "default", mx, format!("default value {} is greater than max value {}", s(df), s(mx)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msgs(errs: Errs) -> Vec<String> {
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn volumes_and_claims() {
        let pv = json!({"spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/mnt/data"},
            "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual", "volumeMode": "Filesystem"}});
        let mut errs = Errs::default();
        validate_persistent_volume(&pv, &mut errs);
        assert!(errs.0.is_empty(), "{:?}", errs.0);
        let mut errs = Errs::default();
        validate_persistent_volume(&json!({"spec": {"accessModes": ["RWO"]}}), &mut errs);
        assert_eq!(
            msgs(errs),
            [
                "spec.accessModes: Unsupported value: \"RWO\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
                "spec.capacity: Required value",
                "spec: Required value: must specify a volume type"
            ]
        );
        let pvc = json!({"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "3Gi"}}}});
        let mut errs = Errs::default();
        validate_persistent_volume_claim(&pvc, None, &mut errs);
        assert!(errs.0.is_empty());
        let mut errs = Errs::default();
        validate_persistent_volume_claim(
            &json!({"spec": {"resources": {"requests": {"storage": "0"}}}}),
            None,
            &mut errs,
        );
        assert_eq!(
            msgs(errs),
            [
                "spec.accessModes: Required value: at least 1 access mode is required",
                "spec.resources[storage]: Invalid value: \"0\": must be greater than zero"
            ]
        );
        let mut bound = pvc.clone();
        bound["spec"]["volumeName"] = json!("pv-1");
        let mut errs = Errs::default();
        validate_persistent_volume_claim(&bound, Some(&pvc), &mut errs);
        assert!(errs.0.is_empty(), "binding sets volumeName");
        let mut resized = bound.clone();
        resized["spec"]["accessModes"] = json!(["ReadWriteMany"]);
        let mut errs = Errs::default();
        validate_persistent_volume_claim(&resized, Some(&bound), &mut errs);
        assert_eq!(errs.0.len(), 1);
    }

    /// `ValidatePersistentVolumeClaimUpdate` with RecoverVolumeExpansionFailure on (1.33): each row is
    /// the old request, the status capacity and phase, the new request; the errors.
    #[test]
    fn claim_request_updates_table() {
        const IMMUTABLE: &str = "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";
        const BELOW: &str = "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity";
        let cases: [(&str, &str, &str, &str, &[&str]); 7] = [
            ("1Gi", "1Gi", "Bound", "2Gi", &[]),
            ("1Gi", "1Gi", "Bound", "1024Mi", &[]),
            ("1Gi", "1Gi", "Bound", "512Mi", &[BELOW]),
            ("3Gi", "1Gi", "Bound", "2Gi", &[]),
            ("3Gi", "1Gi", "Bound", "1Gi", &[BELOW]),
            ("1Gi", "", "Pending", "2Gi", &[IMMUTABLE]),
            ("2Gi", "", "Pending", "1Gi", &[IMMUTABLE]),
        ];
        for (was, cap, phase, now, want) in cases {
            let claim = |size: &str| {
                let mut c = json!({"spec": {"accessModes": ["ReadWriteOnce"], "volumeName": "pv-1",
                    "resources": {"requests": {"storage": size}}}, "status": {"phase": phase}});
                if !cap.is_empty() {
                    c["status"]["capacity"] = json!({"storage": cap});
                }
                c
            };
            let mut errs = Errs::default();
            validate_persistent_volume_claim(&claim(now), Some(&claim(was)), &mut errs);
            assert_eq!(msgs(errs), *want, "{was} (capacity {cap}, {phase}) -> {now}");
        }
    }

    #[test]
    fn storage_classes() {
        let sc = json!({"provisioner": "k8s.io/minikube-hostpath", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"});
        let mut errs = Errs::default();
        validate_storage_class(&sc, None, &mut errs);
        assert!(errs.0.is_empty());
        let mut changed = sc.clone();
        changed["reclaimPolicy"] = json!("Retain");
        let mut errs = Errs::default();
        validate_storage_class(&changed, Some(&sc), &mut errs);
        assert_eq!(msgs(errs), ["reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden."]);
    }

    #[test]
    fn limit_ranges() {
        let mut errs = Errs::default();
        validate_limit_range(
            &json!({"spec": {"limits": [{"type": "Container", "min": {"cpu": "1"}, "max": {"cpu": "500m"},
            "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "500m"}}]}}),
            &mut errs,
        );
        assert_eq!(
            msgs(errs),
            [
                "spec.limits[0].min[cpu]: Invalid value: \"1\": min value 1 is greater than max value 500m",
                "spec.limits[0].defaultRequest[cpu]: Invalid value: \"500m\": min value 1 is greater than default request value 500m",
                "spec.limits[0].default[cpu]: Invalid value: \"1\": min value 1 is greater than default value 500m"
            ]
        );
        let mut errs = Errs::default();
        validate_limit_range(
            &json!({"spec": {"limits": [{"type": "Pod", "default": {"cpu": "1"}}, {"type": "PersistentVolumeClaim"}]}}),
            &mut errs,
        );
        assert_eq!(
            msgs(errs),
            [
                "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
                "spec.limits[1].limits: Required value: either minimum or maximum storage value is required, but neither was provided"
            ]
        );
    }
}
