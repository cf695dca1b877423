//! Scenario tests of the kubelet with its runtime and a fake apiserver, checking the behaviour
//! documented for Kubernetes 1.33 (events, phases, back-offs, probes, termination).

use serde_json::json;

use crate::sim::node::test_support::cluster::*;

fn pod(name: &str, container: serde_json::Value) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": [container]}})
}

#[test]
fn registers_node_and_renews_lease() {
    let mut c = Cluster::new();
    assert_eq!(c.count("POST", "/api/v1/nodes"), 1);
    c.run_for(60_000);
    assert_eq!(c.count("POST", "/namespaces/kube-node-lease/leases"), 1);
    let renewals = c.count("PUT", "/namespaces/kube-node-lease/leases/kind-worker");
    assert!((4..=6).contains(&renewals), "one renewal every 10 s, got {renewals}");
    assert_eq!(
        c.count("PATCH", "/api/v1/nodes/kind-worker/status"),
        1,
        "unchanged status is not re-posted within 5 min"
    );
    c.run_for(300_000);
    assert_eq!(c.count("PATCH", "/api/v1/nodes/kind-worker/status"), 2, "but is every 5 min");
}

#[test]
fn nginx_runs_with_upstream_events() {
    let mut c = Cluster::new();
    c.add_pod(pod("web", json!({"name": "nginx", "image": "nginx"})));
    c.run_for(1000);
    assert_eq!(c.phase("web"), "Pending");
    assert_eq!(c.state("web", 0), "waiting:ContainerCreating");
    assert!(c.pod("web")["status"].get("podIP").is_none(), "the IP shows with the next status, after the pull");
    c.run_for(10_000);
    assert_eq!(c.pod("web")["status"]["podIP"], "10.244.1.2");
    assert_eq!(c.statuses.iter().filter(|(n, _, _)| n == "web").count(), 2, "ContainerCreating, then Running");
    assert_eq!(c.phase("web"), "Running");
    assert_eq!(c.state("web", 0), "running");
    assert_eq!(c.condition("web", "Ready"), "True");
    let st = &c.pod("web")["status"]["containerStatuses"][0];
    assert_eq!(st["image"], "docker.io/library/nginx:latest");
    assert!(st["imageID"].as_str().is_some_and(|s| s.starts_with("docker.io/library/nginx@sha256:")));
    assert!(st["containerID"].as_str().is_some_and(|s| s.starts_with("containerd://") && s.len() == 13 + 64));
    let events = c.events_of("web");
    assert_eq!(events[0], "Pulling: Pulling image \"nginx\"");
    assert!(
        events[1].starts_with("Pulled: Successfully pulled image \"nginx\" in 4.")
            && events[1].ends_with("including waiting). Image size: 72000000 bytes."),
        "{}",
        events[1]
    );
    assert_eq!(&events[2..], ["Created: Created container: nginx", "Started: Started container nginx"]);
}

#[test]
fn pulls_are_serialized_and_cached_images_are_reused() {
    let mut c = Cluster::new();
    c.add_pod(pod("a", json!({"name": "c", "image": "redis:7"})));
    c.add_pod(pod("b", json!({"name": "c", "image": "redis:7"})));
    c.run_for(20_000);
    // b waited for a's pull, then its own pull only checked the manifest: the layers were there.
    let b = c.events_of("b");
    assert!(b[1].starts_with("Pulled: Successfully pulled image \"redis:7\" in ") && b[1].contains("ms (3."), "{b:?}");
    c.add_pod(pod("c", json!({"name": "c", "image": "redis:7"})));
    c.run_for(5000);
    assert_eq!(c.events_of("c")[0], "Pulled: Container image \"redis:7\" already present on machine");
    assert_eq!(c.count("POST", "/events"), 11);
}

