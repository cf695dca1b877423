//! What a probe gets from a running container: HTTP status, TCP connect, gRPC health, or an exec's
//! exit code, with the kubelet's failure messages (`HTTP probe failed with statuscode: 500`,
//! `dial tcp 10.244.1.5:8080: connect: connection refused`).

use super::exec::{ExecOutput, exec_in, not_found_message};
use super::programs::HttpAnswer;
use super::{Behaviour, Launch, timeline};
use crate::sim::time::Millis;

/// A probe's handler, as the pod spec declares it (named ports already resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handler {
    Http { path: String, port: u16, https: bool },
    Tcp { port: u16 },
    Grpc { port: u16 },
    Exec { command: Vec<String> },
}

/// One probe attempt's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub success: bool,
    /// The failure text the kubelet puts after `Liveness probe failed: ` (empty on success).
    pub message: String,
}

fn ok() -> Outcome {
    Outcome { success: true, message: String::new() }
}

fn fail(message: String) -> Outcome {
    Outcome { success: false, message }
}

/// Whether the container listens on `port` at `elapsed`.
pub fn listening(b: &Behaviour, port: u16, elapsed: Millis) -> bool {
    b.server().is_some_and(|s| s.ports.contains(&port) && elapsed >= timeline::loop_start(b) + s.ready_after)
}

/// Runs one probe `elapsed` ms after the container started.
pub fn run(
    b: &Behaviour,
    launch: &Launch<'_>,
    handler: &Handler,
    pod_ip: &str,
    elapsed: Millis,
    now: Millis,
) -> Outcome {
    if let Some(outcome) = host_process(launch, handler, pod_ip) {
        return outcome;
    }
    match handler {
        Handler::Http { path, port, https } => {
            let scheme = if *https { "https" } else { "http" };
            let url = format!("{scheme}://{pod_ip}:{port}{path}");
            if !listening(b, *port, elapsed) {
                return fail(format!("Get \"{url}\": dial tcp {pod_ip}:{port}: connect: connection refused"));
            }
            let server = b.server().expect("listening implies a server");
            match server.kind.http(path, elapsed - timeline::loop_start(b)) {
                HttpAnswer::Status(code) if (200..400).contains(&code) => ok(),
                HttpAnswer::Status(code) => fail(format!("HTTP probe failed with statuscode: {code}")),
                HttpAnswer::NotHttp => fail(format!(
                    "Get \"{url}\": net/http: HTTP/1.x transport connection broken: malformed HTTP response \"-ERR unknown command\""
                )),
            }
        }
        Handler::Tcp { port } => {
            if listening(b, *port, elapsed) {
                ok()
            } else {
                fail(format!("dial tcp {pod_ip}:{port}: connect: connection refused"))
            }
        }
        Handler::Grpc { port } => {
            if listening(b, *port, elapsed) {
                ok()
            } else {
                fail(format!(
                    "timeout: failed to connect service \"{pod_ip}:{port}\" within 1s: context deadline exceeded"
                ))
            }
        }
        Handler::Exec { command } => match exec_in(b, launch, command, elapsed, now) {
            ExecOutput::NotFound(cmd) => fail(not_found_message(&cmd)),
            ExecOutput::Ran { unknown: true, .. } => {
                // A readiness script the simulation cannot run (`mysqladmin ping`, `/ready-probe.sh`):
                // it succeeds once the container's server accepts connections.
                let ready = b.server().is_none_or(|s| elapsed >= timeline::loop_start(b) + s.ready_after);
                if ready { ok() } else { fail(String::new()) }
            }
            ExecOutput::Ran { exit_code: 0, .. } => ok(),
            ExecOutput::Ran { output, .. } => fail(output.join("\n")),
        },
    }
}

/// A probe of a port served by one of the node's own processes (kube-apiserver on 6443, the
/// scheduler on 10259...): it answers while that process runs, and is refused while it is stopped.
fn host_process(launch: &Launch<'_>, handler: &Handler, ip: &str) -> Option<Outcome> {
    let port = match handler {
        Handler::Http { port, .. } | Handler::Tcp { port } | Handler::Grpc { port } => *port,
        Handler::Exec { .. } => return None,
    };
    let up = launch.host_listeners.iter().find(|(p, _)| *p == port)?.1;
    Some(match handler {
        _ if up => ok(),
        Handler::Http { path, https, .. } => {
            let scheme = if *https { "https" } else { "http" };
            fail(format!("Get \"{scheme}://{ip}:{port}{path}\": dial tcp {ip}:{port}: connect: connection refused"))
        }
        _ => fail(format!("dial tcp {ip}:{port}: connect: connection refused")),
    })
}

