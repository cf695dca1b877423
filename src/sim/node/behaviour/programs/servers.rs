//! Long-running servers: their start-up logs, what they answer over HTTP, their memory and CPU, and
//! how they take SIGTERM. Databases refuse to start without a password, as their images do.

use super::super::interp::{Effect, Exec};
use super::super::{End, Line, Server, Sigterm, Step};
use crate::sim::time::{Millis, rfc3339};

const MIB: u64 = 1 << 20;

/// agnhost's server subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agnhost {
    /// `netexec`: answers everything (`/hostname`, `/healthz`, `/echo`).
    Netexec,
    ServeHostname,
    /// `liveness`: `/healthz` is 200 for 10 s, then 500.
    Liveness,
}

/// Which server a container runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerKind {
    Nginx,
    Httpd,
    Redis,
    Postgres,
    Mysql,
    Memcached,
    Mongo,
    Agnhost(Agnhost),
    /// `registry.k8s.io/liveness`: the docs' HTTP liveness example, healthy for 10 s only.
    LivenessDemo,
    HttpEcho(String),
    HelloApp,
    PythonHttp,
    /// ingress-nginx's controller: nginx routing by the Ingresses (the data plane asks the
    /// controller's routes; alone, it is the default server: `/healthz` and the default backend's 404).
    IngressNginx,
    /// The sandbox's `/pause` (also `agnhost pause`).
    Pause,
    /// A program the simulation does not know; it serves its declared ports.
    Generic(String),
}

/// What an HTTP GET gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpAnswer {
    Status(u16),
    /// The port speaks another protocol (Redis, MySQL...).
    NotHttp,
}

/// `2025/01/01 00:00:05`: nginx's and Go's log timestamps.
fn slash_date(at: Millis) -> String {
    let r = rfc3339(at);
    format!("{} {}", r[..10].replace('-', "/"), &r[11..19])
}

impl ServerKind {
    /// Resident memory when idle.
    pub fn memory(&self) -> u64 {
        match self {
            ServerKind::Nginx => 6 * MIB,
            ServerKind::Httpd => 12 * MIB,
            ServerKind::Redis => 4 * MIB,
            ServerKind::Postgres => 40 * MIB,
            ServerKind::Mysql => 380 * MIB,
            ServerKind::Memcached => 2 * MIB,
            ServerKind::Mongo => 150 * MIB,
            ServerKind::Agnhost(_) => 12 * MIB,
            ServerKind::LivenessDemo | ServerKind::HttpEcho(_) | ServerKind::HelloApp => 3 * MIB,
            ServerKind::PythonHttp => 15 * MIB,
            ServerKind::IngressNginx => 90 * MIB,
            ServerKind::Pause => MIB / 3,
            ServerKind::Generic(_) => 30 * MIB,
        }
    }

    /// Idle CPU in millicores.
    pub fn cpu(&self) -> u32 {
        match self {
            ServerKind::Pause => 0,
            ServerKind::Mysql | ServerKind::Mongo => 5,
            ServerKind::Postgres => 3,
            ServerKind::Redis => 2,
            _ => 1,
        }
    }

    /// Servers with a SIGTERM handler shut down cleanly; unknown programs as PID 1 ignore SIGTERM and
    /// are killed when the grace period ends; Go programs without a handler exit with status 2.
    pub fn sigterm(&self) -> Sigterm {
        match self {
            ServerKind::Nginx | ServerKind::Pause | ServerKind::Memcached | ServerKind::HttpEcho(_) => {
                Sigterm::Exit { after: 100, code: 0 }
            }
            ServerKind::Httpd | ServerKind::Redis | ServerKind::Agnhost(_) | ServerKind::IngressNginx => {
                Sigterm::Exit { after: 200, code: 0 }
            }
            ServerKind::Postgres | ServerKind::Mongo => Sigterm::Exit { after: 500, code: 0 },
            ServerKind::Mysql => Sigterm::Exit { after: 2000, code: 0 },
            ServerKind::LivenessDemo | ServerKind::HelloApp => Sigterm::Exit { after: 50, code: 2 },
            ServerKind::PythonHttp | ServerKind::Generic(_) => Sigterm::Ignore,
        }
    }

