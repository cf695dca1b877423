//! Command-line parsing as kubectl (cobra + pflag) does it: shell-like words, `--flag=value`,
//! `--flag value`, `-n value`, `-nvalue`, boolean flags, and `--` ending the flags.

use std::collections::BTreeMap;

/// Splits a command line into words, honouring single and double quotes and backslashes.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err("unterminated quoted string".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => cur.push(ch),
                            Some(ch) => {
                                cur.push('\\');
                                cur.push(ch);
                            }
                            None => return Err("unterminated quoted string".into()),
                        },
                        Some(ch) => cur.push(ch),
                        None => return Err("unterminated quoted string".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    cur.push(ch);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// How a flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    Bool,
    Value,
    /// May be given several times (`--from-literal`, `--tcp`).
    Multi,
    /// pflag's `int`/`int64`: the value must be a number, or parsing fails as pflag's does.
    Int,
    /// pflag's `int32` (`--replicas` of `create deployment`, `autoscale`'s bounds).
    Int32,
}

/// One flag a command accepts.
#[derive(Debug, Clone, Copy)]
pub struct FlagSpec {
    pub long: &'static str,
    pub short: Option<char>,
    pub kind: FlagKind,
}

pub const fn flag(long: &'static str, short: Option<char>, kind: FlagKind) -> FlagSpec {
    FlagSpec { long, short, kind }
}

/// Flags every command accepts (kubectl's global flags that matter here).
pub const GLOBAL_FLAGS: &[FlagSpec] = &[
    flag("namespace", Some('n'), FlagKind::Value),
    flag("context", None, FlagKind::Value),
    flag("kubeconfig", None, FlagKind::Value),
    flag("v", Some('v'), FlagKind::Value),
    flag("request-timeout", None, FlagKind::Value),
];

/// Parsed flags and positional arguments.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Parsed {
    pub positional: Vec<String>,
    values: BTreeMap<String, Vec<String>>,
    /// Words after `--` (the command of `kubectl run`, `create job`, `exec`).
    pub after_dashes: Vec<String>,
}

impl Parsed {
    pub fn get(&self, long: &str) -> Option<&str> {
        self.values.get(long).and_then(|v| v.last()).map(String::as_str)
    }

    pub fn all(&self, long: &str) -> &[String] {
        self.values.get(long).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn has(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }

    /// A boolean flag: present without value, or `=true` (`parse` has already read `=1`, `=T`, ...).
    pub fn bool(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| v != "false")
    }

    /// A numeric flag's value (`FlagKind::Int`/`Int32`, checked by `parse`).
    pub fn int(&self, long: &str) -> Option<i64> {
        self.get(long).and_then(|v| v.parse().ok())
    }
}

/// How pflag names a flag in its errors: `"-r, --replicas"`, or `"--tail"`.
fn shown_name(spec: &FlagSpec) -> String {
    match spec.short {
        Some(c) => format!("-{c}, --{}", spec.long),
        None => format!("--{}", spec.long),
    }
}

/// Checks a flag's value as pflag's typed flags parse it (`strconv.ParseBool`, `ParseInt`), and
/// gives it back in one spelling (`true`/`false`, the number).
fn typed_value(spec: &FlagSpec, value: String) -> Result<String, String> {
    let complaint = |func: &str, why: &str| {
        format!("invalid argument {value:?} for {:?} flag: strconv.{func}: parsing {value:?}: {why}", shown_name(spec))
    };
    match spec.kind {
        FlagKind::Bool => match value.as_str() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok("true".into()),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok("false".into()),
            _ => Err(complaint("ParseBool", "invalid syntax")),
        },
        FlagKind::Int | FlagKind::Int32 => {
            let digits = value.strip_prefix(['-', '+']).unwrap_or(&value);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(complaint("ParseInt", "invalid syntax"));
            }
            let n = value.parse::<i64>().ok();
            let fits = match spec.kind {
                FlagKind::Int32 => n.and_then(|n| i32::try_from(n).ok()).is_some(),
                _ => n.is_some(),
            };
            match n {
                Some(n) if fits => Ok(n.to_string()),
                _ => Err(complaint("ParseInt", "value out of range")),
            }
        }
        FlagKind::Value | FlagKind::Multi => Ok(value),
    }
}

