//! YAML to JSON the way Kubernetes converts it (sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1).
//!
//! serde_yaml speaks YAML 1.2, where `yes`, `on` and `0644` are strings; kubectl's converter reads
//! them as `true`, `true` and 420. That difference decides whether `defaultMode: 0644` means
//! rw-r--r-- and whether `value: yes` is rejected as a bool, so we resolve plain scalars ourselves.
//! serde_yaml hands plain and quoted scalars to `visit_borrowed_str` as slices of the input; the
//! byte before a quoted one is its quote, which is how we tell `yes` from `"yes"`.

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// A YAML syntax error, already in go-yaml's words and with go-yaml's line numbering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The line go-yaml would report (relative to the document), if it reports one.
    pub line: Option<usize>,
    /// go-yaml's message, e.g. `mapping values are not allowed in this context`.
    pub message: String,
}

/// Converts one YAML document (no `---` separators inside) to JSON. Like go-yaml's `Unmarshal`,
/// only the first document counts: content after a `...` end marker is ignored.
pub fn to_json(doc: &str) -> Result<Value, YamlError> {
    match serde_yaml::Deserializer::from_str(doc).next() {
        Some(de) => Seed { src: doc }.deserialize(de).map_err(|e| go_yaml_error(doc, &e)),
        None => Ok(Value::Null),
    }
}

/// Rewrites a serde_yaml (libyaml) error the way go-yaml prints it. go-yaml reports a scanner
/// error at its 1-based line but a parser error at the 0-based line of the problem (its off-by-one),
/// and no line at all when that number is 0.
fn go_yaml_error(doc: &str, err: &serde_yaml::Error) -> YamlError {
    let text = err.to_string();
    let problem = text.split(" at line ").next().unwrap_or(&text).trim_end_matches(',').to_string();
    let index = err.location().map(|l| l.index());
    if problem == "unknown anchor" {
        let name = index.and_then(|i| doc.get(i..)).map(anchor_name).unwrap_or_default();
        return YamlError { line: None, message: format!("unknown anchor '{name}' referenced") };
    }
    if problem.starts_with("recursion limit exceeded") {
        return YamlError { line: None, message: "exceeded max depth of 10000".to_string() };
    }
    let Some(loc) = err.location() else {
        return YamlError { line: None, message: problem };
    };
    let zero_based = loc.line().saturating_sub(1);
    let at_tab = doc.as_bytes().get(loc.index()) == Some(&b'\t');
    if problem == "found character that cannot start any token" && at_tab && continues_plain_scalar(doc, loc.index()) {
        return YamlError {
            line: Some(zero_based + 1),
            message: "found a tab character that violates indentation".into(),
        };
    }
    let line = if zero_based == 0 {
        None
    } else if is_parser_error(&problem) {
        Some(zero_based)
    } else {
        Some(zero_based + 1)
    };
    YamlError { line, message: problem }
}

/// Whether the tab at `index` sits in the leading blanks of a line that go-yaml reads as the
/// continuation of a plain scalar: only there does it check "a tab character that violates
/// indentation" (scan_plain_scalar). After a `key:`, a quote, a flow bracket or a comment the scanner
/// looks for a new token instead and the tab "cannot start any token", as libyaml says too.
fn continues_plain_scalar(doc: &str, index: usize) -> bool {
    let Some(before) = doc.get(..index) else { return false };
    let (earlier, this_line) = before.rsplit_once('\n').unwrap_or(("", before));
    if !this_line.chars().all(|c| c == ' ' || c == '\t') {
        return false;
    }
    let Some(last) = earlier.lines().rev().map(str::trim_end).find(|l| !l.trim().is_empty()) else { return false };
    let body = last.trim_start().trim_start_matches("- ").trim();
    let ends_token = ['\'', '"', ':', '[', ']', '{', '}', ',', '|', '>', '-'].iter().any(|c| body.ends_with(*c));
    !(body.starts_with('#') || last.contains(" #") || body == "---" || ends_token)
}

