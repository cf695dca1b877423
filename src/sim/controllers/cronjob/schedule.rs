//! Standard cron schedules as the CronJob controller parses them (robfig/cron v3 `ParseStandard`):
//! five fields `minute hour day-of-month month day-of-week` with `*`, `?`, lists, ranges, steps and
//! month/day names, or a descriptor (`@hourly`, `@daily`, `@every 90s`, ...). Times are UTC seconds.
//!
//! Day matching follows cron: if day-of-month or day-of-week is `*`, both must match; if both are
//! restricted, either may match (`0 0 1 * MON` runs on the 1st and on Mondays).

use thiserror::Error;

/// Why a schedule does not parse; the texts are robfig/cron's, which the `UnparseableSchedule`
/// event quotes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    /// Not five fields.
    #[error("expected exactly 5 fields, found {0}: [{1}]")]
    FieldCount(usize, String),
    /// A number that is not one.
    #[error("failed to parse int from {0}: strconv.Atoi: parsing {0:?}: invalid syntax")]
    NotANumber(String),
    /// A range start below the field's minimum.
    #[error("beginning of range ({0}) below minimum ({1}): {2}")]
    BelowMinimum(u32, u32, String),
    /// A range end above the field's maximum.
    #[error("end of range ({0}) above maximum ({1}): {2}")]
    AboveMaximum(u32, u32, String),
    /// A range whose start is after its end.
    #[error("beginning of range ({0}) beyond end of range ({1}): {2}")]
    Backwards(u32, u32, String),
    /// A step of zero.
    #[error("step of range should be a positive number: {0}")]
    BadStep(String),
    /// An `@something` that is not a descriptor.
    #[error("unrecognized descriptor: {0}")]
    Descriptor(String),
}

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Fields { minute: u64, hour: u64, dom: u64, month: u64, dow: u64, dom_star: bool, dow_star: bool },
    /// `@every <duration>`, in seconds.
    Every(u64),
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn number(s: &str, names: &[&str], offset: u32) -> Result<u32, ScheduleError> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Ok(i as u32 + offset);
    }
    s.parse().map_err(|_| ScheduleError::NotANumber(s.to_string()))
}

/// One field: a bit per allowed value, and whether it was `*`/`?` (for the day rule).
fn field(expr: &str, min: u32, max: u32, names: &[&str], offset: u32) -> Result<(u64, bool), ScheduleError> {
    let mut bits = 0u64;
    let mut star = false;
    for part in expr.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s.parse::<u32>().map_err(|_| ScheduleError::NotANumber(s.to_string()))?)),
            None => (part, None),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            star = step.is_none_or(|s| s <= 1);
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (number(a, names, offset)?, number(b, names, offset)?)
        } else {
            let n = number(range, names, offset)?;
            // `N/step` means `N-max/step`.
            (n, if step.is_some() { max } else { n })
        };
        if lo < min {
            return Err(ScheduleError::BelowMinimum(lo, min, part.to_string()));
        }
        if hi > max {
            return Err(ScheduleError::AboveMaximum(hi, max, part.to_string()));
        }
        if lo > hi {
            return Err(ScheduleError::Backwards(lo, hi, part.to_string()));
        }
        let step = step.unwrap_or(1);
        if step == 0 {
            return Err(ScheduleError::BadStep(part.to_string()));
        }
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok((bits, star))
}

/// Parses a Go duration such as `1h30m` or `90s` into whole seconds.
fn go_duration_secs(s: &str) -> Option<u64> {
    crate::sim::time::parse_duration(s).map(|ms| ms / 1000).filter(|s| *s > 0)
}

