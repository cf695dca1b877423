//! Scenario tests of the control plane path: kubectl -> kube-apiserver -> etcd -> watch cache,
//! with real kubectl's output as the reference.

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn kubectl_in(w: &mut World, line: &str, stdin: &str) -> Output {
    kubectl::execute(w, line, Some(stdin), &NoFiles)
}

#[test]
fn create_get_delete_namespace() {
    let mut w = World::bare(1);
    let out = kubectl(&mut w, "kubectl create namespace demo");
    assert_eq!(out.stdout, "namespace/demo created\n", "{out:?}");
    let out = kubectl(&mut w, "kubectl create namespace demo");
    assert_eq!(out.stderr, "Error from server (AlreadyExists): namespaces \"demo\" already exists\n");
    assert!(out.failed);
    // The other generators wrap the apiserver's error in their own words (measured with kubectl 1.33).
    let twice = [
        (
            "create configmap cm -n demo --from-literal=a=1",
            "error: failed to create configmap: configmaps \"cm\" already exists\n",
        ),
        (
            "create secret generic s -n demo --from-literal=a=1",
            "error: failed to create secret secrets \"s\" already exists\n",
        ),
        (
            "create service clusterip svc -n demo --tcp=80:80",
            "error: failed to create ClusterIP service: services \"svc\" already exists\n",
        ),
        (
            "create serviceaccount sa -n demo",
            "error: failed to create serviceaccount: serviceaccounts \"sa\" already exists\n",
        ),
    ];
    for (line, want) in twice {
        assert!(kubectl(&mut w, line).stderr.is_empty(), "{line}");
        assert_eq!(kubectl(&mut w, line).stderr, want, "{line}");
    }
    let out = kubectl(&mut w, "kubectl get ns");
    println!("{}", out.stdout);
    assert!(out.stdout.starts_with("NAME"), "{out:?}");
    assert!(out.stdout.contains("demo "), "{out:?}");
    assert!(out.stdout.contains("kube-system "), "{out:?}");
}

#[test]
fn get_missing_and_empty() {
    let mut w = World::bare(1);
    let out = kubectl(&mut w, "kubectl get pods");
    assert_eq!(out.stderr, "No resources found in default namespace.\n");
    let out = kubectl(&mut w, "get pod nope");
    assert_eq!(out.stderr, "Error from server (NotFound): pods \"nope\" not found\n");
    let out = kubectl(&mut w, "get foos");
    assert_eq!(out.stderr, "error: the server doesn't have a resource type \"foos\"\n");
}

#[test]
fn apply_creates_then_reports_unchanged_then_configured() {
    let mut w = World::bare(1);
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n";
    assert_eq!(kubectl_in(&mut w, "apply -f -", cm).stdout, "configmap/settings created\n");
    assert_eq!(kubectl_in(&mut w, "apply -f -", cm).stdout, "configmap/settings unchanged\n");
    let changed = cm.replace("\"1\"", "\"2\"");
    assert_eq!(kubectl_in(&mut w, "apply -f -", &changed).stdout, "configmap/settings configured\n");
    let out = kubectl(&mut w, "get cm settings -o jsonpath={.data.a}");
    assert_eq!(out.stdout, "2", "{out:?}");
}

#[test]
fn apply_refuses_crds_and_unknown_fields() {
    let mut w = World::bare(1);
    let crd = "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata:\n  name: pi\n";
    let out = kubectl_in(&mut w, "apply -f -", crd);
    assert_eq!(
        out.stderr,
        "error: resource mapping not found for name: \"pi\" namespace: \"\" from \"STDIN\": no matches for kind \"SparkApplication\" in version \"sparkoperator.k8s.io/v1beta2\"\nensure CRDs are installed first\n"
    );
    let typo = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  contianers: []\n";
    let out = kubectl_in(&mut w, "apply -f -", typo);
    println!("{out:?}");
    assert!(out.stderr.contains("strict decoding error: unknown field \"spec.contianers\""), "{out:?}");
}

#[test]
fn delete_and_labels() {
    let mut w = World::bare(1);
    kubectl(&mut w, "create configmap c --from-literal=a=b");
    assert_eq!(kubectl(&mut w, "label cm c tier=web").stdout, "configmap/c labeled\n");
    let out = kubectl(&mut w, "label cm c tier=db");
    assert_eq!(out.stderr, "error: 'tier' already has a value (web), and --overwrite is false\n");
    assert_eq!(kubectl(&mut w, "get cm -l tier=web -o name").stdout, "configmap/c\n");
    assert_eq!(kubectl(&mut w, "delete cm c").stdout, "configmap \"c\" deleted\n");
    assert_eq!(kubectl(&mut w, "delete cm c").stderr, "Error from server (NotFound): configmaps \"c\" not found\n");
}

#[test]
fn create_in_missing_namespace_is_refused() {
    let mut w = World::bare(1);
    let out = kubectl(&mut w, "create configmap c -n nowhere");
    // As kubectl 1.33 prints it (through `sandbox serve`): the generator's words around the error.
    assert_eq!(out.stderr, "error: failed to create configmap: namespaces \"nowhere\" not found\n");
}

#[test]
fn same_seed_same_trace() {
    let run = || {
        let mut w = World::bare(7);
        kubectl(&mut w, "create namespace demo");
        kubectl(&mut w, "create deployment web --image=nginx -n demo");
        w.run_for(5_000);
        w.k.trace.to_json_lines()
    };
    let a = run();
    assert!(a.lines().count() > 5);
    assert_eq!(a, run());
}