/// Parses `words` (after the command name) against `specs` plus the global flags.
/// Errors are kubectl's: `unknown flag: --foo`, `unknown shorthand flag: 'z' in -z`,
/// `flag needs an argument: --image`.
pub fn parse(words: &[String], specs: &[FlagSpec]) -> Result<Parsed, String> {
    let find_long = |name: &str| specs.iter().chain(GLOBAL_FLAGS).find(|s| s.long == name).copied();
    let find_short = |c: char| specs.iter().chain(GLOBAL_FLAGS).find(|s| s.short == Some(c)).copied();
    let mut p = Parsed::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            p.after_dashes = words[i..].to_vec();
            break;
        }
        let (spec, inline, shown) = if let Some(body) = w.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let spec = find_long(name).ok_or_else(|| format!("unknown flag: --{name}"))?;
            (spec, inline, format!("--{name}"))
        } else if let Some(mut body) = w.strip_prefix('-').filter(|b| !b.is_empty()) {
            // pflag's combined shorthands: `-it` is `-i -t`; a flag that takes a value takes the
            // rest of the word (`-nkube-system`).
            loop {
                let c = body.chars().next().expect("non-empty checked");
                let spec = find_short(c).ok_or_else(|| format!("unknown shorthand flag: '{c}' in {w}"))?;
                let rest = &body[c.len_utf8()..];
                if matches!(spec.kind, FlagKind::Bool) && !rest.is_empty() && !rest.starts_with('=') {
                    p.values.entry(spec.long.to_string()).or_default().push("true".into());
                    body = rest;
                    continue;
                }
                let inline = if rest.is_empty() { None } else { Some(rest.trim_start_matches('=').to_string()) };
                break (spec, inline, format!("-{c}"));
            }
        } else {
            p.positional.push(w.clone());
            continue;
        };
        let value = match spec.kind {
            FlagKind::Bool => inline.unwrap_or_else(|| "true".into()),
            FlagKind::Value | FlagKind::Multi | FlagKind::Int | FlagKind::Int32 => match inline {
                Some(v) => v,
                None if i < words.len() => {
                    i += 1;
                    words[i - 1].clone()
                }
                None => return Err(format!("flag needs an argument: {shown}")),
            },
        };
        let value = typed_value(&spec, value)?;
        p.values.entry(spec.long.to_string()).or_default().push(value);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        split_words(s).expect("test input splits")
    }

    #[test]
    fn splits_quotes_and_escapes() {
        assert_eq!(
            w(r#"get pods -o 'jsonpath={.items[*].metadata.name}'"#),
            ["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"]
        );
        assert_eq!(w(r#"a "b c" d\ e"#), ["a", "b c", "d e"]);
        assert_eq!(w("  "), Vec::<String>::new());
        assert!(split_words("echo 'open").is_err());
    }

    const SPECS: &[FlagSpec] = &[
        flag("output", Some('o'), FlagKind::Value),
        flag("all-namespaces", Some('A'), FlagKind::Bool),
        flag("from-literal", None, FlagKind::Multi),
    ];

    #[test]
    fn parses_flag_forms() {
        let p =
            parse(&w("pods -n kube-system -owide -A --from-literal=a=b --from-literal c=d x"), SPECS).expect("parses");
        assert_eq!(p.positional, ["pods", "x"]);
        assert_eq!(p.get("namespace"), Some("kube-system"));
        assert_eq!(p.get("output"), Some("wide"));
        assert!(p.bool("all-namespaces"));
        assert_eq!(p.all("from-literal"), ["a=b", "c=d"]);
    }

    #[test]
    fn dashes_end_flags() {
        let p = parse(&w("job x -- echo -n hi"), SPECS).expect("parses");
        assert_eq!(p.positional, ["job", "x"]);
        assert_eq!(p.after_dashes, ["echo", "-n", "hi"]);
    }

    #[test]
    fn errors_in_kubectl_words() {
        assert_eq!(parse(&w("--foo"), SPECS), Err("unknown flag: --foo".into()));
        assert_eq!(parse(&w("-z"), SPECS), Err("unknown shorthand flag: 'z' in -z".into()));
        let both =
            parse(&w("-it x"), &[flag("stdin", Some('i'), FlagKind::Bool), flag("tty", Some('t'), FlagKind::Bool)])
                .expect("combined shorthands parse");
        assert!(both.bool("stdin") && both.bool("tty"), "{both:?}");
        assert_eq!(
            parse(&w("-iz"), &[flag("stdin", Some('i'), FlagKind::Bool)]).map(|_| ()),
            Err("unknown shorthand flag: 'z' in -iz".into())
        );
        assert_eq!(parse(&w("-o"), SPECS), Err("flag needs an argument: -o".into()));
        assert_eq!(parse(&w("--output"), SPECS), Err("flag needs an argument: --output".into()));
    }

    /// pflag's typed flags, as kubectl 1.33 words them (`kubectl create deployment x --image=nginx
    /// --replicas=3000000000`, `kubectl get pods --watch=maybe`, `kubectl logs x --tail=abc`).
    #[test]
    fn typed_flags_fail_as_pflag_does() {
        let specs = &[
            flag("replicas", Some('r'), FlagKind::Int32),
            flag("tail", None, FlagKind::Int),
            flag("watch", Some('w'), FlagKind::Bool),
        ];
        assert_eq!(
            parse(&w("--replicas=3000000000"), specs),
            Err(r#"invalid argument "3000000000" for "-r, --replicas" flag: strconv.ParseInt: parsing "3000000000": value out of range"#.into())
        );
        assert_eq!(
            parse(&w("--tail abc"), specs),
            Err(r#"invalid argument "abc" for "--tail" flag: strconv.ParseInt: parsing "abc": invalid syntax"#.into())
        );
        assert_eq!(
            parse(&w("--watch=maybe"), specs),
            Err(r#"invalid argument "maybe" for "-w, --watch" flag: strconv.ParseBool: parsing "maybe": invalid syntax"#.into())
        );
        for bad in ["-", "1.5", "", "0x10"] {
            assert!(parse(&w(&format!("--tail={bad}")), specs).is_err(), "{bad:?}");
        }
        let p = parse(&w("-r 3 --tail=-1 --watch=F"), specs).expect("valid values parse");
        assert_eq!((p.int("replicas"), p.int("tail"), p.bool("watch")), (Some(3), Some(-1), false));
        assert!(parse(&w("--watch=T"), specs).expect("T is true").bool("watch"));
        assert_eq!(parse(&w("--tail=+7"), specs).expect("a sign parses").int("tail"), Some(7));
    }
}
