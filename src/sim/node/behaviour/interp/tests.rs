use super::super::timeline;
use super::*;

fn run(script: &str) -> Exec<'static> {
    // Leaked so that the shell can hold it for 'static; a few bytes per test.
    let ctx: &'static Ctx<'static> = Box::leak(Box::new(Ctx { hostname: "web-1", busybox: true, ..Ctx::default() }));
    let mut env = BTreeMap::new();
    env.insert("NAME".to_string(), "world".to_string());
    let mut ex = Exec::new(ctx, env);
    ex.run_script(script);
    ex
}

fn logs(ex: &Exec<'_>) -> Vec<String> {
    ex.steps.iter().filter_map(|s| if let Step::Log(l) = s { Some(timeline::render(l, 0, 0)) } else { None }).collect()
}

#[test]
fn echo_sleep_exit() {
    let ex = run("echo \"Hello $NAME!\" && sleep 5 && exit 42");
    assert_eq!(logs(&ex), vec!["Hello world!"]);
    assert_eq!(ex.steps[1], Step::Sleep(5000));
    assert_eq!(ex.end, Some(End::Exit(42)));
}

/// bash arrays, as the docs' Indexed Job picks its word: `items=(...)` and `${items[$I]}`.
#[test]
fn bash_arrays_assign_and_index() {
    let ex =
        run("I=2\nitems=(foo bar baz qux)\necho ${items[$I]} ${items[0]} $items\necho ${items[@]}\necho [${items[9]}]");
    assert_eq!(logs(&ex), vec!["baz foo foo", "foo bar baz qux", "[]"]);
    let ex = run("items=(a b)\nitems=(c)\necho ${items[*]}");
    assert_eq!(logs(&ex), vec!["c"], "a new assignment replaces the whole array");
    let ex = run("x=(unclosed");
    assert!(ex.end.is_some() || logs(&ex).is_empty(), "a syntax error, never a panic");
}

#[test]
fn while_true_with_counter_becomes_a_loop() {
    let ex = run("i=0; while true; do echo \"$i: $(date)\"; i=$((i+1)); sleep 1; done");
    let Some(End::Loop(body)) = &ex.end else { panic!("loop expected, got {:?}", ex.end) };
    assert_eq!(body[0], Step::Log(Line(vec![Piece::Counter(0), Piece::Text(": ".into()), Piece::Date])));
    assert_eq!(body[1], Step::Sleep(1000));
}

#[test]
fn bounded_loops_unroll() {
    let ex = run("i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done; echo done");
    assert_eq!(logs(&ex), vec!["0", "1", "2", "done"]);
    assert_eq!(ex.end, None);
    let ex = run("for i in 1 2 3; do echo item $i; done");
    assert_eq!(logs(&ex), vec!["item 1", "item 2", "item 3"]);
    let ex = run("for i in {1..3}; do echo $i; done");
    assert_eq!(logs(&ex), vec!["1", "2", "3"]);
}

#[test]
fn loops_without_progress_run_forever() {
    let ex = run("while [ ! -f /tmp/ready ]; do echo waiting; sleep 2; done");
    assert!(matches!(&ex.end, Some(End::Loop(b)) if b.contains(&Step::Sleep(2000))), "{:?}", ex.end);
}

#[test]
fn files_tests_and_errexit() {
    let ex = run(
        "touch /tmp/healthy; [ -f /tmp/healthy ] && echo yes; rm -f /tmp/healthy; [ -f /tmp/healthy ] || echo gone",
    );
    assert_eq!(logs(&ex), vec!["yes", "gone"]);
    let ex = run("set -e; cat /nope; echo unreachable");
    assert_eq!(logs(&ex), vec!["cat: can't open '/nope': No such file or directory"]);
    assert_eq!(ex.end, Some(End::Exit(1)));
    let ex = run("false || echo recovered; false && echo never; echo end");
    assert_eq!(logs(&ex), vec!["recovered", "end"]);
}

#[test]
fn redirects_write_files_not_logs() {
    let ex = run("echo logging > /opt/logs.txt; echo visible; echo hidden >/dev/null 2>&1");
    assert_eq!(logs(&ex), vec!["visible"]);
    assert_eq!(ex.files.get("/opt/logs.txt"), Some(&Some("logging\n".to_string())));
}

#[test]
fn if_elif_else() {
    let ex = run("x=2; if [ $x -eq 1 ]; then echo one; elif [ $x -eq 2 ]; then echo two; else echo other; fi");
    assert_eq!(logs(&ex), vec!["two"]);
}

#[test]
fn syntax_error_exits_2() {
    let ex = run("while true; do echo");
    assert_eq!(ex.end, Some(End::Exit(2)));
    assert!(logs(&ex)[0].starts_with("sh: syntax error"));
}

#[test]
fn endless_output_stays_within_budget() {
    let ex = run("for i in $(seq 1 100000); do echo $i; done");
    assert!(ex.steps.len() <= STEP_BUDGET + 10, "{}", ex.steps.len());
}