fn is_parser_error(problem: &str) -> bool {
    const PARSER: &[&str] = &[
        "did not find expected key",
        "did not find expected node content",
        "did not find expected ',' or ']'",
        "did not find expected ',' or '}'",
        "did not find expected '-' indicator",
        "did not find expected <document start>",
        "found duplicate %YAML directive",
        "found incompatible YAML document",
        "found undefined tag handle",
        "found duplicate %TAG directive",
    ];
    PARSER.iter().any(|p| problem.starts_with(p))
}

fn anchor_name(after: &str) -> String {
    after.trim_start_matches('*').chars().take_while(|c| !c.is_whitespace() && !",]}".contains(*c)).collect()
}

/// Resolves a plain (unquoted) scalar as go-yaml v2 does, for the cases serde_yaml leaves as strings.
fn resolve_plain(s: &str) -> Value {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Value::Bool(false),
        _ => {}
    }
    let starts_numeric = s.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
    if !starts_numeric {
        return Value::String(s.to_string());
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(n) = go_parse_int(&plain) {
        return Value::Number(n.into());
    }
    if looks_like_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return number_from_f64(f).unwrap_or_else(|| Value::String(s.to_string()));
    }
    Value::String(s.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)`: base prefixes 0x, 0o, 0b, and a bare leading 0 for octal.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    i64::try_from(if neg { -magnitude } else { magnitude }).ok()
}

/// go-yaml's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn looks_like_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// JSON has no NaN or infinity; whole floats become integers as Go's encoder writes them (`3`, not `3.0`).
fn number_from_f64(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Some(Value::Number(Number::from(f as i64)));
    }
    Number::from_f64(f).map(Value::Number)
}

#[derive(Clone, Copy)]
struct Seed<'s> {
    src: &'s str,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Seed<'_> {
    /// Whether a borrowed scalar was written inside quotes: the byte before it is the quote.
    fn is_quoted(&self, v: &str) -> bool {
        let start = self.src.as_ptr() as usize;
        let at = v.as_ptr() as usize;
        if at <= start || at > start + self.src.len() {
            return false;
        }
        matches!(self.src.as_bytes().get(at - start - 1), Some(b'\'' | b'"'))
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        number_from_f64(v as f64).ok_or_else(|| E::custom("json: unsupported value"))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        number_from_f64(v as f64).ok_or_else(|| E::custom("json: unsupported value"))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        number_from_f64(v).ok_or_else(|| E::custom(format!("json: unsupported value: {}", go_float(v))))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Value, E> {
        Ok(if self.is_quoted(v) { Value::String(v.to_string()) } else { resolve_plain(v) })
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let mut merges = Vec::new();
        while let Some(key) = map.next_key_seed(self)? {
            let value = map.next_value_seed(self)?;
            let key = json_key(key).map_err(serde::de::Error::custom)?;
            if key == "<<" && (value.is_object() || value.is_array()) {
                merges.push(value);
            } else {
                // A repeated key keeps its first position and its last value, as a Go map would.
                out.insert(key, value);
            }
        }
        // YAML merge keys (`<<: *defaults`): explicit keys win over merged ones.
        for merged in merges {
            let sources = match merged {
                Value::Array(items) => items,
                other => vec![other],
            };
            for source in sources {
                if let Value::Object(fields) = source {
                    for (k, v) in fields {
                        out.entry(k).or_insert(v);
                    }
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A local tag (`!foo value`): go-yaml ignores unknown tags and keeps the value.
        let (_tag, variant): (String, _) = data.variant()?;
        variant.newtype_variant_seed(self)
    }
}

/// Map keys become JSON strings as sigs.k8s.io/yaml writes them (`1` -> "1", `true` -> "true").
fn json_key(key: Value) -> Result<String, String> {
    match key {
        Value::String(s) => Ok(s),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok("null".to_string()),
        Value::Array(_) | Value::Object(_) => Err("json: unsupported type: map[interface {}]interface {}".to_string()),
    }
}

fn go_float(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_scalars_as_yaml_1_1() {
        let v = to_json(
            "a: yes\nb: 'yes'\nc: \"on\"\nd: 0644\ne: 1_000\nf: 0x1F\ng: 1e3\nh: off\ni: ~\nj:\nk: 12:30\nl: 08\n\
             m: 2001-12-14\nnn: 3.0\no: 1.5\np: \"0644\"\nq: Y\nr: -017\ns: +5\nt: 1.2.3\n",
        )
        .expect("valid YAML");
        assert_eq!(
            v,
            json!({"a": true, "b": "yes", "c": "on", "d": 420, "e": 1000, "f": 31, "g": 1000, "h": false,
                "i": null, "j": null, "k": "12:30", "l": 8, "m": "2001-12-14", "nn": 3, "o": 1.5, "p": "0644",
                "q": true, "r": -15, "s": 5, "t": "1.2.3"})
        );
    }

    #[test]
    fn keys_become_strings() {
        let v = to_json("1: a\nyes: b\ntrue: c\n1.5: d\n\"no\": e\nn: f\n").expect("valid YAML");
        // go-yaml v2 reads the keys `yes` and `n` as booleans too: a real Kubernetes surprise.
        assert_eq!(v, json!({"1": "a", "true": "c", "1.5": "d", "no": "e", "false": "f"}));
    }

    #[test]
    fn block_scalars_and_flow_style() {
        let v = to_json("a: |\n  x\n  y\nb: >\n  p\n  q\nc: {d: [1, 'two', {e: f}]}\n").expect("valid YAML");
        assert_eq!(v, json!({"a": "x\ny\n", "b": "p q\n", "c": {"d": [1, "two", {"e": "f"}]}}));
    }

    #[test]
    fn merges_anchors_and_keeps_last_duplicate() {
        let v = to_json("base: &b {x: 1, z: 2}\nd:\n  <<: *b\n  z: 3\ne: 1\ne: 2\n").expect("valid YAML");
        assert_eq!(v, json!({"base": {"x": 1, "z": 2}, "d": {"z": 3, "x": 1}, "e": 2}));
    }

    #[test]
    fn tags_are_ignored() {
        assert_eq!(to_json("a: !foo bar\n").expect("valid"), json!({"a": "bar"}));
    }

    #[test]
    fn errors_read_like_go_yaml() {
        let cases: &[(&str, Option<usize>, &str)] = &[
            (
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n",
                Some(5),
                "mapping values are not allowed in this context",
            ),
            ("a: b: c\n", None, "mapping values are not allowed in this context"),
            ("a: [x,\n  y\n", Some(2), "did not find expected ',' or ']'"),
            (
                "kind: Pod\napiVersion: v1\nmetadata:\n  name: x\n  labels:\n    a: \"b\n    c: d\n",
                Some(8),
                "found unexpected end of stream",
            ),
            ("- a\nb: c\n", Some(1), "did not find expected '-' indicator"),
            ("a: 1\nb: *x\n", None, "unknown anchor 'x' referenced"),
            ("a:\n  - b\n  c: d\n", Some(2), "did not find expected '-' indicator"),
            (
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n\tlabels: {}\n",
                Some(5),
                "found a tab character that violates indentation",
            ),
            // After `spec:` no scalar is being continued: go-yaml looks for a token and finds a tab.
            (
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n\tcontainers: []\n",
                Some(6),
                "found character that cannot start any token",
            ),
            ("a: \"quoted\"\n\tb: c\n", Some(2), "found character that cannot start any token"),
            (
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    a: b\n   c: d\n",
                Some(6),
                "did not find expected key",
            ),
        ];
        for (doc, line, message) in cases {
            let err = to_json(doc).expect_err(doc);
            assert_eq!((err.line, err.message.as_str()), (*line, *message), "{doc:?}");
        }
    }

    #[test]
    fn go_int_parsing() {
        for (s, want) in
            [("0644", Some(420)), ("09", None), ("0b101", Some(5)), ("-0x10", Some(-16)), ("", None), ("+", None)]
        {
            assert_eq!(go_parse_int(s), want, "{s}");
        }
    }

    #[test]
    fn ignores_what_follows_a_document_end_marker() {
        assert_eq!(to_json("a: 1\nb:\n...\nc: 2\n").expect("first document parses"), json!({"a": 1, "b": null}));
    }

    #[test]
    fn infinity_is_refused() {
        assert!(to_json("a: .inf\n").is_err());
    }
}
