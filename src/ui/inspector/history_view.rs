//! A key's history in etcd: every retained revision, and what the latest one changed.

use yew::prelude::*;

use super::diff::{DiffLine, diff_lines};
use crate::ui::bridge::etcd::HistoryRow;

/// Unchanged lines shown around each change.
const CONTEXT: usize = 2;

#[derive(Properties, PartialEq)]
pub struct HistoryViewProps {
    pub rows: Vec<HistoryRow>,
}

#[component(HistoryView)]
pub fn history_view(props: &HistoryViewProps) -> Html {
    let change = use_memo(props.rows.clone(), |rows| last_change(rows));
    html! {
        <div class="history-view" data-testid="key-history">
            <h4>{ "What the last revision changed" }</h4>
            { render_change(&change) }
            <h4>{ "History in etcd" }</h4>
            if props.rows.is_empty() {
                <p class="muted">{ "Nothing retained." }</p>
            } else {
                <table class="history">
                    <thead><tr><th title="mod_revision">{ "Revision" }</th><th>{ "Change" }</th><th title="version">{ "Ver." }</th></tr></thead>
                    <tbody>
                        { for props.rows.iter().rev().map(|r| html! {
                            <tr>
                                <td>{ r.mod_revision }</td>
                                <td>{ if r.object.is_none() { "delete" } else if r.version == 1 { "create" } else { "update" } }</td>
                                <td>{ r.version }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                <p class="muted">{ "Older revisions are gone once the apiserver compacts etcd (every 5 minutes)." }</p>
            }
        </div>
    }
}

/// The newest revision against the one before it, as YAML lines.
#[derive(Debug, PartialEq)]
enum Change {
    None,
    /// The newest retained revision created the key (or the earlier ones were compacted).
    Created(i64),
    Deleted(i64),
    Updated {
        from: i64,
        to: i64,
        lines: Vec<DiffLine>,
    },
}

fn last_change(rows: &[HistoryRow]) -> Change {
    let yaml = |r: &HistoryRow| r.object.as_ref().map(super::object_view::to_yaml).unwrap_or_default();
    match rows {
        [] => Change::None,
        [.., last] if last.object.is_none() => Change::Deleted(last.mod_revision),
        [.., prev, last] if prev.object.is_some() && prev.create_revision == last.create_revision => Change::Updated {
            from: prev.mod_revision,
            to: last.mod_revision,
            lines: diff_lines(&yaml(prev), &yaml(last), CONTEXT),
        },
        [.., last] => Change::Created(last.mod_revision),
    }
}

fn render_change(change: &Change) -> Html {
    match change {
        Change::None => html! { <p class="muted">{ "The key has no retained revision." }</p> },
        Change::Created(rev) => {
            html! { <p>{ format!("Revision {rev} created it (no earlier revision is retained).") }</p> }
        }
        Change::Deleted(rev) => html! { <p>{ format!("Revision {rev} deleted it.") }</p> },
        Change::Updated { from, to, lines } => html! {
            <>
                <p>{ format!("Revision {from} → {to}:") }</p>
                <pre class="yaml diff" data-testid="last-change">
                    { for lines.iter().map(|l| match l {
                        DiffLine::Same(t) => html! { <span class="same">{ format!("  {t}\n") }</span> },
                        DiffLine::Removed(t) => html! { <span class="removed">{ format!("- {t}\n") }</span> },
                        DiffLine::Added(t) => html! { <span class="added">{ format!("+ {t}\n") }</span> },
                        DiffLine::Skipped(n) => html! { <span class="skipped">{ format!("  … {n} unchanged lines\n") }</span> },
                    }) }
                </pre>
            </>
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn put(rev: i64, created: i64, version: i64, v: serde_json::Value) -> HistoryRow {
        HistoryRow { mod_revision: rev, create_revision: created, version, object: Some(v) }
    }

    #[test]
    fn compares_the_last_two_revisions_of_one_life() {
        let rows = [put(5, 5, 1, json!({"spec": {"replicas": 1}})), put(9, 5, 2, json!({"spec": {"replicas": 3}}))];
        match last_change(&rows) {
            Change::Updated { from: 5, to: 9, lines } => {
                assert!(lines.contains(&DiffLine::Removed("  replicas: 1".into())), "{lines:?}");
                assert!(lines.contains(&DiffLine::Added("  replicas: 3".into())), "{lines:?}");
            }
            other => panic!("expected an update, got {other:?}"),
        }
    }

    #[test]
    fn names_creation_deletion_and_a_new_life() {
        let deleted = HistoryRow { mod_revision: 7, create_revision: 0, version: 0, object: None };
        assert_eq!(last_change(&[put(5, 5, 1, json!({}))]), Change::Created(5));
        assert_eq!(last_change(&[put(5, 5, 1, json!({})), deleted.clone()]), Change::Deleted(7));
        assert_eq!(last_change(&[put(5, 5, 1, json!({})), deleted, put(8, 8, 1, json!({}))]), Change::Created(8));
        assert_eq!(last_change(&[]), Change::None);
    }
}
