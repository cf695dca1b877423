//! A container's main process as a command line: what the kubelet starts (the spec's `command` and
//! `args` over the image's entrypoint and cmd), and whether it is a shell reading its stdin, which is
//! what `kubectl attach -i` gives its input to.

use std::collections::BTreeMap;

use super::programs::expand_env_refs;
use super::{Launch, images};
use crate::sim::node::registry::reference::ImageRef;

/// The main process's command line: the spec's `command` and `args` over the image's entrypoint and
/// cmd, `$(VAR)` references expanded (the kubelet's `ExpandContainerCommandAndArgs`).
pub(super) fn argv_of(l: &Launch<'_>, d: &images::ImageDefaults, env: &BTreeMap<String, String>) -> Vec<String> {
    if !l.command.is_empty() {
        l.command.iter().chain(l.args).map(|a| expand_env_refs(a, env)).collect()
    } else {
        let tail: Vec<String> = if l.args.is_empty() {
            d.cmd.iter().map(|s| s.to_string()).collect()
        } else {
            l.args.iter().map(|a| expand_env_refs(a, env)).collect()
        };
        d.entrypoint.iter().map(|s| s.to_string()).chain(tail).collect()
    }
}

/// The command line of a container's main process, or `None` when that process is not a shell
/// reading its commands from stdin (`sh`, `bash -l`; not `sh -c ...`, not `nginx`): what an attach's
/// stdin is given to. Other programs in the simulation do not read their stdin.
pub fn stdin_shell(l: &Launch<'_>) -> Option<Vec<String>> {
    let repository = ImageRef::parse(l.image).map(|r| r.repository()).unwrap_or_else(|_| l.image.to_string());
    let d = images::defaults(&repository);
    let env: BTreeMap<String, String> = l.env.iter().cloned().collect();
    let argv = argv_of(l, &d, &env);
    let first = argv.first()?;
    let is_shell = matches!(super::interp::commands::basename(first), "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh");
    let reads_stdin = argv[1..].iter().all(|a| a.starts_with('-') && !a.contains('c'));
    (is_shell && reads_stdin).then_some(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn shell_of(image: &str, command: &[&str], args: &[&str]) -> Option<Vec<String>> {
        let (command, args) = (strings(command), strings(args));
        stdin_shell(&Launch { image, command: &command, args: &args, ..Launch::default() })
    }

    /// busybox's and ubuntu's default commands are shells reading stdin; a script or a server is not.
    #[test]
    fn finds_the_shell_an_attach_talks_to() {
        assert_eq!(shell_of("busybox", &[], &[]), Some(strings(&["sh"])));
        assert_eq!(shell_of("ubuntu:24.04", &[], &[]), Some(strings(&["bash"])));
        assert_eq!(shell_of("busybox", &[], &["sh"]), Some(strings(&["sh"])));
        assert_eq!(shell_of("busybox", &["/bin/bash", "-l"], &[]), Some(strings(&["/bin/bash", "-l"])));
        assert_eq!(shell_of("busybox", &["sh", "-c", "sleep 1"], &[]), None);
        assert_eq!(shell_of("busybox", &["sleep", "3600"], &[]), None);
        assert_eq!(shell_of("nginx", &[], &[]), None);
        assert_eq!(shell_of("busybox", &["sh", "/script.sh"], &[]), None);
    }
}
