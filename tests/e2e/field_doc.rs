//! The manifest editor explains the field on the cursor's line with `kubectl explain`'s description,
//! fetching kubectl and the API documentation only then (a first visit downloads neither).

use std::time::Duration;

use serde_json::Value;

use super::diagnose;
use super::scenarios::{poll, shot, start};

/// The URLs of the files the page has fetched that `part` names.
fn fetched(site: &super::Site, part: &str) -> usize {
    let names = site
        .session
        .execute("return performance.getEntriesByType('resource').map(e => e.name);", vec![])
        .expect("the script runs");
    names.as_array().map_or(0, |all| all.iter().filter(|n| n.as_str().is_some_and(|n| n.contains(part))).count())
}

fn field_doc(site: &super::Site) -> String {
    let js = "const d = document.querySelector('[data-testid=field-doc]'); return d ? d.textContent : '';";
    site.session.execute(js, vec![]).expect("the script runs").as_str().unwrap_or_default().to_string()
}

#[test]
fn the_editor_explains_the_field_under_the_cursor() {
    let Some(site) = start("the_editor_explains_the_field_under_the_cursor") else {
        return;
    };
    assert_eq!(fetched(&site, "descriptions-v1.33"), 0, "a first visit fetched the API documentation");
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n";
    // The text, then the cursor on `replicas:` (line 6), as a click there would put it.
    let script = "const t = document.querySelector('[data-testid=editor] textarea'); \
                  t.value = arguments[0]; t.dispatchEvent(new InputEvent('input', {bubbles: true})); \
                  t.focus(); const at = t.value.indexOf('replicas') + 2; t.setSelectionRange(at, at); \
                  t.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: 'ArrowDown'}));";
    site.session.execute(script, vec![Value::from(yaml)]).expect("the script runs");
    let shown = poll(Duration::from_secs(30), || field_doc(&site).contains("Number of desired pods"));
    let text = field_doc(&site);
    assert!(shown, "the editor does not explain spec.replicas: {text:?}\n{}", diagnose(&site));
    assert!(text.starts_with("replicas <integer>"), "{text}");
    assert_eq!(fetched(&site, "descriptions-v1.33"), 1, "the documentation is fetched once, on the first field");
    shot(&site, "editor-field-doc");

    // Another field is explained from what is already there; a misspelt one says so, as kubectl does.
    let script = "const t = document.querySelector('[data-testid=editor] textarea'); \
                  t.value = t.value.replace('replicas', 'replicaz'); t.dispatchEvent(new InputEvent('input', {bubbles: true})); \
                  const at = t.value.indexOf('replicaz'); t.setSelectionRange(at, at); \
                  t.dispatchEvent(new MouseEvent('click', {bubbles: true}));";
    site.session.execute(script, vec![]).expect("the script runs");
    let said = poll(Duration::from_secs(10), || field_doc(&site).contains("field \"replicaz\" does not exist"));
    assert!(said, "a misspelt field is not reported: {:?}", field_doc(&site));
    assert_eq!(fetched(&site, "descriptions-v1.33"), 1, "the documentation was fetched again");
}
