//! A node's filesystem with writes that land at their virtual time: the settled tree, plus the
//! writes running containers will make (one-off, or repeating in a `while true` loop).
//!
//! ```text
//!   settled tree (files, dirs) ── as of `settled` ──► pending: (at, seq, owner, op) sorted by time
//!                                                    loops:   first + k*period + offset, until exit
//!   read(path, t) = settled tree + every pending op and loop iteration at or before t, in time order
//! ```
//! `settle(now)` folds what is due into the tree; `cancel(owner, after)` drops what a container
//! would have written after it died.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::node::behaviour::timeline::render;
use crate::sim::node::behaviour::{Line, Step};
use crate::sim::time::Millis;

/// The most a file holds: appends past it keep the newest bytes (a log a loop writes forever).
pub const MAX_FILE_BYTES: usize = 64 * 1024;
/// Iterations of a loop replayed for one read: older ones are beyond what a file keeps anyway.
const MAX_ITERATIONS: u64 = 200;

/// One change to the filesystem, at a host path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `>` (or `>>` when `append`): the lines printed, rendered at the time of the write.
    Write {
        path: String,
        lines: Vec<Line>,
        append: bool,
    },
    /// Creates an empty file if there is none.
    Touch(String),
    Mkdir(String),
    /// `rm -rf`: the path and everything under it.
    Remove(String),
}

impl Op {
    /// The host path it changes.
    pub fn path(&self) -> &str {
        match self {
            Op::Write { path, .. } | Op::Touch(path) | Op::Mkdir(path) | Op::Remove(path) => path,
        }
    }

    /// The same change at another path (a container path mapped onto the node's).
    pub fn at_path(&self, to: String) -> Op {
        match self {
            Op::Write { lines, append, .. } => Op::Write { path: to, lines: lines.clone(), append: *append },
            Op::Touch(_) => Op::Touch(to),
            Op::Mkdir(_) => Op::Mkdir(to),
            Op::Remove(_) => Op::Remove(to),
        }
    }

    /// The filesystem change a timeline step makes, if any.
    pub fn of_step(step: &Step) -> Option<Op> {
        Some(match step {
            Step::Write { path, lines, append } => {
                Op::Write { path: path.clone(), lines: lines.clone(), append: *append }
            }
            Step::Touch(p) => Op::Touch(p.clone()),
            Step::Mkdir(p) => Op::Mkdir(p.clone()),
            Step::Remove(p) => Op::Remove(p.clone()),
            _ => return None,
        })
    }
}

/// Whether two paths are the same or one is under the other (an op on one can change the other).
pub fn related(a: &str, b: &str) -> bool {
    let under = |x: &str, y: &str| x.len() > y.len() && x.starts_with(y) && x.as_bytes()[y.len()] == b'/';
    a == b || under(a, b) || under(b, a) || b == "/" || a == "/"
}

#[derive(Debug, Clone)]
struct Timed {
    at: Millis,
    seq: u64,
    owner: String,
    op: Op,
}

/// The writes of a `while true` loop: iteration `k` makes `ops` at `first + k*period + offset`.
#[derive(Debug, Clone)]
struct LoopWrites {
    owner: String,
    first: Millis,
    period: Millis,
    /// The container died then: no iteration after it.
    until: Option<Millis>,
    /// The first iteration not yet settled.
    next: u64,
    seq: u64,
    ops: Vec<(Millis, Op)>,
}

impl LoopWrites {
    /// Iterations whose ops fall in `(from, to]`, at most the last `MAX_ITERATIONS`.
    fn events(
        &self,
        from: Option<Millis>,
        to: Millis,
        keep: &dyn Fn(&Op) -> bool,
        out: &mut Vec<(Millis, u64, Op, u64)>,
    ) {
        let to = self.until.map_or(to, |u| u.min(to));
        if to < self.first {
            return;
        }
        let last = (to - self.first) / self.period;
        let start = self.next.max(last.saturating_sub(MAX_ITERATIONS));
        for k in start..=last {
            for (offset, op) in &self.ops {
                let at = self.first + k * self.period + offset;
                if at <= to && from.is_none_or(|f| at > f) && keep(op) {
                    out.push((at, self.seq, op.clone(), k));
                }
            }
        }
    }
}

