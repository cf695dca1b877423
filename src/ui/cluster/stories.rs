//! Where each of the learner's actions begins its story: the id the world's next message got when
//! the action ran, and a title, so that the story panel (`ui::story`) can tell what it set off.
//!
//! The list belongs to the present's history. A view of the past replays the same actions on the
//! same seed, so its messages get the same ids, and it shows the story of the last action it has
//! replayed (`op < replayed`); a new history started in the past drops the stories it discarded.

use std::rc::Rc;

use super::{Cluster, Origin};
use crate::ui::session::Op;

/// The start of one action's story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryStart {
    /// `Kernel::next_id` just before the action: its messages are this one and later.
    pub start: u64,
    /// What the learner did, as the panel heads it: the command line, `Apply`, a fault, a preset.
    pub title: String,
    /// The position in the session's log of the action (of a preset's first step).
    pub op: usize,
    /// Whether kubectl sent it: a fault or a new node sends nothing of its own (the components
    /// notice it on their own timers), so its story stays empty, and the panel says why.
    pub by_kubectl: bool,
}

impl Cluster {
    /// The story on screen: the last action's, or in a view of the past the last one replayed there.
    pub fn story(&self) -> Option<&StoryStart> {
        let replayed = match self.viewing_past() {
            true => self.session.ops.len() - self.later_actions(),
            false => usize::MAX,
        };
        self.stories.iter().rev().find(|s| s.op < replayed)
    }

    /// The story of the action that sent message `id` (the last one begun at or before it), as
    /// far as the screen has replayed; none if it came before every action.
    pub fn story_holding(&self, id: u64) -> Option<&StoryStart> {
        let last = self.story()?;
        self.stories.iter().rev().skip_while(|s| s != &last).find(|s| s.start <= id)
    }

    /// Records that the action logged at `op` began at message id `start`.
    pub(super) fn begin_story(&mut self, start: u64, title: String, op: usize, by_kubectl: bool) {
        Rc::make_mut(&mut self.stories).push(StoryStart { start, title, op, by_kubectl });
    }

    /// Forgets the stories of the actions from log position `op` on (a new history discards them).
    pub(super) fn drop_stories_from(&mut self, op: usize) {
        if self.stories.iter().any(|s| s.op >= op) {
            Rc::make_mut(&mut self.stories).retain(|s| s.op < op);
        }
    }
}

