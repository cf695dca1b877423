//! What containerd keeps on one node: sandboxes with their pod IPs, containers and their states, and
//! the image store (a cache that survives reboots).

use std::collections::{BTreeMap, BTreeSet};

use super::super::behaviour::Behaviour;
use super::super::cri::{ContainerConfig, ContainerInfo, ContainerState, ImageInfo, SandboxInfo};
use super::super::registry::ResolvedImage;
use crate::sim::time::Millis;

/// One pod sandbox (the pause container and its network namespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    pub id: String,
    pub pod_uid: String,
    pub namespace: String,
    pub name: String,
    /// What its containers' `hostname` answers.
    pub hostname: String,
    pub attempt: u32,
    pub ip: String,
    /// Host number in the node's pod CIDR while the IP is allocated.
    pub host: Option<u32>,
    pub ready: bool,
}

/// One container and its simulated process.
#[derive(Debug, Clone)]
pub struct Container {
    pub info: ContainerInfo,
    pub behaviour: Behaviour,
    /// What it was created with and its hostname: its process is decided again at its start,
    /// when what it reads from the node's disk is known.
    pub config: Option<Box<(ContainerConfig, String)>>,
    pub memory_limit: Option<u64>,
    /// When the process will end by itself (absolute), while it runs.
    pub exit_at: Option<(Millis, i32, &'static str)>,
    /// A StopContainer in progress: its request id and when the process will be gone.
    pub stopping: Option<(u64, Millis, i32)>,
}

/// One image in the content store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub tags: BTreeSet<String>,
    pub size: u64,
}

/// The runtime's state on one node.
#[derive(Debug, Clone, Default)]
pub struct Store {
    pub sandboxes: BTreeMap<String, Box<Sandbox>>,
    pub containers: BTreeMap<String, Box<Container>>,
    /// Images by repo digest.
    pub images: BTreeMap<String, Image>,
    /// Repo digest by full reference (`docker.io/library/nginx:latest`).
    pub tags: BTreeMap<String, String>,
    used_hosts: BTreeSet<u32>,
}

/// A pod CIDR such as `10.244.1.0/24`: its base address and how many host numbers it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    base: u32,
    size: u32,
}

impl Cidr {
    /// Parses `a.b.c.d/n` (n between 16 and 30); anything else falls back to `10.244.0.0/24`.
    pub fn parse(s: &str) -> Cidr {
        let parsed = (|| {
            let (ip, bits) = s.split_once('/')?;
            let bits: u32 = bits.parse().ok().filter(|b| (16..=30).contains(b))?;
            let octets: Vec<u32> = ip.split('.').map(|o| o.parse::<u8>().ok().map(u32::from)).collect::<Option<_>>()?;
            let [a, b, c, d] = octets.as_slice() else { return None };
            let size = 1u32 << (32 - bits);
            Some(Cidr { base: ((a << 24) | (b << 16) | (c << 8) | d) & !(size - 1), size })
        })();
        parsed.unwrap_or(Cidr { base: (10 << 24) | (244 << 16), size: 256 })
    }

    /// The address of host number `host` in the CIDR.
    pub fn address(&self, host: u32) -> String {
        let ip = self.base + host;
        format!("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255)
    }

    /// `10.244.1.1-10.244.1.254`: the range host-local reports when it is exhausted.
    pub fn range(&self) -> String {
        format!("{}-{}", self.address(1), self.address(self.size - 2))
    }
}

impl Store {
    /// Takes the lowest free address (.1 is the bridge gateway, pods start at .2).
    pub fn allocate_ip(&mut self, cidr: &Cidr) -> Option<u32> {
        let host = (2..cidr.size - 1).find(|h| !self.used_hosts.contains(h))?;
        self.used_hosts.insert(host);
        Some(host)
    }

    /// Frees an address when its sandbox stops.
    pub fn release_ip(&mut self, host: Option<u32>) {
        if let Some(h) = host {
            self.used_hosts.remove(&h);
        }
    }

