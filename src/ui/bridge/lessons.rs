//! What the lesson panel needs from the simulation: a step's checks read against the world, a
//! lesson's setup and solution blocks as the UI's logged actions, and where a command's story starts.

use super::Sim;
use crate::lessons::{Command, Lesson, Step, commands::Fault};
use crate::sim::script;
use crate::sim::time::Millis;
use crate::ui::session::Op;

/// One line of a setup block, as the reducer runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupStep {
    /// Logged and replayed like the learner's own actions.
    Op(Op),
    /// `sleep`: virtual time to let pass before the next line.
    Sleep(Millis),
}

/// The lesson's setup block as actions: kubectl lines and faults, and the sleeps between them.
pub fn setup_steps(lesson: &Lesson) -> Vec<SetupStep> {
    lesson
        .setup
        .iter()
        .map(|c| match c {
            Command::Script(script::Step::Kubectl { command, stdin, .. }) => {
                SetupStep::Op(Op::Kubectl { line: command.clone(), stdin: stdin.clone() })
            }
            // The machine's own commands (`curl`) go the same way: `bridge::apply` routes them.
            Command::Script(script::Step::Host { command, .. }) => {
                SetupStep::Op(Op::Kubectl { line: command.clone(), stdin: None })
            }
            Command::Script(script::Step::Sleep { ms, .. }) => SetupStep::Sleep(*ms),
            Command::Fault { fault: Fault::Node { name, running }, .. } => {
                SetupStep::Op(Op::Node { name: name.clone(), running: *running })
            }
            Command::Fault { fault: Fault::Component { component, running }, .. } => {
                SetupStep::Op(Op::Component { name: component.to_string(), running: *running })
            }
        })
        .collect()
}

/// A step's solution as the learner would type it (heredocs written out), one command a line.
pub fn solution_text(step: &Step) -> String {
    let mut text = String::new();
    for c in &step.solution {
        match c {
            Command::Script(script::Step::Kubectl { command, stdin: Some(stdin), .. }) => {
                text.push_str(&format!("{command} <<EOF\n{stdin}EOF\n"));
            }
            Command::Script(
                script::Step::Kubectl { command, stdin: None, .. } | script::Step::Host { command, .. },
            ) => {
                text.push_str(command);
                text.push('\n');
            }
            Command::Script(script::Step::Sleep { text: t, .. }) => {
                text.push_str(&format!("# wait {t}\n"));
            }
            Command::Fault { fault: Fault::Node { name, running }, .. } => {
                let what = if *running { "power on" } else { "power off" };
                text.push_str(&format!("# {what} node {name} (click it in the diagram)\n"));
            }
            Command::Fault { fault: Fault::Component { component, running }, .. } => {
                let what = if *running { "start" } else { "stop" };
                text.push_str(&format!("# {what} {component} (click it in the diagram)\n"));
            }
        }
    }
    text
}

/// The first of the step's checks that does not hold, with what is missing; None when it is done.
/// `since`: the first message id of the step (what its `message` checks read). Reads only: the
/// world is not changed.
pub fn first_failure(sim: &Sim, step: &Step, since: u64) -> Option<String> {
    step.first_failure(&sim.world, since)
}

/// The message a done step's `message` check found: the hop that shows what happened.
pub fn found_message(sim: &Sim, step: &Step, since: u64) -> Option<u64> {
    step.found_message(&sim.world, since)
}

/// The id the next message will get: a command about to run starts its story there.
pub fn next_message_id(sim: &Sim) -> u64 {
    sim.world.k.next_id()
}

/// The first message of the trace sent with id `from` or later: where the story of the command that
/// began at `from` starts (the id itself may be a request's, which the trace does not draw). `from`
/// when the trace has nothing from there.
pub fn story_start(sim: &Sim, from: u64) -> u64 {
    let entries = sim.trace();
    let at = entries.partition_point(|e| e.id < from);
    entries.get(at).map_or(from, |e| e.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "---\nid: t\ntitle: T\n---\n```setup\nkubectl create namespace team\nstop node sandbox-worker2\nsleep 30s\nstart kube-scheduler\n```\n## Step: One\nGoal: a namespace\nCheck: exists namespace/tour\nHint: create it\n```solution\nkubectl create namespace tour\nkubectl apply -f - <<EOF\nkind: Namespace\nEOF\n```\n";

    #[test]
    fn setup_and_solution_blocks_become_actions_and_text() {
        let lesson = crate::lessons::parse(LESSON).expect("a valid lesson");
        assert_eq!(
            setup_steps(&lesson),
            vec![
                SetupStep::Op(Op::Kubectl { line: "kubectl create namespace team".into(), stdin: None }),
                SetupStep::Op(Op::Node { name: "sandbox-worker2".into(), running: false }),
                SetupStep::Sleep(30_000),
                SetupStep::Op(Op::Component { name: "kube-scheduler".into(), running: true }),
            ]
        );
        assert_eq!(
            solution_text(&lesson.steps[0]),
            "kubectl create namespace tour\nkubectl apply -f - <<EOF\nkind: Namespace\nEOF\n"
        );
    }

    #[test]
    fn a_step_is_checked_against_the_world_without_changing_it() {
        let lesson = crate::lessons::parse(LESSON).expect("a valid lesson");
        let mut sim = Sim::unbooted(1);
        sim.run_for(1_000);
        let (now, next) = (sim.now(), next_message_id(&sim));
        assert!(first_failure(&sim, &lesson.steps[0], 0).is_some_and(|why| why.contains("tour")));
        assert_eq!((sim.now(), next_message_id(&sim)), (now, next), "a check sends nothing");
    }

    #[test]
    fn a_story_starts_at_the_first_message_the_trace_has() {
        let mut sim = Sim::unbooted(1);
        let from = next_message_id(&sim);
        super::super::kubectl(&mut sim, "kubectl create namespace story", None);
        sim.run_for(2_000);
        let ids: Vec<u64> = sim.trace().iter().map(|e| e.id).collect();
        let first = *ids.iter().find(|&&id| id >= from).expect("the command sent messages");
        assert_eq!(story_start(&sim, from), first);
        assert!(ids.contains(&story_start(&sim, first + 1)));
        assert_eq!(story_start(&sim, 0), ids[0]);
        assert_eq!(story_start(&sim, u64::MAX), u64::MAX, "nothing sent from there yet");
    }
}
