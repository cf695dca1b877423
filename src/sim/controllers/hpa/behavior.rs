//! How the HPA tempers a recommendation (`horizontal.go`'s `normalizeDesiredReplicas*`): the
//! stabilization windows over recent recommendations, then the scaling policies' rate limits and
//! min/max, each step naming the condition it reports.
//!
//! ```text
//!  recommendation ──stabilize: max of the last 300 s when scaling down (min of scaleUp's window)──►
//!  ──rate: without behavior max(2×current, 4); with behavior the policies over their periods──►
//!  ──[minReplicas, maxReplicas]──► desired
//! ```

use serde_json::Value;

use crate::sim::api::pointer::Pointer;
use crate::sim::time::Millis;

/// `--horizontal-pod-autoscaler-downscale-stabilization`: 5 minutes.
pub const DOWNSCALE_STABILIZATION_MS: Millis = 5 * 60 * 1000;

/// One recommendation the controller made (`timestampedRecommendation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recommendation {
    pub replicas: i64,
    pub at: Millis,
}

/// One rescale the controller made (`timestampedScaleEvent`): replicas added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleEvent {
    pub change: i64,
    pub at: Millis,
}

/// A condition to report: (reason, message).
pub type Why = (&'static str, &'static str);

pub const READY_FOR_NEW_SCALE: Why = ("ReadyForNewScale", "recommended size matches current size");
const SCALE_DOWN_STABILIZED: Why = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
);
const SCALE_UP_STABILIZED: Why = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
);
const SCALE_UP_LIMIT: Why =
    ("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate");
const SCALE_DOWN_LIMIT: Why =
    ("ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate");
const TOO_MANY: Why = ("TooManyReplicas", "the desired replica count is more than the maximum replica count");
const TOO_FEW: Why = ("TooFewReplicas", "the desired replica count is less than the minimum replica count");
const WITHIN_RANGE: Why = ("DesiredWithinRange", "the desired count is within the acceptable range");

/// The outcome: desired replicas, the AbleToScale reason, and the ScalingLimited status and reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Normalized {
    pub replicas: i64,
    pub able: Why,
    pub limited: bool,
    pub limit: Why,
}

/// `HPAScalingPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Policy {
    percent: bool,
    value: i64,
    period_ms: Millis,
}

/// `HPAScalingRules` after defaulting.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rules {
    window_ms: Millis,
    select: String,
    policies: Vec<Policy>,
}

/// `GenerateHPAScaleUpRules` / `GenerateHPAScaleDownRules`: the defaults fill what a rule leaves out.
fn rules(v: Option<&Value>, up: bool) -> Rules {
    let window = v.and_then(|v| v.at("/stabilizationWindowSeconds")).and_then(Value::as_i64);
    let policies: Vec<Policy> = v
        .and_then(|v| v.at("/policies"))
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| Policy {
                    percent: p.at("/type").and_then(Value::as_str) == Some("Percent"),
                    value: p.at("/value").and_then(Value::as_i64).unwrap_or(0),
                    period_ms: p.at("/periodSeconds").and_then(Value::as_i64).unwrap_or(15).max(0) as Millis * 1000,
                })
                .collect()
        })
        .unwrap_or_else(|| {
            let pct = Policy { percent: true, value: 100, period_ms: 15_000 };
            if up { vec![Policy { percent: false, value: 4, period_ms: 15_000 }, pct] } else { vec![pct] }
        });
    let default_window = if up { 0 } else { DOWNSCALE_STABILIZATION_MS };
    Rules {
        window_ms: window.map_or(default_window, |w| w.max(0) as Millis * 1000),
        select: v.and_then(|v| v.at("/selectPolicy")).and_then(Value::as_str).unwrap_or("Max").to_string(),
        policies,
    }
}

/// `getReplicasChangePerPeriod`.
fn change_in_period(period_ms: Millis, events: &[ScaleEvent], now: Millis) -> i64 {
    events.iter().filter(|e| e.at + period_ms > now).map(|e| e.change).sum()
}

