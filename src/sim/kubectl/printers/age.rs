//! Durations as kubectl prints them (apimachinery `duration.HumanDuration` / `ShortHumanDuration`).
//!
//! Ages in every table and in `describe` go through these functions, so `5s`, `2m30s`, `3h12m`,
//! `5d` and `2y45d` look exactly as they do against a real cluster.

use crate::sim::time::{Millis, parse_rfc3339};

/// `duration.HumanDuration` for a non-negative span: ~2-3 significant figures, as in the AGE column.
pub fn human_duration(d: Millis) -> String {
    human_duration_signed(i64::try_from(d).unwrap_or(i64::MAX))
}

/// `duration.HumanDuration` for a span that may be negative (a timestamp slightly in the future).
/// Like Go, up to one second in the future counts as `0s`; more prints `<invalid>`.
pub fn human_duration_signed(ms: i64) -> String {
    // Go truncates toward zero when it converts a Duration to whole seconds.
    let seconds = ms / 1000;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{dy}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

/// `duration.ShortHumanDuration`: one unit only (`45s`, `3m`, `5h`, `12d`, `2y`), used by `kubectl top`
/// and a few other places that want a single figure.
pub fn short_human_duration(ms: i64) -> String {
    let seconds = ms / 1000;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 24 {
        return format!("{hours}h");
    }
    if hours < 24 * 365 {
        return format!("{}d", hours / 24);
    }
    format!("{}y", hours / 24 / 365)
}

/// The printers' `translateTimestampSince`: the age of an RFC 3339 timestamp at virtual time `now`,
/// or `<unknown>` when the timestamp is missing or unreadable (Go's zero time).
pub fn since(timestamp: Option<&str>, now: Millis) -> String {
    match timestamp.and_then(parse_rfc3339) {
        Some(t) => human_duration_signed(now as i64 - t as i64),
        None => "<unknown>".to_string(),
    }
}

/// The span between two RFC 3339 timestamps (a Job's DURATION), if both parse.
pub fn between(start: Option<&str>, end: Option<&str>) -> Option<String> {
    let s = parse_rfc3339(start?)?;
    let e = parse_rfc3339(end?)?;
    Some(human_duration_signed(e as i64 - s as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1000;
    const M: i64 = 60 * S;
    const H: i64 = 60 * M;
    const D: i64 = 24 * H;

    #[test]
    fn human_duration_matches_apimachinery_table() {
        // Cases from apimachinery's duration_test.go plus the boundaries of every branch.
        let cases: &[(i64, &str)] = &[
            (-2 * S, "<invalid>"),
            (-1999, "0s"),
            (-S, "0s"),
            (0, "0s"),
            (999, "0s"),
            (S, "1s"),
            (59 * S, "59s"),
            (119 * S, "119s"),
            (2 * M, "2m"),
            (2 * M + 30 * S, "2m30s"),
            (9 * M + 59 * S, "9m59s"),
            (10 * M, "10m"),
            (10 * M + 59 * S, "10m"),
            (179 * M, "179m"),
            (3 * H, "3h"),
            (3 * H + 12 * M, "3h12m"),
            (7 * H + 59 * M, "7h59m"),
            (8 * H, "8h"),
            (47 * H + 59 * M, "47h"),
            (48 * H, "2d"),
            (2 * D + 5 * H, "2d5h"),
            (7 * D + 23 * H, "7d23h"),
            (8 * D, "8d"),
            (365 * D, "365d"),
            (2 * 365 * D - H, "729d"),
            (2 * 365 * D, "2y"),
            (2 * 365 * D + 45 * D, "2y45d"),
            (8 * 365 * D - H, "7y364d"),
            (8 * 365 * D, "8y"),
            (20 * 365 * D + 100 * D, "20y"),
        ];
        for (ms, want) in cases {
            assert_eq!(human_duration_signed(*ms), *want, "for {ms} ms");
        }
    }

    #[test]
    fn short_human_duration_uses_one_unit() {
        let cases: &[(i64, &str)] = &[
            (-2 * S, "<invalid>"),
            (-S, "0s"),
            (59 * S, "59s"),
            (60 * S, "1m"),
            (59 * M + 59 * S, "59m"),
            (H, "1h"),
            (23 * H, "23h"),
            (D, "1d"),
            (364 * D, "364d"),
            (365 * D, "1y"),
            (3 * 365 * D + 200 * D, "3y"),
        ];
        for (ms, want) in cases {
            assert_eq!(short_human_duration(*ms), *want, "for {ms} ms");
        }
    }

    #[test]
    fn since_handles_missing_and_future_timestamps() {
        let now = 3_600_000; // 01:00:00
        assert_eq!(since(Some("2025-01-01T00:50:00Z"), now), "10m");
        assert_eq!(since(None, now), "<unknown>");
        assert_eq!(since(Some("yesterday"), now), "<unknown>");
        assert_eq!(since(Some("2025-01-01T02:00:00Z"), now), "<invalid>");
        assert_eq!(human_duration(u64::MAX), "292471208y");
    }

    #[test]
    fn between_measures_job_durations() {
        assert_eq!(between(Some("2025-01-01T00:00:00Z"), Some("2025-01-01T00:00:42Z")).as_deref(), Some("42s"));
        assert_eq!(between(None, Some("2025-01-01T00:00:42Z")), None);
    }
}
