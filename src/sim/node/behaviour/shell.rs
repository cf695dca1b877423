//! A small POSIX-shell parser for `sh -c "..."` scripts: enough for the loops, tests, redirections and
//! substitutions that container commands use. Unknown constructs parse as plain commands (lenient);
//! only unbalanced quotes and unterminated blocks are syntax errors, with sh's own wording.

use thiserror::Error;

mod lexer;

use lexer::{Lexer, Tok};

/// Why a script does not parse; the message is busybox sh's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShellError {
    /// A quote, `$(` or block was left open.
    #[error("sh: syntax error: unexpected end of file (expecting \"{0}\")")]
    UnexpectedEof(&'static str),
    /// A keyword or operator where a command was expected.
    #[error("sh: syntax error: unexpected \"{0}\"")]
    Unexpected(String),
}

/// One piece of a word before expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    /// `$X`, `${X}`, `${X:-default}`.
    Var(String, Option<String>),
    /// `$(...)` or backquotes: the raw inner script.
    Cmd(String),
    /// `$((...))`: the raw expression.
    Arith(String),
    /// bash's `NAME=(a b c)`: the elements of an array assignment (split on blanks, quotes removed).
    Array(Vec<String>),
}

/// A shell word: parts concatenated after expansion (no field splitting, as in `"$x"`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word(pub Vec<Part>);

impl Word {
    /// The word when it has no expansions (keywords, assignments' names).
    pub fn literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.0 {
            match p {
                Part::Lit(l) => s.push_str(l),
                _ => return None,
            }
        }
        Some(s)
    }
}

/// Where a command's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub fd: u8,
    pub append: bool,
    pub target: Word,
}

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Simple {
        words: Vec<Word>,
        out: Vec<Redirect>,
    },
    /// `while`/`until cond; do body; done`.
    Loop {
        until: bool,
        cond: Vec<Node>,
        body: Vec<Node>,
    },
    For {
        var: String,
        items: Vec<Word>,
        body: Vec<Node>,
    },
    If {
        cond: Vec<Node>,
        then: Vec<Node>,
        otherwise: Vec<Node>,
    },
    Group(Vec<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Pipe(Vec<Node>),
    Background(Box<Node>),
    /// `case ... esac` and function definitions: parsed, not simulated.
    Opaque,
}

struct Parser {
    toks: Vec<Tok>,
    i: usize,
}

fn is_kw(t: Option<&Tok>, kw: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.literal().as_deref() == Some(kw))
}

