//! The UI's layers, checked on its source: the saved session is a leaf, the bridge is the only
//! module that reaches the simulation, kubectl runs only through the dispatch path, and no two
//! modules of `src/ui` import each other, directly or round a longer cycle.
//!
//! The graph's nodes are `ui`'s top-level modules (`cluster` is `cluster.rs` and all of
//! `cluster/`), plus `ui` for `src/ui.rs` itself: a module's files among themselves are one design,
//! as Yew's examples and kube-runtime split a concept over a file and its folder. An edge is any
//! path to another module: a `use` (brace groups expanded) or a `crate::ui::`, `super::` path in the
//! code. Test code is left out, as in the simulation's check: a test may build whatever it needs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The only module that reads or drives the simulation (`crate::sim`).
const BRIDGE: &str = "bridge";
/// The saved session's model and codec: imports nothing of `ui`.
const SESSION: &str = "session";
/// The `sim` modules any `ui` module may name, because they hold no simulation state: `time` is
/// the `Millis` alias of virtual milliseconds and pure date arithmetic (the session saves times as
/// `Millis`); `sort` is the crate's one stable sort, kept to one copy for the wasm's size.
const PURE_SIM: &[&str] = &["time", "sort"];
/// Who may name the actions that run kubectl: `dispatch` sends them, `cluster` (the reducer)
/// defines and runs them; and who may run an action on the world (the bridge's `apply`/`kubectl`).
const SENDS_KUBECTL: &[&str] = &["dispatch", "cluster"];
const RUNS_ACTIONS: &[&str] = &["cluster", "bridge"];

/// One `.rs` file of the UI, as the module it is.
struct UiFile {
    /// Relative to `src`, for messages.
    path: String,
    /// Its module path under `ui` (`["cluster", "rewind"]`; empty for `src/ui.rs`).
    module: Vec<String>,
    /// The code but tests and comments, line for line.
    code: String,
}

impl UiFile {
    /// The graph node the file belongs to.
    fn node(&self) -> String {
        self.module.first().cloned().unwrap_or_else(|| "ui".into())
    }
}

/// A path the code names, with the line it is on (`["super", "cluster", "Cluster"]`).
#[derive(Debug, PartialEq)]
struct Ref {
    line: usize,
    path: Vec<String>,
}

/// Where a path leads.
#[derive(Debug, PartialEq)]
enum Target {
    /// A module or item under `ui` (segments after `ui`).
    Ui(Vec<String>),
    /// `crate::sim::<module>`.
    Sim(String),
    /// The rest of the crate.
    Other,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every file of the UI but its test-only ones (`tests.rs`, and files declared `#[cfg(test)] mod x;`).
fn ui_files() -> Vec<UiFile> {
    let mut paths = vec![src_dir().join("ui.rs")];
    super::collect(&src_dir().join("ui"), &mut paths);
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let files: Vec<(String, Vec<String>, String)> = paths
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(src_dir()).expect("under src").with_extension("");
            let module: Vec<String> = rel.iter().skip(1).map(|s| s.to_string_lossy().into_owned()).collect();
            (p.strip_prefix(src_dir()).expect("under src").display().to_string(), module, read(p))
        })
        .collect();
    let test_modules: BTreeSet<Vec<String>> = files
        .iter()
        .flat_map(|(_, module, text)| test_children(text).into_iter().map(move |c| [module.clone(), vec![c]].concat()))
        .collect();
    files
        .into_iter()
        .filter(|(_, module, _)| !test_modules.iter().any(|t| module.starts_with(t)))
        .map(|(path, module, text)| UiFile { path, module, code: code_of(&text) })
        .collect()
}

/// The modules a file declares as `#[cfg(test)] mod name;` (whole files of tests).
fn test_children(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|w| w[0] == "#[cfg(test)]")
        .filter_map(|w| w[1].strip_prefix("mod ").and_then(|m| m.strip_suffix(';')).map(str::to_string))
        .collect()
}

