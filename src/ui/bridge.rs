//! The one place the UI meets the simulation: building a world, driving its clock, running kubectl
//! and faults, and reading what the diagram, the inspector (etcd's keys too), the presets and the
//! terminal show. Everything else in `ui` works on the plain data handed out here.
//!
//! ```text
//!   components ──dispatch──► cluster (reducer) ──► bridge ──► sim::World
//!   components ◄──view data (ClusterModel, EventRow, KeyRow, TraceEntry, ...)── bridge
//! ```
//! The world itself is wrapped in [`Sim`], whose inside only this module and its children can reach:
//! the compiler, not only tests/architecture.rs, keeps the rest of `ui` out of the simulation's
//! internals. Value types the views need (a trace entry, a message's content, kubectl's output) are
//! re-exported from here, so that no other `ui` module names `crate::sim` (but for the pure `time`
//! and `sort`, which hold no simulation state).

mod decision;
pub mod etcd;
pub mod explain_docs;
pub mod kubectl;
pub mod lessons;
mod objects;

use crate::sim::world::World;
use crate::ui::model::Readiness;
use crate::ui::session::Op;

pub use crate::sim::kubectl::args::split_words;
pub use crate::sim::workstation::is_host_command;
pub use crate::sim::kubectl::printers::to_yaml;
pub use crate::sim::kubectl::{ExecSession, Output, Watching};
pub use crate::sim::message::Content;
pub use crate::sim::time::Millis;
use crate::sim::trace::Trace;
pub use crate::sim::trace::story::{Hop, Story};
pub use crate::sim::trace::{Fate, TraceEntry};
pub use decision::{DecisionRow, DecisionTable, decision};
pub use objects::{
    EndpointRow, EventRow, cache_revision, events_for, model, names, node_running, object, objects_model,
    service_endpoints, stopped,
};

/// The seed of a fresh sandbox: every learner starts from the same cluster.
pub const DEFAULT_SEED: u64 = 1;
/// How many of the newest messages keep their full content for the inspector (each is a copy of
/// the object it carries: a few KB).
const KEPT_PAYLOADS: usize = 5_000;
/// How many of the newest messages the trace keeps (their entries, not their payloads): what the
/// UI reads must fit in it, so those who read it assert that it does.
pub const TRACE_WINDOW: usize = Trace::DEFAULT_WINDOW;
const _: () = assert!(KEPT_PAYLOADS <= TRACE_WINDOW, "a payload is shown with its entry");

/// The trace's kept entries, oldest first (ids and send times ascending).
pub type Entries = std::collections::VecDeque<TraceEntry>;

/// Booting stops once every node is Ready, or after this much virtual time.
const BOOT_LIMIT_MS: Millis = 60_000;

/// The simulated cluster as the UI holds it: a `World` that only the bridge reaches into.
pub struct Sim {
    world: World,
}

impl Sim {
    /// A fresh kind-like cluster (a control-plane node and three workers), booted until its nodes
    /// are Ready: the learner starts with a working cluster, as after `kind create cluster`.
    pub fn new(seed: u64) -> Self {
        let mut world = World::new(seed);
        world.k.trace.keep_payloads = KEPT_PAYLOADS;
        let mut sim = Sim { world };
        while sim.now() < BOOT_LIMIT_MS {
            let model = model(&sim);
            if !model.nodes.is_empty() && model.nodes.iter().all(|n| n.readiness == Readiness::Ready) {
                break;
            }
            sim.run_for(100);
        }
        sim
    }

    /// A world just created, not booted (tests that watch the boot, or do not need it).
    #[cfg(test)]
    pub fn unbooted(seed: u64) -> Self {
        Sim { world: World::new(seed) }
    }

    /// The world's virtual time.
    pub fn now(&self) -> Millis {
        self.world.now()
    }

    /// The newest messages, in send order (what the diagram and the inspector draw): at most
    /// [`TRACE_WINDOW`], older ones are no longer kept.
    pub fn trace(&self) -> &Entries {
        self.world.k.trace.entries()
    }

    /// The id the next message will get: a command's story starts there (`ui::story`).
    pub fn next_message_id(&self) -> u64 {
        self.world.k.next_id()
    }

    /// Every message sent so far, kept or not: it grows with each message, while the number kept
    /// stops growing once the window is full.
    pub fn messages_sent(&self) -> u64 {
        self.world.k.trace.total_sent()
    }

    /// Every message sent, for tests that compare whole traces: their scenarios must fit in the
    /// window.
    #[cfg(test)]
    pub fn whole_trace(&self) -> Entries {
        assert_eq!(self.messages_sent(), self.trace().len() as u64, "the scenario outgrew the trace's window");
        self.trace().clone()
    }

    /// Keeps only the newest `n` messages (tests that fill the window quickly).
    #[cfg(test)]
    pub fn set_trace_window(&mut self, n: usize) {
        self.world.k.trace.set_window(n);
    }

    /// A message's full content, while the trace still keeps it (the newest messages only).
    pub fn content(&self, id: u64) -> Option<Content> {
        self.world.k.trace.payload(id).map(|p| p.content())
    }

    /// Runs the next event; false when nothing is queued.
    pub fn step(&mut self) -> bool {
        self.world.step()
    }

