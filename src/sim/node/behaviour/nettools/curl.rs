//! curl 8: the body to stdout and, since `kubectl exec` without `-t` gives it no terminal, its
//! progress meter on stderr (`-s` hides both the meter and errors, `-S` shows errors again).
//!
//! Its errors (lib/connect.c, lib/multi.c, src/tool_operate.c): `curl: (6) Could not resolve host:
//! H`, `curl: (7) Failed to connect to H port P after N ms: Couldn't connect to server`, `curl: (28)
//! Connection timed out after N milliseconds` (`--connect-timeout`, `-m`), `curl: (22) The requested
//! URL returned error: 404` (`-f`), `curl: (52) Empty reply from server`.

use super::super::Line;
use super::super::interp::{Effect, Exec};
use super::super::net::{Connect, Network, TCP_CONNECT_GIVE_UP};
use super::http::{self, Response};
use super::wget::{UrlError, parse_url};
use super::{connect, lines, lookup};

/// The options the simulation's curls use (the container's, and the learner's machine's in
/// `sim::workstation::curl`).
#[derive(Debug, Default)]
pub(crate) struct Opts {
    pub silent: bool,
    /// `-v`: the connection's steps and the headers on stderr.
    pub verbose: bool,
    pub show_error: bool,
    pub fail: bool,
    pub head: bool,
    pub include: bool,
    pub output: Option<String>,
    /// `--connect-timeout` or `-m`, whichever is shorter (seconds).
    pub limit_s: Option<f64>,
    pub write_out: Option<String>,
    /// `-H 'Host: ...'`: the virtual host asked for instead of the URL's.
    pub host_header: Option<String>,
    pub url: Option<String>,
}

/// Long options that take a value (their value is skipped when not used).
const VALUED: &[&str] = &["data", "request", "user-agent", "user", "cacert", "resolve", "retry", "data-raw", "referer"];

pub(crate) fn parse(rest: &[String]) -> Opts {
    let mut o = Opts::default();
    let limit = |o: &mut Opts, v: Option<String>| {
        if let Some(s) = v.and_then(|v| v.parse::<f64>().ok()).filter(|s| s.is_finite() && *s > 0.0) {
            o.limit_s = Some(o.limit_s.map_or(s, |l| l.min(s)));
        }
    };
    let mut i = 0;
    while let Some(a) = rest.get(i) {
        i += 1;
        if let Some(name) = a.strip_prefix("--") {
            let mut value = || rest.get(i).inspect(|_| i += 1).cloned();
            match name {
                "silent" => o.silent = true,
                "verbose" => o.verbose = true,
                "show-error" => o.show_error = true,
                "fail" => o.fail = true,
                "head" => o.head = true,
                "include" => o.include = true,
                "output" => o.output = value(),
                "max-time" | "connect-timeout" => limit(&mut o, value()),
                "write-out" => o.write_out = value(),
                "url" => o.url = value(),
                "header" => o.host_header = value().as_deref().and_then(super::host_header).or(o.host_header.take()),
                n if VALUED.contains(&n) => {
                    let _ = value();
                }
                _ => {}
            }
        } else if a.len() > 1 && a.starts_with('-') {
            let flags: Vec<char> = a[1..].chars().collect();
            for (j, c) in flags.iter().enumerate() {
                let attached: String = flags[j + 1..].iter().collect();
                let mut value = || {
                    if attached.is_empty() { rest.get(i).inspect(|_| i += 1).cloned() } else { Some(attached.clone()) }
                };
                match c {
                    's' => o.silent = true,
                    'v' => o.verbose = true,
                    'S' => o.show_error = true,
                    'f' => o.fail = true,
                    'I' => o.head = true,
                    'i' => o.include = true,
                    'o' => o.output = value(),
                    'm' => limit(&mut o, value()),
                    'w' => o.write_out = value(),
                    'H' => o.host_header = value().as_deref().and_then(super::host_header).or(o.host_header.take()),
                    'd' | 'X' | 'A' | 'u' | 'e' | 'x' => {
                        let _ = value();
                    }
                    _ => continue,
                }
                if matches!(c, 'o' | 'm' | 'w' | 'H' | 'd' | 'X' | 'A' | 'u' | 'e' | 'x') {
                    break;
                }
            }
        } else if o.url.is_none() {
            o.url = Some(a.clone());
        }
    }
    o
}

/// curl's `max5data`: five columns, bytes then k, M, G.
fn max5(n: u64) -> String {
    if n < 100_000 {
        format!("{n:>5}")
    } else if n < 10_000 * 1024 {
        format!("{:>4}k", n / 1024)
    } else {
        format!("{:>4}M", n / (1024 * 1024))
    }
}

/// The meter's header and its last line. The transfer is taken to last 1 ms (the simulation has no
/// bandwidth), so the speed shown is the size per millisecond.
fn meter(size: u64) -> Vec<Line> {
    let pct = if size == 0 { 0 } else { 100 };
    let speed = max5(size * 1000);
    vec![
        Line::text("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current"),
        Line::text("                                 Dload  Upload   Total   Spent    Left  Speed"),
        Line::text(format!(
            "{pct:>3} {}  {pct:>3} {}    0     0  {speed}      0 --:--:-- --:--:-- --:--:-- {speed}",
            max5(size),
            max5(size)
        )),
    ]
}

