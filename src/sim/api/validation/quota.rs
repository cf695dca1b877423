//! ResourceQuota validation (`ValidateResourceQuotaSpec`): hard limits, scopes and the scope selector,
//! with upstream's field paths and words.

use super::config::object;
use super::gofmt::{quote, string_slice};
use super::storage::{is_standard_quota_resource, validate_resource_list};
use super::{BadValue, Errs, child, key};
use crate::sim::api::meta::{array_at, at, str_at};
use crate::sim::api::quantity::parse_quantity;
use serde_json::Value;

/// `standardResourceQuotaScopes`.
const SCOPES: &[&str] = &[
    "BestEffort",
    "CrossNamespacePodAffinity",
    "NotBestEffort",
    "NotTerminating",
    "PriorityClass",
    "Terminating",
    "VolumeAttributesClass",
];

/// Pod compute resources a scope other than BestEffort may limit (`podComputeQuotaResources`).
const POD_COMPUTE: &[&str] = &["cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory"];

/// `standardQuotaResources`: the names the scope check applies to.
const STANDARD_NAMES: &[&str] = &[
    "configmaps",
    "cpu",
    "ephemeral-storage",
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "memory",
    "persistentvolumeclaims",
    "pods",
    "replicationcontrollers",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
    "requests.storage",
    "resourcequotas",
    "secrets",
    "services",
    "services.loadbalancers",
    "services.nodeports",
];

/// `IsIntegerResourceName`: object counts are whole numbers.
fn is_integer_resource(name: &str) -> bool {
    matches!(
        name,
        "pods"
            | "services"
            | "replicationcontrollers"
            | "resourcequotas"
            | "secrets"
            | "configmaps"
            | "persistentvolumeclaims"
            | "services.nodeports"
            | "services.loadbalancers"
    ) || name.starts_with("count/")
}

/// `IsResourceQuotaScopeValidForResource`. The quirk: a BestEffort quota may only track `pods`,
/// since best-effort pods request no cpu or memory to count.
fn scope_valid_for(scope: &str, resource: &str) -> bool {
    match scope {
        "Terminating" | "NotTerminating" | "NotBestEffort" | "PriorityClass" | "CrossNamespacePodAffinity" => {
            resource == "pods" || POD_COMPUTE.contains(&resource)
        }
        "BestEffort" => resource == "pods",
        _ => true,
    }
}

/// A scope list as `%#v` prints it: `[]core.ResourceQuotaScope{"BestEffort"}`.
fn scopes_value(obj: &Value) -> String {
    let items: Vec<String> =
        array_at(obj, &["spec", "scopes"]).iter().map(|s| quote(s.as_str().unwrap_or(""))).collect();
    format!("[]core.ResourceQuotaScope{{{}}}", items.join(", "))
}

/// A scope selector as `%#v` prints it (field.Invalid dereferences the pointer).
fn selector_value(obj: &Value) -> String {
    let exprs: Vec<String> = array_at(obj, &["spec", "scopeSelector", "matchExpressions"])
        .iter()
        .map(|e| {
            let values = e
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().map(|s| s.as_str().unwrap_or("").to_string()).collect::<Vec<_>>());
            format!(
                "core.ScopedResourceSelectorRequirement{{ScopeName:{}, Operator:{}, Values:{}}}",
                quote(str_at(e, &["scopeName"]).unwrap_or("")),
                quote(str_at(e, &["operator"]).unwrap_or("")),
                string_slice(values.as_deref())
            )
        })
        .collect();
    let list = if at(obj, &["spec", "scopeSelector", "matchExpressions"]).is_some() {
        format!("[]core.ScopedResourceSelectorRequirement{{{}}}", exprs.join(", "))
    } else {
        "[]core.ScopedResourceSelectorRequirement(nil)".to_string()
    };
    format!("core.ScopeSelector{{MatchExpressions:{list}}}")
}

/// The standard names among the hard limits, sorted (`sets.List(hardLimits)`).
fn hard_names(obj: &Value) -> Vec<String> {
    object(obj, &["spec", "hard"]).into_iter().flatten().map(|(k, _)| k.clone()).collect()
}