#[test]
fn missing_tag_goes_err_image_pull_then_back_off() {
    let mut c = Cluster::new();
    c.add_pod(pod("bad", json!({"name": "c", "image": "nginx:nosuchtag"})));
    c.run_for(1500);
    assert_eq!(c.state("bad", 0), "waiting:ErrImagePull");
    let msg = c.pod("bad")["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        msg.starts_with(
            "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nosuchtag\""
        ),
        "{msg}"
    );
    c.run_for(2000);
    assert_eq!(c.state("bad", 0), "waiting:ImagePullBackOff");
    c.run_for(120_000);
    let pulls = c.events_of("bad").iter().filter(|e| e.starts_with("Pulling:")).count();
    assert!((4..=6).contains(&pulls), "retries after 10, 20, 40 s...: {pulls}");
    assert!(c.events_of("bad").contains(&"BackOff: Back-off pulling image \"nginx:nosuchtag\"".to_string()));
    assert_eq!(c.phase("bad"), "Pending");
}

#[test]
fn crash_loop_back_off_doubles() {
    let mut c = Cluster::new();
    c.add_pod(pod(
        "crash",
        json!({"name": "c", "image": "busybox:1.28", "command": ["sh", "-c", "echo boom; exit 1"]}),
    ));
    c.run_for(3000);
    assert_eq!(c.restarts("crash", 0), 1, "the first restart is immediate");
    let seen: Vec<String> = c
        .statuses
        .iter()
        .filter(|(n, _, _)| n == "crash")
        .map(|(_, _, s)| describe_state(&s["containerStatuses"][0]["state"]))
        .collect();
    assert_eq!(
        &seen[..4],
        ["waiting:ContainerCreating", "running", "terminated:Error:1", "running"],
        "the exit is reported before the restart"
    );
    c.run_for(3000);
    assert_eq!(c.state("crash", 0), "waiting:CrashLoopBackOff");
    let st = &c.pod("crash")["status"]["containerStatuses"][0];
    assert_eq!(st["lastState"]["terminated"]["exitCode"], 1);
    let msg = st["state"]["waiting"]["message"].as_str().unwrap_or_default();
    assert!(msg.starts_with("back-off 10s restarting failed container=c pod=crash_default("), "{msg}");
    assert_eq!(c.phase("crash"), "Running");
    c.run_for(120_000);
    // Restarts at about 0, 10, 30, 70 s after the first exit.
    assert_eq!(c.restarts("crash", 0), 4);
    assert!(
        c.events_of("crash")
            .iter()
            .any(|e| e.starts_with("BackOff: Back-off restarting failed container c in pod crash_default("))
    );
    assert_eq!(c.kubelet.logs("default", "crash", None, false, c.k.now()), Ok(vec!["boom".to_string()]));
}

#[test]
fn jobs_succeed_and_keep_their_logs() {
    let mut c = Cluster::new();
    let mut p = pod(
        "pi",
        json!({"name": "pi", "image": "perl:5.34.0", "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(20)"]}),
    );
    p["spec"]["restartPolicy"] = json!("Never");
    c.add_pod(p);
    c.run_for(30_000);
    assert_eq!(c.phase("pi"), "Succeeded");
    assert_eq!(c.state("pi", 0), "terminated:Completed:0");
    assert_eq!(c.condition("pi", "Ready"), "False");
    assert!(!c.rt.sandboxes()[0].ready, "the sandbox of a finished pod is stopped");
    assert_eq!(c.kubelet.logs("default", "pi", None, false, c.k.now()), Ok(vec!["3.1415926535897932385".to_string()]));
}

#[test]
fn init_containers_run_in_order() {
    let mut c = Cluster::new();
    let p = json!({"metadata": {"name": "init"}, "spec": {
        "initContainers": [{"name": "wait", "image": "busybox:1.28", "command": ["sleep", "5"]}],
        "containers": [{"name": "app", "image": "nginx:1.27"}]}});
    c.add_pod(p);
    c.run_for(2000);
    assert_eq!(c.init_state("init", 0), "running");
    assert_eq!(c.state("init", 0), "waiting:PodInitializing");
    assert_eq!(c.condition("init", "Initialized"), "False");
    c.run_for(15_000);
    assert_eq!(c.init_state("init", 0), "terminated:Completed:0");
    assert_eq!(c.condition("init", "Initialized"), "True");
    assert_eq!(c.state("init", 0), "running");
}

