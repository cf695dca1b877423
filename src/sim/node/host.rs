//! What a node itself holds, shared by the processes that run on it: its filesystem (where
//! emptyDirs, hostPaths and local PersistentVolumes keep their data) and its process table.
//!
//! Data lives on disks, not in the API: the kubelet makes a pod's emptyDir under
//! `/var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>` when it sets the pod up and
//! removes it when the pod is deleted; a hostPath volume, and a PersistentVolume of type `hostPath`
//! or `local`, is the node's own directory at that path, so the next pod on the node that mounts it
//! finds what the last one wrote. The runtime bind-mounts those directories into containers (the
//! CRI's `Mount`).
//!
//! How writes meet time. A container's process is computed once, at its start, as a timeline of
//! steps (`behaviour`). When the runtime starts it, every file step under a mount becomes an op on
//! the node's filesystem scheduled at `start + offset` (a `while true` loop's writes repeat every
//! period), and when the container dies its later ops are cancelled:
//!
//! ```text
//!   init  ─start 0─ echo foo > /input/data.txt ─exit─┐          node fs: 0  write data.txt "foo"
//!   worker                                 ─start 2s─ rev /input/data.txt   reads as of 2s: "foo"
//!   sidecar ─start 0─ sleep 5; echo ok > /s/ready ─┐                  5s write ready "ok"
//!   main    ─start 1s─ until [ -f /s/ready ]; do sleep 1; done ─ reads at 1s..5s: waits, then goes
//! ```
//! A script's reads happen while its timeline is computed, each at its own virtual time: it sees
//! what the node's filesystem holds then, including writes other containers scheduled before it
//! started (a waiting loop jumps to the next scheduled change). Writes scheduled later (a container
//! started after it, `kubectl exec`) reach its commands only once it restarts: its timeline is not
//! recomputed. `kubectl exec` itself always reads the filesystem as it is, and its writes land at
//! once. Outside mounts, a container writes to its own layer: the files of its timeline plus what
//! `kubectl exec` wrote there (`layers`), gone when the container is removed.
//!
//! The runtime owns the processes, and the kubelet reads their timelines from the process table
//! (`procs`), as it reads cgroups and `/proc` on a real node, so both see the same process.

pub mod fs;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::behaviour::{Behaviour, End};
use super::cri::Mount;
use super::stable_hash;
use crate::sim::time::Millis;
use fs::{Fs, Op};

/// The node's shared state, as the kubelet and the runtime both reach it.
pub type HostHandle = Rc<RefCell<Host>>;

/// Where the kubelet keeps a pod's volumes (`--root-dir` `/var/lib/kubelet`).
pub fn pod_dir(uid: &str) -> String {
    format!("/var/lib/kubelet/pods/{uid}")
}

/// The directory of a pod's emptyDir.
pub fn empty_dir(uid: &str, volume: &str) -> String {
    format!("{}/volumes/kubernetes.io~empty-dir/{volume}", pod_dir(uid))
}

/// The directory of a pod's downward API volume.
pub fn downward_dir(uid: &str, volume: &str) -> String {
    format!("{}/volumes/kubernetes.io~downward-api/{volume}", pod_dir(uid))
}

/// The directory a pod's ConfigMap or Secret volume is projected into.
pub fn projected_dir(uid: &str, secret: bool, volume: &str) -> String {
    let plugin = if secret { "secret" } else { "configmap" };
    format!("{}/volumes/kubernetes.io~{plugin}/{volume}", pod_dir(uid))
}

/// A node's disk and process table.
#[derive(Debug, Clone, Default)]
pub struct Host {
    pub fs: Fs,
    /// The timeline of each started container, by container id.
    pub procs: BTreeMap<String, Behaviour>,
    /// The files fixed at each container's start (`subPath` copies, the token), by container id.
    pub started_files: BTreeMap<String, Vec<(String, String)>>,
    /// What `kubectl exec` wrote outside mounts, by container id (`None`: removed).
    pub layers: BTreeMap<String, BTreeMap<String, Option<String>>>,
}

