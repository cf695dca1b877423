//! What a container does once started, decided from its image, command, args and environment.
//!
//! A container's process is modelled as a timeline: `steps` run once from the start (print a line,
//! sleep, touch a file, allocate memory), then an `End`: exit with a code, serve on ports forever, run
//! forever, or repeat a loop body forever. Everything about the container (when it exits and how, its
//! log lines, which files exist for an exec probe, its memory for the OOM killer and `kubectl top`) is
//! a pure function of that timeline and the time since start, computed only when asked: a running
//! container costs no timers and no stored log lines.
//!
//! Simplifications, said once: scripts are interpreted symbolically (no real shell); commands the
//! interpreter does not know finish at once with status 0 inside a script, and a top-level program it
//! does not know runs forever (an application server, presumably) serving its declared ports.

pub mod applets;
pub mod argv;
pub mod exec;
pub mod images;
pub mod interp;
pub mod net;
pub mod nettools;
pub mod pi;
pub mod probe;
pub mod programs;
pub mod shell;
pub mod timeline;

use std::collections::BTreeMap;

use super::cri::Mount;
use super::host::fs::Fs;
use crate::sim::time::Millis;

/// One piece of an output line; dynamic pieces are rendered when the line is printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `$(date)`: busybox's `Wed Jan  1 00:00:05 UTC 2025`.
    Date,
    /// `$(date +%s)`.
    Epoch,
    /// A loop counter: this value plus the iteration number.
    Counter(i64),
    /// `bpi(n)`: pi to n significant digits (the Job example).
    Pi(u32),
}

/// One line of output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line(pub Vec<Piece>);

impl Line {
    /// A line of plain text.
    pub fn text(s: impl Into<String>) -> Line {
        Line(vec![Piece::Text(s.into())])
    }
}

/// One step of a container's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Log(Line),
    Sleep(Millis),
    /// CPU-bound work that takes this long.
    Work(Millis),
    Touch(String),
    /// `echo ... > path` (`>>` appends): the lines, rendered when the write happens.
    Write {
        path: String,
        lines: Vec<Line>,
        append: bool,
    },
    Mkdir(String),
    /// `rm -rf`: the path and everything under it.
    Remove(String),
    /// Allocates and keeps this many bytes (`stress --vm-bytes`).
    Alloc(u64),
    /// An HTTP request (`wget`/`curl` in a container's own command) to this host and port: the
    /// server it reaches spends CPU on it (see `world/load.rs`).
    Request {
        host: String,
        port: u16,
    },
}

/// How long a request in a container's own command takes (a round trip on the cluster network).
pub const REQUEST_MS: Millis = 10;

impl Step {
    /// How long the step takes.
    pub fn duration(&self) -> Millis {
        match self {
            Step::Sleep(d) | Step::Work(d) => *d,
            Step::Alloc(_) => 100,
            Step::Request { .. } => REQUEST_MS,
            _ => 0,
        }
    }
}

/// A long-running server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub kind: programs::ServerKind,
    pub ports: Vec<u16>,
    /// Time from start until it accepts connections (MySQL initializes its data directory first).
    pub ready_after: Millis,
}

/// How the timeline ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    Exit(i32),
    /// Runs forever doing nothing visible (`sleep infinity`, `tail -f`, `/pause`, unknown programs).
    Forever,
    Serve(Server),
    /// `while true; do ...; done`: the body repeats forever.
    Loop(Vec<Step>),
}

/// What the process does on SIGTERM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sigterm {
    /// Shuts down cleanly after a moment.
    Exit { after: Millis, code: i32 },
    /// PID 1 without a handler ignores SIGTERM: it dies by SIGKILL at the end of the grace period.
    Ignore,
}

/// A container's simulated process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    pub steps: Vec<Step>,
    pub end: End,
    pub sigterm: Sigterm,
    /// Resident memory before any `Alloc` (bytes).
    pub memory: u64,
    /// Steady CPU use in millicores.
    pub cpu_millis: u32,
    /// Whether the image has a shell and coreutils (distroless images do not: `kubectl exec` fails).
    pub has_shell: bool,
    /// Simplifications the learner may want to know about (unknown commands...).
    pub notes: Vec<String>,
}

/// How a process ended on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    /// Time since start.
    pub after: Millis,
    pub code: i32,
    /// `Completed`, `Error` or `OOMKilled`, as containerStatuses show it.
    pub reason: &'static str,
}

