//! `sandbox story SCRIPT [--seed N] [--for DURATION]`: runs a script and tells the story of its last
//! kubectl command, every message it set off in causal order, one numbered line per hop.

use std::path::Path;

use k8s_sandbox::sim::script::{self, DiskFiles, Step};
use k8s_sandbox::sim::time::parse_duration;
use k8s_sandbox::sim::trace::story;
use k8s_sandbox::sim::world::World;

/// How long the world runs after the script by default: long enough for a pod to be pulled,
/// started and reported Ready, short enough that the story stays about the command.
const DEFAULT_FOR: &str = "30s";

/// Runs the script and prints the last command, what kubectl answered, and its story.
pub fn run(args: &[String], seed: u64, after: Option<String>) -> Result<(), String> {
    let path = args.first().ok_or(super::USAGE)?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("sandbox: cannot read {path}: {e}"))?;
    let steps = script::parse(&text).map_err(|e| format!("sandbox: {path}: {e}"))?;
    let after = after.unwrap_or_else(|| DEFAULT_FOR.to_string());
    let after_ms = parse_duration(&after)
        .ok_or_else(|| format!("sandbox: --for needs a duration (e.g. 30s, 2m), got {after:?}"))?;
    let last = steps
        .iter()
        .rposition(|s| matches!(s, Step::Kubectl { .. }))
        .ok_or_else(|| format!("sandbox: {path} has no kubectl command to tell the story of"))?;
    let files = DiskFiles::new(Path::new(path).parent().map(Path::to_path_buf).unwrap_or_default());
    let mut world = World::new(seed);
    // Every message of the command is kept, however many it sends.
    world.k.trace.set_window(usize::MAX);
    script::run(&mut world, &steps[..last], &files);
    let start = world.k.next_id();
    print!("{}", script::run(&mut world, &steps[last..], &files));
    world.run_for(after_ms);
    let hops = story::story(&world.k.trace, start);
    println!("\nThe story ({} messages, {after} after the script):", hops.len());
    print!("{}", story::numbered(&hops));
    Ok(())
}
