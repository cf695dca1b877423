//! Property tests: whatever a learner pastes or types, the apply path and the kubectl command line
//! answer with output or an error, never a panic (a panic in the browser kills the page).
//!
//! Inputs: arbitrary bytes, generated YAML (random keys and values, deep nesting, flow style,
//! anchors and aliases, huge numbers, tabs, unicode, several documents), valid manifests with one
//! field replaced by something odd (so the odd value reaches validation, controllers and kubelets),
//! and random kubectl command lines (words, quotes, flags).

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::Write;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use k8s_sandbox::sim::apiserver::request::Verb;
use k8s_sandbox::sim::dataplane::policy::{Packet, PodInfo, Proto, evaluate};
use k8s_sandbox::sim::http::{self, Route, table};
use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

/// Cases per property: enough volume that a rare input is met in every run (each property takes at most
/// about a minute at this count on 2 cores, the cluster one the longest).
const CASES: u32 = 3_000;

/// The inputs' seed: fixed, so that every run (and CI) checks the same inputs, as the project's other
/// tests are deterministic. `FUZZ_SEED=<n>` tries other inputs, `FUZZ_SEED=random` a fresh seed each
/// run, printed at the start.
const SEED: u64 = 13;

/// `CASES` per property, or `FUZZ_CASES` for a longer hunt (`FUZZ_CASES=50000 cargo test --test fuzz`);
/// coverage-guided fuzzing at volume is `make fuzz`.
fn config() -> Config {
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(CASES);
    Config { cases, failure_persistence: None, rng_seed: RngSeed::Fixed(seed()), ..Config::default() }
}

/// One seed for the whole run. A random one is drawn here rather than by proptest
/// (`RngSeed::Random`) so that it can be printed before any case runs: a run that hangs can then be
/// repeated with `FUZZ_SEED=<n>`. It goes straight to stderr, which the test harness does not capture
/// (it captures `eprintln!`, and shows it only for a test that ends, and fails).
fn seed() -> u64 {
    static SEED_OF_RUN: OnceLock<u64> = OnceLock::new();
    *SEED_OF_RUN.get_or_init(|| match std::env::var("FUZZ_SEED").ok().as_deref() {
        Some("random") => {
            let seed = RandomState::new().hash_one(0u8);
            let _ = writeln!(std::io::stderr(), "tests/fuzz.rs: FUZZ_SEED={seed}");
            seed
        }
        Some(n) => n.parse().unwrap_or(SEED),
        None => SEED,
    })
}

fn run(w: &mut World, line: &str, stdin: Option<&str>) -> Output {
    kubectl::execute(w, line, stdin, &NoFiles)
}

/// Feeds one text to both verbs; the answer must be output or an error line, never nothing.
fn apply_and_create(w: &mut World, text: &str) {
    for verb in ["apply -f -", "create -f -", "apply -f - --dry-run=server", "create -f - -o yaml"] {
        let out = run(w, verb, Some(text));
        assert!(!out.stdout.is_empty() || !out.stderr.is_empty(), "`kubectl {verb}` printed nothing for {text:?}");
    }
}

/// A cluster with only storage and API, plus a few objects so that commands find something.
fn api_only_world() -> World {
    let mut w = World::bare(7);
    run(&mut w, "create namespace demo", None);
    run(&mut w, "create deployment web --image=nginx --replicas=2", None);
    run(&mut w, "create configmap settings --from-literal=a=b -n demo", None);
    run(&mut w, "run lonely --image=busybox --labels=app=x", None);
    w
}

/// How much simulation one cluster case may do, in virtual terms: events (messages delivered and
/// timers fired) while the world runs, and messages sent in all (kubectl's requests and what they
/// set off included). A case that needs more fails, printing its input, and proptest shrinks it to a
/// small one: an input that sets the cluster looping or growing shows here as a failure instead of a
/// run that takes minutes. No wall clock: the same input uses the same budget on any machine.
struct Budget {
    start_sent: u64,
    steps: u64,
}

