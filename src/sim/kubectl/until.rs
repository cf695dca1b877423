//! client-go's `watchtools.UntilWithSync` for one object, as kubectl's waiting commands use it
//! (`wait --for`, `rollout status`, `delete --wait`): an informer on that one name (a LIST with
//! `fieldSelector=metadata.name=NAME`, then a WATCH from the list's resourceVersion), a precondition
//! on what the list found, then every event (the listed object as ADDED first) handed to a condition
//! until it says done, fails, or the deadline passes. kubectl then hangs up the watch.
//!
//! ```text
//!  LIST ?fieldSelector=metadata.name=web ──► store ──► precondition(store) ─ done/error ─┐
//!  WATCH ?resourceVersion=<list's>  ──────► ADDED (listed), MODIFIED, DELETED ... ──► condition
//!        (reopened after the apiserver ends it)                                         │
//!                                              done / error / deadline ─► hang up ◄─────┘
//! ```

use serde_json::Value;

use super::Ctx;
use super::cluster::WATCH_OPEN_MS;
use crate::sim::api::ResourceType;
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::{ApiRequest, EventType, Verb};
use crate::sim::apiserver::status::Status;
use crate::sim::time::Millis;

/// How long client-go's reflector backs off before watching again after its watch ended.
const REWATCH_BACKOFF_MS: Millis = 1_000;

/// What a precondition or a condition decides.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Keep watching.
    Wait,
    /// The wait is over: the condition holds.
    Done,
    /// The wait is over with an error, in kubectl's words.
    Fail(String),
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ended {
    Done,
    /// The condition or precondition failed, in kubectl's words.
    Failed(String),
    /// The deadline passed first.
    TimedOut,
}

/// One object watched until `condition` holds. `precondition` sees whether the list found the
/// object; `condition` sees each event. A LIST the apiserver refuses is its `Status`.
pub fn until_with_sync(
    cx: &mut Ctx,
    rt: &'static ResourceType,
    ns: &str,
    name: &str,
    deadline: Millis,
    precondition: impl Fn(bool) -> Verdict,
    mut condition: impl FnMut(EventType, &Value) -> Verdict,
) -> Result<Ended, Status> {
    let ns = Some(ns).filter(|_| rt.namespaced);
    let by_name = Some(format!("metadata.name={name}"));
    let mut list = ApiRequest::new(0, Verb::List, rt).in_namespace(ns);
    list.options.field_selector = by_name.clone();
    let listed = cx.world.call(list)?;
    let items = listed.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut from = listed.at("/metadata/resourceVersion").and_then(Value::as_str).and_then(|rv| rv.parse().ok());
    let open = |cx: &mut Ctx, from: Option<i64>| {
        let mut watch = ApiRequest::new(0, Verb::Watch, rt).in_namespace(ns);
        watch.options.field_selector = by_name.clone();
        watch.options.resource_version = from;
        cx.world.open_watch(watch)
    };
    // The reflector opens its watch as soon as the list is in, whatever the condition then says.
    let mut id = open(cx, from);
    let hang_up = |cx: &mut Ctx, id: u64, ended: Ended| {
        // The watch request reaches the apiserver before kubectl, done, cancels it.
        let reached = cx.world.now() + WATCH_OPEN_MS;
        cx.world.run_until(reached);
        cx.world.close_watch(id);
        ended
    };
    let verdict = precondition(!items.is_empty());
    let verdict = if verdict == Verdict::Wait { first_decisive(&items, &mut condition) } else { verdict };
    match verdict {
        Verdict::Done => return Ok(hang_up(cx, id, Ended::Done)),
        Verdict::Fail(e) => return Ok(hang_up(cx, id, Ended::Failed(e))),
        Verdict::Wait => {}
    }
    loop {
        let (events, ended) = cx.world.watch_events(id, deadline);
        for (event, object) in &events {
            if *event == EventType::Bookmark {
                continue;
            }
            match condition(*event, object) {
                Verdict::Wait => {}
                Verdict::Done => {
                    cx.world.close_watch(id);
                    return Ok(Ended::Done);
                }
                Verdict::Fail(e) => {
                    cx.world.close_watch(id);
                    return Ok(Ended::Failed(e));
                }
            }
        }
        if let Some(rv) = events.iter().rev().find_map(|(_, o)| o.at("/metadata/resourceVersion")) {
            from = rv.as_str().and_then(|rv| rv.parse().ok()).or(from);
        }
        if cx.world.now() >= deadline {
            cx.world.close_watch(id);
            return Ok(Ended::TimedOut);
        }
        // The apiserver ended the stream: the reflector watches again from where it was, after a pause.
        if ended {
            let again = (cx.world.now() + REWATCH_BACKOFF_MS).min(deadline);
            cx.world.run_until(again);
            id = open(cx, from);
        }
    }
}

/// The listed objects handed to the condition as ADDED events, until one decides.
fn first_decisive(items: &[Value], condition: &mut impl FnMut(EventType, &Value) -> Verdict) -> Verdict {
    items.iter().map(|o| condition(EventType::Added, o)).find(|v| *v != Verdict::Wait).unwrap_or(Verdict::Wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_listed_object_that_decides_ends_the_wait() {
        let items = [json!({"n": 1}), json!({"n": 2}), json!({"n": 3})];
        let mut seen = Vec::new();
        let mut cond = |_: EventType, o: &Value| {
            seen.push(o["n"].clone());
            if o["n"] == 2 { Verdict::Done } else { Verdict::Wait }
        };
        assert_eq!(first_decisive(&items, &mut cond), Verdict::Done);
        assert_eq!(seen, vec![json!(1), json!(2)]);
        assert_eq!(first_decisive(&[], &mut |_, _| Verdict::Done), Verdict::Wait);
    }
}
