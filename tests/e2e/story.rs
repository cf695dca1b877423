//! The story of a command in the browser: a command's hops appear beside the diagram as the clock
//! plays, and selecting one opens its message in the inspector and marks it on the diagram.

use std::time::Duration;

use super::diagnose;
use super::scenarios::{SETTLE, click, count, poll, run, shot, start};

/// The story's rows as (message id, text), read in one script call.
const HOPS_JS: &str = "return Array.from(document.querySelectorAll('[data-testid=story-hop]')) \
    .map(r => [r.dataset.messageId || '', r.textContent || '']);";

fn hops(site: &super::Site) -> Vec<(String, String)> {
    let found = site.session.execute(HOPS_JS, vec![]).expect("the script runs");
    let row =
        |r: &serde_json::Value| (r[0].as_str().unwrap_or_default().into(), r[1].as_str().unwrap_or_default().into());
    found.as_array().map(|all| all.iter().map(row).collect()).unwrap_or_default()
}

/// The inspector's text (it heads a message with `Message #id`).
fn inspector(site: &super::Site) -> String {
    let el =
        site.session.find("[data-testid=inspector]").expect("finding works").expect("the inspector is on the page");
    site.session.text(&el).expect("the inspector has text")
}

/// The names of the diagram's components marked as the selected message's ends.
fn marked(site: &super::Site) -> Vec<String> {
    let js =
        "return Array.from(document.querySelectorAll('[data-testid=component].hop-end')).map(c => c.dataset.name);";
    let found = site.session.execute(js, vec![]).expect("the script runs");
    found.as_array().into_iter().flatten().filter_map(|n| n.as_str().map(String::from)).collect()
}

#[test]
fn a_command_tells_its_story_beside_the_diagram() {
    let Some(site) = start("a_command_tells_its_story_beside_the_diagram") else {
        return;
    };
    click(&site, "story-tab");
    let hint = poll(Duration::from_secs(10), || {
        site.session
            .find("[data-testid=story]")
            .ok()
            .flatten()
            .and_then(|s| site.session.text(&s).ok())
            .is_some_and(|t| t.contains("Run a command"))
    });
    assert!(hint, "the story panel has no hint before a command\n{}", diagnose(&site));
    shot(&site, "story-panel-empty");

    run(&site, "kubectl create deployment web --image=nginx");
    click(&site, "speed-max");
    let told = poll(SETTLE, || {
        let h = hops(&site);
        h.len() >= 15 && h.iter().any(|(_, t)| t.contains("kube-scheduler chose"))
    });
    let h = hops(&site);
    assert!(told, "the story shows {} hops, none with the scheduler's choice: {h:#?}\n{}", h.len(), diagnose(&site));
    assert!(h[0].1.contains("kubectl → kube-apiserver"), "the story starts with kubectl's request: {:?}", h[0]);
    click(&site, "pause");

    // Next selects the first hop: the inspector opens its message, the diagram marks its ends.
    click(&site, "story-next");
    let first = &h[0].0;
    let opened = poll(Duration::from_secs(10), || inspector(&site).contains(&format!("Message #{first}")));
    assert!(opened, "Next did not open message {first}: {}\n{}", inspector(&site), diagnose(&site));
    let ends = marked(&site);
    assert!(ends.contains(&"kubectl".to_string()) && ends.contains(&"kube-apiserver".to_string()), "marked {ends:?}");
    assert_eq!(count(&site, "[data-testid=story-hop].selected"), 1);

    // Clicking the scheduler's hop selects it.
    let (id, _) = h.iter().find(|(_, t)| t.contains("kube-scheduler chose")).expect("found above").clone();
    let row = site
        .session
        .find(&format!("[data-testid=story-hop][data-message-id=\"{id}\"]"))
        .expect("finding works")
        .unwrap_or_else(|| panic!("no row for message {id}\n{}", diagnose(&site)));
    site.session.click(&row).expect("clicking works");
    let opened = poll(Duration::from_secs(10), || inspector(&site).contains(&format!("Message #{id}")));
    assert!(opened, "clicking the hop did not open message {id}: {}\n{}", inspector(&site), diagnose(&site));
    let ends = marked(&site);
    assert!(ends.contains(&"kube-scheduler".to_string()), "the scheduler's hop marks {ends:?}");
    assert_eq!(count(&site, "[data-testid=hop-path]"), 1, "the hop's path is drawn");
    shot(&site, "story-panel");
}
