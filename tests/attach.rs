//! A container's stdin and `kubectl attach` / `kubectl run -i`: a main shell with `stdin: true` waits
//! on its stdin instead of reading end-of-file and exiting (containerd keeps the stdin pipe open,
//! CRI `ContainerConfig.stdin`); `kubectl attach -i` sends it lines through the pod's `attach`
//! subresource, the kubelet's `/attach` and CRI `Attach`; `stdinOnce` closes that stdin when the first
//! attach ends, so the shell exits and the pod completes (`kubectl run -i --rm`, `cmd/run/run.go`).

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::script::{self, Step};
use k8s_sandbox::sim::world::World;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::Value;

const NOTE: &str = "If you don't see a command prompt, try pressing enter.\n";

/// The pods of `tests/scripts/attach.sh` (its first here-document): `shell` with `stdin`,
/// `stdinOnce` and `tty` under `restartPolicy: Never`, `keeper` with `stdin` only; and `closed`, a
/// busybox with neither.
fn cluster() -> World {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/attach.sh");
    let steps = script::parse(&std::fs::read_to_string(path).expect("checked in")).expect("the script parses");
    let Some(Step::Kubectl { stdin: Some(pods), .. }) = steps.first() else {
        panic!("attach.sh applies its pods first")
    };
    let mut w = World::new(7);
    let out = kubectl::execute(&mut w, "apply -f -", Some(pods), &NoFiles);
    assert!(!out.failed, "{}", out.stderr);
    let out = kubectl::execute(&mut w, "run closed --image=busybox --restart=Never", None, &NoFiles);
    assert!(!out.failed, "{}", out.stderr);
    w.run_for(30_000);
    w
}

fn run(w: &mut World, line: &str, stdin: Option<&str>) -> Output {
    kubectl::execute(w, line, stdin, &NoFiles)
}

fn pod(w: &mut World, name: &str) -> Value {
    let out = run(w, &format!("get pod {name} -o json"), None);
    assert!(!out.failed, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("kubectl prints JSON")
}

fn phase(w: &mut World, name: &str) -> String {
    pod(w, name)["status"]["phase"].as_str().unwrap_or_default().to_string()
}

/// Without stdin busybox's `sh` reads end-of-file and exits 0 at once; with it, it waits.
#[test]
fn a_shell_waits_on_an_open_stdin_and_completes_without_one() {
    let mut w = cluster();
    assert_eq!(phase(&mut w, "shell"), "Running");
    assert_eq!(phase(&mut w, "keeper"), "Running");
    assert_eq!(phase(&mut w, "closed"), "Succeeded");
    let closed = pod(&mut w, "closed");
    assert_eq!(closed["status"]["containerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
}

/// The hops of `kubectl attach -i`: the pod read by kubectl, then the attach through the apiserver,
/// the kubelet and the runtime, each a message in the trace.
#[test]
fn attach_goes_kubectl_apiserver_kubelet_runtime_and_back() {
    let mut w = cluster();
    let start = w.k.next_id();
    let out = run(&mut w, "attach -i keeper", Some("echo hello from the attach\n"));
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("hello from the attach\n", NOTE));
    let hops: Vec<String> =
        w.k.trace
            .entries()
            .iter()
            .filter(|e| e.id >= start)
            .map(|e| format!("{} -> {} {}: {}", e.from, e.to, e.kind, e.summary))
            .collect();
    let at = hops.iter().position(|h| h.contains("/attach?")).expect("an attach request");
    let want = [
        "kubectl -> kube-apiserver request: POST /api/v1/namespaces/default/pods/keeper/attach?container=keeper&stderr=true&stdin=true&stdout=true",
        "kube-apiserver -> etcd etcd: range /registry/pods/default/keeper",
    ];
    assert_eq!(hops[at..at + 2], want.map(String::from));
    let rest = hops[at + 2..].join("\n");
    for hop in [
        "kube-apiserver -> kubelet/",
        "stream: POST /attach/default/keeper/keeper (stdin: 27 bytes)",
        "cri: Attach ",
        "(stdin: 27 bytes)",
        "-> kube-apiserver stream: 101 stream: 22 bytes",
        "kube-apiserver -> kubectl response: 101 Switching Protocols, 22 bytes",
    ] {
        assert!(rest.contains(hop), "{hop:?} not in\n{rest}");
    }
    // Without stdinOnce the shell goes on reading after the attach ended.
    w.run_for(5_000);
    assert_eq!(phase(&mut w, "keeper"), "Running");
}

/// `stdinOnce`: the attach's end closes the shell's stdin; it reads end-of-file and exits with the
/// status of its last command.
#[test]
fn stdin_once_ends_the_shell_with_the_first_attach() {
    let mut w = cluster();
    let out = run(&mut w, "attach -i shell", Some("touch /tmp/x\nls /tmp\n"));
    assert_eq!(out.stderr, format!("Unable to use a TTY - input is not a terminal or the right kind of file\n{NOTE}"));
    assert_eq!(out.stdout, "x\n");
    w.run_for(3_000);
    assert_eq!(phase(&mut w, "shell"), "Succeeded");
    let out = run(&mut w, "attach -i shell", Some("echo again\n"));
    assert_eq!(out.stderr, "error: cannot attach a container in a completed pod; current phase is Succeeded\n");
}

/// `exit N` ends the process whatever its stdin does; a pod that restarts it starts a fresh shell.
#[test]
fn exit_ends_the_process_and_the_pod_restarts_it() {
    let mut w = cluster();
    let out = run(&mut w, "attach -i keeper -q", Some("echo bye\nexit 4\necho never\n"));
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.failed), ("bye\n", "", false));
    w.run_for(2_000);
    let p = pod(&mut w, "keeper");
    let status = &p["status"]["containerStatuses"][0];
    assert_eq!(status["lastState"]["terminated"]["exitCode"], 4, "{status}");
    assert_eq!(status["restartCount"], 1);
    w.run_for(30_000);
    assert_eq!(phase(&mut w, "keeper"), "Running");
}

