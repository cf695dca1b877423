//! Saving the learner's session: not the cluster, but what they did to it, replayed on the same seed.
//!
//! The simulation is deterministic, so a seed plus the list of actions (each with the virtual time it
//! happened at) rebuilds exactly the same cluster. The list is small, survives changes to the
//! simulation's internals, and fits in a share link. It is kept in localStorage under a versioned key;
//! a save that cannot be read is set aside under another key and reported, never fatal.

pub mod codec;
mod json;

use thiserror::Error;

use crate::sim::time::Millis;
use crate::ui::presets::PresetRun;

/// The format version written today; a save with another version is set aside, not guessed at.
pub const VERSION: u32 = 1;
/// Where the session lives in localStorage; the version is in the key so old saves never collide.
pub const STORAGE_KEY: &str = "k8s-sandbox/session/v1";
/// Where an unreadable save is moved, so that the learner can still recover it by hand.
pub const SET_ASIDE_KEY: &str = "k8s-sandbox/session/set-aside";
/// The prefix of a share link's fragment: `#s=<base64url of the session JSON>`.
pub const HASH_PREFIX: &str = "#s=";

/// Something the learner did, with the virtual time it happened at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub at: Millis,
    pub op: Op,
}

/// The actions that change the cluster (reading commands are logged too: they are cheap to replay
/// and the terminal history is rebuilt from them). Saved as `{"op": "kubectl", ...}` (json.rs).
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
        Self { version: VERSION, seed, ops: Vec::new(), now: 0, preset: None }
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

/// What starting up found in the browser.
pub struct Loaded {
    pub session: Option<Session>,
    /// A line for the terminal: where the session came from, or why a save was set aside.
    pub notice: Option<String>,
}

/// Reads the session to start from: a share link first, then localStorage. Never fails: problems are
/// reported in `notice` and the unreadable save is moved to [`SET_ASIDE_KEY`].
pub fn load() -> Loaded {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    match Session::from_hash(&hash) {
        Ok(Some(session)) => {
            forget_hash();
            let n = session.ops.len();
            let notice =
                format!("Loaded a shared session ({n} actions replayed); it replaces the one saved in this browser.");
            return Loaded { session: Some(session), notice: Some(notice) };
        }
        Ok(None) => {}
        Err(e) => {
            forget_hash();
            return Loaded { session: None, notice: Some(format!("{e}; starting a fresh cluster.")) };
        }
    }
    let Some(storage) = storage() else { return Loaded { session: None, notice: None } };
    let raw = match storage.get_item(STORAGE_KEY) {
        Ok(Some(raw)) => raw,
        _ => return Loaded { session: None, notice: None },
    };
    match Session::from_json(&raw) {
        Ok(session) => {
            let n = session.ops.len();
            Loaded {
                session: Some(session),
                notice: (n > 0).then(|| format!("Restored your session ({n} actions replayed).")),
            }
        }
        Err(e) => {
            let moved = storage.set_item(SET_ASIDE_KEY, &raw).is_ok();
            let _ = storage.remove_item(STORAGE_KEY);
            let whereto = if moved {
                format!("it was set aside under localStorage key {SET_ASIDE_KEY:?}")
            } else {
                "it was discarded".into()
            };
            Loaded { session: None, notice: Some(format!("{e}; {whereto}; starting a fresh cluster.")) }
        }
    }
}

/// Writes the session; a full or disabled storage is reported to the caller as text.
pub fn save(session: &Session) -> Result<(), String> {
    let storage = storage().ok_or("localStorage is not available")?;
    storage
        .set_item(STORAGE_KEY, &session.to_json())
        .map_err(|_| "localStorage refused the save (full or disabled)".to_string())
}

/// Forgets the saved session (Reset).
pub fn clear() {
    if let Some(s) = storage() {
        let _ = s.remove_item(STORAGE_KEY);
    }
}