/// BestEffort with NotBestEffort, or Terminating with NotTerminating, can match no pod.
fn conflicting(scopes: &[&str]) -> bool {
    let has = |s: &str| scopes.contains(&s);
    (has("BestEffort") && has("NotBestEffort")) || (has("Terminating") && has("NotTerminating"))
}

/// `validateResourceQuotaScopes`.
fn validate_scopes(obj: &Value, errs: &mut Errs) {
    let scopes: Vec<&str> = array_at(obj, &["spec", "scopes"]).iter().map(|s| s.as_str().unwrap_or("")).collect();
    if scopes.is_empty() {
        return;
    }
    let path = "spec.scopes";
    let value = || BadValue::Raw(scopes_value(obj));
    let names = hard_names(obj);
    for scope in &scopes {
        if !SCOPES.contains(scope) {
            errs.invalid(path, value(), "unsupported scope");
        }
        for k in &names {
            if STANDARD_NAMES.contains(&k.as_str()) && !scope_valid_for(scope, k) {
                errs.invalid(path, value(), "unsupported scope applied to resource");
            }
        }
    }
    if conflicting(&scopes) {
        errs.invalid(path, value(), "conflicting scopes");
    }
}

/// `validateScopedResourceSelectorRequirement` (paths name the list, not the item, as upstream's do).
fn validate_scope_selector(obj: &Value, errs: &mut Errs) {
    if at(obj, &["spec", "scopeSelector"]).is_none_or(Value::is_null) {
        return;
    }
    let path = "spec.scopeSelector.matchExpressions";
    let names = hard_names(obj);
    let mut seen = Vec::new();
    for e in array_at(obj, &["spec", "scopeSelector", "matchExpressions"]) {
        let scope = str_at(e, &["scopeName"]).unwrap_or("");
        let op = str_at(e, &["operator"]).unwrap_or("");
        let values = e.get("values").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
        if !SCOPES.contains(&scope) {
            errs.invalid_str(&child(path, "scopeName"), scope, "unsupported scope");
        }
        for k in &names {
            if STANDARD_NAMES.contains(&k.as_str()) && !scope_valid_for(scope, k) {
                errs.invalid(path, BadValue::Raw(selector_value(obj)), "unsupported scope applied to resource");
            }
        }
        if matches!(
            scope,
            "BestEffort" | "NotBestEffort" | "Terminating" | "NotTerminating" | "CrossNamespacePodAffinity"
        ) && op != "Exists"
        {
            errs.invalid_str(
                &child(path, "operator"),
                op,
                "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
            );
        }
        match op {
            "In" | "NotIn" if values == 0 => errs.required(
                &child(path, "values"),
                "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            ),
            "Exists" | "DoesNotExist" if values != 0 => {
                let list: Vec<String> =
                    array_at(e, &["values"]).iter().map(|v| v.as_str().unwrap_or("").to_string()).collect();
                errs.invalid(
                    &child(path, "values"),
                    BadValue::Raw(string_slice(Some(&list))),
                    "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
                );
            }
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            _ => errs.invalid_str(&child(path, "operator"), op, "not a valid selector operator"),
        }
        seen.push(scope);
    }
    if conflicting(&seen) {
        errs.invalid(path, BadValue::Raw(scopes_value(obj)), "conflicting scopes");
    }
}

/// `ValidateResourceQuotaSpec`: each hard limit's name and value, then scopes, then the scope selector.
pub(super) fn validate_resource_quota(obj: &Value, errs: &mut Errs) {
    validate_resource_list(object(obj, &["spec", "hard"]), "spec.hard", is_standard_quota_resource, "quota", errs);
    for (name, q) in object(obj, &["spec", "hard"]).into_iter().flatten() {
        let text = q.as_str().map(str::to_string).unwrap_or_else(|| q.to_string());
        if is_integer_resource(name)
            && let Ok(qty) = parse_quantity(&text)
            && qty.milli_value() % 1000 != 0
        {
            errs.invalid_str(&key("spec.hard", name), &qty.to_string(), "must be an integer");
        }
    }
    validate_scopes(obj, errs);
    validate_scope_selector(obj, errs);
}

#[cfg(test)]
mod tests;
