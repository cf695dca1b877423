//! `kubectl port-forward` (kubectl 1.33) through `sandbox serve`: over the WebSocket tunnel it asks
//! for first, and over plain SPDY/3.1 (its fallback, forced with `KUBECTL_PORT_FORWARD_WEBSOCKETS=false`),
//! a local connection gets nginx's page from the simulated pod; a port nothing listens on gets the
//! kubelet's error, which kubectl prints before it gives up the forward.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{KUBECTL, Server, have_kubectl, http, kubectl, start};

/// A backgrounded `kubectl port-forward`, killed when the test ends however it ends.
struct Forward(Child);

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A local port nothing listens on now (the system's pick, released at once).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// Starts `kubectl port-forward pod/web LOCAL:REMOTE` and waits for its first `Forwarding from` line.
fn forward(
    server: &Server,
    local: u16,
    remote: u16,
    websockets: bool,
) -> (Forward, BufReader<std::process::ChildStdout>) {
    let mut cmd = Command::new(KUBECTL);
    cmd.arg("--kubeconfig").arg(server.dir.join("kubeconfig")).arg("--cache-dir").arg(server.dir.join("cache"));
    cmd.args(["port-forward", "pod/web", &format!("{local}:{remote}")]);
    if !websockets {
        cmd.env("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false");
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("kubectl port-forward runs");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("kubectl says where it listens");
    assert_eq!(line, format!("Forwarding from 127.0.0.1:{local} -> {remote}\n"));
    (Forward(child), stdout)
}

/// One HTTP request through the forwarded port; everything that comes back before the close.
fn get(local: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", local)).expect("the forwarded port takes connections");
    write!(s, "GET / HTTP/1.1\r\nHost: localhost:{local}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn nginx_pod(server: &Server) {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: nginx\n    image: nginx\n    ports:\n    - containerPort: 80\n";
    let (out, err) = kubectl(server, "apply -f -", Some(pod));
    assert_eq!(out, "pod/web created\n", "{err}");
    let (code, body) = http(server.port, "POST", "/sandbox/v1/advance?duration=30s", "", "");
    assert_eq!(code, 200, "{body}");
}

#[test]
fn real_kubectl_port_forwards_to_nginx_over_both_transports() {
    if !have_kubectl() {
        return;
    }
    let server = start("portforward");
    nginx_pod(&server);
    for websockets in [true, false] {
        let local = free_port();
        let (_kubectl, mut stdout) = forward(&server, local, 80, websockets);
        for _ in 0..2 {
            let page = get(local);
            assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "websockets={websockets}: {page}");
            assert!(page.contains("<title>Welcome to nginx!</title>"), "{page}");
        }
        // `Forwarding from [::1]:PORT` may come before the connections' lines.
        let mut lines = Vec::new();
        while lines.iter().filter(|l: &&String| l.starts_with("Handling connection")).count() < 2 {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("kubectl's output");
            lines.push(line);
        }
        assert!(lines.contains(&format!("Handling connection for {local}\n")), "{lines:?}");
    }
}

#[test]
fn a_port_nothing_listens_on_is_the_kubelets_error_and_kubectl_gives_up() {
    if !have_kubectl() {
        return;
    }
    let server = start("portforward-refused");
    nginx_pod(&server);
    let local = free_port();
    let (mut forward, _stdout) = forward(&server, local, 81, true);
    assert_eq!(get(local), "", "nothing comes back from a port nobody listens on");
    // kubectl prints the error stream's text and closes the forward (`lost connection to pod`).
    let deadline = Instant::now() + Duration::from_secs(30);
    while forward.0.try_wait().expect("kubectl runs").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut err = String::new();
    forward.0.stderr.take().expect("stderr").read_to_string(&mut err).unwrap();
    assert!(
        err.contains(&format!("an error occurred forwarding {local} -> 81: error forwarding port 81 to pod ")),
        "{err}"
    );
    assert!(err.ends_with("error: lost connection to pod\n"), "{err}");
    // Refusals before the upgrade: kubectl reads the pod itself first; the server checks it too.
    let (_, err) = kubectl(&server, "port-forward pod/nope 1234:80", None);
    assert_eq!(err.trim(), "Error from server (NotFound): pods \"nope\" not found");
    let (code, body) = http(server.port, "POST", "/api/v1/namespaces/default/pods/nope/portforward", "", "");
    assert_eq!(code, 404, "{body}");
    let (code, body) = http(server.port, "POST", "/api/v1/namespaces/default/pods/web/portforward", "", "");
    assert!(code == 400 && body.contains("Upgrade request required"), "{code} {body}");
}
