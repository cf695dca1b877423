//! A tiny static file server for the e2e test: serves the built `dist/` under a sub-path on loopback.
//!
//! Serving under a sub-path (not `/`) is deliberate: it proves the release site uses relative asset
//! URLs and so can be hosted anywhere. One thread per connection, `Connection: close`, GET only.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::thread;

/// A running server; it lives until the test process exits (its thread only blocks in `accept`).
pub struct StaticServer {
    /// The site's URL, ending in `/`, e.g. `http://127.0.0.1:41234/some/sub/path/`.
    pub url: String,
}

impl StaticServer {
    /// Serves `root` at `http://127.0.0.1:<free port>/<prefix>/`.
    pub fn start(root: &Path, prefix: &str) -> std::io::Result<StaticServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let prefix = format!("/{}/", prefix.trim_matches('/'));
        let url = format!("http://127.0.0.1:{port}{prefix}");
        let root = root.to_path_buf();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, prefix) = (root.clone(), prefix.clone());
                thread::spawn(move || {
                    // A browser that drops a connection early is not a test failure.
                    let _ = serve_one(stream, &root, &prefix);
                });
            }
        });
        Ok(StaticServer { url })
    }
}

fn serve_one(stream: TcpStream, root: &Path, prefix: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers so the client sees an orderly close.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = match (method, resolve(root, prefix, target)) {
        ("GET", Some(path)) => match fs::read(&path) {
            Ok(body) => respond("200 OK", content_type(&path), &body),
            Err(_) => respond("404 Not Found", "text/plain", b"not found"),
        },
        ("GET", None) => respond("404 Not Found", "text/plain", b"not found"),
        _ => respond("405 Method Not Allowed", "text/plain", b"GET only"),
    };
    let mut stream = stream;
    stream.write_all(&response)?;
    stream.flush()
}

/// Maps a request target to a file under `root`, refusing anything outside `prefix` or `root`.
fn resolve(root: &Path, prefix: &str, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let relative = path.strip_prefix(prefix)?;
    let relative = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_string()
    };
    let relative = Path::new(&relative);
    if !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(relative))
}

fn respond(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// `application/wasm` matters: browsers only stream-compile wasm served with that type.
fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "yaml" | "yml" | "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_maps_the_prefix_and_refuses_escapes() {
        let root = Path::new("/srv/dist");
        let cases = [
            ("/app/", Some("/srv/dist/index.html")),
            ("/app/x.wasm?v=1", Some("/srv/dist/x.wasm")),
            ("/app/static/a.css", Some("/srv/dist/static/a.css")),
            ("/other/x.wasm", None),
            ("/app/../secret", None),
            ("/app//etc/passwd", None),
        ];
        for (target, want) in cases {
            assert_eq!(resolve(root, "/app/", target), want.map(PathBuf::from), "{target}");
        }
    }
}