/// Everything that decides a container's behaviour.
#[derive(Debug, Clone, Default)]
pub struct Launch<'a> {
    pub image: &'a str,
    pub command: &'a [String],
    pub args: &'a [String],
    /// The container's environment (after the kubelet resolved references), in order.
    pub env: &'a [(String, String)],
    /// Files fixed at the container's start (the service account token, `resolv.conf`, `subPath`
    /// mounts of ConfigMaps and Secrets): absolute path and content.
    pub files: &'a [(String, String)],
    /// Directories of the node mounted into the container: reads and writes there go to `host`.
    pub mounts: &'a [Mount],
    /// The node's filesystem and the absolute time the process starts: reads under `mounts` see
    /// it as it is at their virtual time. `None` where no node is involved (unit tests).
    pub host: Option<(&'a Fs, Millis)>,
    /// Declared container ports: an unknown application serves them.
    pub ports: &'a [u16],
    pub hostname: &'a str,
    /// Init containers and Job pods are expected to finish: an unknown program then exits 0.
    pub expect_exit: bool,
    /// For a host-network pod: ports of the node's own processes (the control-plane components a
    /// static pod stands for) and whether each answers now. A probe of such a port reaches that
    /// process, not the container's simulated program.
    pub host_listeners: &'a [(u16, bool)],
    /// What `kubectl exec` left in the container's own layer (`None`: removed), for exec probes.
    pub layer: Option<&'a BTreeMap<String, Option<String>>>,
    /// What an exec's stdin stream carries (`kubectl exec -i`): a shell with no `-c` reads its
    /// commands from it.
    pub stdin: Option<&'a str>,
    /// A terminal is attached to the exec (`kubectl exec -t`).
    pub tty: bool,
    /// The container's stdin is kept open by the runtime (`stdin: true` in its spec): a main shell
    /// with nothing else to do waits on it (`kubectl run -it --image=busybox`).
    pub open_stdin: bool,
}

/// The reason containerd reports for an exit code.
pub fn exit_reason(code: i32) -> &'static str {
    if code == 0 { "Completed" } else { "Error" }
}

impl Behaviour {
    /// Decides the behaviour of a container.
    pub fn of(launch: &Launch<'_>) -> Behaviour {
        programs::behaviour_of(launch)
    }

    /// When and how the process ends by itself, given the memory limit enforced by the OOM killer.
    pub fn natural_end(&self, memory_limit: Option<u64>) -> Option<Exit> {
        timeline::natural_end(self, memory_limit)
    }

