//! Batch workloads: Job and CronJob.

mod indexes;

use super::meta::validate_label_selector;
use super::names::is_dns1123_label;
use super::workloads::{check_selector_matches, get, validate_template};
use super::{BadValue, ErrorKind, Errs, FieldError, child, gofmt};
use crate::sim::api::cron::parse_cron;
use crate::sim::api::meta::{array_at, i64_at, str_at};
use serde_json::Value;

/// A job spec at `path` (a Job's `spec` or a CronJob's `spec.jobTemplate.spec`).
fn validate_job_spec(spec: &Value, path: &str, errs: &mut Errs) {
    for f in ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"] {
        errs.non_negative(&child(path, f), i64_at(spec, &[f]));
    }
    if let Some(mode) = str_at(spec, &["completionMode"]) {
        match mode {
            "NonIndexed" => {}
            "Indexed" if spec.get("completions").is_none_or(Value::is_null) => {
                errs.required(&child(path, "completions"), "when completion mode is Indexed")
            }
            "Indexed" => {}
            other => errs.unsupported(&child(path, "completionMode"), other, &["NonIndexed", "Indexed"]),
        }
    }
    indexes::validate(spec, path, errs);
    for (i, rule) in array_at(spec, &["podFailurePolicy", "rules"]).iter().enumerate() {
        let rp = format!("{path}.podFailurePolicy.rules[{i}]");
        let action = str_at(rule, &["action"]).unwrap_or("");
        if !matches!(action, "FailJob" | "Ignore" | "Count" | "FailIndex") {
            errs.unsupported(&child(&rp, "action"), action, &["Count", "FailIndex", "FailJob", "Ignore"]);
        }
        if let Some(codes) = rule.get("onExitCodes").filter(|v| !v.is_null()) {
            let op = str_at(codes, &["operator"]).unwrap_or("");
            if !matches!(op, "In" | "NotIn") {
                errs.unsupported(&format!("{rp}.onExitCodes.operator"), op, &["In", "NotIn"]);
            }
        }
    }
    let template = get(spec, &["template"]);
    validate_template(template, &child(path, "template"), errs);
    let rp = child(path, "template.spec.restartPolicy");
    match str_at(template, &["spec", "restartPolicy"]).unwrap_or("") {
        "Always" | "" => errs.required(&rp, "valid values: \"OnFailure\", \"Never\""),
        "OnFailure" if spec.get("podFailurePolicy").is_some_and(|v| !v.is_null()) => {
            errs.invalid_str(&rp, "OnFailure", "only \"Never\" is supported when podFailurePolicy is specified")
        }
        "OnFailure" | "Never" => {}
        other => errs.unsupported(&rp, other, &["OnFailure", "Never"]),
    }
}

/// Job: spec, generated selector, template labels; the template is immutable on update.
pub(super) fn validate_job(obj: &Value, old: Option<&Value>, errs: &mut Errs) {
    let spec = get(obj, &["spec"]);
    let manual = spec.get("manualSelector").and_then(Value::as_bool) == Some(true);
    let uid = str_at(obj, &["metadata", "uid"]).unwrap_or("");
    let selector = get(spec, &["selector"]);
    if !manual && !uid.is_empty() && !selector.is_null() {
        let generated = str_at(selector, &["matchLabels", "batch.kubernetes.io/controller-uid"]) == Some(uid);
        if !generated {
            errs.invalid(
                "spec.selector",
                BadValue::Raw(gofmt::label_selector(selector)),
                "`selector` not auto-generated",
            );
        }
    }
    validate_job_spec(spec, "spec", errs);
    if selector.is_null() {
        errs.required("spec.selector", "");
    } else {
        validate_label_selector(selector, "spec.selector", errs);
        check_selector_matches(selector, get(spec, &["template"]), "spec.template", false, errs);
    }
    if let (Some(mode), Some(n)) = (str_at(spec, &["completionMode"]), i64_at(spec, &["completions"])) {
        let name = str_at(obj, &["metadata", "name"]).unwrap_or("");
        let host = format!("{name}-{}", n - 1);
        if mode == "Indexed" && n > 0 && !is_dns1123_label(&host).is_empty() {
            errs.invalid_str(
                "metadata.name",
                name,
                &format!("will not able to create pod with invalid DNS label: {host}"),
            );
        }
    }
    if let Some(old) = old {
        if get(spec, &["template"]) != get(old, &["spec", "template"]) {
            errs.invalid("spec.template", BadValue::Raw("core.PodTemplateSpec{...}".into()), "field is immutable");
        }
        for f in ["completions", "completionMode", "podFailurePolicy", "backoffLimitPerIndex"] {
            if spec.get(f) != get(old, &["spec"]).get(f) {
                let new = get(spec, &[f]);
                // apimachinery prints a struct with `%#v` (elided here), anything else as itself.
                let shown = match new {
                    Value::Object(_) => "batch.PodFailurePolicy{Rules:[]batch.PodFailurePolicyRule{...}}".to_string(),
                    Value::String(s) => format!("{s:?}"),
                    other => other.to_string(),
                };
                errs.invalid(&child("spec", f), BadValue::Raw(shown), "field is immutable");
            }
        }
    }
}

