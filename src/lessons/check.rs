//! The check language: what a step asks of the cluster, read from the objects the kube-apiserver
//! serves, so that any correct way of getting there passes.
//!
//! ```text
//! exists    KIND/NAME                          a Deployment, a Service, a Node ... exists
//! absent    KIND/NAME                          it does not (deleted, or never made)
//! field     KIND/NAME PATH OP [VALUE]          spec.replicas == 3, spec.nodeName exists
//! condition KIND/NAME TYPE [STATUS]            Available (True unless a status is given)
//! count     KIND [where PATH OP [VALUE] [and ...]] OP N
//! event     REASON [for KIND/NAME | for KIND]  an Event with that reason, about that object
//! message   FROM -> TO [VERB] [KIND[/NAME]] [--subresource SUB]
//!                                              such a message was sent since the step began
//! ```
//! Each takes `-n NS` (default `default`); `count` and `event` also take `-l SELECTOR` (the objects'
//! labels, kubectl's syntax) and `-A` (every namespace), as does `message` (see `message`). OP is one of `== != > >= < <=` (numbers compare
//! as numbers), `contains`, `exists`, `missing`. A check never changes the world: it reads the
//! apiserver's watch cache (what a `kubectl get` would be answered from), sends nothing and advances
//! no time, so the UI can run it after every command.

mod message;

use serde_json::Value;

use super::path::{FieldPath, scalar};
use crate::sim::api::ResourceType;
use crate::sim::api::registry::{resolve, storage_key, storage_prefix};
use crate::sim::api::selector::{Selector, parse_selector};
use crate::sim::world::World;
pub use message::MessageCheck;

/// A comparison between what the cluster has and what the step wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Contains,
    Exists,
    Missing,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "==" | "=" => Op::Eq,
            "!=" => Op::Ne,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "<" => Op::Lt,
            "<=" => Op::Le,
            "contains" => Op::Contains,
            "exists" => Op::Exists,
            "missing" => Op::Missing,
            _ => return None,
        })
    }

    fn text(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Contains => "contains",
            Op::Exists => "exists",
            Op::Missing => "missing",
        }
    }

    fn unary(self) -> bool {
        matches!(self, Op::Exists | Op::Missing)
    }

    /// Whether `got` (None: not set) satisfies the op against `want`. Both numbers: compared as
    /// numbers (so 10 > 9); otherwise as text.
    fn holds(self, got: Option<&str>, want: &str) -> bool {
        let Some(got) = got else { return matches!(self, Op::Missing | Op::Ne) };
        let order = match (got.parse::<f64>(), want.parse::<f64>()) {
            (Ok(a), Ok(b)) => a.partial_cmp(&b),
            _ => Some(got.cmp(want)),
        };
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => order == Some(Equal),
            Op::Ne => order != Some(Equal),
            Op::Gt => order == Some(Greater),
            Op::Ge => matches!(order, Some(Greater | Equal)),
            Op::Lt => order == Some(Less),
            Op::Le => matches!(order, Some(Less | Equal)),
            Op::Contains => got.contains(want),
            Op::Exists => true,
            Op::Missing => false,
        }
    }
}

/// `PATH OP [VALUE]`: one test of one object's field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldTest {
    pub path: FieldPath,
    pub op: Op,
    pub value: String,
}

impl FieldTest {
    fn holds(&self, obj: &Value) -> bool {
        self.op.holds(self.path.lookup(obj).and_then(scalar).as_deref(), &self.value)
    }

    fn describe(&self) -> String {
        if self.op.unary() {
            format!("{} {}", self.path, self.op.text())
        } else {
            format!("{} {} {}", self.path, self.op.text(), shown(&self.value))
        }
    }
}

/// Which namespace a check looks in.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Namespace(String),
    All,
}

/// One object, named.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub resource: &'static ResourceType,
    pub name: String,
    pub scope: Scope,
}

