//! The course's table of contents, `static/lessons/index.txt`: one `id<TAB>title` line per lesson in
//! course order, so the UI can list the lessons without fetching them.

use super::{LessonError, Reason};

/// One lesson as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub title: String,
}

/// Parses the index; blank lines and `#` comments are skipped.
pub fn parse(text: &str) -> Result<Vec<Entry>, LessonError> {
    let mut entries: Vec<Entry> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((id, title)) = line.split_once('\t') else {
            return Err(LessonError { line: n, reason: Reason::NotKeyValue(format!("id<TAB>title, got {line:?}")) });
        };
        let (id, title) = (id.trim(), title.trim());
        if id.is_empty() || title.is_empty() {
            return Err(LessonError { line: n, reason: Reason::Empty("id or title") });
        }
        if entries.iter().any(|e| e.id == id) {
            return Err(LessonError { line: n, reason: Reason::Duplicate("index line for one lesson id") });
        }
        entries.push(Entry { id: id.to_string(), title: title.to_string() });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ids_and_titles_in_order() {
        let index = parse("# course\ntour\tThe architecture tour\n\nscheduler\tThe scheduler\n").expect("valid");
        assert_eq!(index.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["tour", "scheduler"]);
        assert_eq!(index[1].title, "The scheduler");
    }

    #[test]
    fn bad_lines_say_where() {
        assert_eq!(parse("tour The tour\n").map_err(|e| e.line), Err(1));
        assert_eq!(parse("a\tA\nb\t \n").map_err(|e| e.line), Err(2));
        assert_eq!(
            parse("a\tA\na\tB\n").map_err(|e| e.to_string()),
            Err("2: a second index line for one lesson id".into())
        );
    }
}