pub fn run(ex: &mut Exec<'_>, net: &dyn Network, rest: &[String]) -> Effect {
    let o = parse(rest);
    let errors_shown = !o.silent || o.show_error;
    let fail = |code: i32, msg: String| {
        let mut e = Effect::status(code);
        if errors_shown {
            e.err.push(Line::text(format!("curl: ({code}) {msg}")));
        }
        e
    };
    let Some(raw) = o.url.clone() else {
        return Effect {
            status: 2,
            err: lines("curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information"),
            ..Effect::default()
        };
    };
    let url = match parse_url(&raw) {
        Ok(u) => u,
        Err(UrlError::Scheme(s)) => return fail(1, format!("Protocol \"{s}\" not supported")),
        Err(UrlError::NoHost) => return fail(3, "URL rejected: No host part in the URL".into()),
        Err(UrlError::BadPort) => {
            return fail(3, "URL rejected: Port number was not a decimal number between 0 and 65535".into());
        }
    };
    if url.https {
        ex.note("curl https://: TLS is not simulated; the server answers as over plain HTTP".into());
    }
    let ip = match lookup(ex, net, &url.host).result {
        Ok(ips) => ips.into_iter().next().unwrap_or_default(),
        Err(_) => return fail(6, format!("Could not resolve host: {}", url.host)),
    };
    let limit_ms = o.limit_s.map(|s| (s * 1000.0) as u64);
    let give_up = limit_ms.map_or(TCP_CONNECT_GIVE_UP, |l| l.min(TCP_CONNECT_GIVE_UP));
    let peer = match connect(ex, net, &ip, url.port, give_up) {
        Connect::Open(p) => p,
        Connect::Refused => {
            return fail(
                7,
                format!("Failed to connect to {} port {} after 0 ms: Couldn't connect to server", url.host, url.port),
            );
        }
        Connect::TimedOut if give_up < TCP_CONNECT_GIVE_UP => {
            return fail(28, format!("Connection timed out after {give_up} milliseconds"));
        }
        Connect::TimedOut => {
            return fail(
                28,
                format!(
                    "Failed to connect to {} port {} after {give_up} ms: Couldn't connect to server",
                    url.host, url.port
                ),
            );
        }
    };
    let host = o.host_header.clone().unwrap_or_else(|| super::default_host(&url));
    let (status, body) = match net.http(&peer, &host, &url.path) {
        Response::Http { status, body } => (status, body),
        Response::Empty => return fail(52, "Empty reply from server".into()),
    };
    if o.fail && status >= 400 {
        return fail(22, format!("The requested URL returned error: {status}"));
    }
    let mut e = Effect::default();
    let headers = format!("HTTP/1.1 {status} {}\nContent-Length: {}\n", http::reason(status), body.len());
    let shown = if o.head {
        headers
    } else if o.include {
        format!("{headers}\n{body}")
    } else {
        body.clone()
    };
    // The meter's header comes first, its last line after the body (stderr and stdout interleaved).
    let mut meter = if o.silent { Vec::new() } else { meter(if o.head { 0 } else { body.len() as u64 }) };
    let last = meter.pop();
    e.mixed.extend(meter.into_iter().map(|l| (2, l)));
    match &o.output {
        Some(f) if f != "-" => e.steps.extend(ex.write(f, lines(&shown), false).ok()),
        _ if !shown.is_empty() => e.mixed.extend(lines(&shown).into_iter().map(|l| (1, l))),
        _ => {}
    }
    e.mixed.extend(last.map(|l| (2, l)));
    if let Some(w) = &o.write_out {
        let text = w.replace("%{http_code}", &status.to_string()).replace("\\n", "\n");
        e.mixed.extend(lines(&text).into_iter().map(|l| (1, l)));
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    /// lib/progress.c: `%3d %s  %3d %s  %3d %s  %s  %s %s %s %s %s`.
    #[test]
    fn meter_line() {
        let m = meter(615);
        assert_eq!(
            crate::sim::node::behaviour::timeline::render(&m[2], 0, 0),
            "100   615  100   615    0     0   600k      0 --:--:-- --:--:-- --:--:--  600k"
        );
    }

    #[test]
    fn options() {
        let o = parse(&["-sS".into(), "-m".into(), "5".into(), "--connect-timeout".into(), "2".into(), "web".into()]);
        assert!(o.silent && o.show_error);
        assert_eq!(o.limit_s, Some(2.0));
        assert_eq!(o.url.as_deref(), Some("web"));
        let o = parse(&["-o".into(), "/tmp/x".into(), "-w".into(), "%{http_code}".into(), "http://a".into()]);
        assert_eq!((o.output.as_deref(), o.url.as_deref()), (Some("/tmp/x"), Some("http://a")));
    }
}
