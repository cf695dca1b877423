//! The layering of the simulation, checked on its source: the kernel and the wire (the messages the
//! components send) sit below every component and depend on nothing above them, as raft-rs and
//! turmoil keep their transports. A `use` that reaches up from this layer to the apiserver, etcd, a
//! node, a controller or the world fails here, naming the file and line.
//!
//! Also checked: only the apiserver talks to etcd and only etcd holds the store; label selectors are
//! parsed and matched in one library; `src/sim` uses no web crate. The UI's layers are checked the
//! same way in `architecture/ui.rs`.
#![cfg(not(target_arch = "wasm32"))]

// A crate root finds its modules beside it, so the folder is named.
#[path = "architecture/ui.rs"]
mod ui;

use std::path::{Path, PathBuf};

/// The bottom layer: files of `src/sim` (a name ending in `/` is a folder, taken whole).
const LOW_LAYER: &[&str] =
    &["kernel.rs", "trace.rs", "trace/", "network.rs", "rng.rs", "time.rs", "component.rs", "protocol.rs", "protocol/"];

/// What the bottom layer may use: itself, and the pure object model, store values and sort below it.
const ALLOWED: &[&str] =
    &["kernel", "trace", "network", "rng", "time", "component", "protocol", "message", "api", "store", "sort"];

fn sim_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim")
}

/// The client library (reflectors, informers, work queues, expectations): above the bottom layer,
/// below every component, which all use it.
const CLIENT_LAYER: &[&str] = &["client.rs", "client/"];

/// Every `.rs` file of a layer, with its path relative to `src/sim`, but for `tests.rs` files: those
/// are `#[cfg(test)] mod tests;` bodies, and a test may build whatever it needs.
fn layer_files(layer: &[&str]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for entry in layer {
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
    let files = layer_files(LOW_LAYER);
    assert!(files.iter().any(|(f, _)| f == "protocol/message.rs"), "the layer lists the wire: {files:?}");
    let upward = uses_outside(&files, ALLOWED);
    assert!(upward.is_empty(), "the bottom layer reaches up:\n{}", upward.join("\n"));
}

/// The `file:line uses sim::X` lines of `files` naming a module that is not in `allowed`.
fn uses_outside(files: &[(String, String)], allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in files {
        for (line, module) in sim_modules_named(file, text) {
            if !allowed.contains(&module.as_str()) {
                found.push(format!("src/sim/{file}:{line} uses sim::{module}"));
            }
        }
    }
    found
}

#[test]
fn the_client_library_depends_on_no_component() {
    let files = layer_files(CLIENT_LAYER);
    assert!(files.iter().any(|(f, _)| f == "client/informers.rs"), "the layer lists the informers: {files:?}");
    let allowed: Vec<&str> = ALLOWED.iter().copied().chain(["client"]).collect();
    let upward = uses_outside(&files, &allowed);
    assert!(upward.is_empty(), "the client library reaches up into a component:\n{}", upward.join("\n"));
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

/// Every `.rs` file under `src/sim` but `tests.rs` files, as (path relative to `src/sim`, the code
/// before its `#[cfg(test)]` module, with `//` comments blanked out).
fn sim_sources() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    collect(&sim_dir(), &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let code = text[..text.find("#[cfg(test)]").unwrap_or(text.len())]
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            (p.strip_prefix(sim_dir()).expect("under src/sim").display().to_string(), code)
        })
        .collect()
}

/// Whether `file` (relative to `src/sim`) is one of `homes` (a name ending in `/` is a folder).
fn lives_in(file: &str, homes: &[&str]) -> bool {
    homes.iter().any(|h| if h.ends_with('/') { file.starts_with(h) } else { file == *h })
}

/// The files (outside `homes`) whose code contains any of `signs`, as `file: sign` lines.
fn files_with(sources: &[(String, String)], signs: &[&str], homes: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, code) in sources.iter().filter(|(f, _)| !lives_in(f, homes)) {
        for sign in signs.iter().filter(|s| code.contains(*s)) {
            found.push(format!("src/sim/{file}: {sign}"));
        }
    }
    found
}

/// Where label selectors live: `api::selector` parses (`labels.Parse`) and matches (`Requirement.Matches`,
/// `LabelSelectorAsSelector`); `api::nodefit` maps node-affinity operators onto its requirements;
/// validation checks operator names. A second parser shows by the grammar's `notin` keyword or
/// apimachinery's parse error; a second matcher by switching on `"DoesNotExist"`.
const SELECTOR_HOMES: &[&str] = &["api/selector.rs", "api/selector/", "api/nodefit/", "api/validation/"];
const SELECTOR_SIGNS: &[&str] = &["\"notin\"", "unable to parse requirement", "\"DoesNotExist\""];

#[test]
fn label_selectors_are_parsed_and_matched_in_one_library() {
    let sources = sim_sources();
    assert!(
        files_with(&sources, SELECTOR_SIGNS, &[]).iter().any(|f| f.contains("api/selector/parse.rs")),
        "the scan sees the library"
    );
    let elsewhere = files_with(&sources, SELECTOR_SIGNS, SELECTOR_HOMES);
    assert!(elsewhere.is_empty(), "label selectors handled outside api::selector:\n{}", elsewhere.join("\n"));
}

