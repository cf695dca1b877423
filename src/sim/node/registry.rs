//! The image registries the nodes pull from: which references exist, how big they are, how long a pull
//! takes, and containerd's exact error text when a pull fails.
//!
//! One `Registry` serves the whole cluster (the world owns it and lends it to every node's runtime), so
//! a fault injected here ("make nginx:1.27 unpullable") is seen by every node at once.

pub mod catalog;
pub mod kind_images;
pub mod reference;

use std::collections::BTreeMap;

use thiserror::Error;

use super::{hex64, stable_hash};
use crate::sim::time::Millis;
use catalog::Tags;
use reference::ImageRef;

/// Default download speed from the registries (20 MB/s).
pub const DEFAULT_BANDWIDTH: u64 = 20_000_000;

/// A fault the learner can inject for one image or repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PullFault {
    /// The tag was deleted from the registry.
    NotFound,
    /// The registry does not answer (network trouble on the way out of the cluster).
    Unreachable,
    /// Docker Hub's anonymous pull rate limit.
    RateLimited,
}

/// Why a pull fails; `Display` is the `desc` of containerd's gRPC error.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PullError {
    /// The repository exists but this tag does not.
    #[error("failed to pull and unpack image \"{0}\": failed to resolve reference \"{0}\": {0}: not found")]
    NotFound(String),
    /// Docker Hub answers the same way for a repository that does not exist and a private one.
    #[error(
        "failed to pull and unpack image \"{0}\": failed to resolve reference \"{0}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
    )]
    AccessDenied(String),
    /// The registry's host name does not resolve.
    #[error(
        "failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": failed to do request: Head \"{url}\": dial tcp: lookup {host}: no such host"
    )]
    NoSuchHost { full: String, url: String, host: String },
    /// A Windows-only image on a Linux node.
    #[error("failed to pull and unpack image \"{0}\": no match for platform in manifest: not found")]
    NoPlatform(String),
    /// Injected: the registry times out.
    #[error(
        "failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": failed to do request: Head \"{url}\": dial tcp 54.236.113.205:443: i/o timeout"
    )]
    Unreachable { full: String, url: String },
    /// Injected: Docker Hub's rate limit.
    #[error(
        "failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": unexpected status from HEAD request to {url}: 429 Too Many Requests"
    )]
    RateLimited { full: String, url: String },
    /// The reference itself does not parse (the kubelet normally catches this first).
    #[error("failed to pull and unpack image \"{0}\": invalid reference format")]
    InvalidReference(String),
}

impl PullError {
    /// The gRPC status code containerd returns with this error.
    pub fn code(&self) -> &'static str {
        match self {
            PullError::NotFound(_) | PullError::NoPlatform(_) => "NotFound",
            _ => "Unknown",
        }
    }
}

/// An image as the registry describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImage {
    /// `docker.io/library/nginx:latest`: what containerStatuses[].image shows.
    pub full: String,
    /// `docker.io/library/nginx@sha256:...`: what containerStatuses[].imageID shows.
    pub repo_digest: String,
    /// `sha256:...`: the image (config) id.
    pub image_id: String,
    /// Compressed size in bytes.
    pub size: u64,
}

/// The registries of the simulated internet, with the faults the learner injected.
#[derive(Debug, Clone)]
pub struct Registry {
    faults: BTreeMap<String, PullFault>,
    /// Bytes per second a node downloads at.
    pub bandwidth: u64,
}

impl Default for Registry {
    fn default() -> Self {
        Self { faults: BTreeMap::new(), bandwidth: DEFAULT_BANDWIDTH }
    }
}

/// `https://registry-1.docker.io/v2/library/nginx/manifests/latest`: the URL containerd asks first.
fn manifest_url(r: &ImageRef) -> String {
    let host = if r.domain == "docker.io" { "registry-1.docker.io" } else { r.domain.as_str() };
    let reference = r.digest.as_deref().or(r.tag.as_deref()).unwrap_or("latest");
    format!("https://{host}/v2/{}/manifests/{reference}", r.path)
}

/// The fault key of an image: the whole repository unless a tag or digest is written out.
fn fault_key(image: &str) -> Option<String> {
    let r = ImageRef::parse(image).ok()?;
    let explicit = image.contains('@') || image.rsplit('/').next().is_some_and(|last| last.contains(':'));
    Some(if explicit { r.full() } else { r.repository() })
}

impl Registry {
    /// Makes `image` (a repository, or one tag when written with one) fail to pull, or heals it.
    /// Returns false when `image` is not a valid reference.
    pub fn set_fault(&mut self, image: &str, fault: Option<PullFault>) -> bool {
        let Some(key) = fault_key(image) else { return false };
        match fault {
            Some(f) => self.faults.insert(key, f),
            None => self.faults.remove(&key),
        };
        true
    }

    /// The injected faults, by normalized image or repository.
    pub fn faults(&self) -> impl Iterator<Item = (&str, PullFault)> {
        self.faults.iter().map(|(k, f)| (k.as_str(), *f))
    }

