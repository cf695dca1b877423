//! Node taints and pod tolerations, and the rule that matches them (`v1helper.TolerationsTolerateTaint`).

use serde_json::Value;

/// What a taint does to pods that do not tolerate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    NoSchedule,
    PreferNoSchedule,
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
}

/// One entry of `node.spec.taints`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: Effect,
}

impl Taint {
    /// Reads `spec.taints`; entries with an unknown effect are skipped (validation rejects them).
    pub fn parse_list(v: Option<&Value>) -> Vec<Taint> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                let s = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                Some(Taint { key: s("key"), value: s("value"), effect: Effect::parse(t.get("effect")?.as_str()?)? })
            })
            .collect()
    }
}

/// One entry of `pod.spec.tolerations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    /// Empty with `exists` means "every key".
    pub key: String,
    /// `operator: Exists` (otherwise `Equal`, the default).
    pub exists: bool,
    pub value: String,
    /// `None` tolerates every effect.
    pub effect: Option<Effect>,
}

impl Toleration {
    /// Reads `spec.tolerations`; an unknown effect reads as "every effect", as an empty one does.
    pub fn parse_list(v: Option<&Value>) -> Vec<Toleration> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| {
                let s = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                Toleration {
                    key: s("key"),
                    exists: s("operator") == "Exists",
                    value: s("value"),
                    effect: t.get("effect").and_then(Value::as_str).and_then(Effect::parse),
                }
            })
            .collect()
    }

    /// `Toleration.ToleratesTaint`: effect, key and value (for `Equal`) must all agree.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if self.effect.is_some_and(|e| e != taint.effect) {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        if self.key.is_empty() && !self.exists {
            // An empty key is only valid with Exists; such a toleration matches nothing.
            return false;
        }
        self.exists || self.value == taint.value
    }
}

/// Whether any toleration tolerates the taint.
pub fn tolerated(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
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
            (json!({"value": "gpu"}), false),
            (json!({"key": "other", "operator": "Exists"}), false),
        ];
        for (tol, want) in cases {
            let t = Toleration::parse_list(Some(&json!([tol.clone()])));
            assert_eq!(tolerated(&t, &taint), want, "{tol}");
        }
    }

    #[test]
    fn taints_with_unknown_effects_are_skipped() {
        let t = Taint::parse_list(Some(&json!([
            {"key": "a", "effect": "NoSchedule"},
            {"key": "b", "effect": "Sometimes"},
            {"key": "c"}
        ])));
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].key, "a");
    }
}