/// The next time after `elapsed` when the probe's result can change, if it ever does: probes whose
/// answer cannot change need no timer at all.
pub fn next_change(b: &Behaviour, handler: &Handler, elapsed: Millis) -> Option<Millis> {
    let serving_from = b.server().map(|s| timeline::loop_start(b) + s.ready_after);
    let ready_change = serving_from.filter(|t| *t > elapsed);
    let content_change = match handler {
        Handler::Http { path, .. } => {
            let start = timeline::loop_start(b);
            b.server().and_then(|s| s.kind.http_change_after(path, elapsed.saturating_sub(start))).map(|t| t + start)
        }
        Handler::Exec { .. } => timeline::next_file_change(b, elapsed),
        _ => None,
    };
    match (ready_change, content_change) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn behaviour(image: &str, command: &[&str], ports: &[u16]) -> (Behaviour, Vec<String>, Vec<u16>) {
        let command: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        let ports = ports.to_vec();
        let b = Behaviour::of(&Launch { image, command: &command, ports: &ports, hostname: "p", ..Launch::default() });
        (b, command, ports)
    }

    #[test]
    fn http_probes_against_nginx() {
        let (b, cmd, ports) = behaviour("nginx", &[], &[80]);
        let l = Launch { image: "nginx", command: &cmd, ports: &ports, hostname: "p", ..Launch::default() };
        let root = Handler::Http { path: "/".into(), port: 80, https: false };
        assert_eq!(run(&b, &l, &root, "10.244.1.5", 1000, 0), ok());
        let healthz = Handler::Http { path: "/healthz".into(), port: 80, https: false };
        assert_eq!(run(&b, &l, &healthz, "10.244.1.5", 1000, 0).message, "HTTP probe failed with statuscode: 404");
        let wrong_port = Handler::Http { path: "/".into(), port: 8080, https: false };
        assert_eq!(
            run(&b, &l, &wrong_port, "10.244.1.5", 1000, 0).message,
            "Get \"http://10.244.1.5:8080/\": dial tcp 10.244.1.5:8080: connect: connection refused"
        );
        assert_eq!(next_change(&b, &root, 1000), None, "a healthy nginx never needs re-probing");
    }

    #[test]
    fn host_processes_answer_for_themselves() {
        let (b, cmd, _) = behaviour("registry.k8s.io/kube-scheduler:v1.33.1", &["kube-scheduler"], &[]);
        let livez = Handler::Http { path: "/livez".into(), port: 10259, https: true };
        for (up, want) in [
            (true, ok()),
            (
                false,
                fail(
                    "Get \"https://172.18.0.2:10259/livez\": dial tcp 172.18.0.2:10259: connect: connection refused"
                        .into(),
                ),
            ),
        ] {
            let listeners = [(10259, up)];
            let l = Launch { command: &cmd, host_listeners: &listeners, ..Launch::default() };
            assert_eq!(run(&b, &l, &livez, "172.18.0.2", 20_000, 0), want);
        }
        let other = Handler::Tcp { port: 80 };
        let l = Launch { command: &cmd, host_listeners: &[(10259, true)], ..Launch::default() };
        assert!(!run(&b, &l, &other, "172.18.0.2", 20_000, 0).success, "other ports are the container's");
    }

    #[test]
    fn the_docs_liveness_image_fails_after_ten_seconds() {
        let (b, cmd, ports) = behaviour("registry.k8s.io/liveness", &[], &[]);
        let l = Launch {
            image: "registry.k8s.io/liveness",
            command: &cmd,
            ports: &ports,
            hostname: "p",
            ..Launch::default()
        };
        let h = Handler::Http { path: "/healthz".into(), port: 8080, https: false };
        assert!(run(&b, &l, &h, "10.0.0.1", 3000, 0).success);
        assert_eq!(run(&b, &l, &h, "10.0.0.1", 12_000, 0).message, "HTTP probe failed with statuscode: 500");
        assert_eq!(next_change(&b, &h, 3000), Some(10_000));
    }

    #[test]
    fn tcp_waits_for_mysql_to_initialize() {
        let env = vec![("MYSQL_ROOT_PASSWORD".to_string(), "x".to_string())];
        let l = Launch { image: "mysql:8.0", env: &env, hostname: "db", ..Launch::default() };
        let b = Behaviour::of(&l);
        let h = Handler::Tcp { port: 3306 };
        assert!(!run(&b, &l, &h, "10.0.0.2", 5000, 0).success);
        assert!(run(&b, &l, &h, "10.0.0.2", 16_000, 0).success);
        assert_eq!(next_change(&b, &h, 5000), Some(15_000));
        let unknown_exec = Handler::Exec { command: vec!["mysqladmin".into(), "ping".into()] };
        assert!(run(&b, &l, &unknown_exec, "10.0.0.2", 20_000, 0).success);
    }

    #[test]
    fn exec_probe_follows_files() {
        let cmd: Vec<String> = ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let l = Launch { image: "registry.k8s.io/busybox", command: &cmd, hostname: "p", ..Launch::default() };
        let b = Behaviour::of(&l);
        let h = Handler::Exec { command: vec!["cat".into(), "/tmp/healthy".into()] };
        assert!(run(&b, &l, &h, "10.0.0.3", 5000, 0).success);
        assert_eq!(
            run(&b, &l, &h, "10.0.0.3", 31_000, 0).message,
            "cat: can't open '/tmp/healthy': No such file or directory"
        );
        assert_eq!(next_change(&b, &h, 5000), Some(30_000));
    }
}