const TERMINATORS: [&str; 8] = ["do", "done", "then", "else", "elif", "fi", "}", "esac"];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(Tok::Op(";" | "\n"))) {
            self.i += 1;
        }
    }

    fn expect_kw(&mut self, kw: &'static str) -> Result<(), ShellError> {
        self.skip_separators();
        if is_kw(self.peek(), kw) {
            self.i += 1;
            Ok(())
        } else {
            match self.peek() {
                None => Err(ShellError::UnexpectedEof(kw)),
                Some(Tok::Word(w)) => Err(ShellError::Unexpected(w.literal().unwrap_or_default())),
                Some(Tok::Op(op)) => Err(ShellError::Unexpected(op.to_string())),
                Some(Tok::Redir(_)) => Err(ShellError::Unexpected(">".into())),
            }
        }
    }

    /// A list of commands up to a terminator keyword, `)` or the end.
    fn list(&mut self) -> Result<Vec<Node>, ShellError> {
        let mut nodes = Vec::new();
        loop {
            self.skip_separators();
            match self.peek() {
                None | Some(Tok::Op(")" | ";;")) => break,
                t if TERMINATORS.iter().any(|k| is_kw(t, k)) => break,
                _ => {}
            }
            let mut node = self.and_or()?;
            if matches!(self.peek(), Some(Tok::Op("&"))) {
                self.i += 1;
                node = Node::Background(Box::new(node));
            }
            nodes.push(node);
        }
        Ok(nodes)
    }

    fn and_or(&mut self) -> Result<Node, ShellError> {
        let mut left = self.pipeline()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(op @ ("&&" | "||"))) => *op,
                _ => return Ok(left),
            };
            self.i += 1;
            while matches!(self.peek(), Some(Tok::Op("\n"))) {
                self.i += 1;
            }
            let right = self.pipeline()?;
            left = if op == "&&" {
                Node::And(Box::new(left), Box::new(right))
            } else {
                Node::Or(Box::new(left), Box::new(right))
            };
        }
    }

    fn pipeline(&mut self) -> Result<Node, ShellError> {
        let negate = is_kw(self.peek(), "!");
        if negate {
            self.i += 1;
        }
        let mut cmds = vec![self.command()?];
        while matches!(self.peek(), Some(Tok::Op("|"))) {
            self.i += 1;
            while matches!(self.peek(), Some(Tok::Op("\n"))) {
                self.i += 1;
            }
            cmds.push(self.command()?);
        }
        let node = if cmds.len() == 1 { cmds.pop().expect("one command is there") } else { Node::Pipe(cmds) };
        Ok(if negate { Node::Not(Box::new(node)) } else { node })
    }

    fn command(&mut self) -> Result<Node, ShellError> {
        let kw = match self.peek() {
            Some(Tok::Word(w)) => w.literal(),
            Some(Tok::Op("(")) => {
                self.i += 1;
                let inner = self.list()?;
                if !matches!(self.peek(), Some(Tok::Op(")"))) {
                    return Err(ShellError::UnexpectedEof(")"));
                }
                self.i += 1;
                return Ok(Node::Group(inner));
            }
            Some(Tok::Op(op)) => return Err(ShellError::Unexpected(op.to_string())),
            _ => None,
        };
        match kw.as_deref() {
            Some(k @ ("while" | "until")) => {
                self.i += 1;
                let cond = self.list()?;
                self.expect_kw("do")?;
                let body = self.list()?;
                self.expect_kw("done")?;
                Ok(Node::Loop { until: k == "until", cond, body })
            }
            Some("for") => self.for_loop(),
            Some("if") => self.if_clause(),
            Some("{") => {
                self.i += 1;
                let inner = self.list()?;
                self.expect_kw("}")?;
                Ok(Node::Group(inner))
            }
            Some("case") => {
                while self.peek().is_some() && !is_kw(self.peek(), "esac") {
                    self.i += 1;
                }
                self.expect_kw("esac")?;
                Ok(Node::Opaque)
            }
            Some(k) if TERMINATORS.contains(&k) => Err(ShellError::Unexpected(k.to_string())),
            _ => self.simple(),
        }
    }

    fn for_loop(&mut self) -> Result<Node, ShellError> {
        self.i += 1;
        let var = match self.peek() {
            Some(Tok::Word(w)) => w.literal().unwrap_or_default(),
            _ => return Err(ShellError::UnexpectedEof("in")),
        };
        self.i += 1;
        let mut items = Vec::new();
        if is_kw(self.peek(), "in") {
            self.i += 1;
            while let Some(Tok::Word(w)) = self.peek() {
                items.push(w.clone());
                self.i += 1;
            }
        }
        self.expect_kw("do")?;
        let body = self.list()?;
        self.expect_kw("done")?;
        Ok(Node::For { var, items, body })
    }

    fn if_clause(&mut self) -> Result<Node, ShellError> {
        self.i += 1;
        let cond = self.list()?;
        self.expect_kw("then")?;
        let then = self.list()?;
        self.skip_separators();
        let otherwise = if is_kw(self.peek(), "elif") {
            // `elif` is an `if` nested in the else branch that shares the `fi`.
            let nested = self.if_clause()?;
            return Ok(Node::If { cond, then, otherwise: vec![nested] });
        } else if is_kw(self.peek(), "else") {
            self.i += 1;
            self.list()?
        } else {
            Vec::new()
        };
        self.expect_kw("fi")?;
        Ok(Node::If { cond, then, otherwise })
    }

    fn simple(&mut self) -> Result<Node, ShellError> {
        let mut words = Vec::new();
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Some(Tok::Word(w)) => {
                    // `name() { ...; }` defines a function: skip its body.
                    words.push(w.clone());
                    self.i += 1;
                }
                Some(Tok::Redir(r)) => {
                    out.push(r.clone());
                    self.i += 1;
                }
                Some(Tok::Op("(")) if words.len() == 1 => {
                    self.i += 1;
                    if matches!(self.peek(), Some(Tok::Op(")"))) {
                        self.i += 1;
                    }
                    self.skip_separators();
                    self.command()?;
                    return Ok(Node::Opaque);
                }
                _ => break,
            }
        }
        Ok(Node::Simple { words, out })
    }
}

