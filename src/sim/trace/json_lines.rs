//! The `--trace FILE` format: one JSON object per message and line, and a writer that streams
//! entries as they leave the trace's window.

use std::fmt;
use std::io::{self, Write};

use super::TraceEntry;

/// One entry as its line, newline included.
pub(super) fn line(e: &TraceEntry) -> String {
    let mut s = serde_json::to_string(e).expect("a TraceEntry always serializes");
    s.push('\n');
    s
}

/// A writer of JSON lines that remembers its first error: the trace records messages in the middle
/// of the simulation, where there is no one to hand an error to, so it is reported at the end.
pub(super) struct JsonLines {
    out: Box<dyn Write>,
    error: Option<io::Error>,
}

impl JsonLines {
    pub(super) fn new(out: Box<dyn Write>) -> Self {
        Self { out, error: None }
    }

    /// Writes one line (the same bytes as [`line`], without building it); after an error, writes
    /// nothing more.
    pub(super) fn write(&mut self, e: &TraceEntry) {
        if self.error.is_some() {
            return;
        }
        let written = serde_json::to_writer(&mut self.out, e).map_err(io::Error::from);
        if let Err(err) = written.and_then(|()| self.out.write_all(b"\n")) {
            self.error = Some(err);
        }
    }

    /// Flushes; the first error of any write or of the flush.
    pub(super) fn finish(mut self) -> io::Result<()> {
        match self.error.take() {
            Some(err) => Err(err),
            None => self.out.flush(),
        }
    }
}

impl fmt::Debug for JsonLines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLines").field("error", &self.error).finish_non_exhaustive()
    }
}