/// `/etc/machine-id`: 32 hex digits, stable for a node name (systemd makes it once, at first boot).
pub fn machine_id(node: &str) -> String {
    format!("{:016x}{:016x}", stable_hash(node), stable_hash(&format!("{node}/machine-id")))
}

impl Host {
    /// A kind node's disk: its identity files and the directories the kubelet and containerd use.
    pub fn new(node: &str) -> Host {
        let mut fs = Fs::default();
        fs.put("/etc/machine-id", &format!("{}\n", machine_id(node)));
        fs.put("/etc/hostname", &format!("{node}\n"));
        fs.put(
            "/etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n",
        );
        fs.put(
            "/proc/version",
            "Linux version 6.8.0-1021-gcp (buildd@lcy02-amd64-051) #22-Ubuntu SMP x86_64 GNU/Linux\n",
        );
        fs.put("/run/containerd/containerd.sock", "");
        // What kubeadm leaves on every node it joins: the kubelet's kubeconfig and config, the
        // cluster's CA, and the static pod directory.
        fs.put("/etc/kubernetes/kubelet.conf", "apiVersion: v1\nkind: Config\n");
        fs.put("/etc/kubernetes/pki/ca.crt", crate::sim::bootstrap::ROOT_CA_CRT);
        fs.put(
            "/var/lib/kubelet/config.yaml",
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
        );
        fs.mkdir("/etc/kubernetes/manifests");
        for dir in
            ["/var/log/pods", "/var/log/containers", "/var/lib/kubelet/pods", "/tmp", "/opt", "/mnt", "/run", "/root"]
        {
            fs.mkdir(dir);
        }
        Host { fs, ..Host::default() }
    }

    /// A new handle on a node's disk.
    pub fn handle(node: &str) -> HostHandle {
        Rc::new(RefCell::new(Host::new(node)))
    }

    /// Starts container `id` at `start`: records its timeline and schedules its writes under mounts.
    pub fn start(&mut self, id: &str, start: Millis, b: &Behaviour, mounts: &[Mount]) {
        self.fs.settle(start);
        let mut t = start;
        for step in &b.steps {
            if let Some((op, true)) = Op::of_step(step).and_then(|op| on_host(&op, mounts)) {
                self.fs.schedule(id, t, op);
            }
            t += step.duration();
        }
        if let End::Loop(body) = &b.end {
            let mut offset = 0;
            let mut ops = Vec::new();
            for step in body {
                if let Some((op, true)) = Op::of_step(step).and_then(|op| on_host(&op, mounts)) {
                    ops.push((offset, op));
                }
                offset += step.duration();
            }
            self.fs.schedule_loop(id, t, super::behaviour::timeline::loop_period(body), ops);
        }
        self.procs.insert(id.to_string(), b.clone());
    }

    /// Container `id` died at `at`: its later writes never happen.
    pub fn stop(&mut self, id: &str, at: Millis) {
        self.fs.cancel(id, at);
    }

    /// Container `id` was removed: its process record and its own layer go.
    pub fn remove(&mut self, id: &str) {
        self.procs.remove(id);
        self.started_files.remove(id);
        self.layers.remove(id);
    }
}

/// Where a container path is on the node: the host path and whether the mount is read-only
/// (`None` outside every mount). The longest mount path wins, as nested mounts shadow.
pub fn host_path(mounts: &[Mount], path: &str) -> Option<(String, bool)> {
    mounts
        .iter()
        .filter_map(|m| {
            let base = m.container_path.trim_end_matches('/');
            let rest = path.strip_prefix(base)?;
            if !rest.is_empty() && !rest.starts_with('/') {
                return None;
            }
            Some((base.len(), format!("{}{rest}", m.host_path.trim_end_matches('/')), m.readonly))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, p, ro)| (p, ro))
}

/// The op on the node's path for a container's op, and whether it may be written (`None` when the
/// path is the container's own).
pub fn on_host(op: &Op, mounts: &[Mount]) -> Option<(Op, bool)> {
    let (path, ro) = host_path(mounts, op.path())?;
    Some((op.at_path(path), !ro))
}

#[cfg(test)]
mod tests;
