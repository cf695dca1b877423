//! Image references as containerd normalizes them: `nginx` is `docker.io/library/nginx:latest`.
//!
//! ```text
//!   [domain/]path[:tag][@digest]
//!   domain: the first component when it has a `.` or a `:` or is `localhost` (else docker.io)
//!   path:   docker.io paths without a `/` get `library/` (the official images)
//! ```

use thiserror::Error;

/// Why a reference does not parse; the kubelet shows it as `InvalidImageName`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReferenceError {
    /// Characters or shape that no registry accepts.
    #[error("invalid reference format")]
    InvalidFormat,
    /// Docker references must be lowercase; `Nginx` is not `nginx`.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    Uppercase(String),
}

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io`, `registry.k8s.io`, `localhost:5000`.
    pub domain: String,
    /// `library/nginx`, `polinux/stress`, `e2e-test-images/agnhost`.
    pub path: String,
    /// The tag; `latest` is filled in when neither a tag nor a digest is given.
    pub tag: Option<String>,
    /// `sha256:...` when the image is pinned by digest.
    pub digest: Option<String>,
}

fn valid_path_component(c: &str) -> bool {
    // [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*, simplified: alphanumerics joined by separators,
    // neither starting nor ending with a separator.
    let b = c.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|&ch| ch.is_ascii_alphanumeric() || matches!(ch, b'.' | b'_' | b'-'))
}

fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|&ch| ch.is_ascii_alphanumeric() || matches!(ch, b'.' | b'_' | b'-'))
}

fn valid_digest(d: &str) -> bool {
    match d.split_once(':') {
        Some((algo, hex)) => {
            !algo.is_empty()
                && algo.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && hex.len() >= 32
                && hex.bytes().all(|c| c.is_ascii_hexdigit())
        }
        None => false,
    }
}

impl ImageRef {
    /// Parses and normalizes `s` (containerd's `reference/docker.ParseDockerRef`).
    pub fn parse(s: &str) -> Result<ImageRef, ReferenceError> {
        if s.is_empty() || s.trim() != s || s.contains("://") {
            return Err(ReferenceError::InvalidFormat);
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) if valid_digest(d) => (r, Some(d.to_string())),
            Some(_) => return Err(ReferenceError::InvalidFormat),
            None => (s, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(rest[last_slash + i + 1..].to_string())),
            None => (rest, None),
        };
        if let Some(t) = &tag
            && !valid_tag(t)
        {
            return Err(ReferenceError::InvalidFormat);
        }
        let (domain, path) = match name.split_once('/') {
            Some((first, remainder)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (first.to_string(), remainder.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let path = if domain == "docker.io" && !path.contains('/') { format!("library/{path}") } else { path };
        if domain.is_empty() || domain.chars().any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))) {
            return Err(ReferenceError::InvalidFormat);
        }
        if path.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(ReferenceError::Uppercase(path));
        }
        if !path.split('/').all(valid_path_component) {
            return Err(ReferenceError::InvalidFormat);
        }
        let tag = if tag.is_none() && digest.is_none() { Some("latest".to_string()) } else { tag };
        Ok(ImageRef { domain, path, tag, digest })
    }

    /// `docker.io/library/nginx`: the repository without tag or digest.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The fully qualified reference: `docker.io/library/nginx:latest`.
    pub fn full(&self) -> String {
        let mut s = self.repository();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The last path component: `nginx`, `stress`, `agnhost`. Behaviour is looked up by it.
    pub fn short_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// The kubelet's message when a reference does not parse (waiting reason `InvalidImageName`).
pub fn invalid_name_message(image: &str, err: &ReferenceError) -> String {
    format!("Failed to apply default image tag {image:?}: couldn't parse image name {image:?}: {err}")
}

/// The API server's default `imagePullPolicy`: `Always` for `:latest` or untagged, else `IfNotPresent`.
pub fn default_pull_policy(image: &str) -> &'static str {
    match ImageRef::parse(image) {
        Ok(r) if r.digest.is_some() => "IfNotPresent",
        Ok(r) if r.tag.as_deref() == Some("latest") => "Always",
        Ok(_) => "IfNotPresent",
        Err(_) => "IfNotPresent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_containerd() {
        for (input, want) in [
            ("nginx", "docker.io/library/nginx:latest"),
            ("nginx:1.14.2", "docker.io/library/nginx:1.14.2"),
            ("polinux/stress", "docker.io/polinux/stress:latest"),
            ("docker.io/library/busybox", "docker.io/library/busybox:latest"),
            ("docker.io/redis:6.0.5", "docker.io/library/redis:6.0.5"),
            ("registry.k8s.io/pause:3.1", "registry.k8s.io/pause:3.1"),
            ("registry.k8s.io/e2e-test-images/agnhost:2.53", "registry.k8s.io/e2e-test-images/agnhost:2.53"),
            ("localhost:5000/app", "localhost:5000/app:latest"),
            ("localhost/app:v1", "localhost/app:v1"),
            ("gcr.io/google_samples/gb-frontend:v5", "gcr.io/google_samples/gb-frontend:v5"),
        ] {
            assert_eq!(ImageRef::parse(input).map(|r| r.full()), Ok(want.to_string()), "{input}");
        }
    }

    #[test]
    fn digests_keep_no_default_tag() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::parse(&format!("nginx@{d}")).expect("a digest reference parses");
        assert_eq!(r.tag, None);
        assert_eq!(r.full(), format!("docker.io/library/nginx@{d}"));
        assert!(ImageRef::parse("nginx@sha256:xyz").is_err());
    }

    #[test]
    fn rejects_bad_references() {
        assert_eq!(ImageRef::parse("<your-private-image>"), Err(ReferenceError::InvalidFormat));
        assert_eq!(ImageRef::parse("Nginx"), Err(ReferenceError::Uppercase("library/Nginx".into())));
        for bad in ["", " nginx", "nginx:", "nginx:-x", "-nginx", "a//b", "http://x/y", "nginx:a b"] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn invalid_name_message_matches_kubelet() {
        let err = ImageRef::parse("Nginx:1").expect_err("uppercase is invalid");
        assert_eq!(
            invalid_name_message("Nginx:1", &err),
            "Failed to apply default image tag \"Nginx:1\": couldn't parse image name \"Nginx:1\": invalid reference format: repository name (library/Nginx) must be lowercase"
        );
    }

    #[test]
    fn pull_policy_defaults() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.27"), "IfNotPresent");
        assert_eq!(default_pull_policy(&format!("nginx@sha256:{}", "b".repeat(64))), "IfNotPresent");
    }

    #[test]
    fn short_name_is_last_component() {
        let r = ImageRef::parse("registry.k8s.io/e2e-test-images/agnhost:2.53").expect("valid");
        assert_eq!(r.short_name(), "agnhost");
        assert_eq!(r.repository(), "registry.k8s.io/e2e-test-images/agnhost");
    }
}
