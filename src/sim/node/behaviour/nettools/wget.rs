//! busybox `wget` (networking/wget.c): `Connecting to HOST (IP:PORT)`, `saving to 'FILE'`, the
//! progress line, `'FILE' saved`; `-O -` writes the body to stdout; `-q` is quiet.
//!
//! Its errors: `wget: bad address 'HOST'` (name did not resolve), `wget: can't connect to remote host
//! (IP): Connection refused`, `... Connection timed out` after the kernel's 127 s, or `wget: download
//! timed out` when `-T SEC` is shorter; `wget: server returned error: HTTP/1.1 404 Not Found`.

use super::super::Line;
use super::super::interp::{Effect, Exec};
use super::super::net::{Connect, Network, TCP_CONNECT_GIVE_UP};
use super::http::{self, Response};
use super::{busybox_usage, connect, lines, lookup};

const USAGE: &str = "wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...\n\nRetrieve files via HTTP or FTP";

/// An `http://host:port/path` URL as busybox's `parse_url` splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    /// Starts with `/`.
    pub path: String,
    pub https: bool,
}

/// Why a URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    Scheme(String),
    NoHost,
    BadPort,
}

/// Splits a URL; no scheme means http.
pub fn parse_url(url: &str) -> Result<Url, UrlError> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let https = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        other => return Err(UrlError::Scheme(other.to_string())),
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let path = if path.starts_with('/') { path } else { format!("/{path}") };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| UrlError::BadPort)?),
        None => (authority, if https { 443 } else { 80 }),
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    Ok(Url { host: host.to_string(), port, path, https })
}

/// The options busybox's wget takes that the simulation uses.
#[derive(Debug, Default)]
struct Opts {
    quiet: bool,
    spider: bool,
    output: Option<String>,
    timeout_s: Option<u64>,
    /// `--header 'Host: ...'`: the virtual host asked for instead of the URL's.
    host_header: Option<String>,
    url: Option<String>,
}

fn parse(rest: &[String]) -> Result<Opts, Box<Effect>> {
    let mut o = Opts::default();
    let mut i = 0;
    while let Some(a) = rest.get(i) {
        i += 1;
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = long.split_once('=').map_or((long, None), |(n, v)| (n, Some(v.to_string())));
            let mut value = || inline.clone().or_else(|| rest.get(i).inspect(|_| i += 1).cloned());
            match name {
                "quiet" => o.quiet = true,
                "spider" => o.spider = true,
                "output-document" => o.output = value(),
                "timeout" => o.timeout_s = value().and_then(|v| v.parse().ok()),
                "header" => o.host_header = value().as_deref().and_then(super::host_header).or(o.host_header.take()),
                "post-data" | "post-file" | "user-agent" | "directory-prefix" | "output-file" => {
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
                    'q' => o.quiet = true,
                    'O' => {
                        o.output = Some(value().ok_or_else(|| Box::new(busybox_usage(USAGE)))?);
                        break;
                    }
                    'T' => {
                        let v = value().ok_or_else(|| Box::new(busybox_usage(USAGE)))?;
                        o.timeout_s =
                            Some(v.parse().map_err(|_| Effect::fail(1, format!("wget: invalid number '{v}'")))?);
                        break;
                    }
                    'o' | 'P' | 'U' | 'Y' | 't' => {
                        let _ = value();
                        break;
                    }
                    'c' | 'S' | 's' => {}
                    _ => return Err(Box::new(busybox_usage(USAGE))),
                }
            }
        } else if o.url.is_none() {
            o.url = Some(a.clone());
        }
    }
    Ok(o)
}

/// busybox's non-tty progress line at the end (no `\r`, no newline: the next message follows it).
fn progress(file: &str, size: usize) -> String {
    if size == 0 {
        return format!("{file:<20.20} {:>5} --:--:-- ETA", 0);
    }
    // The bar is terminal width (80 when stderr is not a terminal) minus 48.
    format!("{file:<20.20} 100% |{}| {}  0:00:00 ETA", "*".repeat(32), ulltoa5(size as u64))
}

/// busybox's `smart_ulltoa5`: five columns, scaled with k, M, G past 99999.
fn ulltoa5(n: u64) -> String {
    if n < 100_000 {
        return format!("{n:>5}");
    }
    let mut v = n;
    for unit in ['k', 'M', 'G', 'T'] {
        v /= 1024;
        if v < 10_000 {
            return format!("{v:>4}{unit}");
        }
    }
    format!("{v:>4}P")
}

