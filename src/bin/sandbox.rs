//! Native headless runner: runs kubectl scripts against the simulated cluster and prints a transcript.

fn main() {
    eprintln!("sandbox: not implemented yet");
    std::process::exit(2);
}
