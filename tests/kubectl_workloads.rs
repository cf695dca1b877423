//! Scenario tests of the workload kubectl commands on a whole simulated cluster: rollouts
//! (`set image`, `rollout status|history|undo|pause|resume|restart`), node maintenance (`cordon`,
//! `drain`, `taint`), and looking inside (`logs`, `exec`, `top`, `events`), plus `patch` and `expose`.
//! Each asserts the text kubectl prints, and what the cluster did about it.

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn kubectl_in(w: &mut World, line: &str, stdin: &str) -> Output {
    kubectl::execute(w, line, Some(stdin), &NoFiles)
}

/// `kubectl get pods -o wide --no-headers` as (name, status, node) triples.
fn pods(w: &mut World) -> Vec<(String, String, String)> {
    kubectl(w, "get pods -o wide --no-headers")
        .stdout
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_string(), f[2].to_string(), f[6].to_string())
        })
        .collect()
}

fn running_on(w: &mut World) -> Vec<String> {
    pods(w).into_iter().filter(|(_, s, _)| s == "Running").map(|(_, _, n)| n).collect()
}

/// A cluster with a running 3-replica nginx Deployment `web`.
fn with_web(seed: u64) -> World {
    let mut w = World::new(seed);
    assert_eq!(
        kubectl(&mut w, "create deployment web --image=nginx --replicas=3").stdout,
        "deployment.apps/web created\n"
    );
    w.run_for(40_000);
    assert_eq!(running_on(&mut w).len(), 3);
    w
}

/// `set image` starts a rolling update; `rollout status` waits it out in virtual time and prints the
/// status viewer's lines; `rollout history` lists both ReplicaSets' revisions (rollout_status.go, history.go).
#[test]
fn set_image_rolls_out_and_history_shows_two_revisions() {
    let mut w = with_web(1);
    assert_eq!(
        kubectl(&mut w, "set image deployment/web nginx=nginx:1.27").stdout,
        "deployment.apps/web image updated\n"
    );
    let status = kubectl(&mut w, "rollout status deployment/web");
    assert!(!status.failed, "{status:?}");
    assert!(status.stdout.starts_with("Waiting for deployment \"web\" rollout to finish: "), "{}", status.stdout);
    assert!(status.stdout.ends_with("deployment \"web\" successfully rolled out\n"), "{}", status.stdout);
    let history = kubectl(&mut w, "rollout history deployment/web");
    assert_eq!(history.stdout, "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n");
    let images = kubectl(&mut w, "get pods -o jsonpath={.items[*].spec.containers[0].image}").stdout;
    assert_eq!(images, "nginx:1.27 nginx:1.27 nginx:1.27", "old pods are gone once the rollout finished");
    let rev = kubectl(&mut w, "rollout history deployment/web --revision=2").stdout;
    assert!(rev.starts_with("deployment.apps/web with revision #2\nPod Template:\n"), "{rev}");
    assert!(rev.contains("nginx:1.27"), "{rev}");
    // The same image again changes nothing, so kubectl prints nothing; an unknown container is an error.
    let same = kubectl(&mut w, "set image deployment/web nginx=nginx:1.27");
    assert_eq!((same.stdout.as_str(), same.failed), ("", false));
    let unknown = kubectl(&mut w, "set image deployment/web php=php:8");
    assert_eq!((unknown.stderr.as_str(), unknown.failed), ("error: unable to find container named \"php\"\n", true));
}

/// `rollout undo` copies the previous ReplicaSet's template back; the Deployment controller reuses
/// that ReplicaSet under the next revision number (rollback.go, deployment sync).
#[test]
fn rollout_undo_returns_to_the_first_image() {
    let mut w = with_web(2);
    kubectl(&mut w, "set image deployment/web nginx=nginx:1.27");
    assert!(!kubectl(&mut w, "rollout status deployment/web").failed);
    assert_eq!(kubectl(&mut w, "rollout undo deployment/web").stdout, "deployment.apps/web rolled back\n");
    assert!(
        kubectl(&mut w, "rollout status deployment/web --timeout=2m").stdout.ends_with("successfully rolled out\n")
    );
    assert_eq!(
        kubectl(&mut w, "get deployment web -o jsonpath={.spec.template.spec.containers[0].image}").stdout,
        "nginx"
    );
    assert_eq!(
        kubectl(&mut w, "rollout history deployment/web").stdout,
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n"
    );
    assert_eq!(
        kubectl(&mut w, "rollout undo deployment/web --to-revision=3").stdout,
        "deployment.apps/web skipped rollback (current template already matches revision 3)\n"
    );
    let missing = kubectl(&mut w, "rollout undo deployment/web --to-revision=9");
    assert_eq!(missing.stderr, "error: unable to find specified revision 9 in history\n");
}