/// The filesystem of one node.
#[derive(Debug, Clone, Default)]
pub struct Fs {
    files: BTreeMap<String, String>,
    dirs: BTreeSet<String>,
    pending: Vec<Timed>,
    loops: Vec<LoopWrites>,
    seq: u64,
}

/// A tree under one path, as of one time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub files: BTreeMap<String, String>,
    pub dirs: BTreeSet<String>,
}

impl Snapshot {
    fn apply(&mut self, op: &Op, at: Millis, iteration: u64) {
        match op {
            Op::Write { path, lines, append } => {
                let mut text: String = lines.iter().map(|l| render(l, at, iteration) + "\n").collect();
                self.parents(path);
                let file = self.files.entry(path.clone()).or_default();
                if *append {
                    file.push_str(&text);
                    text = std::mem::take(file);
                }
                if text.len() > MAX_FILE_BYTES {
                    let mut cut = text.len() - MAX_FILE_BYTES;
                    while !text.is_char_boundary(cut) {
                        cut += 1;
                    }
                    text.drain(..cut);
                }
                *file = text;
            }
            Op::Touch(path) => {
                self.parents(path);
                if !self.dirs.contains(path) {
                    self.files.entry(path.clone()).or_default();
                }
            }
            Op::Mkdir(path) => {
                self.parents(path);
                self.dirs.insert(path.clone());
            }
            Op::Remove(path) => {
                let under = format!("{}/", path.trim_end_matches('/'));
                self.files.retain(|p, _| p != path && !p.starts_with(&under));
                self.dirs.retain(|p| p != path && !p.starts_with(&under));
            }
        }
    }

    /// `mkdir -p` of the directories above `path`.
    fn parents(&mut self, path: &str) {
        let mut p = path;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if parent.is_empty() || !self.dirs.insert(parent.to_string()) {
                return;
            }
            p = parent;
        }
    }
}

impl Fs {
    /// Writes a file now (the node's own files, a ConfigMap the kubelet projects).
    pub fn put(&mut self, path: &str, content: &str) {
        let mut s = Snapshot { files: BTreeMap::new(), dirs: std::mem::take(&mut self.dirs) };
        s.parents(path);
        self.dirs = s.dirs;
        self.files.insert(path.to_string(), content.to_string());
    }

    /// Makes a directory now, with its parents.
    pub fn mkdir(&mut self, path: &str) {
        let mut s = Snapshot { files: BTreeMap::new(), dirs: std::mem::take(&mut self.dirs) };
        s.apply(&Op::Mkdir(path.to_string()), 0, 0);
        self.dirs = s.dirs;
    }

    /// Removes a path and everything under it now (an emptyDir with its pod).
    pub fn remove_now(&mut self, path: &str) {
        let mut s = Snapshot { files: std::mem::take(&mut self.files), dirs: std::mem::take(&mut self.dirs) };
        s.apply(&Op::Remove(path.to_string()), 0, 0);
        (self.files, self.dirs) = (s.files, s.dirs);
        let under = format!("{}/", path.trim_end_matches('/'));
        self.pending.retain(|t| t.op.path() != path && !t.op.path().starts_with(&under));
    }

    /// Schedules `op` at `at` on behalf of `owner` (a container id).
    pub fn schedule(&mut self, owner: &str, at: Millis, op: Op) {
        self.seq += 1;
        let t = Timed { at, seq: self.seq, owner: owner.to_string(), op };
        let i = self.pending.partition_point(|p| (p.at, p.seq) <= (t.at, t.seq));
        self.pending.insert(i, t);
    }

    /// Schedules a loop's writes: `ops` (offset in the body, op) repeat every `period` from `first`.
    pub fn schedule_loop(&mut self, owner: &str, first: Millis, period: Millis, ops: Vec<(Millis, Op)>) {
        if ops.is_empty() {
            return;
        }
        self.seq += 1;
        let period = period.max(1);
        self.loops.push(LoopWrites {
            owner: owner.to_string(),
            first,
            period,
            until: None,
            next: 0,
            seq: self.seq,
            ops,
        });
    }

