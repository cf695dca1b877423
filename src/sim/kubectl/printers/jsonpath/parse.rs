//! The JSONPath template parser, following client-go's `util/jsonpath/parser.go` step by step so
//! the same templates are accepted and the same error words come out.

use super::lexical::{go_unicode_verb, slice_groups, split_comparison, unquote_extend};

/// One parsed node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Literal text, outside braces or a quoted string inside them.
    Text(String),
    /// `.name`
    Field(String),
    /// `[start:end:step]`
    Array([Param; 3]),
    /// `[?(left op right)]`, or `[?(left)]` with op `exists`.
    Filter { left: Vec<Node>, right: Vec<Node>, op: String },
    /// A number literal.
    Int(i64),
    /// A decimal literal.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `*`
    Wildcard,
    /// `..`
    Recursive,
    /// `[a,b]`
    Union(Vec<Vec<Node>>),
    /// `range`, `end` (anything else fails when evaluated).
    Identifier(String),
    /// One `{...}` action.
    List(Vec<Node>),
}

/// One slice parameter.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Param {
    /// The number given (or derived).
    pub value: i64,
    /// Whether it was given.
    pub known: bool,
    /// `end` computed as `start + 1` for a single index.
    pub derived: bool,
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    width: usize,
}

/// Parses a whole template into top-level text and action nodes.
pub fn parse(text: &str) -> Result<Vec<Node>, String> {
    let mut p = Parser { input: text, pos: 0, start: 0, width: 0 };
    let mut root = Vec::new();
    loop {
        match p.input[p.pos..].find('{') {
            Some(off) => {
                p.pos += off;
                if p.pos > p.start {
                    root.push(Node::Text(p.consume()));
                }
                p.pos += 1;
                p.consume();
                let mut action = Vec::new();
                p.inside_action(&mut action)?;
                root.push(Node::List(action));
            }
            None => {
                p.pos = p.input.len();
                if p.pos > p.start {
                    root.push(Node::Text(p.consume()));
                }
                return Ok(root);
            }
        }
    }
}

/// `parseAction`: parses `{text}` and returns the nodes of its single action.
fn parse_action(text: &str) -> Result<Vec<Node>, String> {
    let nodes = parse(&format!("{{{text}}}"))?;
    match nodes.into_iter().next() {
        Some(Node::List(inner)) => Ok(inner),
        _ => Ok(Vec::new()),
    }
}

fn is_terminator(r: Option<char>) -> bool {
    matches!(r, None | Some(' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'))
}

fn is_alphanumeric(r: char) -> bool {
    r == '_' || r.is_alphabetic() || r.is_numeric()
}

