//! What a server answers to `GET path`, as its image does: nginx's welcome page and error pages,
//! httpd's "It works!", agnhost's `netexec` and `serve-hostname`, hashicorp/http-echo's `-text`.

pub mod wire;

use super::super::net::Peer;
use super::super::programs::{Agnhost, HttpAnswer, ServerKind};
use crate::sim::time::rfc3339;

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Http {
        status: u16,
        body: String,
    },
    /// The port speaks another protocol: Redis, for one, closes the connection on an HTTP request
    /// ("Possible SECURITY ATTACK detected"), so the client sees no response at all.
    Empty,
}

/// The nginx image's `/usr/share/nginx/html/index.html` (615 bytes).
pub const NGINX_WELCOME: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n\n<p>For online documentation and support please refer to\n<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\nCommercial support is available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n";

/// The httpd image's `htdocs/index.html`.
pub const HTTPD_WORKS: &str = "<html><body><h1>It works!</h1></body></html>\n";

/// The reason phrase of a status code.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        404 => "Not Found",
        500 => "Internal Server Error",
        // nginx's own phrases (`ngx_http_status_lines`).
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => "",
    }
}

/// nginx's built-in error page, signed `server` (`nginx/1.27.3`, or `nginx` with `server_tokens off`).
fn nginx_error_page(status: u16, server: &str) -> String {
    let phrase = if status == 400 { "Bad Request" } else { reason(status) };
    let title = format!("{status} {phrase}");
    format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// nginx's built-in error page.
fn nginx_error(status: u16) -> String {
    nginx_error_page(status, "nginx/1.27.3")
}

/// ingress-nginx's error pages: nginx's, with `server_tokens off` (no version), which is what its
/// default backend's 404 and a backend without endpoints' 503 look like.
pub fn ingress_nginx_error(status: u16) -> String {
    nginx_error_page(status, "nginx")
}

/// Apache's 404 page.
const HTTPD_404: &str = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n";

/// The answer of `peer` to `GET path` at absolute time `now`.
pub fn get(peer: &Peer, path: &str) -> Response {
    let status = match peer.server.http(path, peer.up_for) {
        HttpAnswer::Status(s) => s,
        HttpAnswer::NotHttp => return Response::Empty,
    };
    let query = path_query(path);
    let path = path.split('?').next().unwrap_or(path);
    let body = match (&peer.server, status) {
        (ServerKind::Nginx, 200) => NGINX_WELCOME.to_string(),
        (ServerKind::Nginx, s) => nginx_error(s),
        (ServerKind::Httpd, 200) => HTTPD_WORKS.to_string(),
        (ServerKind::Httpd, _) => HTTPD_404.to_string(),
        // agnhost's handlers write with fmt.Fprint: no newline at the end.
        (ServerKind::Agnhost(Agnhost::ServeHostname), _) => peer.hostname.clone(),
        (ServerKind::Agnhost(Agnhost::Netexec), _) => match path {
            "/hostname" => peer.hostname.clone(),
            "/echo" => query.unwrap_or_default(),
            "/healthz" => String::new(),
            _ => format!("NOW: {}", go_time(peer.now)),
        },
        (ServerKind::HttpEcho(text), _) => format!("{text}\n"),
        (ServerKind::IngressNginx, 200) => String::new(),
        (ServerKind::IngressNginx, s) => ingress_nginx_error(s),
        (ServerKind::HelloApp, _) => format!("Hello, world!\nVersion: 1.0.0\nHostname: {}\n", peer.hostname),
        (ServerKind::LivenessDemo | ServerKind::Agnhost(Agnhost::Liveness), 200) => "ok".into(),
        (ServerKind::LivenessDemo | ServerKind::Agnhost(Agnhost::Liveness), _) => {
            format!("error: {}", peer.up_for as f64 / 1000.0)
        }
        // A program the simulation does not know: what it serves is not simulated.
        _ => String::new(),
    };
    Response::Http { status, body }
}

/// `?msg=hello` on `/echo`.
fn path_query(path: &str) -> Option<String> {
    path.split_once('?').and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("msg=").map(str::to_string)))
}

/// Go's `time.Now().String()` without the monotonic reading.
fn go_time(now: u64) -> String {
    let r = rfc3339(now);
    format!("{} {}.{:09} +0000 UTC", &r[..10], &r[11..19], (now % 1000) * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(server: ServerKind) -> Peer {
        Peer { ip: "10.244.1.2".into(), port: 80, server, hostname: "web-0".into(), up_for: 60_000, now: 0 }
    }

    #[test]
    fn images_answer_as_they_do() {
        assert_eq!(NGINX_WELCOME.len(), 615, "the nginx image's index.html is 615 bytes");
        assert_eq!(get(&peer(ServerKind::Nginx), "/"), Response::Http { status: 200, body: NGINX_WELCOME.into() });
        let Response::Http { status, body } = get(&peer(ServerKind::Nginx), "/nope") else { panic!("http") };
        assert_eq!(status, 404);
        assert!(body.contains("<center><h1>404 Not Found</h1></center>"));
        assert_eq!(get(&peer(ServerKind::Httpd), "/"), Response::Http { status: 200, body: HTTPD_WORKS.into() });
        let host = get(&peer(ServerKind::Agnhost(Agnhost::ServeHostname)), "/");
        assert_eq!(host, Response::Http { status: 200, body: "web-0".into() });
        let echo = get(&peer(ServerKind::HttpEcho("hi".into())), "/x");
        assert_eq!(echo, Response::Http { status: 200, body: "hi\n".into() });
        let netexec = peer(ServerKind::Agnhost(Agnhost::Netexec));
        assert_eq!(get(&netexec, "/echo?msg=yo"), Response::Http { status: 200, body: "yo".into() });
        assert_eq!(get(&peer(ServerKind::Redis), "/"), Response::Empty);
    }
}