#[test]
fn failed_init_with_never_fails_the_pod() {
    let mut c = Cluster::new();
    let p = json!({"metadata": {"name": "bad-init"}, "spec": {"restartPolicy": "Never",
        "initContainers": [{"name": "check", "image": "busybox:1.28", "command": ["false"]}],
        "containers": [{"name": "app", "image": "nginx"}]}});
    c.add_pod(p);
    c.run_for(10_000);
    assert_eq!(c.phase("bad-init"), "Failed");
    assert_eq!(c.init_state("bad-init", 0), "terminated:Error:1");
}

#[test]
fn liveness_failure_restarts_the_container() {
    let mut c = Cluster::new();
    c.add_pod(pod("liveness-http", json!({"name": "liveness", "image": "registry.k8s.io/liveness", "args": ["/server"],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "initialDelaySeconds": 3, "periodSeconds": 3}})));
    c.run_for(30_000);
    let events = c.events_of("liveness-http");
    assert!(
        events.contains(&"Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500".to_string()),
        "{events:?}"
    );
    assert!(events.contains(&"Killing: Container liveness failed liveness probe, will be restarted".to_string()));
    assert!(c.restarts("liveness-http", 0) >= 1);
}

#[test]
fn oom_killed_over_the_memory_limit() {
    let mut c = Cluster::new();
    c.add_pod(pod(
        "memory-demo-2",
        json!({"name": "memory-demo-2-ctr", "image": "polinux/stress",
        "resources": {"requests": {"memory": "50Mi"}, "limits": {"memory": "100Mi"}},
        "command": ["stress"], "args": ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]}),
    ));
    c.run_for(6000);
    let st = &c.pod("memory-demo-2")["status"]["containerStatuses"][0];
    let term = if st["state"].get("terminated").is_some() {
        &st["state"]["terminated"]
    } else {
        &st["lastState"]["terminated"]
    };
    assert_eq!((term["reason"].as_str(), term["exitCode"].as_i64()), (Some("OOMKilled"), Some(137)));
}

#[test]
fn graceful_deletion_stops_then_deletes() {
    let mut c = Cluster::new();
    c.add_pod(pod("web", json!({"name": "nginx", "image": "nginx"})));
    c.add_pod(pod("sleeper", json!({"name": "c", "image": "busybox:1.28", "command": ["sleep", "3600"]})));
    c.run_for(15_000);
    c.delete_pod("web", 30);
    c.delete_pod("sleeper", 30);
    c.run_for(2000);
    assert!(!c.pods.contains_key(&("default".into(), "web".into())), "nginx stops at SIGTERM and the pod is deleted");
    assert!(c.events_of("web").contains(&"Killing: Stopping container nginx".to_string()));
    assert!(c.pods.contains_key(&("default".into(), "sleeper".into())), "sleep ignores SIGTERM as PID 1");
    c.run_for(30_000);
    assert!(c.pods.is_empty());
    let last = c.statuses.iter().rev().find(|(n, _, _)| n == "sleeper").map(|(_, _, s)| s.clone()).unwrap_or_default();
    assert_eq!(last["containerStatuses"][0]["state"]["terminated"]["exitCode"], 137);
    c.run_for(100);
    assert!(c.rt.sandboxes().is_empty(), "sandboxes are removed after the pods are gone");
}

