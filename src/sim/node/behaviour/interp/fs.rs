//! The container's files as the symbolic shell sees them, at the script's virtual time: what the
//! process itself wrote (its own layer, `Exec::files`), the node's directories mounted into it (read
//! from the node's filesystem as it is at that moment), files fixed at its start (the service
//! account token, `subPath` mounts) and the files every container has.

use super::super::timeline::render;
use super::super::{Line, Step};
use super::Exec;
use crate::sim::node::host::host_path;
use crate::sim::time::Millis;

/// Why a write is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The path is under a mount with `readOnly: true` (ConfigMaps and Secrets always are).
    #[error("Read-only file system")]
    ReadOnly,
}

impl Exec<'_> {
    /// The absolute virtual time of the command being run.
    pub fn now(&self) -> Millis {
        self.ctx.start + self.base + self.steps.iter().map(Step::duration).sum::<Millis>()
    }

    /// Whether the process removed `path` or a directory above it.
    fn removed(&self, path: &str) -> bool {
        let mut p = path;
        loop {
            if self.files.get(p).is_some_and(Option::is_none) {
                return true;
            }
            match p.rsplit_once('/') {
                Some((parent, _)) if !parent.is_empty() => p = parent,
                _ => return false,
            }
        }
    }

    /// The node path of a mounted container path, with the mount's read-only flag.
    fn mounted(&self, path: &str) -> Option<(String, bool)> {
        host_path(self.ctx.mounts, path)
    }

    /// Whether `path` exists for `test -f` and `cat`.
    pub fn exists(&self, path: &str) -> bool {
        self.read(path).is_some() || self.is_dir(path)
    }

    /// Whether `path` is a directory for `test -d` and `ls`.
    pub fn is_dir(&self, path: &str) -> bool {
        let p = path.trim_end_matches('/');
        if self.removed(p) && !p.is_empty() {
            return false;
        }
        let prefix = format!("{p}/");
        if self.files.iter().any(|(f, c)| c.is_some() && f.starts_with(&prefix))
            || self.ctx.files.iter().any(|(f, _)| f.starts_with(&prefix))
        {
            return true;
        }
        if let Some((host, _)) = self.mounted(p) {
            let mount_point = self.ctx.mounts.iter().any(|m| m.container_path.trim_end_matches('/') == p);
            return mount_point || self.ctx.host.is_some_and(|fs| fs.is_dir(&host, self.now()));
        }
        matches!(p, "" | "/tmp" | "/etc" | "/var" | "/usr" | "/bin" | "/root" | "/home" | "/dev" | "/proc")
            || self.ctx.mounts.iter().any(|m| m.container_path.starts_with(&prefix))
    }

    /// The content of `path` as the process sees it now, if the simulation knows it.
    pub fn read(&self, path: &str) -> Option<String> {
        if let Some(own) = self.files.get(path) {
            return own.clone();
        }
        if self.removed(path) {
            return None;
        }
        if let Some((host, _)) = self.mounted(path) {
            return self.ctx.host.and_then(|fs| fs.read(&host, self.now()));
        }
        if let Some((_, c)) = self.ctx.files.iter().find(|(p, _)| p == path) {
            return Some(c.clone());
        }
        well_known_file(path, self.ctx.hostname)
    }

    /// Names in directory `dir`.
    pub fn list(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let mut names: Vec<String> = self.ctx.files.iter().map(|(p, _)| p.clone()).collect();
        names.extend(self.files.iter().filter(|(_, c)| c.is_some()).map(|(p, _)| p.clone()));
        let mut names: std::collections::BTreeSet<String> = names
            .into_iter()
            .filter_map(|p| p.strip_prefix(&prefix).map(|r| r.split('/').next().unwrap_or(r).to_string()))
            .collect();
        if let (Some((host, _)), Some(fs)) = (self.mounted(dir.trim_end_matches('/')), self.ctx.host) {
            names.extend(fs.list(&host, self.now()));
        }
        for m in self.ctx.mounts {
            if let Some(rest) = m.container_path.strip_prefix(&prefix) {
                names.insert(rest.split('/').next().unwrap_or(rest).to_string());
            }
        }
        names.into_iter().filter(|n| !n.is_empty() && !self.removed(&format!("{prefix}{n}"))).collect()
    }

    /// `> path` (`>>` when `append`): the step to record, the content kept for the script's reads.
    pub fn write(&mut self, path: &str, lines: Vec<Line>, append: bool) -> Result<Step, WriteError> {
        if self.mounted(path).is_some_and(|(_, ro)| ro) {
            return Err(WriteError::ReadOnly);
        }
        let now = self.now();
        let mut text = if append { self.read(path).unwrap_or_default() } else { String::new() };
        for l in &lines {
            text.push_str(&render(l, now, 0));
            text.push('\n');
        }
        self.files.insert(path.to_string(), Some(text));
        Ok(Step::Write { path: path.to_string(), lines, append })
    }

    /// `touch path`: an empty file unless it exists.
    pub fn touch(&mut self, path: &str) -> Result<Option<Step>, WriteError> {
        if self.mounted(path).is_some_and(|(_, ro)| ro) {
            return Err(WriteError::ReadOnly);
        }
        if self.read(path).is_some() {
            return Ok(None);
        }
        self.files.insert(path.to_string(), Some(String::new()));
        Ok(Some(Step::Touch(path.to_string())))
    }

    /// `rm -rf path`.
    pub fn remove(&mut self, path: &str) -> Step {
        let under = format!("{}/", path.trim_end_matches('/'));
        self.files.retain(|p, _| !p.starts_with(&under));
        self.files.insert(path.to_string(), None);
        Step::Remove(path.to_string())
    }
}

/// Files every container has.
fn well_known_file(path: &str, hostname: &str) -> Option<String> {
    Some(match path {
        "/etc/hostname" => format!("{hostname}\n"),
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
