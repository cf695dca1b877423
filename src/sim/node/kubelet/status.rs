//! The pod status the kubelet reports (`pods/status`): phase by upstream's `getPhase`, the five
//! conditions with their transition times, container statuses, IPs, start time and QoS class.

use serde_json::{Map, Value, json};

use super::podspec::{ContainerSpec, RestartPolicy};
use super::worker::{CState, CStatus, PodWorker, Stage, Terminated};
use crate::sim::node::registry::reference::ImageRef;
use crate::sim::time::{Millis, rfc3339};

/// The pod's phase, as the kubelet's `getPhase` computes it.
pub fn phase(w: &PodWorker) -> &'static str {
    if matches!(w.stage, Stage::Rejected { .. }) || w.failure.is_some() {
        return "Failed";
    }
    if matches!(w.stage, Stage::Terminating | Stage::Finished) && w.containers.iter().all(|c| !c.is_running()) {
        // A deleted pod ends in a terminal phase decided by its containers' exit codes.
        let all_ok =
            w.containers.iter().skip(w.spec.init.len()).all(|c| c.finished().is_some_and(|t| t.exit_code == 0));
        return if all_ok { "Succeeded" } else { "Failed" };
    }
    let spec = &w.spec;
    let (mut pending_init, mut failed_init) = (0, 0);
    for (i, c) in w.containers.iter().enumerate().take(spec.init.len()) {
        let sidecar = spec.init[i].sidecar;
        match &c.status {
            CStatus::Running { .. } if sidecar && c.started => {}
            CStatus::Running { .. } => pending_init += 1,
            CStatus::Terminated(t) if t.exit_code != 0 && !sidecar => failed_init += 1,
            CStatus::Terminated(_) if sidecar => pending_init += 1,
            CStatus::Terminated(_) => {}
            CStatus::Waiting { .. } => match &c.last {
                Some(t) if t.exit_code != 0 && !sidecar => failed_init += 1,
                _ => pending_init += 1,
            },
        }
    }
    let (mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for c in w.containers.iter().skip(spec.init.len()) {
        match &c.status {
            CStatus::Running { .. } => running += 1,
            CStatus::Terminated(t) => {
                stopped += 1;
                if t.exit_code == 0 {
                    succeeded += 1;
                }
            }
            CStatus::Waiting { .. } if c.last.is_some() => stopped += 1,
            CStatus::Waiting { .. } => waiting += 1,
        }
    }
    let any_app_started = w.containers.iter().skip(spec.init.len()).any(|c| c.id.is_some());
    if failed_init > 0 && spec.restart_policy == RestartPolicy::Never {
        return "Failed";
    }
    if (pending_init > 0 || failed_init > 0) && !any_app_started {
        return "Pending";
    }
    if waiting > 0 {
        return "Pending";
    }
    if running > 0 {
        return "Running";
    }
    if stopped > 0 {
        return match spec.restart_policy {
            RestartPolicy::Always => "Running",
            _ if stopped == succeeded => "Succeeded",
            RestartPolicy::Never => "Failed",
            RestartPolicy::OnFailure => "Running",
        };
    }
    "Pending"
}

/// Whether the pod has finished for good (Succeeded or Failed).
pub fn is_terminal(w: &PodWorker) -> bool {
    matches!(phase(w), "Succeeded" | "Failed")
}

fn names(w: &PodWorker, range: std::ops::Range<usize>, pick: impl Fn(usize, &CState) -> bool) -> Vec<String> {
    range.filter(|i| pick(*i, &w.containers[*i])).map(|i| w.spec.container(i).name.clone()).collect()
}

