//! How far the learner got in each lesson, kept in this browser (`k8s-sandbox/lesson/<id>` =
//! `"2/5"`) for the Lessons menu. The progress of the lesson under way is the session's own
//! (`session::LessonProgress`), which a reload and a share link restore.

/// The localStorage key of a lesson's progress.
pub fn key(id: &str) -> String {
    format!("k8s-sandbox/lesson/{id}")
}

/// `"2/5"`: steps done of the lesson's steps.
pub fn format(done: usize, steps: usize) -> String {
    format!("{done}/{steps}")
}

/// Reads what [`format`] wrote; anything else (a hand-edited value) is no progress.
pub fn parse(text: &str) -> Option<(usize, usize)> {
    let (done, steps) = text.split_once('/')?;
    let (done, steps) = (done.parse().ok()?, steps.parse().ok()?);
    (done <= steps && steps > 0).then_some((done, steps))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Remembers the progress (a full or disabled storage just forgets it: the session still has it).
pub fn save(id: &str, done: usize, steps: usize) {
    if let Some(s) = storage() {
        let _ = s.set_item(&key(id), &format(done, steps));
    }
}

/// The progress saved for a lesson.
pub fn load(id: &str) -> Option<(usize, usize)> {
    parse(&storage()?.get_item(&key(id)).ok()??)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_back_and_refuses_nonsense() {
        assert_eq!(parse(&format(2, 5)), Some((2, 5)));
        assert_eq!(key("tour"), "k8s-sandbox/lesson/tour");
        for bad in ["", "2", "6/5", "1/0", "a/b", "-1/3"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
