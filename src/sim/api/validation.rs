//! Object validation: what the apiserver checks before it stores an object, in its exact words.
//!
//! Each kind has a validator that collects every problem (as apimachinery's `field.ErrorList`) so a
//! learner sees them all at once, and an `Invalid` error prints them as kubectl does:
//!
//! ```text
//! The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`
//! The Pod "x" is invalid:
//! * spec.containers[0].image: Required value
//! * spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"
//! ```
//!
//! Validation runs on defaulted objects, as in Kubernetes (defaulting happens while decoding).

mod config;
mod container;
mod env;
pub mod gofmt;
mod ingress;
mod jobs;
mod meta;
pub mod names;
mod network_policy;
mod pod;
mod policy;
mod quota;
mod resources;
mod scheduling;
mod service;
mod statefulset;
mod storage;
mod workloads;

use super::registry::ResourceType;
use serde_json::Value;
use std::fmt;
use thiserror::Error;

/// A rejected value, printed as Go's `field.Error` prints it (`%q` for strings, `%v` for numbers,
/// `%#v` for anything else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    /// A string, printed quoted.
    Str(String),
    /// An integer, printed bare.
    Int(i64),
    /// A boolean, printed bare.
    Bool(bool),
    /// Anything else, already in Go's `%#v` form (see [`gofmt`]).
    Raw(String),
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Str(s) => f.write_str(&gofmt::quote(s)),
            BadValue::Int(i) => write!(f, "{i}"),
            BadValue::Bool(b) => write!(f, "{b}"),
            BadValue::Raw(r) => f.write_str(r),
        }
    }
}

/// The kinds of field error apimachinery knows, with what each carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A reference to something that does not exist (`Not found`).
    NotFound(BadValue),
    /// A missing value (`Required value`).
    Required,
    /// A value that must be unique but is not (`Duplicate value`).
    Duplicate(BadValue),
    /// A malformed value (`Invalid value`).
    Invalid(BadValue),
    /// A value outside a fixed set (`Unsupported value`), with the allowed values.
    Unsupported(BadValue, Vec<String>),
    /// A field that may not be set or changed here (`Forbidden`).
    Forbidden,
    /// A value longer than allowed (`Too long`), with the limit in bytes.
    TooLong(usize),
    /// A list with more items than allowed (`Too many`), with the count and the limit.
    TooMany(usize, usize),
}

/// One problem at one field path, like apimachinery's `field.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, e.g. `spec.containers[0].image`.
    pub path: String,
    /// What is wrong.
    pub kind: ErrorKind,
    /// The explanation after the value, possibly empty.
    pub detail: String,
}

impl FieldError {
    /// The message without the path, as the apiserver puts it in a `StatusCause`.
    pub fn body(&self) -> String {
        let mut s = match &self.kind {
            ErrorKind::NotFound(v) => format!("Not found: {v}"),
            ErrorKind::Required => "Required value".to_string(),
            ErrorKind::Duplicate(v) => format!("Duplicate value: {v}"),
            ErrorKind::Invalid(v) => format!("Invalid value: {v}"),
            ErrorKind::Unsupported(v, _) => format!("Unsupported value: {v}"),
            ErrorKind::Forbidden => "Forbidden".to_string(),
            ErrorKind::TooLong(_) => "Too long".to_string(),
            ErrorKind::TooMany(n, _) => format!("Too many: {n}"),
        };
        let detail = match &self.kind {
            ErrorKind::Unsupported(_, allowed) if self.detail.is_empty() => {
                format!("supported values: {}", allowed.iter().map(|a| gofmt::quote(a)).collect::<Vec<_>>().join(", "))
            }
            ErrorKind::TooLong(max) if self.detail.is_empty() => format!("must have at most {max} bytes"),
            ErrorKind::TooMany(_, max) if self.detail.is_empty() => format!("must have at most {max} items"),
            _ => self.detail.clone(),
        };
        if !detail.is_empty() {
            s.push_str(": ");
            s.push_str(&detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.body())
    }
}

/// An object the apiserver refuses (HTTP 422). `Display` is kubectl's rendering.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct Invalid {
    /// The kind, e.g. `Deployment`.
    pub kind: String,
    /// The API group, e.g. `apps` (empty for core).
    pub group: String,
    /// The object's name (may be empty for generateName objects).
    pub name: String,
    /// Every problem found, in the order the apiserver finds them.
    pub causes: Vec<FieldError>,
}

impl Invalid {
    /// The apiserver's `Status.message`, e.g. `Deployment.apps "web" is invalid: [a, b]`.
    pub fn status_message(&self) -> String {
        let kind = if self.group.is_empty() { self.kind.clone() } else { format!("{}.{}", self.kind, self.group) };
        let msgs = self.unique_messages();
        let agg = match msgs.len() {
            1 => msgs[0].clone(),
            _ => format!("[{}]", msgs.join(", ")),
        };
        format!("{kind} {} is invalid: {agg}", gofmt::quote(&self.name))
    }

