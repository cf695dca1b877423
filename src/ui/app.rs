//! The root component: owns the cluster and page state, and lays out the header, the diagram with
//! its time controls, the inspector, the lesson panel when a lesson is open, and the terminal and
//! the editor, which shares its panel with the story of the last command. `#lesson=<id>&embed`
//! lays out only the lesson, the terminal and the diagram.

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::cluster::transcript::LineKind;
use super::cluster::{Cluster, ClusterAction, ClusterContext};
use super::diagram::Diagram;
use super::editor::Editor;
use super::header::Header;
use super::help::Help;
use super::inspector::Inspector;
use super::lesson::{self, LessonPanel, link};
use super::persist;
use super::state::{LessonPane, Selection, Theme, UiAction, UiState};
use super::story::StoryPanel;
use super::terminal::Terminal;
use super::time_controls::TimeControls;

/// Where the theme preference is kept.
const THEME_KEY: &str = "k8s-sandbox/theme";
/// The session is saved when the log changes, and every this many virtual ms.
const SAVE_EVERY_MS: f64 = 5_000.0;

/// The whole page.
#[component(App)]
pub fn app() -> Html {
    let cluster = use_reducer(Cluster::start);
    let ui = use_reducer(|| UiState {
        theme: saved_theme(),
        embed: link::parse(&location_hash()).is_some_and(|l| l.embed),
        ..UiState::default()
    });

    // The first render is on the page: index.html's "Starting" notice has done its job.
    use_effect_with((), |_| take_down_loading_notice());

    // Apply and remember the theme.
    use_effect_with(ui.theme, |theme| {
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = match theme.attr() {
                Some(t) => root.set_attribute("data-theme", t),
                None => root.remove_attribute("data-theme"),
            };
        }
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item(THEME_KEY, theme.attr().unwrap_or("system"));
        }
    });

    // The session as it is now, for callbacks made once (opening a lesson asks whether it has work).
    let latest_session = use_mut_ref(|| cluster.session.clone());
    *latest_session.borrow_mut() = cluster.session.clone();

    // A lesson link (`#lesson=<id>`) opens its lesson; else a restored session's lesson reopens.
    // A lesson link pasted into the address bar later opens too.
    {
        let (ui, d, latest) = (ui.dispatcher(), cluster.dispatcher(), latest_session.clone());
        use_effect_with((), move |_| {
            let session = latest.borrow().clone();
            match (link::parse(&location_hash()), &session.lesson) {
                (Some(l), _) => lesson::open(&l.id, ui.clone(), d.clone(), session.clone()),
                (None, Some(p)) => lesson::open(&p.id, ui.clone(), d.clone(), session.clone()),
                (None, None) => {}
            }
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    if let Some(l) = link::parse(&location_hash()) {
                        lesson::open(&l.id, ui.clone(), d.clone(), latest.borrow().clone());
                    }
                })
            });
            move || drop(listener)
        });
    }

    // This browser remembers how far each lesson got (the Lessons menu shows it).
    {
        let done = cluster.session.lesson.as_ref().map(|p| (p.id.clone(), p.done.len()));
        let steps = cluster.lesson.as_ref().map(|l| (l.id.clone(), l.steps.len()));
        use_effect_with((done, steps), |(done, steps)| {
            if let (Some((id, done)), Some((lesson_id, steps))) = (done, steps)
                && id == lesson_id
            {
                lesson::progress::save(id, (*done).min(*steps), *steps);
            }
        });
    }

    // Save the session when it changes, and now and then as virtual time passes.
    {
        // The present's clock, also while viewing the past; leaving the past may change the log
        // without changing its length (a new history), hence `viewing_past` among the deps.
        let (session, now, d) = (cluster.session.clone(), cluster.live_now(), cluster.dispatcher());
        let reported = use_mut_ref(|| false);
        let lesson_done = session.lesson.as_ref().map(|p| p.done.len());
        let deps = (
            session.ops.len(),
            session.seed,
            (cluster.display / SAVE_EVERY_MS) as u64,
            cluster.viewing_past(),
            lesson_done,
        );
        use_effect_with(deps, move |_| {
            let mut s = (*session).clone();
            s.now = s.now.max(now);
            if let Err(e) = persist::save(&s)
                && !std::mem::replace(&mut *reported.borrow_mut(), true)
            {
                d.dispatch(ClusterAction::Print(LineKind::Stderr, format!("Your session cannot be saved: {e}.")));
            }
        });
    }

    // Page keys, anywhere but in a text field or on a control: `?` help, Escape closes it,
    // Space plays or pauses, `.` steps.
    {
        let ui = ui.clone();
        let d = cluster.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                EventListener::new(&doc, "keydown", move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                    let tag = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .map(|el| el.tag_name())
                        .unwrap_or_default();
                    let typing = matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT");
                    // Space and Enter already activate buttons and diagram boxes.
                    let control = typing
                        || tag == "BUTTON"
                        || e.target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .is_some_and(|el| el.has_attribute("tabindex"));
                    if e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    match e.key().as_str() {
                        "?" if !typing => ui.dispatch(UiAction::SetHelp(true)),
                        "Escape" => ui.dispatch(UiAction::SetHelp(false)),
                        " " if !control => {
                            e.prevent_default();
                            d.dispatch(ClusterAction::TogglePlaying);
                        }
                        "." if !typing => d.dispatch(ClusterAction::Step),
                        _ => {}
                    }
                })
            });
            move || drop(listener)
        });
    }

    // The page re-renders on every tick of the clock: callbacks that keep their identity let the
    // children whose other props did not change skip their render.
    let on_select = use_callback(ui.dispatcher(), |s, ui| ui.dispatch(UiAction::Select(s)));
    let open_help = use_callback(ui.dispatcher(), |(), ui| ui.dispatch(UiAction::SetHelp(true)));
    let close_help = use_callback(ui.dispatcher(), |(), ui| ui.dispatch(UiAction::SetHelp(false)));
    let on_theme = use_callback(ui.dispatcher(), |t: Theme, ui| ui.dispatch(UiAction::SetTheme(t)));
    let show_story = use_callback(ui.dispatcher(), |open: bool, ui| ui.dispatch(UiAction::ShowStory(open)));
    // A step's "What happened": its hop in the story tab, or (the embed view has no tab) the message.
    let show_hop = use_callback((ui.dispatcher(), ui.embed), |id: u64, (ui, embed)| {
        ui.dispatch(if *embed { UiAction::Select(Selection::Message(id)) } else { UiAction::ShowHop(id) })
    });
    let on_lesson = {
        let (ui, d, latest) = (ui.dispatcher(), cluster.dispatcher(), latest_session.clone());
        use_callback((), move |id: String, _| {
            set_location_hash(&link::fragment(&id, false));
            lesson::open(&id, ui.clone(), d.clone(), latest.borrow().clone());
        })
    };
    let close_lesson = use_callback((ui.dispatcher(), cluster.dispatcher()), |(), (ui, d)| {
        set_location_hash("");
        ui.dispatch(UiAction::SetLesson(LessonPane::Closed));
        d.dispatch(ClusterAction::CloseLesson);
    });
    let start_lesson = use_callback((ui.dispatcher(), cluster.dispatcher()), |lesson, (ui, d)| {
        super::dispatch::open_lesson(d, lesson, true);
        ui.dispatch(UiAction::SetLesson(LessonPane::Open));
    });
    let dispatcher = cluster.dispatcher();
    let inspecting = ui.selection != Selection::None;
    let embed = ui.embed;
    let lesson_panel = html! {
        <LessonPanel pane={ui.lesson.clone()} lesson={cluster.lesson.clone()} progress={cluster.session.lesson.clone()}
            missing={cluster.lesson_failure.clone()} on_story={show_hop} on_close={close_lesson}
            on_start={start_lesson} />
    };
    let with_lesson = ui.lesson != LessonPane::Closed;

    html! {
        <ContextProvider<ClusterContext> context={cluster.clone()}>
            <div class={classes!("app", embed.then_some("embed"), with_lesson.then_some("with-lesson"))}>
                if !embed {
                    <Header theme={ui.theme} {on_theme} on_help={open_help} {on_lesson} session={cluster.session.clone()} world={cluster.live_world_ref()}
                        last_export={cluster.last_export.clone()} dispatcher={dispatcher.clone()} />
                }
                <main class={classes!("workspace", inspecting.then_some("inspecting"))}>
                    <div class="column main-column">
                        <section class="panel diagram-panel" aria-label="Cluster diagram" data-testid="diagram">
                            <TimeControls />
                            <Diagram selection={ui.selection.clone()} on_select={on_select.clone()} />
                        </section>
                        if !embed {
                            <section class="panel inspector-panel" aria-label="Inspector">
                                <Inspector selection={ui.selection.clone()} on_select={on_select.clone()} dispatcher={dispatcher.clone()} />
                            </section>
                        }
                    </div>
                    <div class="column side-column">
                        { lesson_panel }
                        <section class="panel terminal-panel" aria-label="Terminal">
                            <Terminal transcript={cluster.transcript.clone()} transcript_rev={cluster.transcript_rev}
                                session={cluster.session.clone()} world={cluster.world_ref()} watching={!cluster.watching.is_empty()}
                                shell={cluster.shell.clone()} dispatcher={dispatcher.clone()} />
                        </section>
                        if !embed {
                            // The story sits beside the diagram, in the editor's panel (a tab): selecting
                            // a hop opens its message in the inspector, under the diagram, while the
                            // story stays in view. The editor stays mounted, keeping the text typed.
                            <section class={classes!("panel", "editor-panel", ui.story_open.then_some("story-open"))}
                                aria-label="Manifest editor and the story of a command">
                                <div class="tabs" role="tablist">
                                    { tab("Manifest editor", "editor-tab", !ui.story_open, show_story.reform(|_| false)) }
                                    { tab("Story of the last command", "story-tab", ui.story_open, show_story.reform(|_| true)) }
                                </div>
                                <div class="tab-body" hidden={ui.story_open}>
                                    <Editor dispatcher={dispatcher.clone()} last_apply={cluster.last_apply.clone()} />
                                </div>
                                if ui.story_open {
                                    <div class="tab-body">
                                        <StoryPanel selection={ui.selection.clone()} at={ui.story_at} on_select={on_select.clone()} />
                                    </div>
                                }
                            </section>
                        }
                    </div>
                </main>
                if ui.help_open {
                    <Help on_close={close_help} />
                }
            </div>
        </ContextProvider<ClusterContext>>
    }
}

/// A tab of the editor's panel.
fn tab(label: &'static str, testid: &'static str, active: bool, onclick: Callback<MouseEvent>) -> Html {
    html! {
        <button class={classes!("tab", active.then_some("active"))} role="tab" data-testid={testid}
            aria-selected={active.to_string()} {onclick}>{ label }</button>
    }
}

/// The theme chosen on an earlier visit.
fn saved_theme() -> Theme {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .map_or(Theme::System, |t| Theme::from_attr(&t))
}

/// The address's fragment (`#lesson=tour`), or empty.
fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Puts `fragment` in the address bar without a new history entry (empty: none), so that a reload
/// or a bookmark opens the same lesson.
fn set_location_hash(fragment: &str) {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_default() + &w.location().search().unwrap_or_default() + fragment;
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

/// Removes index.html's loading notice (after the first render).
fn take_down_loading_notice() {
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
}
