//! Evaluating a behaviour's timeline at a point in time: exits, files, log lines, memory and CPU.
//!
//! ```text
//!   0 ── steps (once) ── L ── loop body (period P) ── L+P ── body ── L+2P ── ...
//! ```
//! Loops are never replayed from the start: iteration `k` starts at `L + k*P`, so asking about
//! minute 600 of a container costs the same as asking about second 1.

use std::collections::{BTreeMap, BTreeSet};

use super::{Behaviour, End, Exit, Line, Piece, Step, exit_reason};
use crate::sim::time::{EPOCH_UNIX_SECS, Millis, rfc3339};

/// Where the one-off steps end and the loop (if any) begins.
pub fn loop_start(b: &Behaviour) -> Millis {
    b.steps.iter().map(Step::duration).sum()
}

/// The period of the loop body (at least 1 ms, so a loop without sleeps still advances).
pub fn loop_period(body: &[Step]) -> Millis {
    body.iter().map(Step::duration).sum::<Millis>().max(1)
}

/// Calls `f(at, step, iteration)` for each step that starts in `[from, until)`, in order, until `f`
/// returns false. Steps of the one-off part have iteration 0.
pub fn walk(b: &Behaviour, from: Millis, until: Millis, mut f: impl FnMut(Millis, &Step, u64) -> bool) {
    let mut t = 0;
    for step in &b.steps {
        if t >= until {
            return;
        }
        if t >= from && !f(t, step, 0) {
            return;
        }
        t += step.duration();
    }
    walk_loop(b, from, until, f);
}

/// The one-off steps that start before `until`.
fn prelude(b: &Behaviour, until: Millis, mut f: impl FnMut(Millis, &Step)) {
    let mut t = 0;
    for step in &b.steps {
        if t >= until {
            return;
        }
        f(t, step);
        t += step.duration();
    }
}

/// Like [`walk`], for the loop body only.
fn walk_loop(b: &Behaviour, from: Millis, until: Millis, mut f: impl FnMut(Millis, &Step, u64) -> bool) {
    let End::Loop(body) = &b.end else { return };
    let l = loop_start(b);
    let period = loop_period(body);
    let mut k = if from > l { (from - l) / period } else { 0 };
    let mut start = l + k * period;
    loop {
        let mut t = start;
        for step in body {
            if t >= until {
                return;
            }
            if t >= from && !f(t, step, k) {
                return;
            }
            t += step.duration();
        }
        k += 1;
        start += period;
    }
}

/// See [`Behaviour::natural_end`].
pub fn natural_end(b: &Behaviour, memory_limit: Option<u64>) -> Option<Exit> {
    let oom = |after| Some(Exit { after, code: 137, reason: "OOMKilled" });
    let over = |mem: u64| memory_limit.is_some_and(|l| mem > l);
    let mut mem = b.memory;
    if over(mem) {
        return oom(300);
    }
    let mut t = 0;
    for step in &b.steps {
        t += step.duration();
        if let Step::Alloc(n) = step {
            mem = mem.saturating_add(*n);
            if over(mem) {
                return oom(t);
            }
        }
    }
    match &b.end {
        End::Exit(code) => Some(Exit { after: t, code: *code, reason: exit_reason(*code) }),
        End::Forever | End::Serve(_) => None,
        End::Loop(body) => {
            let per_iteration: u64 = body.iter().map(|s| if let Step::Alloc(n) = s { *n } else { 0 }).sum();
            let limit = memory_limit?;
            if per_iteration == 0 {
                return None;
            }
            let iterations = (limit - mem) / per_iteration + 1;
            oom(t + iterations * loop_period(body))
        }
    }
}

/// Files the process wrote (and did not remove) by `elapsed`, with their content (`started_at` is
/// when it started, for dates it wrote). A loop's files are the last two iterations' doing.
pub fn files_at(b: &Behaviour, elapsed: Millis, started_at: Millis) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let apply = |files: &mut BTreeMap<String, String>, t: Millis, k: u64, step: &Step| match step {
        Step::Touch(f) => {
            files.entry(f.clone()).or_default();
        }
        Step::Write { path, lines, append } => {
            let text: String = lines.iter().map(|l| render(l, started_at + t, k) + "\n").collect();
            let file = files.entry(path.clone()).or_default();
            if !*append {
                file.clear();
            }
            file.push_str(&text);
        }
        Step::Remove(f) => {
            let under = format!("{}/", f.trim_end_matches('/'));
            files.retain(|p, _| p != f && !p.starts_with(&under));
        }
        _ => {}
    };
    let l = loop_start(b);
    prelude(b, elapsed + 1, |t, s| apply(&mut files, t, 0, s));
    if let End::Loop(body) = &b.end
        && elapsed >= l
    {
        // Touch and remove are idempotent: the last full iteration and the current one decide.
        let period = loop_period(body);
        let current = (elapsed - l) / period;
        let from = l + current.saturating_sub(1) * period;
        walk_loop(b, from, elapsed + 1, |t, s, k| {
            apply(&mut files, t, k, s);
            true
        });
    }
    files
}

