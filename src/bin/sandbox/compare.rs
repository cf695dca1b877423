//! `sandbox compare SCRIPT --kubectl PATH [--seed N] [--traces DIR]`: the differential check of issue 15
//! (`--traces` keeps both runs' traces, `ours.trace` and `theirs.trace`, to diff by hand). The script
//! runs twice on the same seed: once through the sandbox's own kubectl, once through the kubectl
//! binary at PATH against `sandbox serve --clock manual` in this process (each `sleep` advances the
//! clock). The two transcripts are compared line by line; wherever they differ, the sandbox's kubectl
//! (or its server) is wrong until shown otherwise.
//!
//! A `kubectl ... &` runs in the background and the machine's own commands (`curl`, `kill`, `jobs`)
//! run for real (`machine.rs`); klog's headers, which carry the wall clock and a process id, are
//! evened out in both transcripts.

#[path = "compare/machine.rs"]
mod machine;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use k8s_sandbox::sim::kubectl::args::split_words;
use k8s_sandbox::sim::script::{self, DiskFiles, Step};
use k8s_sandbox::sim::world::World;

use super::serve::{self, Clock};

/// How long one real kubectl command may take (wall time) before it is taken to be waiting for ever.
const COMMAND_TIMEOUT_S: u64 = 60;
use super::{number, opt};

/// The transcript through the sandbox's own kubectl, and its trace.
fn ours(steps: &[Step], seed: u64, base: &Path) -> (String, Vec<String>) {
    let mut world = World::new(seed);
    let transcript = script::run(&mut world, steps, &DiskFiles::new(base));
    (transcript, serve::trace_lines(&world))
}

