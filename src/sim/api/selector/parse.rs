//! The grammar of kubectl's `-l` selectors, with apimachinery's lexer rules and error words.

use super::requirement::new_requirement;
use super::{Op, Requirement, Selector, SelectorError};
use crate::sim::api::validation::gofmt::quote;
use crate::sim::api::validation::names::is_qualified_name;
use crate::sim::sort::StableSort;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    End,
    OpenPar,
    ClosePar,
    Comma,
    Not,
    Eq,
    DoubleEq,
    NotEq,
    Gt,
    Lt,
    In,
    NotIn,
    Ident(String),
}

impl Token {
    fn literal(&self) -> String {
        match self {
            Token::End => String::new(),
            Token::OpenPar => "(".into(),
            Token::ClosePar => ")".into(),
            Token::Comma => ",".into(),
            Token::Not => "!".into(),
            Token::Eq => "=".into(),
            Token::DoubleEq => "==".into(),
            Token::NotEq => "!=".into(),
            Token::Gt => ">".into(),
            Token::Lt => "<".into(),
            Token::In => "in".into(),
            Token::NotIn => "notin".into(),
            Token::Ident(s) => s.clone(),
        }
    }
    /// In value position the keywords `in`/`notin` are ordinary identifiers.
    fn into_value(self) -> Token {
        match self {
            Token::In | Token::NotIn => Token::Ident(self.literal()),
            t => t,
        }
    }
}

fn lex(s: &str) -> Vec<Token> {
    let special = |c: char| "=!(),><".contains(c);
    // Go's `isWhitespace`: only these four, not Unicode's spaces.
    let blank = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if blank(c) {
            i += 1;
        } else if special(c) {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let (tok, len) = match (two.as_str(), c) {
                ("==", _) => (Token::DoubleEq, 2),
                ("!=", _) => (Token::NotEq, 2),
                (_, '=') => (Token::Eq, 1),
                (_, '!') => (Token::Not, 1),
                (_, '(') => (Token::OpenPar, 1),
                (_, ')') => (Token::ClosePar, 1),
                (_, ',') => (Token::Comma, 1),
                (_, '>') => (Token::Gt, 1),
                _ => (Token::Lt, 1),
            };
            out.push(tok);
            i += len;
        } else {
            let start = i;
            while i < chars.len() && !blank(chars[i]) && !special(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push(match word.as_str() {
                "in" => Token::In,
                "notin" => Token::NotIn,
                _ => Token::Ident(word),
            });
        }
    }
    out.push(Token::End);
    out
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Token {
        self.tokens.get(self.pos).cloned().unwrap_or(Token::End).into_value()
    }
    fn next_raw(&mut self) -> Token {
        let t = self.tokens.get(self.pos).cloned().unwrap_or(Token::End);
        self.pos += 1;
        t
    }
    fn next(&mut self) -> Token {
        self.next_raw().into_value()
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let mut tok = self.next();
        let negated = tok == Token::Not;
        if negated {
            tok = self.next();
        }
        let Token::Ident(key) = tok else {
            return Err(format!("found '{}', expected: identifier", tok.literal()));
        };
        let key_errs = is_qualified_name(&key);
        if !key_errs.is_empty() {
            // The parser checks the key with a nil field path, which Go prints as `<nil>`.
            return Err(format!("<nil>: Invalid value: {}: {}", quote(&key), key_errs.join("; ")));
        }
        // `!key` is complete: whatever follows is the next token's business (`!a=b` fails there).
        if negated {
            return new_requirement(&key, Op::DoesNotExist, Vec::new(), false).map_err(|e| e.0);
        }
        if matches!(self.peek(), Token::End | Token::Comma) {
            return new_requirement(&key, Op::Exists, Vec::new(), false).map_err(|e| e.0);
        }
        let op = match self.next_raw() {
            Token::In => Op::In,
            Token::NotIn => Op::NotIn,
            Token::Eq => Op::Equals,
            Token::DoubleEq => Op::DoubleEquals,
            Token::NotEq => Op::NotEquals,
            Token::Gt => Op::GreaterThan,
            Token::Lt => Op::LessThan,
            other => return Err(format!("found '{}', expected: in, notin, =, ==, !=, gt, lt", other.literal())),
        };
        let values = match op {
            Op::In | Op::NotIn => self.value_list()?,
            _ => self.exact_value()?,
        };
        new_requirement(&key, op, values, false).map_err(|e| e.0)
    }

    fn value_list(&mut self) -> Result<Vec<String>, String> {
        let open = self.next();
        if open != Token::OpenPar {
            return Err(format!("found '{}' expected: '('", open.literal()));
        }
        let mut values = Vec::new();
        match self.peek() {
            Token::ClosePar => {
                self.next();
                return Ok(vec![String::new()]);
            }
            Token::Ident(_) | Token::Comma => {}
            other => return Err(format!("found '{}', expected: ',', ')' or identifier", other.literal())),
        }
        loop {
            match self.next() {
                Token::Ident(v) => {
                    values.push(v);
                    match self.peek() {
                        Token::Comma => {
                            self.next();
                            if self.peek() == Token::ClosePar {
                                values.push(String::new());
                            }
                        }
                        Token::ClosePar => {
                            self.next();
                            return Ok(values);
                        }
                        other => return Err(format!("found '{}', expected: ',' or ')'", other.literal())),
                    }
                }
                Token::Comma => values.push(String::new()),
                Token::ClosePar => return Ok(values),
                other => return Err(format!("found '{}', expected: ',', or identifier", other.literal())),
            }
        }
    }

    fn exact_value(&mut self) -> Result<Vec<String>, String> {
        match self.peek() {
            Token::End | Token::Comma => Ok(vec![String::new()]),
            _ => match self.next() {
                Token::Ident(v) => Ok(vec![v]),
                other => Err(format!("found '{}', expected: identifier", other.literal())),
            },
        }
    }
}

