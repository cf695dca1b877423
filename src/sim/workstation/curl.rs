//! curl 8.5 on the learner's machine (not a container's): `curl [-s] [-i] [-I] [-v] [-f] [-H 'Host:
//! x'] [-o /dev/null] [-w FMT] http://localhost:PORT/PATH`. Options are read as the container's curl
//! reads them (`nettools/curl.rs`). `localhost`, `127.0.0.1` and `[::1]` reach a running
//! `kubectl port-forward`'s listener, or ports 80 and 443, which kind's Ingress guide maps to its
//! control-plane node (`kind_ports.rs`); any other local port refuses, any name but localhost does
//! not resolve (the sandbox has no internet), any other address does not answer.
//!
//! Its output is what curl writes to a terminal: the body, no progress meter (curl shows it only
//! when stdout is not a terminal; scripts run with `-s` to match).

use super::forward;
use crate::sim::kubectl::Output;
use crate::sim::node::behaviour::net::TCP_CONNECT_GIVE_UP;
use crate::sim::node::behaviour::nettools::curl::{Opts, parse};
use crate::sim::node::behaviour::nettools::default_host;
use crate::sim::node::behaviour::nettools::http::wire::{self, Parsed};
use crate::sim::node::behaviour::nettools::wget::{UrlError, parse_url};
use crate::sim::world::World;

/// What the machine's curl says it is (`curl -V` on Ubuntu 24.04).
const USER_AGENT: &str = "curl/8.5.0";

/// Where a connection went.
enum Reached {
    /// A port-forward's listener: its index and the pod port it feeds.
    Forward(usize, u16),
    /// Docker's proxy for kind's mapped port.
    KindMapping,
}

/// The addresses a host means, in the order curl tries them; None when it does not resolve.
fn addresses(host: &str) -> Option<Vec<String>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return Some(vec!["::1".into(), "127.0.0.1".into()]);
    }
    if crate::sim::node::behaviour::net::is_ipv4(bare) || bare.parse::<std::net::Ipv6Addr>().is_ok() {
        return Some(vec![bare.to_string()]);
    }
    None
}

fn loopback(address: &str) -> bool {
    address.starts_with("127.") || address == "::1"
}

/// The request curl writes: its method, the path, `Host`, its User-Agent and `Accept`.
fn request(o: &Opts, host: &str, path: &str) -> String {
    let method = if o.head { "HEAD" } else { "GET" };
    format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n\r\n")
}

/// `-v`'s account of the exchange (curl 8.5's wording), on stderr.
fn verbose(url_host: &str, address: &str, port: u16, sent: &str, got: Option<&Parsed>) -> String {
    let shown = if address.contains(':') { format!("[{address}]") } else { address.to_string() };
    let mut v = format!("*   Trying {shown}:{port}...\n* Connected to {url_host} ({address}) port {port}\n");
    for line in sent.trim_end_matches("\r\n").split("\r\n") {
        v.push_str(&format!("> {line}\n"));
    }
    v.push_str("> \n");
    let Some(r) = got else { return v };
    v.push_str(&format!("< {}\n", r.status_line));
    for (name, value) in &r.headers {
        v.push_str(&format!("< {name}: {value}\n"));
    }
    v.push_str("< \n");
    let closes = r.headers.iter().any(|(n, val)| n.eq_ignore_ascii_case("connection") && val == "close");
    v.push_str(&if closes {
        "* Closing connection\n".to_string()
    } else {
        format!("* Connection #0 to host {url_host} left intact\n")
    });
    v
}

