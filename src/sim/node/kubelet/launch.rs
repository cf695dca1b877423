//! What a container is launched with: its environment and mounted files resolved from the pod spec
//! and the fetched ConfigMaps/Secrets, so that the runtime and the kubelet (logs, probes, exec) see
//! the same container.

use super::podspec::RestartPolicy;
use super::worker::{CStatus, PodWorker};
use super::{Kubelet, probes, volumes};
use crate::sim::node::behaviour::{Behaviour, Launch};
use crate::sim::node::cri::Mount;

/// Owned pieces of a container's `Launch`.
pub(crate) struct LaunchParts {
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub files: Vec<(String, String)>,
    pub mounts: Vec<Mount>,
    pub ports: Vec<u16>,
    pub hostname: String,
    pub expect_exit: bool,
    /// `stdin: true`: the runtime keeps the container's stdin open.
    pub open_stdin: bool,
}

impl LaunchParts {
    /// Borrows the parts as a `Launch` for `Behaviour::of` and exec.
    pub fn launch(&self) -> Launch<'_> {
        Launch {
            image: &self.image,
            command: &self.command,
            args: &self.args,
            env: &self.env,
            files: &self.files,
            mounts: &self.mounts,
            ports: &self.ports,
            hostname: &self.hostname,
            expect_exit: self.expect_exit,
            host_listeners: &[],
            host: None,
            layer: None,
            stdin: None,
            tty: false,
            open_stdin: self.open_stdin,
        }
    }
}

impl Kubelet {
    /// The ConfigMaps/Secrets fetched for `w`, keyed as `volumes` expects.
    pub(crate) fn fetched_for(&self, w: &PodWorker) -> volumes::Fetched {
        volumes::references(&w.spec)
            .into_iter()
            .filter_map(|(secret, name)| {
                self.objects.get(&(w.spec.namespace.clone(), secret, name.clone())).map(|d| ((secret, name), d.clone()))
            })
            .collect()
    }

    /// Everything needed to decide container `i`'s behaviour, or the `CreateContainerConfigError`.
    pub(crate) fn launch_parts(&self, w: &PodWorker, i: usize) -> Result<LaunchParts, String> {
        let spec = w.spec.container(i);
        let fetched = self.fetched_for(w);
        let alloc = self.config.allocatable();
        let pod_ip = w.sandbox.as_ref().map_or("", |s| s.ip.as_str());
        let at = volumes::Placement {
            node: &self.config.name,
            host_ip: &self.config.internal_ip,
            pod_ip,
            cpu_millis: alloc.cpu_millis,
            memory_bytes: alloc.memory_bytes,
        };
        let env = volumes::container_env(&w.spec, spec, &fetched, at)?;
        let claim_path = |claim: &str| self.claim_path(&w.spec.namespace, claim);
        let (mut files, mounts) = volumes::container_files(&w.spec, spec, &fetched, &claim_path).unwrap_or_default();
        // The kubelet bind-mounts the resolv.conf it wrote for the sandbox into every container.
        if !files.iter().any(|(p, _)| p == "/etc/resolv.conf") {
            files.push(("/etc/resolv.conf".into(), w.spec.dns.resolv_conf(&w.spec.namespace)));
        }
        Ok(LaunchParts {
            image: spec.image.clone(),
            command: spec.command.clone(),
            args: spec.args.clone(),
            env,
            files,
            mounts,
            ports: spec.ports.iter().map(|(_, p)| *p).collect(),
            hostname: w.spec.hostname.clone(),
            expect_exit: (w.spec.is_init(i) && !spec.sidecar) || w.spec.restart_policy != RestartPolicy::Always,
            open_stdin: spec.stdin,
        })
    }

    /// The timeline of a container the runtime started, from the node's process table.
    pub(crate) fn process(&self, container_id: &str) -> Option<Behaviour> {
        self.host.borrow().procs.get(container_id).cloned()
    }

    /// Containers adopted after a kubelet restart get their behaviour (for logs) and probe workers.
    pub(crate) fn fill_behaviours(&mut self, uid: &str) {
        let Some(w) = self.pods.get(uid) else { return };
        let missing: Vec<usize> = (0..w.containers.len())
            .filter(|&i| w.containers[i].id.is_some() && w.containers[i].behaviour.is_none())
            .collect();
        for i in missing {
            let Some(w) = self.pods.get(uid) else { return };
            let Ok(parts) = self.launch_parts(w, i) else { continue };
            let cid = w.containers[i].id.clone().unwrap_or_default();
            let behaviour = self.process(&cid).unwrap_or_else(|| Behaviour::of(&parts.launch()));
            let spec = w.spec.container(i).clone();
            let w = self.pods.get_mut(uid).expect("looked up above");
            let c = &mut w.containers[i];
            c.behaviour = Some(behaviour);
            if let CStatus::Running { started_at } = c.status {
                probes::on_start(c, &spec, started_at);
            }
        }
    }
}
