//! The release site loads kubectl as a second wasm module on the first command: a first visit
//! does not download it, the first command fetches it and prints kubectl's answer, a module that
//! cannot be fetched is reported (in the terminal, or in the loading notice when a session needs it
//! to start) without stopping the page, a share link replays through it, and a crash inside it
//! stops kubectl only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;

use super::scenarios::{
    click, editor_error, gutter_errors, poll, run, shot, start, terminal_text, type_manifest, wait_for_app,
};
use super::{copy_dist, diagnose, e2e_dist, serve};

/// The URLs of every file the page has fetched so far.
const FETCHED_JS: &str = "return performance.getEntriesByType('resource').map(e => e.name);";

fn fetched_kubectl(site: &super::Site) -> Vec<String> {
    let names = site.session.execute(FETCHED_JS, vec![]).expect("the script runs");
    names
        .as_array()
        .expect("a list of URLs")
        .iter()
        .filter_map(|n| n.as_str())
        .filter(|n| n.contains("/kubectl/"))
        .map(str::to_string)
        .collect()
}

/// The built site (`E2E_DIST`), and a copy of it without the kubectl module in
/// `target/e2e-without-kubectl/<test>`; None when the end-to-end tests are skipped.
fn dist_without_kubectl(test: &'static str) -> Option<(PathBuf, PathBuf)> {
    let dist = e2e_dist(test)?;
    let without = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-without-kubectl").join(test);
    let _ = std::fs::remove_dir_all(&without);
    copy_dist(&dist, &without, &|path, bytes| {
        (!path.components().any(|c| c.as_os_str() == "kubectl")).then_some(bytes)
    });
    Some((dist, without))
}

#[test]
fn kubectl_is_fetched_on_the_first_command_only() {
    let Some(site) = start("kubectl_is_fetched_on_the_first_command_only") else {
        return;
    };
    assert_eq!(fetched_kubectl(&site), Vec::<String>::new(), "the first visit fetched the kubectl module");

    run(&site, "kubectl get nodes");
    let answered = poll(Duration::from_secs(20), || {
        terminal_text(&site).lines().any(|l| l.starts_with("sandbox-control-plane") && l.contains("Ready"))
    });
    shot(&site, "kubectl-module-first-command");
    assert!(answered, "kubectl get nodes was not answered:\n{}\n{}", terminal_text(&site), diagnose(&site));
    let text = terminal_text(&site);
    assert!(text.contains("Downloading kubectl"), "the terminal did not say kubectl was loading:\n{text}");
    let fetched = fetched_kubectl(&site);
    assert!(
        fetched.iter().any(|u| u.ends_with("_bg.wasm")) && fetched.iter().any(|u| u.ends_with(".js")),
        "fetched: {fetched:?}"
    );

    // Later commands use the loaded module: nothing more is fetched and nothing more is announced.
    run(&site, "kubectl get ns");
    let listed = poll(Duration::from_secs(10), || terminal_text(&site).contains("kube-system"));
    assert!(listed, "kubectl get ns was not answered:\n{}", terminal_text(&site));
    assert_eq!(fetched_kubectl(&site).len(), fetched.len(), "the module was fetched again");
    assert_eq!(terminal_text(&site).matches("Downloading kubectl").count(), 1);
}

