//! The learner's own machine, where the terminal's commands run: kubectl, and the programs a guide
//! has you type next to it (`curl localhost:8080`). It holds what outlives one command there: the
//! listeners of the `kubectl port-forward`s still running, and kind's port mappings to its node.
//!
//! ```text
//!   terminal ── kubectl port-forward pod/web 8080:80 ──► listeners 127.0.0.1:8080, [::1]:8080 (here)
//!   terminal ── curl localhost:8080 ──► listener ──► "Handling connection for 8080"
//!            ──► POST pods/web/portforward ──► apiserver ──► kubelet ──► runtime ──► pod's :80
//! ```
//! A forward's kubectl is a process of its own, as with `&` in a shell: the terminal goes on taking
//! commands, and what the forward prints (`Handling connection for 8080`, its errors) appears when
//! a connection goes through it. Ctrl+C (or `kill %N`) ends it.

pub mod curl;
mod forward;
mod kind_ports;

use crate::sim::kubectl::Output;
use crate::sim::rng::Rng;
use crate::sim::world::World;

/// The host ports kind's Ingress guide maps to its control-plane node's ports (`extraPortMappings`,
/// `containerPort: 80 → hostPort: 80`, `443 → 443`); Docker's proxy listens on them on every address.
pub const KIND_HOST_PORTS: [u16; 2] = [80, 443];

/// Linux's ephemeral port range (`net.ipv4.ip_local_port_range`), where port 0 binds.
const EPHEMERAL: std::ops::RangeInclusive<u16> = 32768..=60999;

/// One address kubectl listens on (client-go's `listenAddress`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListenAddress {
    /// `127.0.0.1`, `::1`, `0.0.0.0`.
    pub address: String,
    /// Go's network: `tcp4` or `tcp6`.
    pub network: String,
    /// `localhost`'s two addresses fail a port only when both fail (`failureMode: "all"`); an
    /// address given by itself fails it alone (`"any"`).
    pub all: bool,
}

/// What `kubectl port-forward` asks of the machine: a listener on each address for each port pair,
/// feeding connections to `namespace/pod`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListenRequest {
    pub namespace: String,
    pub pod: String,
    /// The command line, as `jobs` and `kill` name the job.
    pub command: String,
    /// In client-go's order (sorted by address).
    pub addresses: Vec<ListenAddress>,
    /// `(local, remote)`; local 0 is any free port (the first listener's choice is the others').
    pub ports: Vec<(u16, u16)>,
}

/// client-go's `listenOnPort` verdict on one port's binds (one per address, in order).
pub fn port_failed(addresses: &[ListenAddress], results: &[Result<u16, String>]) -> bool {
    let count = |all: bool, ok: bool| {
        addresses.iter().zip(results).filter(|(a, r)| a.all == all && r.is_ok() == ok).count()
    };
    (count(true, true) == 0 && count(true, false) > 0) || count(false, false) > 0
}

/// For each port pair, each address's bind: the local port bound, or the system's error
/// (`listen tcp4 127.0.0.1:80: bind: address already in use`).
pub type Binds = Vec<Vec<Result<u16, String>>>;

/// One listening socket of a forward.
#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    pub address: String,
    pub local: u16,
    pub remote: u16,
}

/// A `kubectl port-forward` still running.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// The shell's job number (`[1]`).
    pub job: u32,
    pub command: String,
    pub namespace: String,
    pub pod: String,
    pub listeners: Vec<Listener>,
}

/// The learner's machine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workstation {
    /// The forwards running, oldest first.
    pub forwards: Vec<Forward>,
}

/// Whether two listeners collide: the same port, on the same address or a wildcard of its family.
fn collide(a: &str, b: &str) -> bool {
    let v6 = |x: &str| x.contains(':');
    let wildcard = |x: &str| x == "0.0.0.0" || x == "::";
    a == b || (v6(a) == v6(b) && (wildcard(a) || wildcard(b)))
}

