//! The public images the simulated registries hold, with compressed sizes (linux/amd64, approximate).
//!
//! Official images accept `latest`, version tags up to a plausible major version and the usual flavour
//! words (`1.27-alpine`, `3.12-slim-bookworm`); everything else is "not found", as on Docker Hub.
//! Images used by the example manifests (../shared/manifests) are all here.

/// Which tags a repository has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tags {
    /// `latest`, versions whose major number is at most this, flavour words.
    Versions(u32),
    /// Exactly these tags.
    Only(&'static [&'static str]),
    /// Windows-only images: every tag exists, none has a linux/amd64 manifest.
    Windows,
}

/// One repository of a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownRepo {
    pub repository: &'static str,
    /// Compressed size of the default tag, as `crictl images` and the kubelet's Pulled event report it.
    pub size: u64,
    pub tags: Tags,
}

const fn repo(repository: &'static str, size: u64, tags: Tags) -> KnownRepo {
    KnownRepo { repository, size, tags }
}

use Tags::{Only, Versions, Windows};

/// Every repository the simulated registries serve, sorted by name for binary search.
pub static CATALOG: &[KnownRepo] = &[
    repo("docker.io/apache/kafka", 400_000_000, Versions(4)),
    repo("docker.io/bitnami/kafka", 170_000_000, Versions(4)),
    repo("docker.io/bitnami/nginx", 40_000_000, Versions(1)),
    repo("docker.io/bitnami/redis", 60_000_000, Versions(8)),
    repo("docker.io/bprashanth/nginxhttps", 40_100_000, Only(&["1.0", "latest"])),
    repo("docker.io/confluentinc/cp-kafka", 420_000_000, Versions(8)),
    repo("docker.io/confluentinc/cp-zookeeper", 400_000_000, Versions(7)),
    repo("docker.io/curlimages/curl", 10_400_000, Versions(8)),
    repo("docker.io/grafana/grafana", 120_000_000, Versions(12)),
    repo("docker.io/hashicorp/http-echo", 3_400_000, Only(&["0.2.3", "1.0", "1.0.0", "latest"])),
    repo("docker.io/kindest/kindnetd", 44_400_000, Only(&["v20250214-acbabc1a", "v20250512-df8de77b"])),
    repo("docker.io/kindest/local-path-helper", 2_900_000, Only(&["v20241212-8ac705d0"])),
    repo("docker.io/kindest/local-path-provisioner", 22_500_000, Only(&["v20250214-acbabc1a"])),
    repo("docker.io/library/alpine", 3_623_807, Versions(3)),
    repo("docker.io/library/bash", 6_400_000, Versions(5)),
    repo("docker.io/library/busybox", 2_155_000, Versions(1)),
    repo("docker.io/library/caddy", 20_000_000, Versions(2)),
    repo("docker.io/library/cassandra", 150_000_000, Versions(5)),
    repo("docker.io/library/centos", 75_000_000, Versions(8)),
    repo("docker.io/library/debian", 48_500_000, Versions(13)),
    repo("docker.io/library/eclipse-temurin", 200_000_000, Versions(25)),
    repo("docker.io/library/elasticsearch", 650_000_000, Versions(9)),
    repo("docker.io/library/fedora", 60_000_000, Versions(43)),
    repo("docker.io/library/golang", 290_000_000, Versions(1)),
    repo("docker.io/library/haproxy", 38_000_000, Versions(3)),
    repo("docker.io/library/hello-world", 13_256, Only(&["latest", "linux"])),
    repo("docker.io/library/httpd", 58_000_000, Versions(2)),
    repo("docker.io/library/kibana", 400_000_000, Versions(9)),
    repo("docker.io/library/logstash", 450_000_000, Versions(9)),
    repo("docker.io/library/mariadb", 120_000_000, Versions(12)),
    repo("docker.io/library/memcached", 31_000_000, Versions(1)),
    repo("docker.io/library/mongo", 250_000_000, Versions(8)),
    repo("docker.io/library/mysql", 170_000_000, Versions(9)),
    repo("docker.io/library/nats", 8_000_000, Versions(2)),
    repo("docker.io/library/nginx", 72_000_000, Versions(1)),
    repo("docker.io/library/node", 400_000_000, Versions(24)),
    repo("docker.io/library/openjdk", 330_000_000, Versions(24)),
    repo("docker.io/library/perl", 330_000_000, Versions(5)),
    repo("docker.io/library/php", 190_000_000, Versions(8)),
    repo("docker.io/library/postgres", 158_000_000, Versions(17)),
    repo("docker.io/library/python", 377_000_000, Versions(3)),
    repo("docker.io/library/rabbitmq", 110_000_000, Versions(4)),
    repo("docker.io/library/redis", 45_000_000, Versions(8)),
    repo("docker.io/library/registry", 10_000_000, Versions(3)),
    repo("docker.io/library/tomcat", 180_000_000, Versions(11)),
    repo("docker.io/library/traefik", 50_000_000, Versions(3)),
    repo("docker.io/library/ubuntu", 29_700_000, Versions(25)),
    repo("docker.io/library/wordpress", 250_000_000, Versions(6)),
    repo("docker.io/library/zookeeper", 140_000_000, Versions(3)),
    repo("docker.io/microsoft/iis", 5_000_000_000, Windows),
    repo("docker.io/neylsoncrepalde/chat-with-claude", 210_000_000, Only(&["v1", "kb-v1"])),
    repo("docker.io/neylsoncrepalde/chat-with-claude-agent", 230_000_000, Only(&["v1"])),
    repo("docker.io/neylsoncrepalde/dataprocessingjob", 420_000_000, Only(&["v1"])),
    repo("docker.io/neylsoncrepalde/jokeapi", 52_000_000, Only(&["v1"])),
    repo("docker.io/neylsoncrepalde/spark-operator", 520_000_000, Only(&["v3.1.1-hadoop3-aws-kafka"])),
    repo("docker.io/neylsoncrepalde/strimzi-kafka-jdbc-s3-es", 430_000_000, Only(&["0.40.0-kafka-3.7.0"])),
    repo("docker.io/nicolaka/netshoot", 200_000_000, Versions(0)),
    repo("docker.io/polinux/stress", 4_041_000, Only(&["latest", "1.0.4"])),
    repo("docker.io/prom/prometheus", 110_000_000, Only(&["latest", "v2.53.0", "v2.55.1", "v3.0.0", "v3.4.0"])),
    repo("docker.io/quay/busybox", 2_155_000, Only(&["latest"])),
    repo("docker.io/radial/busyboxplus", 5_800_000, Only(&["curl", "git", "latest"])),
    repo("gcr.io/google-samples/cassandra", 140_000_000, Only(&["v13", "v14"])),
    repo("gcr.io/google-samples/hello-app", 11_000_000, Only(&["1.0", "2.0"])),
    repo("gcr.io/google-samples/hello-frontend", 60_000_000, Only(&["1.0"])),
    repo("gcr.io/google-samples/hello-go-gke", 5_000_000, Only(&["1.0"])),
    repo("gcr.io/google-samples/kubernetes-bootcamp", 80_000_000, Only(&["v1"])),
    repo("gcr.io/google-samples/node-hello", 250_000_000, Only(&["1.0"])),
    repo("gcr.io/google-samples/xtrabackup", 120_000_000, Only(&["1.0"])),
    repo("gcr.io/google_samples/gb-frontend", 140_000_000, Only(&["v3", "v4", "v5", "v6"])),
    repo("gcr.io/google_samples/gb-redis-follower", 40_000_000, Only(&["v2"])),
    repo("gcr.io/kubernetes-e2e-test-images/dnsutils", 50_000_000, Only(&["1.3"])),
    repo("quay.io/fluentd_elasticsearch/fluentd", 140_000_000, Only(&["v2.5.2", "v3.1.0", "v4.7.2", "v5.0.1"])),
    repo(
        "quay.io/strimzi/kafka",
        430_000_000,
        Only(&["0.45.0-kafka-3.9.0", "0.46.0-kafka-4.0.0", "latest-kafka-3.9.0"]),
    ),
    repo("registry.k8s.io/busybox", 1_144_547, Only(&["latest", "1.24"])),
    repo("registry.k8s.io/cloud-controller-manager", 30_000_000, Only(&["v1.8.0"])),
    repo("registry.k8s.io/coredns/coredns", 18_600_000, Only(&["v1.11.1", "v1.11.3", "v1.12.0"])),
    repo("registry.k8s.io/cpa/cluster-proportional-autoscaler", 13_000_000, Only(&["1.8.4", "v1.8.9"])),
    repo(
        "registry.k8s.io/e2e-test-images/agnhost",
        51_000_000,
        Only(&["2.39", "2.40", "2.45", "2.47", "2.52", "2.53"]),
    ),
    repo("registry.k8s.io/e2e-test-images/busybox", 1_300_000, Only(&["1.29-2", "1.29-4", "1.36.1-1"])),
    repo("registry.k8s.io/e2e-test-images/jessie-dnsutils", 112_000_000, Only(&["1.3", "1.5", "1.7"])),
    repo("registry.k8s.io/e2e-test-images/nginx", 6_800_000, Only(&["1.14-2", "1.14-4", "1.15-4"])),
    repo("registry.k8s.io/echoserver", 46_000_000, Only(&["1.4", "1.10"])),
    repo("registry.k8s.io/etcd", 57_000_000, Only(&["3.5.1-0", "3.5.15-0", "3.5.16-0", "3.5.21-0"])),
    repo("registry.k8s.io/event-exporter", 20_000_000, Only(&["v0.2.3"])),
    repo("registry.k8s.io/fluentd-gcp", 120_000_000, Only(&["2.0.2"])),
    repo("registry.k8s.io/goproxy", 3_000_000, Only(&["0.1"])),
    repo("registry.k8s.io/hpa-example", 180_000_000, Only(&["latest"])),
    // kind's Ingress guide pins v1.12.1 (by tag and digest).
    repo("registry.k8s.io/ingress-nginx/controller", 105_000_000, Only(&["v1.11.3", "v1.12.0", "v1.12.1"])),
    repo("registry.k8s.io/kube-apiserver", 30_100_000, Only(&["v1.32.5", "v1.33.0", "v1.33.1"])),
    repo("registry.k8s.io/kube-controller-manager", 27_600_000, Only(&["v1.32.5", "v1.33.0", "v1.33.1"])),
    repo("registry.k8s.io/kube-proxy", 31_200_000, Only(&["v1.32.5", "v1.33.0", "v1.33.1"])),
    repo("registry.k8s.io/kube-scheduler", 21_800_000, Only(&["v1.32.5", "v1.33.0", "v1.33.1"])),
    repo("registry.k8s.io/kubernetes-zookeeper", 120_000_000, Only(&["1.0-3.4.10"])),
    repo("registry.k8s.io/liveness", 3_300_000, Only(&["latest"])),
    repo("registry.k8s.io/metrics-server/metrics-server", 20_582_732, Only(&["v0.7.2", "v0.8.0"])),
    repo("registry.k8s.io/nginx-slim", 22_000_000, Only(&["0.7", "0.8", "0.21", "0.24", "0.26", "0.27"])),
    repo("registry.k8s.io/pause", 320_368, Only(&["2.0", "3.1", "3.2", "3.6", "3.9", "3.10", "latest"])),
    repo("registry.k8s.io/serve_hostname", 2_700_000, Only(&["v1.4"])),
    repo("registry.k8s.io/test-webserver", 4_700_000, Only(&["latest"])),
];