impl Budget {
    /// Generous: the busiest cases of this property send about 700 messages (a Deployment's two pods
    /// over 25 virtual seconds, with the kubectl commands), so this bound only catches work that grows
    /// with an odd value in the input. A DaemonSet whose pods the kubelets rejected as fast as its
    /// controller replaced them sent about 100,000 (`tests/workloads.rs` has that input).
    const LIMIT: u64 = 20_000;

    fn new(w: &World) -> Self {
        Budget { start_sent: w.k.trace.total_sent(), steps: 0 }
    }

    fn sent(&self, w: &World) -> u64 {
        w.k.trace.total_sent() - self.start_sent
    }

    /// `World::run_for`, one event at a time, stopping with an error once the budget is spent.
    fn run_for(&mut self, w: &mut World, d: u64) -> Result<(), TestCaseError> {
        let until = w.now() + d;
        while w.k.next_due().is_some_and(|t| t <= until) {
            w.step();
            self.steps += 1;
            if self.steps > Self::LIMIT || self.sent(w) > Self::LIMIT {
                return Err(TestCaseError::fail(format!(
                    "the cluster did more than {} events or messages by {} ms of virtual time ({} steps, {} sent)",
                    Self::LIMIT,
                    w.now(),
                    self.steps,
                    self.sent(w)
                )));
            }
        }
        w.run_until(until);
        Ok(())
    }

    /// Fails once the messages sent pass the budget (after a kubectl command, which runs the world
    /// itself until its answers arrive).
    fn check(&self, w: &World, after: &str) -> Result<(), TestCaseError> {
        if self.sent(w) > Self::LIMIT {
            return Err(TestCaseError::fail(format!(
                "more than {} messages sent by `kubectl {after}` ({})",
                Self::LIMIT,
                self.sent(w)
            )));
        }
        Ok(())
    }
}

mod fuzz {
    pub mod commands;
    pub mod exec;
    pub mod http;
    pub mod manifests;
    pub mod netpol;
    pub mod portforward;
    pub mod yaml;
}

use fuzz::commands::{command_line, parsed_flag};
use fuzz::manifests::mutated_manifest;
use fuzz::yaml::{Node, render, yaml_stream};

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut w = World::bare(1);
        apply_and_create(&mut w, &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn generated_yaml_never_panics(text in yaml_stream()) {
        let mut w = World::bare(1);
        apply_and_create(&mut w, &text);
    }

    #[test]
    fn parsed_flag_values_never_panic(
        verb in prop::sample::select(&["get", "get -w", "describe", "wait", "scale", "label", "annotate", "delete", "run x --image=y", "create deployment d --image=y"][..]),
        target in prop::sample::select(&["pods", "deploy/web", "pod/lonely", "all", "nodes", "cm -n demo", "pods -A", "ns", ""][..]),
        flags in prop::collection::vec(parsed_flag(), 1..3),
    ) {
        let mut w = api_only_world();
        let line = format!("{verb} {target} {}", flags.join(" "));
        let out = run(&mut w, &line, None);
        for id in out.watching.iter().map(|x| x.watch_id) {
            w.run_for(1000);
            w.close_kubectl_watch(id);
        }
    }

    #[test]
    fn command_lines_never_panic(line in command_line(), stdin in proptest::option::of("\\PC{0,40}")) {
        let mut w = api_only_world();
        let out = run(&mut w, &line, stdin.as_deref());
        for id in out.watching.iter().map(|x| x.watch_id) {
            w.run_for(1000);
            w.close_kubectl_watch(id);
        }
    }
}

proptest! {
    // Each case boots a whole kind-like cluster (kube-system included: about 0.2 s in a debug build), so
    // this property runs a sixth of the cases; FUZZ_CASES raises it with the others.
    #![proptest_config(Config { cases: config().cases / 6, ..config() })]

    /// The odd value passes through admission (or not), and then the scheduler, the controllers and the
    /// kubelets see whatever was stored: none of them may panic on it.
    #[test]
    fn odd_fields_never_panic_the_cluster(text in mutated_manifest()) {
        let mut w = World::new(3);
        let mut budget = Budget::new(&w);
        let out = run(&mut w, "apply -f -", Some(&text));
        prop_assert!(!out.combined().is_empty());
        budget.run_for(&mut w, 20_000)?;
        for (line, stdin) in [("get all -A -o wide", None), ("describe pods", None), ("apply -f -", Some(&text)), ("delete -f -", Some(&text))] {
            run(&mut w, line, stdin.map(String::as_str));
            budget.check(&w, line)?;
        }
        budget.run_for(&mut w, 5_000)?;
    }
}