/// Whether the machine has `address` to bind (its loopbacks and wildcards; a LAN address it does
/// not know is "cannot assign requested address").
fn local_address(address: &str) -> bool {
    address.starts_with("127.") || matches!(address, "::1" | "0.0.0.0" | "::")
}

impl Workstation {
    /// Whether `address:port` is taken: by a forward's listener, or by kind's mapped ports.
    fn taken(&self, address: &str, port: u16) -> bool {
        KIND_HOST_PORTS.contains(&port)
            || self.forwards.iter().flat_map(|f| &f.listeners).any(|l| l.local == port && collide(&l.address, address))
    }

    /// A free ephemeral port for `address`, drawn as the kernel would hand one out.
    fn ephemeral(&self, address: &str, rng: &mut Rng) -> u16 {
        let span = u64::from(EPHEMERAL.end() - EPHEMERAL.start()) + 1;
        loop {
            let port = EPHEMERAL.start() + u16::try_from(rng.below(span)).unwrap_or(0);
            if !self.taken(address, port) {
                return port;
            }
        }
    }

    /// Binds what kubectl asked for, as Go's `net.Listen` would on this machine, and keeps the
    /// listeners that bound as a new forward (kubectl serves them even when others failed; with
    /// none, it exits and there is no forward).
    pub fn listen(&mut self, req: &ListenRequest, rng: &mut Rng) -> Binds {
        let mut listeners = Vec::new();
        let mut binds = Vec::new();
        for &(local, remote) in &req.ports {
            let mut local = local;
            let mut results = Vec::new();
            for ListenAddress { address, network, .. } in &req.addresses {
                let shown = if address.contains(':') { format!("[{address}]") } else { address.clone() };
                let result = if !local_address(address) {
                    Err(format!("listen {network} {shown}:{local}: bind: cannot assign requested address"))
                } else if local != 0 && self.taken(address, local) {
                    Err(format!("listen {network} {shown}:{local}: bind: address already in use"))
                } else {
                    // client-go keeps the port the first listener got for the port's other addresses.
                    if local == 0 {
                        local = self.ephemeral(address, rng);
                    }
                    listeners.push(Listener { address: address.clone(), local, remote });
                    Ok(local)
                };
                results.push(result);
            }
            binds.push(results);
        }
        // kubectl exits when no port could listen (`unable to listen on any of the requested
        // ports`); a port that failed while others listen keeps what it bound, as client-go does.
        if binds.iter().all(|b| port_failed(&req.addresses, b)) {
            listeners.clear();
        }
        if !listeners.is_empty() {
            let job = self.forwards.iter().map(|f| f.job).max().unwrap_or(0) + 1;
            let (namespace, pod, command) = (req.namespace.clone(), req.pod.clone(), req.command.clone());
            self.forwards.push(Forward { job, command, namespace, pod, listeners });
        }
        binds
    }

    /// The forward listening where a connection to `address:port` lands, and the pod port it feeds:
    /// the first of `addresses` with a listener (`localhost` is `::1`, then `127.0.0.1`, as curl's
    /// happy eyeballs settle on the one that answers).
    pub fn forward_at(&self, addresses: &[&str], port: u16) -> Option<(usize, u16)> {
        let reaches = |listener: &str, dialled: &str| {
            listener == dialled
                || (listener == "0.0.0.0" && !dialled.contains(':'))
                || (listener == "::" && dialled.contains(':'))
        };
        addresses.iter().find_map(|a| {
            self.forwards.iter().enumerate().find_map(|(i, f)| {
                f.listeners.iter().find(|l| l.local == port && reaches(&l.address, a)).map(|l| (i, l.remote))
            })
        })
    }
}

/// Whether a terminal line is a command of the machine's own (not kubectl's): what
/// [`run`] takes.
pub fn is_host_command(line: &str) -> bool {
    matches!(line.split_whitespace().next(), Some("curl" | "kill" | "jobs"))
}

