//! Workload controllers: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob.

use super::meta::{selector_is_empty, validate_annotations, validate_label_selector, validate_labels};
use super::pod::validate_pod_spec;
use super::{BadValue, ErrorKind, Errs, FieldError, child, gofmt};
use crate::sim::api::meta::{at, i64_at, str_at};
use crate::sim::api::selector::Selector;
use serde_json::Value;

const NULL: Value = Value::Null;

pub(super) fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    at(v, path).unwrap_or(&NULL)
}

fn template_labels(template: &Value) -> std::collections::BTreeMap<String, String> {
    gofmt::json_string_map(at(template, &["metadata", "labels"])).unwrap_or_default()
}

/// `selector` does not match template `labels`, reported when a non-empty selector misses.
pub(super) fn check_selector_matches(
    selector: &Value,
    template: &Value,
    path: &str,
    skip_empty: bool,
    errs: &mut Errs,
) {
    let parsed = Selector::from_label_selector(selector);
    let sel = match parsed {
        Ok(sel) => sel,
        Err(_) => return,
    };
    if skip_empty && sel.as_ref().is_some_and(Selector::is_empty) {
        return;
    }
    let labels = template_labels(template);
    if !sel.is_some_and(|s| s.matches(&labels)) {
        let shown = gofmt::string_map(gofmt::json_string_map(at(template, &["metadata", "labels"])).as_ref());
        errs.invalid(
            &child(path, "metadata.labels"),
            BadValue::Raw(shown),
            "`selector` does not match template `labels`",
        );
    }
}

/// A pod template's metadata and spec (ValidatePodTemplateSpec).
pub(super) fn validate_template(template: &Value, path: &str, errs: &mut Errs) {
    validate_labels(at(template, &["metadata", "labels"]), &child(path, "metadata.labels"), errs);
    validate_annotations(at(template, &["metadata", "annotations"]), &child(path, "metadata.annotations"), errs);
    validate_pod_spec(get(template, &["spec"]), &child(path, "spec"), false, errs);
}

/// Controllers that keep pods running need `restartPolicy: Always` and no deadline.
pub(super) fn require_always(template: &Value, path: &str, owner: &str, errs: &mut Errs) {
    let rp = str_at(template, &["spec", "restartPolicy"]).unwrap_or("");
    if rp != "Always" {
        errs.unsupported(&child(path, "spec.restartPolicy"), rp, &["Always"]);
    }
    if at(template, &["spec", "activeDeadlineSeconds"]).is_some_and(|v| !v.is_null()) {
        errs.forbidden(
            &child(path, "spec.activeDeadlineSeconds"),
            &format!("activeDeadlineSeconds in {owner} is not Supported"),
        );
    }
}

/// Selector present (unless `allow_nil`) and non-empty, in the words of each controller.
pub(super) fn validate_selector(spec: &Value, word: &str, errs: &mut Errs) {
    match spec.get("selector").filter(|v| !v.is_null()) {
        None => errs.required("spec.selector", ""),
        Some(sel) => {
            validate_label_selector(sel, "spec.selector", errs);
            if selector_is_empty(sel) {
                errs.invalid(
                    "spec.selector",
                    BadValue::Raw(gofmt::label_selector(sel)),
                    &format!("empty selector is invalid for {word}"),
                );
            }
        }
    }
}

fn immutable_selector(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let Some(old) = old else { return };
    let (new_sel, old_sel) = (get(obj, &["spec", "selector"]), get(old, &["spec", "selector"]));
    if new_sel != old_sel {
        errs.invalid("spec.selector", BadValue::Raw(gofmt::label_selector(new_sel)), "field is immutable");
    }
}

/// An IntOrString that must be a non-negative int or a percentage; returns its value (percent or count).
pub(super) fn int_or_percent(v: &Value, path: &str, errs: &mut Errs) -> (i64, bool) {
    match v {
        Value::String(s) => {
            for m in super::names::is_valid_percent(s) {
                errs.invalid(path, BadValue::Raw(gofmt::int_or_string(v)), &m);
            }
            (s.trim_end_matches('%').parse().unwrap_or(0), true)
        }
        Value::Null => (0, false),
        other => {
            let n = other.as_i64().unwrap_or(0);
            errs.non_negative(path, Some(n));
            (n, false)
        }
    }
}

fn not_over_100(v: &Value, (value, percent): (i64, bool), path: &str, errs: &mut Errs) {
    if percent && value > 100 {
        errs.invalid(path, BadValue::Raw(gofmt::int_or_string(v)), "must not be greater than 100%");
    }
}