/// `calculateScaleUpLimitWithScalingRules` / `calculateScaleDownLimitWithBehaviors`.
fn rate_limit(current: i64, ups: &[ScaleEvent], downs: &[ScaleEvent], r: &Rules, up: bool, now: Millis) -> i64 {
    if r.select == "Disabled" {
        return current;
    }
    // For scaling up the least change is the smallest count, for scaling down the largest.
    let least = r.select == "Min";
    let take_min = least == up;
    let mut result = if take_min { i64::MAX } else { i64::MIN };
    for p in &r.policies {
        let start = current - change_in_period(p.period_ms, ups, now) + change_in_period(p.period_ms, downs, now);
        let proposed = match (p.percent, up) {
            (false, true) => start + p.value,
            (false, false) => start - p.value,
            (true, true) => (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i64,
            (true, false) => (start as f64 * (1.0 - p.value as f64 / 100.0)) as i64,
        };
        result = if take_min { result.min(proposed) } else { result.max(proposed) };
    }
    result
}

/// What the controller remembers per HPA between syncs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub recommendations: Vec<Recommendation>,
    pub ups: Vec<ScaleEvent>,
    pub downs: Vec<ScaleEvent>,
}

impl History {
    /// `storeScaleEvent`: remembers a rescale, forgetting events older than the longest policy period.
    pub fn record_rescale(&mut self, behavior: Option<&Value>, from: i64, to: i64, now: Millis) {
        let Some(b) = behavior else { return };
        let (list, r) = if to > from {
            (&mut self.ups, rules(b.at("/scaleUp"), true))
        } else {
            (&mut self.downs, rules(b.at("/scaleDown"), false))
        };
        let longest = r.policies.iter().map(|p| p.period_ms).max().unwrap_or(0);
        list.retain(|e| e.at + longest > now);
        list.push(ScaleEvent { change: (to - from).abs(), at: now });
    }

    /// `normalizeDesiredReplicas` (no `behavior`) or `normalizeDesiredReplicasWithBehaviors`.
    pub fn normalize(
        &mut self,
        behavior: Option<&Value>,
        current: i64,
        recommended: i64,
        (min, max): (i64, i64),
        now: Millis,
    ) -> Normalized {
        let (stabilized, able, replicas, limit) = match behavior {
            None => {
                let stabilized = self.stabilize(None, recommended, 0, DOWNSCALE_STABILIZATION_MS, now);
                let able = if stabilized == recommended { READY_FOR_NEW_SCALE } else { SCALE_DOWN_STABILIZED };
                // `convertDesiredReplicasWithRules`: never more than doubling, or 4.
                let up_limit = (2 * current).max(4);
                let (top, why) = if max > up_limit { (up_limit, SCALE_UP_LIMIT) } else { (max, TOO_MANY) };
                let (replicas, limit) = if stabilized < min {
                    (min, TOO_FEW)
                } else if stabilized > top {
                    (top, why)
                } else {
                    (stabilized, WITHIN_RANGE)
                };
                (stabilized, able, replicas, limit)
            }
            Some(b) => {
                let (up, down) = (rules(b.at("/scaleUp"), true), rules(b.at("/scaleDown"), false));
                let stabilized = self.stabilize(Some(current), recommended, up.window_ms, down.window_ms, now);
                let able = match () {
                    _ if stabilized == recommended => READY_FOR_NEW_SCALE,
                    _ if recommended >= current => SCALE_UP_STABILIZED,
                    _ => SCALE_DOWN_STABILIZED,
                };
                let (replicas, limit) = self.with_rates(stabilized, current, (min, max), &up, &down, now);
                (stabilized, able, replicas, limit)
            }
        };
        Normalized { replicas, able, limited: replicas != stabilized, limit }
    }

    /// `stabilizeRecommendationWithBehaviors`: the current count, raised to the lowest recommendation
    /// of the scale-up window and lowered to the highest of the scale-down window. Without behavior
    /// (`current` is `None`, `stabilizeRecommendation`): the highest recommendation of the window.
    /// Either way this recommendation is remembered, in the place of one both windows have left.
    fn stabilize(
        &mut self,
        current: Option<i64>,
        recommended: i64,
        up_ms: Millis,
        down_ms: Millis,
        now: Millis,
    ) -> i64 {
        let (mut up, mut down) = (recommended, recommended);
        let mut old = None;
        for (i, r) in self.recommendations.iter().enumerate() {
            let in_up = r.at + up_ms > now;
            let in_down = r.at + down_ms > now;
            if in_up {
                up = up.min(r.replicas);
            }
            if in_down {
                down = down.max(r.replicas);
            }
            if !in_up && !in_down {
                old = Some(i);
            }
        }
        let stabilized = current.map_or(down, |c| c.max(up).min(down));
        let rec = Recommendation { replicas: recommended, at: now };
        match old {
            Some(i) => self.recommendations[i] = rec,
            None => self.recommendations.push(rec),
        }
        stabilized
    }

