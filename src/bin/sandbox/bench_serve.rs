//! `sandbox bench-serve [--pods N] [--seed N]`: what HTTP costs over the in-process API. The same
//! requests (get one object, list N pods, a write seen by a watch) are timed through `sandbox serve`
//! on loopback and through `World::call` in this process, and printed side by side.
//!
//! A benchmark, not a test: the figures depend on the machine and its load, so only their ratio
//! means anything on its own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use k8s_sandbox::sim::http::{self, Route};
use k8s_sandbox::sim::world::World;

use super::serve::{self, Clock};

/// How many times each read is repeated (gets are cheap, lists of every pod are not).
const GETS: u32 = 2_000;
const LISTS: u32 = 20;
const WATCHED_WRITES: u32 = 50;

/// A keep-alive HTTP/1.1 connection that reads one response at a time (Content-Length or chunked).
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(port: u16) -> Result<Self, String> {
        let s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("bench-serve: connect: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
        // As Go's net/http (kubectl, client-go) does: a request's pieces are not held for each other.
        s.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Self { writer: s.try_clone().map_err(|e| e.to_string())?, reader: BufReader::new(s) })
    }

    fn send(&mut self, method: &str, path: &str, body: &str) -> Result<(), String> {
        write!(
            self.writer,
            "{method} {path} HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .map_err(|e| format!("bench-serve: write: {e}"))
    }

    /// The status line's code and the headers of the next response.
    fn head(&mut self) -> Result<(u16, Vec<String>), String> {
        let mut line = String::new();
        self.reader.read_line(&mut line).map_err(|e| format!("bench-serve: read: {e}"))?;
        let code = line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or("bench-serve: no status line")?;
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).map_err(|e| format!("bench-serve: read: {e}"))?;
            if h.trim_end().is_empty() {
                return Ok((code, headers));
            }
            headers.push(h.trim_end().to_ascii_lowercase());
        }
    }

    /// One request and its whole answer; fails on a code other than `want`.
    fn call(&mut self, method: &str, path: &str, body: &str, want: u16) -> Result<usize, String> {
        self.send(method, path, body)?;
        let (code, headers) = self.head()?;
        let length: usize = headers
            .iter()
            .find_map(|h| h.strip_prefix("content-length:")?.trim().parse().ok())
            .ok_or("bench-serve: a response without Content-Length")?;
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).map_err(|e| format!("bench-serve: read: {e}"))?;
        if code != want {
            return Err(format!("bench-serve: {method} {path} answered {code}: {}", String::from_utf8_lossy(&body)));
        }
        Ok(length)
    }

    /// The next line of a chunked watch stream that holds an event.
    fn next_event(&mut self) -> Result<String, String> {
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).map_err(|e| format!("bench-serve: watch: {e}"))? == 0 {
                return Err("bench-serve: the watch ended".into());
            }
            if line.starts_with("{\"") {
                return Ok(line);
            }
        }
    }
}

fn pod(i: u32) -> String {
    format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"p{i}\"}},\"spec\":{{\"containers\":[{{\"name\":\"c\",\"image\":\"nginx\"}}]}}}}"
    )
}

/// Per second, from a count and the time it took.
fn rate(n: u32, took: Duration) -> f64 {
    f64::from(n) / took.as_secs_f64()
}

/// The request `route` makes of an HTTP request line, for the in-process side.
fn request(method: &str, path: &str, body: &str) -> Result<k8s_sandbox::sim::apiserver::request::ApiRequest, String> {
    match http::route(method, path, "application/json", "", body.as_bytes()) {
        Route::Api { request, .. } => Ok(*request),
        _ => Err(format!("bench-serve: {method} {path} is not an API call")),
    }
}

pub fn run(pods: u32, seed: u64) -> Result<(), String> {
    const PODS: &str = "/api/v1/namespaces/default/pods";
    // Over HTTP: a server in this process's threads, as `sandbox serve --clock realtime` runs.
    let (listener, port) = serve::bind("127.0.0.1", 0)?;
    let jobs = serve::start_world(seed, Clock::Realtime);
    std::thread::spawn(move || serve::accept(listener, jobs, Clock::Realtime));
    let mut c = Client::connect(port)?;
    let t = Instant::now();
    for i in 0..pods {
        c.call("POST", PODS, &pod(i), 201)?;
    }
    let http_create = t.elapsed();
    let t = Instant::now();
    for _ in 0..GETS {
        c.call("GET", &format!("{PODS}/p0"), "", 200)?;
    }
    let http_get = t.elapsed();
    let t = Instant::now();
    let mut list_bytes = 0;
    for _ in 0..LISTS {
        list_bytes = c.call("GET", PODS, "", 200)?;
    }
    let http_list = t.elapsed();
    let mut watch = Client::connect(port)?;
    watch.send("GET", "/api/v1/namespaces/default/configmaps?watch=true", "")?;
    watch.head()?;
    let mut http_latency = Duration::ZERO;
    for i in 0..WATCHED_WRITES {
        let t = Instant::now();
        c.call(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            &format!("{{\"metadata\":{{\"name\":\"w{i}\"}}}}"),
            201,
        )?;
        watch.next_event()?;
        http_latency += t.elapsed();
    }

    // In process: the same requests as `World::call`s on a world of the same seed.
    let mut w = World::new(seed);
    let t = Instant::now();
    for i in 0..pods {
        w.call(request("POST", PODS, &pod(i))?).map_err(|s| s.message)?;
    }
    let local_create = t.elapsed();
    let get = request("GET", &format!("{PODS}/p0"), "")?;
    let t = Instant::now();
    for _ in 0..GETS {
        w.call(get.clone()).map_err(|s| s.message)?;
    }
    let local_get = t.elapsed();
    let list = request("GET", PODS, "")?;
    let t = Instant::now();
    for _ in 0..LISTS {
        w.call(list.clone()).map_err(|s| s.message)?;
    }
    let local_list = t.elapsed();
    let watch_id = w.open_kubectl_watch(request("GET", "/api/v1/namespaces/default/configmaps?watch=true", "")?);
    w.run_for(10);
    w.take_kubectl_watch(watch_id);
    let mut local_latency = Duration::ZERO;
    for i in 0..WATCHED_WRITES {
        let t = Instant::now();
        w.call(request(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            &format!("{{\"metadata\":{{\"name\":\"w{i}\"}}}}"),
        )?)
        .map_err(|s| s.message)?;
        while w.take_kubectl_watch(watch_id).0.is_empty() {
            w.step();
        }
        local_latency += t.elapsed();
    }

    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / f64::from(WATCHED_WRITES);
    println!(
        "bench-serve: {pods} pods, seed {seed}; HTTP through sandbox serve on loopback | in process (World::call)"
    );
    println!("create pod:        {:>9.0}/s | {:>9.0}/s", rate(pods, http_create), rate(pods, local_create));
    println!("get one pod:       {:>9.0}/s | {:>9.0}/s", rate(GETS, http_get), rate(GETS, local_get));
    println!(
        "list {pods} pods:    {:>9.1}/s | {:>9.1}/s  ({list_bytes} bytes of JSON)",
        rate(LISTS, http_list),
        rate(LISTS, local_list)
    );
    println!("write to watch event: {:>6.2} ms | {:>6.2} ms", ms(http_latency), ms(local_latency));
    Ok(())
}