pub fn parse(spec: &str) -> Result<Schedule, ScheduleError> {
    let spec = spec.trim();
    let expanded = match spec {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        s if s.starts_with("@every ") => {
            let d = s.trim_start_matches("@every ").trim();
            return go_duration_secs(d).map(Schedule::Every).ok_or_else(|| ScheduleError::Descriptor(s.to_string()));
        }
        s if s.starts_with('@') => return Err(ScheduleError::Descriptor(s.to_string())),
        s => s,
    };
    let f: Vec<&str> = expanded.split_whitespace().collect();
    if f.len() != 5 {
        return Err(ScheduleError::FieldCount(f.len(), f.join(" ")));
    }
    let (minute, _) = field(f[0], 0, 59, &[], 0)?;
    let (hour, _) = field(f[1], 0, 23, &[], 0)?;
    let (dom, dom_star) = field(f[2], 1, 31, &[], 0)?;
    let (month, _) = field(f[3], 1, 12, &MONTHS, 1)?;
    let (dow, dow_star) = field(f[4], 0, 6, &DAYS, 0)?;
    Ok(Schedule::Fields { minute, hour, dom, month, dow, dom_star, dow_star })
}

/// Days since 1970-01-01 to (year, month, day) (Hinnant's civil calendar).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl Schedule {
    /// The first activation strictly after `t` (unix seconds), within five years.
    pub fn next(&self, t: i64) -> Option<i64> {
        let (minute, hour, dom, month, dow, dom_star, dow_star) = match *self {
            Schedule::Every(secs) => return Some(t + secs as i64),
            Schedule::Fields { minute, hour, dom, month, dow, dom_star, dow_star } => (minute, hour, dom, month, dow, dom_star, dow_star),
        };
        let mut m = t.div_euclid(60) + 1;
        let limit = m + 5 * 366 * 24 * 60;
        while m < limit {
            let days = m.div_euclid(1440);
            let (_, mon, day) = civil(days);
            let weekday = (days + 4).rem_euclid(7) as u32;
            let (dm, wm) = (dom & (1 << day) != 0, dow & (1 << weekday) != 0);
            let day_ok = if dom_star || dow_star { dm && wm } else { dm || wm };
            if month & (1 << mon) == 0 || !day_ok {
                m = (days + 1) * 1440;
                continue;
            }
            let h = m.rem_euclid(1440) / 60;
            if hour & (1 << h) == 0 {
                m = (m.div_euclid(60) + 1) * 60;
                continue;
            }
            if minute & (1 << m.rem_euclid(60)) == 0 {
                m += 1;
                continue;
            }
            return Some(m * 60);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-01-01T00:00:00Z (a Wednesday).
    const T0: i64 = 1_735_689_600;

    #[test]
    fn next_activation_table() {
        let cases = [
            ("*/5 * * * *", T0, T0 + 300),
            ("0 * * * *", T0 + 1, T0 + 3600),
            ("@hourly", T0, T0 + 3600),
            ("30 2 * * *", T0, T0 + 2 * 3600 + 1800),
            ("0 0 * * MON", T0, T0 + 5 * 86_400),
            ("0 0 1 FEB *", T0, T0 + 31 * 86_400),
            ("0 0 15 * 1", T0, T0 + 5 * 86_400),
            ("0 9-17/4 * * 1-5", T0, T0 + 9 * 3600),
            ("@every 90s", T0, T0 + 90),
            ("@monthly", T0, T0 + 31 * 86_400),
        ];
        for (spec, from, want) in cases {
            let s = parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
            assert_eq!(s.next(from), Some(want), "{spec}");
        }
    }

    #[test]
    fn errors_read_like_robfig() {
        let cases = [
            ("* * *", "expected exactly 5 fields, found 3: [* * *]"),
            ("61 * * * *", "end of range (61) above maximum (59): 61"),
            ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
            ("x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"),
            ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
            ("*/0 * * * *", "step of range should be a positive number: */0"),
            ("@sometimes", "unrecognized descriptor: @sometimes"),
        ];
        for (spec, want) in cases {
            assert_eq!(parse(spec).expect_err(spec).to_string(), want);
        }
    }

    #[test]
    fn february_30th_never_comes() {
        assert_eq!(parse("0 0 30 2 *").expect("parses").next(T0), None);
    }
}
