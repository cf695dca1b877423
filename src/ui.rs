//! The Yew front end: draws the simulation's state and trace; holds no cluster logic of its own.
//!
//! Plain-data modules (`layout`, `model`, `traffic`, `clock`, `session`, the terminal's parsing and
//! completion) are tested natively; the components only read them and draw. The layers, checked by
//! tests/architecture.rs:
//!
//! ```text
//!   app, header, terminal, editor, diagram, inspector, timeline, ...   components
//!        │ actions that run kubectl: dispatch          │ view data
//!        ▼                                             │
//!   cluster (the reducer) ── presets ──────────────────┤
//!        ▼                                             ▼
//!   bridge: the only module that reads or drives the simulation (crate::sim)
//!   session, model, state, clock: plain data that imports nothing above it
//! ```
//! No `ui` module imports one that imports it back.

mod app;
pub mod bridge;
pub mod clock;
pub mod cluster;
mod diagram;
pub mod dispatch;
mod editor;
mod fetch;
pub mod glossary;
mod header;
mod help;
mod inspector;
pub mod layout;
mod lesson;
pub mod model;
pub mod persist;
pub mod presets;
pub mod session;
pub mod state;
mod story;
mod terminal;
mod time_controls;
mod timeline;
pub mod traffic;

pub use app::App;

/// Starts the app in the page's `#app` element (the body if there is none). index.html's loading
/// notice stays up until the first render is done (`App` takes it down), so that a crash while
/// starting is reported in it rather than leaving an empty page. A saved or shared session that
/// replays kubectl commands first waits for the kubectl module (in the release build, where it is
/// loaded separately).
pub fn start() {
    // Read once: reading consumes a share link and sets an unreadable save aside.
    let loaded = persist::load();
    let needs_kubectl = loaded.session.as_ref().is_some_and(dispatch::session_needs_kubectl);
    if let Some(session) = loaded.session.as_ref().filter(|_| needs_kubectl && !bridge::kubectl::ready()) {
        // Saved before waiting for kubectl: a share link is already gone from the address bar, and
        // if kubectl cannot be fetched, the reload (or the loading notice's "fresh start", which
        // sets the save aside) must still have the session.
        let _ = persist::save(session);
    }
    persist::keep_loaded(loaded);
    dispatch::start_when_loaded(needs_kubectl, || {
        let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
        match root {
            Some(root) => yew::Renderer::<App>::with_root(root).render(),
            None => yew::Renderer::<App>::new().render(),
        };
    });
}
