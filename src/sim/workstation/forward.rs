//! One connection through a running `kubectl port-forward`, as client-go's `handleConnection`
//! (`tools/portforward/portforward.go`, kubectl 1.33) carries it: kubectl says it is handling it,
//! sends what the local client wrote to the pod's port through the apiserver's `portforward`
//! subresource, and copies back what the pod's server wrote. An error on the stream's error
//! channel is logged (`"Unhandled Error"`), and kubectl 1.33 then closes the connection to the
//! pod, so the forward ends: `error: lost connection to pod`.

use crate::sim::api::validation::gofmt::quote;
use crate::sim::protocol::connect::{self, ForwardAnswer};
use crate::sim::time::{Millis, rfc3339};
use crate::sim::world::World;

/// Where client-go 1.33 logs a forwarding error (`handleConnection`'s `runtime.HandleError`).
const LOGGED_AT: &str = "portforward.go:424";

/// The process id the forward's kubectl shows in its log lines: a fixed one per job, so that
/// transcripts do not move (a real one is whatever the machine gave it).
fn pid(job: u32) -> u32 {
    40_000 + job
}

/// klog's header and structured error (`E1207 22:02:12.212259   40001 portforward.go:424] "Unhandled
/// Error" err="..."`) at virtual time `now`.
fn klog_error(now: Millis, job: u32, err: &str) -> String {
    let t = rfc3339(now);
    let (month, day, clock) = (&t[5..7], &t[8..10], &t[11..19]);
    let micros = (now % 1000) * 1000;
    format!("E{month}{day} {clock}.{micros:06} {:>7} {LOGGED_AT}] \"Unhandled Error\" err={}\n", pid(job), quote(err))
}

/// What one connection did: what the forward's kubectl printed, and the bytes that came back to
/// the local client before the connection closed.
#[derive(Debug, Default, PartialEq)]
pub struct Carried {
    pub stdout: String,
    pub stderr: String,
    pub reply: Vec<u8>,
}

/// Carries `data` through the forward at `index` (listening on `local`, feeding the pod's `remote`).
pub fn carry(world: &mut World, index: usize, local: u16, remote: u16, data: &[u8]) -> Carried {
    let Some(f) = world.workstation.forwards.get(index).cloned() else { return Carried::default() };
    let mut c = Carried { stdout: format!("Handling connection for {local}\n"), ..Carried::default() };
    let req = connect::portforward_request(&f.namespace, &f.pod, remote, data);
    let lost = match world.call(req).map(|v| connect::portforward_answer(&v)) {
        Ok(ForwardAnswer::Replied(bytes)) => {
            c.reply = bytes;
            false
        }
        Ok(ForwardAnswer::Failed(e)) => {
            let err = format!("an error occurred forwarding {local} -> {remote}: {e}");
            c.stderr.push_str(&klog_error(world.now(), f.job, &err));
            true
        }
        // The connection to the pod itself failed (the pod is gone, its kubelet refused, the
        // apiserver is down): kubectl's stream connection closes under it.
        Ok(ForwardAnswer::Refused(_)) | Err(_) => true,
    };
    if lost {
        c.stderr.push_str("error: lost connection to pod\n");
        world.workstation.forwards.retain(|g| g.job != f.job);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn klog_lines_carry_the_virtual_time_and_go_quoting() {
        assert_eq!(
            klog_error(86_400_000 + 3_723_456, 1, "a \"b\""),
            "E0102 01:02:03.456000   40001 portforward.go:424] \"Unhandled Error\" err=\"a \\\"b\\\"\"\n"
        );
    }
}
