//! An interactive shell in the browser's terminal: `kubectl exec -it POD -- sh` opens the
//! container's shell (its prompt replaces kubectl's), each line typed runs in the container
//! through the apiserver and the kubelet, and `exit` gives the terminal back to kubectl.
//! `kubectl run -it --rm` attaches to the pod's own shell the same way; its `exit` ends the pod,
//! which kubectl then deletes.

use std::time::Duration;

use super::diagnose;
use super::scenarios::{SETTLE, click, poll, run, shot, start, terminal_text};

/// The prompt shown before the terminal's input.
fn prompt(site: &super::Site) -> String {
    let js = "const p = document.querySelector('[data-testid=terminal-prompt]'); return p ? p.textContent : '';";
    site.session.execute(js, vec![]).expect("the script runs").as_str().unwrap_or_default().to_string()
}

#[test]
fn exec_it_opens_the_containers_shell_in_the_terminal() {
    let Some(site) = start("exec_it_opens_the_containers_shell_in_the_terminal") else {
        return;
    };
    run(&site, "kubectl run box --image=busybox -- sleep infinity");
    click(&site, "speed-max");
    run(&site, "kubectl wait --for=condition=Ready pod/box --timeout=300s");
    let ready = poll(SETTLE, || terminal_text(&site).contains("pod/box condition met"));
    assert!(ready, "pod/box never became Ready:\n{}", terminal_text(&site));

    run(&site, "kubectl exec -it box -- sh");
    let opened = poll(Duration::from_secs(30), || prompt(&site) == "/ #");
    assert!(opened, "the shell's prompt never showed (prompt {:?}):\n{}", prompt(&site), diagnose(&site));

    // Each line runs in the container; a file written by one line is there for the next.
    run(&site, "hostname");
    run(&site, "echo hello from the shell > /tmp/note");
    run(&site, "cat /tmp/note");
    run(&site, "ls /nonexistent");
    let answered = poll(Duration::from_secs(30), || {
        let t = terminal_text(&site);
        t.contains("/ # hostname\nbox") && t.contains("/ # cat /tmp/note\nhello from the shell")
    });
    shot(&site, "shell-session");
    let text = terminal_text(&site);
    assert!(answered, "the shell did not answer its lines:\n{text}");
    assert!(text.contains("ls: /nonexistent: No such file or directory"), "{text}");
    // The session goes on after a command fails: its exit code is not reported as the end of a stream.
    assert!(!text.contains("command terminated"), "{text}");
    assert!(!text.contains("$ hostname"), "a line typed in the shell went to kubectl:\n{text}");

    run(&site, "exit");
    let back = poll(Duration::from_secs(30), || prompt(&site) == "$");
    assert!(back, "exit did not end the session (prompt {:?})\n{}", prompt(&site), diagnose(&site));
    run(&site, "kubectl get pod box");
    let listed = poll(Duration::from_secs(30), || terminal_text(&site).lines().any(|l| l.starts_with("box ")));
    shot(&site, "shell-ended");
    assert!(listed, "kubectl did not answer after the session:\n{}", terminal_text(&site));
}

#[test]
fn run_it_rm_attaches_to_the_pods_shell_and_deletes_it_on_exit() {
    let Some(site) = start("run_it_rm_attaches_to_the_pods_shell_and_deletes_it_on_exit") else {
        return;
    };
    click(&site, "speed-max");
    run(&site, "kubectl run tmp --image=busybox -it --rm --restart=Never");
    let opened = poll(Duration::from_secs(60), || prompt(&site) == "/ #");
    assert!(opened, "the pod's shell never showed its prompt (prompt {:?}):\n{}", prompt(&site), diagnose(&site));
    let text = terminal_text(&site);
    assert!(text.contains("If you don't see a command prompt, try pressing enter."), "{text}");
    assert!(!text.contains("pod/tmp created"), "an attached run prints no object:\n{text}");

    run(&site, "echo hello from $HOSTNAME");
    let answered = poll(Duration::from_secs(30), || {
        terminal_text(&site).contains("/ # echo hello from $HOSTNAME\nhello from tmp")
    });
    assert!(answered, "the shell did not answer:\n{}", terminal_text(&site));

    run(&site, "exit");
    let deleted = poll(Duration::from_secs(30), || terminal_text(&site).contains("pod \"tmp\" deleted"));
    shot(&site, "run-it-rm-ended");
    assert!(deleted, "exit did not end the run (prompt {:?}):\n{}", prompt(&site), diagnose(&site));
    assert_eq!(prompt(&site), "$", "the terminal is kubectl's again");
    let text = terminal_text(&site);
    assert!(text.contains("/ # exit\npod \"tmp\" deleted"), "{text}");
    assert!(!text.contains("kubectl delete"), "the session's end lines are not echoed as commands:\n{text}");
}
