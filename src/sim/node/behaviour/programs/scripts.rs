//! One-liners in interpreted languages (`perl -e`, `python3 -c`, `node -e`), read heuristically: their
//! prints become log lines, sleeps take time, exits end the process. Script files return `None`
//! (the caller treats them as unknown programs).

use std::collections::BTreeMap;

use super::super::interp::{Effect, Exec};
use super::super::{End, Line, Piece, Server, Step};
use super::ServerKind;

const MIB: u64 = 1 << 20;

/// The first string literal in `s` (`"..."` or `'...'`, optionally f-prefixed), unescaped.
fn string_literal(s: &str) -> Option<String> {
    let start = s.find(['"', '\''])?;
    let quote = s[start..].chars().next()?;
    let body = &s[start + 1..];
    let end = body.find(quote)?;
    Some(body[..end].replace("\\n", "\n").replace("\\t", "\t"))
}

/// The text between the first `(` after `call` and its matching `)`.
fn call_args<'a>(line: &'a str, call: &str) -> Option<&'a str> {
    let at = line.find(call)? + call.len();
    let rest = line[at..].strip_prefix('(')?;
    let mut depth = 1;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// `perl -Mbignum=bpi -wle 'print bpi(2000)'` and friends.
pub fn perl(ex: &mut Exec<'_>, rest: &[String]) -> Option<Effect> {
    let mut script = None;
    let mut i = 0;
    while let Some(a) = rest.get(i) {
        if !a.starts_with('-') {
            return None;
        }
        if !a.starts_with("-M") && !a.starts_with("-I") && (a.contains('e') || a.contains('E')) && a != "-de0" {
            script = rest.get(i + 1);
            break;
        }
        i += 1;
    }
    ex.memory_hint = 8 * MIB;
    let Some(script) = script else { return Some(Effect::status(0)) };
    let mut steps = Vec::new();
    let mut end = End::Exit(0);
    for stmt in script.split(';').map(str::trim) {
        if let Some(n) = call_args(stmt, "bpi").and_then(|a| a.trim().parse::<u32>().ok()) {
            let n = n.clamp(1, 10_000);
            steps.push(Step::Work(u64::from(n) * u64::from(n) / 800));
            steps.push(Step::Log(Line(vec![Piece::Pi(n)])));
        } else if let Some(rest) = stmt.strip_prefix("print") {
            steps.push(Step::Log(Line::text(
                string_literal(rest).unwrap_or_default().trim_end_matches('\n').to_string(),
            )));
        } else if let Some(secs) =
            stmt.strip_prefix("sleep").and_then(|s| s.trim().trim_matches(['(', ')']).parse::<u64>().ok())
        {
            steps.push(Step::Sleep(secs * 1000));
        } else if let Some(code) = stmt.strip_prefix("exit") {
            end = End::Exit(code.trim().trim_matches(['(', ')']).parse().unwrap_or(0));
            break;
        } else if let Some(msg) = stmt.strip_prefix("die") {
            steps.push(Step::Log(Line::text(format!(
                "{} at -e line 1.",
                string_literal(msg).unwrap_or_else(|| "Died".into())
            ))));
            end = End::Exit(255);
            break;
        }
    }
    Some(Effect { steps, end: Some(end), ..Effect::default() })
}

/// Evaluates the simple conditions Job examples use: `int(os.environ.get("JOB_COMPLETION_INDEX")) % 2 == 0`.
/// Conditions it cannot read are false.
pub fn python_condition(expr: &str, env: &BTreeMap<String, String>) -> bool {
    let expr = expr.trim();
    match expr {
        "True" | "1" => return true,
        "False" | "0" | "None" => return false,
        _ => {}
    }
    let var = ["os.environ.get(", "os.getenv(", "os.environ["].iter().find_map(|p| {
        let at = expr.find(p)? + p.len();
        string_literal(&expr[at..])
    });
    let Some(var) = var else { return false };
    let value = env.get(&var).cloned().unwrap_or_default();
    let (op, rhs) = match ["==", "!=", ">=", "<=", ">", "<"]
        .iter()
        .find_map(|op| expr.rsplit_once(op).map(|(_, r)| (*op, r.trim())))
    {
        Some(x) => x,
        None => return !value.is_empty(),
    };
    if expr.starts_with("int(") {
        let mut v: i64 = value.trim().parse().unwrap_or(0);
        if let Some(m) =
            expr.split('%').nth(1).and_then(|m| m.split_whitespace().next()).and_then(|m| m.parse::<i64>().ok())
        {
            v = v.checked_rem(m).unwrap_or(0);
        }
        let r: i64 = rhs.parse().unwrap_or(0);
        return match op {
            "==" => v == r,
            "!=" => v != r,
            ">=" => v >= r,
            "<=" => v <= r,
            ">" => v > r,
            _ => v < r,
        };
    }
    let r = string_literal(rhs).unwrap_or_else(|| rhs.to_string());
    if op == "==" { value == r } else { value != r }
}

/// `python3 -c "..."`, `python -m http.server 8000`; no arguments: the REPL reads EOF and exits.
pub fn python(ex: &mut Exec<'_>, rest: &[String]) -> Option<Effect> {
    ex.memory_hint = 10 * MIB;
    let args: Vec<&String> =
        rest.iter().filter(|a| !matches!(a.as_str(), "-u" | "-B" | "-O" | "-OO" | "-E" | "-s")).collect();
    match args.first().map(|s| s.as_str()) {
        None => Some(Effect::status(0)),
        Some("-c") => Some(python_script(ex, args.get(1).map_or("", |s| s.as_str()))),
        Some("-m") => match args.get(1).map(|s| s.as_str()) {
            Some("http.server" | "SimpleHTTPServer") => {
                let port = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(8000);
                Some(Effect::end(End::Serve(Server {
                    kind: ServerKind::PythonHttp,
                    ports: vec![port],
                    ready_after: 300,
                })))
            }
            Some("pip") => Some(Effect { steps: vec![Step::Work(4000)], ..Effect::default() }),
            _ => None,
        },
        Some("-V" | "--version") => Some(Effect::out(vec![Line::text("Python 3.13.1")])),
        Some(_) => None,
    }
}

