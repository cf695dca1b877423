//! Container resource requirements: names, quantities, and requests within limits.

use super::{Errs, child, key};
use crate::sim::api::quantity::{Quantity, parse_quantity};
use serde_json::Value;

/// Resource names a container may request without a domain prefix.
fn is_standard_container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-")
}

/// Extended resources (`nvidia.com/gpu`) cannot be overcommitted: requests must equal limits.
fn is_extended(name: &str) -> bool {
    name.contains('/') && !name.starts_with("kubernetes.io/") && !name.starts_with("requests.")
}

pub(super) fn validate_resources(res: Option<&Value>, path: &str, errs: &mut Errs) {
    let Some(res) = res else { return };
    let parse_list = |field: &str, errs: &mut Errs| -> Vec<(String, Quantity)> {
        let mut out = Vec::new();
        let Some(Value::Object(map)) = res.get(field) else { return out };
        for (name, q) in map {
            let p = key(&child(path, field), name);
            if !is_standard_container_resource(name) && !name.contains('/') {
                errs.invalid_str(&p, name, "must be a standard resource for containers");
                continue;
            }
            let text = match q {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let Ok(qty) = parse_quantity(&text) else { continue };
            if qty.is_negative() {
                errs.invalid_str(&p, &qty.to_string(), "must be greater than or equal to 0");
            } else if is_extended(name) && qty.milli_value() % 1000 != 0 {
                errs.invalid_str(&p, &qty.to_string(), "must be an integer");
            }
            out.push((name.clone(), qty));
        }
        out
    };
    let limits = parse_list("limits", errs);
    let requests = parse_list("requests", errs);
    for (name, req) in &requests {
        match limits.iter().find(|(n, _)| n == name) {
            Some((_, lim)) if is_extended(name) && req != lim => errs.invalid_str(
                &child(path, "requests"),
                &req.to_string(),
                &format!("must be equal to {name} limit of {lim}"),
            ),
            Some((_, lim)) if req > lim => errs.invalid_str(
                &child(path, "requests"),
                &req.to_string(),
                &format!("must be less than or equal to {name} limit of {lim}"),
            ),
            None if is_extended(name) => {
                errs.required(&child(path, "limits"), "Limit must be set for non overcommitable resources")
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(res: Value) -> Vec<String> {
        let mut errs = Errs::default();
        validate_resources(Some(&res), "resources", &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn requests_within_limits() {
        assert!(
            check(json!({"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}}))
                .is_empty()
        );
        assert_eq!(
            check(json!({"requests": {"memory": "1Gi"}, "limits": {"memory": "512Mi"}})),
            ["resources.requests: Invalid value: \"1Gi\": must be less than or equal to memory limit of 512Mi"]
        );
        assert!(check(json!({"requests": {"cpu": 1}, "limits": {"cpu": 2}})).is_empty(), "numbers are quantities too");
    }

    #[test]
    fn extended_resources_are_whole_and_not_overcommitted() {
        assert!(
            check(json!({"requests": {"example.com/dongle": "3"}, "limits": {"example.com/dongle": "3"}})).is_empty()
        );
        assert_eq!(
            check(json!({"requests": {"example.com/dongle": "2"}, "limits": {"example.com/dongle": "3"}})),
            ["resources.requests: Invalid value: \"2\": must be equal to example.com/dongle limit of 3"]
        );
        assert_eq!(
            check(json!({"requests": {"example.com/dongle": "1"}})),
            ["resources.limits: Required value: Limit must be set for non overcommitable resources"]
        );
        assert_eq!(
            check(json!({"limits": {"nvidia.com/gpu": "500m"}})),
            ["resources.limits[nvidia.com/gpu]: Invalid value: \"500m\": must be an integer"]
        );
    }
}
