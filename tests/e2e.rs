//! End to end: the release site (`make dist`) in headless Chromium, checked the way a person sees it.
//!
//! Skipped, with the reason printed, unless `E2E_DIST` names the built site: `make test` sets it,
//! plain `cargo test` never starts a browser. The site is served from a sub-path on a free loopback
//! port (proving its asset URLs are relative), Chromium is driven over WebDriver by chromedriver
//! (`CHROMEDRIVER`, default /usr/bin/chromedriver; `CHROME`, default /usr/bin/chromium), and
//! screenshots are saved under target/screenshots/.
#![cfg(not(target_arch = "wasm32"))]

// The Content-Security-Policy, and hostile text shown as text everywhere.
#[path = "e2e/content_security.rs"]
mod content_security;
// Autoscaling: the HPA walkthrough's php-apache scaled up under load, metrics-server's scrapes drawn.
#[path = "e2e/autoscaling.rs"]
mod autoscaling;
// Shared with tests/frame_bench.rs, which uses the DevTools parts this test does not.
#[allow(dead_code)]
#[path = "e2e/devtools.rs"]
mod devtools;
// Lessons: a lesson link, steps checked as the learner types, progress over a reload, embed, bad links.
#[path = "e2e/lessons.rs"]
mod lessons;
// The editor explains the field on the cursor's line (kubectl explain, fetched then).
#[path = "e2e/field_doc.rs"]
mod field_doc;
// The kubectl module: fetched on the first command, and what a learner sees when it cannot be.
#[path = "e2e/kubectl_module.rs"]
mod kubectl_module;
// Ingress: ingress-nginx from kind's guide, a curl through it drawn to the backend and back.
#[path = "e2e/ingress.rs"]
mod ingress;
// The data plane: a wget's packets drawn hop by hop, and the kube-proxy rules they matched.
#[path = "e2e/packets.rs"]
mod packets;
#[path = "e2e/portforward.rs"]
mod portforward;
#[path = "e2e/protocol.rs"]
mod protocol;
#[path = "e2e/scenarios.rs"]
mod scenarios;
// The story of a command beside the diagram.
// An interactive shell (`kubectl exec -it POD -- sh`) in the terminal.
#[path = "e2e/shell.rs"]
mod shell;
#[path = "e2e/static_server.rs"]
mod static_server;
// Storage: a provisioned claim seen Bound from its pod's volume badge.
#[path = "e2e/storage.rs"]
mod storage;
#[path = "e2e/story.rs"]
mod story;
#[path = "e2e/webdriver.rs"]
mod webdriver;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use static_server::StaticServer;
use webdriver::{ChromeDriver, Session};

/// What the diagram must name on first visit: every component of the Kubernetes architecture.
const COMPONENTS: [&str; 8] = [
    "kube-apiserver",
    "etcd",
    "kube-scheduler",
    "kube-controller-manager",
    "cloud-controller-manager",
    "kubelet",
    "kube-proxy",
    "container runtime",
];

/// The `data-testid` hooks the page must offer (the handles later tests drive).
const HOOKS: [&str; 6] = ["diagram", "terminal", "terminal-input", "editor", "inspector", "time-controls"];

/// How long the page may take to download and start the wasm (a cold headless start is slow).
const APP_START: Duration = Duration::from_secs(30);

/// A browser looking at the served site. Field order matters: the session quits before the driver.
struct Site {
    session: Session,
    test: &'static str,
    _driver: ChromeDriver,
    _server: StaticServer,
    url: String,
}

/// Serves `E2E_DIST` and opens it in a fresh headless Chromium, or returns None (test skipped).
fn open_site(test: &'static str) -> Option<Site> {
    let dist = e2e_dist(test)?;
    Some(serve(test, &dist))
}

