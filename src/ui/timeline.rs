//! The timeline under the time controls: virtual time from 0 to the present, a marker at each of the
//! learner's actions, and a playhead at the time on screen. Dragging, clicking or keying it back shows
//! the cluster as it was then (see `cluster::rewind`); "Back to now" returns to the present.
//!
//! While dragging, or between key presses, only the playhead moves (a preview): the cluster is
//! rebuilt once, on release or after a short pause, because a rebuild replays the session from the
//! start. The commit waits a frame so that the "Rebuilding…" status is painted first.

pub mod track;

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use super::clock::format_clock;
use super::cluster::history::actions;
use super::cluster::{ClusterAction, ClusterContext};
use track::{fraction, key_target, markers, time_at};

/// Real ms after the last key press before the cluster follows the playhead.
const KEY_SETTLE_MS: u32 = 300;
/// Real ms between showing "Rebuilding…" and rebuilding (one frame, so that it is painted).
const PAINT_MS: u32 = 30;
/// A press that moves less than this (px) before release is a click: on a marker, it snaps to it.
const CLICK_SLOP_PX: f64 = 4.0;

/// A drag in progress: where it started, and the marker pressed on, if any.
struct Drag {
    start_x: f64,
    snap: Option<f64>,
}

#[component(Timeline)]
pub fn timeline() -> Html {
    let cluster = use_context::<ClusterContext>().expect("Timeline is rendered inside the cluster provider");
    // Where the playhead is shown ahead of the cluster: while dragging, keying, or rebuilding.
    let preview = use_state(|| None::<f64>);
    let rebuilding = use_state(|| false);
    let drag = use_mut_ref(|| None::<Drag>);
    let pending = use_mut_ref(|| None::<Timeout>);
    let host = use_node_ref();
    let track = use_node_ref();

    let end = (cluster.live_now() as f64).max(cluster.live_display());
    let pos = preview.unwrap_or(cluster.display);
    let past = cluster.viewing_past();
    let marks = markers(&cluster.session.ops, end);
    let times: Vec<u64> = marks.iter().map(|m| m.at).collect();

    // Moves the cluster to `t` after `delay` real ms (cancelling any earlier request).
    let commit = {
        let (d, preview, rebuilding, pending) =
            (cluster.dispatcher(), preview.clone(), rebuilding.clone(), pending.clone());
        Rc::new(move |t: f64, delay: u32| {
            preview.set(Some(t));
            let (d, preview, rebuilding2) = (d.clone(), preview.clone(), rebuilding.clone());
            let later = Timeout::new(delay, move || {
                rebuilding2.set(true);
                let (preview, rebuilding) = (preview.clone(), rebuilding2.clone());
                // Paint "Rebuilding…" before the (synchronous) rebuild.
                Timeout::new(PAINT_MS, move || {
                    d.dispatch(ClusterAction::Seek(t));
                    preview.set(None);
                    rebuilding.set(false);
                })
                .forget();
            });
            *pending.borrow_mut() = Some(later);
        })
    };
    let at_pointer = {
        let track = track.clone();
        move |x: f64| track_span(&track).map_or(0.0, |(left, width)| time_at(x, left, width, end))
    };

    let onpointerdown = {
        let (drag, preview, host, at_pointer) = (drag.clone(), preview.clone(), host.clone(), at_pointer.clone());
        Callback::from(move |e: PointerEvent| {
            if e.button() != 0 {
                return;
            }
            e.prevent_default();
            if let Some(el) = host.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
                // Synthetic events have no live pointer to capture: then the drag just ends sooner.
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            let snap = marker_time(&e);
            *drag.borrow_mut() = Some(Drag { start_x: e.client_x() as f64, snap });
            preview.set(Some(snap.unwrap_or_else(|| at_pointer(e.client_x() as f64))));
        })
    };
    let onpointermove = {
        let (drag, preview, at_pointer) = (drag.clone(), preview.clone(), at_pointer.clone());
        Callback::from(move |e: PointerEvent| {
            let mut drag = drag.borrow_mut();
            let Some(d) = drag.as_mut() else { return };
            let x = e.client_x() as f64;
            if (x - d.start_x).abs() >= CLICK_SLOP_PX {
                d.snap = None;
            }
            if d.snap.is_none() {
                preview.set(Some(at_pointer(x)));
            }
        })
    };
    let onpointerup = {
        let (drag, commit, at_pointer) = (drag.clone(), commit.clone(), at_pointer.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(d) = drag.borrow_mut().take() else { return };
            commit(d.snap.unwrap_or_else(|| at_pointer(e.client_x() as f64)), 0);
        })
    };
    let onpointercancel = {
        let (drag, preview) = (drag.clone(), preview.clone());
        Callback::from(move |_: PointerEvent| {
            drag.borrow_mut().take();
            preview.set(None);
        })
    };
    let onkeydown = {
        let (commit, times) = (commit.clone(), times.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            if let Some(t) = key_target(&e.key(), e.shift_key(), pos, end, &times) {
                e.prevent_default();
                commit(t, KEY_SETTLE_MS);
            }
        })
    };
    let back = {
        let d = cluster.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(ClusterAction::BackToNow))
    };

    let head = 100.0 * fraction(pos, end);
    let now_at = 100.0 * fraction(cluster.live_display(), end);
    let shown = format_clock(pos);
    let status = if *rebuilding {
        format!("Rebuilding the cluster at {shown}…")
    } else if past {
        format!("Viewing the past at {shown} · {} after it kept", actions(cluster.later_actions()))
    } else {
        "Live".to_string()
    };
    let valuetext = format!("{shown} of {}{}", format_clock(end), if past { ", viewing the past" } else { ", live" });
    html! {
        <div class={classes!("timeline-row", past.then_some("past"))}>
            <div class="timeline" data-testid="timeline" ref={host} tabindex="0" role="slider"
                aria-label="Timeline: view the cluster as it was. Arrow keys move a second (Shift: ten), Page Up and Page Down jump between your actions, End returns to now"
                aria-valuemin="0" aria-valuemax={format!("{end:.0}")} aria-valuenow={format!("{pos:.0}")} aria-valuetext={valuetext}
                {onpointerdown} {onpointermove} {onpointerup} {onpointercancel} {onkeydown}>
                <div class="timeline-track" ref={track}>
                    <div class="timeline-fill" style={format!("width: {head:.3}%")}></div>
                    if past {
                        <div class="timeline-now" style={format!("left: {now_at:.3}%")} title="Now"></div>
                    }
                    { for marks.iter().map(|m| html! {
                        <span class={classes!("timeline-marker", m.kind.class())} data-testid="timeline-marker" data-at={m.at.to_string()}
                            style={format!("left: {:.3}%", m.left)} title={m.title.clone()}></span>
                    }) }
                    <div class="timeline-head" style={format!("left: {head:.3}%")}></div>
                </div>
            </div>
            <span class="timeline-status" data-testid="timeline-status" role="status">{ status }</span>
            if past {
                <button class="tc back-to-now" data-testid="back-to-now" onclick={back} title="Return to the present (End on the timeline)">{ "Back to now" }</button>
            }
        </div>
    }
}

/// The time of the marker under a pointer event, if it was pressed on one.
fn marker_time(e: &PointerEvent) -> Option<f64> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    el.get_attribute("data-at")?.parse().ok()
}

/// The track's left edge and width in viewport pixels (as a pointer event's `clientX`). Read through `getBoundingClientRect` by name:
/// web-sys's typed binding needs its `DomRect` feature, which this crate does not enable.
fn track_span(host: &NodeRef) -> Option<(f64, f64)> {
    let el: JsValue = host.cast::<web_sys::Element>()?.into();
    let rect_fn =
        js_sys::Reflect::get(&el, &"getBoundingClientRect".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
    let rect = rect_fn.call0(&el).ok()?;
    let field = |name: &str| js_sys::Reflect::get(&rect, &name.into()).ok()?.as_f64();
    Some((field("left")?, field("width")?))
}
