//! `sandbox serve`: the simulated cluster's kube-apiserver over HTTP on loopback, for real kubectl and
//! client libraries. The world lives in one thread (it is single-threaded by design); each connection
//! runs in its own thread and hands its work to the world's thread over a channel. Every object request
//! is one message into the simulated kube-apiserver (`World::call`), so it lands in the trace as the
//! sandbox's own kubectl's requests do.
//!
//! The clock: `realtime` lets virtual time follow wall time (a ticker thread advances the world);
//! `manual` moves it only on `POST /sandbox/v1/advance?duration=90s` (and by the little each request
//! itself takes to cross the simulated network, as for the sandbox's own kubectl).

// A wasm32 build of this native tool is only type-checked, without port-forward (see `mod portforward`
// in sandbox.rs): what only port-forward uses is unused there.
#![cfg_attr(target_arch = "wasm32", allow(dead_code))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use k8s_sandbox::sim::apiserver::request::{ApiRequest, EventType, Verb, WatchNotice};
use k8s_sandbox::sim::apiserver::status::{Reason, Status};
use k8s_sandbox::sim::http::attach::{self, AttachRequest};
use k8s_sandbox::sim::http::exec::{self, ExecRequest, Ran};
use k8s_sandbox::sim::http::logs::{self, Log, LogRequest};
use k8s_sandbox::sim::http::portforward::{self as forwarding, PortForwardRequest};
use k8s_sandbox::sim::http::websocket;
use k8s_sandbox::sim::http::{self, Route, RowObject, discovery, openapi, table};
use k8s_sandbox::sim::kubectl::cluster::WATCH_OPEN_MS;
use k8s_sandbox::sim::time::Millis;
use k8s_sandbox::sim::world::World;
use serde_json::{Value, json};

use super::{number, opt};

/// How virtual time moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    Realtime,
    Manual,
}

/// How often a watch looks for new events.
const WATCH_POLL: Duration = Duration::from_millis(5);

/// Work a connection asks of the world's thread, with where to send the answer.
pub enum Job {
    /// One REST call: its result and the virtual time after it.
    Call(ApiRequest, Sender<(Result<Value, Status>, Millis)>),
    OpenWatch(ApiRequest, Sender<u64>),
    /// A watch's new events, whether it ended, and the virtual time.
    TakeWatch(u64, Sender<(Vec<WatchNotice>, bool, Millis)>),
    CloseWatch(u64),
    /// A container's log (`pods/NAME/log`) and the virtual time.
    Logs(LogRequest, Sender<(Result<Log, Status>, Millis)>),
    /// A command run in a container (`pods/NAME/exec`), with what the client sent on stdin.
    Exec(ExecRequest, Option<String>, Sender<Result<Ran, Status>>),
    /// The apiserver's checks before an attach with stdin upgrades: the node and the container.
    AttachCheck(AttachRequest, Sender<Result<(String, String), Status>>),
    /// An attach's stdin, once the client closed it, given to the container's process (its output).
    AttachInput(AttachRequest, String, String, Sender<Result<String, Status>>),
    /// A container's output stream opened (`pods/NAME/attach`): its log so far, which attach skips.
    Attach(AttachRequest, Sender<Result<Log, Status>>),
    /// The pod of a port-forward read and checked, before the upgrade (`pods/NAME/portforward`).
    PortForwardOpen(PortForwardRequest, Sender<Result<(), Status>>),
    /// One forwarded connection's bytes to a port of the pod: the server's bytes back, or the text
    /// for the stream's error channel.
    PortForward(PortForwardRequest, u16, Vec<u8>, Sender<Result<Vec<u8>, String>>),
    /// A followed log's lines after the first N, and whether its container still runs.
    MoreLogs(LogRequest, Log, usize, Sender<(Vec<(Millis, String)>, bool)>),
    /// Moves a manual clock; answers the new time.
    Advance(Millis, Sender<Millis>),
    /// The messages the trace still holds, one line each (for `sandbox compare`).
    Trace(Sender<Vec<String>>),
}

/// One message as `sandbox compare` lines two runs up.
pub fn trace_lines(world: &World) -> Vec<String> {
    world.k.trace.entries().iter().map(|e| format!("{} {} -> {}: {}", e.sent_at, e.from, e.to, e.summary)).collect()
}

