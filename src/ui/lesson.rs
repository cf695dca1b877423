//! The lesson panel: a lesson from `static/lessons/`, fetched when it is opened, with its steps
//! checked live against the cluster (`cluster::lesson_run`), hints on request, and for each step
//! done a way to the messages that did it.
//!
//! ```text
//!   #lesson=<id>, the Lessons menu, a saved session ─► open() ─► fetch lessons/<id>.md ─► parse
//!     ├─ cannot: LessonPane::Failed (the line and reason), the rest of the page unaffected
//!     ├─ the session is doing it: continue (OpenLesson, fresh: false)
//!     └─ else a fresh cluster + setup (OpenLesson, fresh: true), after a confirm if there is work
//! ```

mod current_step;
pub mod link;
pub mod markdown;
pub mod progress;
mod prose;

use std::rc::Rc;

use yew::prelude::*;

use crate::lessons::{self, Lesson};
use crate::ui::cluster::Cluster;
use crate::ui::dispatch;
use crate::ui::fetch;
use crate::ui::session::{LessonProgress, Session};
use crate::ui::state::{LessonPane, UiAction, UiState};
use current_step::CurrentStep;

/// Fetches and opens lesson `id`; what goes wrong is shown in the panel.
pub fn open(id: &str, ui: UseReducerDispatcher<UiState>, d: UseReducerDispatcher<Cluster>, session: Rc<Session>) {
    let set = move |pane| ui.dispatch(UiAction::SetLesson(pane));
    if !link::valid_id(id) {
        let message = format!(
            "{id:?} is not a lesson id (lower-case letters, digits and dashes). The Lessons menu lists the lessons."
        );
        set(LessonPane::Failed { id: id.to_string(), message });
        return;
    }
    set(LessonPane::Loading(id.to_string()));
    let id = id.to_string();
    let path = format!("lessons/{id}.md");
    fetch::text(&path.clone(), move |fetched| {
        let lesson = match read(&id, &path, fetched) {
            Ok(lesson) => Rc::new(lesson),
            Err(message) => return set(LessonPane::Failed { id, message }),
        };
        let continuing = session.lesson.as_ref().is_some_and(|p| p.id == lesson.id);
        if continuing {
            dispatch::open_lesson(&d, lesson, false);
        } else if session.ops.is_empty() || confirm_fresh_start(&lesson, session.ops.len()) {
            dispatch::open_lesson(&d, lesson, true);
        } else {
            return set(LessonPane::Offered(lesson));
        }
        set(LessonPane::Open);
    });
}

/// The fetched text as a lesson, or what the learner (or the teacher) is told.
fn read(id: &str, path: &str, fetched: Result<String, String>) -> Result<Lesson, String> {
    let missing = |why: &str| format!("There is no lesson {id:?} ({path}: {why}). The Lessons menu lists the lessons.");
    let text = fetched.map_err(|why| missing(&why))?;
    // A host that answers every path with the page itself (a single-page-app fallback).
    if text.trim_start().starts_with('<') {
        return Err(missing("the site answered with a web page"));
    }
    let lesson = lessons::parse(&text).map_err(|e| format!("The lesson {path} cannot be used: line {e}"))?;
    if lesson.id != id {
        return Err(format!("The lesson {path} says its id is {:?}, not {id:?}.", lesson.id));
    }
    Ok(lesson)
}

fn confirm_fresh_start(lesson: &Lesson, actions: usize) -> bool {
    let question = format!(
        "Start the lesson \"{}\" on a fresh cluster? Your cluster and its {actions} logged actions will be replaced \
         (Share prints a link that keeps them).",
        lesson.title
    );
    web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false)
}

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    pub pane: LessonPane,
    /// The lesson the cluster is doing, and how far.
    pub lesson: Option<Rc<Lesson>>,
    pub progress: Option<LessonProgress>,
    pub missing: Option<String>,
    /// A done step's "What happened": the message that shows it, opened in the story of its command.
    pub on_story: Callback<u64>,
    pub on_close: Callback<()>,
    /// Starts an offered lesson on a fresh cluster.
    pub on_start: Callback<Rc<Lesson>>,
}