pub fn run(ex: &mut Exec<'_>, net: &dyn Network, rest: &[String]) -> Effect {
    let o = match parse(rest) {
        Ok(o) => o,
        Err(e) => return *e,
    };
    let Some(raw) = o.url.clone() else { return busybox_usage(USAGE) };
    let url = match parse_url(&raw) {
        Ok(u) => u,
        Err(UrlError::Scheme(_)) => return Effect::fail(1, format!("wget: not an http or ftp url: {raw}")),
        Err(UrlError::NoHost | UrlError::BadPort) => return Effect::fail(1, format!("wget: bad address '{raw}'")),
    };
    if url.https {
        ex.note("wget https://: TLS is not simulated; the server answers as over plain HTTP".into());
    }
    let mut e = Effect::default();
    let say = |e: &mut Effect, text: String| {
        if !o.quiet {
            e.mixed.push((2, Line::text(text)));
        }
    };
    let fail = |mut e: Effect, text: String| {
        e.mixed.push((2, Line::text(text)));
        e.status = 1;
        e
    };
    let ip = match lookup(ex, net, &url.host).result {
        Ok(ips) => ips.into_iter().next().unwrap_or_default(),
        Err(_) => return fail(e, format!("wget: bad address '{}'", url.host)),
    };
    say(&mut e, format!("Connecting to {} ({ip}:{})", url.host, url.port));
    // busybox arms an alarm of -T seconds (900 by default) around the connect.
    let alarm = o.timeout_s.unwrap_or(900).saturating_mul(1000);
    let peer = match connect(ex, net, &ip, url.port, alarm.min(TCP_CONNECT_GIVE_UP)) {
        Connect::Open(p) => p,
        Connect::Refused => return fail(e, format!("wget: can't connect to remote host ({ip}): Connection refused")),
        Connect::TimedOut if alarm < TCP_CONNECT_GIVE_UP => return fail(e, "wget: download timed out".into()),
        Connect::TimedOut => {
            return fail(e, format!("wget: can't connect to remote host ({ip}): Connection timed out"));
        }
    };
    let host = o.host_header.clone().unwrap_or_else(|| super::default_host(&url));
    let (status, body) = match net.http(&peer, &host, &url.path) {
        Response::Http { status, body } => (status, body),
        Response::Empty => return fail(e, "wget: error getting response".into()),
    };
    if !(200..300).contains(&status) {
        return fail(e, format!("wget: server returned error: HTTP/1.1 {status} {}", http::reason(status)));
    }
    if o.spider {
        say(&mut e, "remote file exists".into());
        return e;
    }
    let file = o.output.clone().unwrap_or_else(|| {
        let last = url.path.split('?').next().unwrap_or("/").rsplit('/').next().unwrap_or("");
        if last.is_empty() { "index.html".to_string() } else { last.to_string() }
    });
    if file == "-" {
        say(&mut e, "writing to stdout".into());
        e.mixed.extend(lines(&body).into_iter().filter(|_| !body.is_empty()).map(|l| (1, l)));
        say(&mut e, format!("{}written to stdout", progress("-", body.len())));
        return e;
    }
    // Without -O, busybox opens the file with O_EXCL: an existing one is not overwritten.
    if o.output.is_none() && ex.exists(&file) {
        return fail(e, format!("wget: can't open '{file}': File exists"));
    }
    say(&mut e, format!("saving to '{file}'"));
    say(&mut e, format!("{}'{file}' saved", progress(&file, body.len())));
    if let Ok(step) = ex.write(&file, lines(&body), false) {
        e.steps.push(step);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("web").expect("a bare host is http");
        assert_eq!((u.host.as_str(), u.port, u.path.as_str()), ("web", 80, "/"));
        let u = parse_url("http://web.default:8080/hostname?x=1").expect("valid");
        assert_eq!((u.host.as_str(), u.port, u.path.as_str()), ("web.default", 8080, "/hostname?x=1"));
        assert_eq!(parse_url("https://x").map(|u| u.port), Ok(443));
        assert_eq!(parse_url("gopher://x"), Err(UrlError::Scheme("gopher".into())));
        assert_eq!(parse_url("http://"), Err(UrlError::NoHost));
        assert_eq!(parse_url("web:http"), Err(UrlError::BadPort));
    }

    /// libbb/progress.c with stderr not a terminal: 20-column name, 32-star bar, no newline.
    #[test]
    fn progress_line() {
        assert_eq!(
            progress("index.html", 615),
            "index.html           100% |********************************|   615  0:00:00 ETA"
        );
        assert_eq!(progress("-", 0), "-                        0 --:--:-- ETA");
        assert_eq!(ulltoa5(150_000), " 146k");
    }
}