/// Deployment: replicas, selector, template, strategy, deadlines; selector immutable on update.
pub(super) fn validate_deployment(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let spec = get(obj, &["spec"]);
    errs.non_negative("spec.replicas", i64_at(spec, &["replicas"]));
    validate_selector(spec, "deployment", errs);
    let template = get(spec, &["template"]);
    check_selector_matches(get(spec, &["selector"]), template, "spec.template", true, errs);
    validate_template(template, "spec.template", errs);
    require_always(template, "spec.template", "ReplicaSet", errs);
    let strategy = get(spec, &["strategy"]);
    let ru = strategy.get("rollingUpdate").filter(|v| !v.is_null());
    match str_at(strategy, &["type"]).unwrap_or("") {
        "Recreate" if ru.is_some() => {
            errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
        }
        "Recreate" => {}
        "RollingUpdate" => match ru {
            None => errs.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"),
            Some(ru) => {
                let (mu, ms) = (get(ru, &["maxUnavailable"]), get(ru, &["maxSurge"]));
                let unavailable = int_or_percent(mu, "spec.strategy.rollingUpdate.maxUnavailable", errs);
                let surge = int_or_percent(ms, "spec.strategy.rollingUpdate.maxSurge", errs);
                if unavailable.0 == 0 && surge.0 == 0 {
                    errs.invalid(
                        "spec.strategy.rollingUpdate.maxUnavailable",
                        BadValue::Raw(gofmt::int_or_string(mu)),
                        "may not be 0 when `maxSurge` is 0",
                    );
                }
                not_over_100(mu, unavailable, "spec.strategy.rollingUpdate.maxUnavailable", errs);
            }
        },
        other => {
            let shown = format!(
                "apps.DeploymentStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}}",
                gofmt::quote(other)
            );
            errs.0.push(FieldError {
                path: "spec.strategy".into(),
                kind: ErrorKind::Unsupported(BadValue::Raw(shown), vec!["Recreate".into(), "RollingUpdate".into()]),
                detail: String::new(),
            });
        }
    }
    errs.non_negative("spec.revisionHistoryLimit", i64_at(spec, &["revisionHistoryLimit"]));
    let min_ready = i64_at(spec, &["minReadySeconds"]);
    errs.non_negative("spec.minReadySeconds", min_ready);
    if let Some(pds) = i64_at(spec, &["progressDeadlineSeconds"]) {
        errs.non_negative("spec.progressDeadlineSeconds", Some(pds));
        if pds <= min_ready.unwrap_or(0) {
            errs.invalid_int("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds");
        }
    }
    immutable_selector(obj, old, errs);
}

/// ReplicaSet: like a Deployment without strategy.
pub(super) fn validate_replica_set(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let spec = get(obj, &["spec"]);
    errs.non_negative("spec.replicas", i64_at(spec, &["replicas"]));
    errs.non_negative("spec.minReadySeconds", i64_at(spec, &["minReadySeconds"]));
    validate_selector(spec, "deployment", errs);
    let template = get(spec, &["template"]);
    check_selector_matches(get(spec, &["selector"]), template, "spec.template", true, errs);
    validate_template(template, "spec.template", errs);
    require_always(template, "spec.template", "ReplicaSet", errs);
    immutable_selector(obj, old, errs);
}

/// ReplicationController (`ValidateReplicationControllerSpec`): a plain map selector, required and
/// non-empty, that the template's labels must satisfy; `restartPolicy: Always`.
pub(super) fn validate_replication_controller(obj: &Value, errs: &mut Errs) {
    let spec = get(obj, &["spec"]);
    errs.non_negative("spec.minReadySeconds", i64_at(spec, &["minReadySeconds"]));
    let selector = gofmt::json_string_map(spec.get("selector")).unwrap_or_default();
    if selector.is_empty() {
        errs.required("spec.selector", "");
    }
    errs.non_negative("spec.replicas", i64_at(spec, &["replicas"]));
    let template = get(spec, &["template"]);
    if template.is_null() {
        errs.required("spec.template", "");
        return;
    }
    let labels = template_labels(template);
    if !selector.is_empty() && !selector.iter().all(|(k, v)| labels.get(k) == Some(v)) {
        let shown = gofmt::string_map(gofmt::json_string_map(at(template, &["metadata", "labels"])).as_ref());
        errs.invalid(
            "spec.template.metadata.labels",
            BadValue::Raw(shown),
            "`selector` does not match template `labels`",
        );
    }
    validate_template(template, "spec.template", errs);
    require_always(template, "spec.template", "ReplicationController", errs);
}