    /// Stores a pulled image under its digest and tag.
    pub fn add_image(&mut self, img: &ResolvedImage) {
        let entry =
            self.images.entry(img.repo_digest.clone()).or_insert(Image { tags: BTreeSet::new(), size: img.size });
        entry.tags.insert(img.full.clone());
        self.tags.insert(img.full.clone(), img.repo_digest.clone());
    }

    /// Whether the layers of `repo_digest` are here (a re-pull then only checks the manifest).
    pub fn has_image(&self, repo_digest: &str) -> bool {
        self.images.contains_key(repo_digest)
    }

    /// `ListImages`.
    pub fn image_infos(&self) -> Vec<ImageInfo> {
        self.images
            .iter()
            .map(|(digest, i)| ImageInfo {
                tags: i.tags.iter().cloned().collect(),
                repo_digest: digest.clone(),
                size: i.size,
            })
            .collect()
    }

    /// The sandboxes for `ListContainers`.
    pub fn sandbox_infos(&self) -> Vec<SandboxInfo> {
        self.sandboxes
            .values()
            .map(|s| SandboxInfo {
                id: s.id.clone(),
                pod_uid: s.pod_uid.clone(),
                attempt: s.attempt,
                ready: s.ready,
                ip: s.ip.clone(),
            })
            .collect()
    }

    /// The containers for `ListContainers`.
    pub fn container_infos(&self) -> Vec<ContainerInfo> {
        self.containers.values().map(|c| c.info.clone()).collect()
    }

    /// Ends a running container's process.
    pub fn mark_exited(&mut self, id: &str, code: i32, reason: &str, at: Millis) {
        if let Some(c) = self.containers.get_mut(id)
            && c.info.state != ContainerState::Exited
        {
            c.info.state = ContainerState::Exited;
            c.info.exit_code = Some(code);
            c.info.reason = reason.to_string();
            c.info.finished_at = Some(at);
            c.exit_at = None;
        }
    }

    /// Removes a sandbox and its containers, freeing its IP.
    pub fn remove_sandbox(&mut self, id: &str) {
        if let Some(s) = self.sandboxes.remove(id) {
            self.release_ip(s.host);
        }
        self.containers.retain(|_, c| c.info.sandbox_id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parsing_and_addresses() {
        let c = Cidr::parse("10.244.3.0/24");
        assert_eq!(c.address(2), "10.244.3.2");
        assert_eq!(c.range(), "10.244.3.1-10.244.3.254");
        let wide = Cidr::parse("10.244.0.0/16");
        assert_eq!(wide.address(256 + 5), "10.244.1.5");
        assert_eq!(Cidr::parse("garbage"), Cidr::parse("10.244.0.0/24"));
        assert_eq!(Cidr::parse("10.244.1.0/8"), Cidr::parse("10.244.0.0/24"), "prefix out of range");
    }

    #[test]
    fn ips_are_reused_lowest_first_and_run_out() {
        let cidr = Cidr::parse("10.0.0.0/29"); // hosts .2 to .6
        let mut s = Store::default();
        let got: Vec<u32> = (0..5).filter_map(|_| s.allocate_ip(&cidr)).collect();
        assert_eq!(got, vec![2, 3, 4, 5, 6]);
        assert_eq!(s.allocate_ip(&cidr), None);
        s.release_ip(Some(3));
        assert_eq!(s.allocate_ip(&cidr), Some(3));
    }

    #[test]
    fn images_collect_tags() {
        let mut s = Store::default();
        let img = |full: &str| ResolvedImage {
            full: full.into(),
            repo_digest: "docker.io/library/nginx@sha256:aa".into(),
            image_id: "sha256:bb".into(),
            size: 10,
        };
        s.add_image(&img("docker.io/library/nginx:latest"));
        s.add_image(&img("docker.io/library/nginx:1.27"));
        assert!(s.has_image("docker.io/library/nginx@sha256:aa"));
        assert_eq!(s.image_infos()[0].tags.len(), 2);
    }
}
