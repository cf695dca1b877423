//! The `Events:` table at the end of most describers (`DescribeEvents`).

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::super::fields::{at, i64_at, opt_str, str_at};
use super::DescribeContext;
use super::writer::PrefixWriter;
use crate::sim::time::parse_rfc3339;

/// `DescribeEvents`: `Events:\t<none>`, or the table sorted by last timestamp, with
/// `20m (x4 over 3h11m)` ages for repeated events. Nothing at all when events are hidden.
pub fn describe_events(w: &mut PrefixWriter, events: Option<&[Value]>, ctx: &DescribeContext) {
    let Some(events) = events else { return };
    if events.is_empty() {
        w.write(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted: Vec<&Value> = events.iter().collect();
    // SortableEvents orders by lastTimestamp; a missing one is Go's zero time, i.e. first.
    sorted.stable_sort_by_key(|e| opt_str(e, &["lastTimestamp"]).and_then(parse_rfc3339).map_or(-1, |t| t as i64));
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(1, "----\t------\t----\t----\t-------\n");
    for e in sorted {
        let first = match opt_str(e, &["eventTime"]).filter(|s| !s.is_empty()) {
            Some(t) => ctx.since(Some(t)),
            None => ctx.since(opt_str(e, &["firstTimestamp"])),
        };
        let interval = if at(e, &["series"]).is_some_and(Value::is_object) {
            format!(
                "{} (x{} over {first})",
                ctx.since(opt_str(e, &["series", "lastObservedTime"])),
                i64_at(e, &["series", "count"])
            )
        } else if i64_at(e, &["count"]) > 1 {
            format!("{} (x{} over {first})", ctx.since(opt_str(e, &["lastTimestamp"])), i64_at(e, &["count"]))
        } else {
            first
        };
        let mut source = str_at(e, &["source", "component"]);
        if source.is_empty() {
            source = str_at(e, &["reportingComponent"]);
        }
        w.write(
            1,
            &format!(
                "{}\t{}\t{interval}\t{source}\t{}\n",
                str_at(e, &["type"]),
                str_at(e, &["reason"]),
                str_at(e, &["message"]).trim()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(events: Option<&[Value]>) -> String {
        let mut w = PrefixWriter::new();
        describe_events(&mut w, events, &DescribeContext { now: 3_600_000, ..Default::default() });
        w.finish()
    }

    #[test]
    fn empty_hidden_and_repeated_events() {
        assert_eq!(render(Some(&[])), "Events:  <none>\n");
        assert_eq!(render(None), "");
        let evs = [
            json!({"type": "Warning", "reason": "BackOff", "message": "restarting ", "count": 5,
                   "firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:59:00Z", "source": {"component": "kubelet"}}),
            json!({"type": "Normal", "reason": "Scheduled", "message": "assigned", "count": 1,
                   "firstTimestamp": "2025-01-01T00:10:00Z", "lastTimestamp": "2025-01-01T00:10:00Z", "source": {"component": "default-scheduler"}}),
            json!({"type": "Normal", "reason": "Started", "eventTime": "2025-01-01T00:30:00.000000Z", "reportingComponent": "kubelet",
                   "series": {"count": 2, "lastObservedTime": "2025-01-01T00:40:00.000000Z"}}),
        ];
        let want = [
            "Events:",
            "  Type     Reason     Age                From               Message",
            "  ----     ------     ----               ----               -------",
            "  Normal   Started    20m (x2 over 30m)  kubelet            ",
            "  Normal   Scheduled  50m                default-scheduler  assigned",
            "  Warning  BackOff    60s (x5 over 60m)  kubelet            restarting",
            "",
        ];
        assert_eq!(render(Some(&evs)), want.join("\n"));
    }

    #[test]
    fn junk_events_do_not_panic() {
        let junk = [json!(null), json!(7), json!({"series": "x", "count": "many"})];
        assert!(render(Some(&junk)).starts_with("Events:\n"));
    }
}
