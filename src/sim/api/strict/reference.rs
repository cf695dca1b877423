//! The reference the schema table is proven against: decoding into the k8s-openapi structs.
//!
//! This is how strict checking worked before the table (and how it would with the typed structs in
//! the page): [`value_de`] decodes the object into its k8s-openapi type and notes every field the
//! struct skips. Native tests only; [`super::equivalence`] compares it with the table walk.

mod value_de;

use k8s_openapi::api;
use serde_json::Value;

/// Decodes into the typed struct of (group, version, kind); `None` if the kind has no typed form here.
pub(super) fn probe_kind(group: &str, version: &str, kind: &str, obj: &Value) -> Option<Result<Vec<String>, String>> {
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

