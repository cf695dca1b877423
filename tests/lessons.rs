//! The course in static/lessons: every lesson parses, the index and the files agree, every check fails
//! before its solution and passes after; and `sandbox lessons` answers bad input in plain words.

use std::path::{Path, PathBuf};
use std::process::Command;

use k8s_sandbox::lessons::{self, index, verify};

fn lessons_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("static/lessons")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_lesson_in_the_index_can_be_done() {
    let dir = lessons_dir();
    let entries = index::parse(&read(&dir.join("index.txt"))).expect("index.txt parses");
    assert!(entries.len() >= 12, "the course has at least 12 lessons, found {}", entries.len());
    let mut failures = Vec::new();
    for entry in &entries {
        let path = dir.join(format!("{}.md", entry.id));
        let lesson = lessons::parse(&read(&path)).unwrap_or_else(|e| panic!("{}:{e}", path.display()));
        assert_eq!((&lesson.id, &lesson.title), (&entry.id, &entry.title), "{} and index.txt", path.display());
        if let Err(e) = verify::verify(&lesson, 1) {
            failures.push(format!("{}: {e}", entry.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_lesson_file_is_in_the_index() {
    let dir = lessons_dir();
    let entries = index::parse(&read(&dir.join("index.txt"))).expect("index.txt parses");
    for file in std::fs::read_dir(&dir).expect("static/lessons exists").filter_map(Result::ok) {
        let name = file.file_name().to_string_lossy().to_string();
        if let Some(id) = name.strip_suffix(".md") {
            assert!(entries.iter().any(|e| e.id == id), "{name} is not in index.txt");
        }
    }
}

/// Runs `sandbox ARGS` and returns (exit code, stdout, stderr).
fn sandbox(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the sandbox binary runs");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).to_string();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

/// A folder with an index and one lesson file.
fn course(name: &str, lesson: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sandbox-lessons-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    std::fs::write(dir.join("index.txt"), "demo\tDemo\n").expect("write the index");
    std::fs::write(dir.join("demo.md"), lesson).expect("write the lesson");
    dir
}

const DEMO: &str = "---\nid: demo\ntitle: Demo\n---\nA demo.\n\n## Step: A namespace\nGoal: a namespace demo.\n\
                    Check: exists namespace/demo\nHint: kubectl create namespace demo\n\n```solution\n\
                    kubectl create namespace demo\n```\n";

#[test]
fn the_listing_is_id_steps_title_in_course_order() {
    let (code, out, err) = sandbox(&["lessons"]);
    assert_eq!(code, 0, "{err}");
    let first = out.lines().next().expect("a line per lesson");
    assert_eq!(first.split_whitespace().take(2).collect::<Vec<_>>(), ["tour", "4"]);
    assert!(first.ends_with("The architecture tour"), "{first}");
}

#[test]
fn a_teachers_typo_gets_its_file_line_and_reason() {
    let dir = course("typo", &DEMO.replace("exists namespace/demo", "exists namespce/demo"));
    let (code, _, err) = sandbox(&["lessons", "--check", dir.to_str().expect("a UTF-8 path")]);
    assert_eq!(code, 2);
    assert!(err.contains("demo.md:9: bad check: unknown kind \"namespce\""), "{err}");
}

#[test]
fn a_check_that_passes_before_its_solution_fails_the_lesson() {
    let dir = course("vacuous", &DEMO.replace("exists namespace/demo", "exists namespace/default"));
    let (code, out, _) = sandbox(&["lessons", "--check", dir.to_str().expect("a UTF-8 path")]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL  demo: step 1 (\"A namespace\"): its checks already pass before its solution ran"),
        "{out}"
    );
    assert!(out.lines().last().is_some_and(|l| l.contains("FAILED")), "{out}");
}

#[test]
fn a_good_course_ends_with_the_summary_line() {
    let dir = course("good", DEMO);
    let (code, out, err) = sandbox(&["lessons", "--check", dir.to_str().expect("a UTF-8 path")]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().last(),
        Some("lessons: 1 lessons, 1 steps: every check fails before its solution and passes after")
    );
}

#[test]
fn an_unknown_lesson_id_is_named() {
    let (code, _, err) = sandbox(&["lessons", "--check", "no-such-lesson"]);
    assert_eq!(code, 2);
    assert!(err.contains("no lesson \"no-such-lesson\" in static/lessons (known: tour, "), "{err}");
}
