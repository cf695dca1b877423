//! `kubectl events [--for TYPE/NAME] [--types Normal,Warning] [-A]` (`cmd/events`): the namespace's
//! Events sorted by when they last happened, as `LAST SEEN  TYPE  REASON  OBJECT  MESSAGE`.
//!
//! Simplified: `-w` prints the events so far and says that streaming is `kubectl get events -w`'s job
//! in this sandbox.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{list, namespace, resolve};
use super::printers::age::since;
use super::printers::tabwriter::TabWriter;
use super::printers::{list_of, to_json, to_yaml};
use super::{Ctx, Output};
use crate::sim::api;
use crate::sim::time::{Millis, parse_rfc3339};

const FLAGS: &[args::FlagSpec] = &[
    flag("for", None, FlagKind::Value),
    flag("types", None, FlagKind::Multi),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("watch", Some('w'), FlagKind::Bool),
    flag("no-headers", None, FlagKind::Bool),
    flag("output", Some('o'), FlagKind::Value),
    flag("chunk-size", None, FlagKind::Value),
];

fn str_at<'a>(e: &'a Value, ptr: &str) -> Option<&'a str> {
    e.at(ptr).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// An RFC 3339 time with its fraction, in virtual milliseconds (0 when missing: Go's zero time).
fn time_ms(s: Option<&str>) -> Millis {
    let Some(s) = s else { return 0 };
    let frac = s.get(19..).and_then(|f| f.strip_prefix('.')).map_or(0, |f| {
        let digits: String = f.chars().take_while(char::is_ascii_digit).chain("000".chars()).take(3).collect();
        digits.parse::<u64>().unwrap_or(0)
    });
    parse_rfc3339(s).map_or(0, |t| t + frac)
}

/// `eventTime`: the series' last observation, else `lastTimestamp`, else `eventTime`.
fn sort_time(e: &Value) -> Millis {
    if let Some(t) = str_at(e, "/series/lastObservedTime") {
        return time_ms(Some(t));
    }
    match str_at(e, "/lastTimestamp") {
        Some(t) => time_ms(Some(t)),
        None => time_ms(str_at(e, "/eventTime")),
    }
}

/// `getInterval`: `5s`, or `5s (x3 over 2m)` for repeated events.
fn interval(e: &Value, now: Millis) -> String {
    let first = match str_at(e, "/eventTime") {
        Some(t) => since(Some(t), now),
        None => since(str_at(e, "/firstTimestamp"), now),
    };
    if e.get("series").is_some_and(Value::is_object) {
        let count = e.at("/series/count").and_then(Value::as_i64).unwrap_or(0);
        return format!("{} (x{count} over {first})", since(str_at(e, "/series/lastObservedTime"), now));
    }
    let count = e.get("count").and_then(Value::as_i64).unwrap_or(0);
    if count > 1 {
        return format!("{} (x{count} over {first})", since(str_at(e, "/lastTimestamp"), now));
    }
    first
}

