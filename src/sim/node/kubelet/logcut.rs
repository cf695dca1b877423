//! What the kubelet's log endpoint returns of a container's lines (`GetContainerLogs` with
//! `PodLogOptions`): those since a time, the last N, each with its timestamp if asked, at most N bytes.
//! `kubectl logs` and the apiserver's `pods/log` both ask the kubelet for this cut; kubectl's
//! `--prefix` is added by kubectl to what comes back.

use crate::sim::time::{Millis, rfc3339_nano};

/// The options that shape the cut.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogCut {
    /// Only lines written at or after this virtual time (`sinceTime`, or now minus `sinceSeconds`).
    pub since: Option<Millis>,
    /// Only the last N lines (`tailLines`).
    pub tail: Option<usize>,
    /// Each line starts with its RFC 3339 time (`timestamps`).
    pub timestamps: bool,
    /// At most this many bytes, the last line cut short if needed (`limitBytes`).
    pub limit_bytes: Option<usize>,
}

/// The text the kubelet streams for `lines` (time written, text) under `cut`.
pub fn cut(lines: Vec<(Millis, String)>, cut: &LogCut) -> String {
    let lines: Vec<(Millis, String)> = lines.into_iter().filter(|(t, _)| cut.since.is_none_or(|s| *t >= s)).collect();
    let skip = cut.tail.map_or(0, |n| lines.len().saturating_sub(n));
    let mut text = String::new();
    for (t, line) in lines.into_iter().skip(skip) {
        if cut.timestamps {
            text.push_str(&rfc3339_nano(t));
            text.push(' ');
        }
        text.push_str(&line);
        text.push('\n');
    }
    if let Some(limit) = cut.limit_bytes {
        let mut end = limit.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<(Millis, String)> {
        (1..=5).map(|i| (i * 1000, format!("line {i}"))).collect()
    }

    #[test]
    fn since_tail_timestamps_and_bytes() {
        assert_eq!(cut(lines(), &LogCut { tail: Some(2), ..LogCut::default() }), "line 4\nline 5\n");
        assert_eq!(cut(lines(), &LogCut { tail: Some(0), ..LogCut::default() }), "");
        assert_eq!(cut(lines(), &LogCut { since: Some(4000), ..LogCut::default() }), "line 4\nline 5\n");
        assert_eq!(
            cut(lines(), &LogCut { tail: Some(1), timestamps: true, ..LogCut::default() }),
            "2025-01-01T00:00:05Z line 5\n"
        );
        assert_eq!(cut(lines(), &LogCut { limit_bytes: Some(9), ..LogCut::default() }), "line 1\nli");
        let wide = vec![(0, "é".to_string())];
        assert_eq!(cut(wide, &LogCut { limit_bytes: Some(1), ..LogCut::default() }), "", "never inside a character");
    }
}
