//! A shell script run in a pod (`kubectl exec client -- sh -c DATA`), and the same text typed line by
//! line into an interactive session: an answer, never a panic, and nothing changed in the API (a
//! command in a container reaches only its files and the network). One cluster is booted per fuzzing
//! process and shared by the inputs, as booting one per input would take most of the time.
#![no_main]

use std::cell::RefCell;

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static CLUSTER: RefCell<Option<World>> = const { RefCell::new(None) };
}

fn run(w: &mut World, line: &str, stdin: Option<&str>) -> Output {
    kubectl::execute(w, line, stdin, &NoFiles)
}

fn cluster() -> World {
    let mut w = World::new(1);
    for line in [
        "create deployment web --image=nginx",
        "expose deployment web --port=80",
        "run client --image=busybox -- sleep infinity",
    ] {
        run(&mut w, line, None);
    }
    w.run_for(60_000);
    w
}

/// The objects an exec cannot touch, with their specs.
fn api_state(w: &mut World) -> String {
    let fields =
        "{range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name} {.metadata.generation} {.spec}{\"\\n\"}{end}";
    run(w, &format!("get pods,svc,deploy,cm,secrets -A -o jsonpath={fields}"), None).stdout
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    CLUSTER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let w = slot.get_or_insert_with(cluster);
        let before = api_state(w);
        let quoted = text.replace('\'', "'\\''");
        run(w, &format!("exec client -- sh -c '{quoted}'"), None);
        if let Some(session) = run(w, "exec -it client -- sh", None).session {
            let line = session.line();
            let line = line.strip_prefix("kubectl ").unwrap_or(&line);
            for typed in text.lines() {
                run(w, line, Some(&format!("{typed}\n")));
            }
        }
        assert_eq!(api_state(w), before, "the script changed the API: {text:?}");
    });
});
