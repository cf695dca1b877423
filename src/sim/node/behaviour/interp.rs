//! The symbolic shell: runs a parsed script once, in order, turning it into a timeline of steps.
//!
//! Nothing real runs. `sleep 5` becomes a 5 s step, `echo` a log line, `touch` a file, `exit 3` the
//! end. `while true` loops become a repeating body (with loop counters kept symbolic); loops whose
//! condition changes (`while [ $i -lt 5 ]`) are unrolled; a loop that makes no progress runs forever.

pub mod commands;
pub mod expand;
pub mod fs;
mod syntax;
mod text;

use std::collections::BTreeMap;

use super::net::Network;
use super::shell::{self, Node, Part, Redirect, Word};
use super::{End, Line, Piece, Step, timeline};
use crate::sim::node::cri::Mount;
use crate::sim::node::host::fs::Fs;
use crate::sim::time::Millis;
use expand::{counter_value, join_output, merge_text, plain, value_pieces};
use syntax::{assignment, brace_range, counters, is_constant};

/// What does not change while a container runs: mounted files, hostname, image traits.
#[derive(Debug, Clone, Default)]
pub struct Ctx<'a> {
    /// Files fixed at the start (service account token, `resolv.conf`, `subPath` mounts).
    pub files: &'a [(String, String)],
    /// The node's directories mounted into the container.
    pub mounts: &'a [Mount],
    /// The node's filesystem, read at the script's virtual time (`None`: no node, mounts are empty).
    pub host: Option<&'a Fs>,
    /// The absolute time the script starts.
    pub start: Millis,
    pub hostname: &'a str,
    /// busybox wording for errors (`cat: can't open 'x'`) rather than coreutils'.
    pub busybox: bool,
    /// Declared container ports (an unknown program serves them).
    pub ports: &'a [u16],
    /// Init containers and Job pods are expected to finish: an unknown program then exits 0.
    pub expect_exit: bool,
    /// The image's short name, for programs that depend on it.
    pub image: &'a str,
    /// The cluster's data plane as the pod sees it; `None` where programs run without one (a
    /// container deciding its behaviour at start, probes, unit tests): network tools then fail as
    /// with no network at all.
    pub net: Option<&'a dyn Network>,
}

/// What one command did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effect {
    pub status: i32,
    pub out: Vec<Line>,
    pub err: Vec<Line>,
    pub steps: Vec<Step>,
    /// Set when the command never returns (a server, `sleep infinity`) or ends the script (`exit`).
    pub end: Option<End>,
    /// The command was not known to the simulation: its name.
    pub unknown: Option<String>,
    /// Lines for stdout (1) and stderr (2) in the order printed, after `out` and `err`: for programs
    /// that interleave both (`wget -O -` prints its progress around the body).
    pub mixed: Vec<(u8, Line)>,
}

impl Effect {
    /// A command that only sets the exit status.
    pub fn status(status: i32) -> Effect {
        Effect { status, ..Effect::default() }
    }

    /// A command that printed lines and succeeded.
    pub fn out(lines: Vec<Line>) -> Effect {
        Effect { out: lines, ..Effect::default() }
    }

    /// A command that failed with a message on stderr.
    pub fn fail(status: i32, err: String) -> Effect {
        Effect { status, err: vec![Line::text(err)], ..Effect::default() }
    }

    /// A command that ends the script (`exit`) or never returns (a server).
    pub fn end(end: End) -> Effect {
        Effect { end: Some(end), ..Effect::default() }
    }
}

