//! The lesson file: front matter, markdown prose, an optional ```setup block, then `## Step:`
//! sections with `Goal:`, `Try:`, `Check:` (+ `Explain:`), `Hint:`, `Wait:` lines and a ```solution
//! block. Read line by line, so every mistake is reported with its line.

use super::check::{self, Check};
use super::commands::{self, Command};
use super::{CheckLine, Lesson, LessonError, Reason, Step};
use crate::sim::time::parse_duration;

/// How long `sandbox lessons --check` waits after a solution when the step does not say (virtual
/// time): long enough for images to pull and pods to start, as a learner would wait.
pub const DEFAULT_WAIT_MS: u64 = 60_000;

/// The keys a step's lines may start with.
const STEP_KEYS: [&str; 6] = ["Goal:", "Try:", "Check:", "Explain:", "Hint:", "Wait:"];

fn err(line: usize, reason: Reason) -> LessonError {
    LessonError { line, reason }
}

/// Parses a lesson file's text.
pub fn parse(text: &str) -> Result<Lesson, LessonError> {
    let lines: Vec<&str> = text.lines().collect();
    let (id, title, summary, body_start) = front_matter(&lines)?;
    let mut lesson = Lesson { id, title, summary, intro: String::new(), setup: Vec::new(), steps: Vec::new() };
    let mut setup_seen = false;
    let mut i = body_start;
    while i < lines.len() {
        let n = i + 1;
        let line = lines[i];
        let trimmed = line.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            let close = (i + 1..lines.len())
                .find(|&j| lines[j].trim() == "```")
                .ok_or_else(|| err(n, Reason::UnclosedFence))?;
            let inner = &lines[i + 1..close];
            match info.trim() {
                "setup" if !lesson.steps.is_empty() => return Err(err(n, Reason::SetupAfterSteps)),
                "setup" if setup_seen => return Err(err(n, Reason::Duplicate("setup block"))),
                "setup" => {
                    lesson.setup = block(inner, n + 1)?;
                    setup_seen = true;
                }
                "solution" => {
                    let step =
                        lesson.steps.last_mut().ok_or_else(|| err(n, Reason::OutsideStep("a solution block")))?;
                    if step.solution_line.is_some() {
                        return Err(err(n, Reason::Duplicate("solution block in one step")));
                    }
                    step.solution = block(inner, n + 1)?;
                    step.solution_line = Some(n);
                }
                _ => {
                    // A code sample in the prose: kept as written, its lines never read as keys.
                    for l in &lines[i..=close] {
                        prose(&mut lesson, l);
                    }
                }
            }
            i = close + 1;
            continue;
        }
        if let Some(title) = trimmed.strip_prefix("## Step:") {
            let title = title.trim();
            if title.is_empty() {
                return Err(err(n, Reason::Empty("## Step: heading")));
            }
            lesson.steps.push(Step::new(title, n));
        } else if let Some(key) = STEP_KEYS.iter().find(|k| trimmed.starts_with(**k)) {
            let value = trimmed[key.len()..].trim();
            let step = lesson.steps.last_mut().ok_or_else(|| err(n, Reason::OutsideStep(key)))?;
            step_key(step, key, value, n)?;
        } else {
            prose(&mut lesson, line);
        }
        i += 1;
    }
    if lesson.steps.is_empty() {
        return Err(err(lines.len().max(1), Reason::NoSteps));
    }
    for step in &mut lesson.steps {
        complete(step)?;
    }
    lesson.intro = lesson.intro.trim_end().to_string();
    Ok(lesson)
}

/// `---`, then `key: value` lines (id, title, summary), then `---`. Returns where the body starts.
fn front_matter(lines: &[&str]) -> Result<(String, String, String, usize), LessonError> {
    if lines.first().map(|l| l.trim()) != Some("---") {
        return Err(err(1, Reason::NoFrontMatter));
    }
    let (mut id, mut title, mut summary) = (None, None, String::new());
    for (i, line) in lines.iter().enumerate().skip(1) {
        let n = i + 1;
        let line = line.trim();
        if line == "---" {
            let id = id.ok_or_else(|| err(n, Reason::Missing("id:", "front matter")))?;
            let title = title.ok_or_else(|| err(n, Reason::Missing("title:", "front matter")))?;
            return Ok((id, title, summary, i + 1));
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(':').ok_or_else(|| err(n, Reason::NotKeyValue(line.to_string())))?;
        // YAML habits: a value with a colon in it is often quoted.
        let value = value.trim();
        let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            Some(inner) => inner.to_string(),
            None => value.to_string(),
        };
        if value.is_empty() {
            return Err(err(n, Reason::Empty("front matter value")));
        }
        match key.trim() {
            "id" if value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') => id = Some(value),
            "id" => return Err(err(n, Reason::BadId(value))),
            "title" => title = Some(value),
            "summary" => summary = value,
            other => return Err(err(n, Reason::UnknownKey(other.to_string()))),
        }
    }
    Err(err(1, Reason::UnclosedFrontMatter))
}

fn block(lines: &[&str], first_line: usize) -> Result<Vec<Command>, LessonError> {
    commands::parse_block(lines, first_line).map_err(|(line, reason)| err(line, Reason::BadCommand(reason)))
}

/// Prose goes to the open step, or before the first step to the introduction.
fn prose(lesson: &mut Lesson, line: &str) {
    let text = match lesson.steps.last_mut() {
        Some(step) => &mut step.text,
        None => &mut lesson.intro,
    };
    if text.is_empty() && line.trim().is_empty() {
        return;
    }
    text.push_str(line);
    text.push('\n');
}

fn step_key(step: &mut Step, key: &str, value: &str, n: usize) -> Result<(), LessonError> {
    if value.is_empty() {
        return Err(err(n, Reason::Empty("line after its key")));
    }
    match key {
        "Goal:" if !step.goal.is_empty() => return Err(err(n, Reason::Duplicate("Goal: in one step"))),
        "Goal:" => step.goal = value.to_string(),
        "Try:" => step.tries.push(value.to_string()),
        "Hint:" => step.hints.push(value.to_string()),
        "Check:" => {
            let check: Check = check::parse(value).map_err(|e| err(n, Reason::BadCheck(e)))?;
            step.checks.push(CheckLine { text: value.to_string(), check, explain: None, line: n });
        }
        "Explain:" => {
            let last = step.checks.last_mut().ok_or_else(|| err(n, Reason::ExplainWithoutCheck))?;
            if last.explain.is_some() {
                return Err(err(n, Reason::Duplicate("Explain: for one check")));
            }
            last.explain = Some(value.to_string());
        }
        "Wait:" => {
            step.wait_ms = parse_duration(value).ok_or_else(|| err(n, Reason::BadDuration(value.to_string())))?;
        }
        _ => unreachable!("STEP_KEYS lists every key handled here"),
    }
    Ok(())
}

/// A step needs a goal, a check, a hint and a solution: the parts the learner and `--check` use.
fn complete(step: &mut Step) -> Result<(), LessonError> {
    let missing = if step.goal.is_empty() {
        Some("Goal:")
    } else if step.checks.is_empty() {
        Some("Check:")
    } else if step.hints.is_empty() {
        Some("Hint:")
    } else if step.solution_line.is_none() {
        Some("```solution block")
    } else {
        None
    };
    if let Some(what) = missing {
        return Err(err(step.line, Reason::StepMissing(step.title.clone(), what)));
    }
    step.text = step.text.trim_end().to_string();
    Ok(())
}

#[cfg(test)]
mod tests;
