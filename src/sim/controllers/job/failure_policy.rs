//! `podFailurePolicy` (`pkg/controller/job/pod_failure_policy.go`): the first rule matching a failed
//! pod's exit codes or conditions decides whether it fails the Job, fails its index, is ignored, or counts.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use crate::sim::controllers::objects::{self, str_at};

/// What a rule decides for one failed pod.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// `FailJob`, with the message the Job's failure condition carries.
    FailJob(String),
    /// `Ignore`: not counted against backoffLimit.
    Ignore,
    /// `Count` (also the default when no rule matches).
    Count,
    /// `FailIndex`: counted, and the pod's index fails at once (Jobs with `backoffLimitPerIndex`).
    FailIndex,
}

fn exit_codes_match(rule: &Value, pod: &Value) -> Option<(String, i64)> {
    let on = rule.get("onExitCodes")?;
    let container = str_at(on, "/containerName");
    let values: Vec<i64> = on
        .get("values")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let not_in = str_at(on, "/operator") == "NotIn";
    let statuses = pod.at("/status/containerStatuses").and_then(Value::as_array)?;
    statuses.iter().find_map(|cs| {
        let name = str_at(cs, "/name");
        if !container.is_empty() && container != name {
            return None;
        }
        let code = cs.at("/state/terminated/exitCode").and_then(Value::as_i64)?;
        // Containers that succeeded never match (exit code 0 is excluded from NotIn).
        if code == 0 {
            return None;
        }
        let hit = if not_in { !values.contains(&code) } else { values.contains(&code) };
        hit.then(|| (name.to_string(), code))
    })
}

fn conditions_match(rule: &Value, pod: &Value) -> Option<String> {
    let patterns = rule.get("onPodConditions").and_then(Value::as_array)?;
    patterns.iter().find_map(|p| {
        let ty = str_at(p, "/type");
        let want = match str_at(p, "/status") {
            "" => "True",
            s => s,
        };
        objects::condition(pod, ty).filter(|c| str_at(c, "/status") == want).map(|_| ty.to_string())
    })
}

/// Applies the Job's podFailurePolicy to a failed pod.
pub fn judge(job: &Value, pod: &Value) -> Verdict {
    let Some(rules) = job.at("/spec/podFailurePolicy/rules").and_then(Value::as_array) else {
        return Verdict::Count;
    };
    let (ns, name) = (objects::namespace(pod), objects::name(pod));
    for (i, rule) in rules.iter().enumerate() {
        let action = str_at(rule, "/action");
        let matched = if let Some((container, code)) = exit_codes_match(rule, pod) {
            format!(
                "Container {container} for pod {ns}/{name} failed with exit code {code} matching {action} rule at index {i}"
            )
        } else if let Some(cond) = conditions_match(rule, pod) {
            format!("Pod {ns}/{name} has condition {cond} matching {action} rule at index {i}")
        } else {
            continue;
        };
        return match action {
            "FailJob" => Verdict::FailJob(matched),
            "Ignore" => Verdict::Ignore,
            "FailIndex" => Verdict::FailIndex,
            _ => Verdict::Count,
        };
    }
    Verdict::Count
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failed_pod(code: i64) -> Value {
        json!({"metadata": {"namespace": "default", "name": "pi-x"}, "status": {"phase": "Failed",
            "containerStatuses": [{"name": "main", "state": {"terminated": {"exitCode": code}}}],
            "conditions": [{"type": "DisruptionTarget", "status": "True"}]}})
    }

    fn job(rules: Value) -> Value {
        json!({"spec": {"podFailurePolicy": {"rules": rules}}})
    }

    #[test]
    fn first_matching_rule_wins() {
        let rules = json!([
            {"action": "FailJob", "onExitCodes": {"containerName": "main", "operator": "In", "values": [42]}},
            {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]},
            {"action": "Count", "onExitCodes": {"operator": "NotIn", "values": [0]}}
        ]);
        let j = job(rules);
        assert_eq!(
            judge(&j, &failed_pod(42)),
            Verdict::FailJob(
                "Container main for pod default/pi-x failed with exit code 42 matching FailJob rule at index 0".into()
            )
        );
        assert_eq!(judge(&j, &failed_pod(1)), Verdict::Ignore, "the disruption rule comes before the catch-all");
        assert_eq!(judge(&json!({}), &failed_pod(42)), Verdict::Count, "no policy: every failure counts");
        let not_in = job(json!([{"action": "FailJob", "onExitCodes": {"operator": "NotIn", "values": [1, 2]}}]));
        assert!(matches!(judge(&not_in, &failed_pod(3)), Verdict::FailJob(_)));
        assert_eq!(judge(&not_in, &failed_pod(2)), Verdict::Count);
        assert_eq!(judge(&not_in, &failed_pod(0)), Verdict::Count, "exit code 0 never matches");
    }
}
