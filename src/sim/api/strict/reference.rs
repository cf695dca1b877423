//! The reference the schema table is proven against: decoding into the k8s-openapi structs.
//!
//! This is how strict checking worked before the table (and how it would with the typed structs in
//! the page): [`value_de`] decodes the object into its k8s-openapi type and notes every field the
//! struct skips. The same list of typed kinds feeds the table generator ([`super::table`]).
//! Native tests only; [`super::equivalence`] compares the two.

mod value_de;

use super::tracer::{Traced, trace_resource};
use k8s_openapi::api;
use serde_json::Value;

/// One served kind and its k8s-openapi struct, as the functions that use the struct's type.
pub(super) struct TypedKind {
    /// `group/version/Kind`, the core group empty: `/v1/Pod`.
    pub key: &'static str,
    /// Decodes an object into the struct: unknown fields' paths, or Go's message for a bad value.
    pub probe: fn(&Value) -> Result<Vec<String>, String>,
    /// The struct's shape, for the schema table.
    pub trace: fn() -> Traced,
}

macro_rules! typed {
    ($key:literal, $t:ty) => {
        TypedKind { key: $key, probe: value_de::probe::<$t>, trace: trace_resource::<$t> }
    };
}

/// Every kind the sandbox serves that strict validation covers.
pub(super) fn typed_kinds() -> Vec<TypedKind> {
    vec![
        typed!("/v1/ConfigMap", api::core::v1::ConfigMap),
        typed!("/v1/Endpoints", api::core::v1::Endpoints),
        typed!("/v1/Event", api::core::v1::Event),
        typed!("/v1/LimitRange", api::core::v1::LimitRange),
        typed!("/v1/Namespace", api::core::v1::Namespace),
        typed!("/v1/Node", api::core::v1::Node),
        typed!("/v1/PersistentVolume", api::core::v1::PersistentVolume),
        typed!("/v1/PersistentVolumeClaim", api::core::v1::PersistentVolumeClaim),
        typed!("/v1/Pod", api::core::v1::Pod),
        typed!("/v1/ReplicationController", api::core::v1::ReplicationController),
        typed!("/v1/ResourceQuota", api::core::v1::ResourceQuota),
        typed!("/v1/Secret", api::core::v1::Secret),
        typed!("/v1/Service", api::core::v1::Service),
        typed!("/v1/ServiceAccount", api::core::v1::ServiceAccount),
        typed!("apps/v1/ControllerRevision", api::apps::v1::ControllerRevision),
        typed!("apps/v1/DaemonSet", api::apps::v1::DaemonSet),
        typed!("apps/v1/Deployment", api::apps::v1::Deployment),
        typed!("apps/v1/ReplicaSet", api::apps::v1::ReplicaSet),
        typed!("apps/v1/StatefulSet", api::apps::v1::StatefulSet),
        typed!("autoscaling/v1/HorizontalPodAutoscaler", api::autoscaling::v1::HorizontalPodAutoscaler),
        typed!("autoscaling/v2/HorizontalPodAutoscaler", api::autoscaling::v2::HorizontalPodAutoscaler),
        typed!("batch/v1/CronJob", api::batch::v1::CronJob),
        typed!("batch/v1/Job", api::batch::v1::Job),
        typed!("coordination.k8s.io/v1/Lease", api::coordination::v1::Lease),
        typed!("discovery.k8s.io/v1/EndpointSlice", api::discovery::v1::EndpointSlice),
        typed!("events.k8s.io/v1/Event", api::events::v1::Event),
        typed!("networking.k8s.io/v1/Ingress", api::networking::v1::Ingress),
        typed!("networking.k8s.io/v1/IngressClass", api::networking::v1::IngressClass),
        typed!("networking.k8s.io/v1/NetworkPolicy", api::networking::v1::NetworkPolicy),
        typed!("policy/v1/PodDisruptionBudget", api::policy::v1::PodDisruptionBudget),
        typed!("rbac.authorization.k8s.io/v1/ClusterRole", api::rbac::v1::ClusterRole),
        typed!("rbac.authorization.k8s.io/v1/ClusterRoleBinding", api::rbac::v1::ClusterRoleBinding),
        typed!("rbac.authorization.k8s.io/v1/Role", api::rbac::v1::Role),
        typed!("rbac.authorization.k8s.io/v1/RoleBinding", api::rbac::v1::RoleBinding),
        typed!("scheduling.k8s.io/v1/PriorityClass", api::scheduling::v1::PriorityClass),
        typed!("storage.k8s.io/v1/StorageClass", api::storage::v1::StorageClass),
    ]
}

/// Decodes into the typed struct of (group, version, kind); `None` if the kind has no typed form here.
pub(super) fn probe_kind(group: &str, version: &str, kind: &str, obj: &Value) -> Option<Result<Vec<String>, String>> {
    let key = format!("{group}/{version}/{kind}");
    typed_kinds().iter().find(|k| k.key == key).map(|k| (k.probe)(obj))
}