/// kubectl's own checks and words (`attach.go`, `podcmd.FindOrDefaultContainerByName`).
#[test]
fn attach_errors_are_kubectls() {
    let mut w = cluster();
    for (line, want) in [
        ("attach", "error: at least 1 argument is required for attach\n".to_string()),
        (
            "attach a b c",
            "error: expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw 3: [a b c]\n".to_string(),
        ),
        ("attach nope -i", "Error from server (NotFound): pods \"nope\" not found\n".to_string()),
        (
            "attach keeper -i -c x",
            "error: cannot attach to the container: container x not found in pod keeper\n".to_string(),
        ),
        (
            "attach closed -i",
            "error: cannot attach a container in a completed pod; current phase is Succeeded\n".to_string(),
        ),
        (
            "attach keeper --pod-running-timeout=0",
            "error: --pod-running-timeout must be higher than zero\nSee 'kubectl attach -h' for help and examples\n"
                .to_string(),
        ),
    ] {
        let out = run(&mut w, line, Some("echo x\n"));
        assert_eq!((out.stderr.as_str(), out.failed), (want.as_str(), true), "{line}");
    }
    // -t to a container with no terminal: kubectl says so and goes on without one.
    let out = run(&mut w, "attach keeper -it", Some("echo x\n"));
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str()),
        ("x\n", format!("error: Unable to use a TTY - container keeper did not allocate one\n{NOTE}").as_str())
    );
    // Without -i this kubectl cannot follow the stream, and says what to use.
    let out = run(&mut w, "attach keeper", None);
    assert!(out.failed && out.stderr.contains("`kubectl logs -f keeper`"), "{}", out.stderr);
}

/// `kubectl run -i --rm --restart=Never`: created with stdin, attached once running, the input run,
/// the pod completed and deleted.
#[test]
fn run_i_rm_attaches_waits_and_deletes() {
    let mut w = cluster();
    let out = run(&mut w, "run job --image=busybox -i --rm --restart=Never -- sh", Some("echo hello\nexit 0\n"));
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.failed), ("hello\npod \"job\" deleted\n", NOTE, false));
    w.run_for(40_000);
    let out = run(&mut w, "get pod job", None);
    assert_eq!(out.stderr, "Error from server (NotFound): pods \"job\" not found\n");
}

/// A failed pod is reported in `Run`'s words; `stdinOnce` and the restart policy are what run sets.
#[test]
fn run_i_reports_a_failed_container() {
    let mut w = cluster();
    let out = run(&mut w, "run bad --image=busybox -i --restart=Never", Some("exit 3\n"));
    assert_eq!(
        (out.stderr.as_str(), out.failed),
        (format!("{NOTE}pod default/bad terminated (Error)\n").as_str(), true)
    );
    let p = pod(&mut w, "bad");
    let c = &p["spec"]["containers"][0];
    assert_eq!((&c["stdin"], &c["stdinOnce"], &c.get("tty")), (&Value::Bool(true), &Value::Bool(true), &None));
    assert_eq!(p["status"]["phase"], "Failed");
    // -i alone defaults to OnFailure.
    let out = run(&mut w, "run again --image=busybox -i", Some("echo ok\n"));
    assert_eq!((out.stdout.as_str(), out.failed), ("ok\n", false), "{}", out.stderr);
    assert_eq!(pod(&mut w, "again")["spec"]["restartPolicy"], "OnFailure");
}

