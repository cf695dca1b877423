//! Splitting a shell script into words, operators and redirections, with quotes, escapes and
//! `$`-expansions kept as parts of words.

use super::{Part, Redirect, ShellError, Word};

/// One token of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Word(Word),
    /// `;`, newline, `&`, `&&`, `||`, `|`, `(`, `)`, `;;`.
    Op(&'static str),
    Redir(Redirect),
}

/// Reads the tokens of a script, left to right.
pub(super) struct Lexer<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    /// Inside `[[ ... ]]`, where `(`, `)`, `<` and `>` belong to the test (regexes, comparisons).
    test_mode: bool,
}

const OPS: [&str; 9] = [";;", "&&", "||", ";", "&", "|", "(", ")", "\n"];

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub(super) fn new(src: &'a str) -> Self {
        Lexer { s: src.as_bytes(), src, i: 0, test_mode: false }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Reads up to the `close` that balances the already consumed `open`.
    fn balanced(&mut self, open: u8, close: u8) -> Result<String, ShellError> {
        let start = self.i;
        let mut depth = 1;
        let mut quote: Option<u8> = None;
        while let Some(c) = self.peek() {
            self.i += 1;
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(c),
                (None, b'\\') => self.i += 1,
                (None, c) if c == open => depth += 1,
                (None, c) if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(self.src[start..self.i - 1].to_string());
                    }
                }
                _ => {}
            }
        }
        Err(ShellError::UnexpectedEof(if close == b')' { ")" } else { "}" }))
    }

    fn name(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
            self.i += 1;
        }
        if self.i == start && self.peek().is_some_and(|c| matches!(c, b'?' | b'#' | b'@' | b'*' | b'$' | b'!')) {
            self.i += 1;
        }
        self.src[start..self.i].to_string()
    }

    fn dollar(&mut self, parts: &mut Vec<Part>) -> Result<(), ShellError> {
        // self.i is just past '$'.
        if self.s[self.i..].starts_with(b"((") {
            self.i += 2;
            let inner = self.balanced(b'(', b')')?;
            if self.peek() == Some(b')') {
                self.i += 1;
            }
            parts.push(Part::Arith(inner.trim_end_matches(')').to_string()));
        } else if self.peek() == Some(b'(') {
            self.i += 1;
            parts.push(Part::Cmd(self.balanced(b'(', b')')?));
        } else if self.peek() == Some(b'{') {
            self.i += 1;
            let inner = self.balanced(b'{', b'}')?;
            let (name, default) = match inner.find(":-").or_else(|| inner.find(":=")) {
                Some(i) => (inner[..i].to_string(), Some(inner[i + 2..].to_string())),
                None => (inner, None),
            };
            parts.push(Part::Var(name, default));
        } else {
            let n = self.name();
            if n.is_empty() {
                parts.push(Part::Lit("$".into()));
            } else {
                parts.push(Part::Var(n, None));
            }
        }
        Ok(())
    }

    fn push_lit(parts: &mut Vec<Part>, c: char) {
        if let Some(Part::Lit(s)) = parts.last_mut() {
            s.push(c);
        } else {
            parts.push(Part::Lit(c.to_string()));
        }
    }

    fn next_char(&mut self) -> char {
        let c = self.src[self.i..].chars().next().unwrap_or('\0');
        self.i += c.len_utf8().max(1);
        c
    }

    fn word(&mut self) -> Result<Word, ShellError> {
        let mut parts = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' => break,
                // bash's array assignment, `items=(foo bar baz)`: the parenthesis belongs to the word.
                b'(' if !self.test_mode && array_name(&parts) => {
                    self.i += 1;
                    let inner = self.balanced(b'(', b')')?;
                    let items =
                        inner.split_whitespace().map(|w| w.trim_matches(|c| c == '"' || c == '\'')).map(str::to_string);
                    parts.push(Part::Array(items.collect()));
                }
                b'(' | b')' | b'<' | b'>' if !self.test_mode => break,
                b'\'' => {
                    self.i += 1;
                    let start = self.i;
                    while self.peek().is_some_and(|c| c != b'\'') {
                        self.i += 1;
                    }
                    if self.peek().is_none() {
                        return Err(ShellError::UnexpectedEof("'"));
                    }
                    let lit = self.src[start..self.i].to_string();
                    self.i += 1;
                    parts.push(Part::Lit(lit));
                    if parts.len() > 1 {
                        merge_lits(&mut parts);
                    }
                }
                b'"' => {
                    self.i += 1;
                    loop {
                        match self.peek() {
                            None => return Err(ShellError::UnexpectedEof("\"")),
                            Some(b'"') => {
                                self.i += 1;
                                break;
                            }
                            Some(b'\\') => {
                                self.i += 1;
                                match self.peek() {
                                    Some(b'"' | b'\\' | b'$' | b'`') => {
                                        let ch = self.next_char();
                                        Self::push_lit(&mut parts, ch);
                                    }
                                    Some(b'\n') => self.i += 1,
                                    _ => Self::push_lit(&mut parts, '\\'),
                                }
                            }
                            Some(b'$') => {
                                self.i += 1;
                                self.dollar(&mut parts)?;
                            }
                            Some(b'`') => {
                                self.i += 1;
                                parts.push(Part::Cmd(self.backquoted()?));
                            }
                            Some(_) => {
                                let ch = self.next_char();
                                Self::push_lit(&mut parts, ch);
                            }
                        }
                    }
                    // `""` is an empty word, not nothing.
                    if parts.is_empty() {
                        parts.push(Part::Lit(String::new()));
                    }
                }
                b'\\' => {
                    self.i += 1;
                    if self.peek() == Some(b'\n') {
                        self.i += 1;
                    } else if self.peek().is_some() {
                        let ch = self.next_char();
                        Self::push_lit(&mut parts, ch);
                    }
                }
                b'$' => {
                    self.i += 1;
                    self.dollar(&mut parts)?;
                }
                b'`' => {
                    self.i += 1;
                    parts.push(Part::Cmd(self.backquoted()?));
                }
                _ => {
                    let ch = self.next_char();
                    Self::push_lit(&mut parts, ch);
                }
            }
        }
        Ok(Word(parts))
    }

    fn backquoted(&mut self) -> Result<String, ShellError> {
        let start = self.i;
        while self.peek().is_some_and(|c| c != b'`') {
            self.i += 1;
        }
        if self.peek().is_none() {
            return Err(ShellError::UnexpectedEof("`"));
        }
        self.i += 1;
        Ok(self.src[start..self.i - 1].to_string())
    }

    fn redirect(&mut self, fd: u8) -> Result<Tok, ShellError> {
        // At '>' or '<'.
        let input = self.peek() == Some(b'<');
        self.i += 1;
        let append = !input && self.peek() == Some(b'>');
        if append {
            self.i += 1;
        }
        if self.peek() == Some(b'&') {
            // 2>&1, >&2: duplicating descriptors changes nothing we simulate.
            self.i += 1;
            self.word()?;
            return Ok(Tok::Redir(Redirect { fd: 255, append, target: Word::default() }));
        }
        while self.peek().is_some_and(|c| c == b' ' || c == b'\t') {
            self.i += 1;
        }
        let target = self.word()?;
        Ok(Tok::Redir(Redirect { fd: if input { 0 } else { fd }, append, target }))
    }

    /// Every token of the script, or the syntax error sh would report.
    pub(super) fn tokens(mut self) -> Result<Vec<Tok>, ShellError> {
        let mut out = Vec::new();
        loop {
            while self.peek().is_some_and(|c| c == b' ' || c == b'\t' || c == b'\r') {
                self.i += 1;
            }
            let Some(c) = self.peek() else { break };
            if c == b'\\' && self.s.get(self.i + 1) == Some(&b'\n') {
                self.i += 2;
                continue;
            }
            if c == b'#' {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.i += 1;
                }
                continue;
            }
            if self.test_mode && matches!(c, b'(' | b')' | b'<' | b'>') {
                out.push(Tok::Word(self.word()?));
                continue;
            }
            if c == b'>' || c == b'<' {
                out.push(self.redirect(1)?);
                continue;
            }
            if c.is_ascii_digit() && matches!(self.s.get(self.i + 1), Some(b'>' | b'<')) {
                self.i += 1;
                out.push(self.redirect(c - b'0')?);
                continue;
            }
            if c == b'&' && self.s.get(self.i + 1) == Some(&b'>') {
                self.i += 1;
                out.push(self.redirect(2)?);
                continue;
            }
            if let Some(op) = OPS.iter().find(|op| self.s[self.i..].starts_with(op.as_bytes())) {
                self.i += op.len();
                out.push(Tok::Op(op));
                continue;
            }
            let w = self.word()?;
            match w.literal().as_deref() {
                Some("[[") => self.test_mode = true,
                Some("]]") => self.test_mode = false,
                _ => {}
            }
            out.push(Tok::Word(w));
        }
        Ok(out)
    }
}

/// Whether the word so far is `NAME=`, so that a `(` starts an array assignment.
fn array_name(parts: &[Part]) -> bool {
    let [Part::Lit(l)] = parts else { return false };
    let Some(name) = l.strip_suffix('=') else { return false };
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

fn merge_lits(parts: &mut Vec<Part>) {
    let mut merged: Vec<Part> = Vec::with_capacity(parts.len());
    for p in parts.drain(..) {
        match (merged.last_mut(), p) {
            (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
            (_, p) => merged.push(p),
        }
    }
    *parts = merged;
}
