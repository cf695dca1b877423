//! Play, pause, step and speed: the bar that drives virtual time, the clock it shows, and the
//! timeline under it.
//!
//! While playing, a gloo `Interval` held by this component sends `Tick`s with the real time elapsed;
//! dropping the interval (on pause, or unmount) cancels it.

use std::cell::Cell;
use std::rc::Rc;

use gloo::timers::callback::Interval;
use yew::prelude::*;

use super::clock::{SPEEDS, Speed, format_clock};
use super::cluster::{ClusterAction, ClusterContext, MAX_DOTS};
use super::timeline::Timeline;
use super::traffic;

/// Real milliseconds between two ticks (about 30 frames a second is smooth enough for dots).
const TICK_MS: u32 = 33;

#[component(TimeControls)]
pub fn time_controls() -> Html {
    let cluster = use_context::<ClusterContext>().expect("TimeControls is rendered inside the cluster provider");
    {
        let dispatcher = cluster.dispatcher();
        use_effect_with(cluster.playing, move |playing| {
            let interval = playing.then(|| {
                let last = Rc::new(Cell::new(js_sys::Date::now()));
                Interval::new(TICK_MS, move || {
                    let now = js_sys::Date::now();
                    let real_ms = now - last.replace(now);
                    dispatcher.dispatch(ClusterAction::Tick { real_ms });
                })
            });
            move || drop(interval)
        });
    }
    let on = |action: fn() -> ClusterAction| {
        let c = cluster.clone();
        Callback::from(move |_: MouseEvent| c.dispatch(action()))
    };
    let on_speed = {
        let c = cluster.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            let speed = value.parse::<f64>().map(Speed::Times).unwrap_or(Speed::Max);
            c.dispatch(ClusterAction::SetSpeed(speed));
        })
    };
    let add_node = on(|| ClusterAction::AddNode);
    let max = cluster.speed == Speed::Max;
    let (world_now, in_flight) = cluster
        .with_world(|w| (w.now() as f64, traffic::in_flight(w.trace(), cluster.display, MAX_DOTS).len()))
        .unwrap_or_default();
    let behind = world_now - cluster.display;
    html! {
        <div class="time-controls" data-testid="time-controls" role="toolbar" aria-label="Time controls">
            <button data-testid="play" class={classes!("tc", cluster.playing.then_some("active"))} aria-pressed={cluster.playing.to_string()}
                onclick={on(|| ClusterAction::SetPlaying(true))} title="Play (Space)">{ icon(PLAY) }{ "Play" }</button>
            <button data-testid="pause" class={classes!("tc", (!cluster.playing).then_some("active"))} aria-pressed={(!cluster.playing).to_string()}
                onclick={on(|| ClusterAction::SetPlaying(false))} title="Pause (Space)">{ icon(PAUSE) }{ "Pause" }</button>
            <button data-testid="step" class="tc" onclick={on(|| ClusterAction::Step)} title="Show the next message leaving or arriving; pauses (.)">{ icon(STEP) }{ "Step" }</button>
            <label class="speed">
                <span class="visually-hidden">{ "Speed" }</span>
                <select data-testid="speed" onchange={on_speed} aria-label="Speed">
                    { for SPEEDS.iter().map(|s| html! { <option value={s.to_string()} selected={cluster.speed == Speed::Times(*s)}>{ Speed::Times(*s).label() }</option> }) }
                    <option value="max" selected={max}>{ "max" }</option>
                </select>
            </label>
            <button data-testid="speed-max" class={classes!("tc", max.then_some("active"))} aria-pressed={max.to_string()}
                onclick={on(|| ClusterAction::SetSpeed(Speed::Max))} title="As fast as possible: no animation">{ icon(MAX) }{ "Max" }</button>
            <span class="clock" data-testid="clock" title="Virtual time since the cluster started">{ format_clock(cluster.display) }</span>
            <span class="clock-note">
                { if max { "simulating flat out".to_string() } else if behind >= 1.0 { format!("replaying: {:.0} ms behind the cluster", behind) } else { format!("{in_flight} in flight") } }
            </span>
            <button data-testid="add-node" class="tc add-node" onclick={add_node} title="Add a worker node to the cluster">{ "+ Node" }</button>
            <Timeline />
        </div>
    }
}

/// Icon paths in a 12×12 box (drawn inline: no icon font, no extra request).
const PLAY: &str = "M2 1 L11 6 L2 11 Z";
const PAUSE: &str = "M2 1 H5 V11 H2 Z M7 1 H10 V11 H7 Z";
const STEP: &str = "M1 1 L8 6 L1 11 Z M9 1 H11 V11 H9 Z";
const MAX: &str = "M0 1 L6 6 L0 11 Z M6 1 L12 6 L6 11 Z";

fn icon(path: &'static str) -> Html {
    html! { <svg class="icon" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true"><path d={path} /></svg> }
}
