//! The frame-time benchmark: the release site in headless Chromium with 20 nodes, 300 pods and
//! hundreds of real trace messages in flight, timed in the page with requestAnimationFrame.
//!
//! A benchmark, not a test: `make bench-frames` builds `dist/`, sets `BENCH_DIST` and runs it; it
//! prints figures and asserts nothing about speed. Without `BENCH_DIST` (plain `cargo test`) it says
//! it is skipped. The cluster is built the way a learner would build it: "+ Node" until there are
//! `BENCH_NODES` nodes (at max speed), then `kubectl create deployment` with `BENCH_PODS` replicas
//! typed into the terminal (at `BENCH_LEAD_SPEED`). Its burst of creates, binds and watch events
//! puts the messages on the wire; once `BENCH_IN_FLIGHT` of them are drawn the speed is set to
//! `BENCH_SPEED` and frames are recorded for `BENCH_SECONDS`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "e2e/devtools.rs"]
mod devtools;
#[path = "e2e/protocol.rs"]
mod protocol;
// Shared with tests/e2e.rs, which uses the parts this benchmark does not.
#[allow(dead_code)]
#[path = "e2e/static_server.rs"]
mod static_server;
#[allow(dead_code)]
#[path = "e2e/webdriver.rs"]
mod webdriver;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use static_server::StaticServer;
use webdriver::{ChromeDriver, Options, Session};

/// The viewport (CSS pixels) of a small laptop.
const WINDOW: (u32, u32) = (1280, 720);
/// Headless Chromium may treat its window as hidden and throttle frames and timers: not here.
const NO_THROTTLING: [&str; 3] = [
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
];
/// What `BENCH_TRACE` records: the timeline DevTools shows (tasks, script, style, layout, paint).
const TRACE_CATEGORIES: &str = "devtools.timeline,disabled-by-default-devtools.timeline";
/// The app's `performance.mark` for its first render (src/ui/diagram.rs sets it).
const FIRST_RENDER_MARK: &str = "diagram-first-render";
/// Page loads timed for the first render (the first is the cold one).
const LOADS: usize = 3;
const APP_START: Duration = Duration::from_secs(60);
const SETUP: Duration = Duration::from_secs(180);

/// Starts recording: every requestAnimationFrame interval, the drawn messages every 250 ms, and
/// long animation frames (over 50 ms) where the browser reports them.
const RECORD_JS: &str = "const b = window.__bench = { deltas: [], counts: [], long: [], stop: false }; \
    let last = null; \
    const frame = t => { if (last !== null) b.deltas.push(t - last); last = t; if (!b.stop) requestAnimationFrame(frame); }; \
    requestAnimationFrame(frame); \
    const count = () => b.counts.push(document.querySelectorAll('[data-testid=message]').length); \
    count(); b.timer = setInterval(count, 250); \
    try { b.obs = new PerformanceObserver(l => b.long.push(...l.getEntries().map(e => e.duration))); \
          b.obs.observe({ type: 'long-animation-frame' }); } catch (e) { b.long = null; } \
    return true;";
/// Stops recording and returns what was recorded.
const COLLECT_JS: &str = "const b = window.__bench; b.stop = true; clearInterval(b.timer); \
    if (b.obs) b.obs.disconnect(); \
    b.counts.push(document.querySelectorAll('[data-testid=message]').length); \
    return { deltas: b.deltas, counts: b.counts, long: b.long };";

fn env_or<T: std::str::FromStr>(var: &str, default: T) -> T {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// The `p`-th percentile (0..=100) by nearest rank; None for no samples.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).copied()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
}

fn script(browser: &Session, js: &str, args: Vec<Value>) -> Value {
    browser.execute(js, args).unwrap_or_else(|e| panic!("the script failed: {e}"))
}

fn count(browser: &Session, css: &str) -> u64 {
    let js = "return document.querySelectorAll(arguments[0]).length;";
    script(browser, js, vec![json!(css)]).as_u64().unwrap_or(0)
}

fn click(browser: &Session, id: &str) {
    let css = format!("[data-testid=\"{id}\"]");
    let el = browser.find(&css).expect("finding works").unwrap_or_else(|| panic!("no {css}"));
    browser.click(&el).expect("clicking works");
}

/// Polls `check` every 100 ms until it holds or `timeout` passes; returns whether it held.
fn poll(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while !check() {
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(100));
    }
    true
}

