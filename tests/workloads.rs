//! Scenario tests of workloads on a whole cluster (scheduler, controllers, kubelets).

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

#[test]
fn deployment_reaches_running() {
    let mut w = World::new(1);
    println!("{}", kubectl(&mut w, "get nodes -o wide").combined());
    println!("{}", kubectl(&mut w, "create deployment web --image=nginx --replicas=3").combined());
    w.run_for(60_000);
    println!("{}", kubectl(&mut w, "get deploy,rs,pods -o wide").combined());
    println!("{}", kubectl(&mut w, "get events").combined());
    println!("trace: {}", w.k.trace.len());
}

#[test]
fn debug_trace() {
    let mut w = World::new(1);
    kubectl(&mut w, "run p --image=nginx");
    w.run_for(10_000);
    for e in w.k.trace.entries().iter().filter(|e| e.from.contains("sched") || e.to.contains("sched")).take(40) {
        println!("{} {} -> {} {} {:?}", e.sent_at, e.from, e.to, e.summary, e.fate);
    }
    println!("{}", kubectl(&mut w, "get pods -o wide").combined());
    println!("queues {:?}", w.scheduler.queue_lengths());
    println!("decision {:?}", w.scheduler.last_decision("default", "p"));
}