    /// Messages with duplicates removed, as apimachinery's aggregate does.
    fn unique_messages(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in self.causes.iter().map(ToString::to_string) {
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }
}

/// kubectl's rendering: one cause on the same line, several as a `* ` list.
impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = format!("The {} {} is invalid: ", self.kind, gofmt::quote(&self.name));
        let msgs = self.unique_messages();
        match msgs.len() {
            0 => write!(f, "{}", prefix.trim_end()),
            1 => write!(f, "{prefix}{}", msgs[0]),
            _ => {
                write!(f, "{prefix}")?;
                for m in &msgs {
                    write!(f, "\n* {m}")?;
                }
                Ok(())
            }
        }
    }
}

/// A growing error list, with the constructors of apimachinery's `field` package.
#[derive(Debug, Default)]
pub(crate) struct Errs(pub Vec<FieldError>);

impl Errs {
    fn push(&mut self, path: &str, kind: ErrorKind, detail: &str) {
        self.0.push(FieldError { path: path.to_string(), kind, detail: detail.to_string() });
    }
    pub fn required(&mut self, path: &str, detail: &str) {
        self.push(path, ErrorKind::Required, detail);
    }
    pub fn forbidden(&mut self, path: &str, detail: &str) {
        self.push(path, ErrorKind::Forbidden, detail);
    }
    pub fn invalid(&mut self, path: &str, value: BadValue, detail: &str) {
        self.push(path, ErrorKind::Invalid(value), detail);
    }
    pub fn invalid_str(&mut self, path: &str, value: &str, detail: &str) {
        self.invalid(path, BadValue::Str(value.to_string()), detail);
    }
    pub fn invalid_int(&mut self, path: &str, value: i64, detail: &str) {
        self.invalid(path, BadValue::Int(value), detail);
    }
    pub fn duplicate(&mut self, path: &str, value: &str) {
        self.duplicate_value(path, BadValue::Str(value.to_string()));
    }
    pub fn duplicate_value(&mut self, path: &str, value: BadValue) {
        self.push(path, ErrorKind::Duplicate(value), "");
    }
    pub fn not_found(&mut self, path: &str, value: &str) {
        self.push(path, ErrorKind::NotFound(BadValue::Str(value.to_string())), "");
    }
    pub fn unsupported(&mut self, path: &str, value: &str, allowed: &[&str]) {
        self.unsupported_value(path, BadValue::Str(value.to_string()), allowed);
    }
    pub fn unsupported_value(&mut self, path: &str, value: BadValue, allowed: &[&str]) {
        let allowed = allowed.iter().map(|a| a.to_string()).collect();
        self.push(path, ErrorKind::Unsupported(value, allowed), "");
    }
    pub fn too_long(&mut self, path: &str, max: usize) {
        self.push(path, ErrorKind::TooLong(max), "");
    }
    /// `Invalid` once per message of a name/label checker (how apimachinery reports them).
    pub fn each_invalid(&mut self, path: &str, value: &str, msgs: Vec<String>) {
        for m in msgs {
            self.invalid_str(path, value, &m);
        }
    }
    /// `must be greater than or equal to 0` for a negative number, as ValidateNonnegativeField.
    pub fn non_negative(&mut self, path: &str, value: Option<i64>) {
        if let Some(v) = value.filter(|v| *v < 0) {
            self.invalid_int(path, v, "must be greater than or equal to 0");
        }
    }
}

/// `a.b` for a field of `a` (or just `b` at the root).
pub(crate) fn child(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
}

/// `a[3]` for an element of the list at `a`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// `a[key]` for an entry of the map at `a`.
pub(crate) fn key(path: &str, k: &str) -> String {
    format!("{path}[{k}]")
}

