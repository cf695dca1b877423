//! Just enough of `resource.Quantity` for `describe`: parsing `500m`/`128Mi`/`1e3`, adding, comparing
//! and the canonical `String()` (`16384Mi` prints as `16Gi`, `2250m` stays `2250m`).

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::super::fields::{arr_at, at, obj_at, str_at};

const NANO: i128 = 1_000_000_000;

/// How a quantity was written, which decides how sums print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `Ki`, `Mi`, ...
    BinarySI,
    /// `m`, `k`, `M`, ... or none.
    #[default]
    DecimalSI,
    /// `1e3`.
    DecimalExponent,
}

/// A quantity held in units of 10^-9, rounded up like Kubernetes does below nano precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quantity {
    /// Value × 10^9.
    pub nanos: i128,
    /// The format sums and `String()` keep.
    pub format: Format,
}

impl Quantity {
    /// Parses `"250m"`, `"1.5Gi"`, `"2"`, `"1e3"`; JSON numbers are accepted too.
    pub fn parse_value(v: &Value) -> Option<Quantity> {
        match v {
            Value::String(s) => Quantity::parse(s),
            Value::Number(n) => Quantity::parse(&n.to_string()),
            _ => None,
        }
    }

    /// Parses the string form of a quantity.
    pub fn parse(s: &str) -> Option<Quantity> {
        let s = s.trim();
        let (neg, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let num_end = body.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(body.len());
        let (num, suffix) = body.split_at(num_end);
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
        // value = digits × 10^-frac_len
        let digits: i128 = format!("{int_part}{frac_part}").parse().ok()?;
        let frac_len = frac_part.len() as i32;
        let (format, base2, exp10): (Format, u32, i32) = match suffix {
            "" => (Format::DecimalSI, 0, 0),
            "n" => (Format::DecimalSI, 0, -9),
            "u" => (Format::DecimalSI, 0, -6),
            "m" => (Format::DecimalSI, 0, -3),
            "k" => (Format::DecimalSI, 0, 3),
            "M" => (Format::DecimalSI, 0, 6),
            "G" => (Format::DecimalSI, 0, 9),
            "T" => (Format::DecimalSI, 0, 12),
            "P" => (Format::DecimalSI, 0, 15),
            "E" => (Format::DecimalSI, 0, 18),
            "Ki" => (Format::BinarySI, 10, 0),
            "Mi" => (Format::BinarySI, 20, 0),
            "Gi" => (Format::BinarySI, 30, 0),
            "Ti" => (Format::BinarySI, 40, 0),
            "Pi" => (Format::BinarySI, 50, 0),
            "Ei" => (Format::BinarySI, 60, 0),
            e if e.starts_with(['e', 'E']) => (Format::DecimalExponent, 0, e[1..].parse().ok()?),
            _ => return None,
        };
        // nanos = digits × 2^base2 × 10^(exp10 - frac_len + 9), rounded up when fractional.
        let mut value = digits.checked_mul(1i128.checked_shl(base2)?)?;
        let shift = exp10 - frac_len + 9;
        if shift >= 0 {
            value = value.checked_mul(10i128.checked_pow(shift as u32)?)?;
        } else {
            let div = 10i128.checked_pow((-shift) as u32)?;
            value = (value + div - 1) / div;
        }
        Some(Quantity { nanos: if neg { -value } else { value }, format })
    }

    /// `MilliValue()`, rounded up.
    pub fn milli_value(&self) -> i128 {
        div_ceil(self.nanos, 1_000_000)
    }

    /// `Value()`, rounded up.
    pub fn value(&self) -> i128 {
        div_ceil(self.nanos, NANO)
    }

    /// `Add`: keeps this quantity's format.
    pub fn add(&mut self, other: &Quantity) {
        self.nanos += other.nanos;
    }

    /// `String()` in canonical form.
    pub fn to_canonical(&self) -> String {
        let mut format = self.format;
        if format == Format::BinarySI && (self.nanos.abs() < 1024 * NANO || self.nanos % NANO != 0) {
            format = Format::DecimalSI;
        }
        if format == Format::BinarySI {
            let (mut amount, mut times) = (self.nanos / NANO, 0);
            while amount != 0 && amount % 1024 == 0 && times < 6 {
                amount /= 1024;
                times += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][times];
            return format!("{amount}{suffix}");
        }
        if self.nanos == 0 {
            return "0".to_string();
        }
        let (mut amount, mut exponent) = (self.nanos, -9i32);
        while amount % 10 == 0 {
            amount /= 10;
            exponent += 1;
        }
        match exponent.rem_euclid(3) {
            1 => {
                amount *= 10;
                exponent -= 1;
            }
            2 => {
                amount *= 100;
                exponent -= 2;
            }
            _ => {}
        }
        let suffix = if format == Format::DecimalExponent {
            if exponent == 0 { String::new() } else { format!("e{exponent}") }
        } else {
            match exponent {
                -9 => "n".into(),
                -6 => "u".into(),
                -3 => "m".into(),
                0 => String::new(),
                3 => "k".into(),
                6 => "M".into(),
                9 => "G".into(),
                12 => "T".into(),
                15 => "P".into(),
                18 => "E".into(),
                e => format!("e{e}"),
            }
        };
        format!("{amount}{suffix}")
    }
}

fn div_ceil(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && (a > 0) == (b > 0) { q + 1 } else { q }
}

/// A resource list, sorted by name; names map to quantities.
pub type ResourceList = Vec<(String, Quantity)>;

/// The quantities under `path` (e.g. `resources.limits`), sorted by resource name.
pub fn resource_list(v: &Value, path: &[&str]) -> ResourceList {
    let mut list: ResourceList = obj_at(v, path)
        .map(|m| m.iter().filter_map(|(k, q)| Some((k.clone(), Quantity::parse_value(q)?))).collect())
        .unwrap_or_default();
    list.stable_sort_by(|a, b| a.0.cmp(&b.0));
    list
}

/// Prints a quantity value from JSON canonically, or as given when it does not parse.
pub fn canonical_text(v: Option<&Value>) -> String {
    match v {
        Some(q) => match Quantity::parse_value(q) {
            Some(parsed) => parsed.to_canonical(),
            None => q.as_str().map(str::to_string).unwrap_or_else(|| q.to_string()),
        },
        None => "0".to_string(),
    }
}

fn get<'a>(list: &'a ResourceList, name: &str) -> Option<&'a Quantity> {
    list.iter().find(|(n, _)| n == name).map(|(_, q)| q)
}

