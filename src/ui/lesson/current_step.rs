//! The step the learner is on: its goal, what to try, what the cluster still misses, and help on
//! request, from vague hints to the solution.

use std::rc::Rc;

use yew::prelude::*;

use super::prose;
use crate::lessons::Lesson;
use crate::ui::bridge;

#[derive(Properties, PartialEq)]
pub struct CurrentStepProps {
    pub lesson: Rc<Lesson>,
    pub index: usize,
    /// What its first failing check says.
    pub missing: Option<String>,
}

/// Keyed by the step's index by its parent, so the hints shown start over on each step.
#[component(CurrentStep)]
pub fn current_step(props: &CurrentStepProps) -> Html {
    let hints = use_state(|| 0usize);
    let solution = use_state(|| false);
    let Some(step) = props.lesson.steps.get(props.index) else { return html! {} };
    let more = {
        let hints = hints.clone();
        Callback::from(move |_: MouseEvent| hints.set(*hints + 1))
    };
    let show = {
        let solution = solution.clone();
        Callback::from(move |_: MouseEvent| solution.set(true))
    };
    html! {
        <div class="lesson-current" data-testid="lesson-current">
            <p class="lesson-goal"><strong>{ "Goal: " }</strong>{ prose::line(&step.goal) }</p>
            { for step.tries.iter().map(|t| html! { <p class="lesson-try"><strong>{ "Try: " }</strong>{ prose::line(t) }</p> }) }
            if let Some(why) = &props.missing {
                <p class="lesson-missing" data-testid="lesson-missing" aria-live="polite">{ "Not yet: " }{ why.clone() }</p>
            }
            if *hints > 0 {
                <ol class="lesson-hints" data-testid="lesson-hints">
                    { for step.hints.iter().take(*hints).map(|h| html! { <li>{ prose::line(h) }</li> }) }
                </ol>
            }
            <div class="lesson-help">
                if *hints < step.hints.len() {
                    <button data-testid="lesson-hint" onclick={more}>{ if *hints == 0 { "Hint" } else { "Another hint" } }</button>
                } else if !*solution {
                    <button data-testid="lesson-show-solution" onclick={show}>{ "Show solution" }</button>
                }
            </div>
            if *solution {
                <pre class="lesson-code" data-testid="lesson-solution">{ bridge::lessons::solution_text(step) }</pre>
            }
        </div>
    }
}
