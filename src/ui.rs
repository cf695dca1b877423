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
