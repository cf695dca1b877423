//! `describeNode`: roles, taints, lease, conditions, addresses, capacity, system info and the
//! requests/limits of the pods running on it.

use serde_json::Value;

use super::super::columns::node_roles;
use super::super::fields::{arr_at, bool_at, opt_str, str_at};
use super::quantity::{Quantity, ResourceList, add_into, pod_requests_and_limits, quantity_of, resource_list};
use super::writer::{PrefixWriter, rfc1123z};
use super::{DescribeContext, creation_timestamp, events, labels_and_annotations, volumes};

/// Describes a Node; `ctx.pods` are the pods bound to it, `ctx.lease` its heartbeat Lease.
pub fn describe_node(w: &mut PrefixWriter, node: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    w.write(0, &format!("Name:\t{}\n", str_at(node, &["metadata", "name"])));
    let roles = node_roles(node);
    w.write(0, &format!("Roles:\t{}\n", if roles.is_empty() { "<none>".to_string() } else { roles.join(",") }));
    labels_and_annotations(w, node);
    creation_timestamp(w, node);
    volumes::taints(w, "Taints", arr_at(node, &["spec", "taints"]));
    w.write(0, &format!("Unschedulable:\t{}\n", bool_at(node, &["spec", "unschedulable"])));
    match &ctx.lease {
        Some(lease) => {
            w.write(0, "Lease:\n");
            let holder = opt_str(lease, &["spec", "holderIdentity"]).unwrap_or("<unset>");
            w.write(1, &format!("HolderIdentity:\t{holder}\n"));
            for (field, title) in [("acquireTime", "AcquireTime"), ("renewTime", "RenewTime")] {
                let t = opt_str(lease, &["spec", field]).map_or_else(|| "<unset>".to_string(), |t| rfc1123z(Some(t)));
                w.write(1, &format!("{title}:\t{t}\n"));
            }
        }
        None => {
            let name = str_at(node, &["metadata", "name"]);
            w.write(0, &format!("Lease:\tFailed to get lease: leases.coordination.k8s.io \"{name}\" not found\n"));
        }
    }
    let conditions = arr_at(node, &["status", "conditions"]);
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    str_at(c, &["type"]),
                    str_at(c, &["status"]),
                    rfc1123z(opt_str(c, &["lastHeartbeatTime"])),
                    rfc1123z(opt_str(c, &["lastTransitionTime"])),
                    str_at(c, &["reason"]),
                    str_at(c, &["message"])
                ),
            );
        }
    }
    w.write(0, "Addresses:\n");
    for a in arr_at(node, &["status", "addresses"]) {
        w.write(1, &format!("{}:\t{}\n", str_at(a, &["type"]), str_at(a, &["address"])));
    }
    let capacity = resource_list(node, &["status", "capacity"]);
    let allocatable = resource_list(node, &["status", "allocatable"]);
    for (title, list) in [("Capacity", &capacity), ("Allocatable", &allocatable)] {
        if !list.is_empty() {
            w.write(0, &format!("{title}:\n"));
            for (name, q) in list.iter() {
                w.write(0, &format!("  {name}:\t{}\n", q.to_canonical()));
            }
        }
    }
    w.write(0, "System Info:\n");
    for (field, title) in [
        ("machineID", "Machine ID"),
        ("systemUUID", "System UUID"),
        ("bootID", "Boot ID"),
        ("kernelVersion", "Kernel Version"),
        ("osImage", "OS Image"),
        ("operatingSystem", "Operating System"),
        ("architecture", "Architecture"),
        ("containerRuntimeVersion", "Container Runtime Version"),
        ("kubeletVersion", "Kubelet Version"),
        ("kubeProxyVersion", "Kube-Proxy Version"),
    ] {
        w.write(0, &format!("  {title}:\t{}\n", str_at(node, &["status", "nodeInfo", field])));
    }
    let pod_cidr = str_at(node, &["spec", "podCIDR"]);
    if !pod_cidr.is_empty() {
        w.write(0, &format!("PodCIDR:\t{pod_cidr}\n"));
    }
    let cidrs: Vec<&str> = arr_at(node, &["spec", "podCIDRs"]).iter().filter_map(Value::as_str).collect();
    if !cidrs.is_empty() {
        w.write(0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    let provider = str_at(node, &["spec", "providerID"]);
    if !provider.is_empty() {
        w.write(0, &format!("ProviderID:\t{provider}\n"));
    }
    let alloc = if allocatable.is_empty() { &capacity } else { &allocatable };
    node_resources(w, ctx, alloc);
    events::describe_events(w, evs, ctx);
}

/// `int64(float64(a) / float64(b) * 100)`, 0 when the denominator is 0 (Go yields NaN/Inf there,
/// which converts to an arbitrary integer; the simulation prints 0 rather than garbage).
fn percent(a: i128, b: i128) -> i64 {
    if b == 0 { 0 } else { (a as f64 / b as f64 * 100.0) as i64 }
}

fn node_resources(w: &mut PrefixWriter, ctx: &DescribeContext, alloc: &ResourceList) {
    let pods: Vec<&Value> =
        ctx.pods.iter().filter(|p| !matches!(str_at(p, &["status", "phase"]), "Succeeded" | "Failed")).collect();
    w.write(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let cpu_alloc = quantity_of(alloc, "cpu").milli_value();
    let mem_alloc = quantity_of(alloc, "memory").value();
    let (mut reqs, mut limits) = (ResourceList::new(), ResourceList::new());
    for pod in &pods {
        let (req, lim) = pod_requests_and_limits(pod);
        let (cr, cl, mr, ml) = (
            quantity_of(&req, "cpu"),
            quantity_of(&lim, "cpu"),
            quantity_of(&req, "memory"),
            quantity_of(&lim, "memory"),
        );
        w.write(
            1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                str_at(pod, &["metadata", "namespace"]),
                str_at(pod, &["metadata", "name"]),
                cr.to_canonical(),
                percent(cr.milli_value(), cpu_alloc),
                cl.to_canonical(),
                percent(cl.milli_value(), cpu_alloc),
                mr.to_canonical(),
                percent(mr.value(), mem_alloc),
                ml.to_canonical(),
                percent(ml.value(), mem_alloc),
                ctx.since(opt_str(pod, &["metadata", "creationTimestamp"]))
            ),
        );
        add_into(&mut reqs, &req);
        add_into(&mut limits, &lim);
    }
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.write(1, "Resource\tRequests\tLimits\n");
    w.write(1, "--------\t--------\t------\n");
    let row = |w: &mut PrefixWriter, name: &str, r: Quantity, l: Quantity, total: i128, milli: bool| {
        let (rv, lv) = if milli { (r.milli_value(), l.milli_value()) } else { (r.value(), l.value()) };
        w.write(
            1,
            &format!(
                "{name}\t{} ({}%)\t{} ({}%)\n",
                r.to_canonical(),
                percent(rv, total),
                l.to_canonical(),
                percent(lv, total)
            ),
        );
    };
    row(w, "cpu", quantity_of(&reqs, "cpu"), quantity_of(&limits, "cpu"), cpu_alloc, true);
    row(w, "memory", quantity_of(&reqs, "memory"), quantity_of(&limits, "memory"), mem_alloc, false);
    let eph = quantity_of(alloc, "ephemeral-storage").value();
    row(
        w,
        "ephemeral-storage",
        quantity_of(&reqs, "ephemeral-storage"),
        quantity_of(&limits, "ephemeral-storage"),
        eph,
        false,
    );
    for (name, q) in alloc.iter().filter(|(n, _)| n.starts_with("hugepages-")) {
        row(w, name, quantity_of(&reqs, name), quantity_of(&limits, name), q.value(), false);
    }
    let standard =
        |n: &str| matches!(n, "cpu" | "memory" | "ephemeral-storage" | "pods") || n.starts_with("hugepages-");
    for (name, _) in alloc.iter().filter(|(n, _)| !standard(n)) {
        w.write(
            1,
            &format!(
                "{name}\t{}\t{}\n",
                quantity_of(&reqs, name).to_canonical(),
                quantity_of(&limits, name).to_canonical()
            ),
        );
    }
}
