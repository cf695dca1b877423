//! Setting a pod's volumes up on the node before its sandbox, and tearing them down after it: the
//! kubelet's volume plugins as they act on the node's disk (`pkg/volume/emptydir`, `hostpath`,
//! `configmap`, `secret`).

use super::Kubelet;
use super::podspec::{PodSpec, Volume};
use super::volumes::{Fetched, downward_file, projected_files};
use crate::sim::node::host::fs::Fs;
use crate::sim::node::host::{self, Host};
use crate::sim::time::Millis;

/// How often the kubelet re-reads the ConfigMaps and Secrets its pods' volumes project, so that a
/// change shows in the files: the kubelet's sync period (`syncFrequency`, 1 min).
pub const PROJECTION_RESYNC_MS: Millis = 60_000;

/// Character devices every node has.
const CHAR_DEVICES: [&str; 7] =
    ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/kmsg", "/dev/tty"];

/// The hostPath `type` check (`host_path.go` `checkType`): `Ok` when the path is of the type (made
/// for the `...OrCreate` types), otherwise upstream's words.
pub fn check_host_path(fs: &mut Fs, path: &str, kind: &str, now: Millis) -> Result<(), String> {
    fs.settle(now);
    let is_dir = fs.is_dir(path, now);
    let is_file = fs.read(path, now).is_some();
    let fail = |what: &str| Err(format!("hostPath type check failed: {path} is not a {what}"));
    match kind {
        "" => Ok(()),
        "DirectoryOrCreate" if !is_dir && !is_file => {
            fs.mkdir(path);
            Ok(())
        }
        "DirectoryOrCreate" | "Directory" if !is_dir => fail("directory"),
        "FileOrCreate" if !is_dir && !is_file => {
            // The parent must exist: FileOrCreate makes the file, not its directory.
            match path.rsplit_once('/') {
                Some((parent, _)) if parent.is_empty() || fs.is_dir(parent, now) => {
                    fs.put(path, "");
                    Ok(())
                }
                _ => fail("file"),
            }
        }
        "FileOrCreate" | "File" if !is_file || path.ends_with(".sock") => fail("file"),
        "Socket" if !(is_file && path.ends_with(".sock")) => fail("socket file"),
        "CharDevice" if !CHAR_DEVICES.contains(&path) => fail("character device"),
        "BlockDevice" => fail("block device"),
        _ => Ok(()),
    }
}

/// Writes a ConfigMap or Secret volume's files into its directory on the node, replacing what was
/// there (the atomic writer swaps the whole `..data` directory).
fn project(host: &mut Host, spec: &PodSpec, fetched: &Fetched) {
    for vol in &spec.volumes {
        if let Volume::DownwardApi { name, items } = vol {
            let dir = host::downward_dir(&spec.uid, name);
            host.fs.remove_now(&dir);
            host.fs.mkdir(&dir);
            for (path, field) in items {
                host.fs.put(&format!("{dir}/{path}"), &downward_file(spec, field));
            }
            continue;
        }
        let secret = matches!(vol, Volume::Secret { .. });
        let Ok(Some(files)) = projected_files(vol, fetched) else { continue };
        let dir = host::projected_dir(&spec.uid, secret, vol.name());
        host.fs.remove_now(&dir);
        host.fs.mkdir(&dir);
        for (path, content) in files {
            host.fs.put(&format!("{dir}/{path}"), &content);
        }
    }
}

/// Whether the pod projects ConfigMaps or Secrets as volumes (which the kubelet keeps up to date).
pub fn projects(spec: &PodSpec) -> bool {
    spec.volumes.iter().any(|v| matches!(v, Volume::ConfigMap { .. } | Volume::Secret { .. }))
}

impl Kubelet {
    /// Sets the pod's volumes up on the node: its emptyDirs made, its hostPaths checked, its
    /// ConfigMaps and Secrets projected. `Err`: the FailedMount message.
    pub(crate) fn set_up_volumes(&self, uid: &str, now: Millis) -> Result<(), String> {
        let Some(w) = self.pods.get(uid) else { return Ok(()) };
        let fetched = self.fetched_for(w);
        let mut host = self.host.borrow_mut();
        for vol in &w.spec.volumes {
            match vol {
                Volume::EmptyDir { name } | Volume::Other { name } => host.fs.mkdir(&host::empty_dir(uid, name)),
                Volume::HostPath { name, path, kind } => check_host_path(&mut host.fs, path, kind, now)
                    .map_err(|e| format!("MountVolume.SetUp failed for volume \"{name}\" : {e}"))?,
                _ => {}
            }
        }
        project(&mut host, &w.spec, &fetched);
        Ok(())
    }

    /// Projects the pod's ConfigMaps and Secrets again from what was just fetched.
    pub(crate) fn refresh_projections(&self, uid: &str) {
        let Some(w) = self.pods.get(uid) else { return };
        if w.sandbox.is_none() || !projects(&w.spec) {
            return;
        }
        let fetched = self.fetched_for(w);
        project(&mut self.host.borrow_mut(), &w.spec, &fetched);
    }

    /// The pod is gone from the node: its directory (emptyDirs, projections) goes with it.
    pub(crate) fn tear_down_volumes(&self, uid: &str) {
        self.host.borrow_mut().fs.remove_now(&host::pod_dir(uid));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_path_types_follow_check_type() {
        let mut host = Host::new("n1");
        let fs = &mut host.fs;
        assert_eq!(check_host_path(fs, "/etc/machine-id", "File", 0), Ok(()));
        assert_eq!(check_host_path(fs, "/var/log", "Directory", 0), Ok(()));
        assert_eq!(
            check_host_path(fs, "/nope", "Directory", 0),
            Err("hostPath type check failed: /nope is not a directory".into())
        );
        assert_eq!(
            check_host_path(fs, "/var/log", "File", 0),
            Err("hostPath type check failed: /var/log is not a file".into())
        );
        assert_eq!(check_host_path(fs, "/data/new", "DirectoryOrCreate", 0), Ok(()));
        assert!(fs.is_dir("/data/new", 0));
        assert_eq!(check_host_path(fs, "/data/new/f", "FileOrCreate", 0), Ok(()));
        assert_eq!(fs.read("/data/new/f", 0).as_deref(), Some(""));
        assert_eq!(
            check_host_path(fs, "/missing/f", "FileOrCreate", 0),
            Err("hostPath type check failed: /missing/f is not a file".into())
        );
        assert_eq!(check_host_path(fs, "/run/containerd/containerd.sock", "Socket", 0), Ok(()));
        assert_eq!(
            check_host_path(fs, "/etc/hostname", "Socket", 0),
            Err("hostPath type check failed: /etc/hostname is not a socket file".into())
        );
        assert_eq!(check_host_path(fs, "/dev/kmsg", "CharDevice", 0), Ok(()));
        assert_eq!(
            check_host_path(fs, "/dev/sda", "BlockDevice", 0),
            Err("hostPath type check failed: /dev/sda is not a block device".into())
        );
        assert_eq!(check_host_path(fs, "/anything", "", 0), Ok(()), "no type: no check");
    }
}
