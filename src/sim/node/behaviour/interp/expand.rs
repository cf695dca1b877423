//! Word expansion for the symbolic shell: variables, `$((arithmetic))`, `$(commands)`, and `[ tests ]`.
//!
//! Values that change over time stay symbolic: `$(date)` becomes a `Piece::Date` rendered when the
//! line is printed, and a loop counter (`i=$((i+1))` inside `while true`) becomes `Piece::Counter`.

use super::super::{Line, Piece};

/// Marks a variable whose value is a loop counter starting at the number after it.
pub const COUNTER_MARK: char = '\u{1}';

/// A counter variable's value as stored in the environment.
pub fn counter_value(base: i64) -> String {
    format!("{COUNTER_MARK}{base}")
}

/// The base of a counter value, if `v` is one.
pub fn as_counter(v: &str) -> Option<i64> {
    v.strip_prefix(COUNTER_MARK)?.parse().ok()
}

/// Pieces of a variable's value: counters stay symbolic.
pub fn value_pieces(v: &str) -> Vec<Piece> {
    match as_counter(v) {
        Some(base) => vec![Piece::Counter(base)],
        None => vec![Piece::Text(v.to_string())],
    }
}

/// The plain text of pieces, for decisions (dynamic pieces print as a placeholder date or number).
pub fn plain(pieces: &[Piece]) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => s.push_str(t),
            Piece::Date => s.push_str("Wed Jan  1 00:00:00 UTC 2025"),
            Piece::Epoch => s.push_str("1735689600"),
            Piece::Counter(b) => s.push_str(&b.to_string()),
            Piece::Pi(_) => s.push_str("3.14159"),
        }
    }
    s
}

/// Joins the lines a command substitution printed (newlines become spaces, trailing ones vanish).
pub fn join_output(lines: &[Line]) -> Vec<Piece> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push(Piece::Text(" ".into()));
        }
        out.extend(l.0.iter().cloned());
    }
    merge_text(out)
}

/// Merges adjacent text pieces.
pub fn merge_text(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match (out.last_mut(), p) {
            (Some(Piece::Text(a)), Piece::Text(b)) => a.push_str(&b),
            (_, Piece::Text(b)) if b.is_empty() => {}
            (_, p) => out.push(p),
        }
    }
    out
}

/// Evaluates `$((expr))` with integer arithmetic; `lookup` gives variables. A counter plus a
/// constant stays a counter.
pub fn arith(expr: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<Piece> {
    let mut p = Arith { s: expr.as_bytes(), i: 0, lookup, counter: None };
    let v = p.sum();
    match p.counter {
        Some(base) => vec![Piece::Counter(base + v)],
        None => vec![Piece::Text(v.to_string())],
    }
}

struct Arith<'a> {
    s: &'a [u8],
    i: usize,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    /// Set when a counter variable took part: the result is relative to it.
    counter: Option<i64>,
}

impl Arith<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn sum(&mut self) -> i64 {
        let mut v = self.product();
        loop {
            self.ws();
            match self.s.get(self.i) {
                Some(b'+') => {
                    self.i += 1;
                    v = v.wrapping_add(self.product());
                }
                Some(b'-') => {
                    self.i += 1;
                    v = v.wrapping_sub(self.product());
                }
                _ => return v,
            }
        }
    }

    fn product(&mut self) -> i64 {
        let mut v = self.atom();
        loop {
            self.ws();
            let op = match self.s.get(self.i) {
                Some(c @ (b'*' | b'/' | b'%')) => *c,
                _ => return v,
            };
            self.i += 1;
            let r = self.atom();
            v = match op {
                b'*' => v.wrapping_mul(r),
                b'/' => v.checked_div(r).unwrap_or(0),
                _ => v.checked_rem(r).unwrap_or(0),
            };
        }
    }

    fn atom(&mut self) -> i64 {
        self.ws();
        match self.s.get(self.i) {
            Some(b'(') => {
                self.i += 1;
                let v = self.sum();
                self.ws();
                if self.s.get(self.i) == Some(&b')') {
                    self.i += 1;
                }
                v
            }
            Some(b'-') => {
                self.i += 1;
                -self.atom()
            }
            Some(b'$') => {
                self.i += 1;
                self.atom()
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
                std::str::from_utf8(&self.s[start..self.i]).ok().and_then(|n| n.parse().ok()).unwrap_or(0)
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' || *c == b'{' => {
                let braced = *c == b'{';
                if braced {
                    self.i += 1;
                }
                let start = self.i;
                while self.s.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    self.i += 1;
                }
                let name = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default().to_string();
                if braced && self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                }
                let value = (self.lookup)(&name).unwrap_or_default();
                if let Some(base) = as_counter(&value) {
                    self.counter = Some(base);
                    return 0;
                }
                value.trim().parse().unwrap_or(0)
            }
            _ => {
                // Unknown character: skip it so that evaluation always ends.
                if self.i < self.s.len() {
                    self.i += 1;
                }
                0
            }
        }
    }
}

