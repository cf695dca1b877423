//! Strategies for `kubectl port-forward`'s arguments (types, names, port specs, addresses, timeouts) and the
//! learner's machine's commands (`curl` with any flags and URLs, `kill`, `jobs`), and the cluster
//! they run on: a running nginx pod behind a Service.

use proptest::prelude::*;

use k8s_sandbox::sim::kubectl::{self, NoFiles};
use k8s_sandbox::sim::world::World;

/// A cluster with pod `web` (nginx, port 80 named http) behind Service `web` (8080 → http).
pub fn world() -> World {
    let mut w = World::new(21);
    for line in ["run web --image=nginx --port=80 --labels=app=web", "create service clusterip web --tcp=8080:80"] {
        kubectl::execute(&mut w, line, None, &NoFiles);
    }
    w.run_for(60_000);
    w
}

/// A word of a port-forward or curl command line.
pub fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "pod/web", "web", "svc/web", "service/web", "deploy/web", "rs/x", "pod/", "/web", "a/b/c", "nodes/x",
            "8080:80", "80", ":80", "0", "0:80", "8080:", ":", "1:2:3", "http", "8080:http", "x:80", "70000",
            "65535:65535", "-1", "--address", "--address=0.0.0.0", "localhost,::1", "::", "1.2.3.4", "nope",
            "--pod-running-timeout=0s", "--pod-running-timeout", "1ms", "-n", "kube-system", "&",
            "-s", "-sS", "-i", "-I", "-v", "-f", "-H", "Host: x", "-o", "/dev/null", "/tmp/x", "-w", "%{http_code}",
            "localhost:8080", "http://localhost:8080/x?y", "[::1]:8080", "http://127.0.0.1:8080", "localhost",
            "https://localhost:443", "ftp://localhost", "http://", "localhost:99999", "example.com", "10.96.0.1:80",
            "%1", "%%", "%-", "-INT", "-9", "12345",
        ])
        .prop_map(str::to_string),
        1 => "[ -~]{0,10}",
    ]
}

thread_local! {
    static WORLD: std::cell::RefCell<Option<World>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` on the shared cluster (built once per thread).
pub fn with_world(f: impl FnOnce(&mut World)) {
    WORLD.with(|cell| f(cell.borrow_mut().get_or_insert_with(world)));
}
