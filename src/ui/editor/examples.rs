//! Example manifests offered by the editor (the YAML lives in `static/examples/`, compiled in).

/// One example: its menu label and its YAML.
pub struct Example {
    pub label: &'static str,
    pub yaml: &'static str,
}

/// The editor's menu, in order; the first is loaded on a first visit.
pub const EXAMPLES: [Example; 6] = [
    Example { label: "Deployment (3 nginx replicas)", yaml: include_str!("../../../static/examples/deployment.yaml") },
    Example { label: "Pod", yaml: include_str!("../../../static/examples/pod.yaml") },
    Example { label: "Service", yaml: include_str!("../../../static/examples/service.yaml") },
    Example { label: "Job", yaml: include_str!("../../../static/examples/job.yaml") },
    Example {
        label: "StatefulSet + headless Service",
        yaml: include_str!("../../../static/examples/statefulset.yaml"),
    },
    Example {
        label: "App: namespace, API, Service, Job",
        yaml: include_str!("../../../static/examples/app-stack.yaml"),
    },
];

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn every_example_is_well_formed_kubernetes_yaml() {
        for ex in &EXAMPLES {
            let mut kinds = Vec::new();
            for doc in serde_yaml::Deserializer::from_str(ex.yaml) {
                let v = serde_json::Value::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", ex.label));
                for field in ["/apiVersion", "/kind", "/metadata/name"] {
                    assert!(
                        v.pointer(field).and_then(|f| f.as_str()).is_some_and(|s| !s.is_empty()),
                        "{}: no {field}",
                        ex.label
                    );
                }
                kinds.push(v["kind"].as_str().unwrap_or_default().to_string());
            }
            assert!(!kinds.is_empty(), "{} has no documents", ex.label);
        }
        let stack: Vec<_> = serde_yaml::Deserializer::from_str(EXAMPLES[5].yaml)
            .map(|d| {
                serde_json::Value::deserialize(d).expect("checked above")["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        assert_eq!(stack, ["Namespace", "Deployment", "Service", "Job"]);
    }

    #[test]
    fn every_example_applies_cleanly_to_a_fresh_cluster() {
        for ex in &EXAMPLES {
            let mut sim = crate::ui::bridge::Sim::unbooted(1);
            let out = crate::ui::bridge::kubectl(&mut sim, "kubectl apply -f -", Some(ex.yaml));
            assert!(out.stderr.is_empty() && !out.failed, "{}: {}", ex.label, out.stderr);
            assert!(out.stdout.contains("created"), "{}: {}", ex.label, out.stdout);
        }
    }
}