/// The built site, or None (with the reason printed) when E2E_DIST is not set.
fn e2e_dist(test: &'static str) -> Option<PathBuf> {
    let Some(dist) = std::env::var_os("E2E_DIST").map(PathBuf::from) else {
        // Written straight to stderr, which the test harness does not capture, so the reason shows.
        let _ =
            writeln!(std::io::stderr(), "{test}: skipped: E2E_DIST is not set (`make test` builds dist/ and sets it)");
        return None;
    };
    assert!(
        dist.join("index.html").is_file(),
        "E2E_DIST={} has no index.html: build it with `make dist`",
        dist.display()
    );
    Some(dist)
}

/// Serves `dist` from a sub-path and opens a fresh headless Chromium on it.
fn serve(test: &'static str, dist: &Path) -> Site {
    // A failure picture from an earlier run would mislead: only this run's may exist.
    let _ = std::fs::remove_file(failure_screenshot(test));
    let server = StaticServer::start(dist, "any/sub/path").expect("binding a loopback port works");
    let chromedriver = env_path("CHROMEDRIVER", "/usr/bin/chromedriver");
    let chrome = env_path("CHROME", "/usr/bin/chromium");
    let driver = ChromeDriver::start(&chromedriver).unwrap_or_else(|e| panic!("{e} (install: make test)"));
    let session = Session::start(&driver, &chrome).unwrap_or_else(|e| panic!("{e}"));
    let url = server.url.clone();
    Site { session, test, _driver: driver, _server: server, url }
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default))
}

fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots").join(format!("{name}.png"))
}

fn failure_screenshot(test: &str) -> PathBuf {
    screenshot_path(&format!("failure-{test}"))
}

/// What the page looks like when something is wrong: a screenshot, the console and the body's HTML.
fn diagnose(site: &Site) -> String {
    let browser = &site.session;
    let png = failure_screenshot(site.test);
    let saved = match browser.screenshot(&png) {
        Ok(()) => format!("screenshot: {}", png.display()),
        Err(e) => format!("no screenshot: {e}"),
    };
    let console = match browser.browser_log() {
        Ok(lines) => lines.iter().map(|l| format!("  {} {}", l.level, l.message)).collect::<Vec<_>>().join("\n"),
        Err(e) => format!("  unreadable: {e}"),
    };
    let body = browser
        .execute("return document.body ? document.body.outerHTML : '(no body)'", vec![])
        .map(|v| v.as_str().unwrap_or_default().chars().take(2000).collect::<String>())
        .unwrap_or_else(|e| format!("unreadable: {e}"));
    format!("{saved}\nbrowser console:\n{console}\nbody: {body}")
}

/// Lower-cased, whitespace-collapsed text: what a reader matches, whatever the line breaks.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The components whose names are not (yet) in `text`.
fn missing_components(text: &str) -> Vec<&'static str> {
    let text = normalise(text);
    COMPONENTS.into_iter().filter(|c| !text.contains(c)).collect()
}

#[test]
fn first_visit_shows_every_component_and_panel() {
    let Some(site) = open_site("first_visit_shows_every_component_and_panel") else {
        return;
    };
    let browser = &site.session;
    eprintln!("e2e: opening {}", site.url);
    browser.goto(&site.url).expect("the page loads");
    assert_eq!(browser.title().expect("the page has a title"), "Kubernetes Architecture Sandbox");

    let diagram = browser
        .wait_for("[data-testid=\"diagram\"]", APP_START)
        .unwrap_or_else(|e| panic!("the app never rendered its diagram: {e}\n{}", diagnose(&site)));
    // The diagram may fill in after the first frame: poll its visible text for a little while.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = browser.text(&diagram).expect("the diagram has text");
    while !missing_components(&seen).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        seen = browser.text(&diagram).expect("the diagram has text");
    }

    // Screenshots before the assertions, so a failure leaves a picture of what went wrong.
    let page_png = screenshot_path("first-visit");
    browser.screenshot(&page_png).expect("saving the page screenshot");
    // Best effort: an empty (zero-height) diagram cannot be photographed, and the checks below
    // say what is wrong with it more clearly than the screenshot error would.
    if let Err(e) = browser.element_screenshot(&diagram, &screenshot_path("diagram")) {
        eprintln!("e2e: no diagram screenshot: {e}");
    }
    eprintln!("e2e: screenshots in {}", page_png.parent().expect("a file has a parent").display());

    let missing = missing_components(&seen);
    assert!(missing.is_empty(), "the diagram does not show {missing:?}; it shows: {seen:?}");
    assert!(browser.is_displayed(&diagram).expect("visibility is known"), "the diagram is hidden");

    // index.html's "Starting a simulated cluster" notice is gone once the app is up.
    assert!(
        browser.find("[data-testid=\"boot\"]").expect("finding works").is_none(),
        "the loading notice is still on the page after the app started"
    );

    let absent: Vec<_> = HOOKS
        .into_iter()
        .filter(|hook| browser.find(&format!("[data-testid=\"{hook}\"]")).expect("finding works").is_none())
        .collect();
    assert!(absent.is_empty(), "the page has no data-testid hooks {absent:?}");

    // A panic in the wasm (or any script error) shows up as a SEVERE console line.
    let errors: Vec<_> = browser
        .browser_log()
        .expect("the console can be read")
        .into_iter()
        .filter(|line| line.level == "SEVERE")
        .map(|line| line.message)
        .collect();
    assert!(errors.is_empty(), "the browser console has errors: {errors:#?}");
}

