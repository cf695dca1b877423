//! Whole-cluster scenarios for the controllers (apiserver, scheduler, kubelets all running).

use crate::sim::kubectl::{self, NoFiles, Output};
use crate::sim::world::World;

fn k(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn apply(w: &mut World, yaml: &str) -> Output {
    kubectl::execute(w, "apply -f -", Some(yaml), &NoFiles)
}

#[test]
fn explore() {
    let mut w = World::new(1);
    println!("{:?}", k(&mut w, "create deployment web --image=nginx --replicas=3"));
    println!("{:?}", k(&mut w, "expose deployment web --port=80"));
    println!("{:?}", apply(&mut w, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n"));
    w.run_for(60_000);
    println!("{}", k(&mut w, "get endpoints,endpointslices -o wide").stdout);
    println!("{}", k(&mut w, "get pods -o wide").stdout);
    w.set_node_running("sandbox-worker", false).unwrap();
    w.run_for(45_000);
    println!("t+45 {}", k(&mut w, "get nodes").stdout);
    w.run_for(15_000);
    println!("t+60 {}", k(&mut w, "get nodes").stdout);
    println!("{}", k(&mut w, "describe node sandbox-worker").stdout.lines().filter(|l| l.contains("Taint") || l.contains("Unknown") || l.contains("Ready")).collect::<Vec<_>>().join("\n"));
    println!("{}", k(&mut w, "get pods -o wide").stdout);
    println!("{}", k(&mut w, "get endpoints").stdout);
    w.run_for(300_000);
    println!("t+360 {}", k(&mut w, "get pods -o wide").stdout);
    println!("{}", k(&mut w, "get events --field-selector reason=TaintManagerEviction").stdout);
    println!("{}", k(&mut w, "get events").stdout.lines().filter(|l| l.contains("Taint") || l.contains("NodeNotReady")).collect::<Vec<_>>().join("\n"));
    w.set_node_running("sandbox-worker", true).unwrap();
    w.run_for(60_000);
    println!("back {}", k(&mut w, "get nodes").stdout);
    println!("{}", k(&mut w, "describe node sandbox-worker").stdout.lines().filter(|l| l.contains("Taint")).collect::<Vec<_>>().join("\n"));
}
