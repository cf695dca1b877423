//! The story of a command: every message the learner's last action set off, in causal order, one
//! row per hop, growing as the clock on screen reaches each message (`sim::trace::story`).
//!
//! Selecting a hop (a click, Prev / Next) selects its message: the inspector opens it and the
//! diagram marks its two components and its path. The story is read a frame at a time
//! ([`Story::extend`] reads only the new messages) and at most [`ROWS`] rows are drawn, so a story
//! of thousands of hops costs no more per frame than a short one.

use std::ops::Range;

use yew::prelude::*;

use super::bridge::{Hop, Story, TRACE_WINDOW};
use super::cluster::{ClusterContext, WorldRef};
use super::state::Selection;

/// At most this many rows are drawn: a window around the selected hop, or the first ones.
pub const ROWS: usize = 100;

#[derive(Properties, PartialEq)]
pub struct StoryPanelProps {
    pub selection: Selection,
    /// Tell the story holding this message (a lesson step's), not the last action's.
    pub at: Option<u64>,
    pub on_select: Callback<Selection>,
}

#[component(StoryPanel)]
pub fn story_panel(props: &StoryPanelProps) -> Html {
    let cluster = use_context::<ClusterContext>().expect("StoryPanel is rendered inside the cluster provider");
    // The story being told, for the world it is told from (a view of the past is another world).
    let told = use_mut_ref(|| None::<(WorldRef, Story)>);
    let begun = props.at.map_or_else(|| cluster.story(), |id| cluster.story_holding(id)).cloned();
    let world = cluster.world_ref();
    let display = cluster.display;
    let (visible, incomplete, selected) = {
        let mut told = told.borrow_mut();
        match &begun {
            None => *told = None,
            Some(b) => {
                if !told.as_ref().is_some_and(|(w, s)| *w == world && s.start() == b.start) {
                    *told = Some((world.clone(), Story::new(b.start)));
                }
                if let Some((_, s)) = told.as_mut() {
                    cluster.with_world(|w| s.extend(w.trace()));
                }
            }
        }
        let hops = told.as_ref().map_or(&[][..], |(_, s)| s.hops());
        let visible = shown(hops, display);
        let selected = match props.selection {
            Selection::Message(id) => position(&hops[..visible], id),
            _ => None,
        };
        (visible, told.as_ref().is_some_and(|(_, s)| s.incomplete()), selected)
    };
    let rows = window(visible, selected, ROWS);
    let (list_ref, selected_ref) = (use_node_ref(), use_node_ref());
    // The rows change only when a hop is shown or selected, not on every tick of the clock.
    let list = {
        let (told, on_select, selected_ref) = (told.clone(), props.on_select.clone(), selected_ref.clone());
        let key = (world.clone(), begun.as_ref().map(|b| b.start), visible, selected, rows.clone());
        use_memo(key, move |(_, _, visible, selected, rows)| {
            let told = told.borrow();
            let hops = told.as_ref().map_or(&[][..], |(_, s)| s.hops());
            render_rows(&hops[..*visible], rows.clone(), *selected, &on_select, &selected_ref)
        })
    };
    // While the list is scrolled to its end, it follows the story as it grows (as a terminal does).
    let follow = use_mut_ref(|| true);
    let onscroll = {
        let follow = follow.clone();
        Callback::from(move |e: Event| {
            let el = e.target_unchecked_into::<web_sys::Element>();
            *follow.borrow_mut() = el.scroll_top() + el.client_height() >= el.scroll_height() - 8;
        })
    };
    {
        let (list, follow) = (list_ref.clone(), follow.clone());
        use_effect_with(visible, move |_| {
            if let Some(list) = list.cast::<web_sys::Element>().filter(|_| *follow.borrow() && selected.is_none()) {
                list.set_scroll_top(list.scroll_height());
            }
        });
    }
    {
        // Keeps the selected row in view when Prev / Next moves past the list's edge (by the
        // list's own scroll: `scrollIntoView` would also scroll the page's clipped panels).
        let (list, row) = (list_ref.clone(), selected_ref.clone());
        use_effect_with(selected, move |_| {
            if let (Some(list), Some(row)) = (list.cast::<web_sys::HtmlElement>(), row.cast::<web_sys::HtmlElement>()) {
                let (top, bottom) = (row.offset_top(), row.offset_top() + row.offset_height());
                if top < list.scroll_top() {
                    list.set_scroll_top(top);
                } else if bottom > list.scroll_top() + list.client_height() {
                    list.set_scroll_top(bottom - list.client_height());
                }
            }
        });
    }
    let go = |to: Option<usize>| {
        let (told, on_select) = (told.clone(), props.on_select.clone());
        Callback::from(move |_: MouseEvent| {
            let id = to.and_then(|i| told.borrow().as_ref().and_then(|(_, s)| s.hops().get(i).map(|h| h.id)));
            if let Some(id) = id {
                on_select.emit(Selection::Message(id));
            }
        })
    };
    let prev = selected.and_then(|p| p.checked_sub(1));
    let next = match selected {
        Some(p) => Some(p + 1).filter(|&n| n < visible),
        None => (visible > 0).then_some(0),
    };
    let body = match &begun {
        None => html! { <p class="story-note">{ "Run a command: its story appears here." }</p> },
        Some(b) => html! {
            <>
                <div class="story-head">
                    <span class="story-title" title={b.title.clone()}>{ b.title.clone() }</span>
                    <span class="story-count">{ count(selected, visible) }</span>
                    <button data-testid="story-prev" onclick={go(prev)} disabled={prev.is_none()} title="The hop before">{ "Prev" }</button>
                    <button data-testid="story-next" onclick={go(next)} disabled={next.is_none()} title="The next hop">{ "Next" }</button>
                </div>
                if incomplete {
                    <p class="story-note">{ format!("This story began before the oldest message kept (the trace keeps the newest {TRACE_WINDOW}): its first hops, and what they caused, are missing.") }</p>
                }
                if visible == 0 && !incomplete {
                    <p class="story-note">{ if b.by_kubectl {
                        "No message of it has been sent yet on the clock on screen: play or step."
                    } else {
                        "This sent no message of its own: the components notice it on their own timers (watch the diagram), so nothing here follows from it."
                    } }</p>
                }
                <ol class="story-hops" ref={list_ref} {onscroll} aria-label="Hops of the story">
                    if rows.start > 0 {
                        <li class="story-more">{ format!("… {} earlier", rows.start) }</li>
                    }
                    { (*list).clone() }
                    if rows.end < visible {
                        <li class="story-more">{ format!("… {} more: Next steps through them", visible - rows.end) }</li>
                    }
                </ol>
            </>
        },
    };
    html! {
        <div class="story" data-testid="story" aria-label="The story of a command">{ body }</div>
    }
}

