//! The saved session's JSON, written and read by hand over `serde_json::Value`.
//!
//! Why not `#[derive(Serialize, Deserialize)]`: serde's derive for an internally tagged enum (`"op":
//! "kubectl"`) or a flattened field buffers every value through its generic `Content` tree, and for
//! these six small types that came to ~50 KB of the page's wasm (twiggy). The format is unchanged
//! (`the_format_is_stable` in session/tests.rs reads and writes a save of the first release), and, as with
//! the derive, unknown fields are ignored and a missing one is refused.

use serde_json::{Map, Value};

use super::{LessonProgress, Logged, Op, PresetRun, Session, Step, Until};

/// The session as the JSON object it is saved as (key order is the save's order).
pub fn session_to_value(s: &Session) -> Value {
    let mut o = Map::new();
    o.insert("version".into(), s.version.into());
    o.insert("seed".into(), s.seed.into());
    o.insert("ops".into(), Value::Array(s.ops.iter().map(logged_to_value).collect()));
    o.insert("now".into(), s.now.into());
    if let Some(run) = &s.preset {
        o.insert("preset".into(), preset_to_value(run));
    }
    if let Some(lesson) = &s.lesson {
        let mut l = Map::new();
        l.insert("id".into(), lesson.id.as_str().into());
        l.insert("done".into(), Value::Array(lesson.done.iter().map(|&id| id.into()).collect()));
        if lesson.began > 0 {
            l.insert("began".into(), lesson.began.into());
        }
        o.insert("lesson".into(), Value::Object(l));
    }
    Value::Object(o)
}

/// Reads a session; the error names the first field that is missing or of the wrong type.
pub fn session_from_value(v: &Value) -> Result<Session, String> {
    let o = Obj::new(v, "the session")?;
    let version = u32::try_from(o.u64("version")?).map_err(|_| "version is out of range".to_string())?;
    let ops = o.array("ops")?.iter().enumerate().map(|(i, op)| logged_from_value(op, i)).collect::<Result<_, _>>()?;
    let preset = match o.get("preset") {
        None | Some(Value::Null) => None,
        Some(p) => Some(preset_from_value(p)?),
    };
    let lesson = match o.get("lesson") {
        None | Some(Value::Null) => None,
        Some(l) => Some(lesson_from_value(l)?),
    };
    Ok(Session { version, seed: o.u64("seed")?, ops, now: o.u64("now")?, preset, lesson })
}

fn lesson_from_value(v: &Value) -> Result<LessonProgress, String> {
    let o = Obj::new(v, "lesson")?;
    let done = o
        .array("done")?
        .iter()
        .map(|d| d.as_u64().ok_or_else(|| o.wrong("done", "a list of whole numbers")))
        .collect::<Result<_, _>>()?;
    let began = match o.get("began") {
        None => 0,
        Some(b) => b.as_u64().ok_or_else(|| o.wrong("began", "a whole number"))?,
    };
    Ok(LessonProgress { id: o.string("id")?, done, began })
}

fn logged_to_value(l: &Logged) -> Value {
    let mut o = Map::new();
    o.insert("at".into(), l.at.into());
    let (tag, fields): (&str, Vec<(&str, Value)>) = match &l.op {
        Op::Kubectl { line, stdin } => ("kubectl", line_and_stdin(line, stdin)),
        Op::Node { name, running } => ("node", vec![("name", name.as_str().into()), ("running", (*running).into())]),
        Op::Component { name, running } => {
            ("component", vec![("name", name.as_str().into()), ("running", (*running).into())])
        }
        Op::AddNode { name } => ("add-node", vec![("name", name.as_str().into())]),
    };
    put_tagged(&mut o, "op", tag, fields);
    Value::Object(o)
}

fn logged_from_value(v: &Value, i: usize) -> Result<Logged, String> {
    let o = Obj::new(v, &format!("ops[{i}]"))?;
    let op = match o.str("op")? {
        "kubectl" => Op::Kubectl { line: o.string("line")?, stdin: o.opt_string("stdin")? },
        "node" => Op::Node { name: o.string("name")?, running: o.bool("running")? },
        "component" => Op::Component { name: o.string("name")?, running: o.bool("running")? },
        "add-node" => Op::AddNode { name: o.string("name")? },
        other => return Err(format!("ops[{i}]: unknown op {other:?}")),
    };
    Ok(Logged { at: o.u64("at")?, op })
}

fn preset_to_value(run: &PresetRun) -> Value {
    let mut o = Map::new();
    o.insert("preset".into(), run.preset.as_str().into());
    o.insert("steps".into(), Value::Array(run.steps.iter().map(step_to_value).collect()));
    if let Some(deadline) = run.deadline {
        o.insert("deadline".into(), deadline.into());
    }
    Value::Object(o)
}