#[component(LessonPanel)]
pub fn lesson_panel(props: &LessonPanelProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    let (state, count, body) = match &props.pane {
        LessonPane::Closed => return html! {},
        LessonPane::Loading(id) => {
            ("loading", None, html! { <p class="muted">{ format!("Opening the lesson {id}…") }</p> })
        }
        LessonPane::Failed { message, .. } => (
            "failed",
            None,
            html! {
                <>
                    <p class="lesson-error" data-testid="lesson-error" role="alert">{ message.clone() }</p>
                    <p class="muted">{ "The cluster, the terminal and the diagram work as before." }</p>
                </>
            },
        ),
        LessonPane::Offered(lesson) => ("offered", None, offer(lesson, &props.on_start)),
        LessonPane::Open => match (&props.lesson, &props.progress) {
            (Some(lesson), Some(progress)) => {
                let count = progress::format(progress.done.len().min(lesson.steps.len()), lesson.steps.len());
                ("open", Some(count), steps(lesson, progress, props))
            }
            _ => ("loading", None, html! { <p class="muted">{ "Starting the lesson…" }</p> }),
        },
    };
    html! {
        <section class="panel lesson-panel" aria-label="Lesson" data-testid="lesson" data-state={state}>
            <div class="panel-title">
                <h2>{ "Lesson" }</h2>
                if let Some(count) = count {
                    <span class="lesson-count" data-testid="lesson-count" title="Steps done">{ count }{ " steps" }</span>
                }
                <button class="close" data-testid="lesson-close" onclick={close} title="Close the lesson (the cluster stays)" aria-label="Close the lesson">{ "×" }</button>
            </div>
            <div class="lesson-body">{ body }</div>
        </section>
    }
}

fn offer(lesson: &Rc<Lesson>, on_start: &Callback<Rc<Lesson>>) -> Html {
    let start = {
        let (cb, lesson) = (on_start.clone(), lesson.clone());
        Callback::from(move |_: MouseEvent| cb.emit(lesson.clone()))
    };
    html! {
        <>
            <h3 class="lesson-title">{ lesson.title.clone() }</h3>
            <p>{ lesson.summary.clone() }</p>
            <p class="muted">{ "The lesson starts on a fresh cluster: starting it replaces yours (Share prints a link that keeps it)." }</p>
            <button class="primary" data-testid="lesson-start" onclick={start}>{ "Start the lesson" }</button>
        </>
    }
}

fn steps(lesson: &Rc<Lesson>, progress: &LessonProgress, props: &LessonPanelProps) -> Html {
    let done = progress.done.len();
    let story = |id: u64| props.on_story.reform(move |_: MouseEvent| id);
    html! {
        <>
            <h3 class="lesson-title">{ lesson.title.clone() }</h3>
            <details class="lesson-intro" open={done == 0}>
                <summary>{ "Introduction" }</summary>
                { prose::render(&lesson.intro) }
            </details>
            <ol class="lesson-steps">
                { for lesson.steps.iter().enumerate().map(|(i, step)| {
                    let class = classes!("lesson-step", (i < done).then_some("done"), (i == done).then_some("current"));
                    html! {
                        <li {class} data-testid="lesson-step" data-done={(i < done).to_string()}>
                            <div class="lesson-step-title">
                                <span class="lesson-mark" aria-hidden="true">{ if i < done { "✓".to_string() } else { (i + 1).to_string() } }</span>
                                { step.title.clone() }
                                if let Some(&id) = progress.done.get(i).filter(|&&id| id > 0) {
                                    <button class="link" data-testid="lesson-story" data-message={id.to_string()} onclick={story(id)}
                                        title="Open the story of the command that completed this step, on the hop that shows it">{ "What happened ▸" }</button>
                                }
                            </div>
                            if i < done && !step.text.is_empty() {
                                <details class="lesson-explained">
                                    <summary>{ "Explained" }</summary>
                                    { prose::render(&step.text) }
                                </details>
                            }
                            if i == done {
                                <CurrentStep key={i} lesson={lesson.clone()} index={i} missing={props.missing.clone()} />
                            }
                        </li>
                    }
                }) }
            </ol>
            if done >= lesson.steps.len() {
                <p class="lesson-complete" data-testid="lesson-complete">{ "Lesson complete. Each step's “What happened” shows the messages that did it." }</p>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_panel_says_about_a_lesson_it_cannot_use() {
        let good = include_str!("../../static/lessons/tour.md");
        let cases: [(&str, Result<&str, &str>, &str); 5] = [
            ("nope", Err("404 Not Found"), "There is no lesson \"nope\" (lessons/nope.md: 404 Not Found)"),
            ("nope", Ok("<!DOCTYPE html><html>"), "There is no lesson \"nope\" (lessons/nope.md: the site answered"),
            ("bad", Ok("---\nid: bad\n---\n"), "The lesson lessons/bad.md cannot be used: line 3: title: is missing"),
            ("bad", Ok("---\nid: bad\ntitle: B\n---\n## Step: One\nGoal: g\nCheck: exists pod\n"), "line 7: bad check"),
            ("other", Ok(good), "says its id is \"tour\", not \"other\""),
        ];
        for (id, fetched, want) in cases {
            let fetched = fetched.map(str::to_string).map_err(str::to_string);
            let err = read(id, &format!("lessons/{id}.md"), fetched).expect_err(want);
            assert!(err.contains(want), "{err}");
        }
        let tour = read("tour", "lessons/tour.md", Ok(good.to_string())).expect("the tour reads");
        assert_eq!(tour.id, "tour");
    }
}
