use super::*;
use serde_json::json;

fn msgs(spec: Value) -> Vec<String> {
    let mut errs = Errs::default();
    validate_resource_quota(&json!({ "spec": spec }), &mut errs);
    errs.0.iter().map(ToString::to_string).collect()
}

#[test]
fn hard_limits_are_standard_non_negative_and_counts_whole() {
    assert_eq!(
        msgs(json!({"hard": {"requests.cpu": "1", "pods": "1500m", "widgets": "1", "memory": "-1Gi"}})),
        [
            "spec.hard[widgets]: Invalid value: \"widgets\": must be a standard resource for quota",
            "spec.hard[memory]: Invalid value: \"-1Gi\": must be greater than or equal to 0",
            "spec.hard[pods]: Invalid value: \"1500m\": must be an integer",
        ]
    );
}

/// `validateResourceQuotaScopes`, one row per rule.
#[test]
fn scopes() {
    let rows: &[(Value, &[&str])] = &[
        (json!({"hard": {"pods": "1"}, "scopes": ["BestEffort"]}), &[]),
        (json!({"hard": {"pods": "1", "cpu": "1"}, "scopes": ["NotBestEffort", "Terminating"]}), &[]),
        (
            json!({"hard": {"pods": "1"}, "scopes": ["Forever"]}),
            &["spec.scopes: Invalid value: []core.ResourceQuotaScope{\"Forever\"}: unsupported scope"],
        ),
        (
            json!({"hard": {"pods": "1", "requests.cpu": "1"}, "scopes": ["BestEffort"]}),
            &[
                "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\"}: unsupported scope applied to resource",
            ],
        ),
        (
            json!({"hard": {"services": "1"}, "scopes": ["Terminating"]}),
            &[
                "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"Terminating\"}: unsupported scope applied to resource",
            ],
        ),
        (json!({"hard": {"count/deployments.apps": "1"}, "scopes": ["Terminating"]}), &[]),
        (
            json!({"hard": {"pods": "1"}, "scopes": ["Terminating", "NotTerminating"]}),
            &[
                "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"Terminating\", \"NotTerminating\"}: conflicting scopes",
            ],
        ),
    ];
    for (spec, want) in rows {
        assert_eq!(msgs(spec.clone()), *want, "{spec}");
    }
}

/// `validateScopedResourceSelectorRequirement`, one row per scope and operator rule.
#[test]
fn scope_selectors() {
    let sel = |exprs: Value| json!({"hard": {"pods": "10"}, "scopeSelector": {"matchExpressions": exprs}});
    let path = "spec.scopeSelector.matchExpressions";
    let rows: Vec<(Value, Vec<String>)> = vec![
        (sel(json!([{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}])), vec![]),
        (sel(json!([{"scopeName": "PriorityClass", "operator": "NotIn", "values": ["high"]}])), vec![]),
        (sel(json!([{"scopeName": "PriorityClass", "operator": "Exists"}])), vec![]),
        (sel(json!([{"scopeName": "PriorityClass", "operator": "DoesNotExist"}])), vec![]),
        (
            sel(json!([{"scopeName": "PriorityClass", "operator": "In"}])),
            vec![format!(
                "{path}.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"
            )],
        ),
        (
            sel(json!([{"scopeName": "PriorityClass", "operator": "NotIn", "values": []}])),
            vec![format!(
                "{path}.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"
            )],
        ),
        (
            sel(json!([{"scopeName": "PriorityClass", "operator": "Exists", "values": ["high"]}])),
            vec![format!(
                "{path}.values: Invalid value: []string{{\"high\"}}: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"
            )],
        ),
        (
            sel(json!([{"scopeName": "PriorityClass", "operator": "Gt", "values": ["1"]}])),
            vec![format!("{path}.operator: Invalid value: \"Gt\": not a valid selector operator")],
        ),
        (
            sel(json!([{"scopeName": "Forever", "operator": "Exists"}])),
            vec![format!("{path}.scopeName: Invalid value: \"Forever\": unsupported scope")],
        ),
        (
            sel(json!([{"scopeName": "BestEffort", "operator": "In", "values": ["x"]}])),
            vec![format!(
                "{path}.operator: Invalid value: \"In\": must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"
            )],
        ),
        (
            json!({"hard": {"memory": "1Gi"}, "scopeSelector": {"matchExpressions": [{"scopeName": "BestEffort", "operator": "Exists"}]}}),
            vec![format!(
                "{path}: Invalid value: core.ScopeSelector{{MatchExpressions:[]core.ScopedResourceSelectorRequirement{{core.ScopedResourceSelectorRequirement{{ScopeName:\"BestEffort\", Operator:\"Exists\", Values:[]string(nil)}}}}}}: unsupported scope applied to resource"
            )],
        ),
        (
            sel(
                json!([{"scopeName": "BestEffort", "operator": "Exists"}, {"scopeName": "NotBestEffort", "operator": "Exists"}]),
            ),
            vec![format!("{path}: Invalid value: []core.ResourceQuotaScope{{}}: conflicting scopes")],
        ),
    ];
    for (spec, want) in rows {
        assert_eq!(msgs(spec.clone()), want, "{spec}");
    }
}