/// A page whose wasm cannot start (here: the download is cut short, as by a dropped connection)
/// says so where the learner is looking, instead of "Starting" for ever.
#[test]
fn a_page_whose_wasm_cannot_start_says_why() {
    let test = "a_page_whose_wasm_cannot_start_says_why";
    let Some(dist) = e2e_dist(test) else { return };
    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-broken-dist");
    let _ = std::fs::remove_dir_all(&broken);
    std::fs::create_dir_all(&broken).expect("target/ is writable");
    copy_dist(&dist, &broken, &|path, mut bytes| {
        if path.extension().is_some_and(|e| e == "wasm") {
            bytes.truncate(bytes.len() / 2);
        }
        Some(bytes)
    });
    let site = serve(test, &broken);
    let browser = &site.session;
    browser.goto(&site.url).expect("the page loads");
    let failed = browser
        .wait_for("[data-testid=\"boot\"].boot-failed", APP_START)
        .unwrap_or_else(|e| panic!("the page never said the app could not start: {e}\n{}", diagnose(&site)));
    let text = normalise(&browser.text(&failed).expect("the notice has text"));
    browser.screenshot(&screenshot_path("wasm-cannot-start")).expect("saving the screenshot");
    assert!(
        text.contains("kubernetes architecture sandbox") && text.contains("the sandbox could not start:"),
        "the notice says: {text:?}"
    );
    assert!(
        browser.find("[data-testid=\"diagram\"]").expect("finding works").is_none(),
        "a diagram rendered from a broken wasm"
    );
    assert!(
        browser.find("[data-testid=\"boot-fresh-start\"]").expect("finding works").is_none(),
        "a fresh start is offered with no saved session to set aside"
    );

    // With a session saved in this browser, the notice offers to set it aside and start fresh
    // (what a learner needs if replaying their save is what fails, on every reload).
    let saved = r#"{"version":1,"seed":3,"ops":[],"now":10}"#;
    browser
        .execute("localStorage.setItem('k8s-sandbox/session/v1', arguments[0]);", vec![saved.into()])
        .expect("localStorage is writable");
    browser.goto(&site.url).expect("the page loads again");
    let fresh = browser
        .wait_for("[data-testid=\"boot-fresh-start\"]", APP_START)
        .unwrap_or_else(|e| panic!("no fresh start offered: {e}\n{}", diagnose(&site)));
    browser.screenshot(&screenshot_path("wasm-cannot-start-with-a-saved-session")).expect("saving the screenshot");
    browser.click(&fresh).expect("the button clicks");
    let storage = browser
        .execute(
            "return [localStorage.getItem('k8s-sandbox/session/v1'), localStorage.getItem('k8s-sandbox/session/set-aside')];",
            vec![],
        )
        .expect("localStorage is readable");
    assert_eq!(storage, serde_json::json!([null, saved]), "the save was not set aside");
}

