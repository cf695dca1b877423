//! drain's durations and its goroutines' requests on the wire.

use super::*;
use crate::sim::kubectl::{NoFiles, execute};
use crate::sim::world::World;

#[test]
fn durations_as_go_prints_them() {
    for (ms, s) in [
        (0, "0s"),
        (500, "500ms"),
        (1500, "1.5s"),
        (30_000, "30s"),
        (60_000, "1m0s"),
        (90_000, "1m30s"),
        (3_600_000, "1h0m0s"),
    ] {
        assert_eq!(go_duration(ms), s);
    }
}

/// The position of each of kubectl's requests whose line contains `what`, and of the first answer to
/// kubectl after the first of them.
fn requests_and_first_answer(w: &World, what: &str) -> (Vec<usize>, Option<usize>) {
    let entries = w.k.trace.entries();
    let sent: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| &*e.from == "kubectl" && e.summary.contains(what))
        .map(|(i, _)| i)
        .collect();
    let first = sent.first().copied().unwrap_or(0);
    let answer = entries.iter().enumerate().skip(first).find(|(_, e)| &*e.to == "kubectl").map(|(i, _)| i);
    (sent, answer)
}

fn run(w: &mut World, line: &str) -> crate::sim::kubectl::Output {
    execute(w, line, None, &NoFiles)
}

/// A deployment's `replicas` pods, all on `sandbox-worker` (the other workers cordoned).
fn all_on_one_worker(replicas: u32) -> World {
    let mut w = World::new(3);
    run(&mut w, "cordon sandbox-worker2");
    run(&mut w, "cordon sandbox-worker3");
    run(&mut w, &format!("create deployment web --image=nginx --replicas={replicas}"));
    w.run_for(40_000);
    w
}

/// kubectl's `evictPods` starts one goroutine per pod: every eviction is on the wire before the
/// first answer comes back, and the output still lists every `evicting pod` line first.
#[test]
fn evictions_go_out_together_before_any_answer() {
    let mut w = all_on_one_worker(3);
    let out = run(&mut w, "drain sandbox-worker --ignore-daemonsets");
    assert!(!out.failed, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{}", out.stdout);
    assert!(lines[1..4].iter().all(|l| l.starts_with("evicting pod default/web-")), "{}", out.stdout);
    assert!(lines[4..7].iter().all(|l| l.starts_with("pod/web-") && l.ends_with(" evicted")), "{}", out.stdout);
    let (evictions, answer) = requests_and_first_answer(&w, "/eviction");
    assert_eq!(evictions.len(), 3);
    assert!(evictions.iter().all(|&i| Some(i) < answer), "evictions at {evictions:?}, first answer at {answer:?}");
    // Each goroutine's first look at its pod goes out with the others' too.
    let entries = w.k.trace.entries();
    let gets: Vec<u64> = entries
        .iter()
        .filter(|e| &*e.from == "kubectl" && e.summary.starts_with("GET /api/v1/namespaces/default/pods/web-"))
        .map(|e| e.sent_at)
        .collect();
    assert!(gets.len() >= 3 && gets[..3].iter().all(|t| *t == gets[0]), "{gets:?}");
}

/// `--disable-eviction` deletes in one loop (`deletePods`): each DELETE is answered before the next goes.
#[test]
fn deletes_go_one_after_another() {
    let mut w = all_on_one_worker(2);
    let out = run(&mut w, "drain sandbox-worker --ignore-daemonsets --disable-eviction");
    assert!(!out.failed, "{out:?}");
    let (deletes, answer) = requests_and_first_answer(&w, "DELETE /api/v1/namespaces/default/pods/web-");
    assert_eq!(deletes.len(), 2);
    assert!(answer < Some(deletes[1]), "deletes at {deletes:?}, first answer at {answer:?}");
}
