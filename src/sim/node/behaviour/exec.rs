//! Running a command inside a running container (`kubectl exec`, exec probes): the same symbolic
//! shell, with the files the container has at that moment.

use std::collections::BTreeMap;

use super::interp::commands::{basename, run};
use super::interp::{Ctx, Exec};
use super::net::Network;
use super::{Behaviour, End, Launch, Piece, Step, images, timeline};
use crate::sim::node::host::host_path;
use crate::sim::node::registry::reference::ImageRef;
use crate::sim::time::Millis;

/// What an exec produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecOutput {
    /// The command ran: its exit code and output lines (stdout and stderr interleaved).
    Ran { exit_code: i32, output: Vec<String>, unknown: bool },
    /// The executable does not exist in the image (distroless images have no shell).
    NotFound(String),
}

/// The message runc gives for a missing executable (`kubectl exec` prints it, exit code 126... 127).
pub fn not_found_message(cmd: &str) -> String {
    format!(
        "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{cmd}\": executable file not found in $PATH: unknown"
    )
}

/// Runs `argv` in the container `elapsed` ms after it started (`now` is the absolute time), with no
/// network (exec probes).
pub fn exec_in(b: &Behaviour, launch: &Launch<'_>, argv: &[String], elapsed: Millis, now: Millis) -> ExecOutput {
    exec_with_net(b, launch, argv, elapsed, now, None).0
}

/// Like [`exec_in`], with the pod's view of the network (`kubectl exec`); also returns how long the
/// command waited on the network (timeouts), which the caller lets pass in virtual time.
pub fn exec_with_net(
    b: &Behaviour,
    launch: &Launch<'_>,
    argv: &[String],
    elapsed: Millis,
    now: Millis,
    net: Option<&dyn Network>,
) -> (ExecOutput, Millis) {
    let run = exec_run(b, launch, argv, elapsed, now, net, launch.layer.unwrap_or(&BTreeMap::new()));
    (run.output, run.waited)
}

/// What an exec did, for the caller to keep: its output, the time it waited, its steps (the writes
/// under mounts land on the node) and the files it left in the container's own layer.
#[derive(Debug, Clone)]
pub struct ExecRun {
    pub output: ExecOutput,
    pub waited: Millis,
    pub steps: Vec<Step>,
    /// The container's own files after the command (`None`: removed), outside mounts.
    pub layer: BTreeMap<String, Option<String>>,
    /// The shell run ended by its `exit` builtin (not by reaching the end of its input): for an
    /// attach to a container's main shell, the process is over.
    pub exited: bool,
}