/// What `copy_dist` does to a file: its new content, or None to leave it out.
type Alter<'a> = &'a dyn Fn(&Path, Vec<u8>) -> Option<Vec<u8>>;

/// Copies the site at `from` into `to`, passing each file through `alter`.
fn copy_dist(from: &Path, to: &Path, alter: Alter) {
    std::fs::create_dir_all(to).expect("target/ is writable");
    for entry in std::fs::read_dir(from).expect("the site is readable") {
        let path = entry.expect("the site lists").path();
        let Some(name) = path.file_name() else { continue };
        if path.is_dir() {
            copy_dist(&path, &to.join(name), alter);
        } else if let Some(bytes) = alter(&path, std::fs::read(&path).expect("the site's files are readable")) {
            std::fs::write(to.join(name), bytes).expect("target/ is writable");
        }
    }
}

/// The tops of the node boxes, in page pixels, in the order the diagram draws them.
const NODE_TOPS_JS: &str = "return Array.from(document.querySelectorAll('[data-testid=node] .node-frame rect')) \
    .map(r => Math.round(r.getBoundingClientRect().top));";

#[test]
fn the_default_cluster_fits_in_one_row_at_1280x720() {
    let Some(site) = open_site("the_default_cluster_fits_in_one_row_at_1280x720") else {
        return;
    };
    let browser = &site.session;
    browser.goto(&site.url).expect("the page loads");
    browser.set_viewport(1280, 720).expect("the window can be resized");
    browser
        .wait_for("[data-testid=\"node\"]", APP_START)
        .unwrap_or_else(|e| panic!("no node was drawn: {e}\n{}", diagnose(&site)));
    // The diagram lays itself out again after the resize event.
    let deadline = Instant::now() + Duration::from_secs(10);
    let tops = loop {
        let tops = browser.execute(NODE_TOPS_JS, vec![]).expect("the script runs");
        let tops: Vec<i64> = tops.as_array().into_iter().flatten().filter_map(|t| t.as_i64()).collect();
        if (tops.len() == 4 && tops.iter().all(|t| *t == tops[0])) || Instant::now() >= deadline {
            break tops;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // The panel's inner size (without scroll bars, to a fraction of a pixel) and the drawing's.
    let sizes = browser
        .execute(
            "const d = document.querySelector('.diagram-scroll'); const r = d.getBoundingClientRect(); \
             const s = d.querySelector('svg').getBoundingClientRect(); \
             return [r.width - (d.offsetWidth - d.clientWidth), r.height - (d.offsetHeight - d.clientHeight), s.width, s.height];",
            vec![],
        )
        .expect("the script runs");
    let size = |i: usize| sizes[i].as_f64().unwrap_or(f64::NAN);
    eprintln!(
        "e2e: at 1280x720 the diagram panel is {:.1}x{:.1}, the drawing {:.1}x{:.1}; node tops {tops:?}",
        size(0),
        size(1),
        size(2),
        size(3)
    );
    browser.screenshot(&screenshot_path("first-visit-1280x720")).expect("saving the screenshot");
    assert_eq!(tops.len(), 4, "a fresh cluster has four nodes\n{}", diagnose(&site));
    assert!(tops.iter().all(|t| *t == tops[0]), "the nodes wrap into more than one row: tops {tops:?}");
    assert!(
        size(2) <= size(0) + 0.01 && size(3) <= size(1) + 0.01,
        "the drawing overflows its panel (scroll bars): {sizes}"
    );
}

#[test]
fn missing_components_lists_exactly_the_absent_names() {
    // Guards the visibility check above against passing on any text, or failing on layout.
    assert_eq!(missing_components(""), COMPONENTS.to_vec());
    let all = "KUBE-APISERVER\netcd kube-scheduler  kube-controller-manager cloud-controller-manager \
               kubelet kube-proxy Container\nRuntime";
    assert!(missing_components(all).is_empty());
    assert_eq!(missing_components(&all.replace("kube-proxy", "")), vec!["kube-proxy"]);
}