    /// The answer to `GET path` `elapsed` ms after the container started.
    pub fn http(&self, path: &str, elapsed: Millis) -> HttpAnswer {
        let path = path.split('?').next().unwrap_or(path);
        match self {
            ServerKind::Nginx | ServerKind::Httpd | ServerKind::PythonHttp => {
                HttpAnswer::Status(if matches!(path, "" | "/" | "/index.html") { 200 } else { 404 })
            }
            // The default server's `location /healthz { return 200; }` (and the 10254 health port);
            // anything else is the default backend's 404 when no Ingress routes it.
            ServerKind::IngressNginx => HttpAnswer::Status(if path == "/healthz" { 200 } else { 404 }),
            ServerKind::Redis
            | ServerKind::Postgres
            | ServerKind::Mysql
            | ServerKind::Memcached
            | ServerKind::Mongo
            | ServerKind::Pause => HttpAnswer::NotHttp,
            ServerKind::LivenessDemo | ServerKind::Agnhost(Agnhost::Liveness) => {
                if path == "/healthz" {
                    HttpAnswer::Status(if elapsed < 10_000 { 200 } else { 500 })
                } else {
                    HttpAnswer::Status(404)
                }
            }
            _ => HttpAnswer::Status(200),
        }
    }

    /// When the HTTP answer for `path` changes after `elapsed`, if ever (the liveness demo at 10 s).
    pub fn http_change_after(&self, path: &str, elapsed: Millis) -> Option<Millis> {
        match self {
            ServerKind::LivenessDemo | ServerKind::Agnhost(Agnhost::Liveness)
                if path == "/healthz" && elapsed < 10_000 =>
            {
                Some(10_000)
            }
            _ => None,
        }
    }

