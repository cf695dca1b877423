//! Admission before storage: what the apiserver fills in and checks on create and update.
//!
//! Order, as in the real apiserver: the object's namespace and name are settled (generateName),
//! system fields are set (uid, creationTimestamp, generation), the registry strategy resets what a
//! client may not set (status), defaulting runs, then mutating admission plugins (NamespaceLifecycle,
//! DefaultTolerationSeconds, LimitRanger, ...), then validation, then the validating ResourceQuota
//! plugin. Only then is the object written to etcd, with the quota usage it charged.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::cache::WatchCache;
use super::quota::QuotaCharge;
use super::status::{Status, qualified};
use crate::sim::api::{self, ResourceType};
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, rfc3339};

/// Kinds whose registry strategy tracks `metadata.generation` (spec changes bump it).
fn tracks_generation(rt: &ResourceType) -> bool {
    !matches!(
        rt.kind,
        "Pod" | "Node" | "Namespace" | "Event" | "ConfigMap" | "Secret" | "Endpoints" | "Lease" | "ServiceAccount"
    )
}

/// Kinds whose status a client may not set on create (the strategy's PrepareForCreate clears it).
fn resets_status_on_create(rt: &ResourceType) -> bool {
    matches!(
        rt.kind,
        "Deployment"
            | "ReplicaSet"
            | "ReplicationController"
            | "StatefulSet"
            | "DaemonSet"
            | "Job"
            | "CronJob"
            | "Pod"
            | "Service"
            | "PersistentVolumeClaim"
            | "HorizontalPodAutoscaler"
            | "PodDisruptionBudget"
            | "Ingress"
            | "ResourceQuota"
    )
}

/// Whether the registry serves a `status` subresource for `rt` (its status strategy).
pub fn has_status_subresource(rt: &ResourceType) -> bool {
    resets_status_on_create(rt) || matches!(rt.kind, "Node" | "Namespace" | "PersistentVolume")
}

/// The Service IP allocator for `10.96.0.0/12` (kind's default service CIDR). 10.96.0.1 is the
/// `kubernetes` Service and 10.96.0.10 is kube-dns, so allocation starts above them.
#[derive(Debug, Clone)]
pub struct IpAllocator {
    next: u32,
    next_node_port: u32,
}

impl Default for IpAllocator {
    fn default() -> Self {
        Self { next: 11, next_node_port: 30000 }
    }
}

impl IpAllocator {
    fn cluster_ip(&mut self, rng: &mut Rng) -> String {
        // Real allocation is random within the range; stay deterministic through the seeded RNG.
        let n = self.next + rng.below(200) as u32;
        self.next = n + 1;
        format!("10.96.{}.{}", n / 256, n % 256)
    }

    fn node_port(&mut self, rng: &mut Rng) -> u32 {
        let p = self.next_node_port + rng.below(50) as u32;
        self.next_node_port = if p >= 32700 { 30000 } else { p + 1 };
        p
    }
}

/// Everything admission needs from the apiserver.
pub struct AdmissionCtx<'a> {
    pub cache: &'a WatchCache,
    pub now: Millis,
    pub rng: &'a mut Rng,
    pub ips: &'a mut IpAllocator,
}

fn meta(obj: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    obj["metadata"].as_object_mut().expect("metadata was just made an object")
}

/// NamespaceLifecycle: content may only be created in a namespace that exists and is not terminating.
fn check_namespace(rt: &ResourceType, ns: &str, name: &str, cache: &WatchCache) -> Result<(), Status> {
    let key = api::storage_key(api::resolve("namespaces").expect("namespaces are served"), None, ns);
    match cache.get(&key) {
        None => Err(Status::new(404, super::status::Reason::NotFound, format!("namespaces \"{ns}\" not found"))),
        Some(n) if n.at("/metadata/deletionTimestamp").is_some() && rt.kind != "Event" => Err(Status::forbidden(
            rt,
            name,
            &format!("unable to create new content in namespace {ns} because it is being terminated"),
        )),
        Some(_) => Ok(()),
    }
}

