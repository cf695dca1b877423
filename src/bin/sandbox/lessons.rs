//! `sandbox lessons [--check] [DIR] [ID...]`: lists the course's lessons, or proves each one can be
//! done (every check fails before its solution and passes after, in a fresh world).

use std::path::{Path, PathBuf};

use k8s_sandbox::lessons::{self, Lesson, index, verify};

/// Where the lessons are when no DIR is given: the crate's `static/lessons`, as the site serves them.
const DEFAULT_DIR: &str = "static/lessons";
/// The seed every lesson is checked with (the UI's default cluster).
const SEED: u64 = 1;

/// Runs the subcommand. `Ok(false)` when a lesson's check fails (exit 1); `Err` when the lessons
/// cannot be read (exit 2).
pub fn run(args: &[String]) -> Result<bool, String> {
    let check = args.iter().any(|a| a == "--check");
    if let Some(bad) = args.iter().find(|a| a.starts_with('-') && *a != "--check") {
        return Err(format!(
            "sandbox lessons: unknown option {bad:?} (usage: sandbox lessons [--check] [DIR] [ID...])"
        ));
    }
    let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    // A first word that is a folder is DIR; the rest (or all) are lesson ids.
    let (dir, ids) = match words.split_first() {
        Some((first, rest)) if Path::new(first.as_str()).is_dir() => (PathBuf::from(first.as_str()), rest),
        _ => (PathBuf::from(DEFAULT_DIR), words.as_slice()),
    };
    let chosen = load(&dir, ids)?;
    if !check {
        for l in &chosen {
            println!("{:<16}  {:>5}  {}", l.id, l.steps.len(), l.title);
        }
        return Ok(true);
    }
    let (mut steps, mut ok) = (0, true);
    for l in &chosen {
        match verify::verify(l, SEED) {
            Ok(n) => {
                steps += n;
                println!("ok    {}  ({n} steps)", l.id);
            }
            Err(e) => {
                ok = false;
                println!("FAIL  {}: {e}", l.id);
            }
        }
    }
    if ok {
        println!(
            "lessons: {} lessons, {steps} steps: every check fails before its solution and passes after",
            chosen.len()
        );
    } else {
        println!("lessons: FAILED (a lesson above does not behave as it says)");
    }
    Ok(ok)
}

/// Reads the index and the lessons it lists (only `ids`, if any are given), and checks that the
/// index and the files agree: a lesson missing from either would be invisible or unreachable.
fn load(dir: &Path, ids: &[&String]) -> Result<Vec<Lesson>, String> {
    let index_path = dir.join("index.txt");
    let text = read(&index_path)?;
    let entries = index::parse(&text).map_err(|e| format!("{}:{e}", index_path.display()))?;
    for id in ids {
        if !entries.iter().any(|e| &e.id == *id) {
            let known: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
            return Err(format!(
                "sandbox lessons: no lesson {id:?} in {} (known: {})",
                dir.display(),
                known.join(", ")
            ));
        }
    }
    let files = std::fs::read_dir(dir).map_err(|e| format!("sandbox lessons: cannot read {}: {e}", dir.display()))?;
    for f in files.filter_map(Result::ok) {
        let name = f.file_name().to_string_lossy().to_string();
        if let Some(id) = name.strip_suffix(".md")
            && !entries.iter().any(|e| e.id == id)
        {
            return Err(format!("{}: {name} is not listed in index.txt", dir.display()));
        }
    }
    let mut lessons = Vec::new();
    for entry in entries.iter().filter(|e| ids.is_empty() || ids.iter().any(|id| **id == e.id)) {
        let path = dir.join(format!("{}.md", entry.id));
        let lesson = lessons::parse(&read(&path)?).map_err(|e| format!("{}:{e}", path.display()))?;
        if lesson.id != entry.id || lesson.title != entry.title {
            return Err(format!(
                "{}: its front matter (id {:?}, title {:?}) differs from index.txt's line (id {:?}, title {:?})",
                path.display(),
                lesson.id,
                lesson.title,
                entry.id,
                entry.title
            ));
        }
        lessons.push(lesson);
    }
    Ok(lessons)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("sandbox lessons: cannot read {}: {e}", path.display()))
}
