//! The header's Lessons menu: the course's lessons in order (`lessons/index.txt`, fetched the first
//! time the menu opens), each with the progress this browser kept; picking one opens it.

use yew::prelude::*;

use crate::lessons::index::{self, Entry};
use crate::ui::fetch;
use crate::ui::lesson::progress;

#[derive(Properties, PartialEq)]
pub struct LessonsMenuProps {
    /// Called with the id of the lesson picked.
    pub on_lesson: Callback<String>,
}

/// The index as fetched: not yet, its entries, or why not.
#[derive(Clone, PartialEq)]
enum Listing {
    NotFetched,
    Fetching,
    Entries(Vec<Entry>),
    Failed(String),
}

#[component(LessonsMenu)]
pub fn lessons_menu(props: &LessonsMenuProps) -> Html {
    let open = use_state(|| false);
    let listing = use_state(|| Listing::NotFetched);
    let host = use_node_ref();
    super::outside_click::use_close_on_outside_click(&open, &host);
    let toggle = {
        let (open, listing) = (open.clone(), listing.clone());
        Callback::from(move |_: MouseEvent| {
            if matches!(*listing, Listing::NotFetched | Listing::Failed(_)) {
                listing.set(Listing::Fetching);
                let listing = listing.clone();
                fetch::text("lessons/index.txt", move |fetched| {
                    listing.set(match fetched.map(|t| index::parse(&t)) {
                        Ok(Ok(entries)) => Listing::Entries(entries),
                        Ok(Err(e)) => Listing::Failed(format!("lessons/index.txt: line {e}")),
                        Err(why) => Listing::Failed(format!("the lesson list could not be fetched ({why})")),
                    })
                });
            }
            open.set(!*open);
        })
    };
    let on_key = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    let pick = |id: &str| {
        let (open, cb, id) = (open.clone(), props.on_lesson.clone(), id.to_string());
        Callback::from(move |_: MouseEvent| {
            open.set(false);
            cb.emit(id.clone());
        })
    };
    html! {
        <div class="presets lessons" data-testid="lessons" ref={host} onkeydown={on_key}>
            <button class="presets-button" data-testid="lessons-button" aria-haspopup="menu" aria-expanded={open.to_string()}
                onclick={toggle} title="Lessons: steps to do on the cluster, checked as you go">{ "Lessons ▾" }</button>
            if *open {
                <ul class="presets-menu" role="menu" aria-label="Lessons">
                    { match &*listing {
                        Listing::Entries(entries) => html! { <>{ for entries.iter().map(|e| html! {
                            <li role="none">
                                <button role="menuitem" data-testid="lesson-item" data-id={e.id.clone()} onclick={pick(&e.id)}>
                                    <span class="preset-label">{ e.title.clone() }</span>
                                    if let Some((done, steps)) = progress::load(&e.id) {
                                        <span class="preset-hint">{ if done == steps { "done".to_string() } else { format!("{done} of {steps} steps done") } }</span>
                                    }
                                </button>
                            </li>
                        }) }</> },
                        Listing::Failed(why) => html! { <li role="none" class="lesson-error">{ why.clone() }</li> },
                        Listing::NotFetched | Listing::Fetching => html! { <li role="none" class="muted">{ "Loading the lessons…" }</li> },
                    } }
                </ul>
            }
        </div>
    }
}
