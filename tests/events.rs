//! Events as the two client-go recorders write them, read as kubectl 1.33 prints them: the
//! scheduler's events.k8s.io/v1 `series` (`tools/events/event_broadcaster.go`: created, a series from
//! the second, counted silently, written when quiet for 6 minutes) and the apiserver's conversion
//! between events.k8s.io/v1 and core v1 (`pkg/apis/events/v1/conversion.go`).

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

const HUGE: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: huge\nspec:\n  containers:\n  - name: app\n    image: nginx\n    resources:\n      requests:\n        cpu: \"100\"\n";

fn unschedulable_for(minutes: u64) -> World {
    let mut w = World::new(1);
    let out = kubectl::execute(&mut w, "kubectl apply -f -", Some(HUGE), &NoFiles);
    assert_eq!(out.stdout, "pod/huge created\n", "{}", out.stderr);
    w.run_for(minutes * 60_000);
    w
}

/// The FailedScheduling lines of `describe pod huge`'s Events, squeezed to single spaces.
fn failed_scheduling_rows(w: &mut World) -> Vec<String> {
    let out = kubectl(w, "describe pod huge").stdout;
    out.lines()
        .filter(|l| l.contains("FailedScheduling"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn a_repeated_failure_becomes_a_series_and_its_count_waits_for_the_series_to_end() {
    let mut w = unschedulable_for(12);
    // The first attempt's event regards the pod as created; the scheduler's status patch changes its
    // resourceVersion, so the retries are another object reference: a second event, whose repeat
    // started its series (x2) and whose third occurrence is counted but not yet written.
    let rows = failed_scheduling_rows(&mut w);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].starts_with("Warning FailedScheduling 60s (x2 over 6m30s) default-scheduler 0/4"), "{rows:?}");
    assert!(rows[1].starts_with("Warning FailedScheduling 12m default-scheduler 0/4"), "{rows:?}");
    let events = kubectl(&mut w, "events --for pod/huge").stdout;
    assert!(events.contains("60s (x2 over 6m30s)   Warning   FailedScheduling   Pod/huge"), "{events}");
    // Retries every 5.5 minutes keep the series open and are counted in the scheduler only. Deleting
    // the pod ends them: the series goes quiet, and the next finishSeries after 6 quiet minutes
    // writes the final count.
    let before =
        kubectl(&mut w, "get events --field-selector involvedObject.name=huge -o jsonpath={.items[*].series.count}");
    assert_eq!(before.stdout, "2");
    w.run_for(6 * 60_000);
    let during =
        kubectl(&mut w, "get events --field-selector involvedObject.name=huge -o jsonpath={.items[*].series.count}");
    assert_eq!(during.stdout, "2", "later repeats are only counted by the scheduler");
    kubectl(&mut w, "delete pod huge --wait=false");
    w.run_for(13 * 60_000);
    let after =
        kubectl(&mut w, "get events --field-selector involvedObject.name=huge -o jsonpath={.items[*].series.count}");
    let count: i64 = after.stdout.trim().parse().unwrap_or_else(|_| panic!("one series count: {:?}", after.stdout));
    assert!(count >= 3, "finishSeries wrote the final count: {count}");
}

#[test]
fn both_versions_read_the_same_event() {
    let mut w = unschedulable_for(1);
    let core = kubectl(&mut w, "get events --field-selector reason=FailedScheduling -o jsonpath={.items[0].message}");
    let v1 = kubectl(
        &mut w,
        "get events.v1.events.k8s.io --field-selector regarding.name=huge -o jsonpath={.items[0].note}",
    );
    assert!(core.stdout.starts_with("0/4 nodes are available"), "{core:?}");
    assert_eq!(core.stdout, v1.stdout);
    let fields = kubectl(
        &mut w,
        "get events.v1.events.k8s.io -o jsonpath={.items[0].reportingController}/{.items[0].action}/{.items[0].regarding.kind}",
    );
    assert_eq!(fields.stdout, "default-scheduler/Scheduling/Pod");
    let core_fields = kubectl(&mut w, "get events -o jsonpath={.items[0].reportingComponent}/{.items[0].source}");
    assert_eq!(core_fields.stdout, "default-scheduler/", "no deprecated source on a new-API event");
}

#[test]
fn events_v1_creates_are_validated_strictly_and_change_nothing() {
    let mut w = World::new(1);
    let bad = "apiVersion: events.k8s.io/v1\nkind: Event\nmetadata:\n  name: e\nregarding:\n  kind: Pod\n  name: p\n  namespace: default\nreason: Test\ntype: Normal\nnote: hi\ndeprecatedCount: 3\n";
    let out = kubectl::execute(&mut w, "kubectl create -f -", Some(bad), &NoFiles);
    assert_eq!(
        out.stderr,
        "The Event \"e\" is invalid: \n\
         * eventTime: Required value\n\
         * count: Invalid value: \"\": needs to be unset\n",
    );
    assert_eq!(
        kubectl(&mut w, "get events.events.k8s.io e").stderr,
        "Error from server (NotFound): events.events.k8s.io \"e\" not found\n"
    );
    // With an eventTime it is a "new" Event, which must also say who reports it and what they did.
    let no_reporter = bad.replace("deprecatedCount: 3\n", "eventTime: \"2025-01-01T00:00:00.000000Z\"\n");
    let out = kubectl::execute(&mut w, "kubectl create -f -", Some(&no_reporter), &NoFiles);
    assert_eq!(
        out.stderr,
        "The Event \"e\" is invalid: \n\
         * reportingController: Required value\n\
         * reportingInstance: Required value\n\
         * action: Required value\n",
    );
    let good = "apiVersion: events.k8s.io/v1\nkind: Event\nmetadata:\n  name: e\nregarding:\n  kind: Pod\n  name: p\n  namespace: default\nreason: Test\naction: Testing\ntype: Normal\nnote: hi\neventTime: \"2025-01-01T00:00:00.000000Z\"\nreportingController: example.com/tester\nreportingInstance: tester-1\n";
    let out = kubectl::execute(&mut w, "kubectl create -f -", Some(good), &NoFiles);
    assert_eq!(out.stdout, "event.events.k8s.io/e created\n", "{}", out.stderr);
    assert_eq!(kubectl(&mut w, "get event e -o jsonpath={.message}/{.involvedObject.name}").stdout, "hi/p");
}
