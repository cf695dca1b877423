//! The check language: table tests of parsing, and of evaluating against a small cluster.

use super::*;
use crate::sim::kubectl::{self, NoFiles};

#[test]
fn bad_checks_say_why() {
    let cases = [
        ("", "an empty check"),
        ("exist deployment/web", "unknown check \"exist\""),
        ("exists deployment", "expected KIND/NAME"),
        ("exists deployment/", "no name after the slash"),
        ("exists deploymnet/web", "unknown kind \"deploymnet\""),
        ("exists deployment/web deployment/api", "takes one KIND/NAME"),
        ("field deployment/web spec.replicas", "a field test is PATH OP VALUE"),
        ("field deployment/web spec.replicas ~ 3", "unknown comparison \"~\""),
        ("field deployment/web spec.replicas == ", "needs a value"),
        ("field deployment/web spec.nodeName exists yes", "takes no value"),
        ("field deployment/web spec..replicas == 3", "empty name"),
        ("condition deployment/web", "condition takes KIND/NAME TYPE"),
        ("condition deployment/web Available Yes", "True, False or Unknown"),
        ("count pods", "count takes KIND"),
        ("count pods -l app=web >= three", "whole number"),
        ("count pods -l app=web contains 3", "must end with a comparison"),
        ("count pods status.phase == Running >= 3", "expected where"),
        ("count pods where status.phase Running >= 3", "unknown comparison"),
        ("count pods -l 'app in (web' >= 1", "bad label selector"),
        ("count pods -n", "-n needs a namespace"),
        ("count pods -A -n default >= 1", "cannot go together"),
        ("exists deployment/web -l app=web", "-l only goes with count and event"),
        ("exists deployment/web -A", "-A only goes with count, event and message"),
        ("event FailedScheduling -l app=web", "needs `for KIND`"),
        ("event FailedScheduling for pod/x -l app=web", "drop it or the /NAME"),
        ("event FailedScheduling about pods", "event takes REASON"),
        ("field deployment/web metadata.name == \"web", "quote is not closed"),
    ];
    for (text, want) in cases {
        let e = parse(text).expect_err(text);
        assert!(e.contains(want), "{text:?}: want {want:?}, got {e:?}");
    }
}

/// A cluster with a Deployment `web` (2 replicas, Running), a pod `stuck` that asks for more CPU than
/// any node has, and an empty namespace `empty`.
fn cluster() -> World {
    let mut w = World::new(1);
    kubectl::execute(&mut w, "kubectl create deployment web --image=nginx:1.25 --replicas=2", None, &NoFiles);
    kubectl::execute(&mut w, "kubectl create namespace empty", None, &NoFiles);
    let stuck = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stuck\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    resources:\n      requests:\n        cpu: \"64\"\n";
    kubectl::execute(&mut w, "kubectl apply -f -", Some(stuck), &NoFiles);
    w.run_for(60_000);
    w
}

#[test]
fn checks_read_the_cluster_and_explain_themselves() {
    let w = cluster();
    let cases = [
        ("exists deployment/web", true, "deployment web in namespace default exists"),
        ("exists deploy/api", false, "there is no deployment api in namespace default"),
        ("exists deployment/web -n empty", false, "there is no deployment web in namespace empty"),
        ("exists node/sandbox-worker", true, "node sandbox-worker exists"),
        ("exists namespace/empty", true, "namespace empty exists"),
        ("absent deployment/api", true, "there is no deployment api"),
        ("absent deployment/web", false, "deployment web in namespace default still exists"),
        ("field deployment/web spec.replicas == 2", true, "spec.replicas is 2"),
        ("field deployment/web spec.replicas >= 3", false, "spec.replicas is 2, want spec.replicas >= 3"),
        ("field deployment/web spec.template.spec.containers[0].image contains nginx", true, "nginx:1.25"),
        ("field deployment/web status.readyReplicas == 2", true, "status.readyReplicas is 2"),
        ("field pod/stuck spec.nodeName exists", false, "spec.nodeName is not set, want spec.nodeName exists"),
        ("field pod/stuck spec.nodeName missing", true, "spec.nodeName is not set"),
        ("field pod/stuck status.conditions[type=PodScheduled].reason == Unschedulable", true, "Unschedulable"),
        ("condition deployment/web Available", true, "Available is True"),
        ("condition pod/stuck PodScheduled False", true, "PodScheduled is False"),
        ("condition pod/stuck PodScheduled", false, "PodScheduled is False, want True (reason Unschedulable"),
        ("condition node/sandbox-worker Ready == True", true, "Ready is True"),
        ("condition deployment/web Progressing -n empty", false, "there is no deployment web in namespace empty"),
        ("count pods -l app=web where status.phase == Running >= 2", true, "2 found, want >= 2"),
        (
            "count pods -l app=web where status.phase == Running == 3",
            false,
            "pods -l app=web in namespace default where status.phase == Running: 2 found, want == 3",
        ),
        ("count pods -l app=web where status.phase == Running and spec.nodeName exists >= 2", true, "2 found"),
        ("count pods -n empty == 0", true, "0 found"),
        (
            "count pods -A -l component=kube-scheduler == 1",
            true,
            "pods -l component=kube-scheduler in any namespace: 1 found",
        ),
        ("count nodes >= 4", true, "nodes: 4 found"),
        ("event FailedScheduling for pod/stuck", true, "FailedScheduling event(s) for pod stuck"),
        (
            "event FailedScheduling for pods -l app=web",
            false,
            "no FailedScheduling event for pods -l app=web in namespace default yet",
        ),
        ("event Scheduled for pods -l app=web", true, "2 Scheduled event(s)"),
        ("event Killing", false, "no Killing event in namespace default yet"),
        ("event Pulled -A", true, "Pulled event(s)"),
        (
            "message kube-scheduler -> kube-apiserver POST pod/web-* --subresource binding",
            true,
            "kube-scheduler → kube-apiserver: POST /api/v1/namespaces/default/pods/web-",
        ),
        (
            "message kubelet -> container-runtime RunPodSandbox pod/stuck",
            false,
            "no message kubelet → container-runtime",
        ),
        ("message kube-controller-manager -> kube-apiserver create rs -A", true, "POST /apis/apps/v1/namespaces/"),
    ];
    for (text, passed, want) in cases {
        let check = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let outcome = check.evaluate(&w, 0);
        assert_eq!(outcome.passed, passed, "{text}: {}", outcome.explanation);
        assert!(outcome.explanation.contains(want), "{text}: want {want:?}, got {:?}", outcome.explanation);
        assert_eq!(outcome.message.is_some(), passed && text.starts_with("message"), "{text}");
    }
}

#[test]
fn a_message_check_reads_only_what_was_sent_since_the_step_began() {
    let mut w = cluster();
    let check = parse("message kube-scheduler -> kube-apiserver POST pod/web-* --subresource binding").expect("valid");
    let begun = w.k.next_id();
    let outcome = check.evaluate(&w, begun);
    assert!(!outcome.passed, "the pods were bound before the step began: {}", outcome.explanation);
    assert!(outcome.explanation.contains("since this step began"), "{}", outcome.explanation);
    kubectl::execute(&mut w, "kubectl scale deployment web --replicas=3", None, &NoFiles);
    w.run_for(10_000);
    let outcome = check.evaluate(&w, begun);
    assert!(outcome.passed, "{}", outcome.explanation);
    let id = outcome.message.expect("the binding's message");
    let bound = w.k.trace.entries().iter().find(|e| e.id == id).expect("kept");
    assert!(id >= begun && bound.summary.ends_with("/binding"), "{bound:?}");
}
