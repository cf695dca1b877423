//! The `PrefixWriter` every describer writes through (two spaces per level, terminal escapes made
//! visible) and the `time.RFC1123Z` timestamps `describe` prints.

use super::super::tabwriter::TabWriter;
use crate::sim::time::{civil_from_days, days_from_civil};

/// Writes indented, tab-separated text into kubectl's describe tabwriter.
pub struct PrefixWriter {
    tw: TabWriter,
}

impl PrefixWriter {
    /// A writer with `describe`'s tabwriter settings.
    pub fn new() -> Self {
        PrefixWriter { tw: TabWriter::for_describe() }
    }

    /// `Write(level, ...)`: the text after `level` two-space indents.
    pub fn write(&mut self, level: usize, text: &str) {
        let mut s = "  ".repeat(level);
        s.push_str(text);
        self.tw.write(&escape_terminal(&s));
    }

    /// `WriteLine(...)`: the text and a newline, no indent.
    pub fn line(&mut self, text: &str) {
        self.tw.write(&escape_terminal(text));
        self.tw.write("\n");
    }

    /// `Flush()`: column widths start afresh after this (DescribeEvents does it).
    pub fn flush(&mut self) {
        self.tw.flush();
    }

    /// All the aligned text.
    pub fn finish(self) -> String {
        self.tw.finish()
    }
}

impl Default for PrefixWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// `printers.EscapeTerminal`: ESC becomes `^[` and CR becomes `\r`.
pub fn escape_terminal(s: &str) -> String {
    s.replace('\x1b', "^[").replace('\r', "\\r")
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Unix seconds of an RFC 3339 timestamp (fractions ignored, `Z` or `±hh:mm` zones).
fn unix_seconds(ts: &str) -> Option<i64> {
    let b = ts.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let mut secs = days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?) * 86_400
        + num(11..13)? * 3600
        + num(14..16)? * 60
        + num(17..19)?;
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => {}
        Some(&sign @ (b'+' | b'-')) => {
            let off = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            secs -= if sign == b'+' { off } else { -off };
        }
        _ => return None,
    }
    Some(secs)
}

/// `t.Format(time.RFC1123Z)` in UTC (`Tue, 24 Nov 2026 18:57:51 +0000`); Go's zero time when the
/// timestamp is missing or unreadable.
pub fn rfc1123z(ts: Option<&str>) -> String {
    let Some(secs) = ts.and_then(unix_seconds) else {
        return "Mon, 01 Jan 0001 00:00:00 +0000".to_string();
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let weekday = DAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(m - 1).clamp(0, 11) as usize];
    format!("{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} +0000", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Go's `time.Time.String()` of a UTC time (`2026-11-24 18:57:51 +0000 UTC`), which `%s` of a
/// `metav1.Time` prints (NetworkPolicy's `Created on:`); Go's zero time when missing or unreadable.
pub fn go_time(ts: Option<&str>) -> String {
    let Some(secs) = ts.and_then(unix_seconds) else {
        return "0001-01-01 00:00:00 +0000 UTC".to_string();
    };
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} +0000 UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_go_time() {
        assert_eq!(go_time(Some("2026-11-24T18:57:51Z")), "2026-11-24 18:57:51 +0000 UTC");
        assert_eq!(go_time(None), "0001-01-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn formats_rfc1123z() {
        assert_eq!(rfc1123z(Some("2026-11-24T18:57:51Z")), "Tue, 24 Nov 2026 18:57:51 +0000");
        assert_eq!(rfc1123z(Some("2025-01-01T00:00:00.123456Z")), "Wed, 01 Jan 2025 00:00:00 +0000");
        assert_eq!(rfc1123z(Some("2024-02-29T23:30:00+01:00")), "Thu, 29 Feb 2024 22:30:00 +0000");
        assert_eq!(rfc1123z(Some("1969-12-31T23:59:59Z")), "Wed, 31 Dec 1969 23:59:59 +0000");
        assert_eq!(rfc1123z(None), "Mon, 01 Jan 0001 00:00:00 +0000");
        assert_eq!(rfc1123z(Some("garbage")), "Mon, 01 Jan 0001 00:00:00 +0000");
    }

    #[test]
    fn writer_indents_and_escapes() {
        let mut w = PrefixWriter::new();
        w.write(0, "Name:\tx\n");
        w.write(1, "Key:\t\x1b[1mv\r\n");
        w.line("<none>");
        assert_eq!(w.finish(), "Name:   x\n  Key:  ^[[1mv\\r\n<none>\n");
    }
}
