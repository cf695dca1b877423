//! The layering of the simulation, checked on its source: the kernel and the wire (the messages the
//! components send) sit below every component and depend on nothing above them, as raft-rs and
//! turmoil keep their transports. A `use` that reaches up from this layer to the apiserver, etcd, a
//! node, a controller or the world fails here, naming the file and line. The UI's layers are checked
//! the same way in `architecture/ui.rs`.
#![cfg(not(target_arch = "wasm32"))]

// A crate root finds its modules beside it, so the folder is named.
#[path = "architecture/ui.rs"]
mod ui;

use std::path::{Path, PathBuf};

/// The bottom layer: files of `src/sim` (a name ending in `/` is a folder, taken whole).
const LOW_LAYER: &[&str] =
    &["kernel.rs", "trace.rs", "network.rs", "rng.rs", "time.rs", "component.rs", "protocol.rs", "protocol/"];

/// What the bottom layer may use: itself, and the pure object model, store values and sort below it.
const ALLOWED: &[&str] =
    &["kernel", "trace", "network", "rng", "time", "component", "protocol", "message", "api", "store", "sort"];

fn sim_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim")
}

/// Every `.rs` file of the bottom layer, with its path relative to `src/sim`, but for `tests.rs`
/// files: those are `#[cfg(test)] mod tests;` bodies, and a test may build whatever it needs.
fn low_layer_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for entry in LOW_LAYER {
        let path = sim_dir().join(entry);
        if entry.ends_with('/') {
            collect(&path, &mut files);
        } else {
            files.push(path);
        }
    }
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.strip_prefix(sim_dir()).expect("under src/sim").display().to_string(), text)
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") && p.file_name().is_some_and(|n| n != "tests.rs") {
            out.push(p);
        }
    }
}

/// The `src/sim` modules a file names, as (line number, module): every `crate::sim::X`, and in files
/// directly under `src/sim` every `super::X` (there `super` is `sim`). Lines inside a `#[cfg(test)]`
/// module are left out: a test may build whatever it needs.
fn sim_modules_named(file: &str, text: &str) -> Vec<(usize, String)> {
    let top_level = !file.contains('/');
    let test_start = text.find("#[cfg(test)]").unwrap_or(text.len());
    let mut found = Vec::new();
    for (i, line) in text[..test_start].lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut prefixes = vec!["crate::sim::"];
        if top_level {
            prefixes.push("super::");
        }
        for prefix in prefixes {
            for (at, _) in code.match_indices(prefix) {
                let rest = &code[at + prefix.len()..];
                let module: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !module.is_empty() {
                    found.push((i + 1, module));
                }
            }
        }
    }
    found
}

#[test]
fn the_kernel_and_the_wire_depend_on_nothing_above_them() {
    let files = low_layer_files();
    assert!(files.iter().any(|(f, _)| f == "protocol/message.rs"), "the layer lists the wire: {files:?}");
    let mut upward = Vec::new();
    for (file, text) in &files {
        for (line, module) in sim_modules_named(file, text) {
            if !ALLOWED.contains(&module.as_str()) {
                upward.push(format!("src/sim/{file}:{line} uses sim::{module}"));
            }
        }
    }
    assert!(upward.is_empty(), "the bottom layer reaches up:\n{}", upward.join("\n"));
}

/// The scanner itself, on a file that reaches up, so that a broken scanner cannot pass the check above.
#[test]
fn the_scanner_finds_an_upward_use_and_skips_tests() {
    let text = "use super::apiserver::request::ApiRequest; // super::node in a comment\n\
                use crate::sim::time::Millis;\n#[cfg(test)]\nmod tests { use crate::sim::world::World; }\n";
    assert_eq!(sim_modules_named("kernel.rs", text), vec![(1, "apiserver".to_string()), (2, "time".to_string())]);
    // Inside a folder `super` is that folder's parent module, not `sim`.
    assert_eq!(sim_modules_named("protocol/etcd.rs", "use super::request::ApiRequest;\n"), vec![]);
}