#[test]
fn a_kubectl_module_that_cannot_be_fetched_is_reported_in_the_terminal() {
    let test = "a_kubectl_module_that_cannot_be_fetched_is_reported_in_the_terminal";
    let Some((dist, without)) = dist_without_kubectl(test) else { return };
    let site = serve(test, &without);
    site.session.goto(&site.url).expect("the page loads");
    wait_for_app(&site);
    run(&site, "kubectl get nodes");
    let reported = poll(Duration::from_secs(20), || terminal_text(&site).contains("kubectl could not be loaded"));
    shot(&site, "kubectl-module-missing");
    assert!(reported, "no error line:\n{}\n{}", terminal_text(&site), diagnose(&site));
    let text = terminal_text(&site);
    assert!(text.contains("Check the connection and run the command again"), "{text}");
    assert!(site.session.find("[data-testid=\"crash\"]").expect("finding works").is_none(), "the page crashed");
    assert!(site.session.find("[data-testid=\"diagram\"]").expect("finding works").is_some());

    // Once the module can be fetched (the connection is back), running the command again works.
    copy_dist(&dist.join("kubectl"), &without.join("kubectl"), &|_, bytes| Some(bytes));
    run(&site, "kubectl get nodes");
    let answered = poll(Duration::from_secs(20), || terminal_text(&site).contains("sandbox-control-plane"));
    shot(&site, "kubectl-module-fetched-on-retry");
    assert!(answered, "the retry was not answered:\n{}\n{}", terminal_text(&site), diagnose(&site));
}

/// A shared (or saved) session that replays kubectl commands cannot start without the module: the
/// loading notice gives that reason and offers to set the session aside, as for any failed start.
#[test]
fn a_saved_session_that_needs_an_unfetchable_kubectl_says_why_it_cannot_start() {
    let test = "a_saved_session_that_needs_an_unfetchable_kubectl_says_why_it_cannot_start";
    let Some((_, without)) = dist_without_kubectl(test) else { return };
    let site = serve(test, &without);
    let browser = &site.session;
    // The session comes in a share link (a running app would overwrite one put in localStorage).
    let shared = r#"{"version":1,"seed":1,"ops":[{"at":5,"op":"kubectl","line":"kubectl get pods"}],"now":10}"#;
    let link = format!("{}#s={}", site.url, base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(shared));
    browser.goto(&link).expect("the link opens");
    let failed = browser
        .wait_for("[data-testid=\"boot\"].boot-failed", super::APP_START)
        .unwrap_or_else(|e| panic!("the page never said why it could not start: {e}\n{}", diagnose(&site)));
    let text = super::normalise(&browser.text(&failed).expect("the notice has text"));
    shot(&site, "kubectl-module-missing-at-start");
    assert!(text.contains("the sandbox could not start: kubectl could not be loaded"), "the notice says: {text:?}");
    // The link is gone from the address bar, so the session was saved before kubectl was asked for:
    // a reload, or the fresh start that sets it aside, still has it.
    assert!(
        browser.find("[data-testid=\"boot-fresh-start\"]").expect("finding works").is_some(),
        "no fresh start offered"
    );
    let saved = browser
        .execute("return localStorage.getItem('k8s-sandbox/session/v1');", vec![])
        .expect("localStorage is readable");
    assert!(
        saved.as_str().is_some_and(|s| s.contains("kubectl get pods")),
        "the shared session was not saved: {saved}"
    );
}

/// A share link opened in a browser with nothing saved replays the shared commands: the page reads
/// the link once, fetches kubectl before the first render, and rebuilds the cluster.
#[test]
fn a_share_link_replays_its_kubectl_commands_in_a_fresh_browser() {
    let Some(site) = start("a_share_link_replays_its_kubectl_commands_in_a_fresh_browser") else {
        return;
    };
    let browser = &site.session;
    run(&site, "kubectl create deployment shared --image=nginx");
    assert!(
        poll(Duration::from_secs(20), || terminal_text(&site).contains("deployment.apps/shared created")),
        "the deployment was not created:\n{}",
        terminal_text(&site)
    );
    click(&site, "share");
    let mut link = String::new();
    assert!(
        poll(Duration::from_secs(5), || {
            link = terminal_text(&site).lines().find(|l| l.contains("#s=")).unwrap_or_default().trim().to_string();
            !link.is_empty()
        }),
        "no share link printed:\n{}",
        terminal_text(&site)
    );
    browser.execute("localStorage.clear();", vec![]).expect("localStorage clears");
    // Leave the page first: a URL that differs only in its fragment would not load it again.
    browser.goto("about:blank").expect("the page is left");
    browser.goto(&link).expect("the link opens");
    wait_for_app(&site);
    let text = terminal_text(&site);
    assert!(text.contains("Loaded a shared session (1 actions replayed)"), "the link was not replayed:\n{text}");
    run(&site, "kubectl get deployments");
    let listed = poll(Duration::from_secs(20), || terminal_text(&site).lines().any(|l| l.starts_with("shared ")));
    shot(&site, "kubectl-module-share-link");
    assert!(
        listed,
        "the shared deployment is not in the rebuilt cluster:\n{}\n{}",
        terminal_text(&site),
        diagnose(&site)
    );
}