/// DaemonSet: selector must match, update strategy, restartPolicy Always.
pub(super) fn validate_daemon_set(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let spec = get(obj, &["spec"]);
    let selector = get(spec, &["selector"]);
    if !selector.is_null() {
        validate_label_selector(selector, "spec.selector", errs);
    }
    let template = get(spec, &["template"]);
    check_selector_matches(selector, template, "spec.template", false, errs);
    if !selector.is_null() && selector_is_empty(selector) {
        errs.invalid(
            "spec.selector",
            BadValue::Raw(gofmt::label_selector(selector)),
            "empty selector is invalid for daemonset",
        );
    }
    validate_template(template, "spec.template", errs);
    require_always(template, "spec.template", "DaemonSet", errs);
    errs.non_negative("spec.minReadySeconds", i64_at(spec, &["minReadySeconds"]));
    errs.non_negative("spec.revisionHistoryLimit", i64_at(spec, &["revisionHistoryLimit"]));
    let strategy = get(spec, &["updateStrategy"]);
    match str_at(strategy, &["type"]).unwrap_or("") {
        "OnDelete" => {}
        "RollingUpdate" => match strategy.get("rollingUpdate").filter(|v| !v.is_null()) {
            None => errs.required("spec.updateStrategy.rollingUpdate", ""),
            Some(ru) => {
                let p = "spec.updateStrategy.rollingUpdate";
                let (mu, ms) = (get(ru, &["maxUnavailable"]), get(ru, &["maxSurge"]));
                let unavailable = int_or_percent(mu, &child(p, "maxUnavailable"), errs);
                let surge = int_or_percent(ms, &child(p, "maxSurge"), errs);
                not_over_100(mu, unavailable, &child(p, "maxUnavailable"), errs);
                not_over_100(ms, surge, &child(p, "maxSurge"), errs);
                match (unavailable.0 != 0, surge.0 != 0) {
                    (true, true) => errs.invalid(
                        &child(p, "maxSurge"),
                        BadValue::Raw(gofmt::int_or_string(ms)),
                        "may not be set when maxUnavailable is non-zero",
                    ),
                    (false, false) => errs.required(&child(p, "maxUnavailable"), "cannot be 0 when maxSurge is 0"),
                    _ => {}
                }
            }
        },
        other => {
            let shown = format!(
                "apps.DaemonSetUpdateStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}",
                gofmt::quote(other)
            );
            errs.0.push(FieldError {
                path: "spec.updateStrategy".into(),
                kind: ErrorKind::Unsupported(BadValue::Raw(shown), vec!["RollingUpdate".into(), "OnDelete".into()]),
                detail: String::new(),
            });
        }
    }
    immutable_selector(obj, old, errs);
}

