//! Keeping the learner's session (`ui::session`) in the browser: localStorage under a versioned key,
//! and a share link's `#s=` fragment. A save that cannot be read is set aside under another key and
//! reported, never fatal.

use std::cell::RefCell;

use crate::ui::session::Session;

/// Where the session lives in localStorage; the version is in the key so old saves never collide.
pub const STORAGE_KEY: &str = "k8s-sandbox/session/v1";
/// Where an unreadable save is moved, so that the learner can still recover it by hand.
pub const SET_ASIDE_KEY: &str = "k8s-sandbox/session/set-aside";
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

thread_local! {
    /// The session `ui::start` read, for the app's first state.
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

/// Keeps what `ui::start` read (reading consumes a share link, so it is read once) for the app.
pub fn keep_loaded(loaded: Loaded) {
    LOADED.with(|l| *l.borrow_mut() = Some(loaded));
}

/// The session to start from: the one `ui::start` read, else (an app mounted another way, as in the
/// in-browser tests) read now.
pub fn take_loaded() -> Loaded {
    LOADED.with(|l| l.borrow_mut().take()).unwrap_or_else(load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_html_sets_aside_the_same_keys() {
        // index.html's "could not start" notice moves a save aside without the wasm: same keys.
        let page = include_str!("../../index.html");
        for key in [STORAGE_KEY, SET_ASIDE_KEY] {
            assert!(page.contains(&format!("\"{key}\"")), "index.html does not name {key}");
        }
    }
}