/// The world's thread: does each job in turn and, with a realtime clock, keeps virtual time level with
/// wall time between jobs.
fn simulate(mut world: World, jobs: Receiver<Job>, clock: Clock) {
    let start = Instant::now();
    let base = world.now();
    loop {
        match jobs.recv_timeout(Duration::from_millis(20)) {
            Ok(Job::Call(req, reply)) => {
                let result = world.call(req);
                let _ = reply.send((result, world.now()));
            }
            Ok(Job::OpenWatch(req, reply)) => {
                let id = world.open_kubectl_watch(req);
                // The request must reach the apiserver and its first events come back even on a manual
                // clock: the watch's round trip is given its time, as a call's is.
                world.run_for(WATCH_OPEN_MS);
                let _ = reply.send(id);
            }
            Ok(Job::TakeWatch(id, reply)) => {
                let (events, ended) = world.take_kubectl_watch(id);
                let _ = reply.send((events, ended, world.now()));
            }
            Ok(Job::CloseWatch(id)) => world.close_kubectl_watch(id),
            Ok(Job::Logs(r, reply)) => {
                let log = logs::read(&mut world, &r);
                let _ = reply.send((log, world.now()));
            }
            Ok(Job::Exec(r, input, reply)) => {
                let _ = reply.send(exec::run(&mut world, &r, input.as_deref()));
            }
            Ok(Job::AttachCheck(r, reply)) => {
                let _ = reply.send(attach::check(&mut world, &r));
            }
            Ok(Job::AttachInput(r, container, input, reply)) => {
                let _ = reply.send(attach::send(&mut world, &r, &container, &input));
            }
            Ok(Job::Attach(r, reply)) => {
                let _ = reply.send(attach::open(&mut world, &r));
            }
            Ok(Job::PortForwardOpen(r, reply)) => {
                let _ = reply.send(forwarding::open(&mut world, &r));
            }
            Ok(Job::PortForward(r, port, data, reply)) => {
                let _ = reply.send(forwarding::forward(&mut world, &r, port, &data));
            }
            Ok(Job::MoreLogs(r, log, seen, reply)) => {
                let _ = reply.send(logs::more(&mut world, &r, &log, seen));
            }
            Ok(Job::Advance(d, reply)) => {
                let t = world.now() + d;
                world.run_until(t);
                let _ = reply.send(world.now());
            }
            Ok(Job::Trace(reply)) => {
                let _ = reply.send(trace_lines(&world));
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if clock == Clock::Realtime {
            let target = base + start.elapsed().as_millis() as Millis;
            if world.now() < target {
                world.run_until(target);
            }
        }
    }
}

/// Sends a job and waits for its answer; None if the world's thread is gone.
pub fn ask<T>(jobs: &Sender<Job>, job: impl FnOnce(Sender<T>) -> Job) -> Option<T> {
    let (tx, rx) = channel();
    jobs.send(job(tx)).ok()?;
    rx.recv().ok()
}

pub fn kubeconfig(address: &str, port: u16) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: http://{address}:{port}\n  name: sandbox\ncontexts:\n- context:\n    cluster: sandbox\n    user: sandbox\n  name: sandbox\ncurrent-context: sandbox\nusers:\n- name: sandbox\n  user: {{}}\n"
    )
}

pub fn run(args: &[String]) -> Result<(), String> {
    let address = opt(args, "--address").unwrap_or_else(|| "127.0.0.1".into());
    let port = u16::try_from(number(args, "--port", 6443)?).map_err(|_| "sandbox serve: --port must be below 65536")?;
    let seed = number(args, "--seed", 1)?;
    let clock = match opt(args, "--clock").as_deref() {
        None | Some("realtime") => Clock::Realtime,
        Some("manual") => Clock::Manual,
        Some(other) => return Err(format!("sandbox serve: --clock must be realtime or manual, got {other:?}")),
    };
    let (listener, port) = bind(&address, port)?;
    let config = kubeconfig(&address, port);
    match opt(args, "--kubeconfig") {
        Some(path) => std::fs::write(&path, &config).map_err(|e| format!("sandbox serve: cannot write {path}: {e}"))?,
        None => print!("{config}"),
    }
    println!("# serving the sandbox's kube-apiserver at http://{address}:{port} (clock: {clock:?}, seed {seed})");
    let _ = std::io::stdout().flush();
    accept(listener, start_world(seed, clock), clock);
    Ok(())
}

