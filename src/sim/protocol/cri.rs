//! The Container Runtime Interface as message payloads: what the kubelet asks containerd over its unix
//! socket (`RunPodSandbox`, `PullImage`, `CreateContainer`, ...) and what it answers.
//!
//! Calls are request/response like gRPC. Container exits the kubelet did not ask for (a process ended,
//! the OOM killer struck) arrive on the `GetContainerEvents` stream, as with the evented PLEG: the
//! runtime answers that one request again and again, each time with one `CriResult::Event`.

use std::fmt;

use crate::sim::time::Millis;

/// One CRI call from the kubelet to the runtime of its node.
#[derive(Debug, Clone, PartialEq)]
pub struct CriRequest {
    pub id: u64,
    pub call: CriCall,
}

/// The CRI methods the simulated kubelet uses.
#[derive(Debug, Clone, PartialEq)]
pub enum CriCall {
    /// Opens the stream of container events (answered many times with the same id).
    GetContainerEvents,
    /// Everything the runtime knows: what a restarted kubelet relists.
    ListContainers,
    /// The images on the node (for the Node's `status.images`).
    ListImages,
    RunPodSandbox(SandboxConfig),
    StopPodSandbox {
        sandbox_id: String,
    },
    RemovePodSandbox {
        sandbox_id: String,
    },
    PullImage {
        image: String,
    },
    CreateContainer {
        sandbox_id: String,
        config: Box<ContainerConfig>,
    },
    StartContainer {
        container_id: String,
    },
    /// Sends SIGTERM, then SIGKILL after `timeout_seconds`; answers once the container is gone.
    StopContainer {
        container_id: String,
        timeout_seconds: i64,
    },
    RemoveContainer {
        container_id: String,
    },
    /// Runs `cmd` in a running container. The real call answers with a URL of the runtime's
    /// streaming server, which the kubelet proxies the apiserver's stream to; the simulation answers
    /// with what flowed on that stream ([`CriResult::ExecStream`]).
    Exec {
        container_id: String,
        cmd: Vec<String>,
        /// What the stdin stream carries (`kubectl exec -i`), all of it.
        stdin: Option<String>,
        /// A terminal is attached (`kubectl exec -t`).
        tty: bool,
    },
    /// `PortForward(pod_sandbox_id, port)`: containerd's streaming server dials `localhost:port` in the
    /// sandbox's network namespace and copies the connection's bytes both ways
    /// (`internal/cri/server/sandbox_portforward_linux.go`); the simulation answers with what came
    /// back ([`CriResult::ForwardStream`]).
    PortForward {
        sandbox_id: String,
        port: u16,
        /// What the client sent on the connection, all of it.
        data: Vec<u8>,
    },
}

/// What a sandbox is for (labels in the real CRI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxConfig {
    pub pod_uid: String,
    pub namespace: String,
    pub name: String,
    /// The pod's hostname (`spec.hostname`, else its name): the CRI's `PodSandboxConfig.hostname`.
    pub hostname: String,
    /// How many sandboxes this pod had before (a node reboot makes a new one).
    pub attempt: u32,
    /// `hostNetwork`: no network namespace and no IP from the CNI (the pod uses the node's).
    pub host_network: bool,
}

/// One container to create: the resolved command line, environment and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerConfig {
    pub name: String,
    pub pod_uid: String,
    /// `namespace/name` of the pod, for the trace.
    pub pod: String,
    /// The image as the pod spec writes it.
    pub image: String,
    /// `command` of the pod spec (replaces the image's entrypoint when not empty).
    pub command: Vec<String>,
    /// `args` of the pod spec (replaces the image's cmd when not empty).
    pub args: Vec<String>,
    /// Environment after the kubelet resolved ConfigMap/Secret/field references.
    pub env: Vec<(String, String)>,
    /// `resources.limits.memory` in bytes: the cgroup limit the OOM killer enforces.
    pub memory_limit: Option<u64>,
    /// Files mounted from ConfigMaps, Secrets and the service account: absolute path and content.
    pub files: Vec<(String, String)>,
    /// Directories of the node bind-mounted into the container (emptyDir, hostPath, PVs, ConfigMap
    /// and Secret volumes): what it reads and writes there lives on the node's disk.
    pub mounts: Vec<Mount>,
    /// Declared container ports (port mappings in the real CRI).
    pub ports: Vec<u16>,
    /// Init containers and containers of Job pods are expected to finish.
    pub expect_exit: bool,
    /// How many times this container was restarted before (the CRI `attempt`).
    pub attempt: u32,
}

