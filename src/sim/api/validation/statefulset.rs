//! StatefulSet: ordered, sticky-identity pods with their own volumes.

use super::meta::{validate_annotations, validate_labels};
use super::workloads::{check_selector_matches, get, require_always, validate_selector};
use super::{BadValue, Errs, gofmt};
use crate::sim::api::meta::{array_at, at, i64_at, str_at};
use serde_json::Value;

/// StatefulSet: policies, selector, template labels; its pod spec is checked only when pods are made.
pub(super) fn validate_stateful_set(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let spec = get(obj, &["spec"]);
    match str_at(spec, &["podManagementPolicy"]).unwrap_or("") {
        "OrderedReady" | "Parallel" => {}
        "" => errs.required("spec.podManagementPolicy", ""),
        other => errs.invalid_str("spec.podManagementPolicy", other, "must be 'OrderedReady' or 'Parallel'"),
    }
    let strategy = get(spec, &["updateStrategy"]);
    let ru = strategy.get("rollingUpdate").filter(|v| !v.is_null());
    match str_at(strategy, &["type"]).unwrap_or("") {
        "" => errs.required("spec.updateStrategy", ""),
        "OnDelete" if ru.is_some() => errs.invalid("spec.updateStrategy.rollingUpdate", BadValue::Raw(
            "apps.RollingUpdateStatefulSetStrategy{...}".into()), "only allowed for updateStrategy 'RollingUpdate'"),
        "OnDelete" => {}
        "RollingUpdate" => {
            if let Some(ru) = ru {
                errs.non_negative("spec.updateStrategy.rollingUpdate.partition", i64_at(ru, &["partition"]));
            }
        }
        other => errs.invalid("spec.updateStrategy", BadValue::Raw(format!(
            "apps.StatefulSetUpdateStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}}", gofmt::quote(other))),
            "must be 'RollingUpdate' or 'OnDelete'"),
    }
    for f in ["whenDeleted", "whenScaled"] {
        if let Some(p) =
            str_at(spec, &["persistentVolumeClaimRetentionPolicy", f]).filter(|p| !matches!(*p, "Retain" | "Delete"))
        {
            errs.unsupported(&format!("spec.persistentVolumeClaimRetentionPolicy.{f}"), p, &["Retain", "Delete"]);
        }
    }
    errs.non_negative("spec.replicas", i64_at(spec, &["replicas"]));
    errs.non_negative("spec.minReadySeconds", i64_at(spec, &["minReadySeconds"]));
    errs.non_negative("spec.ordinals.start", i64_at(spec, &["ordinals", "start"]));
    validate_selector(spec, "statefulset", errs);
    let template = get(spec, &["template"]);
    check_selector_matches(get(spec, &["selector"]), template, "spec.template", true, errs);
    // Kubernetes checks only these paths of the template here (note `template.labels`, a real quirk).
    validate_labels(at(template, &["metadata", "labels"]), "spec.template.labels", errs);
    validate_annotations(at(template, &["metadata", "annotations"]), "spec.template.annotations", errs);
    require_always(template, "spec.template", "StatefulSet", errs);
    for (i, pvc) in array_at(spec, &["volumeClaimTemplates"]).iter().enumerate() {
        let p = format!("spec.volumeClaimTemplates[{i}]");
        if array_at(pvc, &["spec", "accessModes"]).is_empty() {
            errs.required(&format!("{p}.spec.accessModes"), "at least 1 access mode is required");
        }
    }
    if let Some(old) = old {
        let mut a = get(obj, &["spec"]).clone();
        let mut b = get(old, &["spec"]).clone();
        for s in [&mut a, &mut b] {
            if let Value::Object(m) = s {
                for f in [
                    "replicas",
                    "ordinals",
                    "template",
                    "updateStrategy",
                    "revisionHistoryLimit",
                    "persistentVolumeClaimRetentionPolicy",
                    "minReadySeconds",
                ] {
                    m.remove(f);
                }
            }
        }
        if a != b {
            errs.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', \
                'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(obj: &Value, old: Option<&Value>) -> Vec<String> {
        let mut errs = Errs::default();
        validate_stateful_set(obj, old, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    fn template(labels: Value) -> Value {
        json!({"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web", "image": "nginx"}],
            "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"}})
    }

    #[test]
    fn stateful_sets() {
        let sts = json!({"metadata": {"name": "web"}, "spec": {"serviceName": "nginx", "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}}, "template": template(json!({"app": "web"})),
            "podManagementPolicy": "OrderedReady", "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]}});
        assert!(run(&sts, None).is_empty());
        let mut bad = sts.clone();
        bad["spec"]["podManagementPolicy"] = json!("Random");
        bad["spec"]["template"]["spec"]["restartPolicy"] = json!("Never");
        assert_eq!(
            run(&bad, None),
            [
                "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""
            ]
        );
        let mut moved = sts.clone();
        moved["spec"]["serviceName"] = json!("other");
        assert_eq!(run(&moved, Some(&sts)).len(), 1);
        let mut scaled = sts.clone();
        scaled["spec"]["replicas"] = json!(5);
        assert!(run(&scaled, Some(&sts)).is_empty());
    }
}
