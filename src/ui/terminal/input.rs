//! What a submitted terminal buffer means: a built-in, a kubectl command, and what it reads on stdin.
//!
//! Pasting is the common case, so a buffer may hold several lines: `kubectl apply -f - <<EOF` (or
//! `cat <<EOF | kubectl apply -f -`) with a here-document, or `kubectl apply -f -` followed directly by
//! the manifest. A lone `kubectl apply -f -` asks for stdin next, as a shell would wait for it.

use crate::ui::bridge;

/// What the learner asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// Nothing but blanks.
    Empty,
    /// `clear`: empty the screen (like Ctrl+L).
    Clear,
    /// `help`: list what the terminal understands.
    Help,
    /// `history`: list the commands run so far.
    History,
    /// A command line and its stdin, ready to run: kubectl's, or one of the learner's machine's
    /// own (`curl`, `kill`, `jobs`: `sim::workstation`).
    Kubectl { line: String, stdin: Option<String> },
    /// A kubectl command that reads stdin, with none given yet.
    NeedsStdin { line: String },
    /// Something this terminal does not run (the first word).
    Unknown(String),
}

/// Interprets a submitted buffer.
pub fn parse(buffer: &str) -> Submission {
    let buffer = buffer.trim_matches(|c: char| c == '\n' || c == '\r');
    let (first, rest) = buffer.split_once('\n').map_or((buffer, None), |(a, b)| (a, Some(b)));
    let first = first.trim();
    if first.is_empty() && rest.is_none_or(|r| r.trim().is_empty()) {
        return Submission::Empty;
    }
    let (command, heredoc) = split_heredoc(first);
    let command = expand_alias(command.trim());
    match command.as_str() {
        "clear" => return Submission::Clear,
        "help" | "kubectl help" | "?" => return Submission::Help,
        "history" => return Submission::History,
        _ => {}
    }
    let word = command.split_whitespace().next().unwrap_or_default();
    if bridge::is_host_command(&command) && rest.is_none() {
        return Submission::Kubectl { line: command, stdin: None };
    }
    if word != "kubectl" {
        return Submission::Unknown(word.to_string());
    }
    let stdin = match (heredoc, rest) {
        (Some(end), Some(rest)) => {
            Some(rest.lines().take_while(|l| l.trim() != end).map(|l| format!("{l}\n")).collect())
        }
        (Some(_), None) => None,
        (None, rest) => {
            rest.filter(|r| !r.trim().is_empty()).map(|r| format!("{}\n", r.trim_end_matches(['\n', '\r'])))
        }
    };
    match stdin {
        Some(stdin) => Submission::Kubectl { line: command, stdin: Some(stdin) },
        None if reads_stdin(&command) => Submission::NeedsStdin { line: command },
        None => Submission::Kubectl { line: command, stdin: None },
    }
}

/// Whether a kubectl command line takes a file from stdin (`-f -`, `--filename=-`, ...).
pub fn reads_stdin(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    words.iter().enumerate().any(|(i, w)| match *w {
        "-f" | "--filename" => words.get(i + 1) == Some(&"-"),
        "-f-" | "-f=-" | "--filename=-" => true,
        _ => false,
    })
}

/// `k get po` is what everyone types: `k` is the usual alias for kubectl.
fn expand_alias(command: &str) -> String {
    match command.strip_prefix("k ") {
        Some(rest) => format!("kubectl {rest}"),
        None if command == "k" => "kubectl".into(),
        None => command.to_string(),
    }
}

/// Splits `kubectl apply -f - <<EOF` or `cat <<'EOF' | kubectl apply -f -` into the kubectl command
/// and the here-document's end word.
fn split_heredoc(line: &str) -> (&str, Option<String>) {
    let Some(at) = line.find("<<") else { return (line, None) };
    let after = line[at + 2..].trim_start_matches('-').trim_start();
    let word_end = after.find(|c: char| c.is_whitespace() || c == '|').unwrap_or(after.len());
    let end = after[..word_end].trim_matches(['\'', '"']).to_string();
    if end.is_empty() {
        return (line, None);
    }
    let before = line[..at].trim();
    let command = match after[word_end..].trim().strip_prefix('|') {
        // cat <<EOF | kubectl ...
        Some(piped) if before == "cat" => piped.trim(),
        _ => before,
    };
    (command, Some(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubectl(line: &str, stdin: Option<&str>) -> Submission {
        Submission::Kubectl { line: line.into(), stdin: stdin.map(str::to_string) }
    }

    #[test]
    fn submissions() {
        let cases = [
            ("", Submission::Empty),
            ("   \n  ", Submission::Empty),
            ("clear", Submission::Clear),
            ("help", Submission::Help),
            ("history", Submission::History),
            ("kubectl get pods", kubectl("kubectl get pods", None)),
            ("  k get po -A ", kubectl("kubectl get po -A", None)),
            ("ls -la", Submission::Unknown("ls".into())),
            ("kubectl apply -f -", Submission::NeedsStdin { line: "kubectl apply -f -".into() }),
            ("kubectl apply -f - <<EOF", Submission::NeedsStdin { line: "kubectl apply -f -".into() }),
            ("kubectl apply -f -\nkind: Pod\n", kubectl("kubectl apply -f -", Some("kind: Pod\n"))),
            ("kubectl apply -f - <<EOF\nkind: Pod\nEOF\n", kubectl("kubectl apply -f -", Some("kind: Pod\n"))),
            ("cat <<'EOF' | kubectl apply -f -\na: 1\nb: 2\nEOF", kubectl("kubectl apply -f -", Some("a: 1\nb: 2\n"))),
            ("kubectl create -f - <<-END\nx\nEND\nignored", kubectl("kubectl create -f -", Some("x\n"))),
            ("kubectl get pods\n\n", kubectl("kubectl get pods", None)),
        ];
        for (buffer, want) in cases {
            assert_eq!(parse(buffer), want, "{buffer:?}");
        }
    }

    #[test]
    fn stdin_flags() {
        let cases = [
            ("kubectl apply -f -", true),
            ("kubectl apply --filename -", true),
            ("kubectl apply --filename=-", true),
            ("kubectl apply -f=-", true),
            ("kubectl apply -f pod.yaml", false),
            ("kubectl apply -f", false),
            ("kubectl get pods -", false),
        ];
        for (line, want) in cases {
            assert_eq!(reads_stdin(line), want, "{line}");
        }
    }

    #[test]
    fn heredoc_without_an_end_word_is_not_a_heredoc() {
        assert_eq!(split_heredoc("kubectl apply -f - <<"), ("kubectl apply -f - <<", None));
        assert_eq!(split_heredoc("kubectl get pods"), ("kubectl get pods", None));
    }
}
