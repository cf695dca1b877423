//! What individual commands do in the symbolic shell: shell builtins and the coreutils/busybox
//! commands that container scripts use. Programs (servers, stress, perl, python) are in `programs`.

use thiserror::Error;

use super::super::{End, Line, Piece, Step, programs};
use super::expand::{plain, test};
use super::{Effect, Exec};
use crate::sim::time::Millis;

/// `/usr/bin/env` -> `env`.
pub fn basename(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// Why `sleep` refuses its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SleepError {
    /// Not a number with an optional `s`/`m`/`h`/`d` suffix, or out of range.
    #[error("invalid number")]
    InvalidNumber,
}

/// Parses `sleep`'s argument: `5`, `0.5`, `10s`, `2m`, `1h`, `1d`; `None` for `infinity`.
pub fn sleep_ms(arg: &str) -> Result<Option<Millis>, SleepError> {
    if arg == "infinity" || arg == "inf" {
        return Ok(None);
    }
    let (num, unit) = match arg.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&arg[..i], &arg[i..]),
        None => (arg, "s"),
    };
    let n: f64 = num.parse().map_err(|_| SleepError::InvalidNumber)?;
    let factor = match unit {
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return Err(SleepError::InvalidNumber),
    };
    if !(0.0..1e13).contains(&(n * factor)) {
        return Err(SleepError::InvalidNumber);
    }
    Ok(Some((n * factor) as Millis))
}

/// `cp`/`mv SRC... DEST`: the content goes along (a file the simulation does not know, outside every
/// mount, is taken as part of the image: copied empty); into DEST when it is a directory.
fn copy(ex: &mut Exec<'_>, name: &str, operands: &[&String]) -> Effect {
    let Some((dest, sources)) = operands.split_last() else {
        return Effect::fail(1, format!("{name}: missing file operand"));
    };
    let mut steps = Vec::new();
    for src in sources {
        let content = match ex.read(src) {
            Some(c) => c,
            None if ex.is_dir(src) => continue,
            None if crate::sim::node::host::host_path(ex.ctx.mounts, src).is_some() => {
                return Effect {
                    steps,
                    ..Effect::fail(1, format!("{name}: can't stat '{src}': No such file or directory"))
                };
            }
            None => String::new(),
        };
        let target = if ex.is_dir(dest) {
            format!("{}/{}", dest.trim_end_matches('/'), src.rsplit('/').next().unwrap_or(src))
        } else {
            dest.to_string()
        };
        match ex.write(&target, lines_of(&content), false) {
            Ok(step) => steps.push(step),
            Err(e) => return Effect { steps, ..Effect::fail(1, format!("{name}: can't create '{target}': {e}")) },
        }
        if name == "mv" {
            steps.push(ex.remove(src));
        }
    }
    Effect { steps, ..Effect::default() }
}

/// A text's lines, without the final newline's empty one.
pub fn lines_of(text: &str) -> Vec<Line> {
    let t = text.strip_suffix('\n').unwrap_or(text);
    if t.is_empty() { Vec::new() } else { t.split('\n').map(Line::text).collect() }
}

