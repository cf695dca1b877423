//! The container's files as the symbolic shell sees them: mounted ConfigMaps and Secrets, files the
//! process created, writable mounts (content not simulated) and the files every container has.

use super::Exec;

impl Exec<'_> {
    /// Whether `path` exists for `test -f` and `cat`.
    pub fn exists(&self, path: &str) -> bool {
        self.files.contains(path)
            || self.ctx.files.iter().any(|(p, _)| p == path)
            || well_known_file(path, self.ctx.hostname).is_some()
    }

    /// Whether `path` is a directory for `test -d` and `ls`.
    pub fn is_dir(&self, path: &str) -> bool {
        let p = path.trim_end_matches('/');
        let prefix = format!("{p}/");
        matches!(p, "" | "/tmp" | "/etc" | "/var" | "/usr" | "/bin" | "/root" | "/home" | "/dev" | "/proc")
            || self.ctx.mounts.iter().any(|m| m.trim_end_matches('/') == p)
            || self.ctx.files.iter().any(|(f, _)| f.starts_with(&prefix))
            || self.files.iter().any(|f| f.starts_with(&prefix))
    }

    /// The content of `path` if the simulation knows it; `Some("")` for files written in writable
    /// mounts (their content is not simulated).
    pub fn read(&self, path: &str) -> Option<String> {
        if let Some((_, c)) = self.ctx.files.iter().find(|(p, _)| p == path) {
            return Some(c.clone());
        }
        if self.files.contains(path) {
            return Some(String::new());
        }
        if let Some(c) = well_known_file(path, self.ctx.hostname) {
            return Some(c);
        }
        self.ctx.mounts.iter().any(|m| path.starts_with(&format!("{}/", m.trim_end_matches('/')))).then(String::new)
    }
}

/// Files every container has.
fn well_known_file(path: &str, hostname: &str) -> Option<String> {
    Some(match path {
        "/etc/hostname" => hostname.to_string(),
        "/etc/resolv.conf" => {
            "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5"
                .into()
        }
        "/etc/hosts" => format!(
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{hostname}"
        ),
        "/dev/null" | "/dev/zero" | "/dev/stdout" | "/dev/stderr" => String::new(),
        "/etc/os-release" => "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"".into(),
        _ => return None,
    })
}
