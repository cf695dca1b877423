//! Network programs in a container: busybox's `nslookup`, `wget`, `nc` and `ping`, curl, bind's `dig`
//! and `host`, and what the servers answer them. Each asks the pod's network (`Ctx::net`) and prints what the real program
//! prints, with its exit code; a wait for an answer that never comes is added to `Exec::waited`.
//!
//! Where there is no network view (a container's own start-up script, decided when it starts; probes)
//! the programs are not simulated: they succeed at once, silently, and say so in the notes.

pub(crate) mod curl;
mod dig;
pub mod http;
mod nc;
mod nslookup;
pub(crate) mod wget;

use super::interp::{Effect, Exec};
use super::net::resolver::{Lookup, ResolvConf, getaddrinfo};
use super::net::{Connect, Network};
use super::{Line, Step};
use crate::sim::time::Millis;

/// Whether `program` is one of bind's tools that `image` (its short name) lacks.
pub fn missing_from(image: &str, program: &str) -> bool {
    matches!(program, "dig" | "host") && !dig::has_bind_tools(image)
}

/// Runs `name` if it is a network program.
pub fn run(ex: &mut Exec<'_>, name: &str, rest: &[String]) -> Option<Effect> {
    if !matches!(name, "nslookup" | "wget" | "curl" | "nc" | "ncat" | "netcat" | "ping" | "dig" | "host") {
        return None;
    }
    if missing_from(ex.ctx.image, name) {
        // Called from a shell: the program is not in the image (dash's words; busybox's without `1: `).
        let shell = if ex.ctx.busybox { "sh" } else { "sh: 1" };
        return Some(Effect::fail(127, format!("{shell}: {name}: not found")));
    }
    let Some(net) = ex.ctx.net else {
        // A client loop's requests load the server they reach; their output is not simulated.
        let url = rest.iter().rev().find(|a| !a.starts_with('-'));
        if let (true, Some(Ok(u))) = (matches!(name, "wget" | "curl"), url.map(|u| wget::parse_url(u))) {
            ex.note(format!("{name} in a container's own command is not simulated: it succeeds, loading the server"));
            return Some(Effect { steps: vec![Step::Request { host: u.host, port: u.port }], ..Effect::default() });
        }
        ex.note(format!("{name} in a container's own command is not simulated: it succeeds at once"));
        return Some(Effect { steps: vec![Step::Work(150)], ..Effect::default() });
    };
    Some(match name {
        "nslookup" => nslookup::run(ex, net, rest),
        "wget" => wget::run(ex, net, rest),
        "curl" => curl::run(ex, net, rest),
        "ping" => nc::ping(ex, net, rest),
        "dig" => dig::dig(ex, net, rest),
        "host" => dig::host(ex, net, rest),
        _ => nc::nc(ex, net, rest),
    })
}

/// The container's `/etc/resolv.conf` (the kubelet writes it; see `kubelet/dns.rs`).
fn resolv_conf(ex: &Exec<'_>) -> ResolvConf {
    ResolvConf::parse(&ex.read("/etc/resolv.conf").unwrap_or_default())
}

/// How long the C library waits for a nameserver that does not answer: musl (busybox and alpine
/// images) 5 s in all; glibc 5 s per attempt, 2 attempts (resolv.conf(5) `timeout`, `attempts`).
fn resolver_timeout(ex: &Exec<'_>) -> Millis {
    if ex.ctx.busybox { 5_000 } else { 10_000 }
}

/// `getaddrinfo` from this container, with the time it took added to the exec's wait.
fn lookup(ex: &mut Exec<'_>, net: &dyn Network, host: &str) -> Lookup {
    let conf = resolv_conf(ex);
    let l = getaddrinfo(net, &conf, host, resolver_timeout(ex));
    ex.waited += l.took;
    l
}

/// A connection attempt; an unanswered one waits `give_up` (the kernel's or the program's limit).
fn connect(ex: &mut Exec<'_>, net: &dyn Network, ip: &str, port: u16, give_up: Millis) -> Connect {
    let c = net.connect(ip, port);
    if c == Connect::TimedOut {
        ex.waited += give_up;
    }
    c
}

/// The value of a `Host:` header line (`-H 'Host: foo.local'`), if that is what it is.
fn host_header(line: &str) -> Option<String> {
    let (name, value) = line.split_once(':')?;
    name.trim().eq_ignore_ascii_case("host").then(|| value.trim().to_string()).filter(|v| !v.is_empty())
}

/// The `Host` header a client sends for a URL: its host, with the port when it is not the scheme's.
pub(crate) fn default_host(url: &wget::Url) -> String {
    let default_port = if url.https { 443 } else { 80 };
    if url.port == default_port { url.host.clone() } else { format!("{}:{}", url.host, url.port) }
}

/// Text split into output lines (a trailing newline ends the last line, it does not add one).
fn lines(text: &str) -> Vec<Line> {
    let t = text.strip_suffix('\n').unwrap_or(text);
    t.split('\n').map(Line::text).collect()
}

/// busybox's usage message for an applet (`bb_show_usage`), on stderr with exit status 1.
fn busybox_usage(usage: &str) -> Effect {
    let text = format!("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: {usage}");
    Effect { status: 1, err: lines(&text), ..Effect::default() }
}

#[cfg(test)]
pub(crate) mod fake;

#[cfg(test)]
mod tests;
