//! The page header: title, one-line subtitle, and the page-level actions (lessons, presets, help,
//! theme, share, export, reset).

mod lessons_menu;
mod outside_click;
mod presets_menu;

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::bridge::Sim;
use super::cluster::transcript::LineKind;
use super::cluster::{Cluster, ClusterAction, Origin, WorldRef};
use super::dispatch;
use super::persist;
use super::session::Session;
use super::state::Theme;
use lessons_menu::LessonsMenu;
use presets_menu::PresetsMenu;

/// What Export runs: every kind a learner creates, in all namespaces, as one List.
pub const EXPORT_COMMAND: &str = "kubectl get namespaces,deployments,statefulsets,daemonsets,jobs,cronjobs,services,configmaps,secrets,pods -A -o yaml";

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub theme: Theme,
    pub on_theme: Callback<Theme>,
    pub on_help: Callback<()>,
    /// Opens a lesson by id (the Lessons menu).
    pub on_lesson: Callback<String>,
    pub session: Rc<Session>,
    /// The world, read for its virtual time when a share link is made (a prop that changed on
    /// every tick would re-render the header on every tick).
    pub world: WorldRef,
    pub last_export: Option<(u64, Rc<String>)>,
    pub dispatcher: UseReducerDispatcher<Cluster>,
}

#[component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    {
        // A new export becomes a download.
        let serial = props.last_export.as_ref().map(|(s, _)| *s);
        let yaml = props.last_export.as_ref().map(|(_, y)| y.clone());
        use_effect_with(serial, move |_| {
            if let Some(yaml) = yaml.filter(|y| !y.is_empty()) {
                download("cluster.yaml", &yaml);
            }
        });
    }
    let d = props.dispatcher.clone();
    let help = {
        let cb = props.on_help.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let theme = {
        let (cb, current) = (props.on_theme.clone(), props.theme);
        Callback::from(move |_: MouseEvent| cb.emit(current.toggled(system_prefers_dark())))
    };
    let share = {
        let (d, session, world) = (d.clone(), props.session.clone(), props.world.clone());
        Callback::from(move |_: MouseEvent| {
            let mut s = (*session).clone();
            s.now = s.now.max(world.with(Sim::now).unwrap_or_default());
            let hash = s.to_hash();
            // Printed, not put in the address bar: a reload must continue the learner's own session.
            let Some(location) = web_sys::window().map(|w| w.location()) else { return };
            let base = location.href().unwrap_or_default();
            let url = format!("{}{hash}", base.split('#').next().unwrap_or_default());
            d.dispatch(ClusterAction::Print(
                LineKind::Info,
                format!(
                    "Share link (it replays your {} actions on the same seed{}):\n{url}",
                    s.ops.len(),
                    s.lesson
                        .as_ref()
                        .map(|l| format!(", with your progress in the lesson {}", l.id))
                        .unwrap_or_default()
                ),
            ));
        })
    };
    let export = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| dispatch::run_kubectl(&d, EXPORT_COMMAND.into(), None, Origin::Export))
    };
    let reset = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            let sure = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message("Start over with a fresh cluster? Your saved commands will be forgotten.")
                        .ok()
                })
                .unwrap_or(true);
            if sure {
                persist::clear();
                persist::forget_hash();
                d.dispatch(ClusterAction::Reset);
            }
        })
    };
    let dark = match props.theme {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::System => system_prefers_dark(),
    };
    html! {
        <header class="header">
            <div class="titles">
                <h1>{ "Kubernetes Architecture Sandbox" }</h1>
                <p class="subtitle">{ "A whole cluster simulated in your browser: type kubectl, apply manifests, and watch every message between its components." }</p>
            </div>
            <nav class="actions" aria-label="Page actions">
                <LessonsMenu on_lesson={props.on_lesson.clone()} />
                <PresetsMenu dispatcher={d.clone()} />
                <button onclick={help} data-testid="help-button" title="What each component does (?)">{ "Help" }</button>
                <button onclick={theme} data-testid="theme" aria-pressed={dark.to_string()} title="Switch between light and dark"
                    aria-label={if dark { "Light theme" } else { "Dark theme" }}>{ if dark { "☀" } else { "☾" } }</button>
                <button onclick={share} data-testid="share" title="Print a link that replays your session, to share or bookmark">{ "Share" }</button>
                <button onclick={export} data-testid="export" title="Download the cluster's objects as YAML">{ "Export" }</button>
                <button onclick={reset} data-testid="reset" class="danger" title="Start over with a fresh cluster">{ "Reset" }</button>
            </nav>
        </header>
    }
}

/// Whether the system asks for a dark theme.
pub fn system_prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Offers `text` as a file download through a temporary link.
fn download(file: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(a) = doc.create_element("a") else { return };
    let href = format!("data:application/yaml;charset=utf-8,{}", js_sys::encode_uri_component(text));
    let _ = a.set_attribute("href", &href);
    let _ = a.set_attribute("download", file);
    if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
        a.click();
    }
}