/// Evaluates `test`/`[`/`[[` arguments. `exists(path)` answers `-e/-f`, `is_dir(path)` answers `-d`.
/// What cannot be decided (regexes, unknown operators) counts as true.
pub fn test(args: &[String], exists: &dyn Fn(&str) -> bool, is_dir: &dyn Fn(&str) -> bool) -> bool {
    // Split on -o/|| then -a/&& (left to right, no precedence beyond that).
    if let Some(i) = args.iter().position(|a| a == "-o" || a == "||") {
        return test(&args[..i], exists, is_dir) || test(&args[i + 1..], exists, is_dir);
    }
    if let Some(i) = args.iter().position(|a| a == "-a" || a == "&&") {
        return test(&args[..i], exists, is_dir) && test(&args[i + 1..], exists, is_dir);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).filter(|a| *a != "(" && *a != ")").collect();
    match args.as_slice() {
        [] => false,
        ["!", rest @ ..] => !test(&rest.iter().map(|s| s.to_string()).collect::<Vec<_>>(), exists, is_dir),
        [s] => !s.is_empty(),
        ["-z", s] => s.is_empty(),
        ["-n", s] => !s.is_empty(),
        ["-e" | "-f" | "-r" | "-s" | "-x" | "-w" | "-L" | "-h", p] => exists(p),
        ["-d", p] => is_dir(p),
        [a, "=" | "==", b] => a == b,
        [a, "!=", b] => a != b,
        [a, op @ ("-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge"), b] => {
            let (x, y) = (a.trim().parse::<i64>().unwrap_or(0), b.trim().parse::<i64>().unwrap_or(0));
            match *op {
                "-eq" => x == y,
                "-ne" => x != y,
                "-lt" => x < y,
                "-le" => x <= y,
                "-gt" => x > y,
                _ => x >= y,
            }
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "i" => Some("4".into()),
            "n" => Some(counter_value(10)),
            _ => None,
        }
    }

    #[test]
    fn arithmetic() {
        for (e, want) in [
            ("1+2*3", "7"),
            ("(1+2)*3", "9"),
            ("i+1", "5"),
            ("$i * 2", "8"),
            ("10 / 0", "0"),
            ("7 % 3", "1"),
            ("-i", "-4"),
            ("unknown + 1", "1"),
        ] {
            assert_eq!(arith(e, &vars), vec![Piece::Text(want.into())], "{e}");
        }
        assert_eq!(arith("n+1", &vars), vec![Piece::Counter(11)]);
        assert_eq!(arith("garbage!", &vars).len(), 1, "never panics, always ends");
    }

    #[test]
    fn tests_like_test1() {
        let exists = |p: &str| p == "/tmp/healthy";
        let is_dir = |p: &str| p == "/tmp";
        let t = |a: &[&str]| test(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &exists, &is_dir);
        assert!(t(&["-f", "/tmp/healthy"]));
        assert!(!t(&["-f", "/tmp/nope"]));
        assert!(t(&["!", "-f", "/tmp/nope"]));
        assert!(t(&["-d", "/tmp"]));
        assert!(t(&["3", "-lt", "5"]));
        assert!(!t(&["a", "=", "b"]));
        assert!(t(&["-z", ""]));
        assert!(t(&["x", "=~", "-([0-9]+)$"]), "regexes are assumed to match");
        assert!(t(&["1", "-eq", "2", "-o", "a", "=", "a"]));
        assert!(!t(&["1", "-eq", "1", "-a", "a", "=", "b"]));
        assert!(!t(&[]));
    }

    #[test]
    fn pieces_helpers() {
        assert_eq!(plain(&[Piece::Text("a".into()), Piece::Counter(3)]), "a3");
        assert_eq!(join_output(&[Line::text("1"), Line::text("2")]), vec![Piece::Text("1 2".into())]);
        assert_eq!(value_pieces(&counter_value(0)), vec![Piece::Counter(0)]);
        assert_eq!(
            merge_text(vec![Piece::Text("a".into()), Piece::Text(String::new()), Piece::Text("b".into())]),
            vec![Piece::Text("ab".into())]
        );
    }
}