/// Runs `argv` in the container with the files an earlier exec left in its layer (`layer`).
pub fn exec_run(
    b: &Behaviour,
    launch: &Launch<'_>,
    argv: &[String],
    elapsed: Millis,
    now: Millis,
    net: Option<&dyn Network>,
    layer: &BTreeMap<String, Option<String>>,
) -> ExecRun {
    let nothing = |output| ExecRun { output, waited: 0, steps: Vec::new(), layer: layer.clone(), exited: false };
    let Some(first) = argv.first() else { return nothing(ExecOutput::NotFound(String::new())) };
    let repository = ImageRef::parse(launch.image).map(|r| r.repository()).unwrap_or_else(|_| launch.image.to_string());
    let d = images::defaults(&repository);
    let short = repository.rsplit('/').next().unwrap_or(&repository).to_string();
    if !d.has_shell {
        let own = d.entrypoint.iter().any(|e| basename(e) == basename(first));
        if !own {
            return nothing(ExecOutput::NotFound(first.clone()));
        }
    }
    if super::nettools::missing_from(&short, basename(first)) || super::applets::busybox_lacks(&short, first) {
        return nothing(ExecOutput::NotFound(first.clone()));
    }
    let mut env: BTreeMap<String, String> = d.env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    env.insert("HOSTNAME".into(), launch.hostname.to_string());
    env.insert("HOME".into(), "/root".into());
    for (k, v) in launch.env {
        env.insert(k.clone(), v.clone());
    }
    let ctx = Ctx {
        files: launch.files,
        mounts: launch.mounts,
        host: launch.host.map(|(fs, _)| fs),
        start: now,
        hostname: launch.hostname,
        busybox: d.busybox,
        ports: launch.ports,
        expect_exit: true,
        image: &short,
        net,
    };
    let mut ex = Exec::new(&ctx, env);
    // The container's own layer: what its process wrote outside mounts, then what execs did.
    ex.files = timeline::files_at(b, elapsed, now.saturating_sub(elapsed))
        .into_iter()
        .filter(|(p, _)| host_path(launch.mounts, p).is_none())
        .map(|(p, c)| (p, Some(c)))
        .collect();
    ex.files.extend(layer.iter().map(|(p, c)| (p.clone(), c.clone())));
    let pieces: Vec<Vec<Piece>> = argv.iter().map(|a| vec![Piece::Text(a.clone())]).collect();
    ex.stdin = launch.stdin.map(str::to_string);
    ex.tty = launch.tty;
    let effect = run(&mut ex, &pieces);
    let unknown = effect.unknown.is_some();
    let status = effect.status;
    ex.apply(effect, &[]);
    let exit_code = match ex.end {
        Some(End::Exit(c)) => c,
        _ => status,
    };
    let output = ex
        .steps
        .iter()
        .filter_map(|s| if let Step::Log(l) = s { Some(timeline::render(l, now, 0)) } else { None })
        .flat_map(|s| s.split('\n').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let mut own = layer.clone();
    own.extend(
        ex.files.iter().filter(|(p, _)| host_path(launch.mounts, p).is_none()).map(|(p, c)| (p.clone(), c.clone())),
    );
    let exited = ex.exited;
    ExecRun {
        output: ExecOutput::Ran { exit_code, output, unknown },
        waited: ex.waited,
        steps: ex.steps,
        layer: own,
        exited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch<'a>(
        image: &'a str,
        command: &'a [String],
        files: &'a [(String, String)],
        env: &'a [(String, String)],
    ) -> Launch<'a> {
        Launch { image, command, files, env, hostname: "web-1", ..Launch::default() }
    }

    fn argv(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn exec_sees_files_created_by_the_container() {
        let cmd = argv(&["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]);
        let l = launch("busybox", &cmd, &[], &[]);
        let b = Behaviour::of(&l);
        let probe = argv(&["cat", "/tmp/healthy"]);
        assert_eq!(
            exec_in(&b, &l, &probe, 10_000, 0),
            ExecOutput::Ran { exit_code: 0, output: vec![], unknown: false }
        );
        assert_eq!(
            exec_in(&b, &l, &probe, 35_000, 0),
            ExecOutput::Ran {
                exit_code: 1,
                output: vec!["cat: can't open '/tmp/healthy': No such file or directory".into()],
                unknown: false
            }
        );
    }

    /// A shell with no `-c` reads its script from stdin (`kubectl exec -i POD -- sh <<EOF`); on a
    /// terminal (`-t`) it is interactive and prints its prompt first: busybox ash's `\w \$ `,
    /// Debian bash's `\u@\h:\w\$ `, dash's `# `.
    #[test]
    fn a_shell_reads_stdin_and_prompts_on_a_terminal() {
        let ran = |image: &str, shell: &str, stdin: Option<&str>, tty: bool| {
            let cmd = argv(&["sleep", "3600"]);
            let l = Launch { stdin, tty, ..launch(image, &cmd, &[], &[]) };
            match exec_in(&Behaviour::of(&l), &l, &argv(&[shell]), 1000, 0) {
                ExecOutput::Ran { exit_code, output, .. } => (exit_code, output),
                other => panic!("{shell} in {image} runs: {other:?}"),
            }
        };
        assert_eq!(ran("busybox", "sh", Some("echo a\nexit 4\necho b\n"), false), (4, vec!["a".to_string()]));
        assert_eq!(ran("busybox", "sh", None, false), (0, vec![]));
        for (image, shell, prompt) in
            [("busybox", "sh", "/ # "), ("debian", "bash", "root@web-1:/# "), ("debian", "sh", "# ")]
        {
            assert_eq!(ran(image, shell, Some(""), true), (0, vec![prompt.to_string()]), "{shell} in {image}");
        }
    }

    #[test]
    fn exec_env_hostname_and_mounted_files() {
        let files = vec![("/etc/config/mode".to_string(), "fast".to_string())];
        let env = vec![("MODE".to_string(), "fast".to_string())];
        let l = launch("nginx", &[], &files, &env);
        let b = Behaviour::of(&l);
        let run = |a: &[&str]| exec_in(&b, &l, &argv(a), 1000, 0);
        assert_eq!(run(&["hostname"]), ExecOutput::Ran { exit_code: 0, output: vec!["web-1".into()], unknown: false });
        assert_eq!(
            run(&["cat", "/etc/config/mode"]),
            ExecOutput::Ran { exit_code: 0, output: vec!["fast".into()], unknown: false }
        );
        assert_eq!(
            run(&["ls", "/etc/config"]),
            ExecOutput::Ran { exit_code: 0, output: vec!["mode".into()], unknown: false }
        );
        let ExecOutput::Ran { output, .. } = run(&["env"]) else { panic!("env runs") };
        assert!(
            output.contains(&"MODE=fast".to_string()) && output.contains(&"HOSTNAME=web-1".to_string()),
            "{output:?}"
        );
        assert_eq!(
            run(&["sh", "-c", "echo $MODE; exit 3"]),
            ExecOutput::Ran { exit_code: 3, output: vec!["fast".into()], unknown: false }
        );
    }

    #[test]
    fn distroless_images_have_no_shell() {
        let l = launch("registry.k8s.io/pause:3.10", &[], &[], &[]);
        let b = Behaviour::of(&l);
        assert_eq!(exec_in(&b, &l, &argv(&["sh"]), 0, 0), ExecOutput::NotFound("sh".into()));
        assert!(not_found_message("sh").contains("exec: \"sh\": executable file not found in $PATH"));
    }

    /// `stdin: true` keeps a main shell waiting (CRI `ContainerConfig.stdin`); without it the shell
    /// reads end-of-file and exits 0, as busybox does under `kubectl run` with no `-i`.
    #[test]
    fn a_main_shell_waits_on_an_open_stdin() {
        let none: Vec<String> = Vec::new();
        let waiting =
            Behaviour::of(&Launch { image: "busybox", command: &none, open_stdin: true, ..Launch::default() });
        assert_eq!((waiting.end.clone(), waiting.natural_end(None)), (End::Forever, None));
        let closed = Behaviour::of(&Launch { image: "busybox", command: &none, ..Launch::default() });
        assert_eq!(closed.end, End::Exit(0));
        // A script's shell does not wait, stdin or not.
        let script = argv(&["sh", "-c", "echo hi"]);
        let b = Behaviour::of(&Launch { image: "busybox", command: &script, open_stdin: true, ..Launch::default() });
        assert_eq!(b.end, End::Exit(0));
    }

    /// Only the outermost shell's `exit` ends the process an attach talks to; a nested `sh -c 'exit
    /// 3'` or the end of the input does not.
    #[test]
    fn exit_of_the_outer_shell_is_told_apart_from_the_end_of_input() {
        let cmd = argv(&["sleep", "infinity"]);
        let l = launch("busybox", &cmd, &[], &[]);
        let b = Behaviour::of(&l);
        let sh = argv(&["sh"]);
        let run = |input: &str| {
            let l = Launch { stdin: Some(input), ..l.clone() };
            let r = exec_run(&b, &l, &sh, 1_000, 1_000, None, &BTreeMap::new());
            let ExecOutput::Ran { exit_code, .. } = r.output else { panic!("sh runs") };
            (exit_code, r.exited)
        };
        assert_eq!(run("echo a\n"), (0, false));
        assert_eq!(run("false\n"), (1, false));
        assert_eq!(run("echo a\nexit 4\necho b\n"), (4, true));
        assert_eq!(run("sh -c 'exit 3'\necho after\n"), (0, false));
        assert_eq!(run("if true; then exit 2; fi\n"), (2, true));
    }
}
