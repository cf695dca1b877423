//! `successPolicy` (`success_policy.go`): an Indexed Job may succeed before every index has, once the
//! indexes that succeeded satisfy one rule (`succeededIndexes`, `succeededCount` or both). The Job then
//! gets `SuccessCriteriaMet` with reason `SuccessPolicy`, its remaining pods are deleted, and it becomes
//! `Complete` with the same reason once they are gone.

use std::collections::BTreeSet;

use serde_json::Value;

use super::indexed;
use crate::sim::api::pointer::Pointer;

/// `matchSuccessPolicy`: the message of the first rule the succeeded indexes satisfy.
pub fn matched(job: &Value, completions: i64, succeeded: &BTreeSet<i64>) -> Option<String> {
    let rules = job.at("/spec/successPolicy/rules").and_then(Value::as_array)?;
    if succeeded.is_empty() {
        return None;
    }
    rules.iter().enumerate().find_map(|(i, rule)| {
        let count = rule.get("succeededCount").and_then(Value::as_i64);
        let hit = match rule.get("succeededIndexes").and_then(Value::as_str) {
            Some(s) => {
                let required = indexed::parse_intervals(s, completions);
                // A rule whose indexes cannot be parsed never matches.
                let contained = required.intersection(succeeded).count() as i64;
                !required.is_empty()
                    && match count {
                        Some(c) => contained >= c,
                        None => contained == required.len() as i64,
                    }
            }
            None => count.is_some_and(|c| succeeded.len() as i64 >= c),
        };
        hit.then(|| format!("Matched rules at index {i}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job(rules: Value) -> Value {
        json!({"spec": {"completionMode": "Indexed", "completions": 10, "successPolicy": {"rules": rules}}})
    }

    #[test]
    fn rules_match_as_upstream_tables_them() {
        let done: BTreeSet<i64> = [0, 1, 2, 7].into();
        let cases = [
            (json!([{"succeededIndexes": "0-2"}]), Some("Matched rules at index 0")),
            (json!([{"succeededIndexes": "0-3"}]), None),
            (json!([{"succeededIndexes": "0-3", "succeededCount": 3}]), Some("Matched rules at index 0")),
            (json!([{"succeededCount": 5}, {"succeededCount": 4}]), Some("Matched rules at index 1")),
            (json!([{"succeededIndexes": "x"}]), None),
            (json!([{"succeededIndexes": "7,9"}, {"succeededIndexes": "1,2"}]), Some("Matched rules at index 1")),
        ];
        for (rules, want) in cases {
            assert_eq!(matched(&job(rules.clone()), 10, &done).as_deref(), want, "{rules}");
        }
        assert_eq!(matched(&job(json!([{"succeededCount": 0}])), 10, &BTreeSet::new()), None, "nothing succeeded");
        assert_eq!(matched(&json!({"spec": {}}), 10, &done), None, "no policy");
    }
}
