//! The lesson parser: a good file, and every way a teacher's file can be wrong, each with its line.

use super::*;

const GOOD: &str = "---
id: demo
title: A demo
summary: One step.
---
# A demo

Intro prose.

```setup
kubectl create namespace demo
```

## Step: Make a Deployment
Goal: a Deployment web with 2 Running pods.
Try: `kubectl create deployment web --image=nginx --replicas=2`
Check: exists deployment/web
Check: count pods -l app=web where status.phase == Running >= 2
Explain: the pods of web are not Running yet
Hint: Deployments are made with kubectl create.
Hint: kubectl create deployment web --image=nginx --replicas=2
Wait: 90s

Prose about the step.

```yaml
Check: this is yaml in the prose, not a check
```

```solution
kubectl create deployment web --image=nginx --replicas=2
sleep 10s
```
";

#[test]
fn a_good_lesson_parses_whole() {
    let lesson = parse(GOOD).expect("the example lesson parses");
    assert_eq!((lesson.id.as_str(), lesson.title.as_str(), lesson.summary.as_str()), ("demo", "A demo", "One step."));
    assert_eq!(lesson.intro, "# A demo\n\nIntro prose.");
    assert_eq!(lesson.setup.len(), 1);
    let step = &lesson.steps[0];
    assert_eq!((step.title.as_str(), step.line), ("Make a Deployment", 14));
    assert_eq!(step.goal, "a Deployment web with 2 Running pods.");
    assert_eq!(step.tries.len(), 1);
    assert_eq!(step.checks.len(), 2);
    assert_eq!(step.checks[1].line, 18);
    assert_eq!(step.checks[1].explain.as_deref(), Some("the pods of web are not Running yet"));
    assert_eq!(step.hints.len(), 2);
    assert_eq!(step.wait_ms, 90_000);
    assert_eq!(step.solution.len(), 2);
    assert!(step.text.contains("Check: this is yaml"), "fenced prose stays prose: {:?}", step.text);
}

/// Replaces the first `from` in the good lesson.
fn broken(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from:?} is in the example");
    GOOD.replacen(from, to, 1)
}

#[test]
fn every_mistake_names_its_line_and_reason() {
    let cases: Vec<(String, usize, &str)> = vec![
        ("no front matter".into(), 1, "starts with front matter"),
        ("---\nid: demo\ntitle: A demo\n".into(), 1, "closing `---` is missing"),
        (broken("id: demo\n", ""), 4, "id: is missing"),
        (broken("title: A demo\n", ""), 4, "title: is missing"),
        (broken("summary: One step.", "summary One step."), 4, "expected `key: value`"),
        (broken("summary:", "author:"), 4, "unknown front matter key \"author\""),
        (broken("id: demo", "id: Demo Lesson"), 2, "lower-case letters"),
        (broken("```setup", "```setup\nkubectl get pods\n```\n```setup"), 13, "a second setup block"),
        (broken("## Step: Make a Deployment", "## Step:"), 14, "empty ## Step: heading"),
        (
            broken("## Step: Make a Deployment\n", "Hint: too early\n## Step: Make a Deployment\n"),
            14,
            "Hint: belongs in a step",
        ),
        (broken("Goal: a Deployment", "Goal: one\nGoal: a Deployment"), 16, "a second Goal:"),
        (broken("Check: exists deployment/web", "Check: exists deploymnet/web"), 17, "unknown kind \"deploymnet\""),
        (broken("Check: exists deployment/web", "Check: exist deployment/web"), 17, "unknown check \"exist\""),
        (broken("where status.phase ==", "where status..phase =="), 18, "empty name"),
        (
            broken("Check: exists deployment/web", "Check: message kube-schedular -> kube-apiserver POST pods"),
            17,
            "bad check: unknown component \"kube-schedular\"",
        ),
        (broken("Check: exists deployment/web", "Check: message kube-scheduler kube-apiserver"), 17, "FROM -> TO"),
        (broken("Check: exists deployment/web\n", "Explain: nothing\n"), 17, "follows a Check: line"),
        (broken("Explain: the pods", "Explain: once\nExplain: the pods"), 20, "a second Explain:"),
        (broken("Wait: 90s", "Wait: a while"), 22, "Wait: needs a duration"),
        (broken("Wait: 90s", "Wait:"), 22, "empty line after its key"),
        (broken("sleep 10s", "sleep 10 seconds"), 32, "invalid duration"),
        (broken("sleep 10s", "kubectl apply -f - <<EOF"), 32, "heredoc <<EOF is not closed"),
        (broken("sleep 10s", "stop node"), 32, "expected `stop node NAME`"),
        (broken("sleep 10s", "helm install web"), 32, "only `kubectl ...`"),
        (broken("```solution", "```solution\n```\n```solution"), 32, "a second solution block in one step"),
        (broken("sleep 10s\n```\n", "sleep 10s\n"), 30, "never closed"),
        (
            broken(
                "Hint: Deployments are made with kubectl create.\nHint: kubectl create deployment web --image=nginx --replicas=2\n",
                "",
            ),
            14,
            "has no Hint:",
        ),
        (broken("Goal: a Deployment web with 2 Running pods.\n", ""), 14, "has no Goal:"),
        (
            broken("```solution\nkubectl create deployment web --image=nginx --replicas=2\nsleep 10s\n```\n", ""),
            14,
            "has no ```solution block",
        ),
        (GOOD.split("## Step").next().expect("the intro").to_string(), 13, "at least one `## Step"),
    ];
    for (text, line, want) in cases {
        let e = parse(&text).expect_err(want);
        assert!(e.to_string().contains(want), "want {want:?}, got {e}");
        assert_eq!(e.line, line, "{want}: {e}");
    }
}

#[test]
fn a_setup_after_the_first_step_is_refused() {
    let text = broken("```solution", "```setup\n```\n```solution");
    let e = parse(&text).expect_err("setup in a step");
    assert_eq!((e.line, e.reason), (30, Reason::SetupAfterSteps));
}

#[test]
fn a_solution_before_any_step_is_refused() {
    let text = broken("```setup", "```solution");
    assert_eq!(parse(&text).map_err(|e| e.line), Err(10));
}