/// A set of objects: a kind, optionally narrowed by labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    pub resource: &'static ResourceType,
    pub selector: Option<(String, Selector)>,
    pub scope: Scope,
}

/// What an `event` check is about.
#[derive(Debug, Clone, PartialEq)]
pub enum About {
    Anything,
    Object(Target),
    Objects(Set),
}

/// A parsed check.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Exists(Target),
    Absent(Target),
    Field(Target, FieldTest),
    Condition {
        target: Target,
        kind: String,
        status: String,
    },
    Count {
        set: Set,
        tests: Vec<FieldTest>,
        op: Op,
        n: u64,
    },
    Event {
        reason: String,
        about: About,
        scope: Scope,
    },
    /// A message of the trace sent since the step began.
    Message(MessageCheck),
}

/// What evaluating a check found: whether it holds, and in plain words what the cluster has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub passed: bool,
    /// When it fails: what is missing. When it passes: what was found.
    pub explanation: String,
    /// For a `message` check that passed: the first message that did it (the story's hop to show).
    pub message: Option<u64>,
}

/// Parses one check; the error is a plain sentence a teacher can act on.
pub fn parse(text: &str) -> Result<Check, String> {
    let tokens = tokenize(text)?;
    let mut words = Vec::new();
    let (mut namespace, mut all, mut selector) = (None, false, None);
    let mut it = tokens.into_iter();
    while let Some(t) = it.next() {
        match t.as_str() {
            "-n" | "--namespace" => namespace = Some(it.next().ok_or("-n needs a namespace")?),
            "-A" | "--all-namespaces" => all = true,
            "-l" | "--selector" => {
                let s = it.next().ok_or("-l needs a label selector, e.g. -l app=web")?;
                let parsed = parse_selector(&s).map_err(|e| format!("bad label selector {s:?}: {e}"))?;
                selector = Some((s, parsed));
            }
            _ => words.push(t),
        }
    }
    if all && namespace.is_some() {
        return Err("-A and -n cannot go together".into());
    }
    let scope = if all { Scope::All } else { Scope::Namespace(namespace.unwrap_or_else(|| "default".into())) };
    let (verb, rest) = words.split_first().ok_or("an empty check")?;
    let verb = verb.as_str();
    if selector.is_some() && !matches!(verb, "count" | "event") {
        return Err(format!("-l only goes with count and event, not {verb}"));
    }
    if all && !matches!(verb, "count" | "event" | "message") {
        return Err(format!("-A only goes with count, event and message; {verb} names one object"));
    }
    let check = match verb {
        "exists" | "absent" => {
            let [target] = rest else { return Err(format!("{verb} takes one KIND/NAME, e.g. {verb} deployment/web")) };
            let target = parse_target(target, scope)?;
            if verb == "exists" { Check::Exists(target) } else { Check::Absent(target) }
        }
        "field" => {
            let (target, test) = rest.split_first().ok_or("field needs KIND/NAME PATH OP VALUE")?;
            let test = parse_test(test)?;
            Check::Field(parse_target(target, scope)?, test)
        }
        "condition" => {
            let usage = "condition takes KIND/NAME TYPE [STATUS], e.g. condition node/sandbox-worker Ready False";
            let (target, kind, status) = match rest {
                [t, k] => (t, k, "True"),
                [t, k, s] => (t, k, s.as_str()),
                [t, k, eq, s] if eq == "==" || eq == "=" => (t, k, s.as_str()),
                _ => return Err(usage.into()),
            };
            if !matches!(status, "True" | "False" | "Unknown") {
                return Err(format!("a condition's status is True, False or Unknown, not {status:?}"));
            }
            Check::Condition { target: parse_target(target, scope)?, kind: kind.clone(), status: status.to_string() }
        }
        "count" => parse_count(rest, scope, selector)?,
        "event" => parse_event(rest, scope, selector)?,
        "message" => Check::Message(message::parse(rest, scope)?),
        other => {
            return Err(format!(
                "unknown check {other:?} (a check starts with exists, absent, field, condition, count, event or message)"
            ));
        }
    };
    Ok(check)
}

