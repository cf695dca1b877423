//! The WebDriver wire layer: JSON over HTTP to chromedriver, its `{"value": ...}` envelope and errors.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

/// The W3C key under which a web element's id travels.
pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Everything that can go wrong while driving the browser.
#[derive(Debug, thiserror::Error)]
pub enum WebDriverError {
    /// The chromedriver process could not be started (not installed, not executable).
    #[error("starting {program}: {source}")]
    Spawn { program: String, source: std::io::Error },
    /// chromedriver did not report ready in time.
    #[error("chromedriver on {url} was not ready after {secs} s")]
    NotReady { url: String, secs: u64 },
    /// The HTTP exchange with chromedriver failed (connection refused, timeout, bad JSON).
    #[error("{command}: {source}")]
    Http { command: String, source: ureq::Error },
    /// chromedriver answered with a WebDriver error (no such element, session not created, ...).
    #[error("{command}: {error}: {message}")]
    Protocol { command: String, error: String, message: String },
    /// The answer had an unexpected shape.
    #[error("{command}: unexpected answer {answer}")]
    Shape { command: String, answer: String },
    /// Waiting for something on the page took too long.
    #[error("timed out after {secs} s waiting for {what}")]
    Timeout { what: String, secs: u64 },
    /// Writing a screenshot or making the profile directory failed.
    #[error("{path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    /// A screenshot was not valid base64.
    #[error("screenshot is not base64: {0}")]
    Base64(#[from] base64::DecodeError),
}

pub type Result<T> = std::result::Result<T, WebDriverError>;

/// The HTTP verbs WebDriver uses.
#[derive(Clone, Copy, Debug)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// JSON over HTTP to chromedriver; unwraps the W3C `{"value": ...}` envelope and its errors.
pub struct Client {
    agent: ureq::Agent,
}

impl Client {
    pub fn new() -> Client {
        let config = ureq::Agent::config_builder()
            // WebDriver errors come as JSON bodies on 4xx/5xx: read them instead of failing early.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build();
        Client { agent: config.into() }
    }

    /// Sends one command (a POST without a body sends `{}`, as WebDriver requires).
    pub fn send(&self, method: Method, url: &str, body: Option<Value>) -> Result<Value> {
        let command = format!("{} {url}", method.as_str());
        let http = |source| WebDriverError::Http { command: command.clone(), source };
        let mut response = match method {
            Method::Post => self.agent.post(url).send_json(body.unwrap_or_else(|| json!({}))),
            Method::Delete => self.agent.delete(url).call(),
            Method::Get => self.agent.get(url).call(),
        }
        .map_err(http)?;
        // Screenshots arrive as base64 inside the JSON: allow far more than ureq's 10 MB default.
        let answer: Value = response.body_mut().with_config().limit(64 * 1024 * 1024).read_json().map_err(http)?;
        unwrap_envelope(&command, answer)
    }
}

/// Takes the `value` out of an answer, turning a WebDriver error object into `Protocol`.
fn unwrap_envelope(command: &str, answer: Value) -> Result<Value> {
    let value = answer.get("value").cloned().unwrap_or(Value::Null);
    match value.get("error").and_then(Value::as_str) {
        Some(error) => Err(WebDriverError::Protocol {
            command: command.to_string(),
            error: error.to_string(),
            // chromedriver appends a long native stack trace: its first line is the message.
            message: value["message"].as_str().unwrap_or_default().lines().next().unwrap_or("").to_string(),
        }),
        None => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwrap_envelope_returns_the_value_or_the_error() {
        let ok = unwrap_envelope("GET /title", json!({ "value": "Kubernetes Architecture Sandbox" }));
        assert_eq!(ok.expect("a plain value is not an error"), json!("Kubernetes Architecture Sandbox"));

        let null = unwrap_envelope("POST /url", json!({ "value": null }));
        assert_eq!(null.expect("null is a success"), Value::Null);

        let answer = json!({ "value": {
            "error": "no such element",
            "message": "no such element: Unable to locate element\n  (Session info: chrome=156)\nStacktrace: ...",
        }});
        match unwrap_envelope("POST /element", answer) {
            Err(WebDriverError::Protocol { command, error, message }) => {
                assert_eq!(command, "POST /element");
                assert_eq!(error, "no such element");
                assert_eq!(message, "no such element: Unable to locate element");
            }
            other => panic!("expected a protocol error, got {other:?}"),
        }
    }
}
