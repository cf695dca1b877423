//! Scenario tests of storage as a kind cluster provides it: kind's local-path-provisioner
//! (`rancher/local-path-provisioner` on `sig-storage-lib-external-provisioner`) provisions a
//! `pvc-<uid>` volume on the node the scheduler's VolumeBinding chose (`volumebinding/binder.go`:
//! `BindPodVolumes` writes `volume.kubernetes.io/selected-node`), the PV controller binds it
//! (`pv_controller.go`), and the protection finalizers (`pkg/controller/volume/pvcprotection`,
//! `pvprotection`) keep a claim in use until its last pod is gone.

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn apply(w: &mut World, yaml: &str) {
    let out = kubectl::execute(w, "apply -f -", Some(yaml), &NoFiles);
    assert!(out.stderr.is_empty(), "{out:?}");
}

fn jsonpath(w: &mut World, what: &str, path: &str) -> String {
    kubectl(w, &format!("get {what} -o jsonpath={{{path}}}")).stdout
}

const WEB: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        volumeMounts:
        - {name: data, mountPath: /usr/share/nginx/html}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
";

/// A StatefulSet's claims on kind's default class are provisioned on the nodes its pods were
/// scheduled to, bound, and the pods run in order.
#[test]
fn a_statefulsets_claims_are_provisioned_on_its_pods_nodes() {
    let mut w = World::new(1);
    let provisioner = kubectl(&mut w, "get pods -n local-path-storage --no-headers").stdout;
    assert!(provisioner.contains("1/1") && provisioner.contains("Running"), "{provisioner}");
    apply(&mut w, WEB);
    w.run_for(60_000);
    let pods = kubectl(&mut w, "get pods -l app=web --no-headers").stdout;
    assert_eq!(pods.lines().filter(|l| l.contains("Running")).count(), 2, "{pods}");
    for i in 0..2 {
        let claim = format!("data-web-{i}");
        let uid = jsonpath(&mut w, &format!("pvc {claim}"), ".metadata.uid");
        assert_eq!(jsonpath(&mut w, &format!("pvc {claim}"), ".status.phase"), "Bound");
        let volume = jsonpath(&mut w, &format!("pvc {claim}"), ".spec.volumeName");
        assert_eq!(volume, format!("pvc-{uid}"));
        let node = jsonpath(&mut w, &format!("pod web-{i}"), ".spec.nodeName");
        let affinity = jsonpath(
            &mut w,
            &format!("pv {volume}"),
            ".spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]",
        );
        assert_eq!(affinity, node, "the volume lives on the pod's node");
        let path = jsonpath(&mut w, &format!("pv {volume}"), ".spec.hostPath.path");
        assert_eq!(path, format!("/var/local-path-provisioner/{volume}_default_{claim}"));
    }
    let describe = kubectl(&mut w, "describe pvc data-web-0").stdout;
    for line in [
        "External provisioner is provisioning volume for claim \"default/data-web-0\"",
        "Successfully provisioned volume pvc-",
        "rancher.io/local-path_local-path-provisioner-",
    ] {
        assert!(describe.contains(line), "{line}: {describe}");
    }
    let started = |w: &mut World, p: &str| jsonpath(w, &format!("pod {p}"), ".status.startTime");
    assert!(started(&mut w, "web-0") <= started(&mut w, "web-1"), "ordered");
}

