//! The HPA's replica calculator (`pkg/controller/podautoscaler/replica_calculator.go`): from the
//! targeted pods and their metrics, how many replicas bring the average to the target.
//!
//! ```text
//!  pods ──groupPods──► ready (with metrics) │ unready (Pending, or not ready yet within the CPU
//!                                          │   initialization period) │ missing (no metrics) │ ignored
//!  ratio = usage / target (of the ready ones) ──within tolerance 0.1──► keep the current count
//!  missing pods count as 100 % of target when scaling down and 0 % when scaling up; unready pods as
//!  0 % when scaling up; a ratio that so changes direction keeps the current count
//!  desired = ceil(ratio × pods counted)
//! ```
//! Values are in milli-units as upstream's `MilliValue()`: millicores, and milli-bytes for memory.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::sim::api::pointer::Pointer;
use crate::sim::api::quantity::parse_quantity;
use crate::sim::controllers::objects::{self, str_at};
use crate::sim::time::{Millis, parse_rfc3339};

/// `--horizontal-pod-autoscaler-tolerance`: a ratio this close to 1 changes nothing.
pub const TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-cpu-initialization-period`: a started pod's CPU is not trusted yet.
const CPU_INITIALIZATION_PERIOD_MS: Millis = 5 * 60 * 1000;
/// `--horizontal-pod-autoscaler-initial-readiness-delay`.
const INITIAL_READINESS_DELAY_MS: Millis = 30_000;

/// One pod's sample from the Metrics API (`PodMetric`): summed over its containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub value: i64,
    pub timestamp: Millis,
    pub window: Millis,
}

/// What to aim for: a percentage of the pods' requests, or an average value (milli-units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Utilization(i64),
    AverageValue(i64),
}

/// The calculator's answer: the replica count, the utilization (percentage targets), the average.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposal {
    pub replicas: i64,
    pub utilization: Option<i64>,
    pub average: i64,
}

fn within_tolerance(ratio: f64) -> bool {
    ((1.0 - TOLERANCE)..=(1.0 + TOLERANCE)).contains(&ratio)
}

/// `groupPods`: the ready pods with metrics, the unready, those without metrics, and the ignored
/// (being deleted, or failed).
#[derive(Debug, Default)]
struct Groups {
    ready: Vec<String>,
    unready: Vec<String>,
    missing: Vec<String>,
}

fn group_pods(pods: &[&Value], metrics: &BTreeMap<String, Sample>, resource: &str, now: Millis) -> Groups {
    let mut g = Groups::default();
    let (ready, unready, missing) = (&mut g.ready, &mut g.unready, &mut g.missing);
    for pod in pods {
        let name = objects::name(pod).to_string();
        let phase = str_at(pod, "/status/phase");
        if objects::is_deleting(pod) || phase == "Failed" {
            continue;
        }
        if phase == "Pending" {
            unready.push(name);
            continue;
        }
        let Some(m) = metrics.get(&name) else {
            missing.push(name);
            continue;
        };
        if resource == "cpu" {
            let cond = objects::condition(pod, "Ready");
            let start = pod.at("/status/startTime").and_then(Value::as_str).and_then(parse_rfc3339);
            let unready_now = match (cond, start) {
                (Some(c), Some(start)) => {
                    let is_false = c.get("status").and_then(Value::as_str) == Some("False");
                    let changed =
                        c.get("lastTransitionTime").and_then(Value::as_str).and_then(parse_rfc3339).unwrap_or(0);
                    if start + CPU_INITIALIZATION_PERIOD_MS > now {
                        // Still initializing: unready, or no whole metrics window since it changed.
                        is_false || m.timestamp < changed + m.window
                    } else {
                        // Unready and never been ready.
                        is_false && start + INITIAL_READINESS_DELAY_MS > changed
                    }
                }
                _ => true,
            };
            if unready_now {
                unready.push(name);
                continue;
            }
        }
        ready.push(name);
    }
    g
}

/// `calculatePodRequests`: each pod's request of `resource` (one container's, or all of them).
fn pod_requests(pods: &[&Value], resource: &str, container: Option<&str>) -> Result<BTreeMap<String, i64>, String> {
    let mut out = BTreeMap::new();
    for pod in pods {
        let mut sum = 0;
        for c in pod.at("/spec/containers").and_then(Value::as_array).into_iter().flatten() {
            let cname = str_at(c, "/name");
            if container.is_some_and(|n| n != cname) {
                continue;
            }
            let req = c.at(&format!("/resources/requests/{resource}")).and_then(Value::as_str);
            match req.and_then(|q| parse_quantity(q).ok()) {
                Some(q) => sum += q.milli_value(),
                None => {
                    return Err(format!(
                        "missing request for {resource} in container {cname} of Pod {}",
                        objects::name(pod)
                    ));
                }
            }
        }
        out.insert(objects::name(pod).to_string(), sum);
    }
    Ok(out)
}

/// `GetResourceUtilizationRatio`: (ratio, utilization %, raw average).
fn utilization_ratio(
    metrics: &BTreeMap<String, i64>,
    requests: &BTreeMap<String, i64>,
    target: i64,
) -> Result<(f64, i64, i64), String> {
    let (mut total, mut requested, mut n) = (0, 0, 0);
    for (pod, v) in metrics {
        let Some(r) = requests.get(pod) else { continue };
        total += v;
        requested += r;
        n += 1;
    }
    if requested == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let utilization = total * 100 / requested;
    Ok((utilization as f64 / target as f64, utilization, total / n))
}

/// `GetMetricUsageRatio`: (ratio, average).
fn usage_ratio(metrics: &BTreeMap<String, i64>, target: i64) -> (f64, i64) {
    let avg = metrics.values().sum::<i64>() / metrics.len().max(1) as i64;
    (avg as f64 / target as f64, avg)
}

/// `GetResourceReplicas` and `GetRawResourceReplicas` with the pods the selector picked.
pub fn resource_replicas(
    current: i64,
    target: Target,
    resource: &str,
    container: Option<&str>,
    pods: &[&Value],
    samples: &BTreeMap<String, Sample>,
    now: Millis,
) -> Result<Proposal, String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let Groups { ready, unready, missing } = group_pods(pods, samples, resource, now);
    // `removeMetricsForPods` of the ignored and the unready: the ready ones' samples remain.
    let mut metrics: BTreeMap<String, i64> =
        ready.iter().filter_map(|n| samples.get(n).map(|s| (n.clone(), s.value))).collect();
    if metrics.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let requests = match target {
        Target::Utilization(_) => pod_requests(pods, resource, container)?,
        Target::AverageValue(_) => BTreeMap::new(),
    };
    let ratio_of = |m: &BTreeMap<String, i64>| -> Result<(f64, Option<i64>, i64), String> {
        match target {
            Target::Utilization(t) => utilization_ratio(m, &requests, t).map(|(r, u, a)| (r, Some(u), a)),
            Target::AverageValue(t) => Ok((usage_ratio(m, t).0, None, usage_ratio(m, t).1)),
        }
    };
    let (ratio, utilization, average) = ratio_of(&metrics)?;
    let keep = Proposal { replicas: current, utilization, average };
    let scale_up_with_unready = !unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if within_tolerance(ratio) {
            return Ok(keep);
        }
        return Ok(Proposal { replicas: (ratio * ready.len() as f64).ceil() as i64, ..keep });
    }
    for name in &missing {
        // Conservatively: as if at the target when scaling down, idle when scaling up.
        let assumed = match target {
            _ if ratio >= 1.0 => 0,
            Target::Utilization(_) => requests.get(name).copied().unwrap_or(0),
            Target::AverageValue(t) => t,
        };
        metrics.insert(name.clone(), assumed);
    }
    if scale_up_with_unready {
        for name in &unready {
            metrics.insert(name.clone(), 0);
        }
    }
    let (new_ratio, _, _) = ratio_of(&metrics)?;
    if within_tolerance(new_ratio) || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
        return Ok(keep);
    }
    let replicas = (new_ratio * metrics.len() as f64).ceil() as i64;
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok(keep);
    }
    Ok(Proposal { replicas, ..keep })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::time::rfc3339;
    use serde_json::json;

    const MIN: Millis = 60_000;

    /// A Running pod started at 0, Ready since `ready_at`, requesting `cpu` millicores.
    fn pod(name: &str, ready: bool, ready_at: Millis, cpu: i64) -> Value {
        json!({"metadata": {"name": name}, "spec": {"containers": [
                {"name": "c", "resources": {"requests": {"cpu": format!("{cpu}m")}}}]},
            "status": {"phase": "Running", "startTime": rfc3339(0), "conditions": [{"type": "Ready",
                "status": if ready {"True"} else {"False"}, "lastTransitionTime": rfc3339(ready_at)}]}})
    }

    fn samples(v: &[(&str, i64)], at: Millis) -> BTreeMap<String, Sample> {
        v.iter().map(|(n, v)| (n.to_string(), Sample { value: *v, timestamp: at, window: 15_000 })).collect()
    }

    fn run(pods: &[Value], m: &[(&str, i64)], target: Target, now: Millis) -> Result<Proposal, String> {
        let refs: Vec<&Value> = pods.iter().collect();
        resource_replicas(pods.len() as i64, target, "cpu", None, &refs, &samples(m, now), now)
    }

    /// `TestReplicaCalcScaleUp`, `...ScaleDown`, `...Tolerance`, `...MissingMetrics*`, `...UnreadyPods`.
    #[test]
    fn replica_calculator_table() {
        // Within the 5 min CPU initialization period, where a not-ready pod is left out.
        let now = 4 * MIN;
        let three = |r: [bool; 3]| -> Vec<Value> {
            ["a", "b", "c"].iter().zip(r).map(|(n, r)| pod(n, r, 30_000, 1000)).collect::<Vec<_>>()
        };
        let all = three([true; 3]);
        type Case<'a> = (&'a str, Vec<Value>, Vec<(&'a str, i64)>, i64, i64);
        let cases: Vec<Case> = vec![
            // (case, pods, usage, target %, want replicas)
            (
                "scale up: 3 pods at 100 % of request, target 50 %",
                all.clone(),
                vec![("a", 1000), ("b", 1000), ("c", 1000)],
                50,
                6,
            ),
            ("scale down: 3 pods at 20 %, target 50 %", all.clone(), vec![("a", 200), ("b", 200), ("c", 200)], 50, 2),
            (
                "within tolerance: 54 % of 50 % is ratio 1.08",
                all.clone(),
                vec![("a", 540), ("b", 540), ("c", 540)],
                50,
                3,
            ),
            ("missing metrics when scaling up count as 0 %", all.clone(), vec![("a", 1000), ("b", 1000)], 50, 4),
            ("missing metrics when scaling down count as 100 %", all.clone(), vec![("a", 100), ("b", 100)], 50, 3),
            (
                "an unready pod counts as 0 % when scaling up",
                three([true, true, false]),
                vec![("a", 1000), ("b", 1000), ("c", 1000)],
                50,
                4,
            ),
            (
                "an unready pod is left out when scaling down",
                three([true, true, false]),
                vec![("a", 100), ("b", 100), ("c", 900)],
                50,
                1,
            ),
        ];
        for (case, pods, usage, target, want) in cases {
            let got = run(&pods, &usage, Target::Utilization(target), now).map(|p| p.replicas);
            assert_eq!(got, Ok(want), "{case}");
        }
    }

    #[test]
    fn utilization_and_average_are_reported() {
        let pods = vec![pod("a", true, 30_000, 200), pod("b", true, 30_000, 200)];
        let p = run(&pods, &[("a", 100), ("b", 300)], Target::Utilization(50), 10 * MIN).unwrap();
        assert_eq!((p.utilization, p.average, p.replicas), (Some(100), 200, 4));
        let raw = run(&pods, &[("a", 100), ("b", 300)], Target::AverageValue(100), 10 * MIN).unwrap();
        assert_eq!((raw.utilization, raw.average, raw.replicas), (None, 200, 4));
    }

    #[test]
    fn errors_are_upstreams() {
        let now = 4 * MIN;
        assert_eq!(
            run(&[], &[], Target::Utilization(50), now),
            Err("no pods returned by selector while calculating replica count".into())
        );
        let unready = vec![pod("a", false, 30_000, 100)];
        assert_eq!(
            run(&unready, &[("a", 10)], Target::Utilization(50), now),
            Err("did not receive metrics for targeted pods (pods might be unready)".into())
        );
        let mut no_request = pod("a", true, 30_000, 100);
        no_request["spec"]["containers"][0]["resources"] = json!({});
        assert_eq!(
            run(&[no_request], &[("a", 10)], Target::Utilization(50), now),
            Err("missing request for cpu in container c of Pod a".into())
        );
    }

    #[test]
    fn a_pod_within_its_cpu_initialization_period_needs_a_whole_window_since_ready() {
        // Ready at 2 min, sample at 2 min 10 s with a 15 s window: taken partly before it was ready.
        let pods = [pod("a", true, 2 * MIN, 100), pod("b", true, 30_000, 100)];
        let g = group_pods(
            &pods.iter().collect::<Vec<_>>(),
            &samples(&[("a", 100), ("b", 100)], 2 * MIN + 10_000),
            "cpu",
            2 * MIN + 10_000,
        );
        assert_eq!((g.ready, g.unready), (vec!["b".to_string()], vec!["a".to_string()]));
    }
}