/// The generator itself: block and flow rendering of one small tree, so a broken renderer (which
/// would make the properties above test nothing) shows here.
#[test]
fn renderer_writes_block_and_flow_yaml() {
    let tree = Node::Map(
        vec![(
            "a".into(),
            Node::Seq(
                vec![Node::Scalar("1".into()), Node::Map(vec![("b".into(), Node::Scalar("x".into()))], true)],
                false,
            ),
        )],
        false,
    );
    let mut text = String::new();
    render(&tree, 0, &mut text);
    assert_eq!(text, "\na: \n  - 1\n  - {b: x}");
    let parsed: serde_yaml::Value = serde_yaml::from_str(&text).expect("the rendering is YAML");
    assert_eq!(parsed["a"][1]["b"], serde_yaml::Value::from("x"));
}

#[path = "dataplane/kube_dns.rs"]
mod kube_dns;

thread_local! {
    /// One cluster with CoreDNS, a Service and two pods, shared by the cases (building one per case
    /// would take most of the time); what a case leaves behind only makes later ones more varied.
    static NET_WORLD: std::cell::RefCell<Option<World>> = const { std::cell::RefCell::new(None) };
}

fn net_world() -> World {
    let mut w = World::new(11);
    kube_dns::ensure(&mut w);
    for line in [
        "create deployment web --image=nginx",
        "expose deployment web --port=80",
        "run client --image=busybox -- sleep infinity",
        "run curler --image=curlimages/curl -- sleep infinity",
    ] {
        run(&mut w, line, None);
    }
    w.run_for(60_000);
    w
}

/// Network programs' arguments: flags, URLs, hosts, ports, odd bytes.
fn net_word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "-O",
            "-O-",
            "-qO-",
            "-q",
            "-T",
            "1",
            "-s",
            "-sS",
            "-m",
            "-o",
            "-w",
            "-z",
            "-zv",
            "-c",
            "2",
            "-type=a",
            "-type=ptr",
            "-t=1",
            "web",
            "web.default",
            "web.default.svc.cluster.local",
            "nope",
            "10.96.0.10",
            "10.1.2.3",
            "http://web/",
            "http://web:81/x",
            "https://web",
            "ftp://web",
            "http://",
            "web:99999",
            "80",
            "kubernetes.default",
            "example.com",
            "10-244-1-2.default.pod.cluster.local",
            "-",
            "--",
            "%{http_code}",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,12}",
    ]
}

proptest! {
    #![proptest_config(Config { cases: config().cases / 10, ..config() })]

    /// `kubectl exec` of a network program with any arguments answers, never panics.
    #[test]
    fn exec_network_programs_never_panic(
        pod in prop::sample::select(vec!["client", "curler"]),
        tool in prop::sample::select(vec!["nslookup", "wget", "curl", "nc", "ping", "sh -c"]),
        args in prop::collection::vec(net_word(), 0..5),
    ) {
        let quoted: Vec<String> = args.iter().map(|a| format!("'{}'", a.replace('\'', ""))).collect();
        let line = format!("exec {pod} -- {tool} {}", quoted.join(" "));
        NET_WORLD.with(|cell| {
            let mut slot = cell.borrow_mut();
            let w = slot.get_or_insert_with(net_world);
            let out = run(w, &line, None);
            assert!(!out.combined().is_empty() || !out.failed, "{line}");
        });
    }
}