/// The four kubelet-owned conditions as booleans (PodScheduled is the scheduler's), with the names
/// of the containers that hold them back.
pub fn condition_values(w: &PodWorker) -> [(&'static str, bool, Vec<String>); 4] {
    let init = w.spec.init.len();
    let n = w.containers.len();
    let sandbox = w.sandbox.as_ref().is_some_and(|s| s.ready);
    let incomplete = names(w, 0..init, |i, c| {
        if w.spec.init[i].sidecar {
            !(c.is_running() && c.started)
        } else {
            !matches!(&c.status, CStatus::Terminated(t) if t.exit_code == 0)
        }
    });
    let unready = names(w, 0..n, |i, c| (i >= init || w.spec.init[i].sidecar) && !c.ready);
    let terminal = is_terminal(w);
    let ready = unready.is_empty() && !terminal;
    // As upstream's GeneratePodInitializedCondition: a Succeeded pod, or one whose regular containers
    // have started, stays initialized even though its sidecars were stopped or are restarting (a Job
    // pod's sidecar is killed after the main container completes; kubectl then shows `Completed`).
    let regular_started =
        w.containers.iter().skip(init).any(|c| matches!(c.status, CStatus::Running { .. } | CStatus::Terminated(_)));
    let initialized = incomplete.is_empty() || phase(w) == "Succeeded" || regular_started;
    [
        ("PodReadyToStartContainers", sandbox, vec![]),
        ("Initialized", initialized, incomplete),
        ("Ready", ready, unready.clone()),
        ("ContainersReady", ready, unready),
    ]
}

/// Records condition transitions at `now` (a condition keeps its time while its value holds).
pub fn refresh_conditions(w: &mut PodWorker, now: Millis) {
    for (i, (_, value, _)) in condition_values(w).into_iter().enumerate() {
        match w.conditions[i] {
            Some((v, _)) if v == value => {}
            _ => w.conditions[i] = Some((value, now)),
        }
    }
}

fn terminated_json(t: &Terminated) -> Value {
    json!({"terminated": {
        "exitCode": t.exit_code, "reason": t.reason,
        "startedAt": rfc3339(t.started_at), "finishedAt": rfc3339(t.finished_at),
        "containerID": format!("containerd://{}", t.container_id)
    }})
}

fn container_status(spec: &ContainerSpec, c: &CState) -> Value {
    let state = match &c.status {
        CStatus::Waiting { reason, message } if message.is_empty() => json!({"waiting": {"reason": reason}}),
        CStatus::Waiting { reason, message } => json!({"waiting": {"reason": reason, "message": message}}),
        CStatus::Running { started_at } => json!({"running": {"startedAt": rfc3339(*started_at)}}),
        CStatus::Terminated(t) => terminated_json(t),
    };
    let created = c.id.is_some();
    let image = if created {
        ImageRef::parse(&spec.image).map(|r| r.full()).unwrap_or_else(|_| spec.image.clone())
    } else {
        spec.image.clone()
    };
    let mut s = Map::new();
    s.insert("name".into(), json!(spec.name));
    s.insert("state".into(), state);
    s.insert("lastState".into(), c.last.as_ref().map_or(json!({}), terminated_json));
    s.insert("ready".into(), json!(c.ready));
    s.insert("restartCount".into(), json!(c.restarts));
    s.insert("image".into(), json!(image));
    s.insert("imageID".into(), json!(c.image.as_ref().map_or("", |(_, d)| d.as_str())));
    if let Some(id) = &c.id {
        s.insert("containerID".into(), json!(format!("containerd://{id}")));
    }
    s.insert("started".into(), json!(c.is_running() && c.started));
    if let Some(r) = spec.resources.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok()) {
        s.insert("resources".into(), r);
    }
    if !spec.mounts.is_empty() {
        let mounts: Vec<Value> = spec
            .mounts
            .iter()
            .map(|(name, path, ro, _)| {
                if *ro {
                    json!({"name": name, "mountPath": path, "readOnly": true, "recursiveReadOnly": "Disabled"})
                } else {
                    json!({"name": name, "mountPath": path})
                }
            })
            .collect();
        s.insert("volumeMounts".into(), Value::Array(mounts));
    }
    Value::Object(s)
}

