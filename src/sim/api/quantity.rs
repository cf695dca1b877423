//! Resource quantities (`500m`, `1.5`, `128Mi`, `1e3`), parsed and printed as apimachinery does.
//!
//! The scheduler sums CPU in millicores and memory in bytes, kubectl prints canonical forms
//! (`1536Mi`, `1500m`), and validation compares requests with limits; all go through here.
//! A value is kept exactly as `units / 10^9` in an `i128`, enough for every real quantity.

use std::cmp::Ordering;
use std::fmt;
use thiserror::Error;

/// The regular expression apimachinery quotes when a quantity does not parse.
pub const QUANTITY_REGEX: &str = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/// Why a string is not a quantity; messages are apimachinery's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum QuantityError {
    /// Not of the form number + suffix.
    #[error("quantities must match the regular expression '{QUANTITY_REGEX}'")]
    Format,
    /// The suffix is not a known one (`5MM`).
    #[error("unable to parse quantity's suffix")]
    Suffix,
    /// The number part is not a number (`.`).
    #[error("unable to parse numeric part of quantity")]
    Numeric,
}

/// How a quantity was written, which decides how it prints back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Powers of 1024: Ki, Mi, Gi...
    BinarySI,
    /// Powers of 1000: m, k, M, G... or no suffix.
    DecimalSI,
    /// Scientific notation: `1e3`.
    DecimalExponent,
}

/// A parsed quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    /// The value in billionths (10^-9), so that `1n` is 1 and `1` is 1_000_000_000.
    nanos: i128,
    /// The notation it was written in.
    pub format: Format,
}

const NANO: i128 = 1_000_000_000;

/// Parses a quantity string as `resource.ParseQuantity` does.
pub fn parse_quantity(s: &str) -> Result<Quantity, QuantityError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(QuantityError::Format);
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let digits_end = |t: &str| t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (whole, rest) = body.split_at(digits_end(body));
    let (frac, suffix, has_dot) = match rest.strip_prefix('.') {
        Some(after) => {
            let (frac, suffix) = after.split_at(digits_end(after));
            (frac, suffix, true)
        }
        None => ("", rest, false),
    };
    if whole.is_empty() && !has_dot {
        return Err(QuantityError::Format);
    }
    check_suffix_shape(suffix)?;
    if whole.is_empty() && frac.is_empty() {
        return Err(QuantityError::Numeric);
    }
    let (format, mul_num, exp10) = interpret_suffix(suffix).ok_or(QuantityError::Suffix)?;
    // value = digits / 10^frac_len * mul_num * 10^exp10, stored as nanos.
    let digits: String = format!("{whole}{frac}");
    let digits = digits.trim_start_matches('0');
    let mantissa: i128 = if digits.is_empty() { 0 } else { digits.parse().unwrap_or(i128::MAX / NANO) };
    let shift = 9 + exp10 - frac.len() as i32;
    let scaled = scale(mantissa.saturating_mul(mul_num), shift);
    Ok(Quantity { nanos: if negative { -scaled } else { scaled }, format })
}

/// The suffix must look like `[eEinumkKMGTP]*[-+]?[0-9]*` or the whole string fails the regex.
fn check_suffix_shape(suffix: &str) -> Result<(), QuantityError> {
    let letters_end = suffix.find(|c: char| !"eEinumkKMGTP".contains(c)).unwrap_or(suffix.len());
    let rest = &suffix[letters_end..];
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    if rest.bytes().all(|b| b.is_ascii_digit()) { Ok(()) } else { Err(QuantityError::Format) }
}

/// (format, integer multiplier, power of ten) for a suffix.
fn interpret_suffix(suffix: &str) -> Option<(Format, i128, i32)> {
    let binary = |p: u32| Some((Format::BinarySI, 1i128 << (10 * p), 0));
    let decimal = |e: i32| Some((Format::DecimalSI, 1, e));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        _ => {
            let exp = suffix.strip_prefix(['e', 'E'])?;
            let e: i32 = exp.parse().ok()?;
            (-40..=40).contains(&e).then_some((Format::DecimalExponent, 1, e))
        }
    }
}

/// Multiplies by 10^shift, rounding up (away from zero) when shift is negative, as apimachinery
/// rounds quantities up to its smallest scale.
fn scale(v: i128, shift: i32) -> i128 {
    if shift >= 0 {
        v.saturating_mul(10i128.saturating_pow(shift as u32))
    } else {
        let d = 10i128.checked_pow(shift.unsigned_abs()).unwrap_or(i128::MAX);
        v / d + i128::from(v % d != 0)
    }
}

fn ceil_div(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    if n.rem_euclid(d) != 0 { q + 1 } else { q }
}

