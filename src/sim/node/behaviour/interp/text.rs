//! Commands that read text from files or their standard input: `cat`, `rev`, `head`, `tail`, `wc`
//! and `grep`, with busybox's (or coreutils') words for a missing file.

use super::super::Line;
use super::commands::lines_of;
use super::{Effect, Exec};

fn no_such_file(ex: &Exec<'_>, cmd: &str, path: &str) -> String {
    if ex.ctx.busybox {
        format!("{cmd}: can't open '{path}': No such file or directory")
    } else {
        format!("{cmd}: {path}: No such file or directory")
    }
}

/// `-n N` or `-N` (head/tail's count), 10 by default.
fn count(args: &[String]) -> usize {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-n" {
            return it.next().and_then(|n| n.trim_start_matches('+').parse().ok()).unwrap_or(10);
        }
        if let Some(n) = a.strip_prefix("-n").or_else(|| a.strip_prefix('-')).and_then(|n| n.parse().ok()) {
            return n;
        }
    }
    10
}

/// Runs one of the text commands.
pub fn run(ex: &mut Exec<'_>, name: &str, rest: &[String]) -> Effect {
    let grep = matches!(name, "grep" | "egrep" | "fgrep");
    let flags: String = rest.iter().filter(|a| a.starts_with('-') && a.len() > 1).map(|a| a[1..].to_string()).collect();
    let mut operands: Vec<&String> = rest.iter().filter(|a| !a.starts_with('-') || a.as_str() == "-").collect();
    // The count after head's and tail's `-n` is not a file.
    if matches!(name, "head" | "tail")
        && let Some(i) = rest.iter().position(|a| a == "-n")
        && let Some(n) = rest.get(i + 1)
    {
        operands.retain(|o| !std::ptr::eq(*o, n));
    }
    let pattern = if grep {
        if operands.is_empty() {
            return Effect::fail(2, "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.".into());
        }
        Some(operands.remove(0).clone())
    } else {
        None
    };
    let mut inputs: Vec<(String, String)> = Vec::new();
    if operands.is_empty() || operands.iter().all(|o| o.as_str() == "-") {
        inputs.push((String::new(), ex.stdin.clone().unwrap_or_default()));
    }
    let mut err = None;
    for f in operands.iter().filter(|f| f.as_str() != "-") {
        match ex.read(f) {
            Some(c) => inputs.push((f.to_string(), c)),
            None if ex.is_dir(f) => err = Some(format!("{name}: read error: Is a directory")),
            None => {
                err = Some(no_such_file(ex, name, f));
                break;
            }
        }
    }
    let mut out: Vec<Line> = Vec::new();
    let many = inputs.len() > 1;
    let mut matched = false;
    for (file, text) in &inputs {
        let lines: Vec<String> = lines_of(text).into_iter().map(|l| super::expand::plain(&l.0)).collect();
        match name {
            "rev" => out.extend(lines.iter().map(|l| Line::text(l.chars().rev().collect::<String>()))),
            "head" => out.extend(lines.iter().take(count(rest)).map(Line::text)),
            "tail" => out.extend(lines[lines.len().saturating_sub(count(rest))..].iter().map(Line::text)),
            "wc" => {
                let (l, w, c) = (text.matches('\n').count(), text.split_whitespace().count(), text.len());
                let picked: Vec<usize> = [('l', l), ('w', w), ('c', c)]
                    .iter()
                    .filter(|(f, _)| flags.contains(*f))
                    .map(|(_, n)| *n)
                    .collect();
                let nums = if picked.is_empty() { vec![l, w, c] } else { picked };
                // One count is printed as is; several are aligned in columns.
                let mut row = match nums.as_slice() {
                    [one] => one.to_string(),
                    _ => nums.iter().map(|n| format!("{n:>7}")).collect::<Vec<_>>().join(" "),
                };
                if !file.is_empty() {
                    row = format!("{row} {file}");
                }
                out.push(Line::text(row));
            }
            _ if grep => {
                let p = pattern.clone().unwrap_or_default();
                let ci = flags.contains('i');
                let hit = |l: &str| {
                    let found = if ci { l.to_lowercase().contains(&p.to_lowercase()) } else { l.contains(&p) };
                    found != flags.contains('v')
                };
                let hits: Vec<&String> = lines.iter().filter(|l| hit(l)).collect();
                matched |= !hits.is_empty();
                if flags.contains('q') {
                    continue;
                }
                if flags.contains('c') {
                    out.push(Line::text(if many { format!("{file}:{}", hits.len()) } else { hits.len().to_string() }));
                } else {
                    out.extend(
                        hits.into_iter().map(|l| Line::text(if many { format!("{file}:{l}") } else { l.clone() })),
                    );
                }
            }
            _ => out.extend(lines.iter().map(Line::text)),
        }
    }
    if let Some(e) = err {
        let mut eff = Effect::fail(if grep { 2 } else { 1 }, e);
        eff.out = out;
        return eff;
    }
    let status = if grep && !matched { 1 } else { 0 };
    Effect { status, out, ..Effect::default() }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::super::timeline::render;
    use super::super::super::{End, Step};
    use super::super::{Ctx, Exec};
    use crate::sim::node::cri::Mount;
    use crate::sim::node::host::fs::{Fs, Op};

    fn logs(ex: &Exec<'_>) -> Vec<String> {
        ex.steps.iter().filter_map(|s| if let Step::Log(l) = s { Some(render(l, 0, 0)) } else { None }).collect()
    }

    fn run_in(fs: &Fs, mounts: &[Mount], script: &str) -> (Vec<String>, Vec<Step>, Option<End>) {
        let ctx = Ctx { host: Some(fs), mounts, busybox: true, hostname: "p", start: 1_000, ..Ctx::default() };
        let mut ex = Exec::new(&ctx, BTreeMap::new());
        ex.run_script(script);
        (logs(&ex), ex.steps.clone(), ex.end.clone())
    }

    fn data() -> Vec<Mount> {
        vec![
            Mount { container_path: "/data".into(), host_path: "/srv".into(), readonly: false },
            Mount { container_path: "/ro".into(), host_path: "/etc".into(), readonly: true },
        ]
    }

    #[test]
    fn reads_see_the_node_and_own_writes() {
        let mut fs = Fs::default();
        fs.put("/srv/words", "b\na\nc\n");
        let (out, _, _) = run_in(&fs, &data(), "cat /data/words | grep a; wc -l /data/words; head -n 1 /data/words");
        assert_eq!(out, vec!["a", "3 /data/words", "b"]);
        let (out, steps, _) =
            run_in(&fs, &data(), "echo x | tee /data/t; cp /data/words /data/copy; cat /data/copy | wc -l");
        assert_eq!(out, vec!["x", "3"]);
        assert!(steps.iter().any(|s| matches!(s, Step::Write { path, .. } if path == "/data/copy")));
        let (out, _, _) = run_in(&fs, &data(), "grep -q zzz /data/words || echo none; wc -l < /data/words");
        assert_eq!(out, vec!["none", "3"]);
    }

    #[test]
    fn read_only_mounts_refuse_writes() {
        let fs = Fs::default();
        let (out, _, end) = run_in(&fs, &data(), "set -e; echo x > /ro/y; echo unreachable");
        assert_eq!(out, vec!["sh: can't create /ro/y: Read-only file system"]);
        assert_eq!(end, Some(End::Exit(1)));
        let (out, _, _) = run_in(&fs, &data(), "cp /data/missing /data/x || echo failed");
        assert_eq!(out, vec!["cp: can't stat '/data/missing': No such file or directory", "failed"]);
    }

    #[test]
    fn a_waiting_loop_goes_round_until_the_scheduled_write() {
        let mut fs = Fs::default();
        fs.schedule("other", 6_000, Op::Write { path: "/srv/ready".into(), lines: vec![], append: false });
        let (out, steps, end) =
            run_in(&fs, &data(), "until [ -f /data/ready ]; do echo waiting; sleep 2; done; echo go");
        assert_eq!(out, vec!["waiting", "waiting", "waiting", "go"], "checked at 1 s, 3 s, 5 s; found at 7 s");
        assert_eq!(end, None);
        assert_eq!(steps.iter().map(Step::duration).sum::<u64>(), 6_000);
        let (_, _, end) = run_in(&Fs::default(), &data(), "until [ -f /data/ready ]; do sleep 2; done");
        assert!(matches!(end, Some(End::Loop(_))), "nothing scheduled: it waits forever");
    }
}