/// CronJob: schedule, time zone, concurrency policy, and the job template.
pub(super) fn validate_cron_job(obj: &Value, errs: &mut Errs) {
    let name = str_at(obj, &["metadata", "name"]).unwrap_or("");
    if name.len() > 52 {
        errs.invalid_str("metadata.name", name, "must be no more than 52 characters");
    }
    let spec = get(obj, &["spec"]);
    match str_at(spec, &["schedule"]).unwrap_or("") {
        "" => errs.required("spec.schedule", ""),
        schedule => {
            if let Err(e) = parse_cron(schedule) {
                errs.invalid_str("spec.schedule", schedule, &e.0);
            }
            if schedule.contains("TZ") {
                errs.invalid_str(
                    "spec.schedule",
                    schedule,
                    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                );
            }
        }
    }
    errs.non_negative("spec.startingDeadlineSeconds", i64_at(spec, &["startingDeadlineSeconds"]));
    if let Some(tz) = str_at(spec, &["timeZone"]) {
        if tz.eq_ignore_ascii_case("local") {
            errs.invalid_str(
                "spec.timeZone",
                tz,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            );
        } else if tz.is_empty() || tz.contains(' ') || tz.starts_with('/') || tz.contains("..") {
            errs.invalid_str("spec.timeZone", tz, &format!("unknown time zone {tz}"));
        }
    }
    match str_at(spec, &["concurrencyPolicy"]).unwrap_or("") {
        "Allow" | "Forbid" | "Replace" => {}
        "" => errs.required("spec.concurrencyPolicy", ""),
        other => errs.unsupported("spec.concurrencyPolicy", other, &["Allow", "Forbid", "Replace"]),
    }
    let job_spec = get(spec, &["jobTemplate", "spec"]);
    validate_job_spec(job_spec, "spec.jobTemplate.spec", errs);
    if let Some(sel) = job_spec.get("selector").filter(|v| !v.is_null()) {
        errs.invalid(
            "spec.jobTemplate.spec.selector",
            BadValue::Raw(gofmt::label_selector(sel)),
            "`selector` will be auto-generated",
        );
    }
    if job_spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        errs.0.push(FieldError {
            path: "spec.jobTemplate.spec.manualSelector".into(),
            kind: ErrorKind::Unsupported(BadValue::Raw("true".into()), vec!["nil".into(), "false".into()]),
            detail: String::new(),
        });
    }
    errs.non_negative("spec.successfulJobsHistoryLimit", i64_at(spec, &["successfulJobsHistoryLimit"]));
    errs.non_negative("spec.failedJobsHistoryLimit", i64_at(spec, &["failedJobsHistoryLimit"]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job(restart: &str) -> Value {
        json!({"metadata": {"name": "pi", "uid": "u-1"}, "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 6,
            "completionMode": "NonIndexed", "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}},
            "template": {"metadata": {"labels": {"batch.kubernetes.io/controller-uid": "u-1", "job-name": "pi"}},
                "spec": {"containers": [{"name": "pi", "image": "perl", "imagePullPolicy": "Always", "terminationMessagePolicy": "File"}],
                "restartPolicy": restart, "dnsPolicy": "ClusterFirst"}}}})
    }

    fn run_job(obj: &Value, old: Option<&Value>) -> Vec<String> {
        let mut errs = Errs::default();
        validate_job(obj, old, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    fn run_cron(obj: &Value) -> Vec<String> {
        let mut errs = Errs::default();
        validate_cron_job(obj, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn job_table() {
        assert!(run_job(&job("Never"), None).is_empty());
        assert!(run_job(&job("OnFailure"), None).is_empty());
        assert_eq!(
            run_job(&job("Always"), None),
            ["spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""]
        );
        // The pod-spec rule and the Job rule both fire, as in Kubernetes.
        assert_eq!(
            run_job(&job("Sometimes"), None),
            [
                "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
                "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"OnFailure\", \"Never\""
            ]
        );
        let mut negative = job("Never");
        negative["spec"]["backoffLimit"] = json!(-1);
        assert_eq!(
            run_job(&negative, None),
            ["spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"]
        );
        let mut manual = job("Never");
        manual["spec"]["selector"] = json!({"matchLabels": {"app": "x"}});
        let msgs = run_job(&manual, None);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].ends_with("`selector` not auto-generated"));
        assert!(msgs[1].ends_with("`selector` does not match template `labels`"));
        let mut indexed = job("Never");
        indexed["spec"]["completionMode"] = json!("Indexed");
        indexed["spec"]["completions"] = Value::Null;
        assert_eq!(run_job(&indexed, None), ["spec.completions: Required value: when completion mode is Indexed"]);
    }

    #[test]
    fn job_template_is_immutable() {
        let old = job("Never");
        let mut new = old.clone();
        new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("perl:5");
        assert_eq!(
            run_job(&new, Some(&old)),
            ["spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable"]
        );
    }

    #[test]
    fn cron_job_table() {
        let template = job("OnFailure")["spec"]["template"].clone();
        let cron = |schedule: &str, policy: &str| {
            json!({"metadata": {"name": "hello"}, "spec": {"schedule": schedule,
            "concurrencyPolicy": policy, "jobTemplate": {"spec": {"template": template.clone()}}}})
        };
        assert!(run_cron(&cron("* * * * *", "Allow")).is_empty());
        assert_eq!(
            run_cron(&cron("* * *", "Allow")),
            ["spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]"]
        );
        assert_eq!(run_cron(&cron("", "Allow")), ["spec.schedule: Required value"]);
        assert_eq!(
            run_cron(&cron("TZ=UTC * * * * *", "Allow")),
            [
                "spec.schedule: Invalid value: \"TZ=UTC * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            ]
        );
        assert_eq!(
            run_cron(&cron("@daily", "Sometimes")),
            [
                "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""
            ]
        );
        let mut long = cron("@daily", "Allow");
        long["metadata"]["name"] = json!("a".repeat(53));
        assert_eq!(run_cron(&long).len(), 1);
        let mut always = cron("@daily", "Allow");
        always["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
        assert_eq!(
            run_cron(&always),
            [
                "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
            ]
        );
    }
}
