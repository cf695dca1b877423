//! The release site's Content-Security-Policy (scripts/csp.py) holds, and hostile text a learner
//! pastes or types is shown as text everywhere the page shows it: the terminal, the editor's error,
//! the inspector's YAML, the diagram's message labels and the timeline's tooltips.
//!
//! Every payload would set `window.pwned` if it ever ran. The page is checked two ways, so that each
//! defence is tested on its own: the DOM holds no element made from a payload (the text was rendered
//! as text, whatever the policy), and an inline script the test injects itself is refused (the
//! policy is in force, whatever the rendering).

use std::time::Duration;

use serde_json::{Value, json};

use super::diagnose;
use super::scenarios::{click, poll, run, shot, start, terminal_text};

const IMG: &str = "<img src=x onerror=window.pwned=1>";
const SCRIPT: &str = "<script>window.pwned=2</script>";
const LINK: &str = "javascript:window.pwned=3";

/// Collects the policy violations the page reports from now on, in `window.violations`.
const LISTEN_JS: &str = "window.pwned = 0; window.violations = []; \
    document.addEventListener('securitypolicyviolation', e => \
        window.violations.push([e.violatedDirective, e.blockedURI, e.sample || '']));";

/// What the page's DOM holds that a payload would have made, were it parsed as HTML.
const MADE_JS: &str = "return { \
    pwned: window.pwned, \
    imgs: document.querySelectorAll('img').length, \
    scripts: Array.from(document.scripts).filter(s => s.textContent.includes('pwned')).length, \
    links: Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes) \
        .some(a => a.value.trim().toLowerCase().startsWith('javascript:'))).length };";

fn js(site: &super::Site, script: &str, args: Vec<Value>) -> Value {
    site.session.execute(script, args).unwrap_or_else(|e| panic!("the script runs: {e}\n{}", diagnose(site)))
}

/// Puts `yaml` in the editor and presses Apply.
fn apply(site: &super::Site, yaml: &str) {
    let set = "const t = document.querySelector('[data-testid=editor] textarea'); t.value = arguments[0]; \
               t.dispatchEvent(new InputEvent('input', {bubbles: true}));";
    js(site, set, vec![Value::from(yaml)]);
    click(site, "apply");
}

/// The text of every element matching `css`, and of its `title` attribute, in one string.
fn texts(site: &super::Site, css: &str) -> String {
    let script = "return Array.from(document.querySelectorAll(arguments[0])) \
                  .map(e => e.textContent + ' ' + (e.getAttribute('title') || '')).join('\\n');";
    js(site, script, vec![Value::from(css)]).as_str().unwrap_or_default().to_string()
}

