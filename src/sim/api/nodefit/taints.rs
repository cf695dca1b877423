//! Node taints and pod tolerations (`v1.Toleration.ToleratesTaint`, `FindMatchingUntoleratedTaint`).

use serde_json::Value;

/// What a taint does to pods that do not tolerate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// New pods are not scheduled here.
    NoSchedule,
    /// The scheduler avoids the node when it can.
    PreferNoSchedule,
    /// Running pods are evicted, and the kubelet refuses new ones.
    NoExecute,
}

impl Effect {
    fn parse(s: &str) -> Option<Effect> {
        match s {
            "NoSchedule" => Some(Effect::NoSchedule),
            "PreferNoSchedule" => Some(Effect::PreferNoSchedule),
            "NoExecute" => Some(Effect::NoExecute),
            _ => None,
        }
    }

    /// The effect's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::NoSchedule => "NoSchedule",
            Effect::PreferNoSchedule => "PreferNoSchedule",
            Effect::NoExecute => "NoExecute",
        }
    }
}

/// One entry of `node.spec.taints`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: Effect,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

impl Taint {
    /// One taint; `None` for an unknown effect (validation rejects those).
    pub fn parse(t: &Value) -> Option<Taint> {
        Some(Taint { key: text(t, "key"), value: text(t, "value"), effect: Effect::parse(t.get("effect")?.as_str()?)? })
    }

    /// Reads `spec.taints`; entries with an unknown effect are skipped.
    pub fn parse_list(v: Option<&Value>) -> Vec<Taint> {
        v.and_then(Value::as_array).into_iter().flatten().filter_map(Taint::parse).collect()
    }
}

/// A toleration's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TolerationOp {
    /// `Equal` (or empty): the values must be equal.
    Equal,
    /// `Exists`: any value.
    Exists,
    /// An operator (or effect) Kubernetes does not define: tolerates nothing, as upstream's
    /// `default: return false` (validation refuses it anyway).
    Invalid,
}

/// One entry of `pod.spec.tolerations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    /// Empty means every key.
    pub key: String,
    pub operator: TolerationOp,
    pub value: String,
    /// `None` tolerates every effect.
    pub effect: Option<Effect>,
}

impl Toleration {
    /// One toleration, total: unknown operators and effects read as [`TolerationOp::Invalid`].
    pub fn parse(t: &Value) -> Toleration {
        let effect_text = text(t, "effect");
        let effect = Effect::parse(&effect_text);
        let operator = match text(t, "operator").as_str() {
            _ if !effect_text.is_empty() && effect.is_none() => TolerationOp::Invalid,
            "" | "Equal" => TolerationOp::Equal,
            "Exists" => TolerationOp::Exists,
            _ => TolerationOp::Invalid,
        };
        Toleration { key: text(t, "key"), operator, value: text(t, "value"), effect }
    }

    /// Reads `spec.tolerations`.
    pub fn parse_list(v: Option<&Value>) -> Vec<Toleration> {
        v.and_then(Value::as_array).into_iter().flatten().map(Toleration::parse).collect()
    }

    /// `Toleration.ToleratesTaint`: the effect (if set) and key (if set) must agree, then `Exists`
    /// tolerates any value and `Equal` the same value. An empty key with `Equal` is not special
    /// here, as upstream: validation is what requires `Exists` with an empty key.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if self.effect.is_some_and(|e| e != taint.effect) || (!self.key.is_empty() && self.key != taint.key) {
            return false;
        }
        match self.operator {
            TolerationOp::Equal => self.value == taint.value,
            TolerationOp::Exists => true,
            TolerationOp::Invalid => false,
        }
    }
}

/// `TolerationsTolerateTaint`: whether any toleration tolerates the taint.
pub fn tolerated(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

/// `FindMatchingUntoleratedTaint`: the first taint `filter` keeps that no toleration tolerates
/// (the scheduler asks about NoSchedule and NoExecute, the kubelet about NoExecute only).
pub fn find_untolerated<'a>(
    taints: &'a [Taint],
    tolerations: &[Toleration],
    filter: impl Fn(&Taint) -> bool,
) -> Option<&'a Taint> {
    taints.iter().filter(|t| filter(t)).find(|t| !tolerated(tolerations, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn toleration_table() {
        let taint = Taint { key: "dedicated".into(), value: "gpu".into(), effect: Effect::NoSchedule };
        let cases = [
            (json!({"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}), true),
            (json!({"key": "dedicated", "value": "gpu"}), true),
            (json!({"key": "dedicated", "value": "cpu"}), false),
            (json!({"key": "dedicated", "operator": "Exists"}), true),
            (json!({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}), false),
            (json!({"operator": "Exists"}), true),
            (json!({"operator": "Exists", "effect": "NoSchedule"}), true),
            (json!({"key": "other", "operator": "Exists"}), false),
            // Upstream's code, not validation: an empty key with Equal compares values only.
            (json!({"value": "gpu"}), true),
            (json!({"value": ""}), false),
            (json!({"key": "dedicated", "operator": "In", "value": "gpu"}), false),
            (json!({"key": "dedicated", "operator": "Exists", "effect": "Sometimes"}), false),
            (json!({"key": 7, "operator": ["Exists"]}), false),
            (json!("not an object"), false),
        ];
        for (tol, want) in cases {
            let t = Toleration::parse_list(Some(&json!([tol.clone()])));
            assert_eq!(tolerated(&t, &taint), want, "{tol}");
        }
    }

    #[test]
    fn taints_with_unknown_effects_are_skipped_and_untolerated_ones_found() {
        let t = Taint::parse_list(Some(&json!([
            {"key": "a", "effect": "NoSchedule"},
            {"key": "b", "effect": "Sometimes"},
            {"key": "c"},
            {"key": "d", "effect": "NoExecute"}
        ])));
        assert_eq!(t.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(), ["a", "d"]);
        let tols = Toleration::parse_list(Some(&json!([{"key": "a", "operator": "Exists"}])));
        assert_eq!(find_untolerated(&t, &tols, |_| true).map(|t| t.key.as_str()), Some("d"));
        assert!(find_untolerated(&t, &tols, |t| t.effect == Effect::NoSchedule).is_none());
    }
}
