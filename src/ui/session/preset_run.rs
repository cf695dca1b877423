//! A preset under way, as the session saves it: the steps it has left, and when its wait gives up.
//! The presets themselves (what each one does, and its conditions) are `ui::presets`.

use crate::sim::time::Millis;

/// One step of a preset. Saved with the session as `{"do": "kubectl", ...}` (session/json.rs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A command line, run as if typed in the terminal (a manifest is piped to `apply -f -`).
    Kubectl { line: String, stdin: Option<String> },
    /// The Power off button of the worker running the most pods labelled `app=<app>`: which worker
    /// that is depends on the scheduler, so it is chosen when the step runs (and logged by name).
    PowerOffBusiestWorker { app: String },
    /// Lets the cluster play until the condition holds.
    Wait { until: Until },
}

/// What a wait waits for, read from the kube-apiserver's objects as a client would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Until {
    /// `kubectl rollout status` would say "successfully rolled out".
    RolledOut { deployment: String },
    /// The kube-scheduler has recorded a FailedScheduling event for the pod.
    FailedScheduling { pod: String },
    /// A container of the pod is waiting in CrashLoopBackOff.
    CrashLoopBackOff { pod: String },
}

impl Until {
    /// What is awaited, for the terminal: "deployment "web" to roll out".
    pub fn describe(&self) -> String {
        match self {
            Until::RolledOut { deployment } => format!("deployment {deployment:?} to roll out"),
            Until::FailedScheduling { pod } => format!("the kube-scheduler to give up on pod {pod:?}"),
            Until::CrashLoopBackOff { pod } => format!("pod {pod:?} to reach CrashLoopBackOff"),
        }
    }
}

/// A preset under way, saved with the session so that a reload or a share link continues it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetRun {
    pub preset: String,
    /// The steps not yet done, the current one first.
    pub steps: Vec<Step>,
    /// When the current wait gives up (virtual time); set when the wait begins.
    pub deadline: Option<Millis>,
}