/// The state of one shell while it runs symbolically.
#[derive(Debug, Clone)]
pub struct Exec<'a> {
    pub ctx: &'a Ctx<'a>,
    pub env: BTreeMap<String, String>,
    /// Files this process wrote (`Some(content)`) or removed (`None`), by path.
    pub files: BTreeMap<String, Option<String>>,
    /// What the command being run reads on its standard input (a pipe, `< file`).
    pub stdin: Option<String>,
    /// Virtual time already spent before this shell's first step (a subshell, a loop body).
    pub base: Millis,
    pub steps: Vec<Step>,
    pub end: Option<End>,
    pub status: i32,
    pub errexit: bool,
    /// `trap '...' TERM`: the exit code the handler ends with.
    pub trap_term: Option<i32>,
    pub notes: Vec<String>,
    /// A background job that never ends (`nginx &`): `wait` then never returns.
    pub background: Option<End>,
    /// True while running argv directly (not inside a script).
    pub top_level: bool,
    /// A terminal is attached (`kubectl exec -t`): an interactive shell prints its prompt.
    pub tty: bool,
    /// The runtime keeps this process's stdin open (a container with `stdin: true`): a shell with
    /// no script waits on it instead of reading end-of-file.
    pub open_stdin: bool,
    /// Shells entered and not yet left (`sh` running `sh -c ...`): only the outermost one's `exit`
    /// ends the process.
    pub shells: u32,
    /// The outermost shell ran `exit`: the process ends, whatever is still to read on its stdin.
    pub exited: bool,
    /// The last command run was unknown (a script's last unknown command is its main process).
    pub last_unknown: Option<String>,
    /// Steady CPU use the programs asked for (`stress --cpu 2`), in millicores.
    pub cpu_hint: u32,
    /// Resident memory of the interpreter or program (bytes), before any allocation.
    pub memory_hint: u64,
    /// Virtual time spent waiting on the network (timeouts): what `kubectl exec` waits for.
    pub waited: Millis,
    conditions: u32,
    depth: u32,
    budget: usize,
}

/// Steps a script may produce before the simulation stops unrolling it.
const STEP_BUDGET: usize = 5_000;

impl<'a> Exec<'a> {
    /// A fresh shell with an environment.
    pub fn new(ctx: &'a Ctx<'a>, env: BTreeMap<String, String>) -> Self {
        Exec {
            ctx,
            env,
            files: BTreeMap::new(),
            stdin: None,
            base: 0,
            steps: Vec::new(),
            end: None,
            status: 0,
            errexit: false,
            trap_term: None,
            notes: Vec::new(),
            background: None,
            top_level: false,
            tty: false,
            open_stdin: false,
            shells: 0,
            exited: false,
            last_unknown: None,
            cpu_hint: 0,
            memory_hint: 0,
            waited: 0,
            conditions: 0,
            depth: 0,
            budget: STEP_BUDGET,
        }
    }