/// The text without comments and without its `#[cfg(test)] mod tests { ... }` (at the bottom, by
/// house style), keeping one line per line so that line numbers stay right.
fn code_of(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len())
        .find(|&i| {
            lines[i].trim() == "#[cfg(test)]"
                && lines.get(i + 1).is_some_and(|l| l.trim().starts_with("mod ") && l.trim().ends_with('{'))
        })
        .unwrap_or(lines.len());
    lines[..end].iter().map(|l| format!("{}\n", l.split("//").next().unwrap_or(""))).collect()
}

/// Every path `code` names through `crate`, `super` or `self`, and every path of its `use`s.
fn references(code: &str) -> Vec<Ref> {
    let mut refs = Vec::new();
    let mut rest = String::with_capacity(code.len());
    let lines: Vec<&str> = code.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let after_vis = trimmed
            .strip_prefix("pub ")
            .or_else(|| trimmed.strip_prefix("pub(").and_then(|r| r.split_once(") ")).map(|(_, r)| r));
        if let Some(tree) = after_vis.unwrap_or(trimmed).strip_prefix("use ") {
            // A `use` runs to its `;`, maybe over several lines (rustfmt starts each on its own line).
            let mut statement = tree.to_string();
            let start = i;
            while !statement.contains(';') && i + 1 < lines.len() {
                i += 1;
                statement.push(' ');
                statement.push_str(lines[i]);
            }
            let statement = statement.split(';').next().unwrap_or("");
            refs.extend(expand_use(statement).into_iter().map(|path| Ref { line: start + 1, path }));
            for _ in start..=i {
                rest.push('\n');
            }
        } else {
            rest.push_str(line);
            rest.push('\n');
        }
        i += 1;
    }
    for (n, line) in rest.lines().enumerate() {
        refs.extend(inline_paths(line).into_iter().map(|path| Ref { line: n + 1, path }));
    }
    refs.sort_by_key(|r| r.line);
    refs
}

/// A use tree as the paths it imports: `super::{a, b::{self, C}}` → `super::a`, `super::b`,
/// `super::b::C` (a rename's `as x` is dropped).
fn expand_use(tree: &str) -> Vec<Vec<String>> {
    let mut words = tree.split_whitespace().peekable();
    let mut flat = String::new();
    while let Some(w) = words.next() {
        if w == "as" {
            // Keep what punctuation followed the new name (`as x,` or `as x}`).
            let renamed = words.next().unwrap_or("");
            flat.extend(renamed.chars().filter(|c| matches!(c, ',' | '}')));
        } else {
            flat.push_str(w);
        }
    }
    let mut out = Vec::new();
    expand(&flat, &[], &mut out);
    out
}

fn expand(tree: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let (head, group) = match tree.find('{') {
        Some(at) => (&tree[..at], Some(&tree[at + 1..tree.rfind('}').unwrap_or(tree.len())])),
        None => (tree, None),
    };
    let mut path = prefix.to_vec();
    path.extend(head.split("::").filter(|s| !s.is_empty()).map(str::to_string));
    let Some(group) = group else {
        if path.last().is_some_and(|s| s == "self") {
            path.pop();
        }
        if !path.is_empty() {
            out.push(path);
        }
        return;
    };
    // Split the group at its top-level commas.
    let (mut depth, mut from) = (0, 0);
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&group[from..at], &path, out);
                from = at + 1;
            }
            _ => {}
        }
    }
    if from < group.len() {
        expand(&group[from..], &path, out);
    }
}