    /// Log lines printed when the server has started (at absolute time `at`).
    pub fn banner(&self, at: Millis, ports: &[u16]) -> Vec<String> {
        let d = slash_date(at);
        let port = ports.first().copied().unwrap_or(80);
        let r = rfc3339(at);
        match self {
            ServerKind::Nginx => {
                let mut v: Vec<String> = [
                    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
                    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
                    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
                    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
                    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
                    "/docker-entrypoint.sh: Configuration complete; ready for start up",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                for l in [
                    "using the \"epoll\" event method",
                    "nginx/1.27.3",
                    "built by gcc 12.2.0 (Debian 12.2.0-14)",
                    "OS: Linux 6.8.0-1021-gcp",
                    "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
                    "start worker processes",
                    "start worker process 29",
                ] {
                    v.push(format!("{d} [notice] 1#1: {l}"));
                }
                v
            }
            ServerKind::Httpd => vec![
                "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 127.0.0.1. Set the 'ServerName' directive globally to suppress this message".into(),
                format!("[{d}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations"),
                format!("[{d}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'"),
            ],
            ServerKind::Redis => vec![
                format!("1:C {d} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
                format!("1:C {d} * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started"),
                format!("1:M {d} * Running mode=standalone, port={port}."),
                format!("1:M {d} * Server initialized"),
                format!("1:M {d} * Ready to accept connections tcp"),
            ],
            ServerKind::Postgres => vec![
                "PostgreSQL init process complete; ready for start up.".into(),
                format!("{} UTC [1] LOG:  starting PostgreSQL 17.2 (Debian 17.2-1.pgdg120+1) on x86_64-pc-linux-gnu", &r[..19].replace('T', " ")),
                format!("{} UTC [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432", &r[..19].replace('T', " ")),
                format!("{} UTC [1] LOG:  database system is ready to accept connections", &r[..19].replace('T', " ")),
            ],
            ServerKind::Mysql => vec![
                format!("{}+00:00 [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.0.40-1.el9 started.", &r[..19].replace('T', " ")),
                format!("{}Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.40'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.", &r[..19]),
            ],
            ServerKind::Agnhost(_) => vec![format!("I{}{} {}.000000       1 log.go:245] Started HTTP server on port {port}", &r[5..7], &r[8..10], &r[11..19])],
            ServerKind::HttpEcho(_) => vec![format!("{d} [INFO] server is listening on :{port}")],
            ServerKind::HelloApp => vec![format!("{d} Server listening on port {port}")],
            ServerKind::PythonHttp => vec![format!("Serving HTTP on 0.0.0.0 port {port} (http://0.0.0.0:{port}/) ...")],
            ServerKind::IngressNginx => [
                "-------------------------------------------------------------------------------",
                "NGINX Ingress controller",
                "  Release:       v1.12.1",
                "  Build:         51724dde8d0f06fa2ec1478887ae4ee12a6dd5d6",
                "  Repository:    https://github.com/kubernetes/ingress-nginx",
                "  nginx version: nginx/1.25.5",
                "",
                "-------------------------------------------------------------------------------",
                "",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            ServerKind::Memcached | ServerKind::Mongo | ServerKind::LivenessDemo | ServerKind::Pause | ServerKind::Generic(_) => vec![],
        }
    }
}

/// The official postgres image refuses to initialize without a superuser password.
pub fn postgres(ex: &mut Exec<'_>) -> Effect {
    let ok = ex.env.get("POSTGRES_PASSWORD").is_some_and(|p| !p.is_empty())
        || ex.env.get("POSTGRES_HOST_AUTH_METHOD").is_some_and(|m| m == "trust");
    if ok {
        return Effect::end(End::Serve(Server { kind: ServerKind::Postgres, ports: vec![5432], ready_after: 3000 }));
    }
    let text = "Error: Database is uninitialized and superuser password is not specified.\n       You must specify POSTGRES_PASSWORD to a non-empty value for the\n       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".\n\n       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all\n       connections without a password. This is *not* recommended.";
    Effect { steps: vec![Step::Work(200)], err: vec![Line::text(text)], end: Some(End::Exit(1)), ..Effect::default() }
}

/// The official mysql image refuses to initialize without one of its password variables.
pub fn mysqld(ex: &mut Exec<'_>) -> Effect {
    let set = |k: &str| ex.env.get(k).is_some_and(|v| !v.is_empty());
    if set("MYSQL_ROOT_PASSWORD") || set("MYSQL_ALLOW_EMPTY_PASSWORD") || set("MYSQL_RANDOM_ROOT_PASSWORD") {
        return Effect::end(End::Serve(Server {
            kind: ServerKind::Mysql,
            ports: vec![3306, 33060],
            ready_after: 15_000,
        }));
    }
    let text = "[ERROR] [Entrypoint]: Database is uninitialized and password option is not specified\n    You need to specify one of the following as an environment variable:\n    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n    - MYSQL_RANDOM_ROOT_PASSWORD";
    Effect { steps: vec![Step::Work(300)], err: vec![Line::text(text)], end: Some(End::Exit(1)), ..Effect::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_answers() {
        assert_eq!(ServerKind::Nginx.http("/", 0), HttpAnswer::Status(200));
        assert_eq!(ServerKind::Nginx.http("/healthz", 0), HttpAnswer::Status(404));
        assert_eq!(ServerKind::Redis.http("/", 0), HttpAnswer::NotHttp);
        assert_eq!(ServerKind::LivenessDemo.http("/healthz", 9_999), HttpAnswer::Status(200));
        assert_eq!(ServerKind::LivenessDemo.http("/healthz", 10_000), HttpAnswer::Status(500));
        assert_eq!(ServerKind::LivenessDemo.http_change_after("/healthz", 3_000), Some(10_000));
        assert_eq!(ServerKind::LivenessDemo.http_change_after("/healthz", 12_000), None);
        assert_eq!(ServerKind::Generic("app".into()).http("/anything", 0), HttpAnswer::Status(200));
    }

    #[test]
    fn banners_carry_the_time() {
        let b = ServerKind::Nginx.banner(5000, &[80]);
        assert_eq!(b.len(), 16);
        assert_eq!(b[9], "2025/01/01 00:00:05 [notice] 1#1: using the \"epoll\" event method");
        assert!(ServerKind::Redis.banner(0, &[6380])[2].contains("port=6380"));
        assert!(ServerKind::Generic("x".into()).banner(0, &[]).is_empty());
    }

    #[test]
    fn sigterm_handling() {
        assert_eq!(ServerKind::Nginx.sigterm(), Sigterm::Exit { after: 100, code: 0 });
        assert_eq!(ServerKind::Generic("java".into()).sigterm(), Sigterm::Ignore);
    }
}
