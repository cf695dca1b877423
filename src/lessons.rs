//! Lessons a teacher writes as text files (`static/lessons/<id>.md`), and the checks that tell a
//! learner whether the cluster is where a step wants it.
//!
//! ```text
//!  static/lessons/index.txt ──► index::parse ──► the course's order (id, title), no lesson fetched
//!  static/lessons/<id>.md   ──► parse ──► Lesson { intro, setup, steps: [Step { goal, tries, checks,
//!                                                                       hints, solution, wait }] }
//!  Check::evaluate(&World, since) ──► Outcome { passed, explanation, message }  (reads the apiserver's
//!                                     cache, and the trace from message `since`, when the step began)
//!  verify::verify(&Lesson)  ──► every check fails before its solution and passes after
//! ```
//! Nothing here reads files or the clock: the native `sandbox lessons` and the browser fetch the
//! text themselves, so the same parser and checks run in both.

pub mod check;
pub mod commands;
mod format;
pub mod index;
pub mod path;
pub mod verify;

pub use check::{Check, Outcome};
pub use commands::Command;
pub use format::{DEFAULT_WAIT_MS, parse};

use crate::sim::time::Millis;
use crate::sim::world::World;

/// A parsed lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The file's name without `.md`, as the index lists it.
    pub id: String,
    pub title: String,
    /// One line for the lesson list (may be empty).
    pub summary: String,
    /// Markdown before the first step.
    pub intro: String,
    /// Run before the learner starts: a broken Deployment to fix, a node to lose.
    pub setup: Vec<Command>,
    pub steps: Vec<Step>,
}

/// One step: what to reach, how, how the cluster shows it, and help from vague to specific.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub title: String,
    /// The line of its `## Step:` heading.
    pub line: usize,
    pub goal: String,
    /// Commands or actions to try, as the teacher wrote them (markdown).
    pub tries: Vec<String>,
    /// The step's markdown prose.
    pub text: String,
    /// Every one must pass.
    pub checks: Vec<CheckLine>,
    /// From vague to specific: the UI shows one more each time it is asked.
    pub hints: Vec<String>,
    pub solution: Vec<Command>,
    solution_line: Option<usize>,
    /// How long `--check` lets the cluster run after the solution before the checks must pass.
    pub wait_ms: Millis,
}

impl Step {
    fn new(title: &str, line: usize) -> Self {
        Step {
            title: title.to_string(),
            line,
            goal: String::new(),
            tries: Vec::new(),
            text: String::new(),
            checks: Vec::new(),
            hints: Vec::new(),
            solution: Vec::new(),
            solution_line: None,
            wait_ms: DEFAULT_WAIT_MS,
        }
    }

    /// The first check that does not hold, with what is missing; `None` when the step is done.
    /// `since`: the id of the first message sent after the step began (what `message` checks read).
    pub fn first_failure(&self, world: &World, since: u64) -> Option<String> {
        self.checks.iter().find_map(|c| {
            let outcome = c.evaluate(world, since);
            (!outcome.passed).then_some(outcome.explanation)
        })
    }

    /// The hop of the story that shows the step done: the message its last passing `message` check
    /// found (checks go along the story, so the last is the furthest: the binding after the
    /// ReplicaSet); none if the step has no such check.
    pub fn found_message(&self, world: &World, since: u64) -> Option<u64> {
        self.checks.iter().rev().find_map(|c| c.evaluate(world, since).message)
    }
}

/// A `Check:` line, with the teacher's `Explain:` words for when it fails.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckLine {
    pub text: String,
    pub check: Check,
    pub explain: Option<String>,
    pub line: usize,
}

impl CheckLine {
    /// Evaluates the check; a failure leads with the teacher's words, then what the cluster has.
    pub fn evaluate(&self, world: &World, since: u64) -> Outcome {
        let mut outcome = self.check.evaluate(world, since);
        if let (false, Some(explain)) = (outcome.passed, &self.explain) {
            outcome.explanation = format!("{explain} ({})", outcome.explanation);
        }
        outcome
    }
}

/// A lesson file that cannot be used: where, and why. Shown as `FILE:LINE: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}: {reason}")]
pub struct LessonError {
    pub line: usize,
    pub reason: Reason,
}

/// Why a lesson file does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// The file does not open with `---`.
    #[error("a lesson starts with front matter: a line `---`, then `id: ...` and `title: ...`, then `---`")]
    NoFrontMatter,
    /// The closing `---` is missing.
    #[error("the front matter's closing `---` is missing")]
    UnclosedFrontMatter,
    /// A front-matter line without a colon.
    #[error("expected `key: value`, got {0:?}")]
    NotKeyValue(String),
    /// A front-matter key other than id, title, summary.
    #[error("unknown front matter key {0:?} (id, title and summary are known)")]
    UnknownKey(String),
    /// An id with characters a URL or file name would trip on.
    #[error("the id {0:?} may only have lower-case letters, digits and dashes")]
    BadId(String),
    /// A required key is missing.
    #[error("{0} is missing from the {1}")]
    Missing(&'static str, &'static str),
    /// Something that needs text has none.
    #[error("empty {0}")]
    Empty(&'static str),
    /// A ``` fence that never closes.
    #[error("this ``` block is never closed (a line with only ``` ends it)")]
    UnclosedFence,
    /// The setup block comes after the first step.
    #[error("the setup block goes before the first `## Step:`")]
    SetupAfterSteps,
    /// Two of something there can be only one of.
    #[error("a second {0}")]
    Duplicate(&'static str),
    /// A step's key (or a solution) before any `## Step:` heading.
    #[error("{0} belongs in a step: put it after a `## Step: TITLE` heading")]
    OutsideStep(&'static str),
    /// `Explain:` with no `Check:` before it.
    #[error("Explain: says what a failing Check: means, so it follows a Check: line")]
    ExplainWithoutCheck,
    /// A check that cannot be evaluated.
    #[error("bad check: {0}")]
    BadCheck(String),
    /// A setup or solution line that cannot run.
    #[error("{0}")]
    BadCommand(String),
    /// `Wait:` with something that is not a duration.
    #[error("Wait: needs a duration such as 30s, 2m or 6m, got {0:?}")]
    BadDuration(String),
    /// A step without one of its parts.
    #[error("step {0:?} has no {1}")]
    StepMissing(String, &'static str),
    /// A file with no step at all.
    #[error("a lesson needs at least one `## Step: TITLE`")]
    NoSteps,
}