/// The status to write for this pod, given the node's IP.
pub fn pod_status(w: &PodWorker, host_ip: &str) -> Value {
    let phase = phase(w);
    if let Stage::Rejected { reason, message } = &w.stage {
        return json!({"phase": phase, "reason": reason, "message": message, "qosClass": w.spec.qos_class(), "startTime": rfc3339(w.start_time)});
    }
    let terminal = matches!(phase, "Succeeded" | "Failed");
    let mut conditions = Vec::new();
    for (i, (ty, value, holding)) in condition_values(w).into_iter().enumerate() {
        let since = w.conditions[i].map_or(w.start_time, |(_, t)| t);
        let mut c = json!({"type": ty, "status": if value { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": rfc3339(since)});
        let (reason, message) = match ty {
            "Initialized" if terminal && value => (Some("PodCompleted"), None),
            "Initialized" if !value => (
                Some("ContainersNotInitialized"),
                Some(format!("containers with incomplete status: [{}]", holding.join(" "))),
            ),
            "Ready" | "ContainersReady" if terminal => (Some("PodCompleted"), None),
            "Ready" | "ContainersReady" if !value => {
                (Some("ContainersNotReady"), Some(format!("containers with unready status: [{}]", holding.join(" "))))
            }
            _ => (None, None),
        };
        if let Some(r) = reason {
            c["reason"] = json!(r);
        }
        if let Some(m) = message {
            c["message"] = json!(m);
        }
        conditions.push(c);
    }
    conditions.push(json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": w.spec.scheduled_at.clone().unwrap_or_else(|| rfc3339(w.start_time))}));
    let mut st = Map::new();
    st.insert("phase".into(), json!(phase));
    st.insert("conditions".into(), Value::Array(conditions));
    if let Some((reason, message)) = &w.failure {
        st.insert("reason".into(), json!(reason));
        st.insert("message".into(), json!(message));
    }
    st.insert("hostIP".into(), json!(host_ip));
    st.insert("hostIPs".into(), json!([{"ip": host_ip}]));
    // A host-network pod's IPs are the node's (the kubelet's generateAPIPodStatus), once it has a sandbox.
    let sandbox_ip = w.sandbox.as_ref().map(|s| if w.spec.host_network { host_ip } else { s.ip.as_str() });
    if let Some(ip) = sandbox_ip.filter(|ip| !ip.is_empty()) {
        st.insert("podIP".into(), json!(ip));
        st.insert("podIPs".into(), json!([{"ip": ip}]));
    }
    st.insert("startTime".into(), json!(rfc3339(w.start_time)));
    let init = w.spec.init.len();
    if init > 0 {
        let statuses: Vec<Value> = (0..init).map(|i| container_status(&w.spec.init[i], &w.containers[i])).collect();
        st.insert("initContainerStatuses".into(), Value::Array(statuses));
    }
    let statuses: Vec<Value> =
        w.spec.containers.iter().enumerate().map(|(j, spec)| container_status(spec, &w.containers[init + j])).collect();
    st.insert("containerStatuses".into(), Value::Array(statuses));
    st.insert("qosClass".into(), json!(w.spec.qos_class()));
    Value::Object(st)
}

#[cfg(test)]
mod tests {
    use super::super::podspec;
    use super::super::worker::SandboxState;
    use super::*;

    fn worker(spec: Value) -> PodWorker {
        PodWorker::new(
            podspec::parse(&json!({"metadata": {"name": "p", "namespace": "d", "uid": "u"}, "spec": spec})),
            1000,
        )
    }

    fn term(code: i32) -> CStatus {
        CStatus::Terminated(Terminated {
            exit_code: code,
            reason: if code == 0 { "Completed".into() } else { "Error".into() },
            started_at: 0,
            finished_at: 1,
            container_id: "c".into(),
        })
    }

    /// The docs' "Jobs with sidecar containers" pod: once the main container completes, the kubelet
    /// stops the sidecar (it exits non-zero) and the pod Succeeds, still `Initialized`, so kubectl
    /// prints `Completed`, not `Init:Error` (upstream GeneratePodInitializedCondition).
    #[test]
    fn a_stopped_sidecar_keeps_the_pod_initialized() {
        let mut w = worker(json!({"restartPolicy": "Never",
            "initContainers": [{"name": "logshipper", "image": "alpine", "restartPolicy": "Always"}],
            "containers": [{"name": "main", "image": "alpine"}]}));
        w.containers[0].id = Some("s".into());
        assert!(!condition_values(&w)[1].1, "not initialized before the sidecar has started");
        w.containers[0].status = term(137);
        w.containers[1].id = Some("m".into());
        w.containers[1].status = term(0);
        assert_eq!(phase(&w), "Succeeded");
        assert_eq!(condition_values(&w)[1].0, "Initialized");
        assert!(condition_values(&w)[1].1, "a completed pod stays initialized");
        let status = pod_status(&w, "10.0.0.1");
        let init = status["conditions"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["type"] == "Initialized"))
            .cloned()
            .unwrap_or_default();
        assert_eq!((init["status"].as_str(), init["reason"].as_str()), (Some("True"), Some("PodCompleted")));
    }

    #[test]
    fn phases_follow_get_phase() {
        let one =
            |policy: &str| worker(json!({"restartPolicy": policy, "containers": [{"name": "a", "image": "busybox"}]}));
        let mut w = one("Always");
        assert_eq!(phase(&w), "Pending");
        w.containers[0].status = CStatus::Running { started_at: 0 };
        w.containers[0].id = Some("x".into());
        assert_eq!(phase(&w), "Running");
        w.containers[0].status = term(0);
        assert_eq!(phase(&w), "Running", "Always restarts even completed containers");
        let mut w = one("Never");
        w.containers[0].id = Some("x".into());
        w.containers[0].status = term(0);
        assert_eq!(phase(&w), "Succeeded");
        w.containers[0].status = term(1);
        assert_eq!(phase(&w), "Failed");
        let mut w = one("OnFailure");
        w.containers[0].id = Some("x".into());
        w.containers[0].status = term(1);
        assert_eq!(phase(&w), "Running");
        w.containers[0].wait("CrashLoopBackOff", String::new());
        assert_eq!(phase(&w), "Running", "a crash-looping container counts as stopped, not waiting");
    }

    #[test]
    fn init_failures() {
        let spec = |policy: &str| json!({"restartPolicy": policy, "initContainers": [{"name": "i", "image": "busybox"}], "containers": [{"name": "a", "image": "nginx"}]});
        let mut w = worker(spec("Never"));
        w.containers[0].status = term(1);
        assert_eq!(phase(&w), "Failed");
        let mut w = worker(spec("Always"));
        w.containers[0].status = term(1);
        w.containers[0].wait("CrashLoopBackOff", String::new());
        assert_eq!(phase(&w), "Pending", "Init:CrashLoopBackOff is still Pending");
        let [_, (_, initialized, holding), _, _] = condition_values(&w);
        assert!(!initialized);
        assert_eq!(holding, vec!["i"]);
    }

    #[test]
    fn status_document() {
        let mut w = worker(
            json!({"containers": [{"name": "nginx", "image": "nginx", "volumeMounts": [{"name": "v", "mountPath": "/v", "readOnly": true}]}]}),
        );
        w.sandbox = Some(SandboxState { id: "s".into(), ip: "10.244.1.2".into(), attempt: 0, ready: true });
        refresh_conditions(&mut w, 1500);
        let st = pod_status(&w, "172.18.0.3");
        assert_eq!(st["phase"], "Pending");
        assert_eq!(st["podIP"], "10.244.1.2");
        assert_eq!(st["qosClass"], "BestEffort");
        assert_eq!(st["containerStatuses"][0]["state"], json!({"waiting": {"reason": "ContainerCreating"}}));
        assert_eq!(st["containerStatuses"][0]["image"], "nginx");
        assert_eq!(st["containerStatuses"][0]["volumeMounts"][0]["recursiveReadOnly"], "Disabled");
        let ready = &st["conditions"][2];
        assert_eq!(
            (ready["type"].as_str(), ready["status"].as_str(), ready["message"].as_str()),
            (Some("Ready"), Some("False"), Some("containers with unready status: [nginx]"))
        );
        assert_eq!(st["conditions"][0]["lastTransitionTime"], "2025-01-01T00:00:01Z");
        w.containers[0].id = Some("abc".into());
        w.containers[0].status = CStatus::Running { started_at: 3000 };
        w.containers[0].started = true;
        w.containers[0].ready = true;
        refresh_conditions(&mut w, 3000);
        let st = pod_status(&w, "172.18.0.3");
        assert_eq!(st["containerStatuses"][0]["image"], "docker.io/library/nginx:latest");
        assert_eq!(st["containerStatuses"][0]["containerID"], "containerd://abc");
        assert_eq!(st["conditions"][2]["status"], "True");
        assert_eq!(st["conditions"][2]["lastTransitionTime"], "2025-01-01T00:00:03Z");
        assert_eq!(st["conditions"][4]["type"], "PodScheduled");
    }

    #[test]
    fn rejected_pods_report_reason_only() {
        let mut w = worker(json!({"containers": [{"name": "a", "image": "nginx"}]}));
        w.stage = Stage::Rejected {
            reason: "OutOfcpu".into(),
            message:
                "Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000"
                    .into(),
        };
        let st = pod_status(&w, "172.18.0.3");
        assert_eq!(st["phase"], "Failed");
        assert_eq!(st["reason"], "OutOfcpu");
        assert!(st.get("conditions").is_none());
    }
}
