//! Native headless runner: runs kubectl scripts against the simulated cluster and prints a transcript,
//! or benchmarks the whole path from Deployment to Running pods.
//!
//! ```text
//! sandbox run SCRIPT [--seed N] [--trace FILE] [--trace-window N]
//! sandbox bench --nodes N --pods M [--seed N]
//! sandbox serve [--address 127.0.0.1] [--port 6443] [--seed N] [--kubeconfig FILE] [--clock realtime|manual]
//! sandbox compare SCRIPT --kubectl PATH [--seed N] [--traces DIR]
//! sandbox story SCRIPT [--seed N] [--for DURATION]
//! sandbox bench-serve [--pods 1000] [--seed N]
//! sandbox lessons [--check] [DIR] [ID...]
//! ```
//! `--trace FILE` gets every message: the trace keeps only its newest `--trace-window` messages
//! in memory (by default `Trace::DEFAULT_WINDOW`) and writes each one to FILE as it leaves them.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::ExitCode;

use k8s_sandbox::sim::bench;
use k8s_sandbox::sim::script::{self, DiskFiles};
use k8s_sandbox::sim::trace::Trace;
use k8s_sandbox::sim::world::World;

// A binary's modules live beside it in `src/bin/`; this one's are kept in `src/bin/sandbox/`.
#[path = "sandbox/bench_serve.rs"]
mod bench_serve;
#[path = "sandbox/compare.rs"]
mod compare;
#[path = "sandbox/lessons.rs"]
mod lessons;
// Port-forward's SPDY links zlib, which only native builds carry; this tool runs natively (for wasm32
// it is only type-checked, by clippy's `--bins`).
#[cfg(not(target_arch = "wasm32"))]
#[path = "sandbox/portforward.rs"]
mod portforward;
#[path = "sandbox/serve.rs"]
mod serve;
#[path = "sandbox/story.rs"]
mod story;

const USAGE: &str = "usage:\n  sandbox run SCRIPT [--seed N] [--trace FILE] [--trace-window N]\n  \
                     sandbox bench --nodes N --pods M [--seed N]\n  \
                     sandbox serve [--address 127.0.0.1] [--port 6443] [--seed N] [--kubeconfig FILE] [--clock realtime|manual]\n  \
                     sandbox compare SCRIPT --kubectl PATH [--seed N] [--traces DIR]\n  \
                     sandbox story SCRIPT [--seed N] [--for DURATION]\n  \
                     sandbox bench-serve [--pods 1000] [--seed N]\n  \
                     sandbox lessons [--check] [DIR] [ID...]";
/// The options of `run` that take a value.
const RUN_OPTIONS: [&str; 3] = ["--seed", "--trace", "--trace-window"];

/// Value of `--name V` or `--name=V`.
fn opt(args: &[String], name: &str) -> Option<String> {
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name { args.get(i + 1).cloned() } else { a.strip_prefix(&format!("{name}=")).map(str::to_string) }
    })
}

fn number(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    match opt(args, name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("sandbox: {name} needs a number, got {v:?}")),
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let script_path = args.iter().find(|a| !a.starts_with("--") && !is_option_value(args, a)).ok_or(USAGE)?;
    let seed = number(args, "--seed", 1)?;
    let text = std::fs::read_to_string(script_path).map_err(|e| format!("sandbox: cannot read {script_path}: {e}"))?;
    let steps = script::parse(&text).map_err(|e| format!("sandbox: {script_path}: {e}"))?;
    let window = number(args, "--trace-window", Trace::DEFAULT_WINDOW as u64)?;
    let base = Path::new(script_path).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut world = World::new(seed);
    let trace_path = opt(args, "--trace");
    let cannot_write = |path: &str, e: std::io::Error| format!("sandbox: cannot write {path}: {e}");
    if let Some(path) = &trace_path {
        // Streamed rather than kept: a long script sends more messages than memory should hold.
        // Opened before running, so that a bad path fails at once.
        let file = File::create(path).map_err(|e| cannot_write(path, e))?;
        assert_eq!(world.k.trace.not_kept(), 0, "a new world keeps every message it has sent");
        world.k.trace.stream_to(Box::new(BufWriter::new(file)));
    }
    world.k.trace.set_window(usize::try_from(window).unwrap_or(usize::MAX));
    print!("{}", script::run(&mut world, &steps, &DiskFiles::new(base)));
    if let Some(path) = &trace_path {
        world.k.trace.finish_stream().map_err(|e| cannot_write(path, e))?;
    }
    Ok(())
}

fn is_option_value(args: &[String], a: &String) -> bool {
    is_value_of(args, a, &RUN_OPTIONS)
}

/// Whether `a` is the value of one of `options` (`--seed 7`), not a positional argument.
fn is_value_of(args: &[String], a: &String, options: &[&str]) -> bool {
    args.windows(2).any(|w| options.contains(&w[0].as_str()) && &w[1] == a)
}

/// Peak resident memory of this process (VmHWM), or 0 where /proc is not available.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("serve") => serve::run(&args[1..]),
        // Exit 1 when the transcripts differ (the diff is printed), 2 when the comparison cannot run.
        Some("compare") => match compare::run(&args[1..]) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Some("story") => (|| {
            let script: Vec<String> = args[1..]
                .iter()
                .filter(|a| !a.starts_with("--") && !is_value_of(&args, a, &["--seed", "--for"]))
                .cloned()
                .collect();
            story::run(&script, number(&args, "--seed", 1)?, opt(&args, "--for"))
        })(),
        Some("bench-serve") => (|| {
            let pods = u32::try_from(number(&args, "--pods", 1000)?).map_err(|_| "sandbox: --pods is too large")?;
            bench_serve::run(pods, number(&args, "--seed", 1)?)
        })(),
        // Exit 1 when a lesson's check misbehaves, 2 when the lessons cannot be read.
        Some("lessons") => match lessons::run(&args[1..]) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Some("bench") => (|| {
            let nodes = number(&args, "--nodes", 100)? as usize;
            let pods = number(&args, "--pods", 3000)? as usize;
            let seed = number(&args, "--seed", 1)?;
            let start = std::time::Instant::now();
            let clock = move || start.elapsed().as_secs_f64() * 1000.0;
            println!("{}", bench::run(nodes, pods, seed, &clock, &peak_rss).line());
            Ok(())
        })(),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