/// Validates a (defaulted) object of type `rt`; `old` is the stored object on update, which
/// adds the immutability rules. The object's `metadata.namespace` should already be set for
/// namespaced kinds (the apiserver fills it from the request).
pub fn validate(rt: &ResourceType, obj: &Value, old: Option<&Value>) -> Result<(), Invalid> {
    let mut errs = Errs::default();
    meta::validate_object_meta(rt, obj, &mut errs);
    match (rt.group, rt.kind) {
        ("", "Pod") => pod::validate_pod(obj, old, &mut errs),
        ("", "Service") => service::validate_service(obj, old, &mut errs),
        ("", "Endpoints") => service::validate_endpoints(obj, &mut errs),
        ("discovery.k8s.io", "EndpointSlice") => service::validate_endpoint_slice(obj, &mut errs),
        ("networking.k8s.io", "Ingress") => ingress::validate_ingress(obj, &mut errs),
        ("networking.k8s.io", "IngressClass") => ingress::validate_ingress_class(obj, &mut errs),
        ("networking.k8s.io", "NetworkPolicy") => network_policy::validate_network_policy(obj, &mut errs),
        ("apps", "Deployment") => workloads::validate_deployment(obj, old, &mut errs),
        ("apps", "ReplicaSet") => workloads::validate_replica_set(obj, old, &mut errs),
        ("", "ReplicationController") => workloads::validate_replication_controller(obj, &mut errs),
        ("apps", "StatefulSet") => statefulset::validate_stateful_set(obj, old, &mut errs),
        ("apps", "DaemonSet") => workloads::validate_daemon_set(obj, old, &mut errs),
        ("apps", "ControllerRevision") => workloads::validate_controller_revision(obj, old, &mut errs),
        ("batch", "Job") => jobs::validate_job(obj, old, &mut errs),
        ("batch", "CronJob") => jobs::validate_cron_job(obj, &mut errs),
        ("", "ConfigMap") => config::validate_config_map(obj, old, &mut errs),
        ("", "Secret") => config::validate_secret(obj, old, &mut errs),
        ("", "Namespace") => config::validate_namespace(obj, &mut errs),
        ("", "PersistentVolume") => storage::validate_persistent_volume(obj, &mut errs),
        ("", "PersistentVolumeClaim") => storage::validate_persistent_volume_claim(obj, old, &mut errs),
        ("storage.k8s.io", "StorageClass") => storage::validate_storage_class(obj, old, &mut errs),
        ("", "ResourceQuota") => quota::validate_resource_quota(obj, &mut errs),
        ("", "LimitRange") => storage::validate_limit_range(obj, &mut errs),
        ("", "Node") => config::validate_node(obj, &mut errs),
        ("autoscaling", "HorizontalPodAutoscaler") => policy::validate_hpa(obj, &mut errs),
        ("policy", "PodDisruptionBudget") => policy::validate_pdb(obj, &mut errs),
        ("scheduling.k8s.io", "PriorityClass") => policy::validate_priority_class(obj, old, &mut errs),
        ("rbac.authorization.k8s.io", _) => policy::validate_rbac(rt.kind, obj, old, &mut errs),
        ("coordination.k8s.io", "Lease") => policy::validate_lease(obj, &mut errs),
        (group, "Event") => policy::validate_event(obj, group == "events.k8s.io", old.is_none(), &mut errs),
        _ => {}
    }
    if errs.0.is_empty() {
        return Ok(());
    }
    Err(Invalid {
        kind: rt.kind.to_string(),
        group: rt.group.to_string(),
        name: super::meta::name(obj).to_string(),
        causes: errs.0,
    })
}

/// Validates a pod as the apiserver would before storing it: what a ReplicaSet controller's
/// create call runs into when its template lacks an image, for instance.
pub fn validate_pod_spec(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Errs::default();
    pod::validate_pod_spec(spec, path, true, &mut errs);
    errs.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(path: &str, kind: ErrorKind, detail: &str) -> FieldError {
        FieldError { path: path.into(), kind, detail: detail.into() }
    }

    #[test]
    fn field_errors_print_like_apimachinery() {
        let cases = [
            (err("spec.containers[0].image", ErrorKind::Required, ""), "spec.containers[0].image: Required value"),
            (
                err("metadata.name", ErrorKind::Required, "name or generateName is required"),
                "metadata.name: Required value: name or generateName is required",
            ),
            (
                err("spec.replicas", ErrorKind::Invalid(BadValue::Int(-1)), "must be greater than or equal to 0"),
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            ),
            (
                err(
                    "spec.restartPolicy",
                    ErrorKind::Unsupported(
                        BadValue::Str("Sometimes".into()),
                        vec!["Always".into(), "OnFailure".into(), "Never".into()],
                    ),
                    "",
                ),
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            ),
            (
                err("spec.volumes[1].name", ErrorKind::Duplicate(BadValue::Str("data".into())), ""),
                "spec.volumes[1].name: Duplicate value: \"data\"",
            ),
            (
                err("spec.containers[0].volumeMounts[0].name", ErrorKind::NotFound(BadValue::Str("x".into())), ""),
                "spec.containers[0].volumeMounts[0].name: Not found: \"x\"",
            ),
            (err("data", ErrorKind::TooLong(1048576), ""), "data: Too long: must have at most 1048576 bytes"),
            (err("spec", ErrorKind::Forbidden, "nope"), "spec: Forbidden: nope"),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }

    #[test]
    fn invalid_renders_one_or_many_causes() {
        let one = Invalid {
            kind: "Deployment".into(),
            group: "apps".into(),
            name: "web".into(),
            causes: vec![err(
                "spec.replicas",
                ErrorKind::Invalid(BadValue::Int(-1)),
                "must be greater than or equal to 0",
            )],
        };
        assert_eq!(
            one.to_string(),
            "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(
            one.status_message(),
            "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        let two = Invalid {
            kind: "Pod".into(),
            group: String::new(),
            name: "x".into(),
            causes: vec![
                err("a", ErrorKind::Required, ""),
                err("b", ErrorKind::Forbidden, ""),
                err("a", ErrorKind::Required, ""),
            ],
        };
        assert_eq!(two.to_string(), "The Pod \"x\" is invalid: \n* a: Required value\n* b: Forbidden");
        assert_eq!(two.status_message(), "Pod \"x\" is invalid: [a: Required value, b: Forbidden]");
    }
}