#[test]
fn run_attach_flags_are_checked_before_anything_is_created() {
    let mut w = cluster();
    let usage = "See 'kubectl run -h' for help and examples\n";
    for (line, want) in [
        ("run x --image=busybox --rm", format!("error: --rm should only be used for attached containers\n{usage}")),
        (
            "run x --image=busybox -t",
            format!("error: -i/--stdin is required for containers with -t/--tty=true\n{usage}"),
        ),
        (
            "run x --image=busybox -it --dry-run=client",
            format!(
                "error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)\n{usage}"
            ),
        ),
    ] {
        assert_eq!(run(&mut w, line, None).stderr, want, "{line}");
    }
    assert!(run(&mut w, "get pod x", None).failed, "nothing was created");
}

/// `kubectl run -it --rm` on a terminal: the session opens on the container's own shell; ending it
/// runs the attach that gives the shell its `exit`, then `--rm`'s delete.
#[test]
fn run_it_opens_a_session_whose_end_completes_and_deletes_the_pod() {
    let mut w = cluster();
    let out = run(&mut w, "run term --image=busybox -it --rm --restart=Never", None);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", NOTE));
    let session = out.session.expect("an interactive session");
    assert_eq!(session.prompt, "/ # ");
    assert_eq!(
        session.end,
        ["kubectl attach term -n default -c term -i -q", "kubectl delete pod term -n default --wait=false"]
    );
    assert_eq!(session.farewell, None);
    // A line typed runs in the container (as an exec of the same shell).
    let typed = run(&mut w, &session.line(), Some("echo $HOSTNAME\n"));
    assert_eq!(typed.stdout, "term\n");
    let end = run(&mut w, &session.end[0], Some("exit\n"));
    assert_eq!((end.stdout.as_str(), end.stderr.as_str()), ("", ""));
    w.run_for(2_000);
    assert_eq!(phase(&mut w, "term"), "Succeeded");
    let rm = run(&mut w, &session.end[1], None);
    assert_eq!(rm.stdout, "pod \"term\" deleted\n");
}

/// `kubectl attach -it` to a pod that restarts its container says how to come back.
#[test]
fn attach_it_to_a_restarting_pod_says_how_to_resume() {
    let mut w = cluster();
    let tty = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ub\nspec:\n  containers:\n  - name: ub\n    image: ubuntu\n    stdin: true\n    tty: true\n";
    assert!(!run(&mut w, "apply -f -", Some(tty)).failed);
    w.run_for(60_000);
    let out = run(&mut w, "attach -it ub", None);
    let session = out.session.expect("a session");
    assert_eq!(session.prompt, "root@ub:/# ");
    assert_eq!(
        session.farewell.as_deref(),
        Some("Session ended, resume using 'kubectl attach ub -c ub -i -t' command when the pod is running")
    );
}

/// Whatever a learner types into an attached shell, the cluster answers and never panics: the lines
/// go to the container's shell interpreter through the whole path.
#[test]
fn arbitrary_lines_to_an_attached_shell_never_panic() {
    let world = std::cell::RefCell::new(cluster());
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(48);
    let mut runner =
        TestRunner::new(Config { cases, failure_persistence: None, rng_seed: RngSeed::Fixed(11), ..Config::default() });
    let line = prop_oneof![
        "\\PC{0,60}",
        "(echo|ls|cat|cd|export|if|then|fi|while|do|done|\\$\\(|`|'|\"|;|&&|\\||>|<<|exit|sleep 1| )*{0,12}",
    ];
    runner
        .run(&line, |text| {
            let mut w = world.borrow_mut();
            let out = run(&mut w, "attach -i keeper -q", Some(&format!("{text}\n")));
            // Output or an error line, never nothing at all from a failure.
            prop_assert!(!out.failed || !out.stderr.is_empty());
            w.run_for(500);
            Ok(())
        })
        .expect("no input panics or goes unanswered");
}