impl Parser<'_> {
    fn consume(&mut self) -> String {
        let v = self.input[self.start..self.pos].to_string();
        self.start = self.pos;
        v
    }

    fn next(&mut self) -> Option<char> {
        let r = self.input[self.pos..].chars().next();
        self.width = r.map_or(0, char::len_utf8);
        self.pos += self.width;
        r
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn peek(&mut self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    /// `parseInsideAction`, as a loop; returns after the closing `}`.
    fn inside_action(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            if self.rest().starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(());
            }
            if self.rest().starts_with("[?(") {
                self.filter(cur)?;
                continue;
            }
            if self.rest().starts_with("..") {
                self.recursive(cur)?;
                continue;
            }
            match self.next() {
                None | Some('\r' | '\n') => return Err("unclosed action".into()),
                Some(' ' | '@' | '$') => {
                    self.consume();
                }
                Some('[') => self.array(cur)?,
                Some(q @ ('"' | '\'')) => self.quote(cur, q)?,
                Some('.') => self.field(cur),
                Some(r) if r == '+' || r == '-' || r.is_numeric() => {
                    self.backup();
                    self.number(cur)?;
                }
                Some(r) if is_alphanumeric(r) => {
                    self.backup();
                    self.identifier(cur);
                }
                Some(r) => return Err(format!("unrecognized character in action: {}", go_unicode_verb(r))),
            }
        }
    }

    fn identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let r = self.next();
            if is_terminator(r) {
                if r.is_some() {
                    self.backup();
                }
                break;
            }
        }
        let value = self.consume();
        cur.push(match value.as_str() {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            _ => Node::Identifier(value),
        });
    }

    fn recursive(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(cur.last(), Some(Node::Recursive)) {
            return Err("invalid multiple recursive descent".into());
        }
        self.pos += 2;
        self.consume();
        cur.push(Node::Recursive);
        if self.peek().is_some_and(is_alphanumeric) {
            self.field(cur);
        }
        Ok(())
    }

    fn number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        loop {
            match self.next() {
                Some(r) if r == '.' || r.is_ascii_digit() => {}
                Some(_) => {
                    self.backup();
                    break;
                }
                None => break,
            }
        }
        let value = self.consume();
        let digits = value.trim_start_matches('+');
        if let Ok(i) = digits.parse::<i64>() {
            cur.push(Node::Int(i));
            return Ok(());
        }
        match digits.parse::<f64>() {
            Ok(f) if f.is_finite() && digits.chars().any(|c| c.is_ascii_digit()) => {
                cur.push(Node::Float(f));
                Ok(())
            }
            _ => Err(format!("cannot parse number {value}")),
        }
    }

    fn array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated array".into()),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let text = self.consume();
        let mut text = text[1..text.len() - 1].to_string();
        if text == "*" {
            text = ":".into();
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let mut union = Vec::new();
            for part in parts {
                union.push(parse_action(&format!("[{}]", part.trim_matches(' ')))?);
            }
            cur.push(Node::Union(union));
            return Ok(());
        }
        if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') && !text[1..text.len() - 1].contains('\'')
        {
            cur.extend(parse_action(&format!(".{}", &text[1..text.len() - 1]))?);
            return Ok(());
        }
        let groups = slice_groups(&text).ok_or_else(|| format!("invalid array index {text}"))?;
        let mut params = [Param::default(); 3];
        for i in 0..3 {
            let mut v = groups[i].as_str();
            if !v.is_empty() {
                if i > 0 {
                    v = &v[1..];
                }
                if i > 0 && v.is_empty() {
                    params[i].known = false;
                } else {
                    params[i].known = true;
                    params[i].value = v.parse().map_err(|_| format!("array index {v} is not a number"))?;
                }
            } else if i == 1 {
                params[i] = Param { value: params[0].value + 1, known: true, derived: true };
            }
        }
        cur.push(Node::Array(params));
        Ok(())
    }

    fn filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume();
        let (mut begin, mut end, mut pair) = (false, false, '\0');
        loop {
            let r = self.next();
            match r {
                None | Some('\n') => return Err("unterminated filter".into()),
                Some(q @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = q;
                        continue;
                    }
                    if self.input.as_bytes().get(self.pos.wrapping_sub(2)) != Some(&b'\\') && q == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        let text = self.consume();
        let text = &text[..text.len() - 2];
        match split_comparison(text) {
            None => cur.push(Node::Filter { left: parse_action(text)?, right: Vec::new(), op: "exists".into() }),
            Some((l, op, r)) => {
                let left = parse_action(l)?;
                let right = parse_action(r)?;
                cur.push(Node::Filter { left, right, op: op.to_string() });
            }
        }
        Ok(())
    }

    fn quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated quoted string".into()),
                Some(c) if c == end && self.input.as_bytes().get(self.pos.wrapping_sub(2)) != Some(&b'\\') => break,
                Some(_) => {}
            }
        }
        let value = self.consume();
        let s = unquote_extend(&value).map_err(|e| format!("unquote string {value} error {e}"))?;
        cur.push(Node::Text(s));
        Ok(())
    }

    fn field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            let r = self.next();
            if r == Some('\\') {
                self.next();
            } else if is_terminator(r) {
                if r.is_some() {
                    self.backup();
                }
                break;
            }
        }
        let value = self.consume();
        cur.push(if value == "*" { Node::Wildcard } else { Node::Field(value.replace('\\', "")) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_arrays_and_text() {
        let nodes = parse("name: {.items[*].metadata.name}!").expect("valid template");
        assert_eq!(nodes.len(), 3);
        assert_eq!(nodes[0], Node::Text("name: ".into()));
        let Node::List(action) = &nodes[1] else { panic!("expected an action") };
        assert_eq!(action[0], Node::Field("items".into()));
        assert_eq!(action[1], Node::Array([Param::default(), Param::default(), Param::default()]));
        assert_eq!(nodes[2], Node::Text("!".into()));
    }

    #[test]
    fn single_index_derives_its_end() {
        let nodes = parse("{[-1]}").expect("valid template");
        let Node::List(action) = &nodes[0] else { panic!("expected an action") };
        assert_eq!(
            action[0],
            Node::Array([
                Param { value: -1, known: true, derived: false },
                Param { value: 0, known: true, derived: true },
                Param::default()
            ])
        );
    }

    #[test]
    fn errors_use_client_go_words() {
        let cases = [
            ("{.x", "unclosed action"),
            ("{.items[}", "unterminated array"),
            ("{.items[?(@.a==\"b\"}", "unterminated filter"),
            ("{.items[a]}", "invalid array index a"),
            ("{#}", "unrecognized character in action: U+0023 '#'"),
            ("{\"abc}", "unterminated quoted string"),
            ("{.a[?(@.x)x}", "unclosed array expect ]"),
            ("{-}", "cannot parse number -"),
            ("{....}", "invalid multiple recursive descent"),
            ("{.a[1:-]}", "array index - is not a number"),
            ("{'a\\qb'}", "unquote string 'a\\qb' error invalid syntax"),
        ];
        for (template, want) in cases {
            assert_eq!(parse(template).err().as_deref(), Some(want), "{template}");
        }
    }
}