/// Runs `curl ARGS` on the machine.
pub fn run(world: &mut World, args: &[String]) -> Output {
    let o = parse(args);
    let mut out = Output::default();
    let errors_shown = !o.silent || o.show_error;
    let fail = |mut out: Output, code: u8, msg: String| {
        out.failed = true;
        if errors_shown {
            out.stderr.push_str(&format!("curl: ({code}) {msg}\n"));
        }
        out
    };
    let Some(raw) = o.url.clone() else {
        out.err("curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information");
        return out;
    };
    let url = match parse_url(&raw) {
        Ok(u) => u,
        Err(UrlError::Scheme(s)) => return fail(out, 1, format!("Protocol \"{s}\" not supported")),
        Err(UrlError::NoHost) => return fail(out, 3, "URL rejected: No host part in the URL".into()),
        Err(UrlError::BadPort) => {
            return fail(out, 3, "URL rejected: Port number was not a decimal number between 0 and 65535".into());
        }
    };
    if let Some(file) = o.output.as_deref().filter(|f| !matches!(*f, "-" | "/dev/null")) {
        out.err(format!("curl: the sandbox's machine has no files to write {file} to; use -o /dev/null or leave -o out"));
        return out;
    }
    if url.https {
        out.stderr.push_str("curl https://: TLS is not simulated; the server answers as over plain HTTP\n");
    }
    let Some(addresses) = addresses(&url.host) else {
        return fail(out, 6, format!("Could not resolve host: {}", url.host));
    };
    let tried: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let reached = match world.workstation.forward_at(&tried, url.port) {
        Some((i, remote)) => Some(Reached::Forward(i, remote)),
        None if super::KIND_HOST_PORTS.contains(&url.port) => Some(Reached::KindMapping),
        None => None,
    };
    let Some(reached) = reached.filter(|_| tried.iter().any(|a| loopback(a))) else {
        if tried.iter().any(|a| loopback(a)) {
            let msg = format!("Failed to connect to {} port {} after 0 ms: Couldn't connect to server", url.host, url.port);
            return fail(out, 7, msg);
        }
        // Nothing on the machine's networks has that address: the SYNs go unanswered.
        world.run_for(TCP_CONNECT_GIVE_UP);
        let msg = format!(
            "Failed to connect to {} port {} after {TCP_CONNECT_GIVE_UP} ms: Couldn't connect to server",
            url.host, url.port
        );
        return fail(out, 28, msg);
    };
    let host = o.host_header.clone().unwrap_or_else(|| default_host(&url));
    let sent = request(&o, &host, &url.path);
    let reply = match reached {
        Reached::Forward(i, remote) => {
            let carried = forward::carry(world, i, url.port, remote, sent.as_bytes());
            out.stdout.push_str(&carried.stdout);
            out.stderr.push_str(&carried.stderr);
            carried.reply
        }
        Reached::KindMapping => super::kind_ports::connect(world, url.port, sent.as_bytes()),
    };
    let parsed = wire::parse_response(&reply);
    if o.verbose {
        let address = tried.iter().find(|a| loopback(a)).copied().unwrap_or_default();
        out.stderr.push_str(&verbose(&url.host, address, url.port, &sent, parsed.as_ref()));
    }
    let Some(r) = parsed else {
        return fail(out, 52, "Empty reply from server".into());
    };
    if o.fail && r.status >= 400 {
        return fail(out, 22, format!("The requested URL returned error: {}", r.status));
    }
    let head: String = std::iter::once(r.status_line.clone())
        .chain(r.headers.iter().map(|(n, v)| format!("{n}: {v}")))
        .map(|l| format!("{l}\n"))
        .collect();
    let shown = match (o.head, o.include) {
        (true, _) => format!("{head}\n"),
        (false, true) => format!("{head}\n{}", r.body),
        (false, false) => r.body.clone(),
    };
    if o.output.as_deref() != Some("/dev/null") {
        out.stdout.push_str(&shown);
    }
    if let Some(w) = &o.write_out {
        out.stdout.push_str(&w.replace("%{http_code}", &r.status.to_string()).replace("\\n", "\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_as_on_a_machine_without_internet() {
        assert_eq!(addresses("localhost"), Some(vec!["::1".to_string(), "127.0.0.1".to_string()]));
        assert_eq!(addresses("[::1]"), Some(vec!["::1".to_string()]));
        assert_eq!(addresses("127.0.0.1"), Some(vec!["127.0.0.1".to_string()]));
        assert_eq!(addresses("example.com"), None);
    }

    #[test]
    fn verbose_shows_both_directions() {
        let sent = "GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n";
        let got = wire::parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").expect("a response");
        assert_eq!(
            verbose("localhost", "::1", 8080, sent, Some(&got)),
            "*   Trying [::1]:8080...\n* Connected to localhost (::1) port 8080\n> GET / HTTP/1.1\n> Host: localhost:8080\n> \n< HTTP/1.1 200 OK\n< Content-Length: 2\n< \n* Connection #0 to host localhost left intact\n"
        );
    }
}
