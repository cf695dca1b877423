//! The page's own state (not the cluster's): what is selected, whether help is open, the theme,
//! whether the editor's panel shows the story of the last command instead, and the lesson panel.

use std::rc::Rc;

use yew::prelude::*;

use crate::lessons::Lesson;

/// What the inspector shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selection {
    #[default]
    None,
    /// A message of the trace, by id.
    Message(u64),
    /// A stored object (pod, node, ...) by its storage key.
    Object(String),
    /// A process, named as the trace names it (`kube-scheduler`, `kubelet/kind-worker`).
    Component(String),
}

/// The colour theme; `System` follows `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    /// The value of `<html data-theme>` (none for System) and of the saved preference.
    pub fn attr(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    pub fn from_attr(s: &str) -> Theme {
        match s {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The theme the toggle switches to, given whether the system prefers dark.
    pub fn toggled(self, system_dark: bool) -> Theme {
        let dark_now = match self {
            Theme::System => system_dark,
            Theme::Light => false,
            Theme::Dark => true,
        };
        if dark_now { Theme::Light } else { Theme::Dark }
    }
}

/// What the lesson panel shows. The lesson being done and its progress belong to the cluster (the
/// reducer checks its steps); this is the panel's side of opening one.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum LessonPane {
    /// No panel.
    #[default]
    Closed,
    /// `lessons/<id>.md` is being fetched.
    Loading(String),
    /// The lesson cannot be opened: no such lesson, a file that does not parse, no network.
    Failed { id: String, message: String },
    /// Fetched, not started: starting it replaces the learner's cluster, which they declined.
    Offered(Rc<Lesson>),
    /// Started: the cluster has it.
    Open,
}

/// The page's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UiState {
    pub selection: Selection,
    pub help_open: bool,
    pub theme: Theme,
    /// The editor's panel shows the story of the last command (its tab) instead of the editor.
    pub story_open: bool,
    /// The story tab tells the story of the action that sent this message (a lesson step's "What
    /// happened"), instead of the last action's, until the tabs are switched.
    pub story_at: Option<u64>,
    pub lesson: LessonPane,
    /// `#lesson=<id>&embed`: only the lesson, the terminal and the diagram (for an iframe).
    pub embed: bool,
}

/// What can change it.
pub enum UiAction {
    Select(Selection),
    SetHelp(bool),
    SetTheme(Theme),
    /// Shows the story of the last action (true) or the editor in their shared panel.
    ShowStory(bool),
    /// Opens the story tab on the story holding this message, the message selected (its hop).
    ShowHop(u64),
    SetLesson(LessonPane),
}

impl Reducible for UiState {
    type Action = UiAction;

    fn reduce(self: Rc<Self>, action: UiAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            UiAction::Select(s) => next.selection = s,
            UiAction::SetHelp(open) => next.help_open = open,
            UiAction::SetTheme(t) => next.theme = t,
            UiAction::ShowStory(open) => (next.story_open, next.story_at) = (open, None),
            UiAction::ShowHop(id) => {
                (next.story_open, next.story_at, next.selection) = (true, Some(id), Selection::Message(id));
            }
            UiAction::SetLesson(pane) => next.lesson = pane,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_toggle_flips_what_is_shown() {
        let cases = [
            (Theme::System, false, Theme::Dark),
            (Theme::System, true, Theme::Light),
            (Theme::Light, true, Theme::Dark),
            (Theme::Dark, false, Theme::Light),
        ];
        for (from, system_dark, want) in cases {
            assert_eq!(from.toggled(system_dark), want, "{from:?} with system dark={system_dark}");
        }
        for t in [Theme::Light, Theme::Dark] {
            assert_eq!(Theme::from_attr(t.attr().expect("explicit themes have an attribute")), t);
        }
        assert_eq!(Theme::from_attr("purple"), Theme::System);
    }

    #[test]
    fn reducer_applies_actions() {
        let s = Rc::new(UiState::default());
        let s = s.reduce(UiAction::Select(Selection::Message(4)));
        let s = s.reduce(UiAction::SetHelp(true));
        assert_eq!(s.selection, Selection::Message(4));
        assert!(s.help_open);
        assert!(!s.clone().reduce(UiAction::SetHelp(false)).help_open);
        assert!(s.clone().reduce(UiAction::ShowStory(true)).story_open);
        let hop = s.reduce(UiAction::ShowHop(812));
        assert_eq!((hop.story_open, hop.story_at, &hop.selection), (true, Some(812), &Selection::Message(812)));
        let back = hop.reduce(UiAction::ShowStory(true));
        assert_eq!((back.story_open, back.story_at), (true, None), "the tab goes back to the last action's story");
    }
}