/// Listens on a loopback address; the port actually bound (the system picks one for port 0).
pub fn bind(address: &str, port: u16) -> Result<(TcpListener, u16), String> {
    let ip: IpAddr =
        address.parse().map_err(|_| format!("sandbox serve: --address {address:?} is not an IP address"))?;
    if !ip.is_loopback() {
        return Err(format!(
            "sandbox serve: --address {address} is not a loopback address; the sandbox serves this machine only"
        ));
    }
    let listener =
        TcpListener::bind((ip, port)).map_err(|e| format!("sandbox serve: cannot listen on {address}:{port}: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    Ok((listener, port))
}

/// Starts the world's thread; the sender takes its jobs.
pub fn start_world(seed: u64, clock: Clock) -> Sender<Job> {
    let (jobs, inbox) = channel();
    // The world is made in its own thread: it holds trait objects that never cross threads.
    std::thread::spawn(move || simulate(World::new(seed), inbox, clock));
    jobs
}

/// Serves connections for ever, one thread each.
pub fn accept(listener: TcpListener, jobs: Sender<Job>, clock: Clock) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        // Answers and watch events go out as they are written, not held to fill a segment.
        let _ = stream.set_nodelay(true);
        let jobs = jobs.clone();
        std::thread::spawn(move || {
            let _ = serve_connection(stream, &jobs, clock);
        });
    }
}

/// The trace's messages, one line each.
pub fn trace(jobs: &Sender<Job>) -> Option<Vec<String>> {
    ask(jobs, Job::Trace)
}

/// Moves a manual clock by `d`; the new virtual time.
pub fn advance(jobs: &Sender<Job>, d: Millis) -> Option<Millis> {
    ask(jobs, |tx| Job::Advance(d, tx))
}

/// One HTTP/1.1 request as read from the socket.
struct Request {
    method: String,
    target: String,
    content_type: String,
    accept: String,
    /// `Sec-WebSocket-Key` and `Sec-WebSocket-Protocol` of an `Upgrade: websocket` request.
    websocket: Option<(String, String)>,
    /// The `Upgrade` header as sent (`SPDY/3.1` for kubectl's SPDY streams).
    upgrade: String,
    /// Every `X-Stream-Protocol-Version` header (SPDY's subprotocol offers).
    stream_protocols: Vec<String>,
    body: Vec<u8>,
}

/// What the apiserver reads of a request body at most (`MaxRequestBodyBytes`, 3 MiB).
const MAX_BODY_BYTES: usize = 3 << 20;

/// Why a request could not be read.
enum Unreadable {
    /// The client hung up (or sent nothing more): nothing to answer.
    Closed,
    /// Not HTTP/1.1 as Go's net/http reads it: it answers `400 Bad Request` and closes.
    Malformed,
    /// A body over the limit: the apiserver's 413 Status.
    TooLarge,
}

/// One line as text; bytes that are not UTF-8 (a TLS handshake sent to plain HTTP) make it unreadable
/// as HTTP, not the connection's end. None when the client closed.
fn read_line(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut bytes = Vec::new();
    match reader.read_until(b'\n', &mut bytes) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Result<Request, Unreadable> {
    let line = read_line(reader).ok_or(Unreadable::Closed)?;
    let mut words = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (words.next(), words.next(), words.next()) else {
        return Err(Unreadable::Malformed);
    };
    if !version.starts_with("HTTP/1.") || words.next().is_some() {
        return Err(Unreadable::Malformed);
    }
    let (method, target) = (method.to_string(), target.to_string());
    let (mut length, mut content_type, mut accept) = (0usize, String::new(), String::new());
    let (mut upgrade, mut ws_key, mut ws_protocols) = (String::new(), String::new(), String::new());
    let mut stream_protocols = Vec::new();
    loop {
        let header = read_line(reader).ok_or(Unreadable::Closed)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').ok_or(Unreadable::Malformed)?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().map_err(|_| Unreadable::Malformed)?,
            "content-type" => content_type = value.trim().to_string(),
            "accept" => accept = value.trim().to_string(),
            "upgrade" => upgrade = value.trim().to_string(),
            "x-stream-protocol-version" => stream_protocols.push(value.trim().to_string()),
            "sec-websocket-key" => ws_key = value.trim().to_string(),
            "sec-websocket-protocol" => ws_protocols = value.trim().to_string(),
            _ => {}
        }
    }
    // Refused before it is read, never allocated.
    if length > MAX_BODY_BYTES {
        return Err(Unreadable::TooLarge);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|_| Unreadable::Closed)?;
    let websocket = (upgrade.eq_ignore_ascii_case("websocket") && !ws_key.is_empty()).then_some((ws_key, ws_protocols));
    Ok(Request { method, target, content_type, accept, websocket, upgrade, stream_protocols, body })
}

fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        413 => "Request Entity Too Large",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// One response, head and body in a single write: two small writes would wait on each other (Nagle's
/// algorithm holds the second until the first is acknowledged, and the client delays that by 40 ms).
pub fn respond(stream: &mut TcpStream, code: u16, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    let mut response = format!(
        "HTTP/1.1 {code} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-cache, private\r\n\r\n",
        reason_phrase(code),
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    stream.write_all(&response)?;
    stream.flush()
}

pub fn json_response(stream: &mut TcpStream, code: u16, v: &Value) -> std::io::Result<()> {
    respond(stream, code, "application/json", v.to_string().as_bytes())
}

fn not_found() -> Status {
    Status::new(
        404,
        k8s_sandbox::sim::apiserver::status::Reason::NotFound,
        "the server could not find the requested resource",
    )
}

/// `metav1.Status` for a failed request (`http::status`).
pub fn status_body(s: &Status) -> (u16, Value) {
    http::status::body(s)
}

fn serve_connection(stream: TcpStream, jobs: &Sender<Job>, clock: Clock) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let req = match read_request(&mut reader) {
            Ok(req) => req,
            Err(Unreadable::Closed) => return Ok(()),
            // Go's net/http answers a request it cannot parse itself, as plain text, and closes.
            Err(Unreadable::Malformed) => {
                write!(
                    out,
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"
                )?;
                return out.flush();
            }
            // The body was not read, so the connection cannot carry another request.
            Err(Unreadable::TooLarge) => {
                let too_large = Status::new(
                    413,
                    Reason::RequestEntityTooLarge,
                    format!("Request entity too large: limit is {MAX_BODY_BYTES}"),
                );
                let (code, body) = status_body(&too_large);
                return json_response(&mut out, code, &body);
            }
        };
        match http::route(&req.method, &req.target, &req.content_type, &req.accept, &req.body) {
            Route::Version => json_response(&mut out, 200, &discovery::version())?,
            Route::Health => respond(&mut out, 200, "text/plain; charset=utf-8", b"ok")?,
            Route::CoreVersions => json_response(&mut out, 200, &discovery::core_versions())?,
            Route::Groups => json_response(&mut out, 200, &discovery::groups())?,
            Route::OpenApiRoot => json_response(&mut out, 200, &openapi::root())?,
            Route::OpenApi(path) => match openapi::group_version(&path) {
                Some(doc) => json_response(&mut out, 200, &doc)?,
                None => {
                    let (code, body) = status_body(&not_found());
                    json_response(&mut out, code, &body)?
                }
            },
            Route::Resources { group, version } => match discovery::resources(&group, &version) {
                Some(doc) => json_response(&mut out, 200, &doc)?,
                None => {
                    let (code, body) = status_body(&not_found());
                    json_response(&mut out, code, &body)?
                }
            },
            Route::Advance(d) if clock == Clock::Manual => {
                let Some(now) = ask(jobs, |tx| Job::Advance(d, tx)) else { return Ok(()) };
                json_response(&mut out, 200, &json!({"now": now}))?
            }
            Route::Advance(_) => {
                let (code, body) = status_body(&Status::bad_request(
                    "the clock follows wall time (--clock realtime); start the server with --clock manual to move it",
                ));
                json_response(&mut out, code, &body)?
            }
            Route::Error(s) => {
                let (code, body) = status_body(&s);
                json_response(&mut out, code, &body)?
            }
            Route::Log(r) => {
                let Some((answer, now)) = ask(jobs, |tx| Job::Logs(r.clone(), tx)) else { return Ok(()) };
                match answer {
                    Ok(log) if r.follow => return follow_log(out, jobs, r, log, now),
                    Ok(log) => respond(&mut out, 200, "text/plain", logs::cut(log.lines, &r, now).as_bytes())?,
                    Err(s) => {
                        let (code, body) = status_body(&s);
                        json_response(&mut out, code, &body)?
                    }
                }
            }
            Route::Exec(r) => {
                // Only over a WebSocket (kubectl 1.33's default; its SPDY fallback is not served).
                let (key, protocol) = match upgrade(&req) {
                    Ok(upgraded) => upgraded,
                    Err(s) => {
                        let (code, body) = status_body(&s);
                        json_response(&mut out, code, &body)?;
                        continue;
                    }
                };
                // With stdin the stream opens first and the command runs once the client closed it.
                let input = match r.stdin {
                    true => match read_stdin(&mut out, &key, protocol)? {
                        Some(input) => Some(input),
                        None => return Ok(()),
                    },
                    false => None,
                };
                let Some(answer) = ask(jobs, |tx| Job::Exec(r.clone(), input, tx)) else { return Ok(()) };
                let head = (!r.stdin).then_some((key.as_str(), protocol));
                return match answer {
                    Ok(ran) => end_stream(out, head, &ran.output, ran.status(&r.command)),
                    Err(s) if r.stdin => end_stream(out, None, "", status_body(&s).1),
                    Err(s) => {
                        let (code, body) = status_body(&s);
                        json_response(&mut out, code, &body)
                    }
                };
            }
            Route::Attach(r) => {
                let (key, protocol) = match upgrade(&req) {
                    Ok(upgraded) => upgraded,
                    Err(s) => {
                        let (code, body) = status_body(&s);
                        json_response(&mut out, code, &body)?;
                        continue;
                    }
                };
                if r.stdin {
                    return attach_input(out, jobs, &key, protocol, &r);
                }
                let Some(answer) = ask(jobs, |tx| Job::Attach(r.clone(), tx)) else { return Ok(()) };
                return match answer {
                    Ok(log) => attach_stream(out, jobs, &key, protocol, &r, log),
                    Err(s) => {
                        let (code, body) = status_body(&s);
                        json_response(&mut out, code, &body)
                    }
                };
            }
            #[cfg(not(target_arch = "wasm32"))]
            Route::PortForward(r) => {
                let transport = super::portforward::transport(&req.upgrade, req.websocket, &req.stream_protocols);
                return super::portforward::serve(out, reader, jobs, r, transport);
            }
            // No socket is ever served by a wasm32 build of this tool (see `mod portforward`).
            #[cfg(target_arch = "wasm32")]
            Route::PortForward(_) => return Ok(()),
            Route::Api { request, table } if request.verb == Verb::Watch => {
                return stream_watch(out, jobs, *request, table);
            }
            Route::Api { request, table } => {
                let (verb, kind) = (request.verb.clone(), request.resource.kind);
                let Some((answer, now)) = ask(jobs, |tx| Job::Call(*request, tx)) else { return Ok(()) };
                match answer {
                    Ok(v)
                        if matches!(verb, Verb::Get | Verb::List)
                            && let Some(include) = table =>
                    {
                        json_response(&mut out, 200, &table::to_table(&v, kind, now, include))?
                    }
                    Ok(v) => json_response(&mut out, if verb == Verb::Create { 201 } else { 200 }, &v)?,
                    Err(s) => {
                        let (code, body) = status_body(&s);
                        json_response(&mut out, code, &body)?
                    }
                }
            }
        }
    }
}

