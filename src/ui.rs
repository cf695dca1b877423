//! The Yew front end: draws the simulation's state and trace; holds no cluster logic of its own.
//!
//! Plain-data modules (`layout`, `model`, `traffic`, `clock`, `persist`, the terminal's parsing and
//! completion) are tested natively; the components only read them and draw.

mod app;
pub mod clock;
pub mod cluster;
mod diagram;
mod editor;
pub mod glossary;
mod header;
mod help;
mod inspector;
pub mod layout;
pub mod model;
pub mod persist;
pub mod presets;
pub mod state;
mod terminal;
mod time_controls;
mod timeline;
pub mod traffic;

pub use app::App;

/// Starts the app in the page: takes down index.html's loading notice, then renders. Both happen in
/// one task, so the browser never paints the empty page in between.
pub fn start() {
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    yew::Renderer::<App>::new().render();
}