/// Parses kubectl's `-l` syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`.
pub fn parse_selector(s: &str) -> Result<Selector, SelectorError> {
    let mut p = Parser { tokens: lex(s), pos: 0 };
    let mut reqs = Vec::new();
    loop {
        match p.peek() {
            Token::End => break,
            Token::Ident(_) | Token::Not => {
                let r = p.requirement().map_err(|e| SelectorError(format!("unable to parse requirement: {e}")))?;
                reqs.push(r);
                match p.next() {
                    Token::End => break,
                    Token::Comma => match p.peek() {
                        Token::Ident(_) | Token::Not => {}
                        t => {
                            return Err(SelectorError(format!(
                                "found '{}', expected: identifier after ','",
                                t.literal()
                            )));
                        }
                    },
                    t => {
                        return Err(SelectorError(format!(
                            "found '{}', expected: ',' or 'end of string'",
                            t.literal()
                        )));
                    }
                }
            }
            t => {
                return Err(SelectorError(format!(
                    "found '{}', expected: !, identifier, or 'end of string'",
                    t.literal()
                )));
            }
        }
    }
    reqs.stable_sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Selector { requirements: reqs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_and_matches() {
        let sel = parse_selector("app=web,tier!=db,env in (a,b),!legacy").expect("valid");
        // Sorted by key, as apimachinery sorts requirements.
        assert_eq!(sel.to_string(), "app=web,env in (a,b),!legacy,tier!=db");
        let cases = [
            (labels(&[("app", "web"), ("env", "a")]), true),
            (labels(&[("app", "web"), ("env", "b"), ("tier", "front")]), true),
            (labels(&[("app", "web"), ("env", "a"), ("tier", "db")]), false),
            (labels(&[("app", "web"), ("env", "c")]), false),
            (labels(&[("app", "web"), ("env", "a"), ("legacy", "")]), false),
            (labels(&[]), false),
        ];
        for (l, want) in cases {
            assert_eq!(sel.matches(&l), want, "{l:?}");
        }
        assert!(parse_selector("").expect("empty selector").matches(&labels(&[])));
        assert!(parse_selector("app==web").expect("valid").matches(&labels(&[("app", "web")])));
        assert!(parse_selector("a notin (x)").expect("valid").matches(&labels(&[])));
        assert!(parse_selector("gpu>2").expect("valid").matches(&labels(&[("gpu", "4")])));
        assert!(parse_selector("app=").expect("valid").matches(&labels(&[("app", "")])));
        assert!(parse_selector("x in (in,notin)").expect("valid").matches(&labels(&[("x", "in")])));
        // Go's documented example: empty values, a bare key, an empty set.
        let doc = parse_selector("x in (foo,,baz),y,z notin ()").expect("valid");
        assert_eq!(doc.to_string(), "x in (,baz,foo),y,z notin ()");
        // Tabs and newlines separate; keys may have a prefix; `in` is a key in key position.
        let spaced = parse_selector("\tk8s.io/app\n==  web ,in").expect("valid");
        assert_eq!(spaced.to_string(), "in,k8s.io/app==web");
        assert!(parse_selector("a>-1").is_err(), "a label value cannot start with '-'");
        assert!(parse_selector("a<10").expect("valid").matches(&labels(&[("a", "9")])));
    }

    #[test]
    fn reports_errors_in_apimachinery_words() {
        let cases = [
            ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
            ("a=b c", "found 'c', expected: ',' or 'end of string'"),
            ("a=b,", "found '', expected: identifier after ','"),
            ("=b", "found '=', expected: !, identifier, or 'end of string'"),
            ("a in b", "unable to parse requirement: found 'b' expected: '('"),
            ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
            (
                "a>b",
                "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer",
            ),
            ("!a=b", "found '=', expected: ',' or 'end of string'"),
            ("a,,b", "found ',', expected: identifier after ','"),
            ("a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
            ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
            ("(a", "found '(', expected: !, identifier, or 'end of string'"),
            ("!", "unable to parse requirement: found '', expected: identifier"),
            ("a=(b", "unable to parse requirement: found '(', expected: identifier"),
            (
                "app:web",
                "unable to parse requirement: <nil>: Invalid value: \"app:web\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ),
            ("a=b!", "found '!', expected: ',' or 'end of string'"),
        ];
        for (s, want) in cases {
            assert_eq!(parse_selector(s).map_err(|e| e.0), Err(want.to_string()), "{s}");
        }
        let bad_key = parse_selector("a b c=d").expect_err("bad");
        assert!(bad_key.0.starts_with("unable to parse requirement"));
        let bad_value = parse_selector("a=b c!").expect_err("bad");
        assert!(!bad_value.0.is_empty());
        assert!(parse_selector("a=-x").expect_err("bad value").0.contains("a valid label must be"));
    }
}