/// Chooses a speed in the time controls (`value` as offered there: `0.25`, `1`, `max`, ...).
fn set_speed(browser: &Session, value: &str) {
    let js = "const s = document.querySelector('[data-testid=speed]'); s.value = arguments[0]; \
              s.dispatchEvent(new Event('change', { bubbles: true })); return s.value;";
    let chosen = script(browser, js, vec![json!(value)]);
    assert_eq!(chosen, json!(value), "speed {value} is not one of the speeds offered");
}

/// When a page load got somewhere, in ms since navigation.
struct Load {
    /// The app's first render was in the DOM ([`FIRST_RENDER_MARK`]).
    render: f64,
    /// The first contentful paint, if the browser reported one.
    paint: Option<f64>,
    /// The wasm module had downloaded.
    wasm: Option<f64>,
}

/// Loads the page and times it.
fn load(browser: &Session, url: &str) -> Load {
    browser.goto(url).expect("the page loads");
    let js = "const m = performance.getEntriesByName(arguments[0])[0]; \
              const p = performance.getEntriesByName('first-contentful-paint')[0]; \
              const w = performance.getEntriesByType('resource').find(e => e.name.endsWith('.wasm')); \
              return [m ? m.startTime : null, p ? p.startTime : null, w ? w.responseEnd : null];";
    let deadline = Instant::now() + APP_START;
    loop {
        let got = script(browser, js, vec![json!(FIRST_RENDER_MARK)]);
        // The paint comes after the render; a browser may not report it at all.
        if let Some(render) = got[0].as_f64()
            && (got[1].is_number() || Instant::now() >= deadline)
        {
            return Load { render, paint: got[1].as_f64(), wasm: got[2].as_f64() };
        }
        assert!(Instant::now() < deadline, "the app never marked {FIRST_RENDER_MARK}");
        sleep(Duration::from_millis(50));
    }
}

