//! Runner scripts: kubectl command lines, `#` comments, `sleep DURATION`, and
//! `kubectl apply -f - <<EOF ... EOF` heredocs. The native runner and the tests share this.

use super::kubectl::{self, Files};
use super::time::{Millis, parse_duration};
use super::world::World;

/// One step of a script.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A kubectl command line with optional heredoc input; `line` is the script's line number.
    Kubectl { command: String, stdin: Option<String>, line: usize },
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
    /// A line that is neither kubectl, sleep, a comment nor blank.
    #[error("line {line}: only `kubectl ...` and `sleep DURATION` lines are allowed, got {text:?}")]
    UnknownCommand { line: usize, text: String },
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

/// Runs the steps and returns the transcript: each command after `$ `, then what kubectl printed.
pub fn run(world: &mut World, steps: &[Step], files: &dyn Files) -> String {
    let mut transcript = String::new();
    for step in steps {
        match step {
            Step::Kubectl { command, stdin, .. } => {
                transcript.push_str(&format!("$ {command}\n"));
                let out = kubectl::execute(world, command, stdin.as_deref(), files);
                transcript.push_str(&out.combined());
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
            Step::Kubectl { command: "kubectl apply -f -".into(), stdin: Some("apiVersion: v1\nkind: Namespace\n".into()), line: 5 }
        );
    }

    #[test]
    fn malformed_scripts_are_errors() {
        assert_eq!(parse("kubectl apply -f - <<EOF\nkind: x\n"), Err(ScriptError::UnclosedHeredoc { line: 1, marker: "EOF".into() }));
        assert_eq!(parse("sleep soon"), Err(ScriptError::BadDuration { line: 1, text: "soon".into() }));
        assert!(matches!(parse("rm -rf /"), Err(ScriptError::UnknownCommand { line: 1, .. })));
    }
}