/// ControllerRevision: a snapshot of a template; data is mandatory and never changes.
pub(super) fn validate_controller_revision(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    if obj.get("data").is_none_or(Value::is_null) {
        errs.required("data", "data is mandatory");
    }
    errs.non_negative("revision", i64_at(obj, &["revision"]));
    if let Some(old) = old
        && old.get("data") != obj.get("data")
    {
        errs.invalid("data", BadValue::Raw("runtime.RawExtension{...}".into()), "field is immutable");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(labels: Value) -> Value {
        json!({"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web", "image": "nginx",
            "imagePullPolicy": "Always", "terminationMessagePolicy": "File"}], "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"}})
    }

    fn deployment(spec_extra: Value) -> Value {
        let mut spec = json!({"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template(json!({"app": "web"})),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600});
        if let (Value::Object(base), Value::Object(more)) = (&mut spec, spec_extra) {
            base.extend(more);
        }
        json!({"metadata": {"name": "web"}, "spec": spec})
    }

    fn run(f: fn(&Value, Option<&Value>, &mut Errs), obj: &Value, old: Option<&Value>) -> Vec<String> {
        let mut errs = Errs::default();
        f(obj, old, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    /// `ValidateReplicationControllerSpec`, after `SetDefaults_ReplicationController` filled the selector.
    #[test]
    fn replication_controller_table() {
        let rc = |spec: Value| {
            let mut obj = json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "nginx"}, "spec": spec});
            crate::sim::api::defaults::apply_defaults(
                crate::sim::api::resolve("replicationcontrollers").expect("served"),
                &mut obj,
            );
            obj
        };
        let run_rc = |obj: &Value| {
            let mut errs = Errs::default();
            validate_replication_controller(obj, &mut errs);
            errs.0.iter().map(ToString::to_string).collect::<Vec<_>>()
        };
        let defaulted = rc(json!({"template": template(json!({"app": "nginx"}))}));
        assert_eq!(
            defaulted["spec"]["selector"],
            json!({"app": "nginx"}),
            "the selector defaults to the template's labels"
        );
        assert_eq!(defaulted["metadata"]["labels"], json!({"app": "nginx"}));
        assert_eq!(defaulted["spec"]["replicas"], json!(1));
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (
                json!({"selector": {"app": "nginx"}, "template": template(json!({"app": "nginx", "tier": "web"}))}),
                vec![],
            ),
            (
                json!({"selector": {"app": "web"}, "template": template(json!({"app": "nginx"}))}),
                vec![
                    "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"nginx\"}: `selector` does not match template `labels`",
                ],
            ),
            (
                json!({"replicas": -1, "template": template(json!({"app": "nginx"}))}),
                vec!["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
            ),
            (json!({"selector": {"app": "nginx"}}), vec!["spec.template: Required value"]),
            (json!({"template": template(json!({}))}), vec!["spec.selector: Required value"]),
        ];
        for (spec, want) in cases {
            assert_eq!(run_rc(&rc(spec.clone())), want, "{spec}");
        }
    }

    #[test]
    fn deployment_table() {
        let cases = [
            (json!({}), vec![]),
            (
                json!({"template": template(json!({"app": "nginx"}))}),
                vec![
                    "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"nginx\"}: `selector` does not match template `labels`",
                ],
            ),
            // A nil selector selects nothing, so the template check fires too (as in Kubernetes).
            (
                json!({"selector": null}),
                vec![
                    "spec.selector: Required value",
                    "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`",
                ],
            ),
            (
                json!({"selector": {}}),
                vec![
                    "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), \
                MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
                ],
            ),
            (json!({"replicas": -1}), vec!["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
            (
                json!({"strategy": {"type": "Recreate", "rollingUpdate": {}}}),
                vec!["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
            ),
            (
                json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}}),
                vec![
                    "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0",
                ],
            ),
            (
                json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25", "maxUnavailable": "150%"}}}),
                vec![
                    "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"25\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                    "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%",
                ],
            ),
            (
                json!({"strategy": {"type": "Canary"}}),
                vec![
                    "spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Canary\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\"",
                ],
            ),
            (
                json!({"progressDeadlineSeconds": 5, "minReadySeconds": 10}),
                vec!["spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"],
            ),
        ];
        for (extra, want) in cases {
            assert_eq!(run(validate_deployment, &deployment(extra), None), want);
        }
        let mut onfailure = deployment(json!({}));
        onfailure["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
        assert_eq!(
            run(validate_deployment, &onfailure, None),
            ["spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""]
        );
        let mut no_image = deployment(json!({}));
        no_image["spec"]["template"]["spec"]["containers"][0]["image"] = json!("");
        assert!(run(validate_deployment, &no_image, None).is_empty(), "templates may omit images");
    }

    #[test]
    fn deployment_selector_is_immutable() {
        let old = deployment(json!({}));
        let new = deployment(json!({"selector": {"matchLabels": {"app": "web", "v": "2"}},
            "template": template(json!({"app": "web", "v": "2"}))}));
        assert_eq!(
            run(validate_deployment, &new, Some(&old)),
            ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:\
            map[string]string{\"app\":\"web\", \"v\":\"2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"]
        );
        assert!(run(validate_deployment, &deployment(json!({"replicas": 5})), Some(&old)).is_empty());
    }

    #[test]
    fn replica_and_daemon_sets() {
        let rs = deployment(json!({"strategy": null}));
        assert!(run(validate_replica_set, &rs, None).is_empty());
        let ds = json!({"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template(json!({"app": "web"})),
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}, "revisionHistoryLimit": 10}});
        assert!(run(validate_daemon_set, &ds, None).is_empty());
        let mut both = ds.clone();
        both["spec"]["updateStrategy"]["rollingUpdate"]["maxSurge"] = json!(1);
        assert_eq!(
            run(validate_daemon_set, &both, None),
            ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: \
            intstr.IntOrString{Type:0, IntVal:1, StrVal:\"\"}: may not be set when maxUnavailable is non-zero"]
        );
        let mut no_sel = ds.clone();
        no_sel["spec"]["selector"] = Value::Null;
        assert_eq!(
            run(validate_daemon_set, &no_sel, None),
            [
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"
            ]
        );
    }

    #[test]
    fn controller_revisions() {
        let rev = json!({"data": {"spec": {}}, "revision": 1});
        assert!(run(validate_controller_revision, &rev, None).is_empty());
        assert_eq!(
            run(validate_controller_revision, &json!({"revision": -1}), None),
            [
                "data: Required value: data is mandatory",
                "revision: Invalid value: -1: must be greater than or equal to 0"
            ]
        );
        let changed = json!({"data": {"spec": {"x": 1}}, "revision": 1});
        assert_eq!(run(validate_controller_revision, &changed, Some(&rev)).len(), 1);
    }
}
