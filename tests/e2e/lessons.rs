//! Lessons in the browser: a teacher's link opens a lesson, the learner completes steps by typing
//! the solution, sees them done, and keeps them over a reload; the embed view; a bad link.

use std::time::Duration;

use super::scenarios::{poll, run, shot, terminal_text, wait_for_app};
use super::{APP_START, Site, diagnose, open_site};

/// How long a step may take to be checked done at max speed (the machine may be loaded).
const STEP_DONE: Duration = Duration::from_secs(90);

fn count(site: &Site, css: &str) -> u64 {
    let script = format!("return document.querySelectorAll({}).length;", serde_json::json!(css));
    site.session.execute(&script, vec![]).expect("the script runs").as_u64().unwrap_or(0)
}

fn text_of(site: &Site, css: &str) -> String {
    site.session.find(css).expect("finding works").and_then(|e| site.session.text(&e).ok()).unwrap_or_default()
}

fn click_css(site: &Site, css: &str) {
    let el = site.session.find(css).expect("finding works").unwrap_or_else(|| panic!("no {css}\n{}", diagnose(site)));
    site.session.click(&el).expect("clicking works");
}

/// Opens the site at `fragment` (a lesson link) and waits for the app.
fn open_at(test: &'static str, fragment: &str) -> Option<Site> {
    let site = open_site(test)?;
    site.session.goto(&format!("{}{fragment}", site.url)).expect("the page loads");
    wait_for_app(&site);
    Some(site)
}

fn reload(site: &Site) {
    site.session.execute("location.reload();", vec![]).expect("the page reloads");
    // The old page's terminal may still answer for a moment: wait for the new page's first render.
    std::thread::sleep(Duration::from_millis(500));
    wait_for_app(site);
}

const DONE: &str = "[data-testid=lesson-step][data-done=true]";

#[test]
fn a_lesson_link_checks_steps_typed_in_the_terminal_and_keeps_them() {
    let Some(site) = open_at("a_lesson_link_checks_steps_typed_in_the_terminal_and_keeps_them", "#lesson=deployment")
    else {
        return;
    };
    let opened = poll(APP_START, || count(&site, "[data-testid=lesson][data-state=open]") == 1);
    assert!(opened, "the lesson link did not open the lesson\n{}", diagnose(&site));
    assert_eq!(count(&site, "[data-testid=lesson-step]"), 2, "the deployment lesson has two steps");
    assert_eq!(count(&site, DONE), 0, "nothing is done before the learner acts");
    // Help comes one hint at a time, then the solution.
    click_css(&site, "[data-testid=lesson-hint]");
    assert_eq!(count(&site, "[data-testid=lesson-hints] li"), 1);
    assert!(
        text_of(&site, "[data-testid=lesson-missing]").contains("Not yet"),
        "the current step says what is missing"
    );

    // 10x: fast enough, and slow enough that the messages of the commands that completed the steps
    // are still in the trace (it keeps the newest 20,000) for "What happened" below; at max speed
    // the clock runs hours ahead between two looks.
    site.session
        .execute(
            "const s = document.querySelector('[data-testid=speed]'); s.value = '10'; \
             s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![],
        )
        .expect("the script runs");
    run(&site, "kubectl create deployment web --image=nginx:1.25 --replicas=3");
    let first = poll(STEP_DONE, || count(&site, DONE) == 1);
    assert!(first, "step 1 was not marked done\n{}\n{}", text_of(&site, "[data-testid=lesson]"), diagnose(&site));
    run(&site, "kubectl scale deployment web --replicas=5");
    let second = poll(STEP_DONE, || count(&site, DONE) == 2);
    click_css(&site, "[data-testid=pause]");
    assert!(second, "step 2 was not marked done\n{}\n{}", text_of(&site, "[data-testid=lesson]"), diagnose(&site));
    assert_eq!(count(&site, "[data-testid=lesson-complete]"), 1, "the lesson says it is complete");
    assert_eq!(count(&site, "[data-testid=lesson-story]"), 2, "each done step points at its story");

    // "What happened" opens the story of the command that completed the step (the create, not the
    // last command) on the hop its message check found (the scheduler's binding), selected there
    // and in the inspector.
    click_css(&site, "[data-testid=lesson-story]");
    let id = site
        .session
        .execute("return document.querySelector('[data-testid=lesson-story]').dataset.message;", vec![])
        .expect("the script runs");
    let id = id.as_str().unwrap_or("?").to_string();
    let want = format!("Message #{id}");
    let shown = poll(Duration::from_secs(5), || text_of(&site, "[data-testid=inspector]").contains(&want));
    assert!(shown, "the inspector does not show {want}\n{}", diagnose(&site));
    let story = text_of(&site, "[data-testid=story]");
    assert!(story.contains("kubectl create deployment web"), "the story tab tells the create's story: {story}");
    let hop = text_of(&site, &format!("[data-testid=story-hop].selected[data-message-id='{id}']"));
    assert!(
        hop.contains("kube-scheduler → kube-apiserver") && hop.contains("/binding"),
        "the selected hop is the binding the step's check found: {hop:?}\n{}",
        diagnose(&site)
    );
    shot(&site, "lesson-panel");

    // A reload replays the session, the lesson's progress with it.
    reload(&site);
    let kept = poll(STEP_DONE, || count(&site, DONE) == 2);
    assert!(
        kept,
        "after a reload the steps are not done\n{}\n{}",
        text_of(&site, "[data-testid=lesson]"),
        diagnose(&site)
    );
    let menu_progress = site
        .session
        .execute("return localStorage.getItem('k8s-sandbox/lesson/deployment');", vec![])
        .expect("the script runs");
    assert_eq!(menu_progress.as_str(), Some("2/2"), "this browser keeps the lesson's progress");

    // The embed view: the lesson, the terminal and the diagram only.
    site.session
        .execute("location.hash = 'lesson=deployment&embed'; location.reload();", vec![])
        .expect("the page reloads");
    std::thread::sleep(Duration::from_millis(500));
    wait_for_app(&site);
    let embedded = poll(STEP_DONE, || count(&site, ".app.embed") == 1 && count(&site, DONE) == 2);
    assert!(embedded, "the embed view did not open the lesson\n{}", diagnose(&site));
    for (css, want) in [
        ("[data-testid=share]", 0),
        ("[data-testid=inspector]", 0),
        ("[data-testid=editor]", 0),
        ("[data-testid=diagram]", 1),
        ("[data-testid=terminal]", 1),
    ] {
        assert_eq!(count(&site, css), want, "{css} in the embed view\n{}", diagnose(&site));
    }
    shot(&site, "lesson-embed");
}