proptest! {
    #![proptest_config(config())]

    /// kindnet's policy evaluator on arbitrary policies (valid or not, any field of any shape) and
    /// arbitrary pods on either end, or none: a verdict, never a panic.
    #[test]
    fn policy_evaluator_never_panics(
        policies in prop::collection::vec(fuzz::netpol::policy(), 0..4),
        src_labels in prop::collection::btree_map("[a-z]{1,3}", "[a-z]{0,3}", 0..3),
        dst_ns in prop::sample::select(vec!["default", "kube-system", "other"]),
        ends in 0u8..4,
        port in any::<u16>(),
        proto in prop::sample::select(vec![Proto::Tcp, Proto::Udp, Proto::Sctp, Proto::Icmp]),
        ip in "[0-9.]{0,16}",
    ) {
        let refs: Vec<&serde_json::Value> = policies.iter().collect();
        let ns = |n: &str| serde_json::json!({"metadata": {"name": n, "labels": {"kubernetes.io/metadata.name": n}}});
        let (src_ns, dst_nsv) = (ns("default"), ns(dst_ns));
        let src_pod = serde_json::json!({"metadata": {"namespace": "default", "labels": src_labels},
            "spec": {"containers": [{"ports": [{"name": "http", "containerPort": 80}]}]}});
        let dst_pod = serde_json::json!({"metadata": {"namespace": dst_ns, "labels": {"app": "web"}},
            "spec": {"containers": [{"ports": [{"name": "http", "containerPort": 80, "protocol": "UDP"}, {"name": 7}]}]}});
        let src = (ends & 1 == 1).then_some(PodInfo { pod: &src_pod, namespace: &src_ns });
        let dst = (ends & 2 == 2).then_some(PodInfo { pod: &dst_pod, namespace: &dst_nsv });
        let packet = Packet { src_ip: &ip, dst_ip: "10.244.1.2", dst_port: port, proto };
        let _ = evaluate(&refs, src, dst, &packet);
    }
}

proptest! {
    #![proptest_config(Config { cases: config().cases / 20, ..config() })]

    /// An arbitrary policy applied to a live cluster: refused in validation's words or stored, and
    /// then every connection, DNS query and ping is decided without a panic.
    #[test]
    fn applied_policies_never_panic_the_data_plane(policy in fuzz::netpol::policy()) {
        let text = serde_json::to_string(&policy).expect("JSON values serialize");
        NET_WORLD.with(|cell| {
            let mut slot = cell.borrow_mut();
            let w = slot.get_or_insert_with(net_world);
            let out = run(w, "apply -f -", Some(&text));
            assert!(!out.combined().is_empty(), "{text}");
            for line in ["exec client -- wget -q -T 1 web", "exec curler -- curl -sS -m 1 web", "exec client -- ping -c 1 10.96.0.10"] {
                let out = run(w, line, None);
                assert!(!out.combined().is_empty() || !out.failed, "{line} under {text}");
            }
            run(w, "delete networkpolicy fuzz --ignore-not-found", None);
        });
    }
}

proptest! {
    // Each case is a request or a watch against one API-only world: cheap, so all the cases run.
    #![proptest_config(config())]

    /// A WebSocket client's bytes (what `sandbox serve` reads during an attach) come back as whole
    /// frames, a wait for more, or a refusal; never a panic, never more bytes than were there.
    #[test]
    fn websocket_client_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut rest = bytes.as_slice();
        while let Ok(Some((frame, used))) = http::websocket::read_frame(rest) {
            prop_assert!(used >= 2 && used <= rest.len() && frame.payload.len() <= used);
            rest = &rest[used..];
        }
    }

    /// Whatever arrives over HTTP, the router answers with a route or the apiserver's error, and the
    /// simulated apiserver answers the call with an object or a `Status` of a real HTTP code: never a
    /// panic, and the apiserver still serves the next request.
    #[test]
    fn http_requests_never_panic(
        method in fuzz::http::method(),
        target in fuzz::http::target(),
        content_type in fuzz::http::content_type(),
        accept in fuzz::http::accept(),
        body in fuzz::http::body(),
    ) {
        let mut w = API_WORLD.with(|w| w.borrow_mut().take()).unwrap_or_else(api_only_world);
        match http::route(&method, &target, &content_type, &accept, &body) {
            Route::Error(s) => prop_assert!((400..600).contains(&s.code), "{} for {method} {target}", s.code),
            Route::Api { request, table: as_table } if request.verb == Verb::Watch => {
                let kind = request.resource.kind;
                let id = w.open_kubectl_watch(*request);
                w.run_for(50);
                let (events, _) = w.take_kubectl_watch(id);
                if let Some(include) = as_table {
                    for e in &events {
                        table::to_table(&e.object, kind, w.now(), include);
                    }
                }
                w.close_kubectl_watch(id);
            }
            Route::Api { request, table: as_table } => {
                let kind = request.resource.kind;
                match w.call(*request) {
                    Ok(v) if let Some(include) = as_table => { table::to_table(&v, kind, w.now(), include); }
                    Ok(_) => {}
                    Err(s) => prop_assert!((400..600).contains(&s.code), "{} {:?} for {method} {target}", s.code, s.message),
                }
            }
            Route::Attach(r) => {
                if let Err(s) = http::attach::open(&mut w, &r) {
                    prop_assert!((400..600).contains(&s.code), "{} {:?} for {method} {target}", s.code, s.message);
                }
            }
            // The body stands for the bytes a forwarded connection carries.
            Route::PortForward(r) => match http::portforward::open(&mut w, &r) {
                Err(s) => prop_assert!((400..600).contains(&s.code), "{} {:?} for {method} {target}", s.code, s.message),
                Ok(()) => { let _ = http::portforward::forward(&mut w, &r, 80, &body); }
            },
            _ => {}
        }
        let after = run(&mut w, "get namespace default -o name", None);
        prop_assert_eq!(after.stdout, "namespace/default\n", "after {} {}: {}", method, target, after.stderr);
        API_WORLD.with(|cell| *cell.borrow_mut() = Some(w));
    }
}