fn parse_count(rest: &[String], scope: Scope, selector: Option<(String, Selector)>) -> Result<Check, String> {
    let usage = "count takes KIND [where PATH OP VALUE [and ...]] OP N, e.g. count pods -l app=web >= 3";
    let (kind, rest) = rest.split_first().ok_or(usage)?;
    if rest.len() < 2 {
        return Err(usage.into());
    }
    let (filters, tail) = rest.split_at(rest.len() - 2);
    let op = Op::parse(&tail[0]).filter(|o| !o.unary() && *o != Op::Contains).ok_or_else(|| {
        format!("count must end with a comparison and a number (e.g. >= 3), not {} {}", tail[0], tail[1])
    })?;
    let n = tail[1].parse().map_err(|_| format!("count compares with a whole number, not {:?}", tail[1]))?;
    let mut tests = Vec::new();
    if let Some((first, conds)) = filters.split_first() {
        if first != "where" {
            return Err(format!("expected where after {kind}, got {first:?} ({usage})"));
        }
        for part in conds.split(|w| w == "and") {
            tests.push(parse_test(part)?);
        }
    }
    Ok(Check::Count { set: Set { resource: parse_kind(kind)?, selector, scope }, tests, op, n })
}

fn parse_event(rest: &[String], scope: Scope, selector: Option<(String, Selector)>) -> Result<Check, String> {
    let usage = "event takes REASON [for KIND/NAME | for KIND], e.g. event FailedScheduling for pods -l app=web";
    let about = match rest {
        [_] if selector.is_some() => return Err(format!("-l needs `for KIND` to say what it selects ({usage})")),
        [_] => About::Anything,
        [_, f, what] if f == "for" && what.contains('/') => {
            if selector.is_some() {
                return Err("-l selects several objects; drop it or the /NAME".into());
            }
            About::Object(parse_target(what, scope.clone())?)
        }
        [_, f, what] if f == "for" => {
            About::Objects(Set { resource: parse_kind(what)?, selector, scope: scope.clone() })
        }
        _ => return Err(usage.into()),
    };
    Ok(Check::Event { reason: rest[0].clone(), about, scope })
}

fn parse_test(words: &[String]) -> Result<FieldTest, String> {
    let usage = "a field test is PATH OP VALUE (e.g. status.phase == Running) or PATH exists / PATH missing";
    let (path, op, value) = match words {
        [path, op] => (path, op, None),
        [path, op, value] => (path, op, Some(value)),
        _ => return Err(usage.into()),
    };
    let path = FieldPath::parse(path)?;
    let op = Op::parse(op)
        .ok_or_else(|| format!("unknown comparison {op:?} (use == != > >= < <= contains exists missing)"))?;
    let value = match (op.unary(), value) {
        (true, None) => String::new(),
        (false, Some(v)) => v.clone(),
        (true, Some(v)) => return Err(format!("{} takes no value, got {v:?}", op.text())),
        (false, None) => return Err(format!("{} needs a value after it ({usage})", op.text())),
    };
    Ok(FieldTest { path, op, value })
}

fn parse_kind(kind: &str) -> Result<&'static ResourceType, String> {
    resolve(kind).ok_or_else(|| format!("unknown kind {kind:?} (use a kubectl name: pods, deployment, svc, node ...)"))
}

fn parse_target(text: &str, scope: Scope) -> Result<Target, String> {
    let (kind, name) = text.split_once('/').ok_or_else(|| format!("expected KIND/NAME, got {text:?}"))?;
    if name.is_empty() {
        return Err(format!("{text:?} has no name after the slash"));
    }
    Ok(Target { resource: parse_kind(kind)?, name: name.to_string(), scope })
}