/// Runs one command with expanded arguments.
pub fn run(ex: &mut Exec<'_>, argv: &[Vec<Piece>]) -> Effect {
    let args: Vec<String> = argv.iter().map(|a| plain(a)).collect();
    let name = basename(&args[0]).to_string();
    let rest = &args[1..];
    let operands: Vec<&String> = rest.iter().filter(|a| !a.starts_with('-') || a.as_str() == "-").collect();
    // In the busybox image a name that is no builtin and no applet is not there (`sh: x: not
    // found`, 127), whatever other images this interpreter knows it from.
    if !ex.top_level && super::super::applets::busybox_shell_lacks(ex.ctx.image, &args[0]) {
        return Effect::fail(127, format!("sh: {}: not found", args[0]));
    }
    match name.as_str() {
        "echo" => {
            let mut start = 1;
            let mut escapes = false;
            while let Some(flag) = args.get(start).filter(|a| matches!(a.as_str(), "-n" | "-e" | "-ne" | "-en" | "-E"))
            {
                escapes |= flag.contains('e');
                start += 1;
            }
            let mut line = Vec::new();
            for (i, a) in argv[start..].iter().enumerate() {
                if i > 0 {
                    line.push(Piece::Text(" ".into()));
                }
                for p in a {
                    line.push(match p {
                        Piece::Text(t) if escapes => Piece::Text(t.replace("\\n", "\n").replace("\\t", "\t")),
                        other => other.clone(),
                    });
                }
            }
            Effect::out(vec![Line(super::expand::merge_text(line))])
        }
        "printf" => Effect::out(lines_of(&printf(rest))),
        "sleep" => {
            let mut total = 0;
            for a in rest {
                match sleep_ms(a) {
                    Ok(Some(ms)) => total += ms,
                    Ok(None) => return Effect::end(End::Forever),
                    Err(SleepError::InvalidNumber) => return Effect::fail(1, format!("sleep: invalid number '{a}'")),
                }
            }
            if rest.is_empty() {
                return Effect::fail(1, "sleep: missing operand".into());
            }
            Effect { steps: vec![Step::Sleep(total)], ..Effect::default() }
        }
        "true" | ":" | "cd" | "shopt" | "umask" | "ulimit" | "source" | "." | "sync" | "chmod" | "chown" | "ln"
        | "hash" | "type" | "command" | "alias" => Effect::status(0),
        "false" => Effect::status(1),
        "exit" | "return" => {
            let code = rest.first().and_then(|c| c.parse::<i64>().ok()).map_or(ex.status, |c| (c & 0xff) as i32);
            Effect::end(End::Exit(code))
        }
        "set" => {
            let errexit =
                rest.iter().any(|a| (a.starts_with('-') && a.contains('e') && !a.starts_with("--")) || a == "errexit");
            ex.errexit |= errexit;
            Effect::status(0)
        }
        "trap" => {
            let handler = rest.first().cloned().unwrap_or_default();
            if rest.iter().skip(1).any(|s| matches!(s.as_str(), "TERM" | "SIGTERM" | "15" | "EXIT" | "INT")) {
                let code = handler
                    .split_whitespace()
                    .skip_while(|w| *w != "exit")
                    .nth(1)
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                ex.trap_term = Some(code);
            }
            Effect::status(0)
        }
        "export" | "readonly" | "local" | "declare" | "typeset" => {
            for a in rest {
                if let Some((k, v)) = a.split_once('=') {
                    ex.env.insert(k.to_string(), v.to_string());
                }
            }
            Effect::status(0)
        }
        "unset" => {
            for a in rest {
                ex.env.remove(a);
            }
            Effect::status(0)
        }
        "wait" => match ex.background.clone() {
            Some(end) => Effect::end(end),
            None => Effect::status(0),
        },
        "exec" if args.len() > 1 => {
            // The program replaces the shell: it is the container's main process now.
            let top = ex.top_level;
            ex.top_level = true;
            let mut e = run(ex, &argv[1..]);
            ex.top_level = top;
            if e.end.is_none() {
                e.end = Some(End::Exit(e.status));
            }
            e
        }
        "touch" => {
            let mut steps = Vec::new();
            for f in operands {
                match ex.touch(f) {
                    Ok(step) => steps.extend(step),
                    Err(e) => return Effect { steps, ..Effect::fail(1, format!("touch: {f}: {e}")) },
                }
            }
            Effect { steps, ..Effect::default() }
        }
        "mkdir" => {
            let steps = operands.iter().map(|f| Step::Mkdir(f.to_string())).collect();
            Effect { steps, ..Effect::default() }
        }
        "rm" | "rmdir" => {
            let force = rest.iter().any(|a| a.starts_with('-') && a.contains('f'));
            let mut steps = Vec::new();
            for f in operands {
                if !force && !ex.exists(f) {
                    return Effect {
                        steps,
                        ..Effect::fail(1, format!("{name}: can't remove '{f}': No such file or directory"))
                    };
                }
                steps.push(ex.remove(f));
            }
            Effect { steps, ..Effect::default() }
        }
        "tee" => {
            let input = ex.stdin.clone().unwrap_or_default();
            let append = rest.iter().any(|a| a == "-a" || a == "--append");
            let mut steps = Vec::new();
            for f in &operands {
                if let Ok(step) = ex.write(f, lines_of(&input), append) {
                    steps.push(step);
                }
            }
            Effect { steps, out: lines_of(&input), ..Effect::default() }
        }
        "cp" | "mv" | "install" => copy(ex, &name, &operands),
        "cat" | "rev" | "head" | "tail" | "more" | "less" | "wc" | "grep" | "egrep" | "fgrep" => {
            if name == "tail" && rest.iter().any(|a| a == "-f" || a == "-F" || a == "--follow") {
                return Effect::end(End::Forever);
            }
            super::text::run(ex, &name, rest)
        }
        "ls" => {
            let dir = operands.first().map_or("/", |s| s.as_str()).trim_end_matches('/').to_string();
            if !ex.is_dir(&dir) {
                if ex.exists(&dir) {
                    return Effect::out(vec![Line::text(dir)]);
                }
                let msg = if ex.ctx.busybox {
                    format!("ls: {dir}: No such file or directory")
                } else {
                    format!("ls: cannot access '{dir}': No such file or directory")
                };
                return Effect::fail(if ex.ctx.busybox { 1 } else { 2 }, msg);
            }
            Effect::out(ex.list(&dir).into_iter().map(Line::text).collect())
        }
        "date" => {
            Effect::out(vec![Line(vec![if rest.iter().any(|a| a == "+%s") { Piece::Epoch } else { Piece::Date }])])
        }
        "hostname" => Effect::out(vec![Line::text(ex.ctx.hostname)]),
        "whoami" => Effect::out(vec![Line::text("root")]),
        "id" => Effect::out(vec![Line::text("uid=0(root) gid=0(root) groups=0(root),10(wheel)")]),
        "pwd" => Effect::out(vec![Line::text("/")]),
        "uname" => Effect::out(vec![Line::text(match rest.first().map(String::as_str) {
            Some("-a") => format!("Linux {} 6.8.0-1021-gcp #22-Ubuntu SMP x86_64 GNU/Linux", ex.ctx.hostname),
            Some("-r") => "6.8.0-1021-gcp".to_string(),
            Some("-m") => "x86_64".to_string(),
            _ => "Linux".to_string(),
        })]),
        "env" | "printenv" if operands.is_empty() || name == "printenv" => {
            if let Some(var) = operands.first() {
                return match ex.env.get(var.as_str()) {
                    Some(v) => Effect::out(vec![Line::text(v.clone())]),
                    None => Effect::status(1),
                };
            }
            Effect::out(ex.env.iter().map(|(k, v)| Line::text(format!("{k}={v}"))).collect())
        }
        "seq" => {
            let nums: Vec<i64> = operands.iter().filter_map(|a| a.parse().ok()).collect();
            let (a, step, b) = match nums.as_slice() {
                [b] => (1, 1, *b),
                [a, b] => (*a, 1, *b),
                [a, s, b] => (*a, (*s).max(1), *b),
                _ => return Effect::status(1),
            };
            Effect::out(
                (0..10_000).map(|i| a + i * step).take_while(|v| *v <= b).map(|v| Line::text(v.to_string())).collect(),
            )
        }
        "[" | "[[" | "test" => {
            let mut t: Vec<String> = rest.to_vec();
            if matches!(t.last().map(String::as_str), Some("]" | "]]")) {
                t.pop();
            }
            let ok = test(&t, &|p| ex.exists(p), &|p| ex.is_dir(p));
            Effect::status(i32::from(!ok))
        }
        "nc" | "ncat" | "netcat"
            if rest
                .iter()
                .any(|a| a == "--listen" || (a.starts_with('-') && !a.starts_with("--") && a.contains('l'))) =>
        {
            let port = rest.iter().rev().find_map(|a| a.parse::<u16>().ok()).unwrap_or(0);
            let kind = super::super::programs::ServerKind::Generic(name.clone());
            Effect::end(End::Serve(super::super::Server { kind, ports: vec![port], ready_after: 50 }))
        }
        "nslookup" | "wget" | "curl" | "ping" | "nc" | "ncat" | "netcat" | "dig" | "host" => {
            super::super::nettools::run(ex, &name, rest).unwrap_or_else(|| Effect::status(0))
        }
        "apk" | "apt-get" | "apt" | "yum" | "dnf" | "pip" | "pip3" | "npm" => {
            Effect { steps: vec![Step::Work(4000)], ..Effect::default() }
        }
        "sed" | "awk" | "sort" | "uniq" | "cut" | "tr" | "xargs" | "base64" | "md5sum" | "sha256sum" | "find"
        | "stat" | "du" | "df" | "ps" | "kill" | "chroot" | "mount" => Effect::status(0),
        "yes" => Effect::end(End::Loop(vec![
            Step::Log(Line::text(rest.first().cloned().unwrap_or_else(|| "y".into()))),
            Step::Work(1),
        ])),
        _ => programs::program(ex, argv, &args),
    }
}