    fn child(&self) -> Exec<'a> {
        let mut c = Exec::new(self.ctx, self.env.clone());
        c.files = self.files.clone();
        c.base = self.now() - self.ctx.start;
        c.depth = self.depth + 1;
        c.budget = self.budget.min(STEP_BUDGET);
        c
    }

    /// Records a simplification once (bounded, so that loops cannot flood the notes).
    pub fn note(&mut self, n: String) {
        if !self.notes.contains(&n) && self.notes.len() < 8 {
            self.notes.push(n);
        }
    }

    /// Parses and runs a script (`sh -c`); a syntax error ends it with status 2 as sh does.
    pub fn run_script(&mut self, script: &str) {
        match shell::parse(script) {
            Ok(nodes) => self.run(&nodes),
            Err(e) => {
                self.steps.push(Step::Log(Line::text(e.to_string())));
                self.end = Some(End::Exit(2));
            }
        }
    }

    /// Runs commands in order until one ends the script or the step budget is spent.
    pub fn run(&mut self, nodes: &[Node]) {
        for n in nodes {
            if self.end.is_some() || self.budget == 0 {
                return;
            }
            self.node(n);
        }
    }

    fn condition(&mut self, nodes: &[Node]) -> i32 {
        self.conditions += 1;
        self.run(nodes);
        self.conditions -= 1;
        self.status
    }

    fn node(&mut self, n: &Node) {
        match n {
            Node::Simple { words, out } => self.simple(words, out),
            Node::Loop { until, cond, body } => self.looping(*until, cond, body),
            Node::For { var, items, body } => {
                let mut values = Vec::new();
                for w in items {
                    let text = plain(&self.expand(w));
                    for item in text.split_whitespace() {
                        values.extend(brace_range(item));
                    }
                }
                for v in values.into_iter().take(1000) {
                    self.env.insert(var.clone(), v);
                    self.run(body);
                    if self.end.is_some() || self.budget == 0 {
                        return;
                    }
                }
            }
            Node::If { cond, then, otherwise } => {
                if self.condition(cond) == 0 {
                    self.run(then);
                } else {
                    self.run(otherwise);
                }
            }
            Node::Group(inner) => self.run(inner),
            Node::And(a, b) => {
                self.conditions += 1;
                self.node(a);
                self.conditions -= 1;
                if self.status == 0 && self.end.is_none() {
                    self.node(b);
                }
            }
            Node::Or(a, b) => {
                self.conditions += 1;
                self.node(a);
                self.conditions -= 1;
                if self.status != 0 && self.end.is_none() {
                    self.node(b);
                }
            }
            Node::Not(a) => {
                self.conditions += 1;
                self.node(a);
                self.conditions -= 1;
                self.status = i32::from(self.status == 0);
            }
            Node::Pipe(cmds) => {
                let mut piped = None;
                for (i, c) in cmds.iter().enumerate() {
                    let before = self.steps.len();
                    self.stdin = piped.take();
                    self.node(c);
                    self.stdin = None;
                    if i + 1 < cmds.len() {
                        // Only the last command of a pipeline writes to the container's output; the
                        // others' output is the next one's input.
                        let now = self.now();
                        let (logs, mut kept): (Vec<Step>, Vec<Step>) =
                            self.steps.drain(before..).partition(|s| matches!(s, Step::Log(_)));
                        let text: String = logs
                            .iter()
                            .filter_map(|s| {
                                if let Step::Log(l) = s { Some(timeline::render(l, now, 0) + "\n") } else { None }
                            })
                            .collect();
                        piped = Some(text);
                        self.steps.append(&mut kept);
                    }
                    if self.end.is_some() {
                        return;
                    }
                }
            }
            Node::Background(inner) => {
                let mut bg = self.child();
                bg.node(inner);
                if let Some(end @ (End::Forever | End::Serve(_) | End::Loop(_))) = bg.end {
                    self.background = Some(end);
                }
                self.notes.append(&mut bg.notes);
                self.status = 0;
            }
            Node::Opaque => self.status = 0,
        }
    }

    fn looping(&mut self, until: bool, cond: &[Node], body: &[Node]) {
        if is_constant(cond, !until) {
            // An endless loop: run the body once with counters kept symbolic.
            for var in counters(body) {
                let base = self.env.get(&var).and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(0);
                self.env.insert(var, counter_value(base));
            }
            let mut once = self.child();
            once.run(body);
            self.notes.append(&mut once.notes);
            self.waited += once.waited;
            if once.end.is_some() {
                self.steps.append(&mut once.steps);
                self.end = once.end;
            } else {
                self.end = Some(End::Loop(once.steps));
            }
            return;
        }
        for _ in 0..1000 {
            let start = self.steps.len();
            let env_before = self.env.clone();
            let files_before = self.files.clone();
            let status = self.condition(cond);
            if (status == 0) == until || self.end.is_some() {
                return;
            }
            self.run(body);
            if self.end.is_some() || self.budget == 0 {
                return;
            }
            if self.env == env_before && self.files == files_before {
                let iteration: Vec<Step> = self.steps[start..].to_vec();
                match self.next_mount_change() {
                    // Another container will write under a mount: the loop goes round until then.
                    Some(at) => self.wait_until(at, iteration),
                    None => {
                        // Nothing this loop can see will ever change: it runs forever.
                        self.end = Some(End::Loop(iteration));
                        return;
                    }
                }
            }
        }
        self.note("a loop ran 1000 times: the simulation stopped unrolling it".into());
    }

    /// When something under one of the container's mounts changes next, as scheduled now.
    fn next_mount_change(&self) -> Option<Millis> {
        let fs = self.ctx.host?;
        let paths: Vec<String> = self.ctx.mounts.iter().map(|m| m.host_path.clone()).collect();
        fs.next_change(self.now(), &paths)
    }

    /// Repeats a loop iteration that changes nothing until `at` (its log lines included while the
    /// step budget lasts; past it the loop only waits).
    fn wait_until(&mut self, at: Millis, iteration: Vec<Step>) {
        let period: Millis = iteration.iter().map(Step::duration).sum();
        let now = self.now();
        if period == 0 || at <= now {
            self.steps.push(Step::Sleep(at.saturating_sub(now).max(1)));
            return;
        }
        let rounds = (at - now).div_ceil(period);
        if rounds.saturating_mul(iteration.len() as u64) <= self.budget as u64 / 2 {
            for _ in 0..rounds {
                self.steps.extend(iteration.iter().cloned());
            }
            self.budget = self.budget.saturating_sub(rounds as usize * iteration.len());
        } else {
            self.steps.push(Step::Sleep(rounds * period));
        }
    }

    /// Expands one word into pieces.
    pub fn expand(&mut self, w: &Word) -> Vec<Piece> {
        let mut out = Vec::new();
        for p in &w.0 {
            match p {
                Part::Lit(s) => out.push(Piece::Text(s.clone())),
                Part::Var(name, default) => match self.var(name) {
                    Some(v) if !v.is_empty() => out.extend(value_pieces(&v)),
                    _ => out.push(Piece::Text(default.clone().unwrap_or_default())),
                },
                Part::Cmd(script) => out.extend(self.substitute(script)),
                Part::Arith(e) => {
                    let env = self.env.clone();
                    let lookup = move |n: &str| env.get(n).cloned();
                    out.extend(expand::arith(e, &lookup));
                }
                Part::Array(items) => out.push(Piece::Text(items.join(" "))),
            }
        }
        merge_text(out)
    }

    fn var(&self, name: &str) -> Option<String> {
        if let Some((array, index)) = name.strip_suffix(']').and_then(|n| n.split_once('[')) {
            return self.element(array, index);
        }
        match name {
            "?" => Some(self.status.to_string()),
            "$" => Some("1".into()),
            "#" => Some("0".into()),
            "0" => Some("sh".into()),
            "RANDOM" => Some("17837".into()),
            _ => self.env.get(name).cloned(),
        }
    }

    /// `${name[index]}`: the index is a number, a variable (`$i` or `i`) or `@`/`*` (every element).
    fn element(&self, array: &str, index: &str) -> Option<String> {
        let elements =
            || (0..).map_while(|n| self.env.get(&format!("{array}[{n}]")).cloned()).collect::<Vec<_>>().join(" ");
        if matches!(index, "@" | "*") {
            return Some(elements());
        }
        let name = index.trim_start_matches('$').trim_start_matches('{').trim_end_matches('}');
        let n = match index.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => self.var(name).and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(0),
        };
        self.env.get(&format!("{array}[{n}]")).cloned()
    }

    /// `$(...)`: runs the inner script and takes what it printed.
    fn substitute(&mut self, script: &str) -> Vec<Piece> {
        if self.depth > 4 {
            return Vec::new();
        }
        let mut sub = self.child();
        sub.conditions = 1;
        sub.run_script(script);
        self.status = sub.status;
        self.waited += sub.waited;
        let lines: Vec<Line> =
            sub.steps.into_iter().filter_map(|s| if let Step::Log(l) = s { Some(l) } else { None }).collect();
        join_output(&lines)
    }

    fn simple(&mut self, words: &[Word], redirects: &[Redirect]) {
        let mut i = 0;
        let mut assignments = Vec::new();
        while let Some((name, rest)) = words.get(i).and_then(assignment) {
            if let [Part::Lit(l), Part::Array(items)] = rest.0.as_slice()
                && l.is_empty()
            {
                // An array is kept as `name[0]`, `name[1]`, ...; `$name` is its first element, as in bash.
                self.env.retain(|k, _| !k.strip_prefix(name.as_str()).is_some_and(|r| r.starts_with('[')));
                for (n, item) in items.iter().enumerate() {
                    self.env.insert(format!("{name}[{n}]"), item.clone());
                }
                assignments.push((name, vec![Piece::Text(items.first().cloned().unwrap_or_default())]));
                i += 1;
                continue;
            }
            let value = self.expand(&rest);
            assignments.push((name, value));
            i += 1;
        }
        let argv: Vec<Vec<Piece>> = words[i..].iter().map(|w| self.expand(w)).collect();
        for (name, value) in assignments {
            let stored = match value.as_slice() {
                [Piece::Counter(b)] => counter_value(*b),
                _ => plain(&value),
            };
            self.env.insert(name, stored);
        }
        if argv.is_empty() {
            self.status = 0;
            return;
        }
        let piped = self.stdin.take();
        self.stdin = piped;
        if let Some(r) = redirects.iter().rev().find(|r| r.fd == 0) {
            let file = plain(&self.expand(&r.target));
            match self.read(&file) {
                Some(text) => self.stdin = Some(text),
                None => {
                    let e = Effect::fail(1, format!("sh: can't open {file}: no such file"));
                    self.apply(e, &[]);
                    return;
                }
            }
        }
        let effect = commands::run(self, &argv);
        self.stdin = None;
        self.apply(effect, redirects);
    }

    /// Applies what a command did: its steps, output (or redirection), status and end.
    pub fn apply(&mut self, mut effect: Effect, redirects: &[Redirect]) {
        let targets: Vec<(u8, String, bool)> = redirects
            .iter()
            .filter(|r| r.fd == 1 || r.fd == 2)
            .map(|r| (r.fd, plain(&self.expand(&r.target)), r.append))
            .collect();
        let target = |fd: u8| targets.iter().rev().find(|t| t.0 == fd).map(|t| (t.1.clone(), t.2));
        let (out_to, err_to) = (target(1), target(2));
        self.budget = self.budget.saturating_sub(effect.steps.len() + effect.out.len() + effect.mixed.len() + 1);
        self.steps.extend(std::mem::take(&mut effect.steps));
        let mixed = effect.mixed.into_iter().map(|(fd, l)| (fd, vec![l]));
        let ordered = [(1, effect.out), (2, effect.err)].into_iter().chain(mixed);
        let mut written: Vec<((String, bool), Vec<Line>)> = Vec::new();
        for (fd, lines) in ordered {
            match if fd == 2 { &err_to } else { &out_to } {
                None => self.steps.extend(lines.into_iter().map(Step::Log)),
                Some((f, _)) if f == "/dev/null" || f.is_empty() => {}
                Some(to) => match written.iter_mut().find(|(t, _)| t == to) {
                    Some((_, all)) => all.extend(lines),
                    None => written.push((to.clone(), lines)),
                },
            }
        }
        for ((file, append), lines) in written {
            match self.write(&file, lines, append) {
                Ok(step) => self.steps.push(step),
                Err(e) => {
                    let shell = if self.ctx.busybox { "sh" } else { "bash" };
                    let msg = if self.ctx.busybox {
                        format!("{shell}: can't create {file}: {e}")
                    } else {
                        format!("{shell}: {file}: {e}")
                    };
                    self.steps.push(Step::Log(Line::text(msg)));
                    effect.status = 1;
                }
            }
        }
        self.status = effect.status;
        self.last_unknown = effect.unknown;

        if effect.end.is_some() {
            self.end = effect.end;
        } else if self.errexit && self.status != 0 && self.conditions == 0 {
            self.end = Some(End::Exit(self.status));
        }
    }
}

#[cfg(test)]
mod tests;
