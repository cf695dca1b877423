//! `kubectl wait --for=delete|condition=NAME[=VALUE]|jsonpath=EXPR[=VALUE]`, as kubectl 1.33's
//! `pkg/cmd/wait` sends it: the resource builder GETs each named object (or LISTs by selector), then
//! each one is watched through an informer on its name (`until::until_with_sync`) until the condition
//! holds; `--for=delete` GETs once more first (`IsDeleted`). `--timeout=0` only GETs and checks.
//! The timeout is one deadline for every object, in virtual time.
//!
//! Simplified: a JSONPath condition compares the template's printed result (trimmed) with the value;
//! kubectl's refusals of a path that matches several lists or leads to a nested object are not made.

use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{self, namespace, object_ref, targets};
use super::until::{Ended, Verdict, until_with_sync};
use super::{Ctx, Output};
use crate::sim::api::ResourceType;
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::EventType;
use crate::sim::apiserver::status::Reason;
use crate::sim::time::{Millis, parse_duration};

/// kubectl's default `--timeout`.
const DEFAULT_TIMEOUT_MS: Millis = 30_000;
/// What a negative `--timeout` means: a week.
const WEEK_MS: Millis = 168 * 3_600_000;

/// What `--for` asks.
#[derive(Debug, Clone, PartialEq)]
enum For {
    Delete,
    /// A status condition's type and wanted status, both compared case-insensitively.
    Condition {
        name: String,
        status: String,
    },
    /// A JSONPath template and the value it must print (any value when None).
    JsonPath {
        template: String,
        value: Option<String>,
    },
}

impl For {
    /// `conditionFuncFor`, with kubectl's errors for a condition it cannot read.
    fn parse(condition: &str) -> Result<Self, String> {
        if condition.eq_ignore_ascii_case("delete") {
            return Ok(For::Delete);
        }
        if let Some(c) = condition.strip_prefix("condition=") {
            let (name, status) = c.split_once('=').unwrap_or((c, "true"));
            return Ok(For::Condition { name: name.to_string(), status: status.to_string() });
        }
        if let Some(input) = condition.strip_prefix("jsonpath=") {
            let parts = split_jsonpath_input(input);
            let (expr, value) = match parts.as_slice() {
                [expr] => (expr.clone(), None),
                [expr, value] => {
                    let value = value.trim_matches(|c| c == '\'' || c == '"').to_string();
                    if value.is_empty() {
                        return Err("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3".into());
                    }
                    (expr.clone(), Some(value))
                }
                _ => return Err("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'".into()),
            };
            if expr.is_empty() {
                return Err("jsonpath expression cannot be empty".into());
            }
            // `RelaxedJSONPathExpression`: `.status.phase` stands for `{.status.phase}`.
            let template = if expr.starts_with('{') { expr } else { format!("{{{expr}}}") };
            return Ok(For::JsonPath { template, value });
        }
        Err(format!("unrecognized condition: {condition:?}"))
    }

    /// Whether the object meets the condition (`checkCondition` of the condition and JSONPath waiters).
    fn met(&self, obj: &Value) -> bool {
        match self {
            For::Delete => false,
            For::Condition { name, status } => condition_met(obj, name, status),
            For::JsonPath { template, value } => {
                let Ok(found) = super::printers::jsonpath::jsonpath_with(template, obj, true) else { return false };
                match value {
                    None => !found.is_empty(),
                    Some(want) => !found.is_empty() && found.trim() == want,
                }
            }
        }
    }
}

/// `splitJSONPathInput`: splits on a single `=`; `==` stays in the expression.
fn split_jsonpath_input(input: &str) -> Vec<String> {
    let (mut out, mut element) = (Vec::new(), String::new());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '=' {
            if chars.peek() == Some(&'=') {
                chars.next();
                element.push_str("==");
                continue;
            }
            out.push(std::mem::take(&mut element));
            continue;
        }
        element.push(c);
    }
    out.push(element);
    out
}

