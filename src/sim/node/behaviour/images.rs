//! What images run when the pod does not say: their ENTRYPOINT, CMD, ENV and EXPOSEd ports, as their
//! Dockerfiles define them (`docker inspect`), plus whether they have a shell at all.

/// One image's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageDefaults {
    pub entrypoint: &'static [&'static str],
    pub cmd: &'static [&'static str],
    pub env: &'static [(&'static str, &'static str)],
    /// Distroless and scratch images have no `sh`: `kubectl exec ... -- sh` fails.
    pub has_shell: bool,
    /// busybox/alpine userland (error messages differ from GNU coreutils).
    pub busybox: bool,
}

const PATH: (&str, &str) = ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

const fn shell_image(cmd: &'static [&'static str], busybox: bool) -> ImageDefaults {
    ImageDefaults { entrypoint: &[], cmd, env: &[PATH], has_shell: true, busybox }
}

const fn server(
    entrypoint: &'static [&'static str],
    cmd: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
) -> ImageDefaults {
    ImageDefaults { entrypoint, cmd, env, has_shell: true, busybox: false }
}

const fn distroless(entrypoint: &'static [&'static str], cmd: &'static [&'static str]) -> ImageDefaults {
    ImageDefaults { entrypoint, cmd, env: &[PATH], has_shell: false, busybox: false }
}

