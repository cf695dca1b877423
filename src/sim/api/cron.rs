//! CronJob schedules, parsed as robfig/cron's `ParseStandard` (the parser Kubernetes uses).
//!
//! Validation needs its exact error messages (`expected exactly 5 fields, found 3: [* * *]`) and
//! the CronJob controller needs the next run time; both come from here. Times are Unix seconds
//! in UTC (the sandbox has no time-zone database).

use thiserror::Error;

/// A schedule robfig/cron would refuse, with its message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct CronError(pub String);

/// A parsed schedule: one bit set per allowed value of each field, or a fixed interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CronSchedule {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
    /// Whether day-of-month or day-of-week was `*` (then both must match, else either).
    day_star: bool,
    /// `@every 5m`: seconds between runs.
    every: Option<i64>,
}

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [(&'static str, u32)],
}

const MONTHS: &[(&str, u32)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];
const DAYS: &[(&str, u32)] = &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)];
const FIELDS: [Bounds; 5] = [
    Bounds { min: 0, max: 59, names: &[] },
    Bounds { min: 0, max: 23, names: &[] },
    Bounds { min: 1, max: 31, names: &[] },
    Bounds { min: 1, max: 12, names: MONTHS },
    Bounds { min: 0, max: 6, names: DAYS },
];

fn parse_int(expr: &str) -> Result<u32, CronError> {
    match expr.parse::<i64>() {
        Ok(n) if n < 0 => Err(CronError(format!("negative number ({n}) not allowed: {expr}"))),
        Ok(n) => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
        Err(_) => {
            Err(CronError(format!("failed to parse int from {expr}: strconv.Atoi: parsing {expr:?}: invalid syntax")))
        }
    }
}

fn parse_int_or_name(expr: &str, b: &Bounds) -> Result<u32, CronError> {
    let lower = expr.to_ascii_lowercase();
    match b.names.iter().find(|(n, _)| *n == lower) {
        Some((_, v)) => Ok(*v),
        None => parse_int(expr),
    }
}

/// One comma-separated part: `*`, `?`, `5`, `1-5`, `*/15`, `10-50/10`, `mon-fri`. Returns (bits, was_star).
fn parse_range(expr: &str, b: &Bounds) -> Result<(u64, bool), CronError> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let (mut start, mut end, mut star) = if low_high[0] == "*" || low_high[0] == "?" {
        (b.min, b.max, true)
    } else {
        let start = parse_int_or_name(low_high[0], b)?;
        let end = match low_high.len() {
            1 => start,
            2 => parse_int_or_name(low_high[1], b)?,
            _ => return Err(CronError(format!("too many hyphens: {expr}"))),
        };
        (start, end, false)
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = parse_int(range_and_step[1])?;
            if low_high.len() == 1 {
                end = b.max;
            }
            if step > 1 {
                star = false;
            }
            step
        }
        _ => return Err(CronError(format!("too many slashes: {expr}"))),
    };
    if start < b.min {
        return Err(CronError(format!("beginning of range ({start}) below minimum ({}): {expr}", b.min)));
    }
    if end > b.max {
        return Err(CronError(format!("end of range ({end}) above maximum ({}): {expr}", b.max)));
    }
    if start > end {
        return Err(CronError(format!("beginning of range ({start}) beyond end of range ({end}): {expr}")));
    }
    if step == 0 {
        return Err(CronError(format!("step of range should be a positive number: {expr}")));
    }
    let mut bits = 0u64;
    while start <= end {
        bits |= 1 << start;
        start += step;
    }
    Ok((bits, star))
}

fn parse_field(field: &str, b: &Bounds) -> Result<(u64, bool), CronError> {
    let mut bits = 0;
    let mut star = false;
    for part in field.split(',') {
        let (b2, s) = parse_range(part, b)?;
        bits |= b2;
        star |= s;
    }
    Ok((bits, star))
}

/// Go's `time.ParseDuration` for `@every`: `90s`, `5m`, `1h30m`.
fn parse_go_duration(s: &str) -> Option<i64> {
    let mut total = 0f64;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * unit;
        rest = &rest[u..];
    }
    Some(total.round() as i64)
}

/// Parses a standard 5-field schedule or a descriptor (`@hourly`, `@every 1h`).
pub fn parse_cron(spec: &str) -> Result<CronSchedule, CronError> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(CronError("empty spec string".into()));
    }
    if let Some(desc) = spec.strip_prefix('@') {
        let fixed = match desc {
            "yearly" | "annually" => "0 0 1 1 *",
            "monthly" => "0 0 1 * *",
            "weekly" => "0 0 * * 0",
            "daily" | "midnight" => "0 0 * * *",
            "hourly" => "0 * * * *",
            _ => {
                if let Some(d) = desc.strip_prefix("every ") {
                    let secs = parse_go_duration(d.trim()).ok_or_else(|| {
                        CronError(format!("failed to parse duration {spec}: time: invalid duration {:?}", d.trim()))
                    })?;
                    let mut s = parse_cron("* * * * *")?;
                    s.every = Some(secs.max(1));
                    return Ok(s);
                }
                return Err(CronError(format!("unrecognized descriptor: {spec}")));
            }
        };
        return parse_cron(fixed);
    }
    let mut fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.first().is_some_and(|f| f.starts_with("TZ=") || f.starts_with("CRON_TZ=")) {
        fields.remove(0);
    }
    if fields.len() != 5 {
        return Err(CronError(format!("expected exactly 5 fields, found {}: [{}]", fields.len(), fields.join(" "))));
    }
    let mut parsed = [(0u64, false); 5];
    for (i, (f, b)) in fields.iter().zip(FIELDS.iter()).enumerate() {
        parsed[i] = parse_field(f, b)?;
    }
    Ok(CronSchedule {
        minute: parsed[0].0,
        hour: parsed[1].0,
        dom: parsed[2].0,
        month: parsed[3].0,
        dow: parsed[4].0,
        day_star: parsed[2].1 || parsed[4].1,
        every: None,
    })
}