/// `ConditionalWait.checkCondition`: the first condition of that type decides, unless it was observed
/// for an older generation of the object.
fn condition_met(obj: &Value, name: &str, status: &str) -> bool {
    let Some(conditions) = obj.at("/status/conditions").and_then(Value::as_array) else { return false };
    let generation = obj.at("/metadata/generation").and_then(Value::as_i64);
    for c in conditions {
        let Some(ty) = c.get("type").and_then(Value::as_str) else { continue };
        if !ty.eq_ignore_ascii_case(name) {
            continue;
        }
        let Some(have) = c.get("status").and_then(Value::as_str) else { continue };
        let observed = c
            .get("observedGeneration")
            .and_then(Value::as_i64)
            .or_else(|| obj.at("/status/observedGeneration").and_then(Value::as_i64));
        if let (Some(generation), Some(observed)) = (generation, observed)
            && observed < generation
        {
            return false;
        }
        return have.eq_ignore_ascii_case(status);
    }
    false
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(
        words,
        &[
            flag("for", None, FlagKind::Value),
            flag("timeout", None, FlagKind::Value),
            flag("selector", Some('l'), FlagKind::Value),
            flag("all", None, FlagKind::Bool),
        ],
    )
    .map_err(|e| format!("error: {e}\nSee 'kubectl wait --help' for usage."))?;
    let condition = For::parse(p.get("for").unwrap_or_default()).map_err(|e| format!("error: {e}"))?;
    let timeout = match p.get("timeout") {
        None => DEFAULT_TIMEOUT_MS as i64,
        Some(t) => signed_duration(t).ok_or_else(|| {
            format!("error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"")
        })?,
    };
    let timeout = if timeout < 0 { WEEK_MS } else { timeout as Millis };
    let ns = namespace(&p);
    let deadline = cx.world.now() + timeout;
    let mut visited = 0;
    for (rt, names) in targets(&p.positional)? {
        let names = if names.is_empty() {
            let items = common::list(cx, rt, Some(&ns), p.get("selector"), None).map_err(|e| e.to_string())?;
            items.iter().map(|o| common::name_of(o).to_string()).collect()
        } else {
            // The builder's `Latest()`: each named object is read first; a missing one ends the command,
            // except when waiting for deletion.
            let mut found = Vec::new();
            for n in names {
                match common::get_one(cx, rt, &ns, &n) {
                    Ok(_) => found.push(n),
                    Err(e) if e.reason == Reason::NotFound && condition == For::Delete => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            found
        };
        for name in names {
            visited += 1;
            wait_for(cx, rt, &ns, &name, &condition, timeout, deadline)?;
            out.out(format!("{} condition met", object_ref(rt, &name)));
        }
    }
    if visited == 0 && condition != For::Delete {
        return Err("error: no matching resources found".into());
    }
    Ok(())
}

/// Go's `time.ParseDuration` of a `--timeout`, which may be negative.
fn signed_duration(t: &str) -> Option<i64> {
    match t.strip_prefix('-') {
        Some(rest) => parse_duration(rest).map(|d| -(d as i64)),
        None => parse_duration(t).map(|d| d as i64),
    }
}

/// One object's wait (`IsDeleted`, `IsConditionMet`, `IsJSONPathConditionMet`); the error kubectl
/// prints when it does not end well.
fn wait_for(
    cx: &mut Ctx,
    rt: &'static ResourceType,
    ns: &str,
    name: &str,
    condition: &For,
    timeout: Millis,
    deadline: Millis,
) -> Result<(), String> {
    let timed_out = || format!("error: timed out waiting for the condition on {}/{name}", rt.plural);
    let not_met = || format!("error: condition not met for {}/{name}", rt.plural);
    let ended = if *condition == For::Delete {
        match common::get_one(cx, rt, ns, name) {
            Err(e) if e.reason == Reason::NotFound => return Ok(()),
            Err(e) => return Err(e.to_string()),
            Ok(_) if timeout == 0 => return Err(not_met()),
            Ok(_) => {}
        }
        let gone = |exists: bool| if exists { Verdict::Wait } else { Verdict::Done };
        let deleted = |e: EventType, _: &Value| if e == EventType::Deleted { Verdict::Done } else { Verdict::Wait };
        until_with_sync(cx, rt, ns, name, deadline, gone, deleted)
    } else {
        if timeout == 0 {
            let obj = common::get_one(cx, rt, ns, name).map_err(|e| e.to_string())?;
            return if condition.met(&obj) { Ok(()) } else { Err(not_met()) };
        }
        let missing = crate::sim::apiserver::status::Status::not_found(rt, name).to_string();
        let exists = |exists: bool| if exists { Verdict::Wait } else { Verdict::Fail(missing.clone()) };
        let check = |e: EventType, o: &Value| match e {
            // A deleted object is looked for again by the informer; the wait goes on.
            EventType::Deleted | EventType::Bookmark => Verdict::Wait,
            _ if condition.met(o) => Verdict::Done,
            _ => Verdict::Wait,
        };
        until_with_sync(cx, rt, ns, name, deadline, exists, check)
    };
    match ended.map_err(|e| e.to_string())? {
        Ended::Done => Ok(()),
        Ended::TimedOut => Err(timed_out()),
        Ended::Failed(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn for_reads_as_kubectl_reads_it() {
        let cases: [(&str, Result<For, &str>); 7] = [
            ("delete", Ok(For::Delete)),
            ("DELETE", Ok(For::Delete)),
            ("condition=Ready", Ok(For::Condition { name: "Ready".into(), status: "true".into() })),
            ("condition=Ready=false", Ok(For::Condition { name: "Ready".into(), status: "false".into() })),
            (
                "jsonpath={.status.phase}=Running",
                Ok(For::JsonPath { template: "{.status.phase}".into(), value: Some("Running".into()) }),
            ),
            (
                "jsonpath=.status.loadBalancer.ingress",
                Ok(For::JsonPath { template: "{.status.loadBalancer.ingress}".into(), value: None }),
            ),
            ("ready", Err("unrecognized condition: \"ready\"")),
        ];
        for (input, want) in cases {
            assert_eq!(For::parse(input), want.map_err(str::to_string), "{input}");
        }
        assert!(For::parse("jsonpath={.a}=").unwrap_err().contains("has to have a value"));
        assert!(For::parse("jsonpath={.a}=1=2").unwrap_err().contains("format must be"));
        assert_eq!(split_jsonpath_input("a==b=c"), vec!["a==b", "c"]);
    }

    #[test]
    fn conditions_of_an_older_generation_do_not_count() {
        let obj = |observed: i64| {
            json!({"metadata": {"generation": 2}, "status": {"observedGeneration": observed,
                "conditions": [{"type": "Available", "status": "True"}]}})
        };
        assert!(condition_met(&obj(2), "available", "TRUE"));
        assert!(!condition_met(&obj(1), "Available", "True"));
        assert!(!condition_met(&obj(2), "Available", "False"));
        assert!(!condition_met(&json!({}), "Available", "True"));
        let phase = For::parse("jsonpath={.status.phase}=Running").unwrap();
        assert!(phase.met(&json!({"status": {"phase": "Running"}})));
        assert!(!phase.met(&json!({"status": {}})));
        assert!(For::parse("jsonpath={.status.phase}").unwrap().met(&json!({"status": {"phase": "Pending"}})));
    }
}
