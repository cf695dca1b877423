//! Scenarios of the learner's machine: kubectl port-forward's listeners and the connections the
//! machine's curl makes through them, each checked against what kubectl 1.33 and curl 8 print.

use super::*;
use crate::sim::kubectl::{self, NoFiles};
use crate::sim::node::behaviour::nettools::http::NGINX_WELCOME;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

/// A cluster with a running nginx pod `web` (port 80 named `http`) and a Service `web` on 8080.
fn cluster() -> World {
    let mut w = World::new(7);
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n  containers:\n  - name: nginx\n    image: nginx\n    ports: [{name: http, containerPort: 80}]\n";
    assert!(!kubectl::execute(&mut w, "apply -f -", Some(pod), &NoFiles).failed);
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{name: web, port: 8080, targetPort: http}]\n";
    assert!(!kubectl::execute(&mut w, "apply -f -", Some(svc), &NoFiles).failed);
    w.run_for(60_000);
    w
}

#[test]
fn a_forward_carries_curl_to_nginx_through_the_apiserver_kubelet_and_runtime() {
    let mut w = cluster();
    let out = kubectl(&mut w, "kubectl port-forward pod/web 8080:80");
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("Forwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n", ""));
    let start = w.k.trace.entries().back().map_or(0, |e| e.id);
    let got = run(&mut w, "curl -s localhost:8080");
    assert_eq!(got.stdout, format!("Handling connection for 8080\n{NGINX_WELCOME}"));
    assert!(!got.failed);
    // Every hop is a message: the subresource, the kubelet's stream, the CRI call, the pod's loopback.
    let hops: Vec<String> =
        w.k.trace.entries().iter().filter(|e| e.id > start).map(|e| format!("{} -> {}: {}", e.from, e.to, e.summary)).collect();
    let saw = |what: &str| hops.iter().any(|h| h.contains(what));
    assert!(saw("POST /api/v1/namespaces/default/pods/web/portforward?ports=80"), "{hops:#?}");
    assert!(saw("POST /portForward/default/web port 80"), "{hops:#?}");
    assert!(saw("PortForward "), "{hops:#?}");
    assert!(saw("SYN + "), "{hops:#?}");
    assert!(saw("101 Switching Protocols, port-forward stream: "), "{hops:#?}");
    // -i shows nginx's headers; a Service's port goes to its targetPort, by name.
    let out = kubectl(&mut w, "port-forward svc/web :8080");
    let port: u16 = out.stdout.split(':').nth(1).and_then(|p| p.split(' ').next()).and_then(|p| p.parse().ok()).expect("a port");
    assert!((32768..=60999).contains(&port), "{out:?}");
    let got = run(&mut w, &format!("curl -si http://127.0.0.1:{port}/nope"));
    assert!(got.stdout.contains("HTTP/1.1 404 Not Found\nServer: nginx/1.27.3\n"), "{got:?}");
    assert_eq!(jobs(&w.workstation).lines().count(), 2);
}

#[test]
fn kubectl_refuses_as_upstream_before_listening() {
    let mut w = cluster();
    let err = |w: &mut World, line: &str| kubectl(w, line).stderr;
    assert_eq!(err(&mut w, "port-forward"), "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n");
    assert_eq!(err(&mut w, "port-forward pod/nope 80"), "Error from server (NotFound): pods \"nope\" not found\n");
    assert_eq!(err(&mut w, "port-forward web ftp"), "error: Pod 'web' does not have a named port 'ftp'\n");
    assert_eq!(err(&mut w, "port-forward svc/web 9999"), "error: Service web does not have a service port 9999\n");
    assert_eq!(err(&mut w, "port-forward web 8080:80 --address nope"), "error: nope is not a valid IP\n");
    assert_eq!(err(&mut w, "port-forward web 80"), "Unable to listen on port 80: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:80: bind: address already in use unable to create listener: Error listen tcp6 [::1]:80: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{80 80}]\n");
    assert!(w.workstation.forwards.is_empty(), "nothing listens after a failure");
    let bare = "apiVersion: v1\nkind: Service\nmetadata: {name: bare}\nspec:\n  ports: [{port: 80}]\n";
    kubectl::execute(&mut w, "apply -f -", Some(bare), &NoFiles);
    assert_eq!(err(&mut w, "port-forward svc/bare 80"), "error: invalid service 'bare': Service is defined without a selector\n");
    let pending = "apiVersion: v1\nkind: Pod\nmetadata: {name: stuck}\nspec:\n  nodeSelector: {nowhere: \"true\"}\n  containers: [{name: c, image: nginx}]\n";
    kubectl::execute(&mut w, "apply -f -", Some(pending), &NoFiles);
    assert_eq!(err(&mut w, "port-forward stuck 80"), "error: unable to forward port because pod is not running. Current status=Pending\n");
    // The same local port again: kubectl 1.33 cannot listen.
    kubectl(&mut w, "port-forward web 8080:80 &");
    let again = kubectl(&mut w, "port-forward web 8080:80");
    assert!(again.failed && again.stderr.ends_with("error: unable to listen on any of the requested ports: [{8080 80}]\n"), "{again:?}");
}