/// Pause, resume and restart: their words, and the helpers' refusals.
#[test]
fn pause_resume_restart() {
    let mut w = with_web(3);
    // With one revision there is nothing to go back to (checked before the paused state, as in rollback.go).
    assert_eq!(
        kubectl(&mut w, "rollout undo deployment/web").stderr,
        "error: no rollout history found for deployment \"web\"\n"
    );
    kubectl(&mut w, "set image deployment/web nginx=nginx:1.27");
    assert!(!kubectl(&mut w, "rollout status deployment/web").failed);
    assert_eq!(kubectl(&mut w, "rollout pause deployment/web").stdout, "deployment.apps/web paused\n");
    assert_eq!(
        kubectl(&mut w, "rollout pause deployment/web").stderr,
        "error: deployments.apps \"web\" is already paused\n"
    );
    assert_eq!(
        kubectl(&mut w, "rollout restart deployment/web").stderr,
        "error: deployments.apps \"web\" can't restart paused deployment (run rollout resume first)\n"
    );
    assert_eq!(
        kubectl(&mut w, "rollout undo deployment/web").stderr,
        "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/web' and try again\n"
    );
    assert_eq!(kubectl(&mut w, "rollout resume deployment/web").stdout, "deployment.apps/web resumed\n");
    assert_eq!(
        kubectl(&mut w, "rollout resume deployment/web").stderr,
        "error: deployments.apps \"web\" is not paused\n"
    );
    assert_eq!(kubectl(&mut w, "rollout restart deployment/web").stdout, "deployment.apps/web restarted\n");
    let annotation = kubectl(&mut w, "get deployment web -o jsonpath={.spec.template.metadata.annotations}").stdout;
    assert!(annotation.contains("kubectl.kubernetes.io/restartedAt"), "{annotation}");
    assert!(kubectl(&mut w, "rollout status deployment/web").stdout.ends_with("successfully rolled out\n"));
    assert_eq!(
        kubectl(&mut w, "rollout history deployment/web").stdout.lines().count(),
        6,
        "revisions 1 to 3 plus header, name line and blank line"
    );
}

/// An image that cannot be pulled never becomes available: `rollout status --timeout` gives up with
/// client-go's `timed out waiting for the condition`.
#[test]
fn rollout_status_times_out_on_a_broken_image() {
    let mut w = with_web(4);
    w.set_image_unpullable("nginx:0.0.0", true);
    kubectl(&mut w, "set image deployment/web nginx=nginx:0.0.0");
    let status = kubectl(&mut w, "rollout status deployment/web --timeout=30s");
    assert!(status.failed);
    assert_eq!(status.stderr, "error: timed out waiting for the condition\n");
    assert!(
        status
            .stdout
            .contains("Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."),
        "{}",
        status.stdout
    );
    let once = kubectl(&mut w, "rollout status deployment/web --watch=false");
    assert_eq!(once.stdout.lines().count(), 1, "{once:?}");
}