fn preset_from_value(v: &Value) -> Result<PresetRun, String> {
    let o = Obj::new(v, "preset")?;
    let steps = o.array("steps")?.iter().enumerate().map(|(i, s)| step_from_value(s, i)).collect::<Result<_, _>>()?;
    let deadline = match o.get("deadline") {
        None | Some(Value::Null) => None,
        Some(_) => Some(o.u64("deadline")?),
    };
    Ok(PresetRun { preset: o.string("preset")?, steps, deadline })
}

fn step_to_value(step: &Step) -> Value {
    let (tag, fields): (&str, Vec<(&str, Value)>) = match step {
        Step::Kubectl { line, stdin } => ("kubectl", line_and_stdin(line, stdin)),
        Step::PowerOffBusiestWorker { app } => ("power-off-busiest-worker", vec![("app", app.as_str().into())]),
        Step::Wait { until } => ("wait", vec![("until", until_to_value(until))]),
    };
    let mut o = Map::new();
    put_tagged(&mut o, "do", tag, fields);
    Value::Object(o)
}

fn step_from_value(v: &Value, i: usize) -> Result<Step, String> {
    let o = Obj::new(v, &format!("preset.steps[{i}]"))?;
    Ok(match o.str("do")? {
        "kubectl" => Step::Kubectl { line: o.string("line")?, stdin: o.opt_string("stdin")? },
        "power-off-busiest-worker" => Step::PowerOffBusiestWorker { app: o.string("app")? },
        "wait" => Step::Wait { until: until_from_value(o.field("until")?, i)? },
        other => return Err(format!("preset.steps[{i}]: unknown step {other:?}")),
    })
}

fn until_to_value(until: &Until) -> Value {
    let (tag, key, name) = match until {
        Until::RolledOut { deployment } => ("rolled-out", "deployment", deployment),
        Until::FailedScheduling { pod } => ("failed-scheduling", "pod", pod),
        Until::CrashLoopBackOff { pod } => ("crash-loop-back-off", "pod", pod),
    };
    let mut o = Map::new();
    put_tagged(&mut o, "until", tag, vec![(key, name.as_str().into())]);
    Value::Object(o)
}

/// An internally tagged variant: its tag under `tag_key`, then its fields, in this order.
fn put_tagged(o: &mut Map<String, Value>, tag_key: &str, tag: &str, fields: Vec<(&str, Value)>) {
    o.insert(tag_key.into(), tag.into());
    o.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));
}

fn until_from_value(v: &Value, i: usize) -> Result<Until, String> {
    let o = Obj::new(v, &format!("preset.steps[{i}].until"))?;
    Ok(match o.str("until")? {
        "rolled-out" => Until::RolledOut { deployment: o.string("deployment")? },
        "failed-scheduling" => Until::FailedScheduling { pod: o.string("pod")? },
        "crash-loop-back-off" => Until::CrashLoopBackOff { pod: o.string("pod")? },
        other => return Err(format!("preset.steps[{i}].until: unknown condition {other:?}")),
    })
}

/// `line`, then `stdin` only when there is one (what `skip_serializing_if` did).
fn line_and_stdin(line: &str, stdin: &Option<String>) -> Vec<(&'static str, Value)> {
    let mut fields = vec![("line", Value::from(line))];
    if let Some(stdin) = stdin {
        fields.push(("stdin", stdin.as_str().into()));
    }
    fields
}

/// A JSON object being read, with where it sits in the save for error messages.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    at: String,
}

impl<'a> Obj<'a> {
    fn new(v: &'a Value, at: &str) -> Result<Self, String> {
        match v {
            Value::Object(map) => Ok(Self { map, at: at.to_string() }),
            _ => Err(format!("{at} is not an object")),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    fn field(&self, key: &str) -> Result<&'a Value, String> {
        self.map.get(key).ok_or_else(|| format!("{}: missing field `{key}`", self.at))
    }

    fn wrong(&self, key: &str, what: &str) -> String {
        format!("{}: field `{key}` is not {what}", self.at)
    }

    fn str(&self, key: &str) -> Result<&'a str, String> {
        self.field(key)?.as_str().ok_or_else(|| self.wrong(key, "a string"))
    }

    fn string(&self, key: &str) -> Result<String, String> {
        self.str(key).map(str::to_string)
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_str().map(|s| Some(s.to_string())).ok_or_else(|| self.wrong(key, "a string")),
        }
    }

    fn u64(&self, key: &str) -> Result<u64, String> {
        self.field(key)?.as_u64().ok_or_else(|| self.wrong(key, "a whole number ≥ 0"))
    }

    fn bool(&self, key: &str) -> Result<bool, String> {
        self.field(key)?.as_bool().ok_or_else(|| self.wrong(key, "true or false"))
    }

    fn array(&self, key: &str) -> Result<&'a Vec<Value>, String> {
        self.field(key)?.as_array().ok_or_else(|| self.wrong(key, "a list"))
    }
}