/// Removes the `#s=` fragment once read, so that a reload continues the learner's own session
/// instead of replaying the link again.
pub fn forget_hash() {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_default() + &w.location().search().unwrap_or_default();
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::presets::{Step, Until};

    fn sample() -> Session {
        Session {
            version: VERSION,
            seed: 7,
            ops: vec![
                Logged {
                    at: 0,
                    op: Op::Kubectl { line: "kubectl create deployment web --image=nginx".into(), stdin: None },
                },
                Logged {
                    at: 1500,
                    op: Op::Kubectl {
                        line: "kubectl apply -f -".into(), stdin: Some("kind: Pod\n# ünïcödé\n".into())
                    },
                },
                Logged { at: 9000, op: Op::Node { name: "kind-worker2".into(), running: false } },
                Logged { at: 9001, op: Op::Component { name: "kube-scheduler".into(), running: false } },
                Logged { at: 9500, op: Op::AddNode { name: "kind-worker4".into() } },
            ],
            now: 12_345,
            preset: None,
        }
    }

    #[test]
    fn json_and_hash_round_trip() {
        let s = sample();
        assert_eq!(Session::from_json(&s.to_json()), Ok(s.clone()));
        let hash = s.to_hash();
        let code = hash.strip_prefix("#s=").expect("a share fragment starts with #s=");
        assert!(!code.contains(['+', '/', '=', '#', ' ']), "{code}");
        assert_eq!(Session::from_hash(&hash), Ok(Some(s)));
    }

    #[test]
    fn the_format_is_stable() {
        // Saves written by this version must stay readable: this is what one looks like.
        let text = r#"{"version":1,"seed":3,"ops":[{"at":5,"op":"kubectl","line":"kubectl get pods"},{"at":6,"op":"node","name":"w","running":true}],"now":10}"#;
        let s = Session::from_json(text).expect("the documented format reads");
        assert_eq!(s.ops[0].op, Op::Kubectl { line: "kubectl get pods".into(), stdin: None });
        assert_eq!(s.ops[1].op, Op::Node { name: "w".into(), running: true });
        assert_eq!(s.to_json(), text);
    }

    #[test]
    fn every_kind_of_action_and_preset_step_keeps_its_saved_form() {
        // Written by the serde derive this format was first saved with: saves in browsers look like this.
        let text = r#"{"version":1,"seed":9,"ops":[{"at":1,"op":"kubectl","line":"kubectl apply -f -","stdin":"a: b\n"},{"at":2,"op":"kubectl","line":"kubectl get pods"},{"at":3,"op":"node","name":"w","running":false},{"at":4,"op":"component","name":"kube-scheduler","running":true},{"at":5,"op":"add-node","name":"kind-worker4"}],"now":0,"preset":{"preset":"p","steps":[{"do":"kubectl","line":"kubectl apply -f -","stdin":"x"},{"do":"kubectl","line":"kubectl get pods"},{"do":"power-off-busiest-worker","app":"web"},{"do":"wait","until":{"until":"rolled-out","deployment":"web"}},{"do":"wait","until":{"until":"failed-scheduling","pod":"big"}},{"do":"wait","until":{"until":"crash-loop-back-off","pod":"c"}}],"deadline":77}}"#;
        let s = Session::from_json(text).expect("every variant reads");
        assert_eq!(s.ops[4].op, Op::AddNode { name: "kind-worker4".into() });
        let run = s.preset.as_ref().expect("the preset reads");
        assert_eq!((run.steps.len(), run.deadline), (6, Some(77)));
        assert_eq!(run.steps[5], Step::Wait { until: Until::CrashLoopBackOff { pod: "c".into() } });
        assert_eq!(s.to_json(), text);
    }

    #[test]
    fn unreadable_saves_are_refused_with_a_reason() {
        type Check = fn(&PersistError) -> bool;
        let cases: [(&str, Check); 13] = [
            ("", |e| matches!(e, PersistError::Corrupt(_))),
            ("{not json", |e| matches!(e, PersistError::Corrupt(_))),
            (r#"{"seed":1}"#, |e| matches!(e, PersistError::Corrupt(m) if m.contains("no version"))),
            (r#"{"version":0,"seed":1,"ops":[],"now":0}"#, |e| *e == PersistError::Version { found: 0 }),
            (r#"{"version":2}"#, |e| *e == PersistError::Version { found: 2 }),
            (
                r#"{"version":1,"seed":1,"ops":[{"at":1,"op":"reboot"}],"now":0}"#,
                |e| matches!(e, PersistError::Corrupt(m) if m == "ops[0]: unknown op \"reboot\""),
            ),
            (
                r#"{"version":1,"seed":1,"ops":[{"at":1,"op":"node","name":"w"}],"now":0}"#,
                |e| matches!(e, PersistError::Corrupt(m) if m == "ops[0]: missing field `running`"),
            ),
            (
                r#"{"version":1,"seed":1,"ops":[{"at":-1,"op":"add-node","name":"w"}],"now":0}"#,
                |e| matches!(e, PersistError::Corrupt(m) if m.contains("`at` is not a whole number")),
            ),
            (
                r#"{"version":1,"seed":"1","ops":[],"now":0}"#,
                |e| matches!(e, PersistError::Corrupt(m) if m.contains("`seed` is not")),
            ),
            (
                r#"{"version":1,"seed":1,"ops":{},"now":0}"#,
                |e| matches!(e, PersistError::Corrupt(m) if m.contains("`ops` is not a list")),
            ),
            (
                r#"{"version":1,"seed":1,"ops":[7],"now":0}"#,
                |e| matches!(e, PersistError::Corrupt(m) if m == "ops[0] is not an object"),
            ),
            (
                r#"{"version":1,"seed":1,"ops":[],"now":0,"preset":{"preset":"p","steps":[{"do":"wait","until":{"until":"forever"}}]}}"#,
                |e| matches!(e, PersistError::Corrupt(m) if m == "preset.steps[0].until: unknown condition \"forever\""),
            ),
            (
                r#"{"version":1,"seed":1,"ops":[],"now":0,"preset":{"preset":"p","steps":[{"do":"dance"}]}}"#,
                |e| matches!(e, PersistError::Corrupt(m) if m == "preset.steps[0]: unknown step \"dance\""),
            ),
        ];
        for (text, ok) in cases {
            let err = Session::from_json(text).expect_err(text);
            assert!(ok(&err), "{text}: {err}");
        }
    }

    #[test]
    fn index_html_sets_aside_the_same_keys() {
        // index.html's "could not start" notice moves a save aside without the wasm: same keys.
        let page = include_str!("../../index.html");
        for key in [STORAGE_KEY, SET_ASIDE_KEY] {
            assert!(page.contains(&format!("\"{key}\"")), "index.html does not name {key}");
        }
    }

    #[test]
    fn hashes_without_a_session_or_damaged_ones() {
        assert_eq!(Session::from_hash(""), Ok(None));
        assert_eq!(Session::from_hash("#help"), Ok(None));
        assert_eq!(Session::from_hash("#s=!!!"), Err(PersistError::BadLink));
        assert_eq!(Session::from_hash(&format!("#s={}", codec::encode(&[0xff, 0xfe]))), Err(PersistError::BadLink));
        let not_json = format!("#s={}", codec::encode(b"hello"));
        assert!(matches!(Session::from_hash(&not_json), Err(PersistError::Corrupt(_))));
    }
}