/// The paths in one line of code (`a::b`, at least two segments): through `crate`, `super`,
/// `self`, or bare (a child module in `src/ui.rs`, an outside crate elsewhere).
fn inline_paths(line: &str) -> Vec<Vec<String>> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = is_ident(chars[i]) && (i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':'));
        if !starts {
            i += 1;
            continue;
        }
        let mut path = Vec::new();
        loop {
            let from = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            path.push(chars[from..i].iter().collect::<String>());
            let more = chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':');
            if !(more && chars.get(i + 2).is_some_and(|c| is_ident(*c))) {
                break;
            }
            i += 2;
        }
        if path.len() > 1 {
            out.push(path);
        }
    }
    out
}

/// Where `path`, named in the file of `module`, leads.
fn resolve(module: &[String], path: &[String]) -> Target {
    let crate_level = |rest: &[String]| match rest {
        [ui, tail @ ..] if ui == "ui" => Target::Ui(tail.to_vec()),
        [sim, tail @ ..] if sim == "sim" => Target::Sim(tail.first().cloned().unwrap_or_default()),
        _ => Target::Other,
    };
    match path.first().map(String::as_str) {
        Some("crate") => crate_level(&path[1..]),
        Some("self") => Target::Ui([module, &path[1..]].concat()),
        Some("super") => {
            let mut at = module.to_vec();
            let supers = path.iter().take_while(|s| *s == "super").count();
            for _ in 0..supers {
                if at.pop().is_none() {
                    // Above `ui`: the crate's root.
                    return crate_level(&path[supers..]);
                }
            }
            Target::Ui([at, path[supers..].to_vec()].concat())
        }
        // Relative to the file's module (Rust 2018): a child, or an outside crate; either way it
        // stays in the file's own node, but for `src/ui.rs`, whose children are the nodes.
        _ => Target::Ui([module, path].concat()),
    }
}

/// The node a `ui` path leads to: its top-level module, or `ui` for an item of `src/ui.rs`.
fn node_of(segments: &[String], modules: &BTreeSet<String>) -> String {
    segments.first().filter(|s| modules.contains(*s)).cloned().unwrap_or_else(|| "ui".into())
}

/// The UI's module graph: for each edge, where it was seen first (file:line).
fn graph(files: &[UiFile]) -> BTreeMap<String, BTreeMap<String, String>> {
    let modules: BTreeSet<String> = files.iter().filter_map(|f| f.module.first().cloned()).collect();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for f in files {
        let from = f.node();
        edges.entry(from.clone()).or_default();
        for r in references(&f.code) {
            if let Target::Ui(segments) = resolve(&f.module, &r.path) {
                let to = node_of(&segments, &modules);
                if to != from {
                    edges
                        .entry(from.clone())
                        .or_default()
                        .entry(to)
                        .or_insert_with(|| format!("{}:{}", f.path, r.line));
                }
            }
        }
    }
    edges
}

/// A cycle of the graph, if there is one, as the nodes round it (the first repeated at the end):
/// a depth-first search that finds an edge back to a node still on its path.
fn find_cycle(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        edges: &'a BTreeMap<String, BTreeMap<String, String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|n| n.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in edges.get(node).into_iter().flat_map(|e| e.keys()) {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_saved_session_imports_nothing_of_the_ui() {
    let files = ui_files();
    assert!(files.iter().any(|f| f.path == "ui/session/json.rs"), "the session's codec is scanned");
    let edges = graph(&files);
    let reached: Vec<String> =
        edges.get(SESSION).into_iter().flatten().map(|(to, at)| format!("{at} uses ui::{to}")).collect();
    assert!(reached.is_empty(), "the session model must be a leaf:\n{}", reached.join("\n"));
}

#[test]
fn only_the_bridge_reaches_the_simulation() {
    let mut found = Vec::new();
    for f in ui_files().iter().filter(|f| f.node() != BRIDGE) {
        for r in references(&f.code) {
            if let Target::Sim(module) = resolve(&f.module, &r.path)
                && !PURE_SIM.contains(&module.as_str())
            {
                found.push(format!("{}:{} uses sim::{module} (go through ui::bridge)", f.path, r.line));
            }
        }
    }
    assert!(found.is_empty(), "ui modules reach into the simulation:\n{}", found.join("\n"));
}