/// How the story panel heads the story of `op`.
pub(super) fn title(op: &Op, origin: Origin) -> String {
    match (op, origin) {
        (Op::Kubectl { .. }, Origin::Editor) => "Apply (the editor's manifest)".to_string(),
        (Op::Kubectl { line, .. }, _) => line.clone(),
        (Op::Node { name, running }, _) => format!("power {} node {name}", if *running { "on" } else { "off" }),
        (Op::Component { name, running }, _) => format!("{} {name}", if *running { "start" } else { "stop" }),
        (Op::AddNode { name }, _) => format!("add node {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::bridge::Story;
    use crate::ui::clock::Speed;
    use crate::ui::cluster::ClusterAction;
    use yew::Reducible;

    fn run(c: Rc<Cluster>, line: &str) -> Rc<Cluster> {
        c.reduce(ClusterAction::Run { line: line.into(), stdin: None, origin: Origin::Terminal })
    }

    /// Plays at max speed for `ms` of virtual time, then pauses.
    fn play_for(mut c: Rc<Cluster>, ms: f64) -> Rc<Cluster> {
        let until = c.display + ms;
        c = c.reduce(ClusterAction::SetSpeed(Speed::Max)).reduce(ClusterAction::SetPlaying(true));
        while c.display < until {
            c = c.reduce(ClusterAction::Tick { real_ms: 33.0 });
        }
        c.reduce(ClusterAction::SetPlaying(false))
    }

    /// The story on screen as the panel reads it: (start, message ids, lines).
    fn told(c: &Cluster) -> Option<(u64, Vec<u64>, String)> {
        let start = c.story()?.start;
        let mut s = Story::new(start);
        c.with_world(|w| s.extend(w.trace()));
        let ids = s.hops().iter().map(|h| h.id).collect();
        Some((start, ids, s.hops().iter().map(|h| format!("{}\n", h.line)).collect()))
    }

    #[test]
    fn each_action_begins_a_story_and_the_past_shows_the_one_it_replayed() {
        let c = Rc::new(Cluster::new(1));
        assert_eq!(c.story(), None, "no command yet");
        let c = play_for(run(c, "kubectl create deployment web --image=nginx"), 20_000.0);
        assert_eq!(c.story().map(|s| s.title.as_str()), Some("kubectl create deployment web --image=nginx"));
        let (first, ids, text) = told(&c).expect("a story");
        assert!(ids.len() >= 15 && text.contains("kube-scheduler chose"), "{text}");

        let c = c.reduce(ClusterAction::Fault(Op::Component { name: "kube-scheduler".into(), running: false }));
        let s = c.story().expect("a fault begins a story");
        assert_eq!((s.title.as_str(), s.by_kubectl, s.op), ("stop kube-scheduler", false, 1));
        let c = play_for(c, 2_000.0);
        assert_eq!(told(&c).map(|t| t.1.len()), Some(0), "a fault sends nothing of its own");

        // The past, rebuilt on the same seed, gives the command's messages the same ids.
        let at = c.session.ops[1].at as f64;
        let past = c.clone().reduce(ClusterAction::Seek(at - 1.0));
        assert!(past.viewing_past());
        let (start, past_ids, _) = told(&past).expect("the past shows the create's story");
        assert_eq!(start, first);
        assert!(!past_ids.is_empty() && ids.starts_with(&past_ids), "{past_ids:?} vs {ids:?}");

        // A new history from there forgets the fault's story, and begins its own.
        let branched = run(past, "kubectl create configmap c --from-literal=a=b");
        assert_eq!(branched.stories.len(), 2);
        assert_eq!(
            branched.story().map(|s| (s.title.as_str(), s.op)),
            Some(("kubectl create configmap c --from-literal=a=b", 1))
        );

        // A message of the create is held by its story, though a later action's is the last.
        assert_eq!(branched.story_holding(first + 3).map(|s| s.start), Some(first));
        assert_eq!(branched.story_holding(first.saturating_sub(1)).map(|s| s.start), None);

        // A reload's replay finds the same starts.
        let replayed = Rc::new(Cluster::replay((*branched.session).clone(), None, 0));
        assert_eq!(replayed.stories, branched.stories);
    }

    #[test]
    fn a_presets_steps_continue_its_story() {
        let c = Rc::new(Cluster::new(1)).reduce(ClusterAction::StartPreset("rolling-update".into()));
        let c = play_for(c, 5_000.0);
        assert!(!c.session.ops.is_empty(), "the preset ran its first steps");
        assert_eq!(c.stories.len(), 1, "its steps began no story of their own");
        assert_eq!(c.story().map(|s| (s.title.as_str(), s.op)), Some(("Rolling update (preset)", 0)));
        let (_, ids, _) = told(&c).expect("a story");
        assert!(!ids.is_empty(), "the preset's commands sent messages");
    }

    #[test]
    fn titles_say_what_the_learner_did() {
        let kubectl = Op::Kubectl { line: "kubectl get pods".into(), stdin: None };
        let apply = Op::Kubectl { line: "kubectl apply -f -".into(), stdin: Some("kind: Pod".into()) };
        let cases = [
            (kubectl, Origin::Terminal, "kubectl get pods"),
            (apply, Origin::Editor, "Apply (the editor's manifest)"),
            (Op::Node { name: "w2".into(), running: false }, Origin::Terminal, "power off node w2"),
            (Op::Component { name: "kube-scheduler".into(), running: true }, Origin::Terminal, "start kube-scheduler"),
            (Op::AddNode { name: "w4".into() }, Origin::Terminal, "add node w4"),
        ];
        for (op, origin, want) in cases {
            assert_eq!(title(&op, origin), want, "{op:?}");
        }
    }
}
