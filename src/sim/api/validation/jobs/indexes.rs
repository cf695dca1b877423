//! The Job fields that work per completion index (`pkg/apis/batch/validation`): `backoffLimitPerIndex`,
//! `maxFailedIndexes`, `successPolicy`, the `FailIndex` action, and `podReplacementPolicy`.

use serde_json::Value;

use super::super::{BadValue, Errs, child, index};
use crate::sim::api::meta::{array_at, i64_at, str_at};

/// `maxParallelismForIndexedJob`, `maxFailedIndexesForIndexedJob`, `completionsSoftLimit`.
const MAX_INDEXED_PARALLELISM: i64 = 100_000;
const MAX_FAILED_INDEXES: i64 = 100_000;
const COMPLETIONS_SOFT_LIMIT: i64 = 100_000;
/// `maxSuccessPolicyRule` and `maxJobSuccessPolicySucceededIndexesLimit`.
const MAX_SUCCESS_RULES: usize = 20;
const MAX_SUCCEEDED_INDEXES_LEN: usize = 64 * 1024;

fn set(spec: &Value, f: &str) -> bool {
    spec.get(f).is_some_and(|v| !v.is_null())
}

/// The rules of `validateJobSpec` about indexes, for a job spec at `path`.
pub(super) fn validate(spec: &Value, path: &str, errs: &mut Errs) {
    let per_index = i64_at(spec, &["backoffLimitPerIndex"]);
    let max_failed = i64_at(spec, &["maxFailedIndexes"]);
    let completions = i64_at(spec, &["completions"]);
    let indexed = str_at(spec, &["completionMode"]) == Some("Indexed");
    errs.non_negative(&child(path, "backoffLimitPerIndex"), per_index);
    if let Some(m) = max_failed {
        errs.non_negative(&child(path, "maxFailedIndexes"), Some(m));
        if per_index.is_none() {
            errs.required(&child(path, "backoffLimitPerIndex"), "when maxFailedIndexes is specified");
        }
    }
    if indexed {
        if let Some(p) = i64_at(spec, &["parallelism"]).filter(|p| *p > MAX_INDEXED_PARALLELISM) {
            let msg =
                format!("must be less than or equal to {MAX_INDEXED_PARALLELISM} when completion mode is Indexed");
            errs.invalid_int(&child(path, "parallelism"), p, &msg);
        }
        if let (Some(c), Some(m)) = (completions, max_failed)
            && m > c
        {
            errs.invalid_int(&child(path, "maxFailedIndexes"), m, "must be less than or equal to completions");
        }
        if let Some(m) = max_failed.filter(|m| *m > MAX_FAILED_INDEXES) {
            let msg = format!("must be less than or equal to {MAX_FAILED_INDEXES}");
            errs.invalid_int(&child(path, "maxFailedIndexes"), m, &msg);
        }
        if completions.is_some_and(|c| c > COMPLETIONS_SOFT_LIMIT) && per_index.is_some() && max_failed.is_none() {
            let msg = format!("must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}");
            errs.required(&child(path, "maxFailedIndexes"), &msg);
        }
    } else {
        for (f, v) in [("backoffLimitPerIndex", per_index), ("maxFailedIndexes", max_failed)] {
            if let Some(v) = v {
                errs.invalid_int(&child(path, f), v, "requires indexed completion mode");
            }
        }
    }
    for (i, rule) in array_at(spec, &["podFailurePolicy", "rules"]).iter().enumerate() {
        if str_at(rule, &["action"]) == Some("FailIndex") && per_index.is_none() {
            let p = format!("{path}.podFailurePolicy.rules[{i}].action");
            errs.invalid_str(&p, "FailIndex", "requires the backoffLimitPerIndex to be set");
        }
    }
    if let Some(policy) = str_at(spec, &["podReplacementPolicy"]) {
        let p = child(path, "podReplacementPolicy");
        if set(spec, "podFailurePolicy") {
            if policy != "Failed" {
                errs.unsupported(&p, policy, &["Failed"]);
            }
        } else if !matches!(policy, "Failed" | "TerminatingOrFailed") {
            errs.unsupported(&p, policy, &["Failed", "TerminatingOrFailed"]);
        }
    }
    if set(spec, "successPolicy") {
        let p = child(path, "successPolicy");
        if !indexed {
            // Go prints the struct with `%#v`; its pointer fields would show addresses, elided here.
            let rules = array_at(spec, &["successPolicy", "rules"]);
            let shown = if rules.is_empty() { "" } else { "..." };
            let value = format!("batch.SuccessPolicy{{Rules:[]batch.SuccessPolicyRule{{{shown}}}}}");
            errs.invalid(&p, BadValue::Raw(value), "requires indexed completion mode");
        } else {
            validate_success_policy(spec, &p, completions.unwrap_or(0), errs);
        }
    }
}