#[test]
fn admission_rejects_what_does_not_fit() {
    let mut c = Cluster::new();
    c.add_pod(pod("big", json!({"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "3"}}})));
    c.run_for(1000);
    assert_eq!(c.phase("big"), "Failed");
    assert_eq!(c.pod("big")["status"]["reason"], "OutOfcpu");
    assert_eq!(
        c.pod("big")["status"]["message"],
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000"
    );
    assert!(c.rt.sandboxes().is_empty());
}

#[test]
fn missing_config_map_blocks_then_recovers() {
    let mut c = Cluster::new();
    c.add_pod(pod("env", json!({"name": "c", "image": "nginx:1.27", "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode"}}}]})));
    c.run_for(8000);
    assert_eq!(c.state("env", 0), "waiting:CreateContainerConfigError");
    assert!(c.events_of("env").contains(&"Failed: Error: configmap \"cfg\" not found".to_string()));
    c.add_configmap("cfg", json!({"mode": "fast"}));
    c.run_for(15_000);
    assert_eq!(c.state("env", 0), "running");
    let out = c.kubelet.exec("default", "env", None, &["printenv".into(), "MODE".into()], c.k.now());
    assert_eq!(out, Ok("fast\n".to_string()));
}

#[test]
fn missing_volume_source_fails_mount() {
    let mut c = Cluster::new();
    let p = json!({"metadata": {"name": "vol"}, "spec": {"containers": [{"name": "c", "image": "nginx", "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg"}]}],
        "volumes": [{"name": "cfg", "configMap": {"name": "special-config"}}]}});
    c.add_pod(p);
    c.run_for(5000);
    assert!(
        c.events_of("vol").contains(
            &"FailedMount: MountVolume.SetUp failed for volume \"cfg\" : configmap \"special-config\" not found"
                .to_string()
        )
    );
    assert_eq!(c.state("vol", 0), "waiting:ContainerCreating");
    c.add_configmap("special-config", json!({"SPECIAL_LEVEL": "very"}));
    c.run_for(20_000);
    assert_eq!(c.state("vol", 0), "running");
    let out = c.kubelet.exec("default", "vol", None, &["cat".into(), "/etc/cfg/SPECIAL_LEVEL".into()], c.k.now());
    assert_eq!(out, Ok("very\n".to_string()));
}

#[test]
fn failing_readiness_keeps_the_pod_unready() {
    let mut c = Cluster::new();
    c.add_pod(pod("ready", json!({"name": "nginx", "image": "nginx", "readinessProbe": {"httpGet": {"path": "/healthz", "port": 80}, "periodSeconds": 5}})));
    c.run_for(40_000);
    assert_eq!(c.state("ready", 0), "running");
    assert_eq!(c.condition("ready", "Ready"), "False");
    assert_eq!(c.condition("ready", "ContainersReady"), "False");
    let unhealthy = c
        .events_of("ready")
        .iter()
        .filter(|e| *e == "Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404")
        .count();
    assert_eq!(unhealthy, 3, "events until the failure threshold, then the worker sleeps");
}

#[test]
fn logs_errors_read_like_the_api() {
    let mut c = Cluster::new();
    c.add_pod(pod("counter", json!({"name": "count", "image": "busybox:1.28", "args": ["/bin/sh", "-c", "i=0; while true; do echo \"$i: $(date)\"; i=$((i+1)); sleep 1; done"]})));
    c.run_for(500);
    assert_eq!(
        c.kubelet.logs("default", "counter", None, false, c.k.now()),
        Err("container \"count\" in pod \"counter\" is waiting to start: ContainerCreating".into())
    );
    c.run_for(10_000);
    let lines = c.kubelet.logs("default", "counter", None, false, c.k.now()).expect("running");
    assert!(lines.len() >= 5 && lines[0].starts_with("0: "), "{lines:?}");
    assert_eq!(
        c.kubelet.logs("default", "counter", None, true, c.k.now()),
        Err("previous terminated container \"count\" in pod \"counter\" not found".into())
    );
    assert_eq!(
        c.kubelet.logs("default", "counter", Some("nope"), false, c.k.now()),
        Err("container nope is not valid for pod counter".into())
    );
    assert_eq!(c.kubelet.logs("default", "ghost", None, false, c.k.now()), Err("pods \"ghost\" not found".into()));
}