thread_local! {
    /// One world for all the HTTP cases of a thread: a case's writes stay for the next (as on a real
    /// server), and a world is not booted for each of the thousands of cases.
    static API_WORLD: std::cell::RefCell<Option<World>> = const { std::cell::RefCell::new(None) };
}

proptest! {
    // Each case runs a command or two on one shared cluster: a tenth of the cases.
    #![proptest_config(Config { cases: config().cases / 10, ..config() })]

    /// `kubectl port-forward ARGS`, then one of the learner's machine's commands with any arguments:
    /// output or an error, never a panic.
    #[test]
    fn port_forward_and_the_machines_commands_never_panic(
        forward in prop::collection::vec(fuzz::portforward::word(), 0..5),
        command in prop::sample::select(vec!["curl", "kill", "jobs"]),
        args in prop::collection::vec(fuzz::portforward::word(), 0..5),
    ) {
        let quote = |ws: &[String]| ws.iter().map(|a| format!("'{}'", a.replace('\'', ""))).collect::<Vec<_>>().join(" ");
        fuzz::portforward::with_world(|w| {
            let _ = run(w, &format!("port-forward {}", quote(&forward)), None);
            let out = k8s_sandbox::sim::workstation::run(w, &format!("{command} {}", quote(&args)));
            // A failure says why, but for curl -s, which fails silently by design.
            let silent = command == "curl" && args.iter().any(|a| a == "-s");
            assert!(!out.combined().is_empty() || !out.failed || silent, "{command} {args:?}");
            // Keep the machine's listeners few, so that later cases still find ports free.
            if w.workstation.forwards.len() > 4 {
                w.workstation.forwards.clear();
            }
        });
    }

    /// Any bytes through the pod's portforward subresource: nginx answers with an HTTP response (400
    /// for what is not HTTP), or the connection fails; never a panic.
    #[test]
    fn any_bytes_through_a_forward(
        data in prop::collection::vec(any::<u8>(), 0..200),
        port in prop::sample::select(vec![80u16, 81, 0]),
    ) {
        use k8s_sandbox::sim::node::behaviour::nettools::http::wire;
        use k8s_sandbox::sim::protocol::connect;
        fuzz::portforward::with_world(|w| {
            if let Ok(v) = w.call(connect::portforward_request("default", "web", port, &data))
                && let connect::ForwardAnswer::Replied(bytes) = connect::portforward_answer(&v)
            {
                let r = wire::parse_response(&bytes).expect("nginx always writes an HTTP response");
                assert!(matches!(r.status, 200 | 400 | 404), "{}", r.status_line);
            }
        });
    }
}
