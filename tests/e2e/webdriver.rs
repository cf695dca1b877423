//! A minimal blocking WebDriver (W3C) client for ChromeDriver + headless Chromium, for the e2e test.
//!
//! Only what the tests need: start a driver on a free port, open a session with the flags this
//! machine needs, navigate, find elements, read their visible text, type, click, run a script, read
//! the browser console and take screenshots. Both the session and the driver clean up on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::protocol::{Client, ELEMENT_KEY, Method, Result, WebDriverError};

/// A chromedriver process listening on a free loopback port; killed on drop.
pub struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    /// Starts `program` (usually /usr/bin/chromedriver) and waits until it answers `/status`.
    pub fn start(program: &Path) -> Result<ChromeDriver> {
        let port =
            free_port().map_err(|source| WebDriverError::Spawn { program: program.display().to_string(), source })?;
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| WebDriverError::Spawn { program: program.display().to_string(), source })?;
        let driver = ChromeDriver { child, url: format!("http://127.0.0.1:{port}") };
        let client = Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(status) = client.send(Method::Get, &format!("{}/status", driver.url), None)
                && status["ready"] == json!(true)
            {
                return Ok(driver);
            }
            sleep(Duration::from_millis(100));
        }
        Err(WebDriverError::NotReady { url: driver.url.clone(), secs: 20 })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asks the OS for a free port; a tiny race with other processes is acceptable in tests.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A reference to an element on the page, valid until the page changes it.
#[derive(Clone, Debug)]
pub struct Element(String);

/// One line of the browser console.
#[derive(Debug)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
}

/// How [`Session::start_with`] sets up the browser.
pub struct Options<'a> {
    /// `--window-size`: even headless, the viewport is smaller by the browser's frame.
    pub window: (u32, u32),
    /// More Chromium flags.
    pub args: &'a [&'a str],
    /// Trace categories chromedriver records into the `performance` log (`Session::trace_events`).
    pub trace: Option<&'a str>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options { window: (1280, 800), args: &[], trace: None }
    }
}

/// A browser session (one headless Chromium with a fresh profile); quits the browser on drop.
pub struct Session {
    client: Client,
    base: String,
    profile: PathBuf,
}

impl Session {
    /// Opens headless Chromium (`chrome` is its binary) with a fresh, empty profile directory.
    pub fn start(driver: &ChromeDriver, chrome: &Path) -> Result<Session> {
        Session::start_with(driver, chrome, &Options::default())
    }

    /// Like [`Session::start`], set up as `options` say.
    pub fn start_with(driver: &ChromeDriver, chrome: &Path, options: &Options) -> Result<Session> {
        let (width, height) = options.window;
        static SESSIONS: AtomicUsize = AtomicUsize::new(0);
        let profile = std::env::temp_dir().join(format!(
            "k8s-sandbox-e2e-profile-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::Relaxed)
        ));
        // A leftover from a crashed run with the same pid would not be fresh.
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).map_err(|source| WebDriverError::File { path: profile.clone(), source })?;
        // As root, Chromium needs --no-sandbox; the network flags stop it calling home, which
        // this machine's closed network would refuse (noisily, and slowly).
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .iter()
        .chain(options.args)
        .map(|a| a.to_string())
        .chain([format!("--window-size={width},{height}"), format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let mut chrome_options = json!({ "binary": chrome, "args": args });
        let mut logs = json!({ "browser": "ALL" });
        if let Some(categories) = options.trace {
            chrome_options["perfLoggingPrefs"] = json!({
                "enableNetwork": false, "enablePage": false, "traceCategories": categories,
            });
            logs["performance"] = json!("ALL");
        }
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": chrome_options,
            "goog:loggingPrefs": logs,
        }}});
        let client = Client::new();
        let answer = client.send(Method::Post, &format!("{}/session", driver.url), Some(capabilities))?;
        let id = answer["sessionId"]
            .as_str()
            .ok_or_else(|| WebDriverError::Shape { command: "new session".into(), answer: answer.to_string() })?;
        Ok(Session { client, base: format!("{}/session/{id}", driver.url), profile })
    }

    /// Sends one command to this session (`path` after `/session/{id}`).
    pub(crate) fn cmd(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        self.client.send(method, &format!("{}{path}", self.base), body)
    }

    /// Loads `url` and waits for the document to finish loading.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.cmd(Method::Post, "/url", Some(json!({ "url": url }))).map(drop)
    }

    /// The document's title.
    pub fn title(&self) -> Result<String> {
        Ok(self.cmd(Method::Get, "/title", None)?.as_str().unwrap_or_default().to_string())
    }

    /// The first element matching a CSS selector, or None.
    pub fn find(&self, css: &str) -> Result<Option<Element>> {
        let found = self.cmd(Method::Post, "/elements", Some(json!({ "using": "css selector", "value": css })))?;
        Ok(found
            .as_array()
            .and_then(|all| all.first())
            .and_then(|e| e[ELEMENT_KEY].as_str())
            .map(|id| Element(id.to_string())))
    }

    /// Polls for an element matching `css` until `timeout`: the app renders after the wasm loads.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(element) = self.find(css)? {
                return Ok(element);
            }
            if Instant::now() >= deadline {
                return Err(WebDriverError::Timeout { what: css.to_string(), secs: timeout.as_secs() });
            }
            sleep(Duration::from_millis(100));
        }
    }

    /// The element's rendered text, as a person would read it (hidden text excluded).
    pub fn text(&self, element: &Element) -> Result<String> {
        Ok(self
            .cmd(Method::Get, &format!("/element/{}/text", element.0), None)?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Whether the element is displayed (rendered, not hidden by CSS).
    pub fn is_displayed(&self, element: &Element) -> Result<bool> {
        Ok(self.cmd(Method::Get, &format!("/element/{}/displayed", element.0), None)? == json!(true))
    }

    /// Clicks the element.
    pub fn click(&self, element: &Element) -> Result<()> {
        self.cmd(Method::Post, &format!("/element/{}/click", element.0), Some(json!({}))).map(drop)
    }

    /// Types `text` into the element (use "\u{E007}" for Enter).
    pub fn send_keys(&self, element: &Element, text: &str) -> Result<()> {
        self.cmd(Method::Post, &format!("/element/{}/value", element.0), Some(json!({ "text": text }))).map(drop)
    }

    /// Runs a synchronous script in the page and returns its result.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.cmd(Method::Post, "/execute/sync", Some(json!({ "script": script, "args": args })))
    }

    /// The browser console lines since the last call (chromedriver's logging extension).
    pub fn browser_log(&self) -> Result<Vec<LogEntry>> {
        let entries = self.cmd(Method::Post, "/se/log", Some(json!({ "type": "browser" })))?;
        Ok(entries
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|e| LogEntry {
                        level: e["level"].as_str().unwrap_or_default().to_string(),
                        message: e["message"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Saves a PNG of the whole viewport.
    pub fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.cmd(Method::Get, "/screenshot", None)?;
        save_png(&png, path)
    }

    /// Saves a PNG of one element.
    pub fn element_screenshot(&self, element: &Element, path: &Path) -> Result<()> {
        let png = self.cmd(Method::Get, &format!("/element/{}/screenshot", element.0), None)?;
        save_png(&png, path)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.client.send(Method::Delete, &self.base, None);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn save_png(encoded: &Value, path: &Path) -> Result<()> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded.as_str().unwrap_or_default())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| WebDriverError::File { path: dir.to_path_buf(), source })?;
    }
    std::fs::write(path, bytes).map_err(|source| WebDriverError::File { path: path.to_path_buf(), source })
}
