//! The preset catalog and plans as data (the scenarios on the running cluster are in
//! `cluster/preset_scenarios.rs`).

use std::collections::BTreeSet;

use super::*;
use crate::ui::session::{PresetRun, Session};

#[test]
fn names_are_unique_and_found() {
    let names: BTreeSet<&str> = PRESETS.iter().map(|p| p.name).collect();
    assert_eq!(names.len(), PRESETS.len());
    for p in &PRESETS {
        assert_eq!(find(p.name), Some(p));
        assert!(!p.label.is_empty() && !p.hint.is_empty() && !p.watch.is_empty(), "{}", p.name);
        // One or two sentences, as the terminal shows them.
        let sentences = p.watch.matches(". ").count() + 1;
        assert!(sentences <= 3, "{}: {sentences} sentences", p.name);
    }
    assert_eq!(find("no-such-preset"), None);
}

#[test]
fn every_plan_acts_first_and_waits_before_what_needs_the_situation() {
    let world = Sim::unbooted(1);
    for p in &PRESETS {
        let steps = plan(p, &world);
        assert!(matches!(steps.first(), Some(Step::Kubectl { .. })), "{}: {steps:?}", p.name);
        let wait = steps
            .iter()
            .position(|s| matches!(s, Step::Wait { .. }))
            .unwrap_or_else(|| panic!("{} never waits", p.name));
        assert!(wait + 1 < steps.len(), "{}: nothing follows the wait", p.name);
    }
}

#[test]
fn plans_use_images_the_registry_knows() {
    let world = Sim::unbooted(1);
    let images = ["nginx:1.26", "nginx:1.27", "busybox:1.36"];
    for image in images {
        assert!(
            crate::sim::world::World::new(1).registry.resolve(image).is_ok(),
            "{image} is not in the simulated registry"
        );
    }
    let text: String = PRESETS.iter().flat_map(|p| plan(p, &world)).map(|s| format!("{s:?}")).collect();
    for image in images {
        assert!(text.contains(image), "{image} is not used");
    }
}

#[test]
fn the_unschedulable_pod_manifest_asks_for_more_than_a_node_has() {
    let world = Sim::unbooted(1);
    let Some(Step::Kubectl { stdin: Some(yaml), .. }) = plan(&PRESETS[2], &world).into_iter().next() else {
        panic!("the pod is applied from a manifest")
    };
    let pod: serde_json::Value = serde_yaml::from_str(&yaml).expect("the manifest is YAML");
    assert_eq!(pod["metadata"]["name"], "too-big");
    let cpu = pod["spec"]["containers"][0]["resources"]["requests"]["cpu"].as_str().expect("a CPU request");
    let asked: u64 = cpu.parse().expect("whole CPUs");
    let nodes = crate::ui::bridge::model(&world).nodes;
    assert!(!nodes.is_empty());
    for n in nodes {
        let node = crate::ui::bridge::object(&world, &n.key()).expect("a listed node exists");
        let has: u64 = node
            .pointer("/status/allocatable/cpu")
            .and_then(|c| c.as_str())
            .and_then(|c| c.parse().ok())
            .expect("whole CPUs");
        assert!(asked > has, "{cpu} CPUs fit on {} ({has})", n.name);
    }
}

#[test]
fn a_waiting_preset_is_saved_with_the_session() {
    let mut s = Session::new(3);
    s.preset = Some(PresetRun {
        preset: "rolling-update".into(),
        steps: vec![
            Step::Wait { until: Until::RolledOut { deployment: "web-rollout".into() } },
            Step::Kubectl { line: "kubectl set image deployment/web-rollout nginx=nginx:1.27".into(), stdin: None },
            Step::PowerOffBusiestWorker { app: "web".into() },
        ],
        deadline: Some(42),
    });
    let back = Session::from_json(&s.to_json()).expect("a saved session reads back");
    assert_eq!(back, s);
    assert_eq!(Session::from_hash(&s.to_hash()), Ok(Some(s)));
    // Sessions without a preset are written as before.
    assert!(!Session::new(3).to_json().contains("preset"));
}

#[test]
fn waits_say_what_they_wait_for() {
    let cases = [
        (Until::RolledOut { deployment: "d".into() }, "deployment \"d\" to roll out"),
        (Until::FailedScheduling { pod: "p".into() }, "the kube-scheduler to give up on pod \"p\""),
        (Until::CrashLoopBackOff { pod: "p".into() }, "pod \"p\" to reach CrashLoopBackOff"),
    ];
    for (until, want) in cases {
        assert_eq!(until.describe(), want);
    }
}