#[test]
fn nothing_listening_in_the_pod_ends_the_forward() {
    let mut w = cluster();
    kubectl(&mut w, "port-forward web 8081:81");
    let got = run(&mut w, "curl localhost:8081");
    assert_eq!(got.stdout, "Handling connection for 8081\n");
    let lines: Vec<&str> = got.stderr.lines().collect();
    assert!(lines[0].starts_with('E') && lines[0].contains(" portforward.go:424] \"Unhandled Error\" err=\"an error occurred forwarding 8081 -> 81: error forwarding port 81 to pod "), "{lines:?}");
    assert!(lines[0].ends_with("IPv4: dial tcp4 127.0.0.1:81: connect: connection refused IPv6 dial tcp6: address localhost: no suitable address found \""), "{lines:?}");
    assert_eq!(&lines[1..], ["error: lost connection to pod", "curl: (52) Empty reply from server"]);
    assert!(w.workstation.forwards.is_empty());
    let gone = run(&mut w, "curl localhost:8081");
    assert_eq!(gone.stderr, "curl: (7) Failed to connect to localhost port 8081 after 0 ms: Couldn't connect to server\n");
}

#[test]
fn a_deleted_pod_loses_the_connection_and_ctrl_c_or_kill_end_a_forward() {
    let mut w = cluster();
    kubectl(&mut w, "port-forward web 8080:80 &");
    kubectl(&mut w, "delete pod web --wait=false");
    w.run_for(60_000);
    let got = run(&mut w, "curl -s localhost:8080");
    assert_eq!(got.stderr, "error: lost connection to pod\n");
    assert!(got.failed && w.workstation.forwards.is_empty());
    let mut w = cluster();
    kubectl(&mut w, "kubectl port-forward web 8080:80 &");
    kubectl(&mut w, "kubectl port-forward svc/web 9090:8080");
    assert_eq!(run(&mut w, "kill %1").stdout, "[1]+  Terminated              kubectl port-forward web 8080:80\n");
    assert_eq!(run(&mut w, "kill %1").stderr, "bash: kill: %1: no such job\n");
    assert_eq!(run(&mut w, "kill -INT %%").stdout, "[2]+  Interrupt               kubectl port-forward svc/web 9090:8080\n");
    assert_eq!(run(&mut w, "kill -INT %%").stderr, "bash: kill: %%: no such job\n");
    assert!(w.workstation.forwards.is_empty());
}

#[test]
fn the_machines_curl_answers_as_curl_8() {
    let mut w = cluster();
    assert_eq!(run(&mut w, "curl http://example.com/").stderr, "curl: (6) Could not resolve host: example.com\n");
    assert_eq!(run(&mut w, "curl -s example.com").stderr, "");
    assert_eq!(run(&mut w, "curl -sS localhost:9999").stderr, "curl: (7) Failed to connect to localhost port 9999 after 0 ms: Couldn't connect to server\n");
    assert_eq!(run(&mut w, "curl").stderr, "curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
    assert_eq!(run(&mut w, "curl ftp://localhost").stderr, "curl: (1) Protocol \"ftp\" not supported\n");
    // kind's port 80 reaches the control-plane node, where nothing listens until ingress-nginx runs there.
    assert_eq!(run(&mut w, "curl localhost").stderr, "curl: (52) Empty reply from server\n");
    kubectl(&mut w, "port-forward web 8080:80");
    let v = run(&mut w, "curl -v -o /dev/null -w %{http_code} localhost:8080/");
    assert_eq!(v.stdout, "Handling connection for 8080\n200");
    assert!(v.stderr.starts_with("*   Trying [::1]:8080...\n* Connected to localhost (::1) port 8080\n> GET / HTTP/1.1\n> Host: localhost:8080\n"), "{v:?}");
    let f = run(&mut w, "curl -sf localhost:8080/missing");
    assert_eq!((f.failed, f.stderr.as_str()), (true, ""));
}

#[test]
fn listeners_bind_as_the_machine_allows() {
    let mut ws = Workstation::default();
    let mut rng = Rng::new(1);
    let addr = |a: &str, all: bool| ListenAddress { address: a.into(), network: if a.contains(':') { "tcp6" } else { "tcp4" }.into(), all };
    let req = |addresses: Vec<ListenAddress>, ports: Vec<(u16, u16)>| ListenRequest {
        namespace: "default".into(),
        pod: "web".into(),
        command: "kubectl port-forward web".into(),
        addresses,
        ports,
    };
    let b = ws.listen(&req(vec![addr("0.0.0.0", false)], vec![(8080, 80)]), &mut rng);
    assert_eq!(b, vec![vec![Ok(8080)]]);
    // 0.0.0.0 holds the port on every IPv4 address, not on IPv6's.
    let b = ws.listen(&req(vec![addr("127.0.0.1", true), addr("::1", true)], vec![(8080, 80)]), &mut rng);
    assert_eq!(b[0][0], Err("listen tcp4 127.0.0.1:8080: bind: address already in use".into()));
    assert_eq!(b[0][1], Ok(8080));
    let b = ws.listen(&req(vec![addr("10.1.2.3", false)], vec![(9000, 80)]), &mut rng);
    assert_eq!(b, vec![vec![Err("listen tcp4 10.1.2.3:9000: bind: cannot assign requested address".into())]]);
    assert_eq!(ws.forwards.len(), 2, "a failed listen leaves no forward");
    assert_eq!(ws.forward_at(&["::1", "127.0.0.1"], 8080), Some((1, 80)));
    assert_eq!(ws.forward_at(&["127.0.0.1"], 8080), Some((0, 80)));
}