/// Settles the object for a create and returns its storage key.
pub fn prepare_create(
    rt: &'static ResourceType,
    req_ns: Option<&str>,
    obj: Value,
    cx: &mut AdmissionCtx,
) -> Result<Created, Status> {
    if !obj.is_object() {
        return Err(Status::bad_request("the body of the request was in an unknown format"));
    }
    // kubectl sends fieldValidation=Strict: unknown or mistyped fields are refused before anything else.
    api::check_strict(rt, &obj).map_err(|e| Status::bad_request(e.to_string()))?;
    // Checked in the shape it was sent in, kept in the stored one (events.k8s.io Events are core ones).
    let mut obj = api::convert::to_stored(rt, obj);
    let body_ns = obj.at("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
    let ns = if rt.namespaced {
        let ns = req_ns.map(str::to_string).or(body_ns.clone()).unwrap_or_else(|| "default".to_string());
        if body_ns.as_deref().is_some_and(|b| b != ns) {
            return Err(Status::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        Some(ns)
    } else {
        None
    };
    let m = meta(&mut obj);
    if let Some(ns) = &ns {
        m.insert("namespace".into(), json!(ns));
    } else {
        m.remove("namespace");
    }
    let has_name = m.get("name").and_then(Value::as_str).is_some_and(|n| !n.is_empty());
    if !has_name && let Some(prefix) = m.get("generateName").and_then(Value::as_str).map(str::to_string) {
        let name = format!("{prefix}{}", cx.rng.name_suffix(5));
        m.insert("name".into(), json!(name));
    }
    let uid = cx.rng.uuid();
    m.insert("uid".into(), json!(uid));
    m.insert("creationTimestamp".into(), json!(rfc3339(cx.now)));
    m.remove("resourceVersion");
    m.remove("deletionTimestamp");
    m.remove("deletionGracePeriodSeconds");
    m.remove("managedFields");
    if tracks_generation(rt) {
        m.insert("generation".into(), json!(1));
    } else {
        m.remove("generation");
    }
    let name = m.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    if resets_status_on_create(rt) {
        obj.as_object_mut().expect("checked object above").remove("status");
    }
    if rt.kind == "Pod" {
        obj["status"] = json!({"phase": "Pending"});
    }
    if rt.kind == "Namespace" {
        obj["status"] = json!({"phase": "Active"});
    }
    api::apply_defaults(rt, &mut obj);
    if rt.kind == "Pod" {
        api::add_default_tolerations(&mut obj);
        apply_scheduling_gated_condition(&mut obj, cx.now);
        super::priority::admit_pod(&mut obj, rt, &name, cx.cache)?;
    }
    if rt.kind == "Service" {
        allocate_service(&mut obj, cx);
    }
    if rt.kind == "PersistentVolumeClaim" {
        super::storageclass::admit_claim(&mut obj, cx.cache);
    }
    if rt.kind == "Ingress" {
        super::ingressclass::admit_ingress(&mut obj, cx.cache);
    }
    // After DefaultStorageClass, as in the apiserver's plugin order.
    super::protection::admit(rt.kind, &mut obj);
    if let Some(ns) = &ns {
        check_namespace(rt, ns, &name, cx.cache)?;
        if rt.kind == "Pod" {
            super::limits::limit_ranger(&mut obj, ns, cx.cache).map_err(|errs| {
                let why = if errs.len() == 1 { errs[0].clone() } else { format!("[{}]", errs.join(", ")) };
                Status::forbidden(rt, &name, &why)
            })?;
            // After LimitRanger, as in the apiserver's plugin order.
            super::serviceaccount::admit_pod(&mut obj, rt, &name, ns, cx.cache, cx.rng)?;
        }
    }
    api::validate(rt, &obj, None).map_err(|e| Status::invalid(e.to_string()))?;
    // ResourceQuota is a validating plugin: it sees the object after the strategy's validation.
    let charges = match &ns {
        Some(ns) => super::quota::admit(&obj, rt, &name, ns, cx.cache, cx.now)?,
        None => Vec::new(),
    };
    let key = api::storage_key(rt, ns.as_deref(), &name);
    Ok(Created { key, object: obj, charges })
}

/// A create that passed admission: where it goes, what it is, and the quota usage it charges.
pub struct Created {
    pub key: String,
    pub object: Value,
    pub charges: Vec<QuotaCharge>,
}

/// A pod created with `spec.schedulingGates` gets `PodScheduled=False, reason SchedulingGated` from the
/// pod strategy (`applySchedulingGatedCondition`), which is what makes kubectl print `SchedulingGated`.
fn apply_scheduling_gated_condition(pod: &mut Value, now: Millis) {
    let gated = pod.at("/spec/schedulingGates").and_then(Value::as_array).is_some_and(|g| !g.is_empty());
    let conditions = pod.at("/status/conditions").and_then(Value::as_array);
    if !gated
        || conditions.is_some_and(|c| c.iter().any(|c| c.get("type").and_then(Value::as_str) == Some("PodScheduled")))
    {
        return;
    }
    let condition = json!({
        "type": "PodScheduled", "status": "False", "lastProbeTime": null, "lastTransitionTime": rfc3339(now),
        "reason": "SchedulingGated", "message": "Scheduling is blocked due to non-empty scheduling gates"
    });
    match pod.pointer_mut("/status/conditions").and_then(Value::as_array_mut) {
        Some(list) => list.push(condition),
        None => pod["status"]["conditions"] = json!([condition]),
    }
}

/// ClusterIP and NodePort allocation, as the Service REST storage does on create.
fn allocate_service(obj: &mut Value, cx: &mut AdmissionCtx) {
    let ty = obj.at("/spec/type").and_then(Value::as_str).unwrap_or("ClusterIP").to_string();
    if ty == "ExternalName" {
        return;
    }
    let headless = obj.at("/spec/clusterIP").and_then(Value::as_str) == Some("None");
    if !headless && obj.at("/spec/clusterIP").and_then(Value::as_str).is_none_or(str::is_empty) {
        let ip = cx.ips.cluster_ip(cx.rng);
        obj["spec"]["clusterIP"] = json!(ip);
        obj["spec"]["clusterIPs"] = json!([ip]);
    } else if obj.at("/spec/clusterIPs").is_none()
        && let Some(ip) = obj.at("/spec/clusterIP").cloned()
    {
        // A requested address (kube-dns's 10.96.0.10) is kept, and clusterIPs defaults to it.
        obj["spec"]["clusterIPs"] = json!([ip]);
    }
    if (ty == "NodePort" || ty == "LoadBalancer")
        && let Some(ports) = obj.pointer_mut("/spec/ports").and_then(Value::as_array_mut)
    {
        for p in ports {
            if p.get("nodePort").is_none() {
                p["nodePort"] = json!(cx.ips.node_port(cx.rng));
            }
        }
    }
}

/// Builds the object an update stores: system metadata kept from `current`, generation bumped when
/// the spec changed, status kept unless this is a status write (and the spec kept if it is).
pub fn prepare_update(
    rt: &'static ResourceType,
    current: &Value,
    mut new: Value,
    status_only: bool,
) -> Result<Value, Status> {
    if status_only {
        // The status strategies (deploymentStatusStrategy, podStatusStrategy, ...) keep the spec and
        // labels of the stored object but take status and annotations from the write: controllers
        // record things like `deployment.kubernetes.io/revision` through /status.
        let mut merged = current.clone();
        merged["status"] = new.get("status").cloned().unwrap_or(json!({}));
        if let Some(a) = new.at("/metadata/annotations").cloned() {
            merged["metadata"]["annotations"] = a;
        }
        new = merged;
    } else if let Some(st) = current.get("status") {
        new["status"] = st.clone();
    }
    let cm = current.get("metadata").cloned().unwrap_or(json!({}));
    let m = meta(&mut new);
    for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"] {
        match cm.get(field) {
            Some(v) => m.insert(field.into(), v.clone()),
            None => m.remove(field),
        };
    }
    m.remove("resourceVersion");
    if tracks_generation(rt) {
        let g = cm.get("generation").and_then(Value::as_i64).unwrap_or(1);
        let changed = current.get("spec") != new.get("spec");
        meta(&mut new).insert("generation".into(), json!(if changed { g + 1 } else { g }));
    }
    // Updates and patches are decoded strictly too: a patch cannot smuggle in `replicas: "x"`.
    api::check_strict(rt, &new).map_err(|e| Status::bad_request(e.to_string()))?;
    let mut new = api::convert::to_stored_update(rt, new, current);
    api::apply_defaults(rt, &mut new);
    api::validate(rt, &new, Some(current)).map_err(|e| Status::invalid(e.to_string()))?;
    Ok(new)
}

/// The pods/binding subresource: sets `spec.nodeName` once and marks the pod scheduled.
pub fn bind(rt: &ResourceType, current: &Value, binding: &Value, now: Millis) -> Result<Value, Status> {
    let name = current.at("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let Some(node) = binding.at("/target/name").and_then(Value::as_str) else {
        return Err(Status::invalid(format!("Binding.core \"{name}\" is invalid: target.name: Required value")));
    };
    if let Some(existing) = current.at("/spec/nodeName").and_then(Value::as_str) {
        return Err(Status::new(
            409,
            super::status::Reason::Conflict,
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": pod {name} is already assigned to node \"{existing}\"",
                qualified(rt)
            ),
        ));
    }
    let mut pod = current.clone();
    pod["spec"]["nodeName"] = json!(node);
    let cond =
        json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": rfc3339(now)});
    let conds = pod["status"]["conditions"].as_array().cloned().unwrap_or_default();
    let mut conds: Vec<Value> =
        conds.into_iter().filter(|c| c.get("type").and_then(Value::as_str) != Some("PodScheduled")).collect();
    conds.push(cond);
    pod["status"]["conditions"] = Value::Array(conds);
    if let Some(m) = pod.get_mut("metadata") {
        m.as_object_mut().map(|m| m.remove("resourceVersion"));
    }
    Ok(pod)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gated_pods_are_marked_scheduling_gated_once() {
        let mut gated =
            json!({"spec": {"schedulingGates": [{"name": "example.com/foo"}]}, "status": {"phase": "Pending"}});
        apply_scheduling_gated_condition(&mut gated, 0);
        let conds = gated["status"]["conditions"].as_array().cloned().unwrap_or_default();
        assert_eq!(conds.len(), 1);
        assert_eq!(
            (conds[0]["type"].as_str(), conds[0]["reason"].as_str()),
            (Some("PodScheduled"), Some("SchedulingGated"))
        );
        apply_scheduling_gated_condition(&mut gated, 0);
        assert_eq!(
            gated["status"]["conditions"].as_array().map(Vec::len),
            Some(1),
            "an existing PodScheduled condition is kept"
        );
        for mut ungated in [json!({"spec": {}, "status": {}}), json!({"spec": {"schedulingGates": []}, "status": {}})] {
            apply_scheduling_gated_condition(&mut ungated, 0);
            assert!(ungated["status"].get("conditions").is_none(), "{ungated}");
        }
    }
}
