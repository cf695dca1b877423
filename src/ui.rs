//! The Yew front end: draws the simulation's state and trace; holds no cluster logic of its own.

mod app;

pub use app::App;