/// The WebSocket a streaming subresource needs: the client's key and the subprotocol both speak, or
/// the apiserver's `400` (kubectl 1.33 asks for a WebSocket first; its SPDY fallback is not served).
fn upgrade(req: &Request) -> Result<(String, &'static str), Status> {
    let Some((key, offered)) = req.websocket.clone() else {
        return Err(Status::bad_request("Upgrade request required"));
    };
    let protocol = websocket::choose_protocol(&offered).ok_or_else(|| {
        Status::bad_request(format!(
            "unable to upgrade: none of the offered subprotocols is served ({offered}); want one of {}",
            websocket::PROTOCOLS.join(", ")
        ))
    })?;
    Ok((key, protocol))
}

pub fn switching_protocols(key: &str, protocol: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n",
        websocket::accept_key(key)
    )
    .into_bytes()
}

/// Whether the WebSocket's client has gone: it closed the connection, sent a close frame, or sent
/// what cannot be read as frames. Other frames (stdin, resize) are read and dropped: attach carries
/// no input into the container.
fn client_gone(stream: &mut TcpStream, inbox: &mut Vec<u8>) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut buf = [0u8; 4096];
    let gone = loop {
        match stream.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => inbox.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break false,
            Err(_) => break true,
        }
    };
    let _ = stream.set_nonblocking(false);
    if gone {
        return true;
    }
    loop {
        match websocket::read_frame(inbox) {
            Ok(None) => return false,
            Ok(Some((frame, used))) => {
                inbox.drain(..used);
                if frame.opcode == 0x8 {
                    return true;
                }
            }
            Err(_) => return true,
        }
    }
}

