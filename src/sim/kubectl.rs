//! kubectl: parses a command line, turns it into API requests against the simulated kube-apiserver,
//! and prints what real kubectl prints. The browser terminal and the native runner share it.

mod apply;
pub mod args;
mod autoscale;
pub mod cluster;
mod common;
mod create;
mod delete;
mod drain;
mod events;
mod exec;
mod explain;
mod expose;
mod get;
mod info;
mod label;
mod logs;
mod misc;
mod nodes;
mod patch;
mod portforward;
pub mod printers;
mod rollout;
mod set;
mod target;
mod top;
mod until;
mod wait;
pub mod wire;

pub use self::cluster::Cluster;

/// What a command printed. kubectl's exit code is non-zero exactly when `failed` is set.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub failed: bool,
    /// For `get -w`: the watch ids whose events the caller should keep printing until Ctrl+C.
    pub watching: Vec<Watching>,
    /// For `exec -it POD -- sh`: the interactive shell the terminal keeps open.
    pub session: Option<ExecSession>,
}

/// An interactive shell in a container (`kubectl exec -it POD -- sh`): the terminal shows its
/// prompt and sends each line typed to it, as the stdin of an exec of the same shell
/// ([`ExecSession::line`]), until `exit` or Ctrl+D. A terminal that cannot (the native runner)
/// says so.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecSession {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// The shell's command line (`sh`, `/bin/bash`, `bash -l`).
    pub shell: Vec<String>,
    /// What the shell printed before reading its first line (`/ # `, `root@web:/# `).
    pub prompt: String,
}

impl ExecSession {
    /// The kubectl command that gives one typed line to the shell (on its stdin).
    pub fn line(&self) -> String {
        // The shell's words are plain (`sh`, `/bin/bash`, `-l`: `is_interactive_shell` admits no others).
        format!("kubectl exec -i {} -n {} -c {} -- {}", self.pod, self.namespace, self.container, self.shell.join(" "))
    }

    /// Whether a typed line is the shell's `exit` builtin (`exit`, `exit 3`), which ends the session:
    /// the terminal and the stderr it shows of that line both ask this.
    pub fn is_exit(line: &str) -> bool {
        let line = line.trim();
        line == "exit" || line.starts_with("exit ")
    }
}

/// A `kubectl get -w` stream the terminal keeps printing.
#[derive(Debug, Clone, PartialEq)]
pub struct Watching {
    pub watch_id: u64,
    pub kind: &'static str,
    pub options: printers::TableOptions,
}

impl Output {
    pub fn out(&mut self, s: impl AsRef<str>) {
        self.stdout.push_str(s.as_ref());
        if !self.stdout.ends_with('\n') {
            self.stdout.push('\n');
        }
    }

    /// An error line; kubectl's own errors start with `error: `, server errors are passed as they are.
    pub fn err(&mut self, s: impl AsRef<str>) {
        self.stderr.push_str(s.as_ref());
        if !self.stderr.ends_with('\n') {
            self.stderr.push('\n');
        }
        self.failed = true;
    }

    /// Everything in the order a terminal shows it (stdout, then stderr).
    pub fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Where `-f PATH` reads from. The browser has no files (only `-f -`); the native runner reads disk.
pub trait Files {
    /// The documents at `path`: a file, or every `.yaml`/`.yml`/`.json` file of a directory, as
    /// `(name shown in messages, content)`.
    fn read(&self, path: &str) -> Result<Vec<(String, String)>, String>;
}

/// No filesystem (the browser): every path is missing, as kubectl would say.
pub struct NoFiles;

impl Files for NoFiles {
    fn read(&self, path: &str) -> Result<Vec<(String, String)>, String> {
        Err(format!("error: the path \"{path}\" does not exist"))
    }
}

/// Everything a command needs.
pub struct Ctx<'a> {
    pub world: &'a mut dyn Cluster,
    pub stdin: Option<&'a str>,
    pub files: &'a dyn Files,
}

/// Runs one kubectl command line (with or without the leading `kubectl`).
pub fn execute(world: &mut dyn Cluster, line: &str, stdin: Option<&str>, files: &dyn Files) -> Output {
    let mut out = Output::default();
    let words = match args::split_words(line) {
        Ok(w) => w,
        Err(e) => {
            out.err(format!("error: {e}"));
            return out;
        }
    };
    let words: &[String] = match words.first().map(String::as_str) {
        Some("kubectl" | "k") => &words[1..],
        _ => &words,
    };
    // `... &` runs the command in the background: the same command, the shell not waiting for it
    // (what stays running, a port-forward, lives on the learner's machine either way).
    let words = words.strip_suffix(&["&".to_string()]).unwrap_or(words);
    let Some((cmd, rest)) = words.split_first() else {
        out.out(misc::USAGE);
        return out;
    };
    let mut cx = Ctx { world, stdin, files };
    let result = match cmd.as_str() {
        "get" => get::run(&mut cx, rest, &mut out),
        "apply" => apply::run(&mut cx, rest, &mut out, apply::Mode::Apply),
        "create" => create::run(&mut cx, rest, &mut out),
        "run" => create::run_pod(&mut cx, rest, &mut out),
        "delete" => delete::run(&mut cx, rest, &mut out),
        "describe" => get::describe(&mut cx, rest, &mut out),
        "label" => label::run(&mut cx, rest, &mut out, label::Field::Labels),
        "annotate" => label::run(&mut cx, rest, &mut out, label::Field::Annotations),
        "scale" => misc::scale(&mut cx, rest, &mut out),
        "version" => info::version(rest, &mut out),
        "cluster-info" => info::cluster_info(&mut cx, rest, &mut out),
        "api-resources" => info::api_resources(rest, &mut out),
        "api-versions" => info::api_versions(rest, &mut out),
        "explain" => explain::explain(rest, &mut out),
        "config" => info::config(rest, &mut out),
        "wait" => wait::run(&mut cx, rest, &mut out),
        "rollout" => rollout::run(&mut cx, rest, &mut out),
        "set" => set::run(&mut cx, rest, &mut out),
        "cordon" => nodes::cordon(&mut cx, rest, &mut out, true),
        "uncordon" => nodes::cordon(&mut cx, rest, &mut out, false),
        "drain" => drain::run(&mut cx, rest, &mut out),
        "taint" => nodes::taint(&mut cx, rest, &mut out),
        "logs" => logs::run(&mut cx, rest, &mut out),
        "exec" => exec::run(&mut cx, rest, &mut out),
        "port-forward" => portforward::run(&mut cx, rest, line, &mut out),
        "top" => top::run(&mut cx, rest, &mut out),
        "patch" => patch::run(&mut cx, rest, &mut out),
        "events" => events::run(&mut cx, rest, &mut out),
        "expose" => expose::run(&mut cx, rest, &mut out),
        "autoscale" => autoscale::run(&mut cx, rest, &mut out),
        "edit" => Err("error: kubectl edit needs an interactive editor, which this sandbox does not have; use `kubectl apply -f -` with the changed manifest, or the editor panel".into()),
        "help" | "--help" | "-h" => {
            out.out(misc::USAGE);
            Ok(())
        }
        other => Err(format!("error: unknown command \"{other}\" for \"kubectl\"")),
    };
    if let Err(e) = result {
        out.err(e);
    }
    out
}