fn add_list(into: &mut ResourceList, add: &ResourceList) {
    for (name, q) in add {
        match into.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) => existing.add(q),
            None => into.push((name.clone(), *q)),
        }
    }
}

fn max_list(into: &mut ResourceList, other: &ResourceList) {
    for (name, q) in other {
        match into.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) if q.nanos > existing.nanos => *existing = *q,
            Some(_) => {}
            None => into.push((name.clone(), *q)),
        }
    }
}

/// kubectl's `PodRequestsAndLimits`: containers summed, init containers as a maximum (sidecars
/// counted both ways), plus overhead.
pub fn pod_requests_and_limits(pod: &Value) -> (ResourceList, ResourceList) {
    let sum = |kind: &str| {
        let mut total = ResourceList::new();
        for c in arr_at(pod, &["spec", "containers"]) {
            add_list(&mut total, &resource_list(c, &["resources", kind]));
        }
        let mut sidecars = ResourceList::new();
        let mut init_max = ResourceList::new();
        for c in arr_at(pod, &["spec", "initContainers"]) {
            let own = resource_list(c, &["resources", kind]);
            let effective = if str_at(c, &["restartPolicy"]) == "Always" {
                add_list(&mut total, &own);
                add_list(&mut sidecars, &own);
                sidecars.clone()
            } else {
                let mut tmp = own.clone();
                add_list(&mut tmp, &sidecars);
                tmp
            };
            max_list(&mut init_max, &effective);
        }
        max_list(&mut total, &init_max);
        if at(pod, &["spec", "overhead"]).is_some() {
            let overhead = resource_list(pod, &["spec", "overhead"]);
            if kind == "requests" {
                add_list(&mut total, &overhead);
            } else {
                for (name, q) in &overhead {
                    if let Some((_, existing)) = total.iter_mut().find(|(n, _)| n == name) {
                        existing.add(q);
                    }
                }
            }
        }
        total.stable_sort_by(|a, b| a.0.cmp(&b.0));
        total
    };
    (sum("requests"), sum("limits"))
}

/// A named entry of a list, or zero.
pub fn quantity_of(list: &ResourceList, name: &str) -> Quantity {
    get(list, name).copied().unwrap_or_default()
}

/// Adds every entry of `add` into `into` (keeping `into`'s formats).
pub fn add_into(into: &mut ResourceList, add: &ResourceList) {
    add_list(into, add);
    into.stable_sort_by(|a, b| a.0.cmp(&b.0));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_strings_match_kubernetes() {
        let cases = [
            ("500m", "500m"),
            ("2", "2"),
            ("2000m", "2"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("100m", "100m"),
            ("16384Mi", "16Gi"),
            ("102625208Ki", "102625208Ki"),
            ("1.5Gi", "1536Mi"),
            ("0.5Ki", "512"),
            ("1000000", "1M"),
            ("1500000", "1500k"),
            ("1e3", "1e3"),
            ("1E6", "1e6"),
            ("0", "0"),
            ("0Mi", "0"),
            ("-1", "-1"),
            ("1n", "1n"),
            ("0.1Ki", "102400m"),
            ("5Gi", "5Gi"),
            ("1024", "1024"),
        ];
        for (input, want) in cases {
            let q = Quantity::parse(input).unwrap_or_else(|| panic!("{input} should parse"));
            assert_eq!(q.to_canonical(), want, "{input}");
        }
        for bad in ["", "abc", "1.2.3", "5Xi", "m", "."] {
            assert_eq!(Quantity::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn values_round_up() {
        let q = Quantity::parse("250m").expect("valid");
        assert_eq!((q.milli_value(), q.value()), (250, 1));
        assert_eq!(Quantity::parse("64Mi").expect("valid").value(), 67_108_864);
    }

    #[test]
    fn pod_requests_take_init_maximum_and_sidecars() {
        let pod = json!({"spec": {
            "containers": [{"resources": {"requests": {"cpu": "100m", "memory": "70Mi"}, "limits": {"memory": "170Mi"}}}],
            "initContainers": [{"resources": {"requests": {"cpu": "2", "memory": "1Gi"}}},
                               {"restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}}]}});
        let (req, lim) = pod_requests_and_limits(&pod);
        assert_eq!(quantity_of(&req, "cpu").to_canonical(), "2");
        assert_eq!(quantity_of(&req, "memory").to_canonical(), "1Gi");
        assert_eq!(quantity_of(&lim, "memory").to_canonical(), "170Mi");
        assert_eq!(quantity_of(&lim, "cpu").to_canonical(), "0");
        let (none, _) = pod_requests_and_limits(&json!("junk"));
        assert!(none.is_empty());
    }
}