/// LimitRanger: the docs' cpu-constraints example refuses a container whose limit exceeds `max`
/// (https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/cpu-constraint-namespace/).
#[test]
fn limit_range_refuses_a_container_over_max() {
    let mut w = World::bare(1);
    let lr = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: cpu-min-max-demo-lr\nspec:\n  limits:\n  - max:\n      cpu: \"800m\"\n    min:\n      cpu: \"200m\"\n    type: Container\n";
    assert_eq!(kubectl_in(&mut w, "apply -f -", lr).stdout, "limitrange/cpu-min-max-demo-lr created\n");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: constraints-cpu-demo-2\nspec:\n  containers:\n  - name: c\n    image: nginx\n    resources:\n      limits:\n        cpu: \"1.5\"\n      requests:\n        cpu: \"500m\"\n";
    let out = kubectl_in(&mut w, "apply -f -", pod);
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): error when creating \"STDIN\": pods \"constraints-cpu-demo-2\" is forbidden: maximum cpu usage per Container is 800m, but limit is 1500m\n"
    );
    // A container without resources gets the LimitRange's defaults: `default` is `max` when unset,
    // and `defaultRequest` is `default` (SetDefaults_LimitRangeItem), as the docs page shows.
    let bare = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
    assert_eq!(kubectl_in(&mut w, "apply -f -", bare).stdout, "pod/p created\n");
    let res = kubectl(&mut w, "get pod p -o jsonpath={.spec.containers[0].resources}").stdout;
    assert_eq!(res, r#"{"limits":{"cpu":"800m"},"requests":{"cpu":"800m"}}"#);
}

/// ResourceQuota: a pod that would take the namespace over `hard` is refused with the quota's numbers.
/// The plugin measures against `status.hard`/`status.used`, which the quota controller fills in: until
/// it has, the quota selects nothing (`generic.Matches` reads `status.hard`).
#[test]
fn resource_quota_refuses_what_exceeds_it() {
    let mut w = World::new(1);
    let quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: pod-demo\nspec:\n  hard:\n    pods: \"1\"\n";
    assert_eq!(kubectl_in(&mut w, "apply -f -", quota).stdout, "resourcequota/pod-demo created\n");
    w.run_for(2_000);
    assert_eq!(kubectl(&mut w, "get quota pod-demo -o jsonpath={.status.used.pods}").stdout, "0");
    assert_eq!(kubectl(&mut w, "run one --image=nginx").stdout, "pod/one created\n");
    let out = kubectl(&mut w, "run two --image=nginx");
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): pods \"two\" is forbidden: exceeded quota: pod-demo, requested: pods=1, used: pods=1, limited: pods=1\n"
    );
}

/// The ServiceAccount admission plugin (`plugin/pkg/admission/serviceaccount`): a pod's ServiceAccount
/// must exist (the plugin waits up to 10 looks for a new namespace's `default`, which the controller-manager
/// makes a moment later); the pod gets the projected token volume mounted in every container, unless the
/// ServiceAccount (or the pod) sets `automountServiceAccountToken: false`.
#[test]
fn service_account_admission_refuses_missing_accounts_and_mounts_the_token() {
    let mut w = World::new(1);
    let pod = |name: &str, account: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  serviceAccountName: {account}\n  containers:\n  - name: c\n    image: nginx\n"
        )
    };
    let out = kubectl_in(&mut w, "apply -f -", &pod("q", "robot"));
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): error when creating \"STDIN\": pods \"q\" is forbidden: error looking up service account default/robot: serviceaccount \"robot\" not found\n"
    );
    assert_eq!(kubectl(&mut w, "create ns fresh").stdout, "namespace/fresh created\n");
    assert_eq!(kubectl(&mut w, "run r -n fresh --image=nginx").stdout, "pod/r created\n", "waited for default");
    let volume =
        kubectl(&mut w, "get pod r -n fresh -o jsonpath={.spec.volumes[0].projected.sources[1].configMap.name}");
    assert_eq!(volume.stdout, "kube-root-ca.crt");
    let mount = kubectl(&mut w, "get pod r -n fresh -o jsonpath={.spec.containers[0].volumeMounts[0].mountPath}");
    assert_eq!(mount.stdout, "/var/run/secrets/kubernetes.io/serviceaccount");
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: quiet\nautomountServiceAccountToken: false\n";
    assert_eq!(kubectl_in(&mut w, "apply -f -", sa).stdout, "serviceaccount/quiet created\n");
    assert_eq!(kubectl_in(&mut w, "apply -f -", &pod("p", "quiet")).stdout, "pod/p created\n");
    assert_eq!(kubectl(&mut w, "get pod p -o jsonpath={.spec.volumes}").stdout, "", "opted out");
}

/// The kubelet's `nodeStatusHasChanged` compares its status with the Node the apiserver holds: a Ready
/// condition another writer turned `Unknown` (the node lifecycle controller does after an outage) is
/// reported `True` again at the kubelet's next status sync, not at the five-minute report.
#[test]
fn a_node_marked_unknown_by_another_writer_is_reported_ready_again() {
    let mut w = World::new(6);
    let patch = r#"{"status":{"conditions":[{"type":"Ready","status":"Unknown","reason":"NodeStatusUnknown","message":"Kubelet stopped posting node status."}]}}"#;
    let out = kubectl(&mut w, &format!("patch node sandbox-worker --subresource=status --type=merge -p '{patch}'"));
    assert!(out.stderr.is_empty(), "{out:?}");
    let status = |w: &mut World| kubectl(w, "get node sandbox-worker --no-headers").stdout;
    assert!(status(&mut w).contains("NotReady"), "{}", status(&mut w));
    w.run_for(15_000);
    let now = status(&mut w);
    assert!(now.contains(" Ready ") && !now.contains("NotReady"), "{now}");
}
