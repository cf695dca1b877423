//! Strict field validation: the apiserver refuses unknown fields and values of the wrong type.
//!
//! Since Kubernetes 1.27 kubectl asks the apiserver for `fieldValidation=Strict`, so a typo such as
//! `contianers` is a 400 `strict decoding error: unknown field "spec.template.spec.contianers"`
//! rather than being silently dropped. We decode the object into the k8s-openapi struct of its kind
//! with a path-tracking deserializer ([`value_de`]) that reports every field the struct skips and
//! words type errors as Go's `encoding/json` does. That beats a serialize-and-diff round trip: a
//! field that is known but empty (`metadata.creationTimestamp: null`, `resources: {}`) is not
//! mistaken for an unknown one.

mod value_de;

use super::decode::DecodeError;
use super::registry::{split_api_version, ResourceType};
use k8s_openapi::api;
use serde_json::Value;

/// Checks `obj` as the apiserver's strict decoder would for its kind and apiVersion.
pub fn check_strict(rt: &ResourceType, obj: &Value) -> Result<(), DecodeError> {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let (_, version) = split_api_version(api_version);
    let version = if version.is_empty() { rt.version } else { version };
    let result = probe_kind(rt.group, version, rt.kind, obj);
    let bad = |message: String| DecodeError::BadValue { kind: rt.kind.into(), version: version.into(), message };
    match result {
        None => Ok(()),
        Some(Err(message)) => Err(bad(message)),
        Some(Ok(fields)) if fields.is_empty() => Ok(()),
        Some(Ok(fields)) => Err(DecodeError::UnknownFields { kind: rt.kind.into(), version: version.into(), fields }),
    }
}

