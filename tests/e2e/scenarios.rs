//! Browser scenarios: what a learner does (kubectl in the terminal, a manifest in the editor, a node
//! powered off, a reload), checked through the page's `data-testid` hooks, each leaving a screenshot.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{APP_START, Site, diagnose, open_site, screenshot_path};

/// How long (real time) a scenario may wait for the cluster to settle at max speed: generous,
/// because the test machine may be loaded, but bounded so a stuck cluster fails instead of hanging.
pub(super) const SETTLE: Duration = Duration::from_secs(90);

/// The WebDriver key code for Enter.
const ENTER: &str = "\u{E007}";

/// Every pod chip in the diagram as (pod name, phase, node name, status), read in one script call.
const PODS_JS: &str = "return Array.from(document.querySelectorAll('[data-testid=node]')).flatMap(n => \
    Array.from(n.querySelectorAll('[data-testid=pod]')).map(p => \
    [p.dataset.name || '', p.dataset.phase || '', n.dataset.name || '', p.dataset.status || '']));";

#[derive(Debug, Clone, PartialEq)]
struct PodChip {
    name: String,
    phase: String,
    node: String,
    /// What kubectl's STATUS column says, e.g. Terminating for a deleted pod still Running.
    status: String,
}

/// Opens the site and waits until the app answers in its terminal.
pub(super) fn start(test: &'static str) -> Option<Site> {
    let site = open_site(test)?;
    site.session.goto(&site.url).expect("the page loads");
    wait_for_app(&site);
    Some(site)
}

pub(super) fn wait_for_app(site: &Site) {
    site.session
        .wait_for("[data-testid=\"terminal-input\"]", APP_START)
        .unwrap_or_else(|e| panic!("the app never rendered its terminal: {e}\n{}", diagnose(site)));
}

fn hook(site: &Site, id: &str) -> super::webdriver::Element {
    site.session
        .find(&format!("[data-testid=\"{id}\"]"))
        .expect("finding works")
        .unwrap_or_else(|| panic!("no data-testid={id}\n{}", diagnose(site)))
}

/// Types a command into the terminal and presses Enter.
pub(super) fn run(site: &Site, command: &str) {
    let input = hook(site, "terminal-input");
    site.session.send_keys(&input, &format!("{command}{ENTER}")).expect("typing works");
}

pub(super) fn click(site: &Site, id: &str) {
    site.session.click(&hook(site, id)).expect("clicking works");
}