/// A cordoned node takes no new pods (NodeUnschedulable); `get nodes` says SchedulingDisabled.
#[test]
fn cordon_makes_new_pods_avoid_the_node() {
    let mut w = World::new(5);
    assert_eq!(kubectl(&mut w, "cordon sandbox-worker").stdout, "node/sandbox-worker cordoned\n");
    assert_eq!(kubectl(&mut w, "cordon sandbox-worker").stdout, "node/sandbox-worker already cordoned\n");
    kubectl(&mut w, "cordon sandbox-worker2");
    assert!(kubectl(&mut w, "get node sandbox-worker --no-headers").stdout.contains("Ready,SchedulingDisabled"));
    kubectl(&mut w, "create deployment web --image=nginx --replicas=3");
    w.run_for(40_000);
    assert_eq!(running_on(&mut w), ["sandbox-worker3"; 3]);
    assert_eq!(kubectl(&mut w, "uncordon sandbox-worker").stdout, "node/sandbox-worker uncordoned\n");
    assert_eq!(kubectl(&mut w, "uncordon sandbox-worker").stdout, "node/sandbox-worker already uncordoned\n");
}

/// `drain` cordons, evicts through pods/eviction, waits for each pod to go, and the ReplicaSet
/// replaces them on the other nodes (drain.go).
#[test]
fn drain_evicts_and_the_deployment_replaces_the_pods_elsewhere() {
    let mut w = with_web(6);
    let before: Vec<String> =
        pods(&mut w).into_iter().filter(|(_, _, n)| n == "sandbox-worker").map(|(p, _, _)| p).collect();
    assert_eq!(before.len(), 1, "one replica per worker");
    let out = kubectl(&mut w, "drain sandbox-worker --ignore-daemonsets --delete-emptydir-data --grace-period=10");
    assert!(!out.failed, "{out:?}");
    let expected = format!(
        "node/sandbox-worker cordoned\nevicting pod default/{0}\npod/{0} evicted\nnode/sandbox-worker drained\n",
        before[0]
    );
    assert_eq!(out.stdout, expected);
    w.run_for(30_000);
    let nodes = running_on(&mut w);
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    assert!(!nodes.iter().any(|n| n == "sandbox-worker"), "{nodes:?}");
    assert_eq!(
        kubectl(&mut w, "drain sandbox-worker --ignore-daemonsets").stdout,
        "node/sandbox-worker already cordoned\nnode/sandbox-worker drained\n"
    );
}

/// A pod with no controller stops the drain unless `--force`, which deletes it with a warning; the
/// words are kubectl 1.33's, doubled `cannot delete` and all (measured through `sandbox serve`). Every
/// node runs kube-proxy and kindnet, DaemonSet pods that drain only skips with `--ignore-daemonsets`.
#[test]
fn drain_refuses_unmanaged_pods_without_force() {
    let mut w = World::new(7);
    kubectl(&mut w, "run solo --image=nginx");
    w.run_for(30_000);
    let node = pods(&mut w)[0].2.clone();
    let without = kubectl(&mut w, &format!("drain {node}"));
    assert!(
        without.stderr.contains(
            ", cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/kindnet-"
        ),
        "{without:?}"
    );
    let refused = kubectl(&mut w, &format!("drain {node} --ignore-daemonsets"));
    assert!(refused.failed);
    assert_eq!(refused.stdout, format!("node/{node} already cordoned\n"));
    assert_eq!(
        refused.stderr,
        format!(
            "error: unable to drain node \"{node}\" due to error: cannot delete cannot delete Pods that declare no controller (use --force to override): default/solo, continuing command...\nThere are pending nodes to be drained:\n {node}\ncannot delete cannot delete Pods that declare no controller (use --force to override): default/solo\n"
        )
    );
    let forced = kubectl(&mut w, &format!("drain {node} --force --ignore-daemonsets"));
    assert!(!forced.failed, "{forced:?}");
    assert!(
        forced.stderr.starts_with(
            "Warning: deleting Pods that declare no controller: default/solo; ignoring DaemonSet-managed Pods: kube-system/kindnet-"
        ),
        "{}",
        forced.stderr
    );
    assert!(forced.stdout.ends_with(&format!("pod/solo evicted\nnode/{node} drained\n")), "{}", forced.stdout);
    assert!(kubectl(&mut w, "get pod solo").failed, "an unmanaged pod is gone for good");
}