/// An attach over a WebSocket: every line the container writes from now on, on stdout, until it
/// stops (then the kubelet's `Success` on the error channel and a close) or the client goes.
fn attach_stream(
    mut out: TcpStream,
    jobs: &Sender<Job>,
    key: &str,
    protocol: &str,
    r: &AttachRequest,
    log: Log,
) -> std::io::Result<()> {
    out.write_all(&switching_protocols(key, protocol))?;
    out.flush()?;
    let follow = r.as_log();
    let plain = LogRequest { namespace: r.namespace.clone(), pod: r.pod.clone(), ..LogRequest::default() };
    let mut seen = log.lines.len();
    let mut inbox = Vec::new();
    loop {
        std::thread::sleep(WATCH_POLL * 10);
        if client_gone(&mut out, &mut inbox) {
            let _ = out.write_all(&websocket::close_frame());
            return Ok(());
        }
        let Some((lines, running)) = ask(jobs, |tx| Job::MoreLogs(follow.clone(), log.clone(), seen, tx)) else {
            return Ok(());
        };
        seen += lines.len();
        let text = logs::cut(lines, &plain, 0);
        if !text.is_empty() && (r.stdout || r.stderr) {
            let channel = if r.stdout { websocket::STDOUT } else { websocket::STDERR };
            out.write_all(&websocket::channel_frame(channel, text.as_bytes()))?;
            out.flush()?;
        }
        if !running {
            let status = json!({"metadata": {}, "status": "Success"}).to_string();
            return end_websocket(out, websocket::channel_frame(websocket::ERROR, status.as_bytes()));
        }
    }
}

/// `attach -i`: the apiserver's checks before the upgrade, then the client's stdin read to its end and
/// given to the container's process, and what it wrote sent back.
fn attach_input(
    mut out: TcpStream,
    jobs: &Sender<Job>,
    key: &str,
    protocol: &str,
    r: &AttachRequest,
) -> std::io::Result<()> {
    let container = match ask(jobs, |tx| Job::AttachCheck(r.clone(), tx)) {
        None => return Ok(()),
        Some(Ok((_, container))) => container,
        Some(Err(s)) => {
            let (code, body) = status_body(&s);
            return json_response(&mut out, code, &body);
        }
    };
    let Some(input) = read_stdin(&mut out, key, protocol)? else { return Ok(()) };
    let Some(answer) = ask(jobs, |tx| Job::AttachInput(r.clone(), container, input, tx)) else { return Ok(()) };
    match answer {
        Ok(written) => end_stream(out, None, &written, json!({"metadata": {}, "status": "Success"})),
        Err(s) => end_stream(out, None, "", status_body(&s).1),
    }
}

/// Opens a stream whose client sends stdin (`exec -i`, `attach -i`) and reads that input until the
/// client closes it ([`websocket::StdinStream`]); None when the client went away or sent what is not
/// a frame. A simulated process runs its input whole, so the output follows the input's end.
fn read_stdin(out: &mut TcpStream, key: &str, protocol: &str) -> std::io::Result<Option<String>> {
    out.write_all(&switching_protocols(key, protocol))?;
    out.flush()?;
    let mut stdin = websocket::StdinStream::default();
    let (mut inbox, mut buf) = (Vec::new(), [0u8; 4096]);
    while !stdin.ended {
        match out.read(&mut buf) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => inbox.extend_from_slice(&buf[..n]),
        }
        loop {
            match websocket::read_frame(&inbox) {
                Ok(None) => break,
                Ok(Some((frame, used))) => {
                    inbox.drain(..used);
                    stdin.take(&frame);
                }
                Err(_) => return Ok(None),
            }
        }
    }
    Ok(Some(stdin.text()))
}

