//! The terminal's scrollback: what was typed and what came back, kept in the cluster state so that
//! every part of the UI (editor, faults, startup) can report to the learner in one place.

use std::rc::Rc;

/// Scrollback beyond this many lines is dropped, oldest first.
pub const MAX_LINES: usize = 3_000;

/// How a line is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The command as typed, after the prompt.
    Command,
    /// The command's standard output.
    Stdout,
    /// The command's standard error (kubectl's errors).
    Stderr,
    /// A note from the sandbox itself (help, restored sessions, faults).
    Info,
    /// A line typed into a container's shell, after the shell's own prompt.
    Typed,
}

/// One block of output; may span several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermLine {
    pub kind: LineKind,
    pub text: String,
}

/// Appends a block, trimming its final newline (kubectl ends its output with one) and the oldest
/// blocks beyond [`MAX_LINES`].
pub fn push(transcript: &mut Rc<Vec<TermLine>>, kind: LineKind, text: &str) {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() && kind != LineKind::Command {
        return;
    }
    let lines = Rc::make_mut(transcript);
    lines.push(TermLine { kind, text: text.to_string() });
    let total: usize = lines.iter().map(|l| l.text.lines().count().max(1)).sum();
    if total > MAX_LINES {
        let mut excess = total - MAX_LINES;
        let drop = lines.iter().take_while(|l| {
            let n = l.text.lines().count().max(1);
            let go = excess > 0;
            excess = excess.saturating_sub(n);
            go
        });
        let n = drop.count();
        lines.drain(..n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_trims_one_newline_and_skips_empty_output() {
        let mut t = Rc::new(Vec::new());
        push(&mut t, LineKind::Command, "kubectl get pods");
        push(&mut t, LineKind::Stdout, "");
        push(&mut t, LineKind::Stderr, "No resources found in default namespace.\n");
        push(&mut t, LineKind::Stdout, "a\n\n");
        let got: Vec<_> = t.iter().map(|l| (l.kind, l.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (LineKind::Command, "kubectl get pods"),
                (LineKind::Stderr, "No resources found in default namespace."),
                (LineKind::Stdout, "a\n")
            ]
        );
    }

    #[test]
    fn old_blocks_are_dropped_beyond_the_limit() {
        let mut t = Rc::new(Vec::new());
        push(&mut t, LineKind::Info, "first");
        push(&mut t, LineKind::Stdout, &"x\n".repeat(MAX_LINES - 1));
        assert_eq!(t.len(), 2, "exactly at the limit nothing is dropped");
        push(&mut t, LineKind::Info, "last");
        let kept: Vec<_> = t.iter().map(|l| l.text.lines().count()).collect();
        assert_eq!(kept, [MAX_LINES - 1, 1], "the oldest block went");
        assert_eq!(t.last().map(|l| l.text.as_str()), Some("last"));
    }
}