/// A bind mount of the CRI's `Mount`: a directory (or file) of the node at a path of the container.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mount {
    pub container_path: String,
    pub host_path: String,
    pub readonly: bool,
}

/// A failed call: a gRPC status, printed the way the kubelet quotes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriError {
    /// gRPC code name: `NotFound`, `Unknown`, `FailedPrecondition`, ...
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for CriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rpc error: code = {} desc = {}", self.code, self.message)
    }
}

/// Lifecycle state of a container in the runtime (CRI `ContainerState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerState {
    Created,
    Running,
    Exited,
}

/// One container as `ListContainers`/`ContainerStatus` report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerInfo {
    pub id: String,
    pub sandbox_id: String,
    pub pod_uid: String,
    pub name: String,
    pub attempt: u32,
    pub image_ref: String,
    pub state: ContainerState,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    pub exit_code: Option<i32>,
    /// `OOMKilled`, `Completed`, `Error`, `Unknown` (after a power loss).
    pub reason: String,
}

/// One sandbox as `ListContainers` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxInfo {
    pub id: String,
    pub pod_uid: String,
    pub attempt: u32,
    pub ready: bool,
    pub ip: String,
}

/// One image in the node's store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// `docker.io/library/nginx:latest` (every tag pulled for this image).
    pub tags: Vec<String>,
    /// `docker.io/library/nginx@sha256:...`.
    pub repo_digest: String,
    pub size: u64,
}

/// A container exit the kubelet did not ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerExit {
    pub container_id: String,
    pub pod_uid: String,
    pub exit_code: i32,
    /// `Completed`, `Error` or `OOMKilled`.
    pub reason: String,
    pub finished_at: Millis,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub enum CriResult {
    SandboxReady {
        sandbox_id: String,
        ip: String,
    },
    ImagePulled {
        full: String,
        repo_digest: String,
        size: u64,
    },
    ContainerCreated {
        container_id: String,
    },
    ContainerStarted {
        container_id: String,
        started_at: Millis,
    },
    ContainerStopped {
        container_id: String,
        exit_code: i32,
        reason: String,
        finished_at: Millis,
    },
    /// Stop/remove of a sandbox, remove of a container, opening of the event stream.
    Done,
    Listing {
        sandboxes: Vec<SandboxInfo>,
        containers: Vec<ContainerInfo>,
    },
    Images(Vec<ImageInfo>),
    /// One event on the `GetContainerEvents` stream.
    Exited(ContainerExit),
    /// What an exec's stream carried: the output, or the output and how the process failed
    /// (`command terminated with exit code N`, or the runtime's error starting it).
    ExecStream(Result<String, String>),
    /// What a forwarded connection carried back: the server's bytes, or the runtime's error.
    ForwardStream(Result<Vec<u8>, String>),
}

/// The answer to one `CriRequest` (same id).
#[derive(Debug, Clone, PartialEq)]
pub struct CriResponse {
    pub id: u64,
    pub result: Result<CriResult, CriError>,
}

/// The first 13 characters of an id, as `crictl ps` prints it.
pub fn short_id(id: &str) -> &str {
    id.get(..13).unwrap_or(id)
}

impl CriRequest {
    /// One line for the trace, e.g. `PullImage nginx:1.27`.
    pub fn summary(&self) -> String {
        match &self.call {
            CriCall::GetContainerEvents => "GetContainerEvents".to_string(),
            CriCall::ListContainers => "ListContainers".to_string(),
            CriCall::ListImages => "ListImages".to_string(),
            CriCall::RunPodSandbox(c) => format!("RunPodSandbox {}/{}", c.namespace, c.name),
            CriCall::StopPodSandbox { sandbox_id } => format!("StopPodSandbox {}", short_id(sandbox_id)),
            CriCall::RemovePodSandbox { sandbox_id } => format!("RemovePodSandbox {}", short_id(sandbox_id)),
            CriCall::PullImage { image } => format!("PullImage {image}"),
            CriCall::CreateContainer { config, .. } => format!("CreateContainer {} in {}", config.name, config.pod),
            CriCall::StartContainer { container_id } => format!("StartContainer {}", short_id(container_id)),
            CriCall::StopContainer { container_id, timeout_seconds } => {
                format!("StopContainer {} (timeout {timeout_seconds}s)", short_id(container_id))
            }
            CriCall::RemoveContainer { container_id } => format!("RemoveContainer {}", short_id(container_id)),
            CriCall::Exec { container_id, cmd, .. } => format!("Exec {} {}", short_id(container_id), cmd.join(" ")),
            CriCall::PortForward { sandbox_id, port, data } => {
                format!("PortForward {} port {port}, {} bytes", short_id(sandbox_id), data.len())
            }
        }
    }
}