/// How many of `hops` were sent by display time `t` (hops are in send order).
pub fn shown(hops: &[Hop], t: f64) -> usize {
    hops.partition_point(|h| h.sent_at as f64 <= t)
}

/// The position of the hop with message id `id` (ids grow along the story).
pub fn position(hops: &[Hop], id: u64) -> Option<usize> {
    hops.binary_search_by_key(&id, |h| h.id).ok()
}

/// Which of `len` rows to draw, at most `cap`: centred on the selected one, else the first.
pub fn window(len: usize, selected: Option<usize>, cap: usize) -> Range<usize> {
    let Some(s) = selected.filter(|&s| s < len) else { return 0..len.min(cap) };
    let end = (s + cap / 2).max(s + 1).max(cap).min(len);
    end.saturating_sub(cap)..end
}

/// "hop 3 of 40", or "40 hops".
fn count(selected: Option<usize>, visible: usize) -> String {
    match selected {
        Some(p) => format!("hop {} of {visible}", p + 1),
        None if visible == 1 => "1 hop".to_string(),
        None => format!("{visible} hops"),
    }
}

/// A hop's line in its parts, for styling: when, who to whom, what, and what was decided.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    pub time: &'a str,
    pub who: &'a str,
    pub what: &'a str,
    pub decision: Option<&'a str>,
}

/// Splits a line as `sim::trace::story` writes it: `+12ms a → b: what — a decided`.
pub fn parts(line: &str) -> Parts<'_> {
    let (time, rest) = line.split_once(' ').unwrap_or(("", line));
    let (rest, decision) = match rest.rsplit_once(" — ") {
        Some((r, d)) => (r, Some(d)),
        None => (rest, None),
    };
    let (who, what) = rest.split_once(": ").unwrap_or(("", rest));
    Parts { time, who, what, decision }
}