/// A PodDisruptionBudget that allows no disruption makes each eviction fail with 429; kubectl
/// retries every 5 s until `--timeout` (eviction.go, drain.go).
#[test]
fn drain_respects_pod_disruption_budgets() {
    let mut w = with_web(8);
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 3\n  selector:\n    matchLabels:\n      app: web\n";
    assert_eq!(kubectl_in(&mut w, "apply -f -", pdb).stdout, "poddisruptionbudget.policy/web created\n");
    let out = kubectl(&mut w, "drain sandbox-worker --ignore-daemonsets --timeout=12s");
    assert!(out.failed);
    let refusal = "(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.";
    assert_eq!(out.stderr.matches(refusal).count(), 3, "{}", out.stderr);
    assert!(out.stderr.contains("global timeout reached: 12s"), "{}", out.stderr);
    assert_eq!(running_on(&mut w).len(), 3, "nothing was evicted");
    assert_eq!(
        kubectl(&mut w, r#"patch pdb web --type merge -p '{"spec":{"minAvailable":2}}'"#).stdout,
        "poddisruptionbudget.policy/web patched\n"
    );
    let ok = kubectl(&mut w, "drain sandbox-worker --ignore-daemonsets");
    assert!(!ok.failed && ok.stdout.ends_with("node/sandbox-worker drained\n"), "{ok:?}");
}

/// `taint NoExecute` makes the taint-eviction controller delete pods that do not tolerate it.
#[test]
fn noexecute_taint_evicts_intolerant_pods() {
    let mut w = with_web(9);
    assert_eq!(
        kubectl(&mut w, "taint nodes sandbox-worker3 maintenance=yes:NoExecute").stdout,
        "node/sandbox-worker3 tainted\n"
    );
    w.run_for(40_000);
    let nodes = running_on(&mut w);
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    assert!(!nodes.iter().any(|n| n == "sandbox-worker3"), "{nodes:?}");
    assert!(
        kubectl(&mut w, "get events --field-selector reason=TaintManagerEviction --no-headers")
            .stdout
            .contains("Marking for deletion Pod default/web-")
    );
    let dup = kubectl(&mut w, "taint nodes sandbox-worker3 maintenance=no:NoExecute");
    assert_eq!(
        dup.stderr,
        "error: node sandbox-worker3 already has maintenance taint(s) with same effect(s) and --overwrite is false\n"
    );
    assert_eq!(
        kubectl(&mut w, "taint nodes sandbox-worker3 maintenance=no:NoExecute --overwrite").stdout,
        "node/sandbox-worker3 modified\n"
    );
    assert_eq!(kubectl(&mut w, "taint nodes sandbox-worker3 maintenance-").stdout, "node/sandbox-worker3 untainted\n");
    assert_eq!(
        kubectl(&mut w, "taint nodes sandbox-worker3 maintenance-").stderr,
        "error: taint \"maintenance\" not found\n"
    );
    assert_eq!(kubectl(&mut w, "get node sandbox-worker3 -o jsonpath={.spec.taints}").stdout, "");
}

/// `logs` reads the kubelet's record of the container's output; errors are kubectl's and the API server's.
#[test]
fn logs_of_an_nginx_pod() {
    let mut w = World::new(10);
    kubectl(&mut w, "run web --image=nginx");
    w.run_for(30_000);
    let logs = kubectl(&mut w, "logs web");
    assert!(logs.stdout.contains("Configuration complete; ready for start up"), "{}", logs.stdout);
    let tail = kubectl(&mut w, "logs web --tail=1").stdout;
    assert_eq!(tail.lines().count(), 1);
    assert!(logs.stdout.ends_with(&tail));
    assert!(kubectl(&mut w, "logs -f pod/web").stdout == logs.stdout, "-f returns the lines so far");
    assert_eq!(kubectl(&mut w, "logs web -c php").stderr, "error: container php is not valid for pod web\n");
    assert_eq!(
        kubectl(&mut w, "logs web --previous").stderr,
        "Error from server (BadRequest): previous terminated container \"web\" in pod \"web\" not found\n"
    );
    // As kubectl 1.33 prints it (its resource builder's NotFound; checked through sandbox serve).
    assert_eq!(
        kubectl(&mut w, "logs nope").stderr,
        "error: error from server (NotFound): pods \"nope\" not found in namespace \"default\"\n"
    );
    kubectl(&mut w, "create deployment api --image=nginx --replicas=2");
    w.run_for(30_000);
    let first = kubectl(&mut w, "logs deploy/api --tail=1");
    assert!(first.stderr.starts_with("Found 2 pods, using pod/api-"), "{first:?}");
    assert_eq!(first.stdout.lines().count(), 1);
}

/// `exec` runs a command through the apiserver and the kubelet; an interactive shell opens a session.
#[test]
fn exec_env_and_refusals() {
    let mut w = World::new(11);
    kubectl(&mut w, "run web --image=nginx --env=GREETING=hello");
    w.run_for(30_000);
    let env = kubectl(&mut w, "exec web -- env");
    assert!(!env.failed, "{env:?}");
    assert!(env.stdout.lines().any(|l| l == "GREETING=hello"), "{}", env.stdout);
    assert!(env.stdout.lines().any(|l| l == "HOSTNAME=web"), "{}", env.stdout);
    assert!(env.stdout.contains("KUBERNETES_SERVICE_HOST=10.96.0.1"), "{}", env.stdout);
    // On a terminal, an interactive shell opens a session: nginx's image is Debian, whose `sh` is
    // dash, whose root prompt is `# `; with `bash`, Debian's `\u@\h:\w\$ `.
    let shell = kubectl(&mut w, "exec -it web -- sh");
    assert!(!shell.failed, "{shell:?}");
    assert_eq!(
        shell.session.as_ref().map(|s| (s.prompt.as_str(), s.line())),
        Some(("# ", "kubectl exec -i web -n default -c web -- sh".to_string()))
    );
    let bash = kubectl(&mut w, "exec -it web -- bash").session.map(|s| s.prompt);
    assert_eq!(bash.as_deref(), Some("root@web:/# "));
    // Without `-t` the shell's stdin is a pipe, not a terminal: it is not interactive and prints no
    // prompt (dash writes PS1 only when `iflag` is set, which needs a tty or `-i`).
    let piped = kubectl(&mut w, "exec -i web -- sh").session.map(|s| s.prompt);
    assert_eq!(piped.as_deref(), Some(""));
    let failing = kubectl(&mut w, "exec web -- ls /nope");
    assert!(failing.failed);
    assert!(failing.stderr.ends_with("command terminated with exit code 2\n"), "{failing:?}");
    assert_eq!(kubectl(&mut w, "exec web").stderr, "error: you must specify at least one command for the container\n");
    assert_eq!(
        kubectl(&mut w, "exec web -c php -- env").stderr,
        "Error from server (BadRequest): container php is not valid for pod web\n"
    );
}

/// `top` prints kubectl's columns from the Metrics API (metrics-server's scrape of the kubelets; a
/// node that went down shows `<unknown>` once a scrape, every 15 s, has missed it: the next cycle
/// waits 10 s for it, metrics-server's `--kubelet-request-timeout`).
#[test]
fn top_nodes_and_pods() {
    let mut w = with_web(12);
    let nodes = kubectl(&mut w, "top nodes").stdout;
    let header: Vec<&str> = nodes.lines().next().unwrap_or_default().split_whitespace().collect();
    assert_eq!(header, ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]);
    assert_eq!(nodes.lines().count(), 5, "{nodes}");
    assert!(nodes.lines().skip(1).all(|l| l.split_whitespace().nth(1).is_some_and(|c| c.ends_with('m'))), "{nodes}");
    let pods = kubectl(&mut w, "top pods").stdout;
    let header: Vec<&str> = pods.lines().next().unwrap_or_default().split_whitespace().collect();
    assert_eq!(header, ["NAME", "CPU(cores)", "MEMORY(bytes)"]);
    assert_eq!(pods.lines().count(), 4, "{pods}");
    assert!(pods.lines().skip(1).all(|l| l.starts_with("web-") && l.contains("Mi")), "{pods}");
    assert_eq!(
        kubectl(&mut w, "top pod nope").stderr,
        "Error from server (NotFound): podmetrics.metrics.k8s.io \"default/nope\" not found\n"
    );
    w.set_node_running("sandbox-worker", false).expect("the node exists");
    w.run_for(25_000);
    let unknown = kubectl(&mut w, "top nodes").stdout;
    assert!(unknown.lines().any(|l| l.starts_with("sandbox-worker ") && l.contains("<unknown>")), "{unknown}");
}

