//! `describePod`: header, containers, conditions, volumes, QoS, scheduling and events.

use serde_json::Value;

use super::super::fields::{arr_at, at, i64_at, opt_i64, opt_str, str_at, string_map};
use super::containers::{describe_containers, describe_resources};
use super::quantity::{Quantity, resource_list};
use super::writer::{PrefixWriter, rfc1123z};
use super::{
    DescribeContext, controller_of, events, labels_and_annotations, labels_multiline, name_namespace, volumes,
};

/// Describes a Pod.
pub fn describe_pod(w: &mut PrefixWriter, pod: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, pod);
    if let Some(p) = opt_i64(pod, &["spec", "priority"]) {
        w.write(0, &format!("Priority:\t{p}\n"));
    }
    for (field, title) in [
        ("priorityClassName", "Priority Class Name"),
        ("runtimeClassName", "Runtime Class Name"),
        ("serviceAccountName", "Service Account"),
    ] {
        let v = str_at(pod, &["spec", field]);
        if !v.is_empty() {
            w.write(0, &format!("{title}:\t{v}\n"));
        }
    }
    let node = str_at(pod, &["spec", "nodeName"]);
    if node.is_empty() {
        w.write(0, "Node:\t<none>\n");
    } else {
        w.write(0, &format!("Node:\t{node}/{}\n", str_at(pod, &["status", "hostIP"])));
    }
    if let Some(start) = opt_str(pod, &["status", "startTime"]) {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(Some(start))));
    }
    labels_and_annotations(w, pod);
    let phase = str_at(pod, &["status", "phase"]);
    let deleting = opt_str(pod, &["metadata", "deletionTimestamp"]);
    match deleting {
        Some(ts) if phase != "Failed" && phase != "Succeeded" => {
            w.write(0, &format!("Status:\tTerminating (lasts {})\n", ctx.since(Some(ts))));
            let grace = i64_at(pod, &["metadata", "deletionGracePeriodSeconds"]);
            w.write(0, &format!("Termination Grace Period:\t{grace}s\n"));
        }
        _ => w.write(0, &format!("Status:\t{phase}\n")),
    }
    for (field, title) in [("reason", "Reason"), ("message", "Message")] {
        let v = str_at(pod, &["status", field]);
        if !v.is_empty() {
            w.write(0, &format!("{title}:\t{v}\n"));
        }
    }
    if let Some(profile) = opt_str(pod, &["spec", "securityContext", "seccompProfile", "type"]) {
        w.write(0, &format!("SeccompProfile:\t{profile}\n"));
        if profile == "Localhost" {
            w.write(
                0,
                &format!(
                    "LocalhostProfile:\t{}\n",
                    str_at(pod, &["spec", "securityContext", "seccompProfile", "localhostProfile"])
                ),
            );
        }
    }
    w.write(0, &format!("IP:\t{}\n", str_at(pod, &["status", "podIP"])));
    let ips = arr_at(pod, &["status", "podIPs"]);
    if ips.is_empty() {
        w.write(0, "IPs:\t<none>\n");
    } else {
        w.write(0, "IPs:\n");
        for ip in ips {
            w.write(1, &format!("IP:\t{}\n", str_at(ip, &["ip"])));
        }
    }
    if let Some(c) = controller_of(pod) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    let nominated = str_at(pod, &["status", "nominatedNodeName"]);
    if !nominated.is_empty() {
        w.write(0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    if let Some(r) = at(pod, &["spec", "resources"]).filter(|r| r.is_object()) {
        w.write(0, "Resources:\n");
        describe_resources(w, r, 1);
    }
    let init = arr_at(pod, &["spec", "initContainers"]);
    if !init.is_empty() {
        describe_containers(
            w,
            "Init Containers",
            init,
            arr_at(pod, &["status", "initContainerStatuses"]),
            Some(pod),
            "",
        );
    }
    describe_containers(
        w,
        "Containers",
        arr_at(pod, &["spec", "containers"]),
        arr_at(pod, &["status", "containerStatuses"]),
        Some(pod),
        "",
    );
    let ephemeral = arr_at(pod, &["spec", "ephemeralContainers"]);
    if !ephemeral.is_empty() {
        describe_containers(
            w,
            "Ephemeral Containers",
            ephemeral,
            arr_at(pod, &["status", "ephemeralContainerStatuses"]),
            Some(pod),
            "",
        );
    }
    let conditions = arr_at(pod, &["status", "conditions"]);
    let gates = arr_at(pod, &["spec", "readinessGates"]);
    if !gates.is_empty() {
        w.write(0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let t = str_at(g, &["conditionType"]);
            let status =
                conditions.iter().find(|c| str_at(c, &["type"]) == t).map_or("<none>", |c| str_at(c, &["status"]));
            w.write(1, &format!("{t} \t{status} \n"));
        }
    }
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.write(1, &format!("{} \t{} \n", str_at(c, &["type"]), str_at(c, &["status"])));
        }
    }
    volumes::describe_volumes(w, arr_at(pod, &["spec", "volumes"]), "");
    w.write(0, &format!("QoS Class:\t{}\n", qos_class(pod)));
    labels_multiline(w, "Node-Selectors", &string_map(pod, &["spec", "nodeSelector"]));
    volumes::tolerations(w, "Tolerations", arr_at(pod, &["spec", "tolerations"]));
    volumes::topology_spread(w, pod, "");
    events::describe_events(w, evs, ctx);
}