/// With the provisioner's Deployment scaled to 0, nothing creates the volume: the claim stays Pending
/// with the PV controller's `ExternalProvisioning` event, and its pod waits (VolumeBinding's PreBind,
/// `binder.go` `BindPodVolumes`, until its 10-minute timeout, then again after a retry).
#[test]
fn without_the_provisioner_a_claim_waits_for_it() {
    let mut w = World::new(2);
    let out = kubectl(&mut w, "scale deployment local-path-provisioner -n local-path-storage --replicas=0");
    assert!(out.stderr.is_empty(), "{out:?}");
    w.run_for(40_000);
    apply(&mut w, &WEB.replace("replicas: 2", "replicas: 1"));
    w.run_for(60_000);
    assert_eq!(jsonpath(&mut w, "pvc data-web-0", ".status.phase"), "Pending");
    let describe = kubectl(&mut w, "describe pvc data-web-0").stdout;
    assert!(
        describe.contains("Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path' or manually by the system administrator."),
        "{describe}"
    );
    assert_eq!(jsonpath(&mut w, "pod web-0", ".spec.nodeName"), "", "the pod is not bound before its volume");
    let annotations = jsonpath(&mut w, "pvc data-web-0", ".metadata.annotations");
    let node = annotations
        .split("\"volume.kubernetes.io/selected-node\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_string();
    assert!(node.starts_with("sandbox-worker"), "{node}");
    // PreBind gives up after `bindTimeoutSeconds` (10 minutes) and the pod is retried on the same node.
    w.run_for(600_000);
    let pod = kubectl(&mut w, "describe pod web-0").stdout;
    let timeout = "running PreBind plugin \"VolumeBinding\": binding volumes: context deadline exceeded";
    assert!(pod.contains(timeout), "{pod}");
    assert_eq!(jsonpath(&mut w, "pod web-0", ".spec.nodeName"), "");
    // The provisioner back: the claim is provisioned and the pod runs.
    kubectl(&mut w, "scale deployment local-path-provisioner -n local-path-storage --replicas=1");
    w.run_for(60_000);
    assert_eq!(jsonpath(&mut w, "pvc data-web-0", ".status.phase"), "Bound");
    assert_eq!(jsonpath(&mut w, "pod web-0", ".spec.nodeName"), node);
}

/// `pvcprotection`: deleting a claim a running pod uses only marks it (Terminating, with the
/// `kubernetes.io/pvc-protection` finalizer the admission plugin added); once the pod is gone the claim
/// goes, its provisioned volume is released and, reclaim policy Delete, deleted by the provisioner
/// (`pv-protection` letting it go once it is no longer Bound).
#[test]
fn a_claim_in_use_stays_terminating_until_its_pod_is_gone() {
    let mut w = World::new(3);
    apply(&mut w, &WEB.replace("replicas: 2", "replicas: 1"));
    w.run_for(40_000);
    assert_eq!(jsonpath(&mut w, "pvc data-web-0", ".metadata.finalizers[0]"), "kubernetes.io/pvc-protection");
    let volume = jsonpath(&mut w, "pvc data-web-0", ".spec.volumeName");
    assert_eq!(jsonpath(&mut w, &format!("pv {volume}"), ".metadata.finalizers[0]"), "kubernetes.io/pv-protection");
    let out = kubectl::execute(&mut w, "delete pvc data-web-0 --wait=false", None, &NoFiles);
    assert!(out.stderr.is_empty(), "{out:?}");
    w.run_for(20_000);
    let listed = kubectl(&mut w, "get pvc data-web-0 --no-headers").stdout;
    assert!(listed.contains("Terminating"), "{listed}");
    // The StatefulSet's pod goes; it is made again, but a new pod cannot start with a claim being deleted.
    kubectl(&mut w, "scale statefulset web --replicas=0");
    w.run_for(60_000);
    let gone = kubectl(&mut w, "get pvc data-web-0");
    assert!(gone.stderr.contains("not found"), "{gone:?}");
    let pv = kubectl(&mut w, &format!("get pv {volume}"));
    assert!(pv.stderr.contains("not found"), "released and deleted: {pv:?}");
}

/// `persistentVolumeClaimRetentionPolicy`: with `whenScaled: Delete` the claim of a pod removed by a
/// scale-down is deleted with it; with `whenDeleted: Delete` the claims go with the set.
#[test]
fn the_retention_policy_deletes_claims_on_scale_down_and_with_the_set() {
    let mut w = World::new(4);
    let policy = "  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete\n    whenScaled: Delete\n  volumeClaimTemplates:";
    apply(&mut w, &WEB.replace("  volumeClaimTemplates:", policy));
    w.run_for(60_000);
    assert_eq!(jsonpath(&mut w, "pvc data-web-1", ".status.phase"), "Bound");
    assert_eq!(jsonpath(&mut w, "pvc data-web-0", ".metadata.ownerReferences[0].kind"), "StatefulSet");
    kubectl(&mut w, "scale statefulset web --replicas=1");
    w.run_for(60_000);
    assert!(kubectl(&mut w, "get pvc data-web-1").stderr.contains("not found"), "scaled down: claim deleted");
    assert_eq!(jsonpath(&mut w, "pvc data-web-0", ".status.phase"), "Bound");
    kubectl(&mut w, "delete statefulset web");
    w.run_for(60_000);
    assert!(kubectl(&mut w, "get pvc data-web-0").stderr.contains("not found"), "deleted with the set");
    // The default (Retain) keeps them.
    apply(&mut w, &WEB.replace("name: web\nspec", "name: db\nspec").replace("{app: web}", "{app: db}"));
    w.run_for(60_000);
    kubectl(&mut w, "delete statefulset db");
    w.run_for(60_000);
    assert_eq!(jsonpath(&mut w, "pvc data-db-0", ".status.phase"), "Bound");
}

/// VolumeBinding in the scheduler's decision (what the inspector's table shows): a claim waiting for
/// its first consumer lets every worker through and the plugin's score column is skipped (upstream's
/// PreScore returns Skip without the alpha StorageCapacityScoring gate); once the claim's volume is
/// provisioned with node affinity, the pod made again fits only that node, the other workers refused
/// by VolumeBinding with `binder.go`'s `ErrReasonNodeConflict`.
#[test]
fn volume_binding_decides_in_the_decision_table() {
    use k8s_sandbox::sim::scheduler::decision::Verdict;
    let mut w = World::new(5);
    apply(&mut w, &WEB.replace("replicas: 2", "replicas: 1"));
    w.run_for(60_000);
    let d = w.scheduler.last_decision("default", "web-0").expect("web-0 was scheduled");
    assert!(d.filter_plugins.contains(&"VolumeBinding"));
    let p = d.score_plugins.iter().position(|(n, _)| *n == "VolumeBinding").expect("VolumeBinding scores");
    assert_eq!(d.score_plugins[p], ("VolumeBinding", 1));
    let chosen = d.chosen().expect("fit").to_string();
    let i = d.node_index(&chosen).expect("evaluated");
    let scores = d.scores(i).expect("two workers fit: scored");
    assert!(scores[p].skipped && scores[p].weighted == 0, "{scores:?}");
    let volume = jsonpath(&mut w, "pvc data-web-0", ".spec.volumeName");
    assert!(volume.starts_with("pvc-"), "{volume}");

    kubectl(&mut w, "delete pod web-0 --wait=false");
    w.run_for(60_000);
    let d = w.scheduler.last_decision("default", "web-0").expect("the new web-0 was scheduled");
    assert_eq!(d.chosen(), Some(chosen.as_str()), "the volume's node");
    let refused: Vec<(String, Vec<String>)> = d
        .rejections()
        .filter(|(_, s)| s.plugin == "VolumeBinding")
        .map(|(n, s)| (n.to_string(), s.reasons.iter().map(|r| r.to_string()).collect()))
        .collect();
    assert!(!refused.is_empty(), "another worker refused by VolumeBinding");
    for (node, reasons) in &refused {
        assert!(node.starts_with("sandbox-worker") && *node != chosen, "{node}");
        assert_eq!(reasons, &["node(s) had volume node affinity conflict"]);
        let k = d.node_index(node).expect("evaluated");
        let verdict = d.filter_verdicts(k).into_iter().find(|(n, _)| *n == "VolumeBinding").map(|(_, v)| v);
        assert!(matches!(verdict, Some(Verdict::Rejected(_))), "{verdict:?}");
    }
}

/// Volume expansion, in upstream's words: kind's `standard` class does not allow it, so the
/// PersistentVolumeClaimResize admission plugin refuses a bigger request; validation refuses a request
/// at or below `status.capacity` and any request change on a claim not yet Bound. A class with
/// `allowVolumeExpansion: true` lets the request grow; the expand controller finds no in-tree plugin
/// for the volume and waits for an external resizer (`ExternalExpanding`), which local-path does not
/// have: the claim keeps its capacity.
#[test]
fn expansion_is_refused_on_kinds_class_and_waits_for_a_resizer_elsewhere() {
    let mut w = World::new(6);
    apply(&mut w, &WEB.replace("replicas: 2", "replicas: 1"));
    w.run_for(60_000);
    assert_eq!(jsonpath(&mut w, "pvc data-web-0", ".status.capacity.storage"), "1Gi");
    let patch = |w: &mut World, claim: &str, size: &str| {
        kubectl(
            w,
            &format!(
                "patch pvc {claim} -p '{{\"spec\":{{\"resources\":{{\"requests\":{{\"storage\":\"{size}\"}}}}}}}}'"
            ),
        )
    };
    let grow = patch(&mut w, "data-web-0", "2Gi");
    assert_eq!(
        grow.stderr.trim(),
        "Error from server (Forbidden): persistentvolumeclaims \"data-web-0\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
    );
    let shrink = patch(&mut w, "data-web-0", "512Mi");
    assert_eq!(
        shrink.stderr.trim(),
        "The PersistentVolumeClaim \"data-web-0\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"
    );
    assert_eq!(jsonpath(&mut w, "pvc data-web-0", ".spec.resources.requests.storage"), "1Gi", "nothing changed");

    apply(
        &mut w,
        "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: growable
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
allowVolumeExpansion: true
",
    );
    let db = WEB
        .replace("name: web\nspec", "name: db\nspec")
        .replace("{app: web}", "{app: db}")
        .replace("      resources:", "      storageClassName: growable\n      resources:");
    apply(&mut w, &db);
    let pending = "apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: later
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: growable
  resources:
    requests:
      storage: 1Gi
";
    apply(&mut w, pending);
    w.run_for(60_000);
    assert_eq!(jsonpath(&mut w, "pvc data-db-0", ".status.phase"), "Bound");
    let grow = patch(&mut w, "data-db-0", "2Gi");
    assert!(grow.stderr.is_empty(), "{grow:?}");
    w.run_for(10_000);
    assert_eq!(jsonpath(&mut w, "pvc data-db-0", ".spec.resources.requests.storage"), "2Gi");
    assert_eq!(jsonpath(&mut w, "pvc data-db-0", ".status.capacity.storage"), "1Gi", "no resizer grew it");
    let describe = kubectl(&mut w, "describe pvc data-db-0").stdout;
    assert!(
        describe.contains("ExternalExpanding")
            && describe.contains("waiting for an external controller to expand this PVC"),
        "{describe}"
    );
    // A request back down to what the volume has is refused; one still above it is allowed (a failed
    // expansion can be taken back).
    let down = patch(&mut w, "data-db-0", "1Gi");
    assert!(down.stderr.contains("field can not be less than status.capacity"), "{down:?}");
    assert!(patch(&mut w, "data-db-0", "1536Mi").stderr.is_empty());
    // A claim still Pending keeps its spec.
    let unbound = patch(&mut w, "later", "2Gi");
    assert_eq!(
        unbound.stderr.trim(),
        "The PersistentVolumeClaim \"later\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
    );

    // A class in use may be deleted (nothing protects it): bound claims keep their volumes, and now
    // nothing may grow them; a new claim naming it is not provisioned (the PV controller's
    // `ProvisioningFailed`).
    assert!(kubectl(&mut w, "delete storageclass growable").stderr.is_empty());
    w.run_for(5_000);
    assert_eq!(jsonpath(&mut w, "pvc data-db-0", ".status.phase"), "Bound");
    let grow = patch(&mut w, "data-db-0", "3Gi");
    assert!(grow.stderr.contains("the storageclass that provisions the pvc must support resize"), "{grow:?}");
    apply(&mut w, &pending.replace("name: later", "name: orphan"));
    w.run_for(20_000);
    assert_eq!(jsonpath(&mut w, "pvc orphan", ".status.phase"), "Pending");
    let describe = kubectl(&mut w, "describe pvc orphan").stdout;
    assert!(describe.contains("storageclass.storage.k8s.io \"growable\" not found"), "{describe}");
}