#[test]
fn exec_reports_exit_codes_and_missing_shells() {
    let mut c = Cluster::new();
    c.add_pod(pod("web", json!({"name": "nginx", "image": "nginx"})));
    c.add_pod(pod("pause", json!({"name": "p", "image": "registry.k8s.io/pause:3.10"})));
    c.run_for(15_000);
    let now = c.k.now();
    assert_eq!(c.kubelet.exec("default", "web", None, &["hostname".into()], now), Ok("web\n".into()));
    assert_eq!(
        c.kubelet.exec("default", "web", None, &["sh".into(), "-c".into(), "exit 3".into()], now),
        Err("command terminated with exit code 3".into())
    );
    let err = c.kubelet.exec("default", "pause", None, &["sh".into()], now).expect_err("no shell");
    assert!(err.contains("exec: \"sh\": executable file not found in $PATH"), "{err}");
}

#[test]
fn restarted_kubelet_adopts_running_containers() {
    let mut c = Cluster::new();
    c.add_pod(pod("web", json!({"name": "nginx", "image": "nginx"})));
    c.run_for(15_000);
    let before = c.pod("web")["status"]["containerStatuses"][0]["containerID"].clone();
    c.kubelet.stop();
    c.run_for(5000);
    c.kubelet.start(&mut c.k);
    c.run_for(15_000);
    assert_eq!(c.pod("web")["status"]["containerStatuses"][0]["containerID"], before);
    assert_eq!(c.restarts("web", 0), 0);
    assert_eq!(c.rt.containers().len(), 1, "nothing was started twice");
}

#[test]
fn node_reboot_restarts_containers_in_a_new_sandbox() {
    let mut c = Cluster::new();
    c.add_pod(pod("web", json!({"name": "nginx", "image": "nginx"})));
    c.run_for(15_000);
    c.kubelet.stop();
    c.rt.power_off(c.k.now());
    c.rt.running = false;
    c.run_for(60_000);
    c.rt.running = true;
    c.kubelet.start(&mut c.k);
    c.run_for(20_000);
    assert!(
        c.events_of("web")
            .contains(&"SandboxChanged: Pod sandbox changed, it will be killed and re-created.".to_string())
    );
    assert_eq!(c.state("web", 0), "running");
    assert_eq!(c.restarts("web", 0), 1);
    let last = &c.pod("web")["status"]["containerStatuses"][0]["lastState"]["terminated"];
    assert_eq!((last["exitCode"].as_i64(), last["reason"].as_str()), (Some(255), Some("Unknown")));
}

#[test]
fn usage_is_deterministic_and_includes_allocations() {
    let mut c = Cluster::new();
    c.add_pod(pod("stress", json!({"name": "s", "image": "polinux/stress", "command": ["stress"], "args": ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]})));
    c.run_for(15_000);
    let u = c.kubelet.usage(c.k.now());
    assert_eq!(u, c.kubelet.usage(c.k.now()));
    let mem = u.pods[0].containers[0].memory_bytes;
    assert!(mem > 140 << 20 && mem < 180 << 20, "{mem}");
    assert!(u.memory_bytes > mem);
}

#[test]
fn same_seed_same_trace() {
    let run = || {
        let mut c = Cluster::new();
        c.add_pod(pod("web", json!({"name": "nginx", "image": "nginx"})));
        c.add_pod(pod("crash", json!({"name": "c", "image": "busybox", "command": ["false"]})));
        c.run_for(60_000);
        c.k.trace
            .entries()
            .iter()
            .map(|e| format!("{} {} {} {}", e.sent_at, e.from, e.to, e.summary))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn requests_lost_while_the_apiserver_is_down_are_retried() {
    let mut c = Cluster::new();
    c.add_pod(pod("web", json!({"name": "nginx", "image": "nginx"})));
    c.run_for(2000);
    c.api_down = true;
    c.run_for(30_000);
    assert_eq!(c.phase("web"), "Pending", "the Running status was lost on the way");
    let renewals = c.count("PUT", "/leases/kind-worker");
    c.api_down = false;
    c.run_for(25_000);
    assert!(c.count("PUT", "/leases/kind-worker") > renewals, "lease renewals resume");
    assert_eq!(c.phase("web"), "Running", "the status is sent again");
}