/// Defaults for an image, by its repository (`docker.io/library/nginx`) or, failing that, its last
/// path component. Unknown images have no defaults (an application the simulation does not know).
pub fn defaults(repository: &str) -> ImageDefaults {
    // ingress-nginx's Dockerfile: `ENTRYPOINT ["/usr/bin/dumb-init", "--"]`, `CMD ["/nginx-ingress-controller"]`.
    if repository == "registry.k8s.io/ingress-nginx/controller" {
        return ImageDefaults {
            entrypoint: &["/usr/bin/dumb-init", "--"],
            cmd: &["/nginx-ingress-controller"],
            env: &[PATH],
            has_shell: true,
            busybox: true,
        };
    }
    let short = repository.rsplit('/').next().unwrap_or(repository);
    match short {
        "nginx" | "nginx-slim" | "nginxhttps" => server(
            &["/docker-entrypoint.sh"],
            &["nginx", "-g", "daemon off;"],
            &[
                PATH,
                ("NGINX_VERSION", "1.27.3"),
                ("NJS_VERSION", "0.8.7"),
                ("NJS_RELEASE", "1~bookworm"),
                ("PKG_RELEASE", "1~bookworm"),
            ],
        ),
        "httpd" => server(
            &[],
            &["httpd-foreground"],
            &[PATH, ("HTTPD_PREFIX", "/usr/local/apache2"), ("HTTPD_VERSION", "2.4.62")],
        ),
        "redis" => server(&["docker-entrypoint.sh"], &["redis-server"], &[PATH, ("REDIS_VERSION", "7.4.1")]),
        "postgres" => server(
            &["docker-entrypoint.sh"],
            &["postgres"],
            &[PATH, ("PG_MAJOR", "17"), ("PGDATA", "/var/lib/postgresql/data")],
        ),
        "mysql" => server(
            &["docker-entrypoint.sh"],
            &["mysqld"],
            &[PATH, ("MYSQL_MAJOR", "8.0"), ("MYSQL_VERSION", "8.0.40-1.el9")],
        ),
        "wordpress" => {
            server(&["docker-entrypoint.sh"], &["apache2-foreground"], &[PATH, ("WORDPRESS_VERSION", "6.2.1")])
        }
        "memcached" => server(&["docker-entrypoint.sh"], &["memcached"], &[PATH]),
        "mongo" => server(&["docker-entrypoint.sh"], &["mongod"], &[PATH]),
        "rabbitmq" => server(&["docker-entrypoint.sh"], &["rabbitmq-server"], &[PATH]),
        "haproxy" => {
            server(&["docker-entrypoint.sh"], &["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"], &[PATH])
        }
        "traefik" => server(&["/entrypoint.sh"], &["traefik"], &[PATH]),
        "caddy" => server(&[], &["caddy", "run", "--config", "/etc/caddy/Caddyfile"], &[PATH]),
        "busybox" | "busyboxplus" => shell_image(&["sh"], true),
        "alpine" => shell_image(&["/bin/sh"], true),
        "bash" => ImageDefaults {
            entrypoint: &["docker-entrypoint.sh"],
            cmd: &["bash"],
            env: &[PATH],
            has_shell: true,
            busybox: true,
        },
        "ubuntu" | "debian" | "netshoot" => shell_image(&["bash"], false),
        "curl" => ImageDefaults {
            entrypoint: &["/entrypoint.sh"],
            cmd: &["curl"],
            env: &[PATH],
            has_shell: true,
            busybox: true,
        },
        "python" => server(&[], &["python3"], &[PATH, ("LANG", "C.UTF-8"), ("PYTHON_VERSION", "3.13.1")]),
        "node" => server(
            &["docker-entrypoint.sh"],
            &["node"],
            &[PATH, ("NODE_VERSION", "23.5.0"), ("YARN_VERSION", "1.22.22")],
        ),
        "perl" => server(&[], &["perl5.40.0", "-de0"], &[PATH]),
        "golang" => server(&[], &["bash"], &[PATH, ("GOLANG_VERSION", "1.23.4"), ("GOPATH", "/go")]),
        "openjdk" => server(&[], &["jshell"], &[PATH, ("JAVA_HOME", "/usr/local/openjdk-24")]),
        "php" => server(&["docker-php-entrypoint"], &["php", "-a"], &[PATH]),
        // The HPA walkthrough's php-apache (`php:5-apache` with a CPU-hungry `index.php`).
        "hpa-example" => server(&["docker-php-entrypoint"], &["apache2-foreground"], &[PATH]),
        "pause" => distroless(&["/pause"], &[]),
        "agnhost" => {
            ImageDefaults { entrypoint: &["/agnhost"], cmd: &["pause"], env: &[PATH], has_shell: true, busybox: true }
        }
        "liveness" => distroless(&["/server"], &[]),
        "stress" => ImageDefaults {
            entrypoint: &["/usr/bin/stress"],
            cmd: &["--help"],
            env: &[PATH],
            has_shell: true,
            busybox: true,
        },
        "http-echo" => distroless(&["/http-echo"], &[]),
        "hello-app" => distroless(&["/hello-app"], &[]),
        "hello-go-gke" => distroless(&["/hello"], &[]),
        "etcd" => distroless(&["/usr/local/bin/etcd"], &[]),
        "coredns" => distroless(&["/coredns"], &[]),
        "metrics-server" => distroless(&["/metrics-server"], &[]),
        "cloud-controller-manager" | "cluster-proportional-autoscaler" | "event-exporter" => distroless(&[], &[]),
        _ => ImageDefaults { entrypoint: &[], cmd: &[], env: &[PATH], has_shell: true, busybox: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_defaults() {
        let nginx = defaults("docker.io/library/nginx");
        assert_eq!(nginx.cmd, &["nginx", "-g", "daemon off;"]);
        assert!(nginx.env.iter().any(|(k, _)| *k == "NGINX_VERSION"));
        assert_eq!(defaults("docker.io/library/busybox").cmd, &["sh"]);
        assert!(defaults("docker.io/library/alpine").busybox);
        assert!(!defaults("registry.k8s.io/pause").has_shell);
        assert_eq!(defaults("registry.k8s.io/e2e-test-images/agnhost").entrypoint, &["/agnhost"]);
        let unknown = defaults("docker.io/someone/app");
        assert!(unknown.entrypoint.is_empty() && unknown.cmd.is_empty());
    }
}