/// Registries that answer (anything else does not resolve in DNS).
pub const KNOWN_DOMAINS: &[&str] = &[
    "docker.io",
    "registry.k8s.io",
    "gcr.io",
    "quay.io",
    "ghcr.io",
    "us-docker.pkg.dev",
    "mcr.microsoft.com",
    "public.ecr.aws",
];

/// Tag words official images combine with versions.
const FLAVOURS: &[&str] = &[
    "alpine",
    "slim",
    "bookworm",
    "bullseye",
    "buster",
    "trixie",
    "jammy",
    "noble",
    "focal",
    "perl",
    "otel",
    "apache",
    "fpm",
    "cli",
    "zts",
    "management",
    "oracle",
    "oraclelinux8",
    "oraclelinux9",
    "debian",
    "musl",
    "glibc",
    "uclibc",
    "mainline",
    "stable",
    "lts",
    "iron",
    "jod",
    "hydrogen",
    "threaded",
    "windowsservercore",
    "nanoserver",
    "jdk",
    "jre",
];

fn flavour_ok(word: &str) -> bool {
    // `alpine3.20` is a flavour with a version; strip the trailing version.
    let base = word.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    FLAVOURS.contains(&base)
}

/// Whether `tag` exists in a repository whose tags are `Versions(max_major)`.
pub fn version_tag_exists(tag: &str, max_major: u32) -> bool {
    if tag == "latest" {
        return true;
    }
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or_default();
    let first_ok = if first.starts_with(|c: char| c.is_ascii_digit()) {
        let nums: Vec<&str> = first.split('.').collect();
        nums.len() <= 4
            && nums.iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && nums[0].parse::<u32>().is_ok_and(|m| m <= max_major)
    } else {
        flavour_ok(first)
    };
    first_ok && parts.all(flavour_ok)
}