/// Parses a script into commands.
pub fn parse(script: &str) -> Result<Vec<Node>, ShellError> {
    let toks = Lexer::new(script).tokens()?;
    let mut p = Parser { toks, i: 0 };
    let nodes = p.list()?;
    match p.peek() {
        None => Ok(nodes),
        Some(Tok::Word(w)) => Err(ShellError::Unexpected(w.literal().unwrap_or_default())),
        Some(Tok::Op(op)) => Err(ShellError::Unexpected(op.to_string())),
        Some(Tok::Redir(_)) => Err(ShellError::Unexpected(">".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Word {
        Word(vec![Part::Lit(s.into())])
    }

    fn simple(ws: &[&str]) -> Node {
        Node::Simple { words: ws.iter().map(|w| lit(w)).collect(), out: vec![] }
    }

    #[test]
    fn sequences_and_conditionals() {
        assert_eq!(parse("echo hi; sleep 5").expect("valid"), vec![simple(&["echo", "hi"]), simple(&["sleep", "5"])]);
        assert_eq!(
            parse("true && echo a || echo b").expect("valid"),
            vec![Node::Or(
                Box::new(Node::And(Box::new(simple(&["true"])), Box::new(simple(&["echo", "a"])))),
                Box::new(simple(&["echo", "b"]))
            )]
        );
    }

    #[test]
    fn quotes_and_expansions() {
        let nodes = parse(r#"echo "$i: $(date)" 'a $b' \"x"#).expect("valid");
        let Node::Simple { words, .. } = &nodes[0] else { panic!("simple command expected") };
        assert_eq!(words[1].0, vec![Part::Var("i".into(), None), Part::Lit(": ".into()), Part::Cmd("date".into())]);
        assert_eq!(words[2], lit("a $b"));
        assert_eq!(words[3], lit("\"x"));
        let nodes = parse("i=$((i+1)); echo ${X:-def}").expect("valid");
        let Node::Simple { words, .. } = &nodes[0] else { panic!("simple command expected") };
        assert_eq!(words[0].0, vec![Part::Lit("i=".into()), Part::Arith("i+1".into())]);
        let Node::Simple { words, .. } = &nodes[1] else { panic!("simple command expected") };
        assert_eq!(words[1].0, vec![Part::Var("X".into(), Some("def".into()))]);
    }

    #[test]
    fn loops_ifs_and_redirects() {
        let nodes =
            parse("i=0; while true; do echo \"$i\" >> /var/log/1.log; i=$((i+1)); sleep 1; done").expect("valid");
        assert_eq!(nodes.len(), 2);
        let Node::Loop { until: false, cond, body } = &nodes[1] else { panic!("loop expected: {:?}", nodes[1]) };
        assert_eq!(cond, &vec![simple(&["true"])]);
        let Node::Simple { out, .. } = &body[0] else { panic!("simple command expected") };
        assert!(out[0].append && out[0].target == lit("/var/log/1.log"));
        let nodes = parse("if [ -f /tmp/x ]; then echo yes\nelif false; then echo no; else exit 3; fi").expect("valid");
        assert!(matches!(&nodes[0], Node::If { otherwise, .. } if matches!(otherwise[0], Node::If { .. })));
        let nodes = parse("for i in 1 2 3; do echo $i; done 2>&1").expect("valid");
        assert!(matches!(&nodes[0], Node::For { var, items, .. } if var == "i" && items.len() == 3));
        let nodes = parse("until nslookup db; do echo waiting; sleep 2; done").expect("valid");
        assert!(matches!(&nodes[0], Node::Loop { until: true, .. }));
    }

    #[test]
    fn multiline_scripts_with_comments_and_continuations() {
        let script = "set -ex\n# a comment\n[[ `hostname` =~ -([0-9]+)$ ]] || exit 1\necho one \\\n  two\ncase $x in a) echo a;; esac\nf() { echo f; }\n";
        let nodes = parse(script).expect("valid");
        assert_eq!(nodes.len(), 5, "{nodes:?}");
        assert_eq!(nodes[2], simple(&["echo", "one", "two"]));
        assert_eq!(nodes[3], Node::Opaque);
    }

    #[test]
    fn syntax_errors_read_like_sh() {
        for (script, want) in [
            ("echo 'unterminated", "sh: syntax error: unexpected end of file (expecting \"'\")"),
            ("while true; do echo", "sh: syntax error: unexpected end of file (expecting \"done\")"),
            ("if true; then echo x", "sh: syntax error: unexpected end of file (expecting \"fi\")"),
            ("done", "sh: syntax error: unexpected \"done\""),
            ("echo $(date", "sh: syntax error: unexpected end of file (expecting \")\")"),
        ] {
            assert_eq!(parse(script).map_err(|e| e.to_string()), Err(want.to_string()), "{script}");
        }
    }

    #[test]
    fn background_and_pipes() {
        let nodes = parse("nginx & tail -f /dev/null | cat").expect("valid");
        assert!(matches!(&nodes[0], Node::Background(_)));
        assert!(matches!(&nodes[1], Node::Pipe(v) if v.len() == 2));
    }
}