fn clamp_i64(v: i128) -> i64 {
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

impl Quantity {
    /// The value in thousandths, rounded up: CPU in millicores.
    pub fn milli_value(&self) -> i64 {
        clamp_i64(ceil_div(self.nanos, 1_000_000))
    }

    /// The value rounded up to a whole number: memory in bytes, counts of objects.
    pub fn value(&self) -> i64 {
        clamp_i64(ceil_div(self.nanos, NANO))
    }

    /// Whether the quantity is below zero (resources must not be).
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// A quantity of `millis` thousandths, printed in decimal notation.
    pub fn from_millis(millis: i64) -> Quantity {
        Quantity { nanos: i128::from(millis) * 1_000_000, format: Format::DecimalSI }
    }

    /// A quantity of `bytes`, printed with binary suffixes when they fit.
    pub fn from_bytes(bytes: i64) -> Quantity {
        Quantity { nanos: i128::from(bytes) * NANO, format: Format::BinarySI }
    }

    /// The sum of two quantities, keeping the left one's notation.
    pub fn add(&self, other: &Quantity) -> Quantity {
        Quantity { nanos: self.nanos.saturating_add(other.nanos), format: self.format }
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

/// Canonical form, as `Quantity.String()` prints it: `1536Mi`, `1500m`, `1k`, `0`.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let whole = self.nanos % NANO == 0;
        let small = self.nanos.abs() < 1024 * NANO;
        if self.format == Format::BinarySI && whole && !small {
            let mut v = self.nanos / NANO;
            let mut power = 0;
            while v % 1024 == 0 && power < 6 {
                v /= 1024;
                power += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power];
            return write!(f, "{v}{suffix}");
        }
        // Decimal: the largest exponent (a multiple of 3) that keeps the mantissa whole.
        const SUFFIXES: [(i32, &str); 10] =
            [(18, "E"), (15, "P"), (12, "T"), (9, "G"), (6, "M"), (3, "k"), (0, ""), (-3, "m"), (-6, "u"), (-9, "n")];
        for (exp, suffix) in SUFFIXES {
            let unit = 10i128.pow((exp + 9) as u32);
            if self.nanos % unit == 0 {
                return write!(f, "{}{suffix}", self.nanos / unit);
            }
        }
        write!(f, "{}n", self.nanos)
    }
}

/// CPU in millicores: `"500m"` -> 500, `"2"` -> 2000, `"0.1"` -> 100.
pub fn parse_cpu_millis(s: &str) -> Result<i64, QuantityError> {
    parse_quantity(s).map(|q| q.milli_value())
}

/// Memory or storage in bytes: `"128Mi"` -> 134217728, `"1G"` -> 1000000000.
pub fn parse_bytes(s: &str) -> Result<i64, QuantityError> {
    parse_quantity(s).map(|q| q.value())
}

/// Prints millicores as kubectl does: `500m`, `1`, `1500m`.
pub fn format_cpu_millis(millis: i64) -> String {
    Quantity::from_millis(millis).to_string()
}

/// Prints bytes as kubectl does: `128Mi`, `1Gi`, `1500`, and `1k` below 1024 (apimachinery quirk).
pub fn format_bytes(bytes: i64) -> String {
    Quantity::from_bytes(bytes).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu() {
        for (s, m) in [
            ("500m", 500),
            ("1", 1000),
            ("0.1", 100),
            ("1.5", 1500),
            (".5", 500),
            ("2000m", 2000),
            ("0.0001", 1),
            ("1e3", 1_000_000),
            ("100u", 1),
            ("+1", 1000),
            ("-1", -1000),
            ("1k", 1_000_000),
            ("0", 0),
        ] {
            assert_eq!(parse_cpu_millis(s), Ok(m), "{s}");
        }
    }

    #[test]
    fn parses_memory() {
        for (s, b) in [
            ("128Mi", 134_217_728),
            ("1Gi", 1 << 30),
            ("1G", 1_000_000_000),
            ("1.5Gi", 1_610_612_736),
            ("64", 64),
            ("1Ki", 1024),
            ("500M", 500_000_000),
            ("1E", 1_000_000_000_000_000_000),
            ("10m", 1),
        ] {
            assert_eq!(parse_bytes(s), Ok(b), "{s}");
        }
    }

    #[test]
    fn refuses_malformed() {
        let cases = [
            ("", QuantityError::Format),
            ("abc", QuantityError::Format),
            ("500Mb", QuantityError::Format),
            ("1.5.5", QuantityError::Format),
            ("5MM", QuantityError::Suffix),
            ("1Ki1", QuantityError::Suffix),
            (".", QuantityError::Numeric),
            ("--1", QuantityError::Format),
            ("1 Gi", QuantityError::Format),
        ];
        for (s, e) in cases {
            assert_eq!(parse_quantity(s), Err(e), "{s}");
        }
        assert_eq!(
            QuantityError::Format.to_string(),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
    }

    #[test]
    fn prints_canonical_forms() {
        for (s, want) in [
            ("1.5Gi", "1536Mi"),
            ("0.5", "500m"),
            ("1000m", "1"),
            ("1000", "1k"),
            ("1200", "1200"),
            ("128Mi", "128Mi"),
            ("100Ki", "100Ki"),
            ("1023Ki", "1023Ki"),
            ("0", "0"),
            ("1e3", "1k"),
            ("512", "512"),
            ("2048", "2048"),
        ] {
            assert_eq!(parse_quantity(s).map(|q| q.to_string()), Ok(want.to_string()), "{s}");
        }
        assert_eq!(format_cpu_millis(250), "250m");
        assert_eq!(format_bytes(268_435_456), "256Mi");
        assert_eq!(format_bytes(1000), "1k");
        assert_eq!(format_bytes(1500), "1500");
    }

    #[test]
    fn orders_across_notations() {
        let q = |s| parse_quantity(s).expect("valid");
        assert!(q("1Gi") > q("1G"));
        assert!(q("500m") < q("1"));
        assert_eq!(q("1000m").cmp(&q("1")), Ordering::Equal);
        assert_eq!(q("1").add(&q("500m")).milli_value(), 1500);
    }
}
