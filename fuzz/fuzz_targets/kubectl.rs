//! kubectl's command line: any text as a command (parsed, then executed) against a cluster that has a
//! few objects to find, with the first line as the command and the rest as its standard input.
#![no_main]

use k8s_sandbox::sim::kubectl::{self, NoFiles};
use k8s_sandbox::sim::world::World;
use libfuzzer_sys::fuzz_target;

/// Virtual time a command that opened watches is given before they are closed.
const WATCH_MS: u64 = 1_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (line, stdin) = match text.split_once('\n') {
        Some((line, rest)) => (line, Some(rest)),
        None => (&*text, None),
    };
    let mut world = World::bare(7);
    for setup in ["create namespace demo", "create deployment web --image=nginx", "run lonely --image=busybox"] {
        kubectl::execute(&mut world, setup, None, &NoFiles);
    }
    let out = kubectl::execute(&mut world, line, stdin, &NoFiles);
    for watch in out.watching {
        world.run_for(WATCH_MS);
        world.close_kubectl_watch(watch.watch_id);
    }
});