/// `qos.GetPodQOS`: the recorded class, else Guaranteed / Burstable / BestEffort from the containers'
/// cpu and memory requests and limits.
pub fn qos_class(pod: &Value) -> String {
    if let Some(q) = opt_str(pod, &["status", "qosClass"]).filter(|q| !q.is_empty()) {
        return q.to_string();
    }
    let mut requests: Vec<(String, Quantity)> = Vec::new();
    let mut limits: Vec<(String, Quantity)> = Vec::new();
    let mut guaranteed = true;
    let containers = arr_at(pod, &["spec", "containers"]).iter().chain(arr_at(pod, &["spec", "initContainers"]));
    for c in containers {
        let positive = |field: &str| -> Vec<(String, Quantity)> {
            resource_list(c, &["resources", field])
                .into_iter()
                .filter(|(n, q)| (n == "cpu" || n == "memory") && q.nanos > 0)
                .collect()
        };
        let add = |into: &mut Vec<(String, Quantity)>, list: &[(String, Quantity)]| {
            for (n, q) in list {
                match into.iter_mut().find(|(m, _)| m == n) {
                    Some((_, e)) => e.add(q),
                    None => into.push((n.clone(), *q)),
                }
            }
        };
        add(&mut requests, &positive("requests"));
        let lim = positive("limits");
        if !(lim.iter().any(|(n, _)| n == "cpu") && lim.iter().any(|(n, _)| n == "memory")) {
            guaranteed = false;
        }
        add(&mut limits, &lim);
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort".into();
    }
    if guaranteed {
        guaranteed = requests.iter().all(|(n, r)| limits.iter().any(|(m, l)| m == n && l.nanos == r.nanos));
    }
    if guaranteed && requests.len() == limits.len() { "Guaranteed".into() } else { "Burstable".into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn qos_classes() {
        let pod = |res: Value| json!({"spec": {"containers": [{"resources": res}]}});
        assert_eq!(qos_class(&pod(json!({}))), "BestEffort");
        assert_eq!(qos_class(&pod(json!({"requests": {"cpu": "100m"}}))), "Burstable");
        let g = json!({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m", "memory": "1Gi"}});
        assert_eq!(qos_class(&pod(g)), "Guaranteed");
        assert_eq!(qos_class(&pod(json!({"limits": {"cpu": "1", "memory": "1Gi"}}))), "Burstable");
        assert_eq!(qos_class(&json!({"status": {"qosClass": "Guaranteed"}})), "Guaranteed");
    }

    #[test]
    fn minimal_and_terminating_pods() {
        let ctx = DescribeContext { now: 120_000, ..Default::default() };
        let mut w = PrefixWriter::new();
        let pod = json!({"metadata": {"name": "p", "namespace": "default", "deletionTimestamp": "2025-01-01T00:01:00Z",
            "deletionGracePeriodSeconds": 30}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {"phase": "Running"}});
        describe_pod(&mut w, &pod, Some(&[]), &ctx);
        let out = w.finish();
        assert!(
            out.contains("Status:                    Terminating (lasts 60s)\nTermination Grace Period:  30s\n"),
            "{out}"
        );
        assert!(out.contains("Node:                      <none>\n"));
        assert!(out.ends_with("Tolerations:      <none>\nEvents:           <none>\n"), "{out}");
    }
}