fn python_script(ex: &mut Exec<'_>, script: &str) -> Effect {
    let mut steps = Vec::new();
    let mut body: Option<(usize, Vec<Step>)> = None;
    let mut skip_deeper_than: Option<usize> = None;
    let mut last_if: Option<(usize, bool)> = None;
    let mut end = None;
    for raw in script.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        if skip_deeper_than.is_some_and(|d| indent > d) {
            continue;
        }
        skip_deeper_than = None;
        if body.as_ref().is_some_and(|(d, _)| indent <= *d) {
            break; // after `while True:` nothing runs
        }
        let target = match body.as_mut() {
            Some((_, b)) => b,
            None => &mut steps,
        };
        if let Some(cond) = line.strip_prefix("if ").and_then(|c| c.strip_suffix(':')) {
            let taken = python_condition(cond, &ex.env);
            last_if = Some((indent, taken));
            if !taken {
                skip_deeper_than = Some(indent);
            }
            continue;
        }
        if line.starts_with("else") && line.ends_with(':') {
            if last_if.is_some_and(|(d, taken)| d == indent && taken) {
                skip_deeper_than = Some(indent);
            }
            continue;
        }
        if line.starts_with("while True") || line.starts_with("while 1") {
            body = Some((indent, Vec::new()));
            continue;
        }
        if let Some(args) = call_args(line, "print") {
            target.push(Step::Log(Line::text(string_literal(args).unwrap_or_else(|| args.to_string()))));
        } else if let Some(secs) = call_args(line, "sleep").and_then(|a| a.trim().parse::<f64>().ok()) {
            target.push(Step::Sleep((secs.clamp(0.0, 1e9) * 1000.0) as u64));
        } else if let Some(args) = ["sys.exit", "exit", "quit"]
            .iter()
            .find_map(|c| if line.starts_with(c) { call_args(line, c) } else { None })
        {
            let code = match args.trim() {
                "" | "None" | "0" => 0,
                a => match a.parse::<i32>() {
                    Ok(c) => c,
                    Err(_) => {
                        target.push(Step::Log(Line::text(string_literal(a).unwrap_or_else(|| a.to_string()))));
                        1
                    }
                },
            };
            end = Some(End::Exit(code));
            break;
        } else if let Some(exc) = line.strip_prefix("raise ") {
            target.push(Step::Log(Line::text(
                "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>",
            )));
            target.push(Step::Log(Line::text(
                exc.trim().replace('(', ": ").trim_end_matches(')').replace(['"', '\''], ""),
            )));
            end = Some(End::Exit(1));
            break;
        }
    }
    let end = match (end, body) {
        (Some(e), _) => e,
        (None, Some((_, b))) => End::Loop(b),
        (None, None) => End::Exit(0),
    };
    Effect { steps, end: Some(end), ..Effect::default() }
}

/// `node -e "console.log('hi')"`; servers (`listen(`) and timers keep running.
pub fn node(ex: &mut Exec<'_>, rest: &[String]) -> Option<Effect> {
    ex.memory_hint = 30 * MIB;
    match rest.first().map(String::as_str) {
        None => Some(Effect::status(0)),
        Some("-v" | "--version") => Some(Effect::out(vec![Line::text("v23.5.0")])),
        Some("-e" | "--eval" | "-p") => {
            let script = rest.get(1).map_or("", |s| s.as_str());
            let mut steps = Vec::new();
            let mut rest_of = script;
            while let Some(args) = call_args(rest_of, "console.log") {
                steps.push(Step::Log(Line::text(string_literal(args).unwrap_or_else(|| args.to_string()))));
                let at = rest_of.find("console.log").map_or(rest_of.len(), |i| i + "console.log".len());
                rest_of = &rest_of[at..];
            }
            let end = if script.contains("listen(") || script.contains("setInterval") {
                End::Serve(Server {
                    kind: ServerKind::Generic("node".into()),
                    ports: ex.ctx.ports.to_vec(),
                    ready_after: 300,
                })
            } else {
                End::Exit(call_args(script, "process.exit").and_then(|c| c.trim().parse().ok()).unwrap_or(0))
            };
            Some(Effect { steps, end: Some(end), ..Effect::default() })
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_calls() {
        assert_eq!(string_literal(r#"("Hello world")"#), Some("Hello world".into()));
        assert_eq!(string_literal("(f'x {y}')"), Some("x {y}".into()));
        assert_eq!(call_args("print(len(x))", "print"), Some("len(x)"));
        assert_eq!(call_args("print(", "print"), None);
    }

    #[test]
    fn python_conditions_of_job_examples() {
        let env: BTreeMap<String, String> =
            [("JOB_COMPLETION_INDEX".to_string(), "2".to_string()), ("MODE".to_string(), "fast".to_string())].into();
        assert!(python_condition(r#"int(os.environ.get("JOB_COMPLETION_INDEX")) % 2 == 0"#, &env));
        assert!(!python_condition(r#"int(os.environ.get("JOB_COMPLETION_INDEX")) % 2 == 1"#, &env));
        assert!(python_condition(r#"os.environ["MODE"] == "fast""#, &env));
        assert!(!python_condition(r#"os.getenv("MISSING") == "x""#, &env));
        assert!(!python_condition("random.random() > 0.5", &env));
        assert!(python_condition("True", &env));
    }
}
