//! Strict field validation: the apiserver refuses unknown fields and values of the wrong type.
//!
//! Since Kubernetes 1.27 kubectl asks the apiserver for `fieldValidation=Strict`, so a typo such as
//! `contianers` is a 400 `strict decoding error: unknown field "spec.template.spec.contianers"`
//! rather than being silently dropped. The object is walked ([`walk`]) against a table of every
//! served kind's fields and types ([`schema`]), generated from the k8s-openapi structs ([`table`],
//! native tests only) and proven to decide exactly as decoding into those structs does
//! ([`reference`], [`equivalence`]), without shipping their deserializers to the browser.

pub mod docs;
#[cfg(test)]
mod equivalence;
#[cfg(test)]
mod reference;
pub mod schema;
#[cfg(test)]
mod table;
#[cfg(test)]
mod tracer;
mod walk;

use super::decode::DecodeError;
use super::registry::{ResourceType, split_api_version};
use serde_json::Value;

/// Checks `obj` as the apiserver's strict decoder would for its kind and apiVersion.
pub fn check_strict(rt: &ResourceType, obj: &Value) -> Result<(), DecodeError> {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let (_, version) = split_api_version(api_version);
    let version = if version.is_empty() { rt.version } else { version };
    let schema = schema::schema();
    let Some(root) = schema.kind(rt.group, version, rt.kind) else { return Ok(()) };
    let bad = |message: String| DecodeError::BadValue { kind: rt.kind.into(), version: version.into(), message };
    match walk::check(schema, root, obj) {
        Err(message) => Err(bad(message)),
        Ok(fields) if fields.is_empty() => Ok(()),
        Ok(fields) => Err(DecodeError::UnknownFields { kind: rt.kind.into(), version: version.into(), fields }),
    }
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
            (
                deployment(
                    json!({"template": pod_template(json!([{"name": "a", "image": "b", "imagePullPolice": "x"}]))}),
                ),
                vec!["spec.template.spec.containers[0].imagePullPolice"],
            ),
            (
                deployment(json!({"template": {"metadata": {"labels": {"a": "b"}, "containers": []},
                "spec": {"contianers": [], "volumes": []}}})),
                vec!["spec.template.metadata.containers", "spec.template.spec.contianers"],
            ),
            (
                deployment(
                    json!({"template": pod_template(json!([{}, {"name": "b", "ports": [{"containerport": 80}]}]))}),
                ),
                vec!["spec.template.spec.containers[1].ports[0].containerport"],
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metdata": {}, "status": {"foo": 1}}),
                vec!["metdata", "status.foo"],
            ),
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
            (
                deployment(json!({"replicas": "three"})),
                "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
            ),
            (
                deployment(json!({"replicas": 1.5})),
                "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32",
            ),
            (
                deployment(
                    json!({"template": pod_template(json!([{"name": "a", "env": [{"name": "X", "value": 5}]}]))}),
                ),
                "json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string",
            ),
            (
                deployment(json!({"template": pod_template(json!({"name": "a"}))})),
                "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container",
            ),
            (
                deployment(json!("nope")),
                "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"labels": {"enabled": true}}}),
                "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string",
            ),
            (
                deployment(
                    json!({"template": pod_template(json!([{"name": "a", "resources": {"limits": {"cpu": "lots"}}}]))}),
                ),
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ),
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
        assert_eq!(
            err.to_string(),
            "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 4"
        );
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