    /// `convertDesiredReplicasWithBehaviorRate`.
    fn with_rates(
        &self,
        desired: i64,
        current: i64,
        (min, max): (i64, i64),
        up: &Rules,
        down: &Rules,
        now: Millis,
    ) -> (i64, Why) {
        if desired > current {
            let limit = rate_limit(current, &self.ups, &self.downs, up, true, now).max(current);
            let (top, why) = if max > limit { (limit, SCALE_UP_LIMIT) } else { (max, TOO_MANY) };
            if desired > top {
                return (top, why);
            }
        } else if desired < current {
            let limit = rate_limit(current, &self.ups, &self.downs, down, false, now).min(current);
            let (bottom, why) = if min < limit { (limit, SCALE_DOWN_LIMIT) } else { (min, TOO_FEW) };
            if desired < bottom {
                return (bottom, why);
            }
        }
        (desired, WITHIN_RANGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const S: Millis = 1000;

    /// Without `behavior`: a drop is held back for 5 minutes by the highest recent recommendation
    /// (`TestScaleDownWithStabilization`-style), and a rise is capped at max(2×current, 4).
    #[test]
    fn without_behavior_scale_down_waits_for_the_window() {
        let mut h = History::default();
        let n = h.normalize(None, 5, 5, (1, 10), 0);
        assert_eq!((n.replicas, n.able.0, n.limited), (5, "ReadyForNewScale", false));
        let n = h.normalize(None, 5, 1, (1, 10), 15 * S);
        assert_eq!((n.replicas, n.able.0), (5, "ScaleDownStabilized"));
        let n = h.normalize(None, 5, 1, (1, 10), 299 * S);
        assert_eq!(n.replicas, 5, "the recommendation of 5 at 0 s is still within 300 s");
        let n = h.normalize(None, 5, 1, (1, 10), 300 * S);
        assert_eq!((n.replicas, n.able.0), (1, "ReadyForNewScale"));
    }

    #[test]
    fn limits_without_behavior() {
        let cases = [
            // (current, recommended, min, max, want, limited, reason)
            (1, 10, 1, 10, 4, true, "ScaleUpLimit"),
            (3, 10, 1, 10, 6, true, "ScaleUpLimit"),
            (6, 20, 1, 10, 10, true, "TooManyReplicas"),
            (2, 3, 1, 10, 3, false, "DesiredWithinRange"),
            (2, 1, 2, 10, 2, true, "TooFewReplicas"),
        ];
        for (cur, rec, min, max, want, limited, reason) in cases {
            let n = History::default().normalize(None, cur, rec, (min, max), 0);
            assert_eq!((n.replicas, n.limited, n.limit.0), (want, limited, reason), "{cur} -> {rec}");
        }
    }

    /// The docs' "scale down one pod per minute" example: Pods 1 per 60 s, no window.
    #[test]
    fn behavior_policies_limit_the_rate() {
        let b = json!({"scaleDown": {"stabilizationWindowSeconds": 0,
            "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}});
        let mut h = History::default();
        let n = h.normalize(Some(&b), 5, 1, (1, 10), 0);
        assert_eq!((n.replicas, n.limited, n.limit.0), (4, true, "ScaleDownLimit"));
        h.record_rescale(Some(&b), 5, 4, 0);
        let n = h.normalize(Some(&b), 4, 1, (1, 10), 30 * S);
        assert_eq!(n.replicas, 4, "one pod already removed in this 60 s period");
        let n = h.normalize(Some(&b), 4, 1, (1, 10), 60 * S);
        assert_eq!(n.replicas, 3);
    }

    /// Default scale-up rules: the larger of +4 pods and +100 % per 15 s; `Min` picks the smaller;
    /// `Disabled` never scales.
    #[test]
    fn select_policy() {
        let up = |select: &str| json!({"scaleUp": {"selectPolicy": select}});
        for (select, current, want) in [("Max", 10, 20), ("Max", 1, 5), ("Min", 10, 14), ("Disabled", 3, 3)] {
            let n = History::default().normalize(Some(&up(select)), current, 50, (1, 100), 0);
            assert_eq!(n.replicas, want, "{select} from {current}");
        }
    }

    #[test]
    fn scale_up_stabilization_window_takes_the_lowest_recent() {
        let b = json!({"scaleUp": {"stabilizationWindowSeconds": 60}});
        let mut h = History::default();
        h.normalize(Some(&b), 2, 2, (1, 10), 0);
        let n = h.normalize(Some(&b), 2, 6, (1, 10), 15 * S);
        assert_eq!((n.replicas, n.able.0), (2, "ScaleUpStabilized"));
        let n = h.normalize(Some(&b), 2, 6, (1, 10), 61 * S);
        assert_eq!(n.replicas, 6);
    }
}