/// Decodes into the typed struct of (group, version, kind); `None` if the kind has no typed form here.
fn probe_kind(group: &str, version: &str, kind: &str, obj: &Value) -> Option<Result<Vec<String>, String>> {
    use value_de::probe;
    Some(match (group, version, kind) {
        ("", "v1", "ConfigMap") => probe::<api::core::v1::ConfigMap>(obj),
        ("", "v1", "Endpoints") => probe::<api::core::v1::Endpoints>(obj),
        ("", "v1", "Event") => probe::<api::core::v1::Event>(obj),
        ("", "v1", "LimitRange") => probe::<api::core::v1::LimitRange>(obj),
        ("", "v1", "Namespace") => probe::<api::core::v1::Namespace>(obj),
        ("", "v1", "Node") => probe::<api::core::v1::Node>(obj),
        ("", "v1", "PersistentVolume") => probe::<api::core::v1::PersistentVolume>(obj),
        ("", "v1", "PersistentVolumeClaim") => probe::<api::core::v1::PersistentVolumeClaim>(obj),
        ("", "v1", "Pod") => probe::<api::core::v1::Pod>(obj),
        ("", "v1", "ResourceQuota") => probe::<api::core::v1::ResourceQuota>(obj),
        ("", "v1", "Secret") => probe::<api::core::v1::Secret>(obj),
        ("", "v1", "Service") => probe::<api::core::v1::Service>(obj),
        ("", "v1", "ServiceAccount") => probe::<api::core::v1::ServiceAccount>(obj),
        ("apps", "v1", "ControllerRevision") => probe::<api::apps::v1::ControllerRevision>(obj),
        ("apps", "v1", "DaemonSet") => probe::<api::apps::v1::DaemonSet>(obj),
        ("apps", "v1", "Deployment") => probe::<api::apps::v1::Deployment>(obj),
        ("apps", "v1", "ReplicaSet") => probe::<api::apps::v1::ReplicaSet>(obj),
        ("apps", "v1", "StatefulSet") => probe::<api::apps::v1::StatefulSet>(obj),
        ("autoscaling", "v1", "HorizontalPodAutoscaler") => probe::<api::autoscaling::v1::HorizontalPodAutoscaler>(obj),
        ("autoscaling", "v2", "HorizontalPodAutoscaler") => probe::<api::autoscaling::v2::HorizontalPodAutoscaler>(obj),
        ("batch", "v1", "CronJob") => probe::<api::batch::v1::CronJob>(obj),
        ("batch", "v1", "Job") => probe::<api::batch::v1::Job>(obj),
        ("coordination.k8s.io", "v1", "Lease") => probe::<api::coordination::v1::Lease>(obj),
        ("discovery.k8s.io", "v1", "EndpointSlice") => probe::<api::discovery::v1::EndpointSlice>(obj),
        ("events.k8s.io", "v1", "Event") => probe::<api::events::v1::Event>(obj),
        ("networking.k8s.io", "v1", "Ingress") => probe::<api::networking::v1::Ingress>(obj),
        ("networking.k8s.io", "v1", "IngressClass") => probe::<api::networking::v1::IngressClass>(obj),
        ("networking.k8s.io", "v1", "NetworkPolicy") => probe::<api::networking::v1::NetworkPolicy>(obj),
        ("policy", "v1", "PodDisruptionBudget") => probe::<api::policy::v1::PodDisruptionBudget>(obj),
        ("rbac.authorization.k8s.io", "v1", "ClusterRole") => probe::<api::rbac::v1::ClusterRole>(obj),
        ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding") => probe::<api::rbac::v1::ClusterRoleBinding>(obj),
        ("rbac.authorization.k8s.io", "v1", "Role") => probe::<api::rbac::v1::Role>(obj),
        ("rbac.authorization.k8s.io", "v1", "RoleBinding") => probe::<api::rbac::v1::RoleBinding>(obj),
        ("scheduling.k8s.io", "v1", "PriorityClass") => probe::<api::scheduling::v1::PriorityClass>(obj),
        ("storage.k8s.io", "v1", "StorageClass") => probe::<api::storage::v1::StorageClass>(obj),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::registry::resources;
    use serde_json::json;

    fn rt(kind: &str, group: &str) -> &'static ResourceType {
        resources().iter().find(|r| r.kind == kind && r.group == group).expect("served kind")
    }

    fn deployment(spec: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"},
            "creationTimestamp": null}, "spec": spec})
    }

    fn pod_template(containers: Value) -> Value {
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}})
    }

    #[test]
    fn every_served_kind_has_a_typed_form() {
        for r in resources() {
            for v in std::iter::once(r.version).chain(r.other_versions.iter().copied()) {
                assert!(probe_kind(r.group, v, r.kind, &json!({})).is_some(), "{} {v}", r.kind);
            }
        }
    }

    #[test]
    fn accepts_a_clean_deployment() {
        let d = deployment(json!({"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": pod_template(json!([{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}],
                "resources": {"limits": {"cpu": "500m", "memory": 128}, "requests": {}}}]))}));
        assert_eq!(check_strict(rt("Deployment", "apps"), &d), Ok(()));
    }

    #[test]
    fn reports_unknown_fields_at_every_depth() {
        let cases = [
            (deployment(json!({"replica": 1})), vec!["spec.replica"]),
            (deployment(json!({"template": pod_template(json!([{"name": "a", "image": "b", "imagePullPolice": "x"}]))})),
                vec!["spec.template.spec.containers[0].imagePullPolice"]),
            (deployment(json!({"template": {"metadata": {"labels": {"a": "b"}, "containers": []},
                "spec": {"contianers": [], "volumes": []}}})),
                vec!["spec.template.metadata.containers", "spec.template.spec.contianers"]),
            (deployment(json!({"template": pod_template(json!([{}, {"name": "b", "ports": [{"containerport": 80}]}]))})),
                vec!["spec.template.spec.containers[1].ports[0].containerport"]),
            (json!({"apiVersion": "apps/v1", "kind": "Deployment", "metdata": {}, "status": {"foo": 1}}),
                vec!["metdata", "status.foo"]),
        ];
        for (obj, want) in cases {
            match check_strict(rt("Deployment", "apps"), &obj) {
                Err(DecodeError::UnknownFields { fields, .. }) => assert_eq!(fields, want),
                other => panic!("expected unknown fields {want:?}, got {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_field_message_matches_apiserver() {
        let d = deployment(json!({"replica": 1, "template": {"metadata": {"containers": []}}}));
        let err = check_strict(rt("Deployment", "apps"), &d).expect_err("two unknown fields");
        assert_eq!(
            err.to_string(),
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: \
             unknown field \"spec.replica\", unknown field \"spec.template.metadata.containers\""
        );
    }

    #[test]
    fn type_errors_name_the_go_field() {
        let cases = [
            (deployment(json!({"replicas": "three"})),
                "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
            (deployment(json!({"replicas": 1.5})),
                "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"),
            (deployment(json!({"template": pod_template(json!([{"name": "a", "env": [{"name": "X", "value": 5}]}]))})),
                "json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string"),
            (deployment(json!({"template": pod_template(json!({"name": "a"}))})),
                "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"),
            (deployment(json!("nope")),
                "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec"),
            (json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"labels": {"enabled": true}}}),
                "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"),
            (deployment(json!({"template": pod_template(json!([{"name": "a", "resources": {"limits": {"cpu": "lots"}}}]))})),
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        ];
        for (obj, want) in cases {
            match check_strict(rt("Deployment", "apps"), &obj) {
                Err(DecodeError::BadValue { message, .. }) => assert_eq!(message, want),
                other => panic!("expected {want}, got {other:?}"),
            }
        }
    }

    #[test]
    fn go_leniency_and_formats() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "creationTimestamp": null,
            "annotations": {"a": "b"}}, "spec": {"containers": [null, {"name": null, "ports": null}],
            "nodeSelector": {"disk": "ssd"}}});
        assert_eq!(check_strict(rt("Pod", ""), &pod), Ok(()));
        let bad_time = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"creationTimestamp": "yesterday"}});
        assert!(matches!(check_strict(rt("Pod", ""), &bad_time), Err(DecodeError::BadValue { .. })));
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"ok": "YWRtaW4=", "bad": "admin"}});
        let err = check_strict(rt("Secret", ""), &secret).expect_err("bad base64");
        assert_eq!(err.to_string(), "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 4");
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}, "binaryData": {"b": "YQ=="}});
        assert_eq!(check_strict(rt("ConfigMap", ""), &cm), Ok(()));
    }

    #[test]
    fn hpa_checks_the_version_it_was_sent_in() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "x"}, "maxReplicas": 3, "targetCPUUtilizationPercentage": 50}});
        assert_eq!(check_strict(rt("HorizontalPodAutoscaler", "autoscaling"), &v1), Ok(()));
        let mut v2 = v1.clone();
        v2["apiVersion"] = json!("autoscaling/v2");
        match check_strict(rt("HorizontalPodAutoscaler", "autoscaling"), &v2) {
            Err(DecodeError::UnknownFields { version, fields, .. }) => {
                assert_eq!((version.as_str(), fields), ("v2", vec!["spec.targetCPUUtilizationPercentage".to_string()]))
            }
            other => panic!("v2 has no targetCPUUtilizationPercentage: {other:?}"),
        }
    }

    #[test]
    fn int_or_string_and_sidecars() {
        let svc = json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": "http"},
            {"port": 81, "targetPort": 8081}]}});
        assert_eq!(check_strict(rt("Service", ""), &svc), Ok(()));
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": {"initContainers": [{"name": "s", "image": "x",
            "restartPolicy": "Always"}], "containers": [{"name": "a", "image": "b"}]}});
        assert_eq!(check_strict(rt("Pod", ""), &pod), Ok(()));
    }
}