/// Runs one of the machine's commands: `curl ...`, `kill %N` (ends a job), `jobs`.
pub fn run(world: &mut World, line: &str) -> Output {
    let mut out = Output::default();
    let words = match crate::sim::kubectl::args::split_words(line) {
        Ok(w) => w,
        Err(e) => {
            out.err(format!("bash: {e}"));
            return out;
        }
    };
    match words.first().map(String::as_str) {
        Some("curl") => curl::run(world, &words[1..]),
        Some("kill") => kill(world, &words[1..]),
        Some("jobs") => {
            out.stdout = jobs(&world.workstation);
            out
        }
        _ => {
            out.err(format!("{}: command not found", words.first().map_or("", String::as_str)));
            out
        }
    }
}

/// One line of bash's job reports: `[1]+  Running                 kubectl port-forward ... &`
/// (`mark` is `+` for the current job, `-` for the previous one).
pub fn job_line(job: u32, mark: char, status: &str, command: &str) -> String {
    format!("[{job}]{mark}  {status:<24}{command}\n")
}

/// The `jobs` marks of `n` jobs in order: the last is current (`+`), the one before previous (`-`).
pub fn job_marks(n: usize) -> impl Iterator<Item = char> {
    (0..n).map(move |i| if i + 1 == n { '+' } else if i + 2 == n { '-' } else { ' ' })
}

/// bash's `jobs` for the forwards running.
fn jobs(w: &Workstation) -> String {
    let marks = job_marks(w.forwards.len());
    w.forwards.iter().zip(marks).map(|(f, m)| job_line(f.job, m, "Running", &format!("{} &", f.command))).collect()
}

/// How bash reports a job a signal ended: `-INT`/`-2` Interrupt, `-KILL`/`-9` Killed, else (the
/// default SIGTERM) Terminated.
pub fn ended_by(signal: Option<&str>) -> &'static str {
    match signal.map(|s| s.trim_start_matches('-').trim_start_matches("SIG")) {
        Some("INT" | "2") => "Interrupt",
        Some("KILL" | "9") => "Killed",
        _ => "Terminated",
    }
}

/// What `kill ARGS` asks: the signal given (`-INT`, `-9`), and the job of `jobs` (their numbers,
/// oldest first) it names (`%N`, `%%`/`%+`/`%` the current, `%-` the previous), or bash's error.
pub fn kill_target<'a>(args: &'a [String], jobs: &[u32]) -> Result<(Option<&'a str>, usize), String> {
    let signal = args.iter().find(|a| a.starts_with('-') && !a.starts_with("-%")).map(String::as_str);
    let Some(spec) = args.iter().find(|a| !a.starts_with('-') || a.starts_with("-%")).map(String::as_str) else {
        return Err("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]".into());
    };
    let index = match spec {
        "%%" | "%+" | "%" => jobs.len().checked_sub(1),
        "%-" => jobs.len().checked_sub(2),
        s => match s.strip_prefix('%').and_then(|n| n.parse::<u32>().ok()) {
            Some(n) => jobs.iter().position(|j| *j == n),
            None if s.starts_with('%') => None,
            None => return Err(format!("bash: kill: ({s}) - No such process")),
        },
    };
    index.map(|i| (signal, i)).ok_or_else(|| format!("bash: kill: {spec}: no such job"))
}

/// `kill [-SIGNAL] %N`: signals a forward's kubectl, which ends; bash reports it
/// (`[1]+  Terminated              kubectl port-forward ...`).
fn kill(world: &mut World, args: &[String]) -> Output {
    let mut out = Output::default();
    let w = &mut world.workstation;
    let numbers: Vec<u32> = w.forwards.iter().map(|f| f.job).collect();
    match kill_target(args, &numbers) {
        Ok((signal, i)) => {
            let mark = job_marks(numbers.len()).nth(i).unwrap_or(' ');
            let f = w.forwards.remove(i);
            out.stdout = job_line(f.job, mark, ended_by(signal), &f.command);
        }
        Err(e) => out.err(e),
    }
    out
}

#[cfg(test)]
mod tests;