    /// Runs every event due by `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        self.world.run_until(t);
    }

    /// Runs `ms` of virtual time.
    pub fn run_for(&mut self, ms: Millis) {
        self.world.run_for(ms);
    }

    /// When the world's next event is due, if anything is queued.
    pub fn next_due(&self) -> Option<Millis> {
        self.world.k.next_due()
    }

    /// kube-proxy's rules on `node` as `iptables-save` prints them; None for an unknown node.
    pub fn proxy_rules(&self, node: &str) -> Option<String> {
        self.world.nodes.get(node).map(|n| n.proxy.iptables_save())
    }

    /// The rules a packet matched on the hop message `id` ends (empty for other messages, or one
    /// no longer kept in full).
    pub fn matched_rules(&self, id: u64) -> Vec<String> {
        match self.world.k.trace.payload(id) {
            Some(crate::sim::message::Payload::Packet(p)) => p.rules.clone(),
            _ => Vec::new(),
        }
    }

    /// Whether the process named as the trace names it (`kube-scheduler`, `kubelet/<node>`) runs;
    /// a name that is no cluster process (the learner's `kubectl`) always does.
    pub fn component_running(&self, id: &str) -> bool {
        crate::sim::component::Component::parse(id).is_none_or(|c| self.world.is_running(&c))
    }
}

/// Runs one kubectl command line (in the kubectl module, where it is loaded separately). The
/// browser has no files: only `-f -` reads anything.
pub fn kubectl(sim: &mut Sim, line: &str, stdin: Option<&str>) -> Output {
    kubectl::execute(&mut sim.world, line, stdin)
}

/// `kubectl explain ARGS`: its output, or its error. explain reads only kubectl's schema and
/// documentation: it sends nothing, so the world and its trace are left as they are.
pub fn explain(sim: &mut Sim, args: &str) -> Result<String, String> {
    let out = kubectl::execute(&mut sim.world, &format!("kubectl explain {args}"), None);
    if out.failed { Err(out.stderr) } else { Ok(out.stdout) }
}

/// The rows a `kubectl get -w` stream has received since last asked, as kubectl prints them.
pub fn drain_watch(sim: &mut Sim, watch: &Watching) -> String {
    use crate::sim::apiserver::request::EventType;
    use crate::sim::kubectl::printers::table::TableOptions;
    let now = sim.now();
    let Some(events) = sim.world.kubectl_watch_events.get_mut(&watch.watch_id) else { return String::new() };
    let objects: Vec<serde_json::Value> = events
        .drain(..)
        .filter(|n| n.event != EventType::Bookmark)
        .map(|n| std::sync::Arc::unwrap_or_clone(n.object))
        .collect();
    if objects.is_empty() {
        return String::new();
    }
    let options = TableOptions { now, ..watch.options };
    kubectl::watch_rows(watch.kind, &options, objects)
}

/// How many `kubectl port-forward`s run on the learner's machine.
pub fn forwards(sim: &Sim) -> usize {
    sim.world.workstation.forwards.len()
}

/// What Ctrl+C does to the latest port-forward, as a command of the machine's (logged, so that a
/// replay stops it too): SIGINT to its job.
pub const INTERRUPT_FORWARD: &str = "kill -INT %%";

/// Ends a `get -w` stream (Ctrl+C): the apiserver forgets the watch.
pub fn stop_watch(sim: &mut Sim, watch_id: u64) {
    sim.world.close_kubectl_watch(watch_id);
}

/// Applies one logged action: kubectl commands return their output, faults may be refused.
///
/// The world first finishes every event due at the current instant. Playback steps event by
/// event, so a learner (or a preset) can act between two events of the same millisecond, while a
/// replay runs to the logged instant as a whole before acting: finishing the instant here makes
/// both see the same world, so a reload rebuilds the same trace.
pub fn apply(sim: &mut Sim, op: &Op) -> Result<Option<Output>, String> {
    sim.run_until(sim.now());
    let world = &mut sim.world;
    let fault = match op {
        // The learner's machine runs its own commands (`curl`, `kill`); kubectl runs the rest.
        Op::Kubectl { line, .. } if is_host_command(line) => return Ok(Some(crate::sim::workstation::run(world, line))),
        Op::Kubectl { line, stdin } => return Ok(Some(kubectl::execute(world, line, stdin.as_deref()))),
        Op::Node { name, running } => world.set_node_running(name, *running),
        Op::Component { name, running } => match crate::sim::component::Component::parse(name) {
            Some(c) => world.set_component_running(&c, *running),
            None => return Err(format!("there is no component {name:?}")),
        },
        Op::AddNode { name } => {
            if world.nodes.contains_key(name) {
                return Err(format!("node {name:?} already exists"));
            }
            world.add_node_named(name, false);
            Ok(())
        }
    };
    fault.map(|()| None).map_err(|e| e.to_string())
}

/// Adds a worker named as kind names the next one; returns its name (logged, so that a replay adds
/// the same node).
pub fn add_node(sim: &mut Sim) -> String {
    // As in `apply`: act on a finished instant, as the replay of `Op::AddNode` will.
    sim.run_until(sim.now());
    sim.world.add_node()
}

#[cfg(test)]
mod tests;
