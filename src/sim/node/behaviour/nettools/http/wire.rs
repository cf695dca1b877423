//! HTTP/1.1 as bytes on a connection: what a client's request says (method, target, `Host`) and the
//! full response a server image writes (status line, its headers, body). A port-forward carries
//! raw bytes, so the servers of `http.rs` answer here in their own headers: nginx's, Apache's, Go's
//! `net/http` (agnhost, http-echo, hello-app).

use super::super::super::net::{Network, Peer};
use super::super::super::programs::ServerKind;
use super::{Response, reason};
use crate::sim::time::{EPOCH_UNIX_SECS, Millis, civil_from_days};

/// What the request line and headers of a client's request say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target (`/`, `/healthz?x=1`).
    pub path: String,
    /// The `Host` header, if sent.
    pub host: Option<String>,
}

/// Reads a request's head (`METHOD SP target SP HTTP/1.x CRLF`, then headers); None when the bytes
/// are not an HTTP/1 request (a server then answers 400).
pub fn parse_request(data: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(data).ok()?;
    let mut lines = text.split("\r\n").flat_map(|l| l.split('\n'));
    let mut first = lines.next()?.split(' ');
    let (method, path, version) = (first.next()?, first.next()?, first.next()?);
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase());
    if !token(method) || !path.starts_with('/') || !matches!(version, "HTTP/1.0" | "HTTP/1.1") || first.next().is_some()
    {
        return None;
    }
    let host = lines.take_while(|l| !l.is_empty()).find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("host").then(|| value.trim().to_string())
    });
    Some(Request { method: method.into(), path: path.into(), host })
}

/// A response as it came off the wire: status, headers in order, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub status: u16,
    /// The status line as sent (`HTTP/1.1 200 OK`).
    pub status_line: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Splits a response's bytes into its parts; None when they are not an HTTP response.
pub fn parse_response(data: &[u8]) -> Option<Parsed> {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?.to_string();
    let status = status_line.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()?;
    let headers = lines.filter_map(|l| l.split_once(": ")).map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Some(Parsed { status, status_line, headers, body: body.to_string() })
}

