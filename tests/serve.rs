//! `sandbox serve` driven by the real kubectl 1.33 (issue 15): the same world behind the Kubernetes
//! REST API on loopback, with a manual clock so that every run prints the same thing.
//!
//! Skips, saying why, where the machine has no kubectl 1.33.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "serve/portforward.rs"]
mod portforward;

const KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// The server process, stopped when the test ends however it ends.
struct Server {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start(name: &str) -> Server {
    let dir = std::env::temp_dir().join(format!("sandbox-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let kubeconfig = dir.join("kubeconfig");
    let child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["serve", "--port", "0", "--clock", "manual", "--seed", "1", "--kubeconfig"])
        .arg(&kubeconfig)
        .stdout(Stdio::null())
        .spawn()
        .expect("sandbox serve starts");
    let mut server = Server { child, dir, port: 0 };
    // The kubeconfig is written once the port is bound; a fresh World takes a moment to boot.
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(port) = std::fs::read_to_string(&kubeconfig)
            .ok()
            .and_then(|c| c.split("http://127.0.0.1:").nth(1)?.split_whitespace().next()?.parse().ok())
        {
            server.port = port;
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("sandbox serve wrote no kubeconfig within 60 s");
}

/// One raw HTTP/1.1 request; the status code and body.
fn http(port: u16, method: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    s.shutdown(std::net::Shutdown::Write).expect("half close");
    let mut answer = String::new();
    // The server keeps the connection for the next request; read what one response holds.
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
        if let Some((head, body)) = answer.split_once("\r\n\r\n") {
            let len = head.lines().find_map(|l| l.strip_prefix("Content-Length: ")?.parse::<usize>().ok());
            if len.is_some_and(|n| body.len() >= n) {
                break;
            }
        }
    }
    let code = answer.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

fn kubectl(server: &Server, args: &str, stdin: Option<&str>) -> (String, String) {
    let mut cmd = Command::new(KUBECTL);
    cmd.arg("--kubeconfig").arg(server.dir.join("kubeconfig")).arg("--cache-dir").arg(server.dir.join("cache"));
    cmd.args(args.split_whitespace());
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("kubectl runs");
    if let Some(text) = stdin {
        child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("stdin written");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("kubectl finishes");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn have_kubectl() -> bool {
    if Path::new(KUBECTL).exists() {
        return true;
    }
    println!("skipped: {KUBECTL} is not on this machine, so real kubectl cannot be run against sandbox serve");
    false
}

#[test]
fn real_kubectl_reads_and_writes_the_simulated_cluster() {
    if !have_kubectl() {
        return;
    }
    let server = start("kubectl");
    let (nodes, err) = kubectl(&server, "get nodes --no-headers", None);
    assert_eq!(nodes.lines().count(), 4, "{nodes}{err}");
    assert!(nodes.lines().all(|l| l.split_whitespace().nth(1) == Some("Ready")), "{nodes}");
    let (pods, _) = kubectl(&server, "get pods -n kube-system -o name", None);
    assert!(
        pods.contains("pod/etcd-sandbox-control-plane") && pods.contains("pod/kube-apiserver-sandbox-control-plane"),
        "{pods}"
    );

    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - {name: nginx, image: nginx:1.27}\n";
    // kubectl reads the OpenAPI v3 documents, sees the server validates, and sends fieldValidation=Strict.
    let (out, err) = kubectl(&server, "apply -f -", Some(deployment));
    assert_eq!(out, "deployment.apps/web created\n", "{err}");
    let (code, body) = http(server.port, "POST", "/sandbox/v1/advance?duration=60s", "", "");
    assert_eq!(code, 200, "{body}");
    let (pods, err) = kubectl(&server, "get pods -l app=web --no-headers", None);
    assert_eq!(pods.lines().filter(|l| l.contains(" 1/1 ") && l.contains("Running")).count(), 2, "{pods}{err}");
    let (ready, _) = kubectl(&server, "get deploy web -o jsonpath={.status.readyReplicas}", None);
    assert_eq!(ready, "2");

    // Bad input answers as the real apiserver and kubectl do, and changes nothing.
    let bogus = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bogus: 1\n";
    let (_, err) = kubectl(&server, "apply -f -", Some(bogus));
    assert_eq!(
        err.trim(),
        "Error from server (BadRequest): error when creating \"STDIN\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"metadata.bogus\""
    );
    let (_, err) = kubectl(&server, "get widgets", None);
    assert_eq!(err.trim(), "error: the server doesn't have a resource type \"widgets\"");
    let (_, err) = kubectl(&server, "get pod nope", None);
    assert_eq!(err.trim(), "Error from server (NotFound): pods \"nope\" not found");
    let (out, err) = kubectl(&server, "delete deploy web", None);
    assert_eq!(out, "deployment.apps \"web\" deleted\n", "{err}");
}

#[test]
fn the_rest_api_answers_documents_and_errors_as_the_apiserver() {
    let server = start("raw");
    let (code, version) = http(server.port, "GET", "/version", "", "");
    assert_eq!(code, 200);
    assert!(version.contains("\"gitVersion\":\"v1.33.1\""), "{version}");
    let (code, body) = http(server.port, "GET", "/apis/apps/v1/namespaces/default/widgets", "", "");
    assert_eq!(code, 404);
    assert!(body.contains("\"reason\":\"NotFound\"") && body.contains("\"kind\":\"Status\""), "{body}");
    // Server-side apply is refused, naming what is not modelled; a JSON patch is served (404: no such map).
    let (code, body) = http(
        server.port,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/c",
        "application/apply-patch+yaml",
        "data: {}",
    );
    assert_eq!(code, 415, "{body}");
    assert!(body.contains("server-side apply is not served"), "{body}");
    let (code, body) =
        http(server.port, "PATCH", "/api/v1/namespaces/default/configmaps/c", "application/json-patch+json", "[]");
    assert_eq!(code, 404, "{body}");
    // List chunking: one namespace a page, a continue token and the count left.
    let (code, body) = http(server.port, "GET", "/api/v1/namespaces?limit=1", "", "");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"continue\":\"") && body.contains("\"remainingItemCount\":"), "{body}");
    let (code, body) = http(server.port, "GET", "/api/v1/namespaces?limit=1&continue=x", "", "");
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("invalid continue token: continue key is not valid"), "{body}");
    let (code, body) = http(
        server.port,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        "{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\"}}",
    );
    assert_eq!(code, 201, "{body}");
    let (code, body) = http(
        server.port,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        "{\"metadata\":{\"name\":\"c\"}}",
    );
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("configmaps \\\"c\\\" already exists"), "{body}");
    let (code, body) = http(server.port, "POST", "/sandbox/v1/advance?duration=later", "", "");
    assert_eq!(code, 400, "{body}");
}

/// The differential check (`sandbox compare`) over every runner script: the sandbox's kubectl and
/// kubectl 1.33 through `sandbox serve` must print the same transcript on the same seed.
#[test]
fn every_script_reads_the_same_through_real_kubectl() {
    if !have_kubectl() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scripts")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sh"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty());
    let mut failures = Vec::new();
    for script in &scripts {
        // A script that real kubectl cannot run yet says why in a `# not compared: ...` line.
        let text = std::fs::read_to_string(script).expect("the script is readable");
        if let Some(why) = text.lines().find(|l| l.starts_with("# not compared:")) {
            println!("{}: {why}", script.display());
            continue;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_sandbox"))
            .arg("compare")
            .arg(script)
            .args(["--kubectl", KUBECTL, "--seed", "1"])
            .output()
            .expect("sandbox compare runs");
        if !out.status.success() {
            failures.push(format!(
                "{}:\n{}{}",
                script.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "the transcripts differ:\n{}", failures.join("\n"));
}

/// The official Python client (issue 15 item 4) lists, creates and watches through `sandbox serve`.
/// `make test-clients` makes the project-local virtualenv and names its python in `SANDBOX_PYTHON`.
#[test]
fn the_python_client_lists_creates_and_watches() {
    let Ok(python) = std::env::var("SANDBOX_PYTHON") else {
        println!("skipped: SANDBOX_PYTHON is not set (make test-clients installs the Python client and sets it)");
        return;
    };
    let server = start("python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/python_client.py");
    // A client that hangs must fail the test, not the whole run: stop it after a minute.
    let mut child = Command::new(python)
        .arg(script)
        .arg(server.dir.join("kubeconfig"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("python waits").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("python finishes");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "listed 15 kube-system pods\n4 nodes Ready\ncreated configmap from-python\nsecond create refused: 409 Conflict\nwatched ADDED configmap from-python with data {'answer': '42'}\n"
    );
}

/// Sends raw bytes on a fresh connection and reads until the server closes it (or 10 s pass).
fn raw(port: u16, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.write_all(bytes).expect("write");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// Bad input on the wire gets the answers Go's net/http and the apiserver give, and the server keeps
/// serving: a request line it cannot read, a header without a colon, a body over the apiserver's 3 MiB
/// limit, and a client that hangs up in the middle of a watch.
#[test]
fn bad_requests_get_the_apiservers_answers_and_the_server_keeps_serving() {
    let server = start("bad");
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET /version HTTP/1.1\r\nno colon here\r\n\r\n",
    ] {
        let answer = raw(server.port, garbage);
        assert!(
            answer.starts_with("HTTP/1.1 400 Bad Request\r\n") && answer.ends_with("\r\n\r\n400 Bad Request"),
            "{garbage:?}: {answer}"
        );
    }
    let huge = format!(
        "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        (3 << 20) + 1
    );
    let answer = raw(server.port, huge.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 413 Request Entity Too Large\r\n"), "{answer}");
    assert!(answer.contains("\"message\":\"Request entity too large: limit is 3145728\""), "{answer}");
    assert!(answer.contains("\"reason\":\"RequestEntityTooLarge\""), "{answer}");
    // JSON that is not an object: the decoder's words, and nothing is written.
    let (code, body) = http(server.port, "PUT", "/api/v1/namespaces/default", "application/json", "[]");
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("json: cannot unmarshal array into Go value of type struct"), "{body}");
    // A watch whose client goes away mid-stream.
    {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        write!(s, "GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
        let mut first = [0u8; 64];
        s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let n = s.read(&mut first).expect("the watch answers");
        assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200 OK"));
    }
    // Nothing was created by any of it, and the server still answers.
    let (code, body) = http(server.port, "GET", "/api/v1/namespaces/default/configmaps", "", "");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"kube-root-ca.crt\"") && !body.contains("\"name\":\"c\""), "{body}");
    let (code, _) = http(server.port, "GET", "/version", "", "");
    assert_eq!(code, 200);
}

/// `kubectl attach` (no `-i`) through the attach subresource over a WebSocket: the lines the container
/// writes after kubectl attaches, and the end of the stream (exit 0) when the container stops. The
/// manual clock is moved only once kubectl is attached, so what it prints is fixed.
#[test]
fn real_kubectl_attaches_to_a_containers_output() {
    if !have_kubectl() {
        return;
    }
    let server = start("attach");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ender\nspec:\n  restartPolicy: Never\n  containers:\n  - name: main\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo before; sleep 30; echo one; sleep 2; echo bye\"]\n";
    let (out, err) = kubectl(&server, "apply -f -", Some(pod));
    assert_eq!(out, "pod/ender created\n", "{err}");
    let (code, body) = http(server.port, "POST", "/sandbox/v1/advance?duration=20s", "", "");
    assert_eq!(code, 200, "{body}");
    let mut child = Command::new(KUBECTL)
        .arg("--kubeconfig")
        .arg(server.dir.join("kubeconfig"))
        .args(["attach", "ender", "-c", "main"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl attach runs");
    // kubectl prints its prompt note just before it asks for the upgrade; give the stream a moment.
    let mut stderr = child.stderr.take().expect("stderr");
    let mut note = [0u8; 64];
    let n = stderr.read(&mut note).expect("kubectl attach says something");
    assert!(String::from_utf8_lossy(&note[..n]).starts_with("If you don't see a command prompt"));
    std::thread::sleep(Duration::from_secs(2));
    let (code, body) = http(server.port, "POST", "/sandbox/v1/advance?duration=20s", "", "");
    assert_eq!(code, 200, "{body}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("kubectl attach waits").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("kubectl attach ends");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "one\nbye\n", "only what came after attaching");
    // The pod as kubectl reads it first, and the apiserver's refusals before any upgrade.
    let (_, err) = kubectl(&server, "attach nope", None);
    assert_eq!(err.trim(), "Error from server (NotFound): pods \"nope\" not found");
    let (code, body) = http(server.port, "GET", "/api/v1/namespaces/default/pods/ender/attach?stdout=true", "", "");
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("Upgrade request required"), "{body}");
    let (code, body) = http(server.port, "GET", "/api/v1/namespaces/default/pods/ender/attach", "", "");
    assert!(code == 400 && body.contains("you must specify at least 1 of stdin, stdout, stderr"), "{body}");
}