/// The first time after `elapsed` when the set of files changes, if it ever does.
pub fn next_file_change(b: &Behaviour, elapsed: Millis) -> Option<Millis> {
    let mut files: BTreeSet<String> = files_at(b, elapsed, 0).into_keys().collect();
    let horizon = match &b.end {
        End::Loop(body) => loop_start(b).max(elapsed) + 2 * loop_period(body) + 1,
        _ => loop_start(b) + 1,
    };
    let mut found = None;
    walk(b, elapsed + 1, horizon, |t, s, _| {
        let changed = match s {
            Step::Touch(f) | Step::Write { path: f, .. } => files.insert(f.clone()),
            Step::Remove(f) => files.remove(f),
            _ => false,
        };
        if changed {
            found = Some(t);
        }
        !changed
    });
    found
}

/// Memory in use at `elapsed`: the base plus what was allocated so far.
pub fn memory_at(b: &Behaviour, elapsed: Millis) -> u64 {
    let mut mem = b.memory;
    let l = loop_start(b);
    prelude(b, elapsed + 1, |_, s| {
        if let Step::Alloc(n) = s {
            mem = mem.saturating_add(*n);
        }
    });
    if let End::Loop(body) = &b.end
        && elapsed >= l
    {
        let per: u64 = body.iter().map(|s| if let Step::Alloc(n) = s { *n } else { 0 }).sum();
        mem = mem.saturating_add(per.saturating_mul((elapsed - l) / loop_period(body) + 1));
    }
    mem
}

/// CPU in millicores at `elapsed`: a full core while a `Work` step runs, else the steady use.
pub fn cpu_at(b: &Behaviour, elapsed: Millis) -> u32 {
    let mut busy = false;
    let mut t = 0;
    for s in &b.steps {
        if let Step::Work(d) = s
            && elapsed >= t
            && elapsed < t + d
        {
            busy = true;
        }
        t += s.duration();
    }
    if busy { 1000 } else { b.cpu_millis }
}

/// busybox `date`: `Wed Jan  1 00:00:05 UTC 2025`.
pub fn busybox_date(abs: Millis) -> String {
    c_date(abs, false)
}

/// The C library's date format, `%a %b %e %H:%M:%S %Z %Y`; with `zero_pad_day` the day is `%d`
/// (`Wed Jan 01 ...`), as dig's `WHEN:` line prints it.
pub fn c_date(abs: Millis, zero_pad_day: bool) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let r = rfc3339(abs); // YYYY-MM-DDTHH:MM:SSZ
    let secs = EPOCH_UNIX_SECS + (abs / 1000) as i64;
    let weekday = DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
    let month = r.get(5..7).and_then(|m| m.parse::<usize>().ok()).unwrap_or(1);
    let day: u32 = r.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(1);
    let day = if zero_pad_day { format!("{day:02}") } else { format!("{day:>2}") };
    format!(
        "{weekday} {} {day} {} UTC {}",
        MONTHS[month.saturating_sub(1).min(11)],
        r.get(11..19).unwrap_or(""),
        r.get(0..4).unwrap_or("")
    )
}

/// Renders one line printed at absolute time `abs` during loop iteration `iteration`.
pub fn render(line: &Line, abs: Millis, iteration: u64) -> String {
    let mut s = String::new();
    for p in &line.0 {
        match p {
            Piece::Text(t) => s.push_str(t),
            Piece::Date => s.push_str(&busybox_date(abs)),
            Piece::Epoch => s.push_str(&(EPOCH_UNIX_SECS + (abs / 1000) as i64).to_string()),
            Piece::Counter(base) => s.push_str(&(base + iteration as i64).to_string()),
            Piece::Pi(n) => s.push_str(&super::pi::digits(*n)),
        }
    }
    s
}