/// The rows `range` of the story shown (`hops`), the selected one marked and given `selected_ref`.
fn render_rows(
    hops: &[Hop],
    range: Range<usize>,
    selected: Option<usize>,
    on_select: &Callback<Selection>,
    selected_ref: &NodeRef,
) -> Html {
    hops[range.clone()]
        .iter()
        .zip(range)
        .map(|(h, i)| {
            let p = parts(&h.line);
            let id = h.id;
            let sel = Some(i) == selected;
            // A hop caused by the one just above it points up; any other names its cause.
            let (cause, cause_title) = match h.caused_by {
                Some(c) if c + 1 == i => ("↑".to_string(), format!("caused by hop {}, just above", c + 1)),
                Some(c) => (format!("↑{}", c + 1), format!("caused by hop {}", c + 1)),
                None => ("$".to_string(), "sent by kubectl for the command".to_string()),
            };
            html! {
                <li key={id} ref={if sel { selected_ref.clone() } else { NodeRef::default() }}
                    class={classes!("story-hop", sel.then_some("selected"))} data-testid="story-hop"
                    data-message-id={id.to_string()} aria-current={sel.then_some("step")}
                    onclick={on_select.reform(move |_: MouseEvent| Selection::Message(id))}>
                    <span class="hop-n">{ i + 1 }</span>
                    <span class="hop-time">{ p.time.to_string() }</span>
                    <span class="hop-cause" title={cause_title}>{ cause }</span>
                    <span class="hop-text">
                        <span class="hop-who">{ p.who.to_string() }</span>{ ": " }<span class="hop-what">{ p.what.to_string() }</span>
                        if let Some(d) = p.decision {
                            <span class="hop-decision">{ d.to_string() }</span>
                        }
                    </span>
                </li>
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(id: u64, sent_at: u64) -> Hop {
        Hop { id, caused_by: None, sent_at, line: String::new() }
    }

    #[test]
    fn only_hops_sent_by_the_time_on_screen_are_shown() {
        let hops = [hop(10, 100), hop(12, 100), hop(15, 103), hop(20, 250)];
        let cases = [(99.0, 0), (100.0, 2), (102.9, 2), (103.0, 3), (1e9, 4)];
        for (t, want) in cases {
            assert_eq!(shown(&hops, t), want, "at {t}");
        }
        assert_eq!(position(&hops, 15), Some(2));
        assert_eq!(position(&hops, 13), None);
    }

    #[test]
    fn the_rows_drawn_are_a_window_around_the_selection() {
        // (hops shown, selected, cap) -> rows drawn.
        let cases = [
            (0, None, 100, 0..0),
            (40, None, 100, 0..40),
            (500, None, 100, 0..100),
            (500, Some(10), 100, 0..100),
            (500, Some(250), 100, 200..300),
            (500, Some(499), 100, 400..500),
            (500, Some(700), 100, 0..100),
            (40, Some(39), 100, 0..40),
        ];
        for (len, sel, cap, want) in cases {
            let got = window(len, sel, cap);
            assert_eq!(got, want, "{len} hops, selected {sel:?}");
            if let Some(s) = sel.filter(|&s| s < len) {
                assert!(got.contains(&s), "the selected hop is drawn");
            }
        }
    }

    #[test]
    fn a_line_splits_into_time_who_what_and_decision() {
        let line = "+12ms kube-scheduler → kube-apiserver: POST /api/v1/namespaces/default/pods/web-1/binding \
                    — kube-scheduler chose sandbox-worker2: 3 of 4 nodes fit, highest score 87";
        assert_eq!(
            parts(line),
            Parts {
                time: "+12ms",
                who: "kube-scheduler → kube-apiserver",
                what: "POST /api/v1/namespaces/default/pods/web-1/binding",
                decision: Some("kube-scheduler chose sandbox-worker2: 3 of 4 nodes fit, highest score 87"),
            }
        );
        let plain = parts("+1.2s kube-apiserver → etcd: txn put (key /registry/pods/default/web-1, revision 812)");
        assert_eq!((plain.who, plain.decision), ("kube-apiserver → etcd", None));
        assert_eq!(plain.what, "txn put (key /registry/pods/default/web-1, revision 812)");
        assert_eq!(parts("odd").what, "odd", "a line of another shape is shown whole");
    }

    #[test]
    fn the_count_says_where_the_selection_is() {
        assert_eq!(count(None, 1), "1 hop");
        assert_eq!(count(None, 0), "0 hops");
        assert_eq!(count(Some(2), 40), "hop 3 of 40");
    }
}