/// Every lesson of the course opened from its link, its panel saved as `lesson-<id>.png` (the
/// issue's note lists them): each parses in the browser, starts on a fresh cluster, and shows its
/// first step with nothing done.
#[test]
fn every_lesson_opens_from_its_link() {
    let Some(site) = open_at("every_lesson_opens_from_its_link", "") else {
        return;
    };
    let ids: Vec<&str> = include_str!("../../static/lessons/index.txt")
        .lines()
        .filter_map(|l| l.split('\t').next().filter(|id| !id.trim().is_empty() && !id.starts_with('#')))
        .collect();
    assert_eq!(ids.len(), 13, "the course's index lists its lessons");
    for id in ids {
        // A first visit by the teacher's link: no saved session (so no question before the fresh
        // start), and the address changed without a hashchange (the reload opens the lesson).
        let js = format!("localStorage.clear(); history.replaceState(null, '', '#lesson={id}'); location.reload();");
        site.session.execute(&js, vec![]).expect("the page reloads");
        std::thread::sleep(Duration::from_millis(500));
        wait_for_app(&site);
        let opened = poll(APP_START, || {
            count(&site, "[data-testid=lesson][data-state=open]") == 1 && count(&site, "[data-testid=lesson-step]") > 0
        });
        assert!(opened, "#lesson={id} did not open\n{}\n{}", text_of(&site, "[data-testid=lesson]"), diagnose(&site));
        assert_eq!(count(&site, DONE), 0, "{id}: nothing is done before the learner acts");
        shot(&site, &format!("lesson-{id}"));
    }
}

#[test]
fn an_unknown_lesson_says_so_and_the_rest_of_the_app_works() {
    let Some(site) = open_at("an_unknown_lesson_says_so_and_the_rest_of_the_app_works", "#lesson=nope") else {
        return;
    };
    let said = poll(APP_START, || text_of(&site, "[data-testid=lesson-error]").contains("There is no lesson \"nope\""));
    assert!(said, "no clear message for an unknown lesson\n{}", diagnose(&site));
    run(&site, "kubectl get nodes");
    let answered = poll(Duration::from_secs(30), || terminal_text(&site).contains("sandbox-worker"));
    assert!(answered, "the terminal does not answer next to a failed lesson\n{}", diagnose(&site));
    shot(&site, "lesson-unknown");
    // Closing the panel leaves the page as on a first visit.
    click_css(&site, "[data-testid=lesson-close]");
    assert_eq!(count(&site, "[data-testid=lesson]"), 0);

    // The Lessons menu lists the course (index.txt, fetched now). The learner has work (kubectl get
    // nodes), so starting a lesson asks first; saying no keeps the cluster and offers a Start button.
    click_css(&site, "[data-testid=lessons-button]");
    let listed = poll(Duration::from_secs(10), || count(&site, "[data-testid=lesson-item]") == 13);
    assert!(listed, "the Lessons menu does not list the 13 lessons\n{}", diagnose(&site));
    site.session.execute("window.confirm = () => false;", vec![]).expect("the script runs");
    click_css(&site, "[data-testid=lesson-item][data-id=tour]");
    let offered = poll(Duration::from_secs(10), || count(&site, "[data-testid=lesson][data-state=offered]") == 1);
    assert!(offered, "declining the fresh start should offer the lesson\n{}", diagnose(&site));
    assert!(terminal_text(&site).contains("sandbox-worker"), "the learner's terminal is kept");
    click_css(&site, "[data-testid=lesson-start]");
    let started = poll(Duration::from_secs(10), || {
        count(&site, "[data-testid=lesson][data-state=open]") == 1 && count(&site, "[data-testid=lesson-step]") == 4
    });
    assert!(started, "Start did not start the tour\n{}", diagnose(&site));
}
