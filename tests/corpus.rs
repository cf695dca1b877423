//! Every manifest of the shared corpus (`../shared/manifests`) on a whole simulated cluster, checked
//! against what a real 1.33 (kind-like) cluster does with it: `tests/corpus/table.rs` says, per file,
//! what a reader had done before, and what `kubectl apply -f FILE` and three virtual minutes give.
//!
//! Rows marked `known_gap` are places where the sandbox still disagrees with a real cluster. They run
//! anyway and must still disagree: when a fix makes one agree, this test fails and asks to drop the mark.

mod corpus {
    pub mod checks;
    pub mod table;
}

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_sandbox::sim::kubectl::{self, Output};
use k8s_sandbox::sim::script::{self, DiskFiles, Step};
use k8s_sandbox::sim::world::World;
use k8s_sandbox::test_support::corpus_root;

use corpus::checks::{Pods, pods};
use corpus::table::{Expect, Row, table};

/// How long the cluster runs after the apply unless a row says otherwise (virtual time).
const WAIT_MS: u64 = 3 * 60 * 1000;

/// The files INDEX.tsv lists (first column), which is every manifest of the corpus.
fn indexed_files(root: &Path) -> Vec<String> {
    let index = std::fs::read_to_string(root.join("INDEX.tsv")).expect("INDEX.tsv is readable");
    index.lines().skip(1).filter_map(|l| l.split('\t').next()).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// Runs a row's `before` script; any failing command there is a mistake in the table, not a finding.
fn prepare(w: &mut World, row: &Row, files: &DiskFiles) -> Result<(), String> {
    let steps = script::parse(row.before).map_err(|e| format!("bad `before` script: {e}"))?;
    for step in steps {
        match step {
            Step::Kubectl { command, stdin, line } => {
                let out = kubectl::execute(w, &command, stdin.as_deref(), files);
                if out.failed {
                    return Err(format!("`before` line {line} ({command}) failed: {}", out.stderr));
                }
            }
            Step::Host { command, line } => {
                let out = k8s_sandbox::sim::workstation::run(w, &command);
                if out.failed {
                    return Err(format!("`before` line {line} ({command}) failed: {}", out.stderr));
                }
            }
            Step::Sleep { ms, .. } => w.run_for(ms),
        }
    }
    Ok(())
}

/// Every line of stdout says `created` and nothing went to stderr.
fn all_created(out: &Output) -> Result<(), String> {
    if out.failed || out.stdout.is_empty() || !out.stdout.lines().all(|l| l.ends_with(" created")) {
        return Err(format!("expected every document created, got:\n{}", out.combined()));
    }
    Ok(())
}

/// Applies the row's file on a fresh cluster and checks the outcome.
fn run_row(root: &Path, row: &Row) -> Result<(), String> {
    let files = DiskFiles::new(root);
    let mut w = World::new(1);
    prepare(&mut w, row, &files)?;
    let ns = row.ns.map(|n| format!(" -n {n}")).unwrap_or_default();
    let out = kubectl::execute(&mut w, &format!("apply -f {}{ns}", row.path), None, &files);
    match &row.expect {
        Expect::NoKind { name, namespace, kind, version } => {
            let want = format!(
                "error: resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{}\": no matches for kind \"{kind}\" in version \"{version}\"\nensure CRDs are installed first\n",
                row.path
            );
            if out.stderr != want || !out.failed {
                return Err(format!("expected\n{want}got\n{}", out.combined()));
            }
            Ok(())
        }
        Expect::Refused(text) => {
            if !out.failed || !out.stderr.contains(text) {
                return Err(format!("expected a refusal containing {text:?}, got:\n{}", out.combined()));
            }
            Ok(())
        }
        Expect::Created => all_created(&out),
        Expect::Pods(want) => {
            all_created(&out)?;
            w.run_for(row.wait_ms.unwrap_or(WAIT_MS));
            want.check(&mut w)
        }
        Expect::Check(check) => {
            all_created(&out)?;
            w.run_for(row.wait_ms.unwrap_or(WAIT_MS));
            check(&mut w)
        }
    }
}

/// One line of the report per row that disagrees with its expectation.
fn verdict(row: &Row, result: Result<(), String>) -> Option<String> {
    match (row.known_gap, result) {
        (None, Ok(())) | (Some(_), Err(_)) => None,
        (None, Err(e)) => Some(format!("MISMATCH {} [{}]: {e}", row.path, row.variant)),
        (Some(gap), Ok(())) => Some(format!(
            "FIXED {} [{}]: the sandbox now does what a real cluster does; remove known_gap ({gap})",
            row.path, row.variant
        )),
    }
}

#[test]
fn every_manifest_does_what_a_real_cluster_does() {
    let Some(root) = corpus_root() else { return };
    let rows = table();
    let listed = indexed_files(&root);
    let missing: Vec<&String> = listed.iter().filter(|f| !rows.iter().any(|r| r.path == f.as_str())).collect();
    assert!(missing.is_empty(), "files of the corpus without a row in tests/corpus/table.rs: {missing:?}");
    let unknown: Vec<&str> = rows.iter().map(|r| r.path).filter(|p| !listed.iter().any(|f| f == p)).collect();
    assert!(unknown.is_empty(), "rows naming files that are not in the corpus: {unknown:?}");

    let only = std::env::var("CORPUS_ONLY").ok();
    let rows: Vec<&Row> = rows.iter().filter(|r| only.as_deref().is_none_or(|o| r.path.contains(o))).collect();
    let next = AtomicUsize::new(0);
    let findings = Mutex::new(Vec::new());
    let gaps = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(row) = rows.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = run_row(&root, row);
                    if let (Some(gap), Err(e)) = (row.known_gap, &result) {
                        let line = format!(
                            "  {} [{}]: {gap}\n      sandbox: {}",
                            row.path,
                            row.variant,
                            e.lines().next().unwrap_or_default()
                        );
                        gaps.lock().expect("no thread panics while holding the lock").push(line);
                    }
                    if let Some(line) = verdict(row, result) {
                        findings.lock().expect("no thread panics while holding the lock").push(line);
                    }
                }
            });
        }
    });
    let mut gaps = gaps.into_inner().expect("no thread panicked");
    gaps.sort();
    println!(
        "{} rows, {} known gaps (where the sandbox still disagrees with a real cluster):\n{}",
        rows.len(),
        gaps.len(),
        gaps.join("\n")
    );
    let mut findings = findings.into_inner().expect("no thread panicked");
    findings.sort();
    assert!(findings.is_empty(), "{} rows disagree with the table:\n{}", findings.len(), findings.join("\n\n"));
}

