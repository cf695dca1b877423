//! Shell input from a learner: any `sh -c` script given to `kubectl exec`, and any line typed into
//! an interactive session (`exec -it POD -- sh`, each line the stdin of `exec -i ... -- sh`),
//! answers without a panic and changes nothing outside the pod: no object in the API moves.

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::{NET_WORLD, World, config, net_world, run};

/// Shell words and operators, with odd bytes between them: what a script is made of.
fn shell_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "echo",
            "hi",
            "$HOME",
            "${X:-y}",
            "$(",
            ")",
            "`",
            "|",
            "||",
            "&&",
            ";",
            "&",
            ">",
            ">>",
            "<",
            "2>&1",
            "cat",
            "/etc/hosts",
            "ls",
            "-la",
            "/",
            "cd",
            "..",
            "export",
            "X=1",
            "unset",
            "X",
            "if",
            "then",
            "fi",
            "for",
            "in",
            "do",
            "done",
            "while",
            "true",
            "false",
            "exit",
            "3",
            "sleep",
            "1",
            "rm",
            "-rf",
            "/tmp",
            "mkdir",
            "-p",
            "/tmp/a",
            "touch",
            "/tmp/a/b",
            "wget",
            "-qO-",
            "http://web/",
            "nslookup",
            "web",
            "kill",
            "1",
            "'",
            "\"",
            "\\",
            "#",
            "*",
            "?",
            "[",
            "]",
            "{",
            "}",
            "((",
            "))",
            "$((1/0))",
            "sh",
            "-c",
            "nosuchcommand",
            "printf",
            "%s\\n",
            "read",
            "line",
            "trap",
            "''",
            "EXIT",
            "ulimit",
            "-n",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,10}",
        "\\PC{0,4}",
    ]
}

fn script() -> impl Strategy<Value = String> {
    prop::collection::vec(shell_piece(), 0..10).prop_map(|words| words.join(" "))
}

/// The API's objects that an exec cannot touch, with their resourceVersions (leases and events
/// move by themselves; pods' status may move as probes run, so only their specs are compared).
fn api_state(w: &mut World) -> String {
    let names =
        "{range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name} {.metadata.generation} {.spec}{\"\\n\"}{end}";
    let objects = run(w, &format!("get pods,svc,deploy,cm,secrets,networkpolicies -A -o jsonpath={names}"), None);
    objects.stdout
}

proptest! {
    #![proptest_config(Config { cases: config().cases / 10, ..config() })]

    /// `kubectl exec POD -- sh -c SCRIPT`: output or an error, never a panic, nothing changed
    /// in the API.
    #[test]
    fn exec_scripts_never_panic_and_stay_in_the_pod(
        pod in prop::sample::select(vec!["client", "curler"]),
        text in script(),
    ) {
        NET_WORLD.with(|cell| {
            let mut slot = cell.borrow_mut();
            let w = slot.get_or_insert_with(net_world);
            let before = api_state(w);
            let quoted = text.replace('\'', "'\\''");
            let out = run(w, &format!("exec {pod} -- sh -c '{quoted}'"), None);
            assert!(!out.combined().is_empty() || !out.failed, "{text}");
            assert_eq!(api_state(w), before, "exec {pod} -- sh -c {text:?} changed the API");
        });
    }

    /// Lines typed into an interactive shell (each the stdin of the session's `exec -i`): never a
    /// panic, nothing changed in the API.
    #[test]
    fn typed_lines_never_panic_and_stay_in_the_pod(lines in prop::collection::vec(script(), 1..4)) {
        NET_WORLD.with(|cell| {
            let mut slot = cell.borrow_mut();
            let w = slot.get_or_insert_with(net_world);
            let open = run(w, "exec -it client -- sh", None);
            let session = open.session.clone().unwrap_or_else(|| panic!("an interactive shell: {open:?}"));
            let before = api_state(w);
            for line in &lines {
                let _ = run(w, &session.line().replacen("kubectl ", "", 1), Some(&format!("{line}\n")));
            }
            assert_eq!(api_state(w), before, "typing {lines:?} changed the API");
        });
    }
}
