//! The kubelet's side of `kubectl attach -i` (`GetAttach`): what the client sends on stdin reaches
//! the container's main process. The world calls it when the CRI `Attach` reaches the runtime, as it
//! does for an exec (`world/streams.rs`), since a shell running that input needs the container's
//! files and the pod's network.

use super::Kubelet;
use super::inspect::ExecIo;
use super::worker::CStatus;
use crate::sim::node::behaviour::argv::stdin_shell;
use crate::sim::node::behaviour::exec::ExecOutput;
use crate::sim::node::behaviour::net::Network;
use crate::sim::time::Millis;

/// What an attach's stdin did to the container's main process.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachRun {
    /// What the process wrote while attached.
    pub output: String,
    /// The shell's status after the input: its exit code if the process ends now.
    pub status: i32,
    /// The shell ran `exit`: the process ends whatever happens to its stdin.
    pub exited: bool,
    /// Virtual time the input took to run (network timeouts, sleeps).
    pub waited: Millis,
}

impl Kubelet {
    /// `kubectl attach -i`: what the client sent on stdin goes to the container's main process. A
    /// shell reading its stdin runs it as its next lines (in the container's files and the pod's
    /// network, as an exec does); any other program does not read it. The process ends when its
    /// shell ran `exit`, or when stdin closes as this attach ends and the container asked for that
    /// (`stdinOnce`, which the caller knows from the runtime).
    pub fn attach_net(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        io: ExecIo<'_>,
        now: Millis,
        net: Option<&dyn Network>,
    ) -> Result<AttachRun, String> {
        let (w, i) = self.exec_target(namespace, pod, Some(container))?;
        let c = &w.containers[i];
        let (CStatus::Running { started_at }, Some(b)) = (&c.status, &c.behaviour) else {
            return Err(format!("unable to upgrade connection: container not found ({container:?})"));
        };
        let mut parts = self.launch_parts(w, i)?;
        let cid = c.id.clone().unwrap_or_default();
        if let Some(files) = self.host.borrow().started_files.get(&cid) {
            parts.files = files.clone();
        }
        // A terminal attached with nothing sent yet: the shell shows its prompt (the learner's
        // terminal opening a session), having read nothing.
        let input = io.stdin.or(io.tty.then_some(""));
        let (Some(input), Some(argv)) = (input, stdin_shell(&parts.launch())) else {
            return Ok(AttachRun { output: String::new(), status: 0, exited: false, waited: 0 });
        };
        let io = ExecIo { argv: &argv, stdin: Some(input), tty: io.tty };
        let (output, waited, exited) =
            self.exec_on_disk(b, &parts, &cid, io, now.saturating_sub(*started_at), now, net);
        let (status, lines) = match output {
            ExecOutput::Ran { exit_code, output, .. } => (exit_code, output),
            ExecOutput::NotFound(_) => (127, Vec::new()),
        };
        let mut output = lines.join("\n");
        if !output.is_empty() {
            output.push('\n');
        }
        Ok(AttachRun { output, status, exited, waited })
    }
}
