//! The saved session: not the cluster, but what the learner did to it, replayed on the same seed.
//!
//! The simulation is deterministic, so a seed plus the list of actions (each with the virtual time it
//! happened at) rebuilds exactly the same cluster. The list is small, survives changes to the
//! simulation's internals, and fits in a share link. This module is the model and its codec only: a
//! leaf that imports nothing of `ui` (tests/architecture.rs checks it), so that the reducer, the
//! presets, the timeline and the browser storage (`ui::persist`) can all share it without depending
//! on each other. Its one outside type is `sim::time::Millis`, a `u64` of virtual milliseconds.

pub mod codec;
mod json;
mod preset_run;

use thiserror::Error;

use crate::sim::time::Millis;
pub use preset_run::{PresetRun, Step, Until};

/// The format version written today; a save with another version is set aside, not guessed at.
pub const VERSION: u32 = 1;
/// The prefix of a share link's fragment: `#s=<base64url of the session JSON>`.
pub const HASH_PREFIX: &str = "#s=";

/// Something the learner did, with the virtual time it happened at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub at: Millis,
    pub op: Op,
}

/// The actions that change the cluster (reading commands are logged too: they are cheap to replay
/// and the terminal history is rebuilt from them). Saved as `{"op": "kubectl", ...}` (session/json.rs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A kubectl command line, with what was piped to it (`apply -f -`).
    Kubectl { line: String, stdin: Option<String> },
    /// A node powered off or on (its kubelet, kube-proxy and runtime stop together).
    Node { name: String, running: bool },
    /// One control-plane or node component stopped or started.
    Component { name: String, running: bool },
    /// A worker node joined the cluster.
    AddNode { name: String },
}

/// Everything needed to rebuild a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub version: u32,
    pub seed: u64,
    pub ops: Vec<Logged>,
    /// The virtual time the cluster had reached.
    pub now: Millis,
    /// A preset waiting for the cluster before its next steps: a reload or share link continues it.
    pub preset: Option<PresetRun>,
    /// The lesson this session is doing, and how far it got: a reload or share link reopens it there.
    pub lesson: Option<LessonProgress>,
}

/// A lesson under way (`static/lessons/<id>.md`): its steps are done in order, so the done ones are
/// a prefix of its steps. Saved as `{"id": "deployment", "done": [412, 967], "began": 1203}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LessonProgress {
    pub id: String,
    /// One entry per step done, in order: the message that shows it done, which "What happened"
    /// opens in the story of its command: the one a `message` check found, else the first message
    /// of the command that completed it. The replay is deterministic, so the ids hold after a
    /// reload or in a share link.
    pub done: Vec<u64>,
    /// The id of the first message sent after the current step began: its `message` checks read
    /// the trace from there (0 in sessions saved before there were such checks).
    pub began: u64,
}

/// Why a saved session could not be used.
#[derive(Debug, Error, PartialEq)]
pub enum PersistError {
    /// Not JSON, or JSON of another shape.
    #[error("the saved session is not readable: {0}")]
    Corrupt(String),
    /// Written by another version of the sandbox.
    #[error("the saved session has format version {found}, this sandbox reads version {VERSION}")]
    Version { found: u64 },
    /// A share link whose fragment is not base64.
    #[error("the share link is damaged (its #s= part is not base64url)")]
    BadLink,
}

impl Session {
    pub fn new(seed: u64) -> Self {
        Self { version: VERSION, seed, ops: Vec::new(), now: 0, preset: None, lesson: None }
    }

    pub fn to_json(&self) -> String {
        json::session_to_value(self).to_string()
    }

    /// Reads a saved session, checking its version before its shape (so an old save is reported as
    /// old, not as corrupt).
    pub fn from_json(text: &str) -> Result<Self, PersistError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| PersistError::Corrupt(e.to_string()))?;
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == VERSION as u64 => {}
            Some(found) => return Err(PersistError::Version { found }),
            None => return Err(PersistError::Corrupt("it has no version".into())),
        }
        json::session_from_value(&value).map_err(PersistError::Corrupt)
    }

    /// The fragment of a share link: `#s=` and the session, base64url-encoded.
    pub fn to_hash(&self) -> String {
        format!("{HASH_PREFIX}{}", codec::encode(self.to_json().as_bytes()))
    }

    /// Reads a share link's fragment; Ok(None) when it carries no session.
    pub fn from_hash(hash: &str) -> Result<Option<Self>, PersistError> {
        let Some(code) = hash.strip_prefix(HASH_PREFIX) else { return Ok(None) };
        let bytes = codec::decode(code).ok_or(PersistError::BadLink)?;
        let text = String::from_utf8(bytes).map_err(|_| PersistError::BadLink)?;
        Self::from_json(&text).map(Some)
    }
}

#[cfg(test)]
mod tests;