#[test]
fn ui_modules_import_no_cycle() {
    let edges = graph(&ui_files());
    assert!(edges.get("app").is_some_and(|e| e.contains_key("cluster")), "the graph has edges: {edges:?}");
    if let Some(cycle) = find_cycle(&edges) {
        let hops: Vec<String> =
            cycle.windows(2).map(|w| format!("{} -> {} ({})", w[0], w[1], edges[&w[0]][&w[1]])).collect();
        panic!("an import cycle among ui modules: {}\n{}", cycle.join(" -> "), hops.join("\n"));
    }
}

#[test]
fn kubectl_runs_only_through_the_dispatch_path() {
    let mut found = Vec::new();
    for f in ui_files() {
        let node = f.node();
        for (n, line) in f.code.lines().enumerate() {
            let sends = ["ClusterAction::Run", "ClusterAction::StartPreset", "ClusterAction::OpenLesson"]
                .iter()
                .any(|a| line.contains(a));
            if sends && !SENDS_KUBECTL.contains(&node.as_str()) {
                found.push(format!("{}:{} sends a kubectl action (use ui::dispatch)", f.path, n + 1));
            }
            let runs = ["bridge::apply(", "bridge::kubectl("].iter().any(|a| line.contains(a));
            if runs && !RUNS_ACTIONS.contains(&node.as_str()) {
                found.push(format!("{}:{} runs an action itself (only the reducer does)", f.path, n + 1));
            }
        }
    }
    assert!(found.is_empty(), "kubectl outside the dispatch path:\n{}", found.join("\n"));
}

/// The scanner on known text, so that a broken scanner cannot pass the checks above.
#[test]
fn the_scanner_expands_uses_resolves_paths_and_finds_cycles() {
    let code = code_of(
        "use super::{Cluster, bridge::{self, Sim as S}};\nuse yew::prelude::*;\n\
         let w = crate::sim::world::World::new(1); // crate::sim::node in a comment\n\
         pub(super) use crate::ui::session::Op;\n#[cfg(test)]\nmod tests {\n    use crate::ui::app::App;\n}\n",
    );
    let refs = references(&code);
    let paths: Vec<(usize, String)> = refs.iter().map(|r| (r.line, r.path.join("::"))).collect();
    let want = [
        (1, "super::Cluster"),
        (1, "super::bridge"),
        (1, "super::bridge::Sim"),
        (2, "yew::prelude::*"),
        (3, "crate::sim::world::World::new"),
        (4, "crate::ui::session::Op"),
    ];
    assert_eq!(paths, want.map(|(l, p)| (l, p.to_string())));
    let module = ["cluster".to_string(), "rewind".to_string()];
    assert_eq!(resolve(&module, &refs[1].path), Target::Ui(vec!["cluster".into(), "bridge".into()]));
    assert_eq!(resolve(&module, &refs[4].path), Target::Sim("world".into()));
    assert_eq!(resolve(&[], &["super".into(), "sim".into(), "trace".into()]), Target::Sim("trace".into()));
    assert_eq!(resolve(&["app".into()], &["super".into(), "start".into()]), Target::Ui(vec!["start".into()]));
    // In src/ui.rs a bare path names a top-level module.
    let root = references("    let loaded = persist::load();\n");
    assert_eq!(resolve(&[], &root[0].path), Target::Ui(vec!["persist".into(), "load".into()]));
    let edges = |pairs: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (a, b) in pairs {
            g.entry(a.to_string()).or_default().insert(b.to_string(), String::new());
        }
        g
    };
    assert_eq!(find_cycle(&edges(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    assert_eq!(
        find_cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a", "b", "c", "a"].into_iter().map(String::from).collect())
    );
    assert_eq!(test_children("#[cfg(test)]\nmod scenarios;\nmod rewind;\n"), ["scenarios"]);
}