/// The transcript through the real kubectl at `kubectl`, against an in-process `sandbox serve`.
fn theirs(steps: &[Step], seed: u64, base: &Path, kubectl: &str) -> Result<(String, Vec<String>), String> {
    let (listener, port) = serve::bind("127.0.0.1", 0)?;
    let jobs = serve::start_world(seed, Clock::Manual);
    let accepting = jobs.clone();
    std::thread::spawn(move || serve::accept(listener, accepting, Clock::Manual));
    let dir = std::env::temp_dir().join(format!("sandbox-compare-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("sandbox compare: {e}"))?;
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, serve::kubeconfig("127.0.0.1", port)).map_err(|e| format!("sandbox compare: {e}"))?;
    let mut transcript = String::new();
    let mut machine = machine::Machine::default();
    for step in steps {
        match step {
            Step::Kubectl { command, .. } if command.trim_end().ends_with('&') => {
                transcript.push_str(&format!("$ {command}\n"));
                let line = command.trim_end().trim_end_matches('&').trim_end();
                let cmd = kubectl_command(kubectl, line, base, &dir, &kubeconfig)?;
                transcript.push_str(&machine.start(cmd, line)?);
            }
            Step::Kubectl { command, stdin, .. } => {
                transcript.push_str(&format!("$ {command}\n"));
                transcript.push_str(&machine.news());
                transcript.push_str(&run_kubectl(kubectl, command, stdin.as_deref(), base, &dir, &kubeconfig)?);
            }
            Step::Host { command, .. } => {
                transcript.push_str(&format!("$ {command}\n"));
                transcript.push_str(&machine.host(command)?);
            }
            Step::Sleep { text, ms, .. } => {
                transcript.push_str(&format!("$ sleep {text}\n"));
                serve::advance(&jobs, *ms).ok_or("sandbox compare: the simulation stopped")?;
            }
        }
    }
    machine.stop_all();
    let _ = std::fs::remove_dir_all(&dir);
    Ok((transcript, serve::trace(&jobs).unwrap_or_default()))
}

/// Where two traces part: the first message that differs, with the two before it.
fn first_divergence(a: &[String], b: &[String]) -> Option<String> {
    let at = a.iter().zip(b).position(|(x, y)| x != y).or((a.len() != b.len()).then(|| a.len().min(b.len())))?;
    let from = at.saturating_sub(2);
    let show = |t: &[String]| t.get(from..(at + 1).min(t.len())).unwrap_or_default().join("\n  ");
    Some(format!(
        "# the traces part at message {at} (of those kept):\n# the sandbox's kubectl:\n  {}\n# the real kubectl:\n  {}\n",
        show(a),
        show(b)
    ))
}

/// The real kubectl with `command`'s arguments, against the in-process server.
fn kubectl_command(kubectl: &str, command: &str, base: &Path, dir: &Path, kubeconfig: &PathBuf) -> Result<Command, String> {
    let words = split_words(command).map_err(|e| format!("sandbox compare: {command}: {e}"))?;
    let args = match words.first().map(String::as_str) {
        Some("kubectl" | "k") => &words[1..],
        _ => &words[..],
    };
    let args = bundled_urls_as_files(args, dir)?;
    let mut cmd = Command::new(kubectl);
    // Global flags first, so that they stay before a `--` of `exec`.
    cmd.arg("--kubeconfig").arg(kubeconfig).arg("--cache-dir").arg(dir.join("cache"));
    cmd.args(args).current_dir(base).env_remove("KUBECONFIG").env("HOME", dir);
    Ok(cmd)
}

fn run_kubectl(
    kubectl: &str,
    command: &str,
    stdin: Option<&str>,
    base: &Path,
    dir: &Path,
    kubeconfig: &PathBuf,
) -> Result<String, String> {
    let mut cmd = kubectl_command(kubectl, command, base, dir, kubeconfig)?;
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("sandbox compare: cannot run {kubectl}: {e}"))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        pipe.write_all(text.as_bytes()).map_err(|e| format!("sandbox compare: {e}"))?;
    }
    // Closing stdin (end of input) lets a command that reads it finish.
    child.stdin = None;
    // A command that waits for the cluster (`rollout status`, `wait`, `delete` of a namespace) would wait
    // for ever: nothing moves the manual clock while it runs. Stop it and say so in the transcript.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(COMMAND_TIMEOUT_S);
    while child.try_wait().map_err(|e| format!("sandbox compare: {e}"))?.is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().map_err(|e| format!("sandbox compare: {e}"))?;
            return Ok(format!(
                "{}{}# sandbox compare: stopped after {COMMAND_TIMEOUT_S} s: this command waits for the cluster, and --clock manual moves only between commands\n",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let out = child.wait_with_output().map_err(|e| format!("sandbox compare: {e}"))?;
    Ok(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The machine has no internet either: a `-f URL` the sandbox bundles (kind's Ingress guide) is handed
/// to the real kubectl as a local file with the same bytes, so that both read the same manifest.
fn bundled_urls_as_files(args: &[String], dir: &Path) -> Result<Vec<String>, String> {
    use k8s_sandbox::sim::ingress::manifest;
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let (prefix, value) = match a.split_once('=') {
            Some((flag @ ("-f" | "--filename"), v)) => (format!("{flag}="), v),
            _ => (String::new(), a.as_str()),
        };
        match manifest::bundled(value) {
            Some(text) => {
                // One file per argument: two bundled URLs must not overwrite each other.
                let file = dir.join(format!("bundled-manifest-{i}.yaml"));
                std::fs::write(&file, text).map_err(|e| format!("sandbox compare: {e}"))?;
                out.push(format!("{prefix}{}", file.display()));
            }
            None => out.push(a.clone()),
        }
    }
    Ok(out)
}

/// A unified diff (three lines of context) of `a` and `b`; empty when they are the same.
pub fn unified_diff(a: &str, b: &str, a_name: &str, b_name: &str) -> String {
    let (x, y): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    if x == y {
        return String::new();
    }
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0u32; y.len() + 1]; x.len() + 1];
    for i in (0..x.len()).rev() {
        for j in (0..y.len()).rev() {
            lcs[i][j] = if x[i] == y[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    // The edit script: (' ' | '-' | '+', line, index in a, index in b).
    let mut ops: Vec<(char, &str, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < x.len() || j < y.len() {
        if i < x.len() && j < y.len() && x[i] == y[j] {
            ops.push((' ', x[i], i, j));
            (i, j) = (i + 1, j + 1);
        } else if i < x.len() && (j == y.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', x[i], i, j));
            i += 1;
        } else {
            ops.push(('+', y[j], i, j));
            j += 1;
        }
    }
    let mut out = format!("--- {a_name}\n+++ {b_name}\n");
    let changed: Vec<usize> = ops.iter().enumerate().filter(|(_, o)| o.0 != ' ').map(|(k, _)| k).collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 7 {
            end = changed[k];
            k += 1;
        }
        let end = (end + 4).min(ops.len());
        let hunk = &ops[start..end];
        let (a_len, b_len) = (hunk.iter().filter(|o| o.0 != '+').count(), hunk.iter().filter(|o| o.0 != '-').count());
        out.push_str(&format!("@@ -{},{a_len} +{},{b_len} @@\n", hunk[0].2 + 1, hunk[0].3 + 1));
        for (op, line, _, _) in hunk {
            out.push_str(&format!("{op}{line}\n"));
        }
    }
    out
}

/// Runs the comparison; Ok(true) when the transcripts are identical.
pub fn run(args: &[String]) -> Result<bool, String> {
    let script_path = args
        .iter()
        .enumerate()
        .find(|(i, a)| {
            !a.starts_with("--") && (*i == 0 || !matches!(args[i - 1].as_str(), "--kubectl" | "--seed" | "--traces"))
        })
        .map(|(_, a)| a.clone())
        .ok_or("usage: sandbox compare SCRIPT --kubectl PATH [--seed N] [--traces DIR]")?;
    let kubectl = opt(args, "--kubectl").ok_or("sandbox compare: --kubectl PATH is required")?;
    let seed = number(args, "--seed", 1)?;
    let text = std::fs::read_to_string(&script_path)
        .map_err(|e| format!("sandbox compare: cannot read {script_path}: {e}"))?;
    let steps = script::parse(&text).map_err(|e| format!("sandbox compare: {script_path}: {e}"))?;
    let base = Path::new(&script_path).parent().map(Path::to_path_buf).unwrap_or_default();
    let base = if base.as_os_str().is_empty() { PathBuf::from(".") } else { base };
    let (a, a_trace) = ours(&steps, seed, &base);
    let (b, b_trace) = theirs(&steps, seed, &base, &kubectl)?;
    let (a, b) = (machine::normalize_klog(&a), machine::normalize_klog(&b));
    let diff = unified_diff(
        &a,
        &b,
        &format!("{script_path} (the sandbox's kubectl, seed {seed})"),
        &format!("{script_path} ({kubectl} through sandbox serve, seed {seed})"),
    );
    print!("{diff}");
    if let Some(dir) = opt(args, "--traces") {
        let dir = Path::new(&dir);
        let write = |name: &str, t: &[String]| std::fs::write(dir.join(name), t.join("\n") + "\n");
        write("ours.trace", &a_trace)
            .and_then(|()| write("theirs.trace", &b_trace))
            .map_err(|e| format!("sandbox compare: --traces {}: {e}", dir.display()))?;
    }
    if !diff.is_empty()
        && let Some(why) = first_divergence(&a_trace, &b_trace)
    {
        print!("{why}");
    }
    Ok(diff.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_changed_lines_with_context() {
        assert_eq!(unified_diff("a\nb\n", "a\nb\n", "x", "y"), "");
        let d = unified_diff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n", "x", "y");
        assert_eq!(d, "--- x\n+++ y\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
        let added = unified_diff("a\n", "a\nb\n", "x", "y");
        assert_eq!(added, "--- x\n+++ y\n@@ -1,1 +1,2 @@\n a\n+b\n");
    }
}
