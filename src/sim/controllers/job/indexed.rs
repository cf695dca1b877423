//! `completionMode: Indexed` (`indexed_job_utils.go`): every pod carries a completion index from 0 to
//! `completions - 1` (annotation and label `batch.kubernetes.io/job-completion-index`, the
//! `JOB_COMPLETION_INDEX` variable, hostname `<job>-<index>`); the Job is complete when every index has
//! a succeeded pod, listed in `status.completedIndexes` as intervals (`0-2,4`).

use std::collections::BTreeSet;

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use crate::sim::api::meta;

/// `batch.JobCompletionIndexAnnotation` (the label has the same key).
pub const INDEX_KEY: &str = "batch.kubernetes.io/job-completion-index";
/// `completionIndexEnvName`.
pub const INDEX_ENV: &str = "JOB_COMPLETION_INDEX";

pub fn is_indexed(job: &Value) -> bool {
    job.at("/spec/completionMode").and_then(Value::as_str) == Some("Indexed")
}

/// `getCompletionIndex`: the annotation, else the label; None when absent or not a number ≥ 0.
pub fn index_of(pod: &Value) -> Option<i64> {
    let from = |m: &str| pod.at(m).and_then(|a| a.get(INDEX_KEY)).and_then(Value::as_str)?.parse::<i64>().ok();
    from("/metadata/annotations").or_else(|| from("/metadata/labels")).filter(|i| *i >= 0)
}

/// `parseIndexesFromString`: `1,3-5` → {1, 3, 4, 5}, keeping only indexes below `completions`;
/// malformed parts are skipped.
pub fn parse_intervals(s: &str, completions: i64) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>()) else { continue };
        out.extend((a.max(0)..=b.min(completions - 1)).take(100_000));
    }
    out
}

/// `orderedIntervals.String`: a run of three or more as `a-b`, a pair as `a,b`, others alone.
pub fn format_intervals(indexes: &BTreeSet<i64>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(i64, i64)> = None;
    for &i in indexes {
        run = match run {
            Some((a, b)) if i == b + 1 => Some((a, i)),
            Some((a, b)) => {
                parts.push(interval(a, b));
                Some((i, i))
            }
            None => Some((i, i)),
        };
    }
    if let Some((a, b)) = run {
        parts.push(interval(a, b));
    }
    parts.join(",")
}

fn interval(a: i64, b: i64) -> String {
    match b - a {
        0 => a.to_string(),
        1 => format!("{a},{b}"),
        _ => format!("{a}-{b}"),
    }
}

/// `firstPendingIndexes`: the lowest `n` indexes below `completions` that neither succeeded nor run now.
pub fn pending(completions: i64, done: &BTreeSet<i64>, active: &BTreeSet<i64>, n: i64) -> Vec<i64> {
    (0..completions).filter(|i| !done.contains(i) && !active.contains(i)).take(n.max(0) as usize).collect()
}

/// The pod for one index: the Job's pod plus the index as annotation, label, environment variable and
/// hostname, named `<job>-<index>-<suffix>` (`podGenerateNameWithIndex`).
pub fn with_index(mut pod: Value, job: &Value, index: i64) -> Value {
    let job_name = meta::name(job);
    let suffix = format!("-{index}-");
    // `names.MaxGeneratedNameLength` (63 - 5): a long Job name is cut to make room for the index.
    let prefix_len = 58usize.saturating_sub(suffix.len()).min(job_name.len());
    let prefix = job_name.get(..prefix_len).unwrap_or(job_name);
    pod["metadata"]["generateName"] = json!(format!("{prefix}{suffix}"));
    meta::set_annotation(&mut pod, INDEX_KEY, &index.to_string());
    meta::set_label(&mut pod, INDEX_KEY, &index.to_string());
    pod["spec"]["hostname"] = json!(format!("{job_name}-{index}"));
    // PodIndexLabel (GA in 1.32): the variable reads the label, not the annotation.
    let env =
        json!({"name": INDEX_ENV, "valueFrom": {"fieldRef": {"fieldPath": format!("metadata.labels['{INDEX_KEY}']")}}});
    for list in ["initContainers", "containers"] {
        let Some(cs) = pod.pointer_mut(&format!("/spec/{list}")).and_then(Value::as_array_mut) else { continue };
        for c in cs.iter_mut().filter(|c| c.is_object()) {
            let vars = c.as_object_mut().map(|o| o.entry("env").or_insert_with(|| json!([])));
            let Some(Value::Array(vars)) = vars else { continue };
            if !vars.iter().any(|v| v.get("name").and_then(Value::as_str) == Some(INDEX_ENV)) {
                vars.push(env.clone());
            }
        }
    }
    pod
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_and_format_as_upstream() {
        let set = parse_intervals("0-2,4,6-7,x,9-8", 7);
        assert_eq!(set.iter().copied().collect::<Vec<_>>(), [0, 1, 2, 4, 6]);
        assert_eq!(format_intervals(&set), "0-2,4,6");
        assert_eq!(format_intervals(&[0, 1, 3, 4, 5].into()), "0,1,3-5", "a pair is written as two indexes");
        assert_eq!(format_intervals(&BTreeSet::new()), "");
        assert_eq!(format_intervals(&[3].into()), "3");
        assert!(parse_intervals("0-9999999999", 3).len() == 3, "bounded by completions");
    }

    #[test]
    fn pending_takes_the_lowest_free_indexes() {
        let done: BTreeSet<i64> = [0, 2].into();
        let active: BTreeSet<i64> = [1].into();
        assert_eq!(pending(6, &done, &active, 2), [3, 4]);
        assert_eq!(pending(3, &done, &active, 5), Vec::<i64>::new());
    }

    #[test]
    fn a_pod_carries_its_index_everywhere() {
        let job = json!({"metadata": {"name": "indexed-job"}});
        let pod = json!({"metadata": {"generateName": "indexed-job-"}, "spec": {
            "initContainers": [{"name": "input"}],
            "containers": [{"name": "w", "env": [{"name": "A", "value": "1"}]}]}});
        let p = with_index(pod, &job, 3);
        assert_eq!(p["metadata"]["generateName"], "indexed-job-3-");
        assert_eq!(p["metadata"]["annotations"][INDEX_KEY], "3");
        assert_eq!(p["metadata"]["labels"][INDEX_KEY], "3");
        assert_eq!(p["spec"]["hostname"], "indexed-job-3");
        assert_eq!(index_of(&p), Some(3));
        for c in ["/spec/initContainers/0/env", "/spec/containers/0/env"] {
            let env = p.pointer(c).and_then(Value::as_array).expect("env");
            let var = env.iter().find(|v| v["name"] == INDEX_ENV).expect("JOB_COMPLETION_INDEX");
            assert_eq!(
                var["valueFrom"]["fieldRef"]["fieldPath"],
                "metadata.labels['batch.kubernetes.io/job-completion-index']"
            );
        }
        assert_eq!(index_of(&json!({"metadata": {"annotations": {INDEX_KEY: "-1"}}})), None);
    }
}