    /// The server it runs, if any.
    pub fn server(&self) -> Option<&Server> {
        match &self.end {
            End::Serve(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::programs::ServerKind;
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn of(image: &str, command: &[&str], args: &[&str]) -> Behaviour {
        of_with(image, command, args, &[], false)
    }

    fn of_with(image: &str, command: &[&str], args: &[&str], env: &[(&str, &str)], expect_exit: bool) -> Behaviour {
        let (command, args) = (strings(command), strings(args));
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let ports = vec![8080];
        Behaviour::of(&Launch {
            image,
            command: &command,
            args: &args,
            env: &env,
            ports: &ports,
            hostname: "pod-0",
            expect_exit,
            ..Launch::default()
        })
    }

    fn logs(b: &Behaviour, elapsed: Millis) -> Vec<String> {
        timeline::log_lines(b, 0, elapsed, 1000).into_iter().map(|(_, l)| l).collect()
    }

    fn end_of(b: &Behaviour) -> Option<(Millis, i32, &'static str)> {
        b.natural_end(None).map(|e| (e.after, e.code, e.reason))
    }

    #[test]
    fn servers_from_image_defaults() {
        let nginx = of("nginx:1.14.2", &[], &[]);
        assert_eq!(nginx.server().map(|s| (&s.kind, s.ports.clone())), Some((&ServerKind::Nginx, vec![80])));
        assert_eq!(nginx.sigterm, Sigterm::Exit { after: 100, code: 0 });
        assert_eq!(end_of(&nginx), None);
        assert!(logs(&nginx, 1000).iter().any(|l| l.ends_with("start worker processes")));
        assert_eq!(of("redis", &[], &[]).server().map(|s| s.ports.clone()), Some(vec![6379]));
        assert_eq!(of("httpd", &[], &[]).server().map(|s| s.kind.clone()), Some(ServerKind::Httpd));
        assert_eq!(
            of("registry.k8s.io/pause:3.10", &[], &[]).server().map(|s| s.kind.clone()),
            Some(ServerKind::Pause)
        );
    }

    #[test]
    fn short_commands_exit() {
        for (image, command, want) in [
            ("busybox", vec![], Some((0, 0, "Completed"))),
            ("alpine", vec![], Some((0, 0, "Completed"))),
            ("ubuntu", vec![], Some((0, 0, "Completed"))),
            ("busybox", vec!["sh", "-c", "exit 1"], Some((0, 1, "Error"))),
            ("busybox", vec!["false"], Some((0, 1, "Error"))),
            ("busybox", vec!["sleep", "3600"], Some((3_600_000, 0, "Completed"))),
            ("busybox", vec!["sleep", "infinity"], None),
            (
                "docker.io/library/bash:5",
                vec!["bash", "-c", "echo \"Hello world!\" && sleep 5 && exit 42"],
                Some((5000, 42, "Error")),
            ),
            (
                "busybox:1.28",
                vec!["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"],
                Some((0, 0, "Completed")),
            ),
            ("alpine:latest", vec!["sh", "-c", "tail -F /opt/logs.txt"], None),
        ] {
            assert_eq!(end_of(&of(image, &command, &[])), want, "{image} {command:?}");
        }
    }

    #[test]
    fn the_pi_job_prints_two_thousand_digits() {
        let b = of("perl:5.34.0", &["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"], &[]);
        let (after, code, _) = end_of(&b).expect("perl finishes");
        assert_eq!(code, 0);
        assert!((3000..10_000).contains(&after), "{after}");
        let out = logs(&b, after);
        assert_eq!(out.len(), 1);
        assert!(out[0].starts_with("3.14159265358979") && out[0].len() == 2001);
    }

    #[test]
    fn stress_allocates_and_gets_oom_killed() {
        let b = of("polinux/stress", &["stress"], &["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]);
        let oom = b.natural_end(Some(100 << 20)).expect("over the limit");
        assert_eq!((oom.code, oom.reason), (137, "OOMKilled"));
        assert_eq!(b.natural_end(Some(300 << 20)), None);
        assert_eq!(logs(&b, 10)[0], "stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd");
        assert!(timeline::memory_at(&b, 5000) > 250 << 20);
    }

    #[test]
    fn counter_loop_logs_forever() {
        let b = of(
            "busybox:1.28",
            &["/bin/sh", "-c", "i=0; while true; do echo \"$i: $(date)\"; i=$((i+1)); sleep 1; done"],
            &[],
        );
        assert_eq!(end_of(&b), None);
        assert_eq!(
            logs(&b, 2500),
            vec![
                "0: Wed Jan  1 00:00:00 UTC 2025",
                "1: Wed Jan  1 00:00:01 UTC 2025",
                "2: Wed Jan  1 00:00:02 UTC 2025"
            ]
        );
        assert_eq!(b.sigterm, Sigterm::Ignore, "a shell as PID 1 ignores SIGTERM");
    }

    #[test]
    fn unknown_programs_follow_what_the_pod_expects() {
        let app = of("docker.io/neylsoncrepalde/jokeapi:v1", &[], &[]);
        assert_eq!(app.server().map(|s| s.ports.clone()), Some(vec![8080]));
        assert!(!app.notes.is_empty());
        let job = of_with("docker.io/neylsoncrepalde/dataprocessingjob:v1", &[], &[], &[], true);
        assert_eq!(end_of(&job), Some((3000, 0, "Completed")));
        let zk =
            of("registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10", &["sh", "-c", "start-zookeeper --servers=3"], &[]);
        assert!(zk.server().is_some(), "the last unknown command of a script is its main process");
        let exec = of(
            "gcr.io/google-samples/xtrabackup:1.0",
            &["bash", "-c", "set -ex\ncd /var/lib/mysql\nexec ncat --listen --keep-open 3307"],
            &[],
        );
        assert!(exec.server().is_some());
    }

    #[test]
    fn init_scripts_finish() {
        let script = "set -ex\n[[ $HOSTNAME =~ -([0-9]+)$ ]] || exit 1\nordinal=${BASH_REMATCH[1]}\necho [mysqld] > /mnt/conf.d/server-id.cnf\necho server-id=$((100 + $ordinal)) >> /mnt/conf.d/server-id.cnf\nif [[ $ordinal -eq 0 ]]; then\n  cp /mnt/config-map/primary.cnf /mnt/conf.d/\nelse\n  cp /mnt/config-map/replica.cnf /mnt/conf.d/\nfi\n";
        let b = of_with("mysql:5.7", &["bash", "-c", script], &[], &[], true);
        assert_eq!(end_of(&b), Some((0, 0, "Completed")));
    }

    #[test]
    fn databases_need_passwords() {
        let pg = of("postgres", &[], &[]);
        assert_eq!(end_of(&pg).map(|e| e.1), Some(1));
        assert!(
            logs(&pg, 1000)[0].starts_with("Error: Database is uninitialized and superuser password is not specified.")
        );
        let pg = of_with("postgres", &[], &[], &[("POSTGRES_PASSWORD", "s3cret")], false);
        assert_eq!(pg.server().map(|s| s.ports.clone()), Some(vec![5432]));
        let my = of_with("mysql:5.7", &[], &[], &[("MYSQL_ALLOW_EMPTY_PASSWORD", "1")], false);
        assert_eq!(my.server().map(|s| s.ready_after), Some(15_000));
        assert_eq!(end_of(&of("mysql:8.0", &[], &[])).map(|e| e.1), Some(1));
    }

    #[test]
    fn nginx_without_daemon_off_exits() {
        let b = of("nginx", &["nginx"], &[]);
        assert_eq!(end_of(&b), Some((0, 0, "Completed")));
        assert!(b.notes[0].contains("daemon off"));
    }

    #[test]
    fn python_job_fails_on_even_indexes() {
        let script = "import os, sys\nprint(\"Hello world\")\nif int(os.environ.get(\"JOB_COMPLETION_INDEX\")) % 2 == 0:\n  sys.exit(1)\n";
        let even = of_with("python", &["python3", "-c", script], &[], &[("JOB_COMPLETION_INDEX", "2")], true);
        assert_eq!(end_of(&even).map(|e| e.1), Some(1));
        assert_eq!(logs(&even, 10), vec!["Hello world"]);
        let odd = of_with("python", &["python3", "-c", script], &[], &[("JOB_COMPLETION_INDEX", "3")], true);
        assert_eq!(end_of(&odd).map(|e| e.1), Some(0));
    }

    #[test]
    fn env_references_and_shell_variables() {
        let b = of_with(
            "busybox:1.28",
            &["sh", "-c", "echo Processing item $ITEM && sleep 5"],
            &[],
            &[("ITEM", "apple")],
            true,
        );
        assert_eq!(logs(&b, 10), vec!["Processing item apple"]);
        let b = of_with("busybox", &["echo"], &["$(GREETING) world"], &[("GREETING", "hello")], true);
        assert_eq!(logs(&b, 10), vec!["hello world"]);
    }

    #[test]
    fn arbitrary_scripts_never_panic() {
        // A deterministic stream of shell-looking garbage: quotes, expansions, keywords, operators.
        const PIECES: &[&str] = &[
            "echo",
            "sleep 1",
            "while",
            "do",
            "done",
            "if",
            "then",
            "fi",
            "for i in 1 2",
            "case",
            "esac",
            "$(",
            ")",
            "`",
            "'",
            "\"",
            "$((",
            "${X:-",
            "}",
            "{",
            ";",
            "&&",
            "||",
            "|",
            "&",
            ">",
            ">>",
            "2>&1",
            "<",
            "\n",
            "\\",
            "[[",
            "]]",
            "[",
            "]",
            "-f",
            "=~",
            "exit 3",
            "touch /a",
            "rm -f /a",
            "x=$((x+1))",
            "stress --vm 1 --vm-bytes",
            "perl -e",
            "python3 -c",
            "nginx",
            "é",
            "(",
            "!",
            "#",
            "until",
            "elif",
            "else",
            "tail -f",
            "yes",
            "seq 1 5",
            "$x",
            "*",
        ];
        let mut state: u64 = 7;
        for _ in 0..3000 {
            let mut script = String::new();
            for _ in 0..(state % 12) {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                script.push_str(PIECES[(state >> 33) as usize % PIECES.len()]);
                script.push(if state & 1 == 0 { ' ' } else { '\n' });
            }
            state = state.wrapping_add(1);
            let b = of_with("busybox", &["sh", "-c", &script], &[], &[], state.is_multiple_of(2));
            let _ = b.natural_end(Some(64 << 20));
            let _ = timeline::log_lines(&b, 0, 3_600_000, 50);
            let _ = timeline::files_at(&b, 10_000, 0);
            let _ = timeline::next_file_change(&b, 10_000);
        }
    }

    #[test]
    fn step_durations() {
        assert_eq!(Step::Sleep(5000).duration(), 5000);
        assert_eq!(Step::Log(Line::text("x")).duration(), 0);
        assert_eq!(Step::Alloc(1).duration(), 100);
        assert_eq!(exit_reason(0), "Completed");
        assert_eq!(exit_reason(42), "Error");
    }
}
