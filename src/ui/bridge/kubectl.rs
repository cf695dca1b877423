//! kubectl as a module of its own, fetched the first time the learner needs it.
//!
//! kubectl (its commands, printers, YAML reader and help) was 146 KB of the page's 829 KB gzip.
//! The release site (`make dist`, built with `--cfg split_kubectl`) leaves it out of the page's
//! wasm and builds it as a second wasm module (`src/bin/kubectl_module.rs`) that the page fetches
//! on the first action that runs kubectl: a command, Apply, Export or a preset, or a saved session
//! to replay (`ui::dispatch` waits for it).
//! Like real kubectl, that module reaches the cluster only through its API: each call crosses as
//! JSON (`sim::kubectl::wire`) and the page answers it from the world. Other builds (`make serve`,
//! the tests) link kubectl in, and everything here is then immediate.

#[cfg(not(split_kubectl))]
mod linked {
    //! kubectl linked into the page: always there.
    use serde_json::Value;

    use crate::sim::kubectl::printers::table::{TableOptions, table};
    use crate::sim::kubectl::{self, NoFiles, Output};
    use crate::sim::world::World;

    pub fn ready() -> bool {
        true
    }

    pub fn execute(world: &mut World, line: &str, stdin: Option<&str>) -> Output {
        kubectl::execute(world, line, stdin, &NoFiles)
    }

    pub fn watch_rows(kind: &str, options: &TableOptions, objects: Vec<Value>) -> String {
        table(kind, &objects, options)
    }

    pub fn yaml_error_line(text: &str) -> Option<usize> {
        crate::sim::api::decode::yaml_error_line(text)
    }
}

#[cfg(not(split_kubectl))]
pub(super) use linked::{execute, watch_rows};
#[cfg(not(split_kubectl))]
pub use linked::{ready, yaml_error_line};

#[cfg(split_kubectl)]
mod remote;

#[cfg(split_kubectl)]
pub(super) use remote::{execute, watch_rows};
#[cfg(split_kubectl)]
pub use remote::{loading, ready, start_when_loaded, when_loaded, yaml_error_line};
