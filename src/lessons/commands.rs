//! What a lesson's `setup` and `solution` blocks run: the runner's script lines (kubectl, `sleep`,
//! heredocs, as in tests/scripts/*.sh) plus the faults the UI's buttons cause, which kubectl cannot:
//! `stop node NAME`, `start node NAME`, `stop COMPONENT`, `start COMPONENT` (etcd, kube-scheduler,
//! kube-controller-manager, kube-apiserver, cloud-controller-manager).

use crate::sim::component::Component;
use crate::sim::kubectl::NoFiles;
use crate::sim::script::{self, ScriptError};
use crate::sim::world::World;

/// A fault a lesson causes, as the learner would with the UI's stop and start buttons.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Power a node off (`running: false`) or on.
    Node { name: String, running: bool },
    /// Stop or start a control-plane process.
    Component { component: Component, running: bool },
}

/// One line (or heredoc) of a block.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Script(script::Step),
    Fault { fault: Fault, line: usize },
}

/// Parses a block whose first line is line `first_line` of the lesson file; errors carry the file's
/// line number.
pub fn parse_block(lines: &[&str], first_line: usize) -> Result<Vec<Command>, (usize, String)> {
    let mut commands = Vec::new();
    let mut chunk: Vec<(usize, &str)> = Vec::new();
    let mut heredoc: Option<String> = None;
    for (i, raw) in lines.iter().enumerate() {
        let n = first_line + i;
        let line = raw.trim();
        if let Some(marker) = &heredoc {
            if line == marker {
                heredoc = None;
            }
            chunk.push((n, raw));
            continue;
        }
        let word = line.split_whitespace().next().unwrap_or_default();
        if word == "stop" || word == "start" {
            commands.extend(parse_script(&chunk)?);
            chunk.clear();
            commands.push(Command::Fault { fault: parse_fault(line).map_err(|e| (n, e))?, line: n });
            continue;
        }
        if let Some((_, marker)) = line.split_once("<<") {
            heredoc = Some(marker.trim().trim_matches(['\'', '"']).to_string());
        }
        chunk.push((n, raw));
    }
    commands.extend(parse_script(&chunk)?);
    Ok(commands)
}

/// The script parser, fed blank lines up to the chunk so that its line numbers are the file's.
fn parse_script(chunk: &[(usize, &str)]) -> Result<Vec<Command>, (usize, String)> {
    let Some(&(first, _)) = chunk.first() else { return Ok(Vec::new()) };
    let mut text = "\n".repeat(first - 1);
    for (_, l) in chunk {
        text.push_str(l);
        text.push('\n');
    }
    script::parse(&text).map(|steps| steps.into_iter().map(Command::Script).collect()).map_err(|e| {
        let line = match &e {
            ScriptError::UnclosedHeredoc { line, .. }
            | ScriptError::BadDuration { line, .. }
            | ScriptError::UnknownCommand { line, .. } => *line,
        };
        // The script error's own "line N: " prefix would repeat the number the caller shows.
        let text = e.to_string();
        let reason = text.split_once(": ").map_or(text.as_str(), |(_, r)| r).to_string();
        let reason = match e {
            ScriptError::UnknownCommand { .. } => {
                reason.replace("are allowed", "and `stop`/`start node NAME` or `stop`/`start COMPONENT` are allowed")
            }
            _ => reason,
        };
        (line, reason)
    })
}

fn parse_fault(line: &str) -> Result<Fault, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let running = words[0] == "start";
    match words.as_slice() {
        [_, "node", name] => Ok(Fault::Node { name: name.to_string(), running }),
        [_, "node"] => Err(format!("expected `{} node NAME`: which node?", words[0])),
        [_, name] => match Component::parse(name) {
            Some(
                c @ (Component::Kubectl
                | Component::LocalPathProvisioner
                | Component::MetricsServer
                | Component::IngressNginx),
            ) => Err(format!("{c} cannot be stopped or started on its own")),
            Some(component) => Ok(Fault::Component { component, running }),
            None => Err(format!(
                "unknown component {name:?} (etcd, kube-apiserver, kube-scheduler, kube-controller-manager, \
                 cloud-controller-manager, or `node NAME`)"
            )),
        },
        _ => Err(format!("expected `{} node NAME` or `{} COMPONENT`, got {line:?}", words[0], words[0])),
    }
}

/// Runs the commands and returns the transcript: each command after `$ `, then what it printed.
pub fn run(world: &mut World, commands: &[Command]) -> String {
    let mut transcript = String::new();
    for c in commands {
        match c {
            Command::Script(step) => transcript.push_str(&script::run(world, std::slice::from_ref(step), &NoFiles)),
            Command::Fault { fault, .. } => {
                let (text, result) = match fault {
                    Fault::Node { name, running } => {
                        (format!("{} node {name}", verb(*running)), world.set_node_running(name, *running))
                    }
                    Fault::Component { component, running } => {
                        (format!("{} {component}", verb(*running)), world.set_component_running(component, *running))
                    }
                };
                transcript.push_str(&format!("$ {text}\n"));
                if let Err(e) = result {
                    transcript.push_str(&format!("error: {e}\n"));
                }
            }
        }
    }
    transcript
}

fn verb(running: bool) -> &'static str {
    if running { "start" } else { "stop" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_mix_kubectl_sleep_heredocs_and_faults() {
        let block = [
            "kubectl apply -f - <<EOF",
            "stop: not a fault inside a heredoc",
            "EOF",
            "stop node sandbox-worker2",
            "sleep 5m",
            "start etcd",
        ];
        let cmds = parse_block(&block, 10).expect("a valid block");
        assert_eq!(cmds.len(), 4);
        assert!(
            matches!(&cmds[0], Command::Script(script::Step::Kubectl { line: 10, stdin: Some(s), .. }) if s.contains("stop:"))
        );
        assert_eq!(
            cmds[1],
            Command::Fault { fault: Fault::Node { name: "sandbox-worker2".into(), running: false }, line: 13 }
        );
        assert!(matches!(&cmds[2], Command::Script(script::Step::Sleep { line: 14, .. })));
        assert_eq!(
            cmds[3],
            Command::Fault { fault: Fault::Component { component: Component::Etcd, running: true }, line: 15 }
        );
    }

    #[test]
    fn bad_lines_carry_the_file_line() {
        let cases: [(&[&str], usize, &str); 5] = [
            (&["kubectl get pods", "rm -rf /"], 21, "only `kubectl ...`"),
            (&["sleep soon"], 20, "invalid duration"),
            (&["kubectl apply -f - <<EOF", "kind: Pod"], 20, "not closed"),
            (&["stop kube-dns"], 20, "unknown component"),
            (&["stop node"], 20, "expected `stop node NAME`"),
        ];
        for (block, line, want) in cases {
            let (got_line, reason) = parse_block(block, 20).expect_err(want);
            assert_eq!(got_line, line, "{reason}");
            assert!(reason.contains(want), "{reason}");
        }
    }
}
