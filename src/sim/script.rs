//! Runner scripts: kubectl command lines (`&` at the end runs one in the background, as a
//! `kubectl port-forward ... &`), the learner's machine's own commands (`curl ...`, `kill %N`,
//! `jobs`: `sim::workstation`), `#` comments, `sleep DURATION`, and `kubectl apply -f - <<EOF ...
//! EOF` heredocs. The native runner and the tests share this.

use crate::sim::sort::StableSort;
use std::path::{Path, PathBuf};

use super::kubectl::{self, Files};
use super::time::{Millis, parse_duration};
use super::world::World;

/// One step of a script.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A kubectl command line with optional heredoc input; `line` is the script's line number.
    Kubectl { command: String, stdin: Option<String>, line: usize },
    /// A command of the learner's machine (`curl`, `kill`, `jobs`).
    Host { command: String, line: usize },
    /// Advance virtual time.
    Sleep { text: String, ms: Millis, line: usize },
}

/// A script that cannot be run (the runner exits non-zero for these, never for kubectl errors).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScriptError {
    /// A heredoc was opened and never closed.
    #[error("line {line}: heredoc <<{marker} is not closed")]
    UnclosedHeredoc { line: usize, marker: String },
    /// `sleep` with something that is not a duration.
    #[error("line {line}: invalid duration {text:?} (use e.g. 500ms, 90s, 5m, 1h)")]
    BadDuration { line: usize, text: String },
    /// A line that is neither kubectl, a machine's command, sleep, a comment nor blank.
    #[error("line {line}: only `kubectl ...`, `curl ...`, `kill %N`, `jobs` and `sleep DURATION` lines are allowed, got {text:?}")]
    UnknownCommand { line: usize, text: String },
}

/// The native runner's files: `-f PATH` relative to the script's folder; a folder means its .yaml/.yml/.json files, sorted.
pub struct DiskFiles {
    base: PathBuf,
}

impl DiskFiles {
    pub fn new(base: impl Into<PathBuf>) -> Self {
        Self { base: base.into() }
    }
}

impl Files for DiskFiles {
    fn read(&self, path: &str) -> Result<Vec<(String, String)>, String> {
        let full = self.base.join(path);
        let missing = || format!("error: the path \"{path}\" does not exist");
        if full.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&full)
                .map_err(|_| missing())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json"))
                .collect();
            entries.stable_sort();
            entries
                .into_iter()
                .map(|p| {
                    let shown = Path::new(path).join(p.file_name().unwrap_or_default()).display().to_string();
                    std::fs::read_to_string(&p).map(|t| (shown, t)).map_err(|e| format!("error: {e}"))
                })
                .collect()
        } else {
            let text = std::fs::read_to_string(&full).map_err(|_| missing())?;
            Ok(vec![(path.to_string(), text)])
        }
    }
}

/// Parses a script into steps.
pub fn parse(text: &str) -> Result<Vec<Step>, ScriptError> {
    let mut steps = Vec::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    while let Some((n, raw)) = lines.next() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("sleep") {
            let t = rest.trim();
            let ms = parse_duration(t).ok_or_else(|| ScriptError::BadDuration { line: n, text: t.to_string() })?;
            steps.push(Step::Sleep { text: t.to_string(), ms, line: n });
            continue;
        }
        if super::workstation::is_host_command(line) {
            steps.push(Step::Host { command: line.to_string(), line: n });
            continue;
        }
        if !(line.starts_with("kubectl ") || line == "kubectl") {
            return Err(ScriptError::UnknownCommand { line: n, text: line.to_string() });
        }
        let (command, stdin) = match line.split_once("<<") {
            Some((cmd, marker)) => {
                let marker = marker.trim().trim_matches(['\'', '"']).to_string();
                let mut body = String::new();
                let mut closed = false;
                for (_, l) in lines.by_ref() {
                    if l.trim() == marker {
                        closed = true;
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                if !closed {
                    return Err(ScriptError::UnclosedHeredoc { line: n, marker });
                }
                (cmd.trim().to_string(), Some(body))
            }
            None => (line.to_string(), None),
        };
        steps.push(Step::Kubectl { command, stdin, line: n });
    }
    Ok(steps)
}

/// What the runner says of an interactive shell: a script has no terminal to type into, so the
/// shell reads nothing and ends; a here-document gives it its input.
fn no_terminal(shell: &kubectl::ExecSession) -> String {
    format!(
        "{}\nsandbox run: a script has no terminal to type into the shell; give it its input with a here-document instead:\n  kubectl exec -i {} -- {} <<EOF\n  ...\n  EOF\n",
        shell.prompt,
        shell.pod,
        shell.shell.join(" ")
    )
}

/// Runs the steps and returns the transcript: each command after `$ `, then what kubectl printed.
pub fn run(world: &mut World, steps: &[Step], files: &dyn Files) -> String {
    let mut transcript = String::new();
    for step in steps {
        match step {
            Step::Kubectl { command, stdin, .. } => {
                transcript.push_str(&format!("$ {command}\n"));
                let out = kubectl::execute(world, command, stdin.as_deref(), files);
                transcript.push_str(&out.combined());
                if let Some(shell) = &out.session {
                    transcript.push_str(&no_terminal(shell));
                }
            }
            Step::Host { command, .. } => {
                transcript.push_str(&format!("$ {command}\n"));
                transcript.push_str(&super::workstation::run(world, command).combined());
            }
            Step::Sleep { text, ms, .. } => {
                transcript.push_str(&format!("$ sleep {text}\n"));
                world.run_for(*ms);
            }
        }
    }
    transcript
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_sleeps_comments_and_heredocs() {
        let s = "# setup\nkubectl create namespace demo\n\nsleep 90s\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nEOF\nkubectl get ns\n";
        let steps = parse(s).expect("valid script");
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[1], Step::Sleep { text: "90s".into(), ms: 90_000, line: 4 });
        assert_eq!(
            steps[2],
            Step::Kubectl {
                command: "kubectl apply -f -".into(),
                stdin: Some("apiVersion: v1\nkind: Namespace\n".into()),
                line: 5
            }
        );
    }

    #[test]
    fn malformed_scripts_are_errors() {
        assert_eq!(
            parse("kubectl apply -f - <<EOF\nkind: x\n"),
            Err(ScriptError::UnclosedHeredoc { line: 1, marker: "EOF".into() })
        );
        assert_eq!(parse("sleep soon"), Err(ScriptError::BadDuration { line: 1, text: "soon".into() }));
        assert!(matches!(parse("rm -rf /"), Err(ScriptError::UnknownCommand { line: 1, .. })));
    }
}