/// Splits on spaces, keeping "quoted text" (or 'quoted') as one word; `""` is an empty word.
fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            // Only a quote that opens a word quotes it: `labels["a/b"]` keeps its quotes for the path.
            if (c == '"' || c == '\'') && word.is_empty() {
                let mut closed = false;
                for q in chars.by_ref() {
                    if q == c {
                        closed = true;
                        break;
                    }
                    word.push(q);
                }
                if !closed {
                    return Err(format!("a {c} quote is not closed"));
                }
            } else {
                word.push(c);
            }
        }
        out.push(word);
    }
    Ok(out)
}

fn shown(v: &str) -> String {
    if v.is_empty() || v.contains(' ') { format!("{v:?}") } else { v.to_string() }
}

impl Target {
    fn namespace(&self) -> Option<&str> {
        match &self.scope {
            Scope::Namespace(ns) if self.resource.namespaced => Some(ns),
            _ => None,
        }
    }

    fn get<'w>(&self, world: &'w World) -> Option<&'w Value> {
        world.apiserver.cache.get(&storage_key(self.resource, self.namespace(), &self.name))
    }

    /// `deployment web in namespace default` / `node sandbox-worker`.
    fn describe(&self) -> String {
        match self.namespace() {
            Some(ns) => format!("{} {} in namespace {ns}", self.resource.singular, self.name),
            None => format!("{} {}", self.resource.singular, self.name),
        }
    }
}

impl Set {
    fn namespace(&self) -> Option<&str> {
        match &self.scope {
            Scope::Namespace(ns) if self.resource.namespaced => Some(ns),
            _ => None,
        }
    }

    /// How many of the set's objects pass `keep`. (A count, not an iterator: the cache's list
    /// borrows the prefix it is given, which lives only here.)
    fn count(&self, world: &World, keep: impl Fn(&Value) -> bool) -> usize {
        let prefix = storage_prefix(self.resource, self.namespace());
        let selector = self.selector.as_ref().map(|(_, s)| s);
        world
            .apiserver
            .cache
            .list_prefix(&prefix)
            .filter(|o| selector.is_none_or(|s| s.matches_object(o)) && keep(o))
            .count()
    }

    fn describe(&self) -> String {
        let mut s = self.resource.plural.to_string();
        if let Some((text, _)) = &self.selector {
            s.push_str(&format!(" -l {text}"));
        }
        match &self.scope {
            Scope::All => s.push_str(" in any namespace"),
            Scope::Namespace(ns) if self.resource.namespaced => s.push_str(&format!(" in namespace {ns}")),
            Scope::Namespace(_) => {}
        }
        s
    }
}

impl Check {
    /// Whether it reads the trace (a `message` check): it may pass with no object changed.
    pub fn reads_trace(&self) -> bool {
        matches!(self, Check::Message(_))
    }

    /// Evaluates the check against what the apiserver would serve now, and (a `message` check) the
    /// messages sent from id `since` on, when the step began. Reads only.
    pub fn evaluate(&self, world: &World, since: u64) -> Outcome {
        let (passed, explanation) = match self {
            Check::Exists(t) => match t.get(world) {
                Some(_) => (true, format!("{} exists", t.describe())),
                None => (false, format!("there is no {}", t.describe())),
            },
            Check::Absent(t) => match t.get(world) {
                Some(_) => (false, format!("{} still exists", t.describe())),
                None => (true, format!("there is no {}", t.describe())),
            },
            Check::Field(t, test) => match t.get(world) {
                None => (false, format!("there is no {}", t.describe())),
                Some(obj) => {
                    let got = test.path.lookup(obj).and_then(scalar);
                    let has = match &got {
                        Some(v) => format!("{} is {}", test.path, shown(v)),
                        None => format!("{} is not set", test.path),
                    };
                    let passed = test.holds(obj);
                    let want = if passed { String::new() } else { format!(", want {}", test.describe()) };
                    (passed, format!("{}: {has}{want}", t.describe()))
                }
            },
            Check::Condition { target, kind, status } => evaluate_condition(world, target, kind, status),
            Check::Count { set, tests, op, n } => {
                let found = set.count(world, |o| tests.iter().all(|t| t.holds(o)));
                let passed = op.holds(Some(&found.to_string()), &n.to_string());
                let mut what = set.describe();
                for (i, t) in tests.iter().enumerate() {
                    what.push_str(if i == 0 { " where " } else { " and " });
                    what.push_str(&t.describe());
                }
                (passed, format!("{what}: {found} found, want {} {n}", op.text()))
            }
            Check::Event { reason, about, scope } => evaluate_event(world, reason, about, scope),
            Check::Message(m) => {
                let (passed, explanation, message) = m.evaluate(world, since);
                return Outcome { passed, explanation, message };
            }
        };
        Outcome { passed, explanation, message: None }
    }
}

