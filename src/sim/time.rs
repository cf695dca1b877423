//! Virtual time: milliseconds since the cluster was born, and how they print as Kubernetes timestamps.
//!
//! The simulation never reads wall time. Virtual time 0 is `EPOCH` (a fixed calendar date), so
//! `creationTimestamp` values look real and are identical from run to run.

/// Virtual milliseconds since the cluster started.
pub type Millis = u64;

/// Unix seconds of virtual time 0: 2025-01-01T00:00:00Z.
pub const EPOCH_UNIX_SECS: i64 = 1_735_689_600;

/// Formats virtual time as RFC 3339 with second precision, as metav1.Time serializes.
pub fn rfc3339(ms: Millis) -> String {
    let secs = EPOCH_UNIX_SECS + (ms / 1000) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// RFC 3339 with the fraction Go's `RFC3339Nano` prints (trailing zeros dropped), as log timestamps.
pub fn rfc3339_nano(ms: Millis) -> String {
    let base = rfc3339(ms);
    match ms % 1000 {
        0 => base,
        frac => format!("{}.{}Z", base.trim_end_matches('Z'), format!("{frac:03}").trim_end_matches('0')),
    }
}

/// RFC 3339 with six fraction digits, as metav1.MicroTime serializes (`eventTime`, `lastObservedTime`).
pub fn rfc3339_micro(ms: Millis) -> String {
    format!("{}.{:03}000Z", rfc3339(ms).trim_end_matches('Z'), ms % 1000)
}

/// Parses what [`rfc3339`] prints (and any `YYYY-MM-DDTHH:MM:SSZ`) back to virtual time.
/// Times before the epoch clamp to 0.
pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?);
    let secs = days * 86_400 + num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
    Some(((secs - EPOCH_UNIX_SECS).max(0) as u64) * 1000)
}

/// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar): days since 1970-01-01.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Parses a Go-style duration as kubectl and the runner take it: `90s`, `5m`, `1h30m`, `500ms`.
pub fn parse_duration(s: &str) -> Option<Millis> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(0);
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let factor = match &rest[..unit_end] {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_end..];
    }
    Some(total as Millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_prints_as_new_year_2025() {
        assert_eq!(rfc3339(0), "2025-01-01T00:00:00Z");
        assert_eq!(rfc3339(90_061_000), "2025-01-02T01:01:01Z");
    }

    #[test]
    fn rfc3339_round_trips_across_leap_day() {
        for ms in [0u64, 1000, 59 * 86_400_000 + 3_723_000, 400 * 86_400_000] {
            assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms));
        }
        assert_eq!(rfc3339(59 * 86_400_000), "2025-03-01T00:00:00Z");
    }

    #[test]
    fn parse_rfc3339_rejects_garbage() {
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2025-01-01 00:00:00Z"), None);
    }

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("90s"), Some(90_000));
        assert_eq!(parse_duration("5m"), Some(300_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("250ms"), Some(250));
        assert_eq!(parse_duration("1.5s"), Some(1500));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration(""), None);
    }
}
