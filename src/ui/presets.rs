//! Presets: situations to watch (a rolling update, a node failure, an unschedulable pod, a
//! crash-looping container), set up by doing exactly what a learner could do.
//!
//! A preset is a short list of [`Step`]s: kubectl command lines (run through the terminal's path),
//! the diagram's Power off button, and waits. Each step that acts is logged in the session like a
//! learner's action, so a reload, a share link or a replay rebuilds the same cluster. A wait does not
//! use a timer: the cluster plays on at the chosen speed, and the next step runs on the frame where
//! its condition holds (`cluster/preset_run.rs`), logged at that virtual time. A preset still waiting
//! is saved with the session (`session::PresetRun`) and continues after a reload.

pub mod conditions;

use crate::sim::time::Millis;
use crate::ui::bridge::Sim;
use crate::ui::session::{Step, Until};
use conditions::free_name;

/// A wait gives up after this much virtual time (the learner may have deleted what it waits for).
pub const WAIT_LIMIT_MS: Millis = 10 * 60 * 1000;

/// Which situation a preset sets up (its steps are in [`plan`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    RollingUpdate,
    NodeFailure,
    UnschedulablePod,
    CrashLoop,
}

/// One situation the menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub situation: Situation,
    /// The menu item's `data-name` and the name saved with a waiting preset.
    pub name: &'static str,
    pub label: &'static str,
    /// One line under the label: what it does.
    pub hint: &'static str,
    /// Printed in the terminal when it starts: what to watch.
    pub watch: &'static str,
}

/// The menu, in order.
pub const PRESETS: [Preset; 4] = [
    Preset {
        situation: Situation::RollingUpdate,
        name: "rolling-update",
        label: "Rolling update",
        hint: "kubectl set image on a Deployment of 4 pods",
        watch: "Rolling update: a Deployment of 4 nginx:1.26 pods; once it has rolled out, kubectl set image moves it to \
                nginx:1.27. Watch the new ReplicaSet's pods start while the old ReplicaSet's are terminated, one or two at a \
                time (maxSurge and maxUnavailable are 25%), so that at least 3 pods are available throughout.",
    },
    Preset {
        situation: Situation::NodeFailure,
        name: "node-failure",
        label: "Node failure",
        hint: "power off the busiest worker under 6 replicas",
        watch: "Node failure: a Deployment of 6 pods spread over the workers, then the worker running most of them is powered \
                off. After 50 s without a heartbeat the node controller marks it NotReady and taints it unreachable; 300 s later \
                (the pods' toleration) its pods are evicted and replaced on the other workers. A faster speed skips the wait.",
    },
    Preset {
        situation: Situation::UnschedulablePod,
        name: "unschedulable-pod",
        label: "Unschedulable pod",
        hint: "a pod requesting 8 CPUs, on nodes of 4",
        watch: "Unschedulable pod: a pod requests 8 CPUs and no node has more than 4. The kube-scheduler reports \
                FailedScheduling and the pod stays Pending in the Unscheduled strip: click it to see the scheduler's \
                decision table, one row per node.",
    },
    Preset {
        situation: Situation::CrashLoop,
        name: "crash-loop",
        label: "Crash-looping container",
        hint: "a container that exits 1: CrashLoopBackOff",
        watch: "CrashLoopBackOff: a pod whose container runs `exit 1`. The kubelet restarts it after each exit, waiting 10 s, \
                20 s, 40 s and so on (up to 5 minutes) in between: watch RESTARTS grow in kubectl get pods.",
    },
];

/// The preset of that name.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The steps of `preset` for this cluster: object names are picked so as not to collide with what
/// exists (a second run gets `web-rollout-2`), so that a preset always sets up its situation.
pub fn plan(preset: &Preset, world: &Sim) -> Vec<Step> {
    let kubectl = |line: String| Step::Kubectl { line, stdin: None };
    match preset.situation {
        Situation::RollingUpdate => {
            let d = free_name(world, "deployments", "web-rollout");
            vec![
                kubectl(format!("kubectl create deployment {d} --image=nginx:1.26 --replicas=4")),
                Step::Wait { until: Until::RolledOut { deployment: d.clone() } },
                kubectl(format!("kubectl rollout status deployment/{d}")),
                kubectl(format!("kubectl set image deployment/{d} nginx=nginx:1.27")),
            ]
        }
        Situation::NodeFailure => {
            let d = free_name(world, "deployments", "web-spread");
            vec![
                kubectl(format!("kubectl create deployment {d} --image=nginx:1.27 --replicas=6")),
                Step::Wait { until: Until::RolledOut { deployment: d.clone() } },
                kubectl(format!("kubectl get pods -l app={d} -o wide")),
                Step::PowerOffBusiestWorker { app: d },
            ]
        }
        Situation::UnschedulablePod => {
            let p = free_name(world, "pods", "too-big");
            vec![
                Step::Kubectl { line: "kubectl apply -f -".into(), stdin: Some(too_big_pod(&p)) },
                Step::Wait { until: Until::FailedScheduling { pod: p.clone() } },
                kubectl(format!("kubectl get pod {p}")),
                kubectl(format!("kubectl get events --field-selector involvedObject.name={p}")),
            ]
        }
        Situation::CrashLoop => {
            let p = free_name(world, "pods", "crash-loop");
            vec![
                kubectl(format!("kubectl run {p} --image=busybox:1.36 -- sh -c \"exit 1\"")),
                Step::Wait { until: Until::CrashLoopBackOff { pod: p.clone() } },
                kubectl(format!("kubectl get pod {p}")),
            ]
        }
    }
}

/// A pod asking for more CPU than any node has (every simulated node has 4).
fn too_big_pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    \
         resources:\n      requests:\n        cpu: \"8\"   # every node has 4 CPUs\n"
    )
}

#[cfg(test)]
mod tests;