/// `events` lists Events oldest first with `Kind/name` objects; `--for` narrows to one object.
#[test]
fn events_sorted_by_time() {
    let mut w = World::new(13);
    assert_eq!(kubectl(&mut w, "events").stderr, "No events found in default namespace.\n");
    kubectl(&mut w, "run web --image=nginx");
    w.run_for(20_000);
    let all = kubectl(&mut w, "events --for pod/web").stdout;
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    );
    assert!(lines[1..].iter().all(|l| l.contains(" Pod/web ")), "{all}");
    let reasons: Vec<&str> = lines[1..].iter().filter_map(|l| l.split_whitespace().nth(2)).collect();
    let pos = |r: &str| reasons.iter().position(|x| *x == r);
    assert!(pos("Scheduled") < pos("Started"), "{all}");
    assert_eq!(kubectl(&mut w, "events --types=Bad").stderr, "error: valid --types are Normal or Warning\n");
    assert_eq!(kubectl(&mut w, "events --for web").stderr, "error: --for must be in resource/name form\n");
}

/// `patch` in its three types, and `expose` building a Service from a Deployment.
#[test]
fn patch_and_expose() {
    let mut w = with_web(14);
    assert_eq!(
        kubectl(&mut w, r#"patch deployment web -p '{"spec":{"replicas":4}}'"#).stdout,
        "deployment.apps/web patched\n"
    );
    assert_eq!(
        kubectl(&mut w, r#"patch deployment web -p '{"spec":{"replicas":4}}'"#).stdout,
        "deployment.apps/web patched (no change)\n"
    );
    // A YAML patch works too, as kubectl converts it to JSON.
    assert_eq!(
        kubectl(&mut w, "patch deployment/web --type=merge -p 'metadata: {labels: {team: a}}'").stdout,
        "deployment.apps/web patched\n"
    );
    assert_eq!(kubectl(&mut w, "get deployment web -o jsonpath={.metadata.labels.team}").stdout, "a");
    let json = r#"patch deployment web --type json -p '[{"op":"replace","path":"/spec/replicas","value":2}]'"#;
    assert_eq!(kubectl(&mut w, json).stdout, "deployment.apps/web patched\n");
    assert_eq!(kubectl(&mut w, "get deployment web -o jsonpath={.spec.replicas}").stdout, "2");
    let bad = kubectl(&mut w, r#"patch deployment web --type json -p '[{"op":"remove","path":"/spec/nope"}]'"#);
    assert_eq!(bad.stderr, "The request is invalid: the server rejected our request due to an error in our request\n");
    assert_eq!(
        kubectl(&mut w, "patch deployment web --type=yaml -p {}").stderr,
        "error: --type must be one of [json merge strategic], not \"yaml\"\n"
    );
    assert_eq!(
        kubectl(&mut w, "expose deployment web --port=80 --target-port=8080 --type=NodePort").stdout,
        "service/web exposed\n"
    );
    let svc = kubectl(&mut w, "get service web -o jsonpath={.spec.selector.app}/{.spec.ports[0].port}/{.spec.ports[0].targetPort}/{.spec.type}").stdout;
    assert_eq!(svc, "web/80/8080/NodePort");
    assert_eq!(
        kubectl(&mut w, "expose deployment web").stderr,
        "error: couldn't find port via --port flag or introspection\n"
    );
    assert_eq!(
        kubectl(&mut w, "expose deployment web --port=80").stderr,
        "Error from server (AlreadyExists): services \"web\" already exists\n"
    );
}

/// Bad input gets kubectl's error text and a non-zero exit, never a panic.
#[test]
fn bad_input_is_answered_in_kubectl_words() {
    let mut w = World::new(15);
    let cases = [
        ("rollout status", "error: required resource not specified\n"),
        ("rollout status deployment/nope", "Error from server (NotFound): deployments.apps \"nope\" not found\n"),
        (
            "rollout history pod/x --bogus",
            "error: unknown flag: --bogus\nSee 'kubectl rollout history --help' for usage.\n",
        ),
        ("rollout frob", "error: unknown command \"frob\"\nSee 'kubectl rollout -h' for help and examples\n"),
        ("set image deployment/web", "error: at least one image update is required\n"),
        (
            "set image nginx=nginx",
            "error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n",
        ),
        ("cordon", "error: USAGE: cordon NODE [flags]\nSee 'kubectl cordon -h' for help and examples\n"),
        ("drain nope", "Error from server (NotFound): nodes \"nope\" not found\n"),
        (
            "drain a -l x=y",
            "error: cannot specify both a node name and a --selector option\nSee 'kubectl drain -h' for help and examples\n",
        ),
        ("taint nodes sandbox-worker", "error: at least one taint update is required\n"),
        ("taint pods x a=b:NoSchedule", "error: invalid resource type pods, only node types are supported\n"),
        (
            "taint nodes sandbox-worker a=b:Often",
            "error: invalid taint effect: Often, unsupported taint effect\nSee 'kubectl taint -h' for help and examples\n",
        ),
        (
            "logs",
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n",
        ),
        ("logs x --tail=-5", "error: --tail must be greater than or equal to -1\n"),
        ("exec", "error: pod, type/name or --filename must be specified\n"),
        ("exec nope -- ls", "Error from server (NotFound): pods \"nope\" not found\n"),
        ("top", ""),
        ("top pods --sort-by=age", "error: --sort-by accepts only cpu or memory\n"),
        ("patch deployment web", "error: must specify --patch or --patch-file containing the contents of the patch\n"),
        ("expose configmap x", "error: cannot expose a ConfigMap\n"),
        ("expose deployment nope --port=80", "Error from server (NotFound): deployments.apps \"nope\" not found\n"),
        ("events --types=Info", "error: valid --types are Normal or Warning\n"),
    ];
    for (line, stderr) in cases {
        let out = kubectl(&mut w, line);
        assert!(out.failed, "{line} should fail: {out:?}");
        if !stderr.is_empty() {
            assert_eq!(out.stderr, stderr, "{line}");
        }
    }
}

/// Odd input never panics (a panic would kill the browser page); each line gets some answer.
#[test]
fn odd_input_never_panics() {
    let mut w = with_web(16);
    kubectl(&mut w, "run solo --image=nginx");
    w.run_for(20_000);
    let lines = [
        "rollout undo deployment/web --to-revision=-1",
        "rollout undo deployment web pod/solo",
        "rollout status deployment",
        "rollout history deployment/web --revision=x",
        "rollout restart pod/solo",
        "set image deployment/web *=busybox nginx=x",
        "set image deployment/web =",
        "set image pod/solo solo=nginx:1.27",
        "drain sandbox-worker --grace-period=abc",
        "drain sandbox-worker --dry-run=client --force",
        "drain pod/solo",
        "taint nodes sandbox-worker =:NoSchedule",
        "taint nodes sandbox-worker a=b:NoSchedule a-",
        "taint nodes --all x=y:PreferNoSchedule",
        "taint node/sandbox-worker2 x=y:NoSchedule",
        "logs solo --limit-bytes=3 --timestamps",
        "logs solo --since=abc",
        "logs solo extra more",
        "logs solo solo --all-containers",
        "logs svc/none",
        "exec solo -- ",
        "exec solo -c",
        "exec pod/solo -q -- sh -c 'echo ü'",
        "top nodes nope",
        "top pods -A --sort-by=memory --no-headers",
        "patch pod solo -p '[]'",
        "patch pod solo --type json -p '{}'",
        "patch pod solo --type json -p '[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"1\"}]'",
        "patch pod solo -p 'not: [valid'",
        "expose pod solo",
        "expose pod solo --port=80 --session-affinity=Sticky",
        "expose deployment/web --port=abc",
        "events --for a/b/c",
        "events -A --no-headers -o yaml",
        "events --for deployment/web -o name",
    ];
    for line in lines {
        let out = kubectl(&mut w, line);
        assert!(!out.stdout.is_empty() || !out.stderr.is_empty(), "{line} printed nothing");
    }
}
