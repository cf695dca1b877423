//! The apply path: any bytes, as a pasted manifest, through decoding, defaulting, validation and
//! admission (`kubectl apply -f -` and `create -f -`, for real and as a server dry run). The answer
//! must be output or an error, never a panic and never nothing.
#![no_main]

use k8s_sandbox::sim::kubectl::{self, NoFiles};
use k8s_sandbox::sim::world::World;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut world = World::bare(1);
    for verb in ["apply -f -", "create -f -", "apply -f - --dry-run=server"] {
        let out = kubectl::execute(&mut world, verb, Some(&text), &NoFiles);
        assert!(!out.stdout.is_empty() || !out.stderr.is_empty(), "`kubectl {verb}` printed nothing");
    }
});
