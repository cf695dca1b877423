//! Where the tests find the shared manifest corpus, and what they do when it is not there.
//!
//! The corpus (`../shared/manifests`, beside the checkout) is the team's, not the repository's: a
//! lone clone has no corpus and its corpus tests say they are skipped. CI always has it, so under
//! `CI=true` a missing corpus means the checks did not run, and that is a failure, never a pass.

use std::path::PathBuf;

/// The corpus root (the folder holding `INDEX.tsv`), or `None` after printing why the caller is
/// skipped.
///
/// # Panics
/// Under `CI=true` when the corpus is missing: a test that must run did not.
pub fn corpus_root() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/manifests");
    if root.join("INDEX.tsv").exists() {
        return Some(root);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the manifest corpus is missing ({}/INDEX.tsv): under CI=true the corpus tests must run",
        root.display()
    );
    println!("skipped: ../shared/manifests is not beside the checkout");
    None
}