/// Who may name etcd's wire (`EtcdRequest`, `Payload::Etcd`, the `etcd` module): the apiserver that
/// calls it, etcd that answers, the protocol that defines it, and the world that delivers it.
const ETCD_CLIENTS: &[&str] =
    &["apiserver.rs", "apiserver/", "etcd.rs", "protocol.rs", "protocol/", "world.rs", "world/", "store.rs", "store/"];
const ETCD_SIGNS: &[&str] = &["EtcdRequest", "EtcdOp", "Payload::Etcd", "sim::etcd", "super::etcd"];

/// What may be imported from `store` outside etcd and the store: its plain value types (CamelCase,
/// the etcd wire's keys, revisions and events), never `Store` itself, a submodule or a function.
/// `top_level`: the file sits directly in `src/sim`, where `super::store` is the store too (elsewhere a
/// `store` may be another module, such as the container runtime's).
fn store_api_used(code: &str, top_level: bool) -> Vec<String> {
    let mut used = Vec::new();
    let prefixes: &[&str] = if top_level { &["sim::store::", "super::store::"] } else { &["sim::store::"] };
    let starts = prefixes.iter().flat_map(|p| code.match_indices(p).map(move |(at, _)| at + p.len()));
    for start in starts {
        let rest = &code[start..];
        let list = match rest.strip_prefix('{') {
            Some(inner) => &inner[..inner.find('}').unwrap_or(inner.len())],
            None => &rest[..rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len())],
        };
        for name in list.split(',').map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let name = name.split_whitespace().next().unwrap_or(name);
            if name == "Store" || name.starts_with(|c: char| c.is_ascii_lowercase()) {
                used.push(name.to_string());
            }
        }
    }
    used
}

#[test]
fn only_the_apiserver_talks_to_etcd_and_only_etcd_holds_the_store() {
    let sources = sim_sources();
    let callers = files_with(&sources, ETCD_SIGNS, ETCD_CLIENTS);
    assert!(callers.is_empty(), "etcd reached from outside the apiserver:\n{}", callers.join("\n"));
    let mut reaching = Vec::new();
    for (file, code) in sources.iter().filter(|(f, _)| !lives_in(f, &["etcd.rs", "store.rs", "store/"])) {
        for name in store_api_used(code, !file.contains('/')) {
            reaching.push(format!("src/sim/{file}: store::{name}"));
        }
    }
    assert!(reaching.is_empty(), "the store's engine used outside etcd:\n{}", reaching.join("\n"));
}

/// The checks above on made-up files, so that a broken scanner cannot pass them.
#[test]
fn the_checks_catch_what_they_forbid() {
    let fake = |file: &str, code: &str| vec![(file.to_string(), code.to_string())];
    let parser = fake("controllers/selector.rs", "fn p(t: &str) -> bool { t == \"notin\" }");
    assert_eq!(files_with(&parser, SELECTOR_SIGNS, SELECTOR_HOMES).len(), 1);
    let matcher = fake("kubectl/get.rs", "match op { \"In\" => a, \"DoesNotExist\" => b }");
    assert_eq!(files_with(&matcher, SELECTOR_SIGNS, SELECTOR_HOMES).len(), 1);
    let caller = fake("controllers/job.rs", "k.send(me, Component::Etcd, Payload::Etcd(req));");
    assert_eq!(files_with(&caller, ETCD_SIGNS, ETCD_CLIENTS).len(), 1);
    assert_eq!(store_api_used("use crate::sim::store::{Compare, Store, mvcc};", false), ["Store", "mvcc"]);
    assert_eq!(store_api_used("let s = crate::sim::store::Store::new();", false), ["Store"]);
    assert_eq!(store_api_used("use super::store::Store;", true), ["Store"]);
    assert!(store_api_used("use super::store::Store;", false).is_empty(), "a folder's own store module");
    assert!(store_api_used("use crate::sim::store::{EventKind, KeyValue};", false).is_empty());
    let web = fake("ui_in_sim.rs", "use web_sys::window;");
    assert_eq!(files_with(&web, WEB_CRATES, &[]).len(), 1);
}

/// The simulation core runs natively (`cargo test`, the headless runner): no web crate under `src/sim`.
const WEB_CRATES: &[&str] = &["yew", "web_sys", "gloo", "wasm_bindgen", "js_sys"];

#[test]
fn the_simulation_uses_no_web_crate() {
    let web = files_with(&sim_sources(), WEB_CRATES, &[]);
    assert!(web.is_empty(), "src/sim uses a web crate:\n{}", web.join("\n"));
}

/// Hot paths read fields with `api::pointer` (borrowed segments); `Value::pointer` allocates a string
/// per segment, which at 30,000 pods was a measurable share of the run. Only `api::pointer` itself
/// may call it (for paths with escapes).
#[test]
fn the_simulation_reads_fields_without_allocating_pointers() {
    let sign = [".pointer("];
    let found = files_with(&sim_sources(), &sign, &["api/pointer.rs"]);
    assert!(found.is_empty(), "use `api::pointer::Pointer::at` instead:\n{}", found.join("\n"));
    let fake = vec![("kubelet/x.rs".to_string(), "let n = pod.pointer(\"/spec/nodeName\");".to_string())];
    assert_eq!(files_with(&fake, &sign, &["api/pointer.rs"]).len(), 1);
}