    /// The container `owner` died at `after`: what it would have written later never happens.
    pub fn cancel(&mut self, owner: &str, after: Millis) {
        self.pending.retain(|t| t.owner != owner || t.at <= after);
        for l in self.loops.iter_mut().filter(|l| l.owner == owner) {
            l.until = Some(l.until.map_or(after, |u| u.min(after)));
        }
    }

    /// Every change due by `t` (and after `from`) that `keep` selects, in time order.
    fn events(&self, t: Millis, keep: &dyn Fn(&Op) -> bool) -> Vec<(Millis, u64, Op, u64)> {
        let mut out: Vec<(Millis, u64, Op, u64)> = self
            .pending
            .iter()
            .take_while(|p| p.at <= t)
            .filter(|p| keep(&p.op))
            .map(|p| (p.at, p.seq, p.op.clone(), 0))
            .collect();
        for l in &self.loops {
            l.events(None, t, keep, &mut out);
        }
        crate::sim::sort::StableSort::stable_sort_by(out.as_mut_slice(), |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out
    }

    /// Folds every change due by `now` into the tree.
    pub fn settle(&mut self, now: Millis) {
        let events = self.events(now, &|_| true);
        if events.is_empty() {
            return;
        }
        let mut s = Snapshot { files: std::mem::take(&mut self.files), dirs: std::mem::take(&mut self.dirs) };
        for (at, _, op, k) in &events {
            s.apply(op, *at, *k);
        }
        (self.files, self.dirs) = (s.files, s.dirs);
        self.pending.retain(|p| p.at > now);
        for l in &mut self.loops {
            let to = l.until.map_or(now, |u| u.min(now));
            if to >= l.first {
                l.next = l.next.max((to - l.first) / l.period + 1);
            }
        }
        self.loops.retain(|l| l.until.is_none_or(|u| l.first + l.next * l.period <= u));
    }

    /// The tree under `path` (itself included) as it will be at `t`.
    pub fn under(&self, path: &str, t: Millis) -> Snapshot {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        let keep = |p: &String| p == path || p.starts_with(&prefix);
        let mut s = Snapshot {
            files: self.files.iter().filter(|(p, _)| keep(p)).map(|(p, c)| (p.clone(), c.clone())).collect(),
            dirs: self.dirs.iter().filter(|p| keep(p)).cloned().collect(),
        };
        for (at, _, op, k) in self.events(t, &|op| related(op.path(), path)) {
            s.apply(&op, at, k);
        }
        s
    }

    /// The content of a file at `t`.
    pub fn read(&self, path: &str, t: Millis) -> Option<String> {
        self.under(path, t).files.remove(path)
    }

    /// Whether `path` is a directory at `t`.
    pub fn is_dir(&self, path: &str, t: Millis) -> bool {
        path == "/" || self.under(path, t).dirs.contains(path)
    }

    /// The names in directory `dir` at `t`.
    pub fn list(&self, dir: &str, t: Millis) -> Vec<String> {
        let s = self.under(dir, t);
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let mut names: BTreeSet<String> = BTreeSet::new();
        for p in s.files.keys().chain(s.dirs.iter()) {
            if let Some(rest) = p.strip_prefix(&prefix) {
                names.insert(rest.split('/').next().unwrap_or(rest).to_string());
            }
        }
        names.into_iter().filter(|n| !n.is_empty()).collect()
    }

    /// The first time after `t` when something under one of `paths` changes, if anything is due.
    pub fn next_change(&self, t: Millis, paths: &[String]) -> Option<Millis> {
        let hit = |op: &Op| paths.iter().any(|p| related(op.path(), p));
        let one_off = self.pending.iter().find(|p| p.at > t && hit(&p.op)).map(|p| p.at);
        let looped = self
            .loops
            .iter()
            .filter_map(|l| {
                let offset = l.ops.iter().filter(|(_, op)| hit(op)).map(|(o, _)| *o).min()?;
                let k = if t < l.first + offset { 0 } else { (t - l.first - offset) / l.period + 1 };
                let at = l.first + k * l.period + offset;
                l.until.is_none_or(|u| at <= u).then_some(at)
            })
            .min();
        one_off.into_iter().chain(looped).min()
    }
}