/// The pod listing the checks read parses kubectl's table, so its parser is checked on its own.
#[test]
fn pod_rows_parse_from_kubectl_output() {
    let mut w = World::bare(1);
    assert_eq!(pods(&mut w, "default"), Vec::new());
    let p = Pods { ns: "default", prefix: "x", count: 0, status: &["Running"], why: None };
    assert_eq!(p.check(&mut w), Ok(()));
    let p = Pods { count: 1, ..p };
    assert!(p.check(&mut w).is_err(), "a missing pod is a mismatch");
}

/// A corpus file broken the way pasted YAML often is (a tab for indentation) gets kubectl's parse
/// error with the line, from go-yaml by way of sigs.k8s.io/yaml.
#[test]
fn a_broken_corpus_file_reports_its_line() {
    let Some(root) = corpus_root() else { return };
    let text =
        std::fs::read_to_string(root.join("k8s-website/pods/simple-pod.yaml")).expect("the corpus file is readable");
    let broken = text.replace("\n  containers:", "\n\tcontainers:");
    assert_ne!(broken, text, "the file still has the line this test breaks");
    let mut w = World::bare(1);
    let out = kubectl::execute(&mut w, "apply -f -", Some(&broken), &k8s_sandbox::sim::kubectl::NoFiles);
    assert_eq!(
        out.stderr,
        "error: error parsing STDIN: error converting YAML to JSON: yaml: line 6: found character that cannot start any token\n"
    );
    assert!(out.failed && out.stdout.is_empty(), "{out:?}");
}
