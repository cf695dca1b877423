//! What plain WebDriver cannot do, through chromedriver's extensions: size the viewport exactly,
//! send Chrome DevTools Protocol commands, and read the trace events chromedriver records.

use serde_json::{Value, json};

use crate::protocol::{Method, Result};
use crate::webdriver::Session;

impl Session {
    /// Resizes the window so that the page's viewport is `width` × `height` CSS pixels: even
    /// headless, Chromium's window is larger than its viewport by the browser frame it would draw.
    pub fn set_viewport(&self, width: u32, height: u32) -> Result<()> {
        let frame = self.execute("return [outerWidth - innerWidth, outerHeight - innerHeight];", vec![])?;
        let extra = |i: usize| frame[i].as_u64().unwrap_or(0) as u32;
        let size = json!({ "width": width + extra(0), "height": height + extra(1) });
        self.cmd(Method::Post, "/window/rect", Some(size)).map(drop)
    }

    /// Sends a Chrome DevTools Protocol command (`goog/cdp/execute`), e.g. `Performance.getMetrics`.
    pub fn cdp(&self, command: &str, params: Value) -> Result<Value> {
        self.cmd(Method::Post, "/goog/cdp/execute", Some(json!({ "cmd": command, "params": params })))
    }

    /// The trace events recorded since the last call, when the session was started with
    /// `Options::trace` (chromedriver hands them over as `Tracing.dataCollected` log lines).
    pub fn trace_events(&self) -> Result<Vec<Value>> {
        let lines = self.cmd(Method::Post, "/se/log", Some(json!({ "type": "performance" })))?;
        Ok(lines
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| serde_json::from_str::<Value>(l["message"].as_str()?).ok())
            .filter(|m| m["message"]["method"] == "Tracing.dataCollected")
            .map(|mut m| m["message"]["params"].take())
            .collect())
    }
}