/// The last `max` lines written between the start and `elapsed` (inclusive), with their absolute
/// times; the server's start-up banner comes right after the one-off steps.
pub fn log_lines(b: &Behaviour, started_at: Millis, elapsed: Millis, max: usize) -> Vec<(Millis, String)> {
    let mut out: Vec<(Millis, String)> = Vec::new();
    let push_rendered = |out: &mut Vec<(Millis, String)>, at: Millis, text: String| {
        for l in text.split('\n') {
            out.push((started_at + at, l.to_string()));
        }
    };
    let l = loop_start(b);
    prelude(b, elapsed + 1, |t, s| {
        if let Step::Log(line) = s {
            push_rendered(&mut out, t, render(line, started_at + t, 0));
        }
    });
    match &b.end {
        End::Serve(server) if elapsed >= l => {
            for line in server.kind.banner(started_at + l, &server.ports) {
                out.push((started_at + l, line));
            }
        }
        End::Loop(body) if elapsed >= l => {
            let per = body.iter().filter(|s| matches!(s, Step::Log(_))).count() as u64;
            if let Some(wanted) = (max as u64).checked_div(per) {
                let period = loop_period(body);
                let iterations = (elapsed - l) / period + 1;
                let first = iterations.saturating_sub(wanted + 1);
                walk_loop(b, l + first * period, elapsed + 1, |t, s, k| {
                    if let Step::Log(line) = s {
                        push_rendered(&mut out, t, render(line, started_at + t, k));
                    }
                    true
                });
            }
        }
        _ => {}
    }
    if out.len() > max {
        out.drain(..out.len() - max);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Sigterm, Step::*};
    use super::*;

    fn script(steps: Vec<Step>, end: End) -> Behaviour {
        Behaviour {
            steps,
            end,
            sigterm: Sigterm::Ignore,
            memory: 1 << 20,
            cpu_millis: 0,
            has_shell: true,
            notes: vec![],
        }
    }

    #[test]
    fn exits_after_the_sleeps() {
        let b = script(vec![Log(Line::text("hi")), Sleep(5000)], End::Exit(42));
        assert_eq!(natural_end(&b, None), Some(Exit { after: 5000, code: 42, reason: "Error" }));
        let forever = script(vec![], End::Loop(vec![Sleep(5000)]));
        assert_eq!(natural_end(&forever, Some(1 << 30)), None);
    }

    #[test]
    fn oom_when_allocation_passes_the_limit() {
        let b = script(vec![Alloc(250 << 20)], End::Forever);
        assert_eq!(natural_end(&b, Some(100 << 20)), Some(Exit { after: 100, code: 137, reason: "OOMKilled" }));
        assert_eq!(natural_end(&b, Some(300 << 20)), None);
        assert_eq!(natural_end(&b, None), None);
        // A leak of 10 MiB per second hits 64 MiB during the 7th iteration.
        let leak = script(vec![], End::Loop(vec![Alloc(10 << 20), Sleep(900)]));
        assert_eq!(natural_end(&leak, Some(64 << 20)).map(|e| e.after), Some(7000));
    }

    #[test]
    fn files_follow_touch_and_rm() {
        // The exec-liveness example: touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
        let b = script(
            vec![Touch("/tmp/healthy".into()), Sleep(30_000), Remove("/tmp/healthy".into()), Sleep(600_000)],
            End::Exit(0),
        );
        assert!(files_at(&b, 29_999, 0).contains_key("/tmp/healthy"));
        assert!(!files_at(&b, 30_000, 0).contains_key("/tmp/healthy"));
        assert_eq!(next_file_change(&b, 10_000), Some(30_000));
        assert_eq!(next_file_change(&b, 30_000), None);
    }

    #[test]
    fn files_in_loops_are_periodic() {
        let b = script(vec![], End::Loop(vec![Touch("/x".into()), Sleep(5000), Remove("/x".into()), Sleep(5000)]));
        assert!(files_at(&b, 1_000_002, 0).contains_key("/x"));
        assert!(!files_at(&b, 1_005_001, 0).contains_key("/x"));
        assert_eq!(next_file_change(&b, 1_000_002), Some(1_005_000));
    }

    #[test]
    fn loop_logs_use_counter_and_date_and_stay_bounded() {
        let line = Line(vec![Piece::Counter(0), Piece::Text(": ".into()), Piece::Date]);
        let b = script(vec![], End::Loop(vec![Log(line), Sleep(1000)]));
        let logs = log_lines(&b, 0, 3500, 100);
        let text: Vec<&str> = logs.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            text,
            vec![
                "0: Wed Jan  1 00:00:00 UTC 2025",
                "1: Wed Jan  1 00:00:01 UTC 2025",
                "2: Wed Jan  1 00:00:02 UTC 2025",
                "3: Wed Jan  1 00:00:03 UTC 2025"
            ]
        );
        // Ten days in: only the last lines are generated.
        let late = log_lines(&b, 0, 864_000_000, 5);
        assert_eq!(late.len(), 5);
        assert!(late[4].1.starts_with("864000: "), "{:?}", late[4]);
    }

    #[test]
    fn prelude_logs_before_elapsed_only() {
        let b = script(vec![Log(Line::text("a")), Sleep(1000), Log(Line::text("b\nc"))], End::Exit(0));
        let lines: Vec<String> = log_lines(&b, 5000, 999, 10).into_iter().map(|(_, l)| l).collect();
        assert_eq!(lines, vec!["a"]);
        let all: Vec<(Millis, String)> = log_lines(&b, 5000, 2000, 10);
        assert_eq!(all, vec![(5000, "a".into()), (6000, "b".into()), (6000, "c".into())]);
    }

    #[test]
    fn memory_and_cpu_over_time() {
        let b = script(vec![Work(3000), Alloc(100 << 20)], End::Forever);
        assert_eq!(cpu_at(&b, 1000), 1000);
        assert_eq!(cpu_at(&b, 5000), 0);
        assert_eq!(memory_at(&b, 1000), 1 << 20);
        assert_eq!(memory_at(&b, 5000), (1 << 20) + (100 << 20));
    }

    #[test]
    fn dates_print_like_busybox() {
        assert_eq!(busybox_date(0), "Wed Jan  1 00:00:00 UTC 2025");
        assert_eq!(busybox_date(10 * 86_400_000 + 3_661_000), "Sat Jan 11 01:01:01 UTC 2025");
    }
}