fn evaluate_condition(world: &World, target: &Target, kind: &str, status: &str) -> (bool, String) {
    let Some(obj) = target.get(world) else { return (false, format!("there is no {}", target.describe())) };
    let found = obj
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c.get("type").and_then(Value::as_str) == Some(kind)));
    let Some(cond) = found else {
        return (false, format!("{} has no {kind} condition yet, want {kind}={status}", target.describe()));
    };
    let text = |k: &str| cond.get(k).and_then(Value::as_str).unwrap_or_default();
    let passed = text("status") == status;
    let mut s = format!("{}: {kind} is {}", target.describe(), text("status"));
    if !passed {
        s.push_str(&format!(", want {status}"));
    }
    if !text("reason").is_empty() {
        s.push_str(&format!(" (reason {}", text("reason")));
        if !text("message").is_empty() {
            s.push_str(&format!(": {}", text("message")));
        }
        s.push(')');
    }
    (passed, s)
}

fn evaluate_event(world: &World, reason: &str, about: &About, scope: &Scope) -> (bool, String) {
    let events = crate::sim::api::registry::resolve("events").expect("the core Event resource is registered");
    let namespace = match scope {
        Scope::Namespace(ns) => Some(ns.as_str()),
        Scope::All => None,
    };
    let prefix = storage_prefix(events, namespace);
    let involved =
        |e: &Value, k: &str| e.pointer(&format!("/involvedObject/{k}")).and_then(Value::as_str).map(str::to_string);
    let about_it = |e: &Value| match about {
        About::Anything => true,
        About::Object(t) => {
            involved(e, "kind").as_deref() == Some(t.resource.kind) && involved(e, "name").as_deref() == Some(&t.name)
        }
        About::Objects(set) => {
            // The event names its object; the object's labels say whether the selector picks it.
            involved(e, "kind").as_deref() == Some(set.resource.kind)
                && set.selector.as_ref().is_none_or(|(_, sel)| {
                    let ns = involved(e, "namespace");
                    let name = involved(e, "name").unwrap_or_default();
                    world
                        .apiserver
                        .cache
                        .get(&storage_key(set.resource, ns.as_deref(), &name))
                        .is_some_and(|o| sel.matches_object(o))
                })
        }
    };
    let found = world
        .apiserver
        .cache
        .list_prefix(&prefix)
        .filter(|e| e.get("reason").and_then(Value::as_str) == Some(reason) && about_it(e))
        .count();
    let whom = match about {
        About::Anything => String::new(),
        About::Object(t) => format!(" for {}", t.describe()),
        About::Objects(s) => format!(" for {}", s.describe()),
    };
    let place = match (about, scope) {
        (About::Anything, Scope::Namespace(ns)) => format!(" in namespace {ns}"),
        _ => String::new(),
    };
    if found == 0 {
        (false, format!("no {reason} event{whom}{place} yet"))
    } else {
        (true, format!("{found} {reason} event(s){whom}{place}"))
    }
}

#[cfg(test)]
mod tests;