/// RFC 9110's IMF-fixdate (`Mon, 07 Dec 2026 22:00:00 GMT`) of virtual time, as the `Date` header.
pub fn http_date(ms: Millis) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = EPOCH_UNIX_SECS + (ms / 1000) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (weekday, month) = (DAYS[days.rem_euclid(7) as usize], MONTHS[(m - 1).clamp(0, 11) as usize]);
    format!("{weekday}, {d:02} {month} {y} {:02}:{:02}:{:02} GMT", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// nginx's `index.html` in the image: built 2024-11-26 15:55:00 UTC, so its `Last-Modified` and
/// `ETag` (`"<mtime hex>-<size hex>"`, `ngx_http_set_etag`).
const NGINX_INDEX_MTIME: &str = "Tue, 26 Nov 2024 15:55:00 GMT";
const NGINX_INDEX_ETAG: &str = "\"6745ef54-267\"";
/// The nginx image's version, as its `Server` header and error pages say.
const NGINX_SERVER: &str = "nginx/1.27.3";

/// The headers `server` writes before a body of `len` bytes with `status`, after the status line.
fn headers(server: &ServerKind, status: u16, len: usize, date: &str) -> Vec<(&'static str, String)> {
    let mut h: Vec<(&'static str, String)> = Vec::new();
    match server {
        ServerKind::Nginx | ServerKind::IngressNginx => {
            let name = if matches!(server, ServerKind::Nginx) { NGINX_SERVER } else { "nginx" };
            h.push(("Server", name.into()));
            h.push(("Date", date.into()));
            h.push(("Content-Type", "text/html".into()));
            h.push(("Content-Length", len.to_string()));
            if matches!(server, ServerKind::Nginx) && status == 200 {
                h.push(("Last-Modified", NGINX_INDEX_MTIME.into()));
            }
            h.push(("Connection", if status == 400 { "close" } else { "keep-alive" }.into()));
            if matches!(server, ServerKind::Nginx) && status == 200 {
                h.push(("ETag", NGINX_INDEX_ETAG.into()));
                h.push(("Accept-Ranges", "bytes".into()));
            }
        }
        ServerKind::Httpd => {
            h.push(("Date", date.into()));
            h.push(("Server", "Apache/2.4.62 (Unix)".into()));
            h.push(("Content-Length", len.to_string()));
            h.push(("Content-Type", if status == 200 { "text/html" } else { "text/html; charset=iso-8859-1" }.into()));
        }
        // Go's net/http: Date, Content-Length and a sniffed Content-Type, in that (sorted) order.
        _ => {
            h.push(("Date", date.into()));
            h.push(("Content-Length", len.to_string()));
            h.push(("Content-Type", "text/plain; charset=utf-8".into()));
        }
    }
    h
}

/// Apache's 400 page.
const HTTPD_400: &str = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not understand.<br />\n</p>\n</body></html>\n";

/// A server's 400 for bytes it cannot read as HTTP: nginx's error page, Go's `400 Bad Request`.
fn bad_request(server: &ServerKind, date: &str) -> (u16, String, Vec<(&'static str, String)>) {
    match server {
        ServerKind::Nginx | ServerKind::IngressNginx | ServerKind::Httpd => {
            let page = match server {
                ServerKind::Nginx => super::nginx_error_page(400, NGINX_SERVER),
                ServerKind::Httpd => HTTPD_400.to_string(),
                _ => super::nginx_error_page(400, "nginx"),
            };
            let h = headers(server, 400, page.len(), date);
            (400, page, h)
        }
        // net/http's answer to a malformed request line: no Date, closed at once.
        _ => {
            let body = "400 Bad Request".to_string();
            let h = vec![("Content-Type", "text/plain; charset=utf-8".into()), ("Connection", "close".into())];
            (400, body, h)
        }
    }
}

/// The bytes `peer`'s server writes back for the bytes `data` a client sent, before it closes:
/// nothing at all from a server that does not speak HTTP (Redis drops the connection).
pub fn answer(net: &dyn Network, peer: &Peer, data: &[u8]) -> Vec<u8> {
    let date = http_date(peer.now);
    let (status, body, head) = match parse_request(data) {
        None => match super::get(peer, "/") {
            Response::Empty => return Vec::new(),
            Response::Http { .. } => bad_request(&peer.server, &date),
        },
        Some(req) => {
            let host = req.host.clone().unwrap_or_else(|| format!("{}:{}", peer.ip, peer.port));
            match net.http(peer, &host, &req.path) {
                Response::Empty => return Vec::new(),
                Response::Http { status, body } => {
                    let head = headers(&peer.server, status, body.len(), &date);
                    // HEAD gets the headers of GET, without the body.
                    let body = if req.method == "HEAD" { String::new() } else { body };
                    (status, body, head)
                }
            }
        }
    };
    let mut out = format!("HTTP/1.1 {status} {}\r\n", status_reason(status));
    for (name, value) in head {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    out.into_bytes()
}

/// The reason phrase, with 400's (`http.rs` knows the statuses its servers answer).
fn status_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        s => reason(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::node::behaviour::net::{Connect, DnsReply, QType};

    #[derive(Debug)]
    struct NoNet;
    impl Network for NoNet {
        fn dns(&self, _: &str, _: &str, _: QType) -> DnsReply {
            DnsReply::Timeout
        }
        fn connect(&self, _: &str, _: u16) -> Connect {
            Connect::TimedOut
        }
        fn ping(&self, _: &str) -> bool {
            false
        }
    }

    fn peer(server: ServerKind) -> Peer {
        Peer { ip: "10.244.1.2".into(), port: 80, server, hostname: "web".into(), up_for: 1000, now: 0 }
    }

    #[test]
    fn dates_are_imf_fixdate() {
        assert_eq!(http_date(0), "Wed, 01 Jan 2025 00:00:00 GMT");
        assert_eq!(http_date(86_400_000 * 59 + 3_723_000), "Sun, 01 Mar 2025 01:02:03 GMT");
    }

    #[test]
    fn requests_are_read_from_their_head() {
        let r = parse_request(b"GET /x?y=1 HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\n\r\n");
        assert_eq!(
            r,
            Some(Request { method: "GET".into(), path: "/x?y=1".into(), host: Some("localhost:8080".into()) })
        );
        for bad in [&b"hello\r\n"[..], b"GET / HTTP/2\r\n\r\n", b"get / HTTP/1.1\r\n\r\n", b"\xff\xfe", b""] {
            assert_eq!(parse_request(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn nginx_answers_with_its_headers() {
        let bytes = answer(&NoNet, &peer(ServerKind::Nginx), b"GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n");
        let r = parse_response(&bytes).expect("an HTTP response");
        assert_eq!(r.status_line, "HTTP/1.1 200 OK");
        assert_eq!(r.headers[0], ("Server".into(), "nginx/1.27.3".into()));
        assert!(r.headers.contains(&("Content-Length".into(), "615".into())));
        assert_eq!(r.body, super::super::NGINX_WELCOME);
        let head = answer(&NoNet, &peer(ServerKind::Nginx), b"HEAD / HTTP/1.1\r\n\r\n");
        assert!(parse_response(&head).expect("a response").body.is_empty());
        let bad = parse_response(&answer(&NoNet, &peer(ServerKind::Nginx), b"hello\n")).expect("a response");
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("<center><h1>400 Bad Request</h1></center>"));
        assert!(answer(&NoNet, &peer(ServerKind::Redis), b"GET / HTTP/1.1\r\n\r\n").is_empty());
        let go = parse_response(&answer(&NoNet, &peer(ServerKind::HttpEcho("hi".into())), b"GET / HTTP/1.1\r\n\r\n"));
        assert_eq!(go.map(|r| (r.status, r.body)), Some((200, "hi\n".to_string())));
    }
}
