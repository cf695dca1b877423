//! Proves a lesson can be done: in a fresh world, after the setup, each step's checks fail before its
//! solution and pass after it (steps build on each other in one world, as a learner's do).

use super::{Lesson, commands};
use crate::sim::time::Millis;
use crate::sim::world::World;

/// How often the cluster is looked at while waiting for a step's checks to pass (virtual time).
const POLL_MS: Millis = 1_000;

/// A step that does not behave as its lesson says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The step's checks all pass before its solution ran: the check cannot tell the learner anything.
    #[error("step {step} ({title:?}): its checks already pass before its solution ran ({explanation})")]
    PassesBefore { step: usize, title: String, explanation: String },
    /// A check still fails after the solution and the step's wait.
    #[error(
        "step {step} ({title:?}): after its solution and {wait_s} s, a check still fails: {explanation}\n{transcript}"
    )]
    FailsAfter { step: usize, title: String, wait_s: u64, explanation: String, transcript: String },
}

/// Runs the lesson in `World::new(seed)`; returns how many steps it proved.
pub fn verify(lesson: &Lesson, seed: u64) -> Result<usize, VerifyError> {
    let mut world = World::new(seed);
    commands::run(&mut world, &lesson.setup);
    for (i, step) in lesson.steps.iter().enumerate() {
        let number = i + 1;
        // The step begins now: its `message` checks read what is sent from here on, as in the UI.
        let since = world.k.next_id();
        if step.first_failure(&world, since).is_none() {
            let explanation =
                step.checks.iter().map(|c| c.evaluate(&world, since).explanation).collect::<Vec<_>>().join("; ");
            return Err(VerifyError::PassesBefore { step: number, title: step.title.clone(), explanation });
        }
        let transcript = commands::run(&mut world, &step.solution);
        // Stop as soon as the step is done, as the UI would: the next step starts from there.
        let deadline = world.now() + step.wait_ms;
        let mut failure = step.first_failure(&world, since);
        while failure.is_some() && world.now() < deadline {
            world.run_until((world.now() + POLL_MS).min(deadline));
            failure = step.first_failure(&world, since);
        }
        if let Some(explanation) = failure {
            let title = step.title.clone();
            return Err(VerifyError::FailsAfter {
                step: number,
                title,
                wait_s: step.wait_ms / 1000,
                explanation,
                transcript,
            });
        }
    }
    Ok(lesson.steps.len())
}