impl CriResponse {
    /// One line for the trace, e.g. `ImagePulled docker.io/library/nginx:latest (72000000 bytes)`.
    pub fn summary(&self) -> String {
        match &self.result {
            Err(e) => {
                let mut s = format!("{}: {}", e.code, e.message);
                if s.len() > 120 {
                    let cut = (0..=117).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                    s.truncate(cut);
                    s.push_str("...");
                }
                s
            }
            Ok(CriResult::SandboxReady { sandbox_id, ip }) => format!("SandboxReady {} ip {ip}", short_id(sandbox_id)),
            Ok(CriResult::ImagePulled { full, size, .. }) => format!("ImagePulled {full} ({size} bytes)"),
            Ok(CriResult::ContainerCreated { container_id }) => format!("ContainerCreated {}", short_id(container_id)),
            Ok(CriResult::ContainerStarted { container_id, .. }) => {
                format!("ContainerStarted {}", short_id(container_id))
            }
            Ok(CriResult::ContainerStopped { container_id, exit_code, reason, .. }) => {
                format!("ContainerStopped {} exit {exit_code} ({reason})", short_id(container_id))
            }
            Ok(CriResult::Done) => "OK".to_string(),
            Ok(CriResult::Listing { sandboxes, containers }) => {
                format!("{} sandboxes, {} containers", sandboxes.len(), containers.len())
            }
            Ok(CriResult::Images(images)) => format!("{} images", images.len()),
            Ok(CriResult::ExecStream(Ok(out))) => format!("ExecStream {} bytes, exit 0", out.len()),
            Ok(CriResult::ExecStream(Err(e))) => match e.rsplit_once("command terminated with exit code ") {
                Some((out, code)) => format!("ExecStream {} bytes, exit {code}", out.len()),
                None => format!("ExecStream failed: {}", e.lines().last().unwrap_or_default()),
            },
            Ok(CriResult::ForwardStream(Ok(data))) => format!("ForwardStream {} bytes back", data.len()),
            Ok(CriResult::ForwardStream(Err(e))) => format!("ForwardStream failed: {e}"),
            Ok(CriResult::Exited(e)) => {
                format!("ContainerExited {} exit {} ({})", short_id(&e.container_id), e.exit_code, e.reason)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_one_short_line() {
        let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".to_string();
        let cases = [
            (CriCall::PullImage { image: "nginx:1.27".into() }, "PullImage nginx:1.27"),
            (CriCall::StartContainer { container_id: id.clone() }, "StartContainer 0123456789abc"),
            (
                CriCall::StopContainer { container_id: id.clone(), timeout_seconds: 30 },
                "StopContainer 0123456789abc (timeout 30s)",
            ),
            (
                CriCall::RunPodSandbox(SandboxConfig {
                    pod_uid: "u".into(),
                    namespace: "default".into(),
                    name: "web".into(),
                    hostname: "web".into(),
                    attempt: 0,
                    host_network: false,
                }),
                "RunPodSandbox default/web",
            ),
        ];
        for (call, want) in cases {
            assert_eq!(CriRequest { id: 1, call }.summary(), want);
        }
        let long = CriResponse { id: 1, result: Err(CriError { code: "NotFound", message: "x".repeat(500) }) };
        let s = long.summary();
        assert!(s.len() <= 120 && s.ends_with("...") && !s.contains('\n'), "{s}");
        let ok = CriResponse {
            id: 1,
            result: Ok(CriResult::ContainerStopped {
                container_id: id,
                exit_code: 137,
                reason: "OOMKilled".into(),
                finished_at: 0,
            }),
        };
        assert_eq!(ok.summary(), "ContainerStopped 0123456789abc exit 137 (OOMKilled)");
    }

    #[test]
    fn errors_print_like_grpc() {
        let e = CriError { code: "NotFound", message: "failed to pull".into() };
        assert_eq!(e.to_string(), "rpc error: code = NotFound desc = failed to pull");
        assert_eq!(short_id("abc"), "abc");
    }
}