/// A crash inside kubectl (a trap of its wasm, which is how the release build panics) stops kubectl
/// only: the terminal says so, no crash banner goes up, and the cluster keeps running. The crash is
/// staged by replacing the module's entry point with one that throws what a trap throws.
#[test]
fn a_crash_inside_kubectl_stops_kubectl_only() {
    let Some(site) = start("a_crash_inside_kubectl_stops_kubectl_only") else {
        return;
    };
    let browser = &site.session;
    run(&site, "kubectl get nodes");
    assert!(
        poll(Duration::from_secs(20), || terminal_text(&site).contains("sandbox-control-plane")),
        "{}",
        terminal_text(&site)
    );
    browser
        .execute(
            "window.k8sSandboxKubectl = Object.assign({}, window.k8sSandboxKubectl, \
             { execute: () => { throw new WebAssembly.RuntimeError('unreachable'); } });",
            vec![],
        )
        .expect("the script runs");
    run(&site, "kubectl get pods");
    let said =
        poll(Duration::from_secs(10), || terminal_text(&site).contains("kubectl stopped after an internal error"));
    shot(&site, "kubectl-module-crashed");
    assert!(said, "{}\n{}", terminal_text(&site), diagnose(&site));
    assert!(terminal_text(&site).contains("RuntimeError: unreachable"), "{}", terminal_text(&site));
    assert!(
        browser.find("[data-testid=\"crash\"]").expect("finding works").is_none(),
        "the page's crash banner went up"
    );
    // The cluster runs on: "+ Node" still adds a node to the diagram.
    click(&site, "add-node");
    let added = poll(Duration::from_secs(20), || {
        browser
            .execute("return document.querySelectorAll('[data-testid=node]').length;", vec![])
            .expect("the script runs")
            .as_u64()
            == Some(5)
    });
    assert!(added, "no fifth node after a kubectl crash\n{}", diagnose(&site));
}

/// A YAML error go-yaml gives no line for (one on a document's first line) is still marked in the
/// editor: the page asks kubectl's module where it is (`yaml_error_line`), since the YAML parser is
/// not in the page's own download. The failed Apply is what loaded the module.
#[test]
fn a_yaml_error_kubectl_gives_no_line_for_is_placed_by_the_kubectl_module() {
    let Some(site) = start("a_yaml_error_kubectl_gives_no_line_for_is_placed_by_the_kubectl_module") else {
        return;
    };
    let yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: yaml-error\n---\nmetadata: name: x\n";
    type_manifest(&site, yaml);
    click(&site, "apply");
    let shown = poll(Duration::from_secs(20), || editor_error(&site).is_some());
    shot(&site, "kubectl-module-yaml-error-line");
    assert!(shown, "no error under the editor\n{}", diagnose(&site));
    let text = editor_error(&site).unwrap_or_default();
    // kubectl's words name no line (go-yaml counts from the document, and gives none for its first).
    assert!(
        text.starts_with("Line 6: ")
            && text.ends_with("yaml: mapping values are not allowed in this context")
            && !text.contains("yaml: line"),
        "{text:?}"
    );
    assert!(!fetched_kubectl(&site).is_empty(), "the Apply did not load the kubectl module");
    assert_eq!(gutter_errors(&site), serde_json::json!(["6"]), "the gutter marks the wrong lines");
}
