//! The learner's machine for the real kubectl: a `kubectl ... &` runs in the background (its output
//! collected as it comes, and shown with the next command's, as in a terminal), and the machine's
//! own commands run for real: this machine's `curl`; the shell's `kill %N` and `jobs`, worded as
//! bash words them (`sim::workstation`'s `job_line`, so both transcripts share the shell's part).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_sandbox::sim::kubectl::args::split_words;
use k8s_sandbox::sim::workstation::{ended_by, job_line, job_marks, kill_target};

/// How long a background command may take to say something (it prints once it listens).
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a background command's output is given to arrive after a command that provoked it.
const SETTLE: Duration = Duration::from_millis(300);

/// A background command.
struct Job {
    number: u32,
    command: String,
    child: Child,
    output: Arc<Mutex<String>>,
    /// How much of `output` the transcript has shown.
    shown: usize,
}

/// The background jobs of the script's shell.
#[derive(Default)]
pub struct Machine {
    jobs: Vec<Job>,
}

/// Collects what `pipe` writes into `into`, on a thread of its own.
fn collect(mut pipe: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut s) = into.lock() {
                s.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
    });
}

impl Machine {
    /// Starts `cmd` (the line `command`, without its `&`) in the background and returns what it
    /// printed once it has started (listening, or failed and exited).
    pub fn start(&mut self, mut cmd: Command, command: &str) -> Result<String, String> {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| format!("sandbox compare: {command}: {e}"))?;
        let output = Arc::new(Mutex::new(String::new()));
        if let Some(out) = child.stdout.take() {
            collect(out, output.clone());
        }
        if let Some(err) = child.stderr.take() {
            collect(err, output.clone());
        }
        let deadline = Instant::now() + START_TIMEOUT;
        let said = |o: &Arc<Mutex<String>>| o.lock().map(|s| s.ends_with('\n')).unwrap_or(true);
        while !said(&output) && child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(SETTLE);
        let number = self.jobs.iter().map(|j| j.number).max().unwrap_or(0) + 1;
        self.jobs.push(Job { number, command: command.to_string(), child, output, shown: 0 });
        Ok(self.news())
    }

    /// What the background jobs printed since last shown; a job that has exited is gone after.
    pub fn news(&mut self) -> String {
        let mut text = String::new();
        for j in &mut self.jobs {
            let all = j.output.lock().map(|s| s.clone()).unwrap_or_default();
            text.push_str(all.get(j.shown..).unwrap_or_default());
            j.shown = all.len();
        }
        self.jobs.retain_mut(|j| j.child.try_wait().ok().flatten().is_none());
        text
    }

    /// Runs one of the machine's commands: `curl` for real (after it, what the jobs printed meanwhile
    /// comes first, as a terminal would have shown it first), `kill`, `jobs`.
    pub fn host(&mut self, command: &str) -> Result<String, String> {
        let words = split_words(command).map_err(|e| format!("sandbox compare: {command}: {e}"))?;
        let (name, args) = words.split_first().ok_or("sandbox compare: an empty command")?;
        match name.as_str() {
            "curl" => {
                let out = Command::new("curl")
                    .args(args)
                    .stdin(Stdio::null())
                    .output()
                    .map_err(|e| format!("sandbox compare: cannot run curl: {e}"))?;
                std::thread::sleep(SETTLE);
                let jobs = self.news();
                Ok(format!("{jobs}{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
            }
            "jobs" => {
                let _ = self.news();
                let marks = job_marks(self.jobs.len());
                Ok(self.jobs.iter().zip(marks).map(|(j, m)| job_line(j.number, m, "Running", &format!("{} &", j.command))).collect())
            }
            "kill" => {
                let _ = self.news();
                let numbers: Vec<u32> = self.jobs.iter().map(|j| j.number).collect();
                let (signal, i) = match kill_target(args, &numbers) {
                    Ok(t) => t,
                    Err(e) => return Ok(format!("{e}\n")),
                };
                let mark = job_marks(numbers.len()).nth(i).unwrap_or(' ');
                let mut j = self.jobs.remove(i);
                let sig = signal.map_or("TERM".to_string(), |s| s.trim_start_matches('-').to_string());
                let _ = Command::new("kill").args(["-s", &sig, &j.child.id().to_string()]).status();
                let _ = j.child.wait();
                Ok(job_line(j.number, mark, ended_by(signal), &j.command))
            }
            other => Err(format!("sandbox compare: {other} is not a command of the machine")),
        }
    }

    /// Ends every job still running (the script is over).
    pub fn stop_all(&mut self) {
        for j in &mut self.jobs {
            let _ = j.child.kill();
            let _ = j.child.wait();
        }
        self.jobs.clear();
    }
}

/// klog's header carries the wall clock and the process id (`E1207 22:02:12.212259   19297 `);
/// both runs' are written as the sandbox's fixed ones are, so that the rest of the line compares.
pub fn normalize_klog(transcript: &str) -> String {
    transcript
        .lines()
        .map(|l| {
            let b = l.as_bytes();
            let header = b.len() > 30
                && matches!(b[0], b'E' | b'W' | b'I')
                && b[1..5].iter().all(u8::is_ascii_digit)
                && l[5..].starts_with(' ')
                && l.find("] ").is_some_and(|e| l[..e].contains(".go:"));
            match (header, l.find(".go:")) {
                (true, Some(go)) => {
                    let file = l[..go].rsplit(' ').next().unwrap_or_default();
                    format!("{}MMDD hh:mm:ss.uuuuuu PID {file}{}", &l[..1], &l[go..])
                }
                _ => l.to_string(),
            }
        })
        .map(|l| l + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn klog_headers_are_evened_out() {
        assert_eq!(
            normalize_klog("E1207 22:02:12.212259   19297 portforward.go:424] \"Unhandled Error\" err=\"x\"\nEvents:\n"),
            "EMMDD hh:mm:ss.uuuuuu PID portforward.go:424] \"Unhandled Error\" err=\"x\"\nEvents:\n"
        );
    }
}