    /// Resolves `image` the way a pull does, or says why it cannot be pulled.
    pub fn resolve(&self, image: &str) -> Result<ResolvedImage, PullError> {
        let r = ImageRef::parse(image).map_err(|_| PullError::InvalidReference(image.to_string()))?;
        let full = r.full();
        let url = manifest_url(&r);
        match self.faults.get(&full).or_else(|| self.faults.get(&r.repository())) {
            Some(PullFault::NotFound) => return Err(PullError::NotFound(full)),
            Some(PullFault::Unreachable) => return Err(PullError::Unreachable { full, url }),
            Some(PullFault::RateLimited) => return Err(PullError::RateLimited { full, url }),
            None => {}
        }
        let domain = r.domain.as_str();
        if !catalog::KNOWN_DOMAINS.contains(&domain) && domain != "k8s.gcr.io" {
            let host = domain.split(':').next().unwrap_or(domain).to_string();
            return Err(PullError::NoSuchHost { full, url, host });
        }
        let Some(known) = catalog::lookup(&r.repository()) else {
            return Err(if domain == "docker.io" { PullError::AccessDenied(full) } else { PullError::NotFound(full) });
        };
        let tag_ok = match (known.tags, r.tag.as_deref()) {
            (_, None) => true, // pinned by digest only
            (Tags::Versions(max), Some(t)) => catalog::version_tag_exists(t, max),
            (Tags::Only(tags), Some(t)) => tags.contains(&t),
            (Tags::Windows, Some(_)) => return Err(PullError::NoPlatform(full)),
        };
        if !tag_ok {
            return Err(PullError::NotFound(full));
        }
        let digest = match &r.digest {
            Some(d) => d.trim_start_matches("sha256:").to_string(),
            None => hex64(&full),
        };
        Ok(ResolvedImage {
            repo_digest: format!("{}@sha256:{digest}", r.repository()),
            image_id: format!("sha256:{}", hex64(&format!("config:{full}"))),
            size: tag_size(known.size, r.tag.as_deref()),
            full,
        })
    }

    /// How long pulling takes: resolving the manifest (0.3 to 0.7 s), then the layers the node lacks.
    pub fn pull_duration(&self, image: &ResolvedImage, layers_cached: bool) -> Millis {
        let resolve = 300 + stable_hash(&image.full) % 400;
        if layers_cached {
            return resolve;
        }
        resolve + image.size.saturating_mul(1000) / self.bandwidth.max(1)
    }
}

/// Sizes differ a little between tags; `alpine` and `slim` flavours are much smaller.
fn tag_size(base: u64, tag: Option<&str>) -> u64 {
    match tag {
        None | Some("latest") => base,
        Some(t) if t.contains("alpine") => base / 3,
        Some(t) if t.contains("slim") => base / 2,
        Some(t) => {
            let spread = stable_hash(t) % 21; // 0..=20 -> -10 %..+10 %
            base / 100 * (90 + spread)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_text(image: &str) -> String {
        match Registry::default().resolve(image) {
            Ok(r) => panic!("{image} resolved to {r:?}"),
            Err(e) => format!("rpc error: code = {} desc = {e}", e.code()),
        }
    }

    #[test]
    fn known_images_resolve_with_sizes() {
        let reg = Registry::default();
        let nginx = reg.resolve("nginx").expect("nginx exists");
        assert_eq!(nginx.full, "docker.io/library/nginx:latest");
        assert_eq!(nginx.size, 72_000_000);
        assert!(nginx.repo_digest.starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!(nginx.repo_digest.len(), "docker.io/library/nginx@sha256:".len() + 64);
        assert_eq!(reg.resolve("nginx:1.27-alpine").expect("alpine flavour").size, 24_000_000);
        for ok in [
            "busybox:1.28",
            "registry.k8s.io/pause:3.1",
            "polinux/stress",
            "k8s.gcr.io/pause:3.1",
            "docker.io/redis:6.0.5",
        ] {
            assert!(reg.resolve(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn pull_errors_read_like_containerd() {
        assert_eq!(
            err_text("nginx:nosuchtag"),
            "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nosuchtag\": failed to resolve reference \"docker.io/library/nginx:nosuchtag\": docker.io/library/nginx:nosuchtag: not found"
        );
        assert!(err_text("example-image").starts_with(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/example-image:latest\": failed to resolve reference \"docker.io/library/example-image:latest\": pull access denied"
        ));
        assert!(
            err_text("gcr.io/my-gcp-project/my-kube-scheduler:1.0")
                .contains("gcr.io/my-gcp-project/my-kube-scheduler:1.0: not found")
        );
        assert!(err_text("myregistry.local:5000/app").ends_with(
            "Head \"https://myregistry.local:5000/v2/app/manifests/latest\": dial tcp: lookup myregistry.local: no such host"
        ));
        assert!(
            err_text("microsoft/iis:windowsservercore-1709").ends_with("no match for platform in manifest: not found")
        );
    }

    #[test]
    fn faults_apply_to_a_tag_or_a_whole_repository() {
        let mut reg = Registry::default();
        assert!(reg.set_fault("nginx:1.27", Some(PullFault::NotFound)));
        assert!(reg.resolve("nginx:1.27").is_err());
        assert!(reg.resolve("nginx:1.26").is_ok());
        assert!(reg.set_fault("redis", Some(PullFault::Unreachable)));
        let e = reg.resolve("redis:7").expect_err("whole repository is down");
        assert!(e.to_string().contains("https://registry-1.docker.io/v2/library/redis/manifests/7"), "{e}");
        assert!(reg.set_fault("docker.io/library/redis", None));
        assert!(reg.resolve("redis:7").is_ok());
        assert!(!reg.set_fault("<bad>", Some(PullFault::RateLimited)));
        assert_eq!(reg.faults().count(), 1);
    }

    #[test]
    fn pull_time_grows_with_size() {
        let reg = Registry::default();
        let small = reg.resolve("busybox").expect("exists");
        let big = reg.resolve("python").expect("exists");
        assert!(reg.pull_duration(&small, false) < 1000);
        assert!(reg.pull_duration(&big, false) > 18_000);
        assert!(reg.pull_duration(&big, true) < 1000, "cached layers: only the manifest");
    }
}
