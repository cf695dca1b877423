//! Scenario tests of v1 ReplicationControllers: served and defaulted as the core API does
//! (`SetDefaults_ReplicationController`), reconciled by the replication manager
//! (`pkg/controller/replication`, the ReplicaSet controller over a map selector), printed and
//! described as kubectl 1.33 does, scaled, and collected with their pods.

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn kubectl_in(w: &mut World, line: &str, stdin: &str) -> Output {
    kubectl::execute(w, line, Some(stdin), &NoFiles)
}

/// The docs' `controllers/replication.yaml`, without its selector: it defaults to the template's labels.
const RC: &str = "apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
spec:
  replicas: 3
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
";

fn running_pods(w: &mut World) -> usize {
    kubectl(w, "get pods --no-headers").stdout.lines().filter(|l| l.contains(" Running ")).count()
}

#[test]
fn a_replication_controller_keeps_its_pods_scales_and_is_collected() {
    let mut w = World::new(7);
    assert_eq!(kubectl_in(&mut w, "apply -f -", RC).stdout, "replicationcontroller/nginx created\n");
    w.run_for(30_000);
    assert_eq!(running_pods(&mut w), 3);
    assert_eq!(
        kubectl(&mut w, "get rc").stdout,
        "NAME    DESIRED   CURRENT   READY   AGE\nnginx   3         3         3       30s\n"
    );
    assert_eq!(kubectl(&mut w, "get rc nginx -o jsonpath={.spec.selector.app}").stdout, "nginx");
    assert_eq!(kubectl(&mut w, "get rc nginx -o jsonpath={.metadata.labels.app}").stdout, "nginx");
    let describe = kubectl(&mut w, "describe rc nginx").stdout;
    assert!(
        describe.starts_with(
            "Name:         nginx\nNamespace:    default\nSelector:     app=nginx\nLabels:       app=nginx\n\
             Annotations:  <none>\nReplicas:     3 current / 3 desired\nPods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\nPod Template:\n"
        ),
        "{describe}"
    );
    assert!(describe.contains("replication-controller  Created pod: nginx-"), "{describe}");
    // A pod deleted by hand is replaced.
    let victim = kubectl(&mut w, "get pods -o jsonpath={.items[0].metadata.name}").stdout;
    assert!(!kubectl(&mut w, &format!("delete pod {victim} --wait=false")).failed);
    w.run_for(40_000);
    assert_eq!(running_pods(&mut w), 3);
    assert_eq!(kubectl(&mut w, "scale rc nginx --replicas=1").stdout, "replicationcontroller/nginx scaled\n");
    w.run_for(40_000);
    assert_eq!(running_pods(&mut w), 1);
    assert_eq!(kubectl(&mut w, "delete rc nginx").stdout, "replicationcontroller \"nginx\" deleted\n");
    w.run_for(60_000);
    assert_eq!(
        kubectl(&mut w, "get pods").stderr,
        "No resources found in default namespace.\n",
        "the GC removed its pods"
    );
}

/// Validation in upstream's words: the template must carry the selector's labels.
#[test]
fn a_selector_the_template_does_not_match_is_refused() {
    let mut w = World::new(8);
    let bad = RC.replace("  replicas: 3\n", "  replicas: 3\n  selector:\n    app: web\n");
    let out = kubectl_in(&mut w, "apply -f -", &bad);
    assert!(out.failed);
    assert_eq!(
        out.stderr,
        "The ReplicationController \"nginx\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"nginx\"}: `selector` does not match template `labels`\n"
    );
}