#[test]
fn the_policy_holds_and_hostile_text_stays_text() {
    let Some(site) = start("the_policy_holds_and_hostile_text_stays_text") else {
        return;
    };
    // The policy: first in <head>, only the site's own scripts and wasm, nothing remote.
    let policy = js(
        &site,
        "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); \
         return m ? [m.content, m === document.head.querySelector('meta:not([charset])')] : null;",
        vec![],
    );
    let policy_text = policy[0].as_str().unwrap_or_else(|| panic!("the page has no policy\n{}", diagnose(&site)));
    assert_eq!(policy[1], json!(true), "the policy must come before anything it governs");
    let script_src = policy_text.split(';').map(str::trim).find(|d| d.starts_with("script-src ")).unwrap_or("");
    assert!(script_src.contains("'self'") && script_src.contains("'wasm-unsafe-eval'"), "{policy_text}");
    for forbidden in ["'unsafe-inline'", "'unsafe-eval'", "http:", "https:", "*"] {
        assert!(!script_src.contains(forbidden), "script-src allows {forbidden}: {policy_text}");
    }
    assert!(policy_text.contains("default-src 'none'"), "{policy_text}");
    // Starting the page broke no rule (Chromium logs each refusal to the console).
    let refused: Vec<String> = site
        .session
        .browser_log()
        .expect("the log is readable")
        .into_iter()
        .map(|l| l.message)
        .filter(|m| m.contains("Content Security Policy"))
        .collect();
    assert_eq!(refused, Vec::<String>::new(), "the page broke its own policy while starting");
    js(&site, LISTEN_JS, vec![]);

    // The editor: a pod whose annotation holds every payload (seen again in the inspector below), and
    // a name that is not a valid name, quoted back by the apiserver in the editor's error.
    apply(
        &site,
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hostile\n  annotations:\n    note: '{IMG} {SCRIPT} {LINK}'\n\
         spec:\n  containers:\n  - name: web\n    image: nginx\n"
        ),
    );
    let created = poll(Duration::from_secs(30), || texts(&site, ".editor-status.ok").contains("hostile"));
    assert!(created, "the hostile pod was not created: {:?}\n{}", texts(&site, ".editor-status"), diagnose(&site));
    apply(&site, &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"{IMG}\"\n"));
    let error = poll(Duration::from_secs(10), || texts(&site, ".editor-status.error").contains(IMG));
    assert!(error, "the editor's error does not show the name as text: {:?}", texts(&site, ".editor-status"));

    // The terminal: each command echoed, and kubectl's error naming the object.
    run(&site, &format!("kubectl get pod \"{IMG}\""));
    run(&site, &format!("kubectl get configmap \"{SCRIPT}\""));
    run(&site, &format!("kubectl get pod \"{LINK}\""));
    let answered =
        poll(Duration::from_secs(30), || terminal_text(&site).contains(&format!("pods \"{LINK}\" not found")));
    assert!(answered, "kubectl did not answer:\n{}\n{}", terminal_text(&site), diagnose(&site));
    let terminal = terminal_text(&site);
    assert!(terminal.contains(&format!("pods \"{IMG}\" not found")), "{terminal}");
    assert!(terminal.contains(SCRIPT), "the terminal does not show {SCRIPT:?} as text:\n{terminal}");

    // The inspector: the pod's live YAML, annotation and all.
    let chip = "[data-testid=pod][data-name=hostile]";
    let shown = poll(Duration::from_secs(20), || site.session.find(chip).ok().flatten().is_some());
    assert!(shown, "the hostile pod never showed in the diagram\n{}", diagnose(&site));
    let pod = site.session.find(chip).expect("finding works").expect("shown above");
    site.session.click(&pod).expect("clicking works");
    let inspector = || texts(&site, "[data-testid=inspector]");
    let inspected = poll(Duration::from_secs(10), || [IMG, SCRIPT, LINK].iter().all(|p| inspector().contains(p)));
    assert!(inspected, "the inspector does not show the annotation as text: {}\n{}", inspector(), diagnose(&site));

    // The timeline's tooltips name each command; the diagram's labels name the messages in flight.
    let markers = texts(&site, "[data-testid=timeline-marker]");
    assert!(markers.contains(IMG) && markers.contains(SCRIPT), "timeline tooltips: {markers}");
    run(&site, &format!("kubectl get pod \"{IMG}\""));
    // The label names the request's path, where the name may be escaped: look for a word of it.
    let labelled = poll(Duration::from_secs(10), || texts(&site, "[data-testid=message] title").contains("onerror"));
    shot(&site, "hostile-text-stays-text");
    assert!(labelled, "no message label showed the request for the hostile name\n{}", diagnose(&site));

    // Nothing was made from a payload, and nothing ran.
    let made = js(&site, MADE_JS, vec![]);
    assert_eq!(made, json!({"pwned": 0, "imgs": 0, "scripts": 0, "links": 0}), "{}", diagnose(&site));

    // The policy is in force: an inline script added to the page does not run, and is reported.
    js(
        &site,
        "const s = document.createElement('script'); s.textContent = 'window.pwned = 9'; \
               document.body.appendChild(s);",
        vec![],
    );
    let reported = poll(Duration::from_secs(5), || js(&site, "return window.violations.length", vec![]) != json!(0));
    let state = js(&site, "return [window.pwned, window.violations];", vec![]);
    assert!(reported, "an injected inline script was not refused: {state}");
    assert_eq!(state[0], json!(0), "an injected inline script ran: {state}");
    let violations = state[1].as_array().expect("a list");
    assert_eq!(violations.len(), 1, "only the injected script may be refused: {state}");
    assert_eq!(violations[0][1], json!("inline"), "{state}");
}