/// A stream's end over a WebSocket: the upgrade (`head`, unless the stream is open already), the
/// output on stdout, the final `Status` on the error channel, and a close. The process has already
/// run (the world runs one thing at a time).
fn end_stream(out: TcpStream, head: Option<(&str, &str)>, output: &str, status: Value) -> std::io::Result<()> {
    let mut bytes = head.map(|(key, protocol)| switching_protocols(key, protocol)).unwrap_or_default();
    if !output.is_empty() {
        bytes.extend(websocket::channel_frame(websocket::STDOUT, output.as_bytes()));
    }
    bytes.extend(websocket::channel_frame(websocket::ERROR, status.to_string().as_bytes()));
    end_websocket(out, bytes)
}

/// Sends a stream's last frames (`bytes`) and the close frame, then lets the client read everything
/// and answer the close before the socket goes.
fn end_websocket(mut out: TcpStream, mut bytes: Vec<u8>) -> std::io::Result<()> {
    bytes.extend(websocket::close_frame());
    out.write_all(&bytes)?;
    out.flush()?;
    let _ = out.shutdown(std::net::Shutdown::Write);
    let mut rest = Vec::new();
    let _ = out.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = out.read_to_end(&mut rest);
    Ok(())
}

/// `logs -f`: the log so far, then each new line as the container writes it, until it stops or the
/// client goes away (chunked, as the kubelet's stream reaches the client through the apiserver).
fn follow_log(mut out: TcpStream, jobs: &Sender<Job>, r: LogRequest, log: Log, now: Millis) -> std::io::Result<()> {
    write!(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")?;
    let mut seen = log.lines.len();
    let mut chunk = logs::cut(log.lines.clone(), &r, now);
    // Only the first chunk is cut by tail and since; what follows is every new line.
    let each = LogRequest { tail_lines: None, since_seconds: None, since_time: None, limit_bytes: None, ..r.clone() };
    loop {
        if !chunk.is_empty() {
            write!(out, "{:x}\r\n{chunk}\r\n", chunk.len())?;
            out.flush()?;
        }
        std::thread::sleep(WATCH_POLL * 10);
        let Some((lines, running)) = ask(jobs, |tx| Job::MoreLogs(r.clone(), log.clone(), seen, tx)) else {
            return Ok(());
        };
        seen += lines.len();
        chunk = logs::cut(lines, &each, 0);
        if !running && chunk.is_empty() {
            write!(out, "0\r\n\r\n")?;
            return out.flush();
        }
    }
}

/// Whether the client closed its side of the connection (a streaming response's client sends nothing
/// more, so a read that finds the end of the stream means it went away).
fn hung_up(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let closed = matches!(stream.peek(&mut [0u8; 1]), Ok(0));
    let _ = stream.set_nonblocking(false);
    closed
}

/// A watch: chunked JSON events until the simulated apiserver ends it or the client goes away.
fn stream_watch(
    mut out: TcpStream,
    jobs: &Sender<Job>,
    request: ApiRequest,
    table: Option<RowObject>,
) -> std::io::Result<()> {
    let kind = request.resource.kind;
    let Some(id) = ask(jobs, |tx| Job::OpenWatch(request, tx)) else { return Ok(()) };
    write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")?;
    out.flush()?;
    let result = (|| -> std::io::Result<()> {
        loop {
            let Some((events, ended, now)) = ask(jobs, |tx| Job::TakeWatch(id, tx)) else { return Ok(()) };
            for e in events {
                let ty = match e.event {
                    EventType::Added => "ADDED",
                    EventType::Modified => "MODIFIED",
                    EventType::Deleted => "DELETED",
                    EventType::Bookmark => "BOOKMARK",
                };
                let object = match table {
                    Some(include) if e.event != EventType::Bookmark => table::to_table(&e.object, kind, now, include),
                    _ => (*e.object).clone(),
                };
                let line = format!("{}\n", json!({"type": ty, "object": object}));
                write!(out, "{:x}\r\n{line}\r\n", line.len())?;
                out.flush()?;
            }
            if ended {
                write!(out, "0\r\n\r\n")?;
                return out.flush();
            }
            // A client that hangs up ends its watch at once, as the apiserver's does when the request's
            // context is cancelled (not only when a later event's write fails). Every look is a job for
            // the world's thread, so looks are spaced; 5 ms keeps an event's wait short.
            if hung_up(&out) {
                return Ok(());
            }
            std::thread::sleep(WATCH_POLL);
        }
    })();
    let _ = jobs.send(Job::CloseWatch(id));
    result
}
