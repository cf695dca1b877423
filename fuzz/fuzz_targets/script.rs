//! The native runner's script parser (`sandbox run FILE`): any text parses to steps or a script
//! error, and steps that parse run on a cluster without panicking.
#![no_main]

use k8s_sandbox::sim::kubectl::NoFiles;
use k8s_sandbox::sim::script::{self, Step};
use k8s_sandbox::sim::world::World;
use libfuzzer_sys::fuzz_target;

/// Scripts that sleep longer than this in total are only parsed: running them would spend the
/// fuzzer's time on the clock, not on the parser.
const MAX_SLEEP_MS: u64 = 60_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(steps) = script::parse(text) else { return };
    let slept: u64 =
        steps.iter().map(|s| if let Step::Sleep { ms, .. } = s { *ms } else { 0 }).fold(0, u64::saturating_add);
    if slept <= MAX_SLEEP_MS {
        script::run(&mut World::bare(1), &steps, &NoFiles);
    }
});