/// A minimal `printf`: `%s`, `%d`, `%%`, `\n`, `\t`; the format repeats while arguments remain.
fn printf(args: &[String]) -> String {
    let Some((fmt, values)) = args.split_first() else { return String::new() };
    let mut out = String::new();
    let mut vals = values.iter();
    loop {
        let mut used = false;
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(o) => out.push(o),
                    None => out.push('\\'),
                },
                '%' => match chars.next() {
                    Some('%') => out.push('%'),
                    Some(_) => {
                        used = true;
                        out.push_str(vals.next().map_or("", |v| v.as_str()));
                    }
                    None => out.push('%'),
                },
                c => out.push(c),
            }
        }
        if !used || vals.len() == 0 {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_arguments() {
        assert_eq!(sleep_ms("5"), Ok(Some(5000)));
        assert_eq!(sleep_ms("0.5"), Ok(Some(500)));
        assert_eq!(sleep_ms("2m"), Ok(Some(120_000)));
        assert_eq!(sleep_ms("1d"), Ok(Some(86_400_000)));
        assert_eq!(sleep_ms("infinity"), Ok(None));
        assert_eq!(sleep_ms("soon"), Err(SleepError::InvalidNumber));
        assert_eq!(sleep_ms("5x"), Err(SleepError::InvalidNumber));
        assert_eq!(sleep_ms("-1"), Err(SleepError::InvalidNumber));
    }

    #[test]
    fn printf_formats() {
        let s = |v: &[&str]| printf(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["%s-%s\\n", "a", "b"]), "a-b\n");
        assert_eq!(s(&["%s\\n", "a", "b", "c"]), "a\nb\nc\n");
        assert_eq!(s(&["100%%"]), "100%");
        assert_eq!(s(&[]), "");
    }

    #[test]
    fn basenames() {
        assert_eq!(basename("/usr/bin/env"), "env");
        assert_eq!(basename("sh"), "sh");
    }
}
