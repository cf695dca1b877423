//! Rows for cluster-level and RBAC kinds, plus the two fallbacks: NAME/AGE (custom resources) and
//! NAME/CREATED AT (the apiserver's default table convertor, used by Role, ClusterRole, LimitRange).

use serde_json::Value;

use super::super::fields::{arr_at, bool_at, i64_at, opt_str, str_at};
use super::RowCtx;

fn name(obj: &Value) -> String {
    str_at(obj, &["metadata", "name"]).to_string()
}

/// RoleBinding / ClusterRoleBinding ROLE (`ClusterRole/view`); wide USERS, GROUPS, SERVICEACCOUNTS.
pub fn binding(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let role = format!("{}/{}", str_at(obj, &["roleRef", "kind"]), str_at(obj, &["roleRef", "name"]));
    let (mut users, mut groups, mut sas) = (Vec::new(), Vec::new(), Vec::new());
    for s in arr_at(obj, &["subjects"]) {
        let n = str_at(s, &["name"]);
        match str_at(s, &["kind"]) {
            "User" => users.push(n.to_string()),
            "Group" => groups.push(n.to_string()),
            "ServiceAccount" => sas.push(format!("{}/{n}", str_at(s, &["namespace"]))),
            _ => {}
        }
    }
    vec![name(obj), role, ctx.age(obj), users.join(", "), groups.join(", "), sas.join(", ")]
}

/// Lease HOLDER.
pub fn lease(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    vec![name(obj), str_at(obj, &["spec", "holderIdentity"]).to_string(), ctx.age(obj)]
}

/// StorageClass: `(default)` marker, defaults `Delete` and `Immediate`.
pub fn storage_class(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let is_default =
        ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"]
            .iter()
            .any(|k| opt_str(obj, &["metadata", "annotations", k]) == Some("true"));
    let mut n = name(obj);
    if is_default {
        n.push_str(" (default)");
    }
    vec![
        n,
        str_at(obj, &["provisioner"]).to_string(),
        opt_str(obj, &["reclaimPolicy"]).unwrap_or("Delete").to_string(),
        opt_str(obj, &["volumeBindingMode"]).unwrap_or("Immediate").to_string(),
        bool_at(obj, &["allowVolumeExpansion"]).to_string(),
        ctx.age(obj),
    ]
}

/// PriorityClass VALUE, GLOBAL-DEFAULT, PREEMPTIONPOLICY.
pub fn priority_class(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    vec![
        name(obj),
        i64_at(obj, &["value"]).to_string(),
        bool_at(obj, &["globalDefault"]).to_string(),
        ctx.age(obj),
        str_at(obj, &["preemptionPolicy"]).to_string(),
    ]
}

/// RuntimeClass HANDLER.
pub fn runtime_class(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    vec![name(obj), str_at(obj, &["handler"]).to_string(), ctx.age(obj)]
}

/// NAME and CREATED AT (RFC 3339 in UTC; Go's zero time when missing).
pub fn created_at(obj: &Value, _ctx: &RowCtx) -> Vec<String> {
    let ts = opt_str(obj, &["metadata", "creationTimestamp"]).unwrap_or("0001-01-01T00:00:00Z");
    vec![name(obj), ts.to_string()]
}

/// NAME and AGE for anything without a dedicated printer.
pub fn name_age(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    vec![name(obj), ctx.age(obj)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CTX: RowCtx = RowCtx { now: 0 };

    #[test]
    fn bindings_split_subjects() {
        let b = json!({"metadata": {"name": "rb"}, "roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "jane"}, {"kind": "Group", "name": "devs"},
                         {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"}, {"kind": "User", "name": "bob"}]});
        assert_eq!(binding(&b, &CTX)[1..], ["ClusterRole/view", "<unknown>", "jane, bob", "devs", "tools/ci"]);
    }

    #[test]
    fn storage_and_priority_classes() {
        let sc = json!({"metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"});
        assert_eq!(
            storage_class(&sc, &CTX)[..5],
            ["standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", "false"]
        );
        let pc = json!({"metadata": {"name": "system-node-critical"}, "value": 2000001000, "preemptionPolicy": "PreemptLowerPriority"});
        assert_eq!(
            priority_class(&pc, &CTX),
            ["system-node-critical", "2000001000", "false", "<unknown>", "PreemptLowerPriority"]
        );
    }

    #[test]
    fn fallbacks() {
        assert_eq!(
            created_at(&json!({"metadata": {"name": "r", "creationTimestamp": "2025-01-01T00:00:00Z"}}), &CTX),
            ["r", "2025-01-01T00:00:00Z"]
        );
        assert_eq!(created_at(&json!(7), &CTX), ["", "0001-01-01T00:00:00Z"]);
        assert_eq!(name_age(&json!({"metadata": {"name": "w"}}), &CTX), ["w", "<unknown>"]);
    }
}