fn pods(site: &Site) -> Vec<PodChip> {
    let found = site.session.execute(PODS_JS, vec![]).expect("the script runs");
    found
        .as_array()
        .map(|all| {
            all.iter()
                .map(|p| {
                    let field = |i: usize| p[i].as_str().unwrap_or_default().to_string();
                    PodChip { name: field(0), phase: field(1), node: field(2), status: field(3) }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `web` deployment's pods that the diagram shows Running (and not Terminating).
fn running_web(site: &Site) -> Vec<PodChip> {
    pods(site)
        .into_iter()
        .filter(|p| p.name.starts_with("web-") && p.phase == "Running" && p.status == "Running")
        .collect()
}

/// Polls `check` until it holds or `timeout` passes; returns whether it held.
pub(super) fn poll(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub(super) fn count(site: &Site, css: &str) -> u64 {
    site.session
        .execute(&format!("return document.querySelectorAll('{css}').length;"), vec![])
        .expect("the script runs")
        .as_u64()
        .unwrap_or(0)
}

pub(super) fn terminal_text(site: &Site) -> String {
    site.session.text(&hook(site, "terminal")).expect("the terminal has text")
}

pub(super) fn shot(site: &Site, name: &str) {
    let png = screenshot_path(name);
    site.session.screenshot(&png).expect("saving the screenshot");
    eprintln!("e2e: screenshot {}", png.display());
}

/// Clicks a component of the diagram (e.g. `etcd`) to open it in the inspector.
fn open_component(site: &Site, name: &str) {
    let component = site
        .session
        .find(&format!("[data-testid=component][data-name={name}]"))
        .expect("finding works")
        .unwrap_or_else(|| panic!("no {name} in the diagram\n{}", diagnose(site)));
    site.session.click(&component).expect("clicking works");
}

/// Waits for `css` to show, scrolls `scroll_to` into view, saves a screenshot and returns the text.
fn read_and_shoot(site: &Site, css: &str, scroll_to: &str, shot_name: &str) -> String {
    let found = site
        .session
        .wait_for(css, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{css} never showed: {e}\n{}", diagnose(site)));
    let text = site.session.text(&found).expect("the element has text");
    site.session
        .execute(&format!("document.querySelector('{scroll_to}').scrollIntoView();"), vec![])
        .expect("the script runs");
    shot(site, shot_name);
    text
}

/// Creates the `web` deployment, watches a message fly, then runs at max speed until 3 pods run.
fn deploy_web(site: &Site) {
    run(site, "kubectl create deployment web --image=nginx --replicas=3");
    let flew = poll(Duration::from_secs(20), || count(site, "[data-testid=message]") > 0);
    assert!(flew, "no message was ever seen in flight\n{}", diagnose(site));
    click(site, "speed-max");
    let ran = poll(SETTLE, || running_web(site).len() == 3);
    assert!(ran, "the diagram never showed 3 Running web pods: {:?}\n{}", pods(site), diagnose(site));
}

#[test]
fn deployment_runs_three_pods_and_survives_a_reload() {
    let Some(site) = start("deployment_runs_three_pods_and_survives_a_reload") else {
        return;
    };
    deploy_web(&site);
    run(&site, "kubectl get pods");
    let listed = |text: &str| text.lines().filter(|l| l.starts_with("web-") && l.contains("Running")).count();
    let shown = poll(Duration::from_secs(10), || listed(&terminal_text(&site)) == 3);
    shot(&site, "scenario-deployment-running");
    assert!(shown, "kubectl get pods did not list 3 Running pods:\n{}", terminal_text(&site));

    site.session.goto(&site.url).expect("the page reloads");
    wait_for_app(&site);
    click(&site, "speed-max");
    let back = poll(SETTLE, || running_web(&site).len() == 3);
    shot(&site, "scenario-after-reload");
    assert!(back, "after a reload the diagram shows {:?}\n{}", pods(&site), diagnose(&site));
}

#[test]
fn a_message_opens_in_the_inspector_with_its_content() {
    let Some(site) = start("a_message_opens_in_the_inspector_with_its_content") else {
        return;
    };
    deploy_web(&site);
    open_component(&site, "kube-apiserver");
    // Paused, the list of its latest messages holds still under the click.
    click(&site, "pause");
    let first = "[data-testid=recent-message]";
    let listed = poll(Duration::from_secs(10), || count(&site, first) > 0);
    assert!(listed, "the kube-apiserver lists no recent message\n{}", diagnose(&site));
    let message = site.session.find(first).expect("finding works").expect("counted above");
    site.session.click(&message).expect("clicking works");
    let content = "[data-testid=message-content]";
    let text = read_and_shoot(&site, content, content, "scenario-message-content");
    let kind = site
        .session
        .execute("return document.querySelector('.message-view').dataset.kind;", vec![])
        .expect("the script runs");
    // Each kind of message shows the fields its wire format has, as YAML.
    let starts = match kind.as_str().unwrap_or_default() {
        "request" => vec!["body:\n", "query:\n", "request: "],
        "response" => vec!["body:\n"],
        "watch" => vec!["object:\n"],
        "etcd" => vec!["txn:\n", "range:\n", "header:\n", "leaseGrant:\n", "compact:\n"],
        "etcd-watch" => vec!["events:\n"],
        other => panic!("the kube-apiserver sent or received a {other:?} message:\n{text}"),
    };
    assert!(
        starts.iter().any(|s| text.starts_with(s)),
        "a {kind} message should start with one of {starts:?}:\n{text}"
    );
}

#[test]
fn etcd_shows_its_keys_and_a_key_shows_what_its_last_revision_changed() {
    let Some(site) = start("etcd_shows_its_keys_and_a_key_shows_what_its_last_revision_changed") else {
        return;
    };
    deploy_web(&site);
    // Paused, so that compaction (every 5 virtual minutes) cannot drop the revision before this one.
    click(&site, "pause");
    run(&site, "kubectl scale deployment web --replicas=4");
    let scaled = poll(Duration::from_secs(10), || terminal_text(&site).contains("deployment.apps/web scaled"));
    assert!(scaled, "kubectl scale did not answer:\n{}", terminal_text(&site));
    open_component(&site, "etcd");
    let filter = site
        .session
        .wait_for(".etcd-view .filter", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("etcd shows no key filter: {e}\n{}", diagnose(&site)));
    // The default namespace's: kube-system has the coredns Deployment, as on kind.
    site.session.send_keys(&filter, "/registry/deployments/default/").expect("typing works");
    let key = "[data-testid=etcd-key][data-key=\"/registry/deployments/default/web\"]";
    let listed =
        poll(Duration::from_secs(10), || count(&site, key) == 1 && count(&site, "[data-testid=etcd-key]") == 1);
    assert!(listed, "the filter should leave only the web Deployment's key\n{}", diagnose(&site));
    shot(&site, "scenario-etcd-keys");
    let row = site.session.find(key).expect("finding works").expect("counted above");
    site.session.click(&row).expect("clicking works");
    let text =
        read_and_shoot(&site, "[data-testid=last-change]", "[data-testid=key-history]", "scenario-etcd-last-change");
    assert!(
        text.lines().any(|l| l.starts_with("- ") && l.ends_with("replicas: 3"))
            && text.lines().any(|l| l.starts_with("+ ") && l.ends_with("replicas: 4")),
        "the last change shows replicas going from 3 to 4:\n{text}"
    );
}

#[test]
fn on_a_phone_the_page_fits_its_width_and_keeps_every_region() {
    let Some(site) = start("on_a_phone_the_page_fits_its_width_and_keeps_every_region") else {
        return;
    };
    // An iPhone 14's viewport in CSS pixels.
    site.session.set_viewport(390, 844).expect("resizing works");
    site.session.goto(&site.url).expect("the page reloads");
    wait_for_app(&site);
    deploy_web(&site);
    shot(&site, "phone");
    let overflow = site
        .session
        .execute("return document.documentElement.scrollWidth - window.innerWidth;", vec![])
        .expect("the script runs");
    assert!(
        overflow.as_i64().is_some_and(|px| px <= 0),
        "the page is {overflow} px wider than a phone's screen\n{}",
        diagnose(&site)
    );
    for region in ["diagram", "terminal-input", "editor", "time-controls"] {
        let shown = site.session.is_displayed(&hook(&site, region)).expect("asking works");
        assert!(shown, "{region} is not displayed on a phone\n{}", diagnose(&site));
    }
}

/// Puts `yaml` in the manifest editor, as typing it would.
pub(super) fn type_manifest(site: &Site, yaml: &str) {
    let script = "const t = document.querySelector('[data-testid=editor] textarea'); \
                  t.value = arguments[0]; \
                  t.dispatchEvent(new InputEvent('input', {bubbles: true})); return t.value;";
    let set = site.session.execute(script, vec![Value::from(yaml)]).expect("the script runs");
    assert_eq!(set.as_str(), Some(yaml));
}

/// The error under the editor, if one is shown.
pub(super) fn editor_error(site: &Site) -> Option<String> {
    let script = "const s = document.querySelector('.editor-status.error'); return s ? s.textContent : null;";
    site.session.execute(script, vec![]).expect("the script runs").as_str().map(str::to_string)
}

/// The line numbers the editor's gutter marks as wrong.
pub(super) fn gutter_errors(site: &Site) -> Value {
    let script = "return Array.from(document.querySelectorAll('.gutter span.error')).map(s => s.textContent.trim());";
    site.session.execute(script, vec![]).expect("the script runs")
}

#[test]
fn a_broken_manifest_shows_its_error_at_its_line() {
    let Some(site) = start("a_broken_manifest_shows_its_error_at_its_line") else {
        return;
    };
    // Line 5 is indented deeper than its siblings: a YAML syntax error at line 5.
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
    type_manifest(&site, yaml);
    click(&site, "apply");
    let shown = poll(Duration::from_secs(10), || editor_error(&site).is_some());
    shot(&site, "scenario-broken-manifest");
    assert!(shown, "no error under the editor\n{}", diagnose(&site));
    let text = editor_error(&site).unwrap_or_default();
    assert!(text.starts_with("Line 5: "), "the error names no line 5: {text:?}");
    assert_eq!(gutter_errors(&site), serde_json::json!(["5"]), "the gutter marks the wrong lines");
    assert!(pods(&site).iter().all(|p| p.name != "x"), "a broken manifest created a pod");
}

#[test]
fn a_powered_off_node_has_its_pods_replaced_elsewhere() {
    let Some(site) = start("a_powered_off_node_has_its_pods_replaced_elsewhere") else {
        return;
    };
    deploy_web(&site);
    let victim = running_web(&site)[0].node.clone();
    let lost: Vec<String> = running_web(&site).into_iter().filter(|p| p.node == victim).map(|p| p.name).collect();
    // The node's frame opens it in the inspector; a plain click on the group could land on a pod.
    let opened = site
        .session
        .execute(
            "const n = Array.from(document.querySelectorAll('[data-testid=node]')).find(n => n.dataset.name === arguments[0]); \
             if (!n) return false; \
             n.querySelector('.node-frame').dispatchEvent(new MouseEvent('click', {bubbles: true})); return true;",
            vec![Value::from(victim.clone())],
        )
        .expect("the script runs");
    assert_eq!(opened, Value::Bool(true), "no node {victim} in the diagram");
    let toggle = site
        .session
        .wait_for("[data-testid=\"toggle-node\"]", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("the inspector offers no power button: {e}\n{}", diagnose(&site)));
    let label = site.session.text(&toggle).expect("the button has text");
    assert!(label.contains("Power off"), "the button says {label:?}");
    site.session.click(&toggle).expect("clicking works");
    click(&site, "speed-max");

    let replaced = poll(SETTLE, || {
        let now = running_web(&site);
        now.iter().filter(|p| p.node != victim && !lost.contains(&p.name)).count() == 3
    });
    shot(&site, "scenario-node-powered-off");
    assert!(
        replaced,
        "after powering off {victim}, its pods {lost:?} were not replaced: {:?}\n{}",
        pods(&site),
        diagnose(&site)
    );
}

/// The ReplicaSet a pod belongs to, from its name (`web-rollout-5c94f75b5d-6kmcs` → `web-rollout-5c94f75b5d`).
fn replicaset_of(pod: &str) -> &str {
    pod.rsplit_once('-').map_or(pod, |(rs, _)| rs)
}

#[test]
fn the_rolling_update_preset_swaps_the_pods_in_the_diagram() {
    let Some(site) = start("the_rolling_update_preset_swaps_the_pods_in_the_diagram") else {
        return;
    };
    click(&site, "presets-button");
    let item = site
        .session
        .wait_for("[data-testid=presets] [data-testid=preset][data-name=rolling-update]", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("the Presets menu has no rolling update: {e}\n{}", diagnose(&site)));
    assert_eq!(count(&site, "[data-testid=preset]"), 4, "four presets are offered");
    shot(&site, "scenario-presets-menu");
    site.session.click(&item).expect("clicking works");
    let closed = poll(Duration::from_secs(5), || count(&site, "[data-testid=preset]") == 0);
    assert!(closed, "the menu stays open after a preset is picked");

    let created = "kubectl create deployment web-rollout --image=nginx:1.26 --replicas=4";
    let typed = poll(Duration::from_secs(10), || terminal_text(&site).contains(created));
    assert!(typed, "the preset's first command is not in the terminal:\n{}", terminal_text(&site));
    assert!(terminal_text(&site).contains("Rolling update: "), "the preset says what to watch");
    // 10×: fast enough to get on, slow enough to see both ReplicaSets' pods side by side.
    site.session
        .execute(
            "const s = document.querySelector('[data-testid=speed]'); s.value = '10'; \
             s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![],
        )
        .expect("the script runs");

    let set_image = "kubectl set image deployment/web-rollout nginx=nginx:1.27";
    let updated = poll(SETTLE, || terminal_text(&site).contains(set_image));
    assert!(updated, "the preset never ran its second step:\n{}\n{}", terminal_text(&site), diagnose(&site));
    let text = terminal_text(&site);
    let rolled = text.find("deployment \"web-rollout\" successfully rolled out");
    assert!(
        rolled.is_some_and(|at| at < text.find(set_image).unwrap_or(0)),
        "the image changed before the first rollout was done:\n{text}"
    );

    let web = |site: &Site| pods(site).into_iter().filter(|p| p.name.starts_with("web-rollout-")).collect::<Vec<_>>();
    let both = poll(Duration::from_secs(30), || {
        let now = web(&site);
        now.iter().any(|p| replicaset_of(&p.name) != replicaset_of(&now[0].name))
    });
    shot(&site, "scenario-preset-rolling-update-swapping");
    assert!(both, "the diagram never showed old and new pods together: {:?}", web(&site));
    click(&site, "speed-max");

    // The end: 4 Running pods, all of one ReplicaSet, and nothing left of the other.
    let swapped = poll(SETTLE, || {
        let now = web(&site);
        now.len() == 4
            && now.iter().all(|p| p.status == "Running")
            && now.iter().all(|p| replicaset_of(&p.name) == replicaset_of(&now[0].name))
    });
    shot(&site, "scenario-preset-rolling-update-done");
    assert!(swapped, "the diagram never settled on 4 new pods: {:?}\n{}", web(&site), diagnose(&site));
    let new_rs = replicaset_of(&web(&site)[0].name).to_string();

    run(&site, "kubectl get rs");
    let rows = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("web-rollout-"))
            .map(|l| l.split_whitespace().take(4).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    let listed = poll(Duration::from_secs(10), || rows(&terminal_text(&site)).len() == 2);
    assert!(listed, "kubectl get rs does not list two ReplicaSets:\n{}", terminal_text(&site));
    let rows = rows(&terminal_text(&site));
    assert!(rows.contains(&format!("{new_rs} 4 4 4")), "the new ReplicaSet {new_rs} is not at 4 ready: {rows:?}");
    assert!(
        rows.iter().any(|r| !r.starts_with(&new_rs) && r.ends_with(" 0 0 0")),
        "the old ReplicaSet is not at 0: {rows:?}"
    );
}

/// The pods kind runs on the default four-node cluster before any workload: four static pods, two
/// CoreDNS, a kube-proxy and a kindnet on every node and metrics-server (kube-system), and the
/// local-path-provisioner (local-path-storage).
const KUBE_SYSTEM_PODS: u64 = 4 + 2 + 4 + 4 + 1 + 1;

#[test]
fn sixty_pods_aggregate_into_one_chip_per_node() {
    let Some(site) = start("sixty_pods_aggregate_into_one_chip_per_node") else {
        return;
    };
    run(&site, "kubectl create deployment many --image=nginx --replicas=60");
    click(&site, "speed-max");
    // Pods with a chip of their own, and what the aggregate chips count, on every node.
    let tally = |site: &Site| -> (usize, u64, Vec<String>) {
        // Every Running pod with a chip of its own, kube-system's included: the aggregates count them too.
        let shown = pods(site).iter().filter(|p| p.status == "Running").count();
        let found = site
            .session
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=node] [data-testid=pod-aggregate]')).map(a => [a.dataset.count, a.dataset.statuses]);",
                vec![],
            )
            .expect("the script runs");
        let chips: Vec<(u64, String)> = found
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|a| {
                        (
                            a[0].as_str().and_then(|c| c.parse().ok()).unwrap_or(0),
                            a[1].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        (shown, chips.iter().map(|c| c.0).sum(), chips.into_iter().map(|c| c.1).collect())
    };
    let settled = poll(SETTLE, || {
        let (shown, counted, statuses) = tally(&site);
        shown as u64 + counted == 60 + KUBE_SYSTEM_PODS
            && statuses.iter().all(|s| s.starts_with("Running=") && !s.contains(' '))
    });
    shot(&site, "scenario-sixty-pods");
    let (shown, counted, statuses) = tally(&site);
    assert!(
        settled,
        "{shown} chips + {counted} counted != 60 + {KUBE_SYSTEM_PODS} Running pods ({statuses:?})\n{}",
        diagnose(&site)
    );
    assert!(!statuses.is_empty(), "no node aggregates its pods");
    let per_node = site
        .session
        .execute(
            "return Math.max(...Array.from(document.querySelectorAll('[data-testid=node]')).map(n => n.querySelectorAll('[data-testid=pod]').length));",
            vec![],
        )
        .expect("the script runs");
    assert!(per_node.as_u64().is_some_and(|n| n <= 8), "a node draws {per_node} pod chips");
}

/// WebDriver key codes for Home and End.
const HOME: &str = "\u{E011}";
const END: &str = "\u{E010}";

/// The timeline's status line (Live, or which moment of the past is shown).
fn timeline_status(site: &Site) -> String {
    site.session.text(&hook(site, "timeline-status")).expect("the status has text")
}

/// Presses the timeline with the pointer at `x` (viewport px), as a click on the track does.
fn press_timeline_at(site: &Site, x: f64) {
    let script = "const t = document.querySelector('[data-testid=timeline]'); \
                  const r = t.getBoundingClientRect(); const y = r.top + r.height / 2; \
                  for (const type of ['pointerdown', 'pointerup']) { \
                    t.dispatchEvent(new PointerEvent(type, {clientX: arguments[0], clientY: y, button: 0, \
                      pointerId: 1, isPrimary: true, bubbles: true})); } return true;";
    site.session.execute(script, vec![Value::from(x)]).expect("the script runs");
}

/// The create command's marker: its centre, and the track's left edge and width (viewport px).
const MARKER_GEOMETRY: &str = "const m = Array.from(document.querySelectorAll('[data-testid=timeline-marker]')) \
       .find(m => m.title.includes('kubectl create deployment web')); \
     if (!m) return null; const r = m.getBoundingClientRect(); \
     const track = document.querySelector('.timeline-track').getBoundingClientRect(); \
     return [r.left + r.width / 2, track.left, track.width];";

#[test]
fn the_timeline_shows_the_cluster_before_a_command_and_back_to_now() {
    let Some(site) = start("the_timeline_shows_the_cluster_before_a_command_and_back_to_now") else {
        return;
    };
    // The cluster boots for 12 virtual seconds (kubeadm's startup probes) and the page opens just after:
    // let a few seconds pass first, so that "before the command" is a moment of its own on the track.
    let clock = || site.session.text(&hook(&site, "clock")).unwrap_or_default();
    let later = poll(Duration::from_secs(30), || clock().as_str() >= "00:16");
    assert!(later, "the clock did not reach 00:16: {}\n{}", clock(), diagnose(&site));
    deploy_web(&site);
    click(&site, "pause");
    // The command is marked on the timeline, titled with what was typed.
    let marker = site.session.execute(MARKER_GEOMETRY, vec![]).expect("the script runs");
    let [center, left, width] = [0, 1, 2].map(|i| marker[i].as_f64().unwrap_or(f64::NAN));
    assert!(center.is_finite(), "no timeline marker for the create command\n{}", diagnose(&site));
    assert!(width > 200.0, "the timeline track is too narrow to use: {width} px\n{}", diagnose(&site));

    // How long a rebuild takes in the browser: a press at 90% of the session replays 90% of it.
    let end = site
        .session
        .execute(
            "return Number(document.querySelector('[data-testid=timeline]').getAttribute('aria-valuemax'));",
            vec![],
        )
        .expect("the script runs")
        .as_f64()
        .unwrap_or_default();
    let started = Instant::now();
    press_timeline_at(&site, left + 0.9 * width);
    while !timeline_status(&site).starts_with("Viewing the past") && started.elapsed() < SETTLE {
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!(
        "e2e: rewinding to {:.0} s of a {:.0} s session took {} ms (30 ms of it letting the status paint)",
        0.9 * end / 1000.0,
        end / 1000.0,
        started.elapsed().as_millis()
    );

    // Pointer: a press just left of the marker rebuilds the cluster as it was before the command. The
    // marker is measured again: viewing the past, the row shows its status and Back to now, so the
    // track is narrower than it was live.
    let marker = site.session.execute(MARKER_GEOMETRY, vec![]).expect("the script runs");
    let [center, left] = [0, 1].map(|i| marker[i].as_f64().unwrap_or(f64::NAN));
    press_timeline_at(&site, (center - 3.0).max(left));
    let rewound = poll(Duration::from_secs(30), || {
        timeline_status(&site).starts_with("Viewing the past")
            && pods(&site).iter().all(|p| !p.name.starts_with("web-"))
    });
    shot(&site, "scenario-timeline-past");
    assert!(
        rewound,
        "before the command the diagram still shows {:?}, status {:?}\n{}",
        pods(&site),
        timeline_status(&site),
        diagnose(&site)
    );
    let text = terminal_text(&site);
    assert!(
        text.contains("Viewing the past at") && !text.contains("deployment.apps/web created"),
        "the terminal is not the one of the past:\n{text}"
    );

    // Keyboard: End on the focused timeline returns to the present, its pods still Running.
    let timeline = hook(&site, "timeline");
    site.session.send_keys(&timeline, END).expect("typing works");
    let back = poll(SETTLE, || timeline_status(&site) == "Live" && running_web(&site).len() == 3);
    shot(&site, "scenario-timeline-now");
    assert!(
        back,
        "End did not return to the present: {:?}, status {:?}\n{}",
        pods(&site),
        timeline_status(&site),
        diagnose(&site)
    );

    // Home goes to the start; the Back to now button returns again.
    site.session.send_keys(&timeline, HOME).expect("typing works");
    let start = poll(Duration::from_secs(30), || running_web(&site).is_empty());
    assert!(start, "Home did not rewind: {:?}\n{}", pods(&site), diagnose(&site));
    click(&site, "back-to-now");
    let again = poll(SETTLE, || running_web(&site).len() == 3);
    assert!(again, "Back to now did not return: {:?}\n{}", pods(&site), diagnose(&site));
    assert_eq!(timeline_status(&site), "Live");
}

/// After the app has started, a crash of the wasm (a RuntimeError: the release build traps on a
/// panic) puts up a banner saying the page stopped; a script error that is not the wasm's does not.
/// The errors are dispatched the way the browser delivers an uncaught exception, since the app has
/// no way to crash on purpose.
#[test]
fn a_wasm_crash_after_start_puts_up_a_banner() {
    let Some(site) = start("a_wasm_crash_after_start_puts_up_a_banner") else {
        return;
    };
    let browser = &site.session;
    let raise = |error: &str| {
        let script = format!(
            "window.dispatchEvent(new ErrorEvent('error', {{ error: {error}, message: 'Uncaught ' + {error} }}));"
        );
        browser.execute(&script, vec![]).expect("the script runs");
    };
    raise("new TypeError('x is undefined')");
    assert!(
        browser.find("[data-testid=\"crash\"]").expect("finding works").is_none(),
        "an error that is not the wasm's put up the crash banner"
    );
    raise("new WebAssembly.RuntimeError('unreachable')");
    let banner = browser
        .wait_for("[data-testid=\"crash\"]", Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("no crash banner: {e}\n{}", diagnose(&site)));
    let text = super::normalise(&browser.text(&banner).expect("the banner has text"));
    shot(&site, "wasm-crash-banner");
    assert!(
        text.contains("the sandbox stopped") && text.contains("unreachable") && text.contains("reload the page"),
        "the banner says: {text:?}"
    );
}