/// (year, month 1-12, day 1-31) of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let (y, m, d) = crate::sim::time::civil_from_days(z);
    (y, m as u32, d as u32)
}

impl CronSchedule {
    /// Whether the schedule fires at this minute (all values in UTC; `dow` 0 = Sunday).
    pub fn matches(&self, minute: u32, hour: u32, dom: u32, month: u32, dow: u32) -> bool {
        bit(self.minute, minute) && bit(self.hour, hour) && self.matches_day(dom, month, dow)
    }

    fn matches_day(&self, dom: u32, month: u32, dow: u32) -> bool {
        let (dom_ok, dow_ok) = (bit(self.dom, dom), bit(self.dow, dow));
        let day_ok = if self.day_star { dom_ok && dow_ok } else { dom_ok || dow_ok };
        bit(self.month, month) && day_ok
    }

    /// The first firing strictly after `unix_secs`, searching up to five years ahead.
    pub fn next_after(&self, unix_secs: i64) -> Option<i64> {
        if let Some(every) = self.every {
            return Some(unix_secs + every);
        }
        let mut t = (unix_secs.div_euclid(60) + 1) * 60;
        let limit = t + 5 * 366 * 86_400;
        while t < limit {
            let days = t.div_euclid(86_400);
            let (_, month, dom) = civil_from_days(days);
            let dow = (days + 4).rem_euclid(7) as u32;
            let secs = t.rem_euclid(86_400);
            let (hour, minute) = ((secs / 3600) as u32, (secs % 3600 / 60) as u32);
            if !self.matches_day(dom, month, dow) {
                t = (days + 1) * 86_400;
            } else if !bit(self.hour, hour) {
                t = t - i64::from(minute) * 60 + 3600;
            } else if !bit(self.minute, minute) {
                t += 60;
            } else {
                return Some(t);
            }
        }
        None
    }
}

fn bit(set: u64, v: u32) -> bool {
    v < 64 && set & (1 << v) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_good_schedules() {
        for s in [
            "* * * * *",
            "*/1 * * * *",
            "0 0 * * 0",
            "5 4 * * sun",
            "0 22 * * 1-5",
            "0,30 9-17 * jan-jun mon-fri",
            "@hourly",
            "@daily",
            "@every 5m",
            "TZ=UTC 0 * * * *",
            "? * * * ?",
            "15 3 1 */2 *",
        ] {
            assert!(parse_cron(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn reports_robfig_errors() {
        let cases = [
            ("", "empty spec string"),
            ("* * *", "expected exactly 5 fields, found 3: [* * *]"),
            ("* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"),
            ("60 * * * *", "end of range (60) above maximum (59): 60"),
            ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
            ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
            ("*/0 * * * *", "step of range should be a positive number: */0"),
            ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
            ("*/2/3 * * * *", "too many slashes: */2/3"),
            ("x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"),
            ("@fortnightly", "unrecognized descriptor: @fortnightly"),
            ("* * * * 7", "end of range (7) above maximum (6): 7"),
        ];
        for (s, want) in cases {
            assert_eq!(parse_cron(s).map_err(|e| e.0), Err(want.to_string()), "{s}");
        }
    }

    #[test]
    fn finds_next_run() {
        // 2025-01-01T00:00:00Z was a Wednesday.
        let epoch = 1_735_689_600;
        let every_minute = parse_cron("* * * * *").expect("valid");
        assert_eq!(every_minute.next_after(epoch), Some(epoch + 60));
        assert_eq!(every_minute.next_after(epoch + 30), Some(epoch + 60));
        let hourly = parse_cron("@hourly").expect("valid");
        assert_eq!(hourly.next_after(epoch), Some(epoch + 3600));
        let friday_noon = parse_cron("0 12 * * fri").expect("valid");
        assert_eq!(friday_noon.next_after(epoch), Some(epoch + 2 * 86_400 + 12 * 3600));
        let first_of_march = parse_cron("30 6 1 3 *").expect("valid");
        assert_eq!(first_of_march.next_after(epoch), Some(epoch + 59 * 86_400 + 6 * 3600 + 1800));
        assert_eq!(parse_cron("@every 90s").expect("valid").next_after(epoch), Some(epoch + 90));
        assert_eq!(parse_cron("0 0 30 2 *").expect("valid").next_after(epoch), None);
    }

    #[test]
    fn day_fields_combine_like_cron() {
        // Both restricted: either may match. 2025-01-03 is a Friday.
        let s = parse_cron("0 0 1 * fri").expect("valid");
        assert!(s.matches(0, 0, 3, 1, 5));
        assert!(s.matches(0, 0, 1, 1, 3));
        assert!(!s.matches(0, 0, 2, 1, 4));
    }
}