/// A cell as kubectl's `escapeCell` shows it: cut at the first line break.
fn cell(s: &str) -> String {
    match s.find(['\n', '\r', '\x0c']) {
        Some(i) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl events --help' for usage."))?;
    let types: Vec<String> =
        p.all("types").iter().flat_map(|t| t.split(',')).filter(|t| !t.is_empty()).map(str::to_string).collect();
    if types.iter().any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning")) {
        return Err("error: valid --types are Normal or Warning".into());
    }
    let field = match p.get("for") {
        None => None,
        Some(f) => {
            let Some((t, n)) = f.split_once('/') else {
                return Err("error: --for must be in resource/name form".into());
            };
            if n.contains('/') {
                return Err("error: arguments in resource/name form may not have more than one slash".into());
            }
            Some(format!("involvedObject.kind={},involvedObject.name={n}", resolve(t)?.kind))
        }
    };
    if let Some(o) = p.get("output").filter(|o| !matches!(*o, "yaml" | "json")) {
        return Err(format!(
            "error: unable to match a printer suitable for the output format {o:?}, allowed formats are: json,yaml"
        ));
    }
    let all_ns = p.bool("all-namespaces");
    let ns = namespace(&p);
    let rt = api::resolve("events").expect("events are always served");
    let mut events = list(cx, rt, if all_ns { None } else { Some(ns.as_str()) }, None, field.as_deref())
        .map_err(|e| e.to_string())?;
    events.retain(|e| {
        types.is_empty() || types.iter().any(|t| str_at(e, "/type").is_some_and(|et| et.eq_ignore_ascii_case(t)))
    });
    if events.is_empty() {
        out.stderr.push_str(&if all_ns {
            "No events found.\n".to_string()
        } else {
            format!("No events found in {ns} namespace.\n")
        });
        return Ok(());
    }
    // A stable sort: events of the same instant keep the list's (name) order.
    events.stable_sort_by_key(sort_time);
    match p.get("output") {
        Some("yaml") => out.stdout.push_str(&to_yaml(&list_of(&events))),
        Some("json") => out.stdout.push_str(&to_json(&list_of(&events))),
        _ => {
            let now = cx.world.now();
            let mut w = TabWriter::for_tables();
            if !p.bool("no-headers") {
                w.write(if all_ns {
                    "NAMESPACE\tLAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n"
                } else {
                    "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n"
                });
            }
            for e in &events {
                if all_ns {
                    w.write(&format!("{}\t", str_at(e, "/metadata/namespace").unwrap_or_default()));
                }
                let s = |ptr: &str| cell(str_at(e, ptr).unwrap_or_default());
                w.write(&format!(
                    "{}\t{}\t{}\t{}/{}\t{}\n",
                    interval(e, now),
                    s("/type"),
                    s("/reason"),
                    s("/involvedObject/kind"),
                    s("/involvedObject/name"),
                    cell(s("/message").trim())
                ));
            }
            out.stdout.push_str(&w.finish());
        }
    }
    if p.bool("watch") {
        out.stderr.push_str(
            "(kubectl events -w: the sandbox prints the events so far; use `kubectl get events -w` to keep watching)\n",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn intervals_as_kubectl_prints_them() {
        let now = 120_000;
        let once =
            json!({"firstTimestamp": "2025-01-01T00:01:50Z", "lastTimestamp": "2025-01-01T00:01:50Z", "count": 1});
        assert_eq!(interval(&once, now), "10s");
        let repeated =
            json!({"firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:01:50Z", "count": 4});
        assert_eq!(interval(&repeated, now), "10s (x4 over 2m)");
        let series = json!({"eventTime": "2025-01-01T00:00:00.000000Z", "series": {"count": 2, "lastObservedTime": "2025-01-01T00:01:00.000000Z"}});
        assert_eq!(interval(&series, now), "60s (x2 over 2m)");
        assert_eq!(interval(&json!({}), now), "<unknown>");
    }

    #[test]
    fn sort_time_prefers_series_then_last_timestamp() {
        assert_eq!(
            sort_time(
                &json!({"series": {"lastObservedTime": "2025-01-01T00:00:02.500000Z"}, "lastTimestamp": "2025-01-01T00:00:09Z"})
            ),
            2_500
        );
        assert_eq!(
            sort_time(&json!({"lastTimestamp": "2025-01-01T00:00:09Z", "eventTime": "2025-01-01T00:00:01Z"})),
            9_000
        );
        assert_eq!(sort_time(&json!({"eventTime": "2025-01-01T00:00:01.250000Z"})), 1_250);
        assert_eq!(sort_time(&json!({})), 0);
    }

    #[test]
    fn cells_stop_at_line_breaks() {
        assert_eq!(cell("one\ntwo"), "one...");
        assert_eq!(cell("plain"), "plain");
    }
}