/// `validateSuccessPolicy`.
fn validate_success_policy(spec: &Value, path: &str, completions: i64, errs: &mut Errs) {
    let rules = array_at(spec, &["successPolicy", "rules"]);
    let rules_path = child(path, "rules");
    if rules.is_empty() {
        errs.required(&rules_path, "at least one rules must be specified when the successPolicy is specified");
    }
    if rules.len() > MAX_SUCCESS_RULES {
        errs.0.push(super::super::FieldError {
            path: rules_path.clone(),
            kind: super::super::ErrorKind::TooMany(rules.len(), MAX_SUCCESS_RULES),
            detail: String::new(),
        });
    }
    for (i, rule) in rules.iter().enumerate() {
        let rp = index(&rules_path, i);
        let indexes = str_at(rule, &["succeededIndexes"]);
        let count = i64_at(rule, &["succeededCount"]);
        if indexes.is_none() && count.is_none() {
            errs.required(&rp, "at least one of succeededCount or succeededIndexes must be specified");
        }
        let mut total = None;
        if let Some(s) = indexes {
            let ip = child(&rp, "succeededIndexes");
            match indexes_total(s, completions) {
                Ok(t) => total = Some(t),
                Err(e) => errs.invalid_str(&ip, s, &format!("error parsing succeededIndexes: {e}")),
            }
            if s.len() > MAX_SUCCEEDED_INDEXES_LEN {
                errs.too_long(&ip, MAX_SUCCEEDED_INDEXES_LEN);
            }
        }
        if let Some(n) = count {
            let cp = child(&rp, "succeededCount");
            errs.non_negative(&cp, Some(n));
            if n > completions {
                let msg = format!("must be less than or equal to {completions} (the number of specified completions)");
                errs.invalid_int(&cp, n, &msg);
            }
            if let Some(t) = total.filter(|t| n > *t) {
                let msg = format!(
                    "must be less than or equal to {t} (the number of indexes in the specified succeededIndexes field)"
                );
                errs.invalid_int(&cp, n, &msg);
            }
        }
    }
}

/// `validateIndexesFormat`: the number of indexes in `1,3-5`, or why it cannot be read.
fn indexes_total(s: &str, completions: i64) -> Result<i64, String> {
    if s.is_empty() {
        return Ok(0);
    }
    let (mut last, mut total): (Option<i64>, i64) = (None, 0);
    for part in s.split(',') {
        let limits: Vec<&str> = part.split('-').collect();
        if limits.len() > 2 {
            return Err(format!(
                "the fragment {part:?} violates the requirement that an index interval can have at most two parts separated by '-'"
            ));
        }
        let parse = |x: &str| -> Result<i64, String> {
            let n: i64 = x.parse().map_err(|_| format!("cannot convert string to integer for index: {x:?}"))?;
            if n >= completions { Err(format!("too large index: {x:?}")) } else { Ok(n) }
        };
        let x = parse(limits[0])?;
        let y = match limits.get(1) {
            Some(b) => {
                let y = parse(b)?;
                if x >= y {
                    return Err(format!("non-increasing order, previous: {x}, current: {y}"));
                }
                y
            }
            None => x,
        };
        if let Some(l) = last.filter(|l| *l >= x) {
            return Err(format!("non-increasing order, previous: {l}, current: {x}"));
        }
        total += y - x + 1;
        last = Some(y);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(spec: Value) -> Vec<String> {
        let mut errs = Errs::default();
        validate(&spec, "spec", &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn per_index_fields_as_upstream() {
        let ok =
            json!({"completionMode": "Indexed", "completions": 10, "backoffLimitPerIndex": 1, "maxFailedIndexes": 5});
        assert!(run(ok).is_empty());
        assert_eq!(
            run(json!({"completionMode": "NonIndexed", "backoffLimitPerIndex": 1})),
            ["spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"]
        );
        assert_eq!(
            run(json!({"completionMode": "Indexed", "completions": 3, "maxFailedIndexes": 4})),
            [
                "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
                "spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions"
            ]
        );
        assert_eq!(
            run(json!({"podFailurePolicy": {"rules": [{"action": "FailIndex"}]}, "podReplacementPolicy": "Failed"})),
            [
                "spec.podFailurePolicy.rules[0].action: Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set"
            ]
        );
        assert_eq!(
            run(json!({"podFailurePolicy": {"rules": []}, "podReplacementPolicy": "TerminatingOrFailed"})),
            ["spec.podReplacementPolicy: Unsupported value: \"TerminatingOrFailed\": supported values: \"Failed\""]
        );
        assert_eq!(
            run(json!({"podReplacementPolicy": "Never"})),
            [
                "spec.podReplacementPolicy: Unsupported value: \"Never\": supported values: \"Failed\", \"TerminatingOrFailed\""
            ]
        );
    }

    #[test]
    fn success_policies_as_upstream() {
        let indexed =
            |rules: Value| json!({"completionMode": "Indexed", "completions": 5, "successPolicy": {"rules": rules}});
        assert!(run(indexed(json!([{"succeededIndexes": "0-2,4", "succeededCount": 2}]))).is_empty());
        assert_eq!(
            run(json!({"successPolicy": {"rules": []}})),
            [
                "spec.successPolicy: Invalid value: batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{}}: requires indexed completion mode"
            ]
        );
        assert_eq!(
            run(indexed(json!([]))),
            [
                "spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified"
            ]
        );
        assert_eq!(
            run(indexed(json!([{}]))),
            [
                "spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified"
            ]
        );
        assert_eq!(
            run(indexed(json!([{"succeededIndexes": "3-1"}, {"succeededIndexes": "7"}, {"succeededIndexes": "a"}]))),
            [
                "spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"3-1\": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1",
                "spec.successPolicy.rules[1].succeededIndexes: Invalid value: \"7\": error parsing succeededIndexes: too large index: \"7\"",
                "spec.successPolicy.rules[2].succeededIndexes: Invalid value: \"a\": error parsing succeededIndexes: cannot convert string to integer for index: \"a\""
            ]
        );
        assert_eq!(
            run(indexed(json!([{"succeededIndexes": "0,1", "succeededCount": 3}]))),
            [
                "spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)"
            ]
        );
    }
}
