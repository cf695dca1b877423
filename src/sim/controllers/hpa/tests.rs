//! HPA scenarios on a whole cluster: metrics from the kubelets through the Metrics API, the controller's
//! 15 s syncs, the target's `/scale`, each citing the upstream behaviour it checks.

use crate::sim::kubectl::{self, NoFiles, Output};
use crate::sim::world::World;

fn k(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn apply(w: &mut World, yaml: &str) -> Output {
    kubectl::execute(w, "apply -f -", Some(yaml), &NoFiles)
}

/// A Deployment whose container runs `script`, requesting 200m CPU (limit 500m).
fn burner(replicas: u32, script: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: burn\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: burn\n  template:\n    metadata:\n      labels:\n        app: burn\n    spec:\n      containers:\n      - name: burn\n        image: busybox\n        command: [\"sh\", \"-c\", \"{script}\"]\n        resources:\n          requests:\n            cpu: 200m\n          limits:\n            cpu: 500m\n"
    )
}

const BUSY: &str = "while true; do :; done";
const IDLE: &str = "sleep 3600";

fn hpa(min: u32, max: u32, behavior: &str) -> String {
    format!(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: burn\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: burn\n  minReplicas: {min}\n  maxReplicas: {max}\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 50\n{behavior}"
    )
}

/// The `get hpa` row's cells.
fn row(w: &mut World) -> Vec<String> {
    let out = k(w, "get hpa burn --no-headers").stdout;
    out.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

/// Whether `describe hpa` lists this condition (`Type Status Reason`, spacing aside).
fn has_condition(w: &mut World, cond: &str) -> bool {
    let d = k(w, "describe hpa burn").stdout;
    d.lines().any(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" ") == cond)
}

fn replicas(w: &mut World) -> String {
    k(w, "get deployment burn -o jsonpath={.spec.replicas}").stdout
}

/// Before the first sync (15 s after creation, the fixed-interval queue) and while the pods have no
/// metrics, TARGETS is `cpu: <unknown>/50%` (`formatHPAMetrics`), and `describe` says why
/// (`FailedGetResourceMetric` while the Metrics API has nothing for the pods).
#[test]
fn targets_are_unknown_while_metrics_are_missing() {
    let mut w = World::new(11);
    assert!(!apply(&mut w, &burner(1, IDLE)).failed);
    assert!(!apply(&mut w, &hpa(1, 5, "")).failed);
    assert_eq!(row(&mut w)[2], "cpu: <unknown>/50%");
    w.run_for(20_000);
    assert_eq!(row(&mut w)[2], "cpu: <unknown>/50%", "the pod has not run through one scrape window yet");
    let d = k(&mut w, "describe hpa burn").stdout;
    assert!(d.contains("FailedGetResourceMetric"), "{d}");
    assert!(
        d.contains("no metrics returned from resource metrics API") || d.contains("did not receive metrics"),
        "{d}"
    );
    w.run_for(60_000);
    let r = row(&mut w);
    assert!(r[2].starts_with("cpu: ") && r[2].ends_with("%/50%") && !r[2].contains("unknown"), "{r:?}");
}

/// Scale-up under load (`GetResourceReplicas`: ceil(1 × 250 %/50 %) = 5, capped by
/// `calculateScaleUpLimit` at max(2 × 1, 4) = 4 with `ScaleUpLimit`), then to maxReplicas with
/// `TooManyReplicas`; each rescale is a `SuccessfulRescale` event naming the metric.
#[test]
fn load_scales_up_to_max() {
    let mut w = World::new(12);
    assert!(!apply(&mut w, &burner(1, BUSY)).failed);
    w.run_for(40_000);
    assert!(!apply(&mut w, &hpa(1, 6, "")).failed);
    w.run_for(20_000);
    assert_eq!(replicas(&mut w), "4", "{}", k(&mut w, "describe hpa burn").stdout);
    let events = k(&mut w, "get events --field-selector reason=SuccessfulRescale").stdout;
    assert!(
        events.contains("New size: 4; reason: cpu resource utilization (percentage of request) above target"),
        "{events}"
    );
    w.run_for(120_000);
    assert_eq!(replicas(&mut w), "6");
    assert!(has_condition(&mut w, "ScalingLimited True TooManyReplicas"));
}

/// After the load stops, the recommendation drops at once but the scale-down waits for the highest
/// recommendation of the last 300 s (`stabilizeRecommendation`, `AbleToScale ScaleDownStabilized`),
/// then goes to minReplicas with "All metrics below target".
#[test]
fn scale_down_waits_for_the_stabilization_window() {
    let mut w = World::new(13);
    assert!(!apply(&mut w, &burner(1, BUSY)).failed);
    w.run_for(40_000);
    assert!(!apply(&mut w, &hpa(1, 4, "")).failed);
    w.run_for(60_000);
    assert_eq!(replicas(&mut w), "4");
    assert!(!apply(&mut w, &burner(4, IDLE)).failed);
    w.run_for(120_000);
    assert_eq!(replicas(&mut w), "4", "held by recent recommendations");
    assert!(has_condition(&mut w, "AbleToScale True ScaleDownStabilized"));
    w.run_for(300_000);
    assert_eq!(replicas(&mut w), "1");
    let events = k(&mut w, "get events --field-selector reason=SuccessfulRescale").stdout;
    assert!(events.contains("New size: 1; reason: All metrics below target"), "{events}");
}

/// A target below minReplicas is raised to it without metrics ("Current number of replicas below
/// Spec.MinReplicas"); a target scaled to 0 disables autoscaling (`ScalingDisabled`).
#[test]
fn min_replicas_and_scaled_to_zero() {
    let mut w = World::new(14);
    assert!(!apply(&mut w, &burner(1, IDLE)).failed);
    assert!(!apply(&mut w, &hpa(3, 5, "")).failed);
    w.run_for(16_000);
    assert_eq!(replicas(&mut w), "3");
    let events = k(&mut w, "get events --field-selector reason=SuccessfulRescale").stdout;
    assert!(events.contains("New size: 3; reason: Current number of replicas below Spec.MinReplicas"), "{events}");
    k(&mut w, "scale deployment burn --replicas=0");
    w.run_for(30_000);
    assert_eq!(replicas(&mut w), "0");
    assert!(has_condition(&mut w, "ScalingActive False ScalingDisabled"));
}

/// `behavior.scaleUp` with one policy of 1 pod per 60 s: the scale-up goes one pod a minute
/// (`calculateScaleUpLimitWithScalingRules`, `ScaleUpLimit`).
#[test]
fn behavior_policies_pace_the_scale_up() {
    let mut w = World::new(15);
    assert!(!apply(&mut w, &burner(1, BUSY)).failed);
    w.run_for(40_000);
    let b =
        "  behavior:\n    scaleUp:\n      policies:\n      - type: Pods\n        value: 1\n        periodSeconds: 60\n";
    assert!(!apply(&mut w, &hpa(1, 6, b)).failed);
    w.run_for(20_000);
    assert_eq!(replicas(&mut w), "2");
    w.run_for(45_000);
    assert_eq!(replicas(&mut w), "2", "one pod per 60 s");
    w.run_for(20_000);
    assert_eq!(replicas(&mut w), "3");
}