/// Main-thread seconds the renderer has spent so far, by kind (CDP `Performance.getMetrics`).
fn busy(browser: &Session) -> [f64; 4] {
    let metrics = browser.cdp("Performance.getMetrics", json!({})).expect("CDP answers");
    let get = |name: &str| {
        metrics["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["name"] == name)
            .and_then(|m| m["value"].as_f64())
            .unwrap_or(0.0)
    };
    ["TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration"].map(get)
}

/// The time of the renderer's main thread (the thread that paints) by trace event name, largest
/// first: (name, total ms, count). Events nest (a task holds its script, style, layout and paint).
fn main_thread_totals(events: &[Value], top: usize) -> Vec<(String, f64, usize)> {
    let complete = || events.iter().filter(|e| e["ph"] == "X");
    let mut painting: std::collections::BTreeMap<u64, usize> = Default::default();
    for e in complete().filter(|e| e["name"] == "Paint" || e["name"] == "UpdateLayoutTree") {
        *painting.entry(e["tid"].as_u64().unwrap_or(0)).or_default() += 1;
    }
    let Some(main) = painting.into_iter().max_by_key(|(_, n)| *n).map(|(tid, _)| tid) else {
        return Vec::new();
    };
    let mut totals: std::collections::BTreeMap<String, (f64, usize)> = Default::default();
    for e in complete().filter(|e| e["tid"].as_u64() == Some(main)) {
        let t = totals.entry(e["name"].as_str().unwrap_or_default().to_string()).or_default();
        t.0 += e["dur"].as_f64().unwrap_or(0.0) / 1000.0;
        t.1 += 1;
    }
    let mut all: Vec<(String, f64, usize)> = totals.into_iter().map(|(name, (ms, n))| (name, ms, n)).collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all.truncate(top);
    all
}

/// The functions a CPU profile (CDP `Profiler.stop`) spent most time in, with their self time in ms.
fn self_times(profile: &Value, top: usize) -> Vec<(String, f64)> {
    let nodes = profile["nodes"].as_array().cloned().unwrap_or_default();
    let name_of: std::collections::BTreeMap<u64, String> = nodes
        .iter()
        .filter_map(|n| {
            let f = &n["callFrame"];
            let name = f["functionName"].as_str().filter(|s| !s.is_empty()).unwrap_or("(anonymous)");
            Some((n["id"].as_u64()?, name.to_string()))
        })
        .collect();
    let mut by_name: std::collections::BTreeMap<String, f64> = Default::default();
    let samples = numbers(&profile["samples"]);
    let deltas = numbers(&profile["timeDeltas"]);
    // Each sample's time is the delta to the next one (the last one gets none).
    for (i, id) in samples.iter().enumerate() {
        let ms = deltas.get(i + 1).copied().unwrap_or(0.0) / 1000.0;
        let name = name_of.get(&(*id as u64)).cloned().unwrap_or_default();
        *by_name.entry(name).or_default() += ms;
    }
    let mut all: Vec<(String, f64)> = by_name.into_iter().collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all.truncate(top);
    all
}

#[test]
fn frame_times_with_hundreds_of_messages_in_flight() {
    let Some(dist) = std::env::var_os("BENCH_DIST").map(PathBuf::from) else {
        let _ =
            writeln!(std::io::stderr(), "frame bench: skipped: BENCH_DIST is not set (`make bench-frames` sets it)");
        return;
    };
    let (nodes, pods) = (env_or("BENCH_NODES", 20u64), env_or("BENCH_PODS", 300u64));
    let (speed, seconds) = (env_or("BENCH_SPEED", "0.25".to_string()), env_or("BENCH_SECONDS", 5u64));
    let want_in_flight = env_or("BENCH_IN_FLIGHT", 500u64);
    let lead_speed = env_or("BENCH_LEAD_SPEED", "5".to_string());

    let server = StaticServer::start(&dist, "bench").expect("binding a loopback port works");
    let driver =
        ChromeDriver::start(&env_path("CHROMEDRIVER", "/usr/bin/chromedriver")).unwrap_or_else(|e| panic!("{e}"));
    let trace = std::env::var_os("BENCH_TRACE").is_some();
    let options = Options { window: WINDOW, args: &NO_THROTTLING, trace: trace.then_some(TRACE_CATEGORIES) };
    let browser = Session::start_with(&driver, &env_path("CHROME", "/usr/bin/chromium"), &options)
        .unwrap_or_else(|e| panic!("{e}"));

    browser.set_viewport(WINDOW.0, WINDOW.1).expect("the window can be resized");
    let loads: Vec<Load> = (0..LOADS)
        .map(|_| {
            // A saved session would be replayed on the next load: start each one fresh.
            let _ = browser.execute("localStorage.clear(); return true;", vec![]);
            load(&browser, &server.url)
        })
        .collect();
    let renders: Vec<f64> = loads.iter().map(|l| l.render).collect();
    let shot = |name: &str| {
        let png = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/screenshots/{name}.png"));
        browser.screenshot(&png).expect("saving the screenshot");
        eprintln!("frame bench: screenshot {}", png.display());
    };
    shot("bench-first-visit-1280x720");

    // Nodes join at max speed (their registration is not what is measured).
    click(&browser, "speed-max");
    let present = count(&browser, "[data-testid=node]");
    for _ in present..nodes {
        click(&browser, "add-node");
    }
    let ready = "[data-testid=node][data-status=Ready]";
    let joined = poll(SETUP, || count(&browser, ready) >= nodes);
    assert!(joined, "only {} of {nodes} nodes became Ready", count(&browser, ready));

    set_speed(&browser, &lead_speed);
    let input =
        browser.find("[data-testid=\"terminal-input\"]").expect("finding works").expect("the terminal has an input");
    let command = format!("kubectl create deployment web --image=nginx --replicas={pods}\u{E007}");
    browser.send_keys(&input, &command).expect("typing works");

    let mut most = 0;
    let reached = poll(SETUP, || {
        most = most.max(count(&browser, "[data-testid=message]"));
        most >= want_in_flight
    });
    if !reached {
        eprintln!("frame bench: never saw {want_in_flight} messages drawn (at most {most}); measuring anyway");
    }
    set_speed(&browser, &speed);

    browser.cdp("Performance.enable", json!({})).expect("CDP answers");
    let profile = std::env::var_os("BENCH_PROFILE").map(PathBuf::from);
    if profile.is_some() {
        browser.cdp("Profiler.enable", json!({})).expect("CDP answers");
        browser.cdp("Profiler.setSamplingInterval", json!({ "interval": 200 })).expect("CDP answers");
        browser.cdp("Profiler.start", json!({})).expect("CDP answers");
    }
    if trace {
        // Only what happens while frames are recorded.
        let _ = browser.trace_events();
    }
    let before = busy(&browser);
    script(&browser, RECORD_JS, vec![]);
    sleep(Duration::from_secs(seconds));
    let recorded = script(&browser, COLLECT_JS, vec![]);
    let after = busy(&browser);
    if trace {
        let events = browser.trace_events().expect("the trace can be read");
        eprintln!("frame bench: the renderer's main thread, by trace event (inclusive ms, count):");
        for (name, ms, n) in main_thread_totals(&events, 20) {
            eprintln!("  {ms:8.1} ms {n:6}  {name}");
        }
    }
    if let Some(path) = profile {
        let taken = browser.cdp("Profiler.stop", json!({})).expect("CDP answers");
        std::fs::write(&path, taken["profile"].to_string()).expect("writing the profile");
        eprintln!("frame bench: CPU profile (open it in Chrome DevTools) {}", path.display());
        for (name, ms) in self_times(&taken["profile"], 25) {
            eprintln!("  {ms:8.1} ms  {name}");
        }
    }
    shot("bench-frames");

    let mut deltas = numbers(&recorded["deltas"]);
    deltas.sort_by(f64::total_cmp);
    let mut counts = numbers(&recorded["counts"]);
    counts.sort_by(f64::total_cmp);
    let long = recorded["long"].as_array().map(|a| a.len());
    let frames = deltas.len().max(1) as f64;
    let per_frame = |i: usize| (after[i] - before[i]) * 1000.0 / frames;
    let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    let int = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
    let mut sorted_renders = renders.clone();
    sorted_renders.sort_by(f64::total_cmp);
    eprintln!(
        "frame bench: main thread per frame {} ms (script {}, style {}, layout {}); long animation frames (>50 ms): {}",
        ms(Some(per_frame(0))),
        ms(Some(per_frame(1))),
        ms(Some(per_frame(2))),
        ms(Some(per_frame(3))),
        long.map_or("not reported".to_string(), |n| n.to_string()),
    );
    for (i, l) in loads.iter().enumerate() {
        eprintln!(
            "frame bench: load {}: wasm downloaded {} ms, first render {} ms, first contentful paint {} ms",
            i + 1,
            ms(l.wasm),
            ms(Some(l.render)),
            ms(l.paint)
        );
    }
    println!(
        "frames: {nodes} nodes, {pods} pods, {}-{} in flight (median {}) at {speed}x: p50 {} ms, p95 {} ms, max {} ms over {} frames in {seconds} s; first render {} ms (median of {LOADS} loads; cold {} ms)",
        int(counts.first().copied()),
        int(counts.last().copied()),
        int(percentile(&counts, 50.0)),
        ms(percentile(&deltas, 50.0)),
        ms(percentile(&deltas, 95.0)),
        ms(deltas.last().copied()),
        deltas.len(),
        ms(percentile(&sorted_renders, 50.0)),
        ms(renders.first().copied()),
    );
}

#[test]
fn percentile_is_nearest_rank() {
    let v = [10.0, 20.0, 30.0, 40.0];
    let cases = [
        (0.0, Some(10.0)),
        (25.0, Some(10.0)),
        (50.0, Some(20.0)),
        (51.0, Some(30.0)),
        (95.0, Some(40.0)),
        (100.0, Some(40.0)),
    ];
    for (p, want) in cases {
        assert_eq!(percentile(&v, p), want, "p{p}");
    }
    assert_eq!(percentile(&[], 50.0), None);
}

#[test]
fn self_times_sum_sample_time_by_function() {
    let profile = json!({
        "nodes": [
            { "id": 1, "callFrame": { "functionName": "" } },
            { "id": 2, "callFrame": { "functionName": "render" } },
            { "id": 3, "callFrame": { "functionName": "diff" } },
        ],
        "samples": [2, 3, 2, 2],
        "timeDeltas": [0, 1000, 2000, 500],
    });
    // A sample lasts until the next one: render 1 ms + 0.5 ms, diff 2 ms, the last sample nothing.
    let got = self_times(&profile, 2);
    assert_eq!(got, vec![("diff".to_string(), 2.0), ("render".to_string(), 1.5)]);
    assert_eq!(self_times(&profile, 1).len(), 1);
    assert!(self_times(&json!({}), 5).is_empty());
}

#[test]
fn main_thread_totals_sum_the_painting_thread() {
    let x = |tid: u64, name: &str, dur: f64| json!({ "ph": "X", "tid": tid, "name": name, "dur": dur });
    let events = [
        x(1, "Paint", 2000.0),
        x(1, "RunTask", 5000.0),
        x(1, "Paint", 500.0),
        x(2, "RunTask", 9000.0),
        json!({ "ph": "M", "tid": 1 }),
    ];
    let got = main_thread_totals(&events, 5);
    assert_eq!(got, vec![("RunTask".to_string(), 5.0, 1), ("Paint".to_string(), 2.5, 2)]);
    assert!(main_thread_totals(&[x(2, "RunTask", 1.0)], 5).is_empty(), "no thread paints: no main thread");
}