/// The repository entry for `repository` (`docker.io/library/nginx`); `k8s.gcr.io` is the old name
/// of `registry.k8s.io` and still redirects.
pub fn lookup(repository: &str) -> Option<&'static KnownRepo> {
    let repository = match repository.strip_prefix("k8s.gcr.io/") {
        Some(rest) => return lookup(&format!("registry.k8s.io/{rest}")),
        None => repository,
    };
    CATALOG.binary_search_by(|r| r.repository.cmp(repository)).ok().map(|i| &CATALOG[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_sorted_for_binary_search() {
        assert!(CATALOG.windows(2).all(|w| w[0].repository < w[1].repository));
    }

    #[test]
    fn every_manifest_image_is_known() {
        // The images of ../shared/manifests that exist on real registries.
        for r in [
            "docker.io/library/nginx",
            "docker.io/library/busybox",
            "registry.k8s.io/pause",
            "registry.k8s.io/busybox",
            "docker.io/polinux/stress",
            "docker.io/library/mysql",
            "gcr.io/google-samples/xtrabackup",
            "registry.k8s.io/liveness",
            "docker.io/hashicorp/http-echo",
            "docker.io/neylsoncrepalde/jokeapi",
            "k8s.gcr.io/pause",
        ] {
            assert!(lookup(r).is_some(), "{r}");
        }
        assert!(lookup("docker.io/library/nosuchimage").is_none());
    }

    #[test]
    fn version_tags() {
        for (tag, max, want) in [
            ("latest", 1, true),
            ("1.27", 1, true),
            ("1.14.2", 1, true),
            ("1.27-alpine", 1, true),
            ("alpine", 1, true),
            ("3.12-slim-bookworm", 3, true),
            ("alpine3.20", 3, true),
            ("2.0", 1, false),
            ("nosuchtag", 1, false),
            ("1.27-nosuch", 1, false),
            ("24.04", 25, true),
            ("1..2", 1, false),
        ] {
            assert_eq!(version_tag_exists(tag, max), want, "{tag} (max {max})");
        }
    }
}
