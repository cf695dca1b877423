//! Probe workers: startup, liveness and readiness probes on their schedule (`initialDelaySeconds`,
//! `periodSeconds`, thresholds), and what their results make the kubelet do.
//!
//! A probe whose answer cannot change (a healthy nginx) is not run again until something changes:
//! the behaviour tells when its answer could next differ, and the worker sleeps until the first
//! period tick after that. Results, events and kills are the same as probing every period.

use super::podspec::{ContainerSpec, Probe};
use super::worker::{CState, KillReason, ProbeState};
use crate::sim::node::behaviour::Launch;
use crate::sim::node::behaviour::probe::{self as answer};
use crate::sim::time::Millis;

/// Index of the startup probe in `CState::probes`.
pub const STARTUP: usize = 0;
/// Index of the liveness probe in `CState::probes`.
pub const LIVENESS: usize = 1;
/// Index of the readiness probe in `CState::probes`.
pub const READINESS: usize = 2;

const NAMES: [&str; 3] = ["Startup", "Liveness", "Readiness"];

/// What a round of probing asks of the kubelet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A Warning `Unhealthy` event: `Liveness probe failed: ...`.
    Unhealthy(String),
    /// Kill the container (then restart it if the policy allows).
    Kill(KillReason, String),
}

fn spec_probe(spec: &ContainerSpec, kind: usize) -> Option<&Probe> {
    match kind {
        STARTUP => spec.startup.as_deref(),
        LIVENESS => spec.liveness.as_deref(),
        _ => spec.readiness.as_deref(),
    }
}

/// The first probe of a container: after `initialDelaySeconds`, and never in the very second the
/// container starts (the probe worker's ticker fires after the container is seen running).
fn first_probe(p: &Probe, started_at: Millis) -> Millis {
    started_at + p.initial_delay.max(1000)
}

/// The first tick of a probe's schedule at or after `at`.
fn tick_at_or_after(p: &Probe, started_at: Millis, at: Millis) -> Millis {
    let first = first_probe(p, started_at);
    if at <= first {
        return first;
    }
    first + (at - first).div_ceil(p.period) * p.period
}

/// Resets probe workers for a container that just started at `started_at`.
pub fn on_start(c: &mut CState, spec: &ContainerSpec, started_at: Millis) {
    c.probes = [ProbeState::default(); 3];
    c.started = spec.startup.is_none();
    let kinds: &[usize] = if c.started { &[LIVENESS, READINESS] } else { &[STARTUP] };
    for &kind in kinds {
        if let Some(p) = spec_probe(spec, kind) {
            c.probes[kind].next_at = Some(first_probe(p, started_at));
        }
    }
    c.ready = c.started && spec.readiness.is_none();
}

/// Clears probe workers of a container that stopped.
pub fn on_stop(c: &mut CState) {
    c.probes = [ProbeState::default(); 3];
    c.ready = false;
    c.started = false;
}

/// Probes that settled sleep until their answer can change; when something outside the container
/// changes it (a process on the host network stopped, `kubectl exec` wrote a file), the sleeping
/// ones are due at their next tick.
/// Returns when the container's next probe is due.
pub fn rearm(c: &mut CState, spec: &ContainerSpec, started_at: Millis, now: Millis) -> Option<Millis> {
    let kinds: &[usize] = if c.started { &[LIVENESS, READINESS] } else { &[STARTUP] };
    for &kind in kinds {
        if let Some(p) = spec_probe(spec, kind)
            && c.probes[kind].next_at.is_none()
        {
            c.probes[kind].next_at = Some(tick_at_or_after(p, started_at, now + 1));
        }
    }
    next_due(c)
}

/// When the container's next probe is due.
pub fn next_due(c: &CState) -> Option<Millis> {
    c.probes.iter().filter_map(|p| p.next_at).min()
}

/// Runs the probes due at `now` for a running container that started at `started_at`.
pub fn run_due(
    c: &mut CState,
    spec: &ContainerSpec,
    launch: &Launch<'_>,
    pod_ip: &str,
    started_at: Millis,
    now: Millis,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(behaviour) = c.behaviour.clone() else { return effects };
    for kind in [STARTUP, LIVENESS, READINESS] {
        let Some(p) = spec_probe(spec, kind) else { continue };
        if c.probes[kind].next_at.is_none_or(|t| t > now) {
            continue;
        }
        let elapsed = now.saturating_sub(started_at);
        let outcome = answer::run(&behaviour, launch, &p.handler, pod_ip, elapsed, now);
        let st = &mut c.probes[kind];
        if outcome.success {
            st.successes += 1;
            st.failures = 0;
        } else {
            st.failures += 1;
            st.successes = 0;
            effects.push(Effect::Unhealthy(format!("{} probe failed: {}", NAMES[kind], outcome.message)));
        }
        let threshold = if outcome.success { p.success_threshold } else { p.failure_threshold };
        let settled = if outcome.success { st.successes >= threshold } else { st.failures >= threshold };
        if settled {
            st.result = Some(outcome.success);
        }
        // Sleep until the answer can change once it has settled; otherwise keep counting.
        st.next_at = if settled {
            answer::next_change(&behaviour, &p.handler, elapsed)
                .map(|t| tick_at_or_after(p, started_at, started_at + t))
        } else {
            Some(now + p.period)
        };
        match (kind, st.result) {
            (STARTUP, Some(true)) => {
                st.next_at = None;
                c.started = true;
                for other in [LIVENESS, READINESS] {
                    if let Some(q) = spec_probe(spec, other) {
                        c.probes[other].next_at = Some(tick_at_or_after(q, started_at, now));
                    }
                }
                c.ready = spec.readiness.is_none();
            }
            (STARTUP, Some(false)) => {
                effects.push(Effect::Kill(
                    KillReason::Startup,
                    format!("Container {} failed startup probe, will be restarted", spec.name),
                ));
                return effects;
            }
            (LIVENESS, Some(false)) => {
                effects.push(Effect::Kill(
                    KillReason::Liveness,
                    format!("Container {} failed liveness probe, will be restarted", spec.name),
                ));
                return effects;
            }
            (READINESS, Some(r)) => c.ready = r,
            _ => {}
        }
    }
    effects
}

/// How long the container's process has been running, for logs and exec.
pub fn elapsed(started_at: Millis, now: Millis) -> Millis {
    now.saturating_sub(started_at)
}

#[cfg(test)]
mod tests {
    use super::super::podspec;
    use super::*;
    use crate::sim::node::behaviour::Behaviour;
    use serde_json::json;

    fn setup(container: serde_json::Value) -> (ContainerSpec, CState) {
        let spec = podspec::parse(&json!({"metadata": {"name": "p"}, "spec": {"containers": [container]}}))
            .containers
            .remove(0);
        let mut c = CState::new("ContainerCreating");
        let env: Vec<(String, String)> = spec
            .env
            .iter()
            .filter_map(
                |(k, v)| if let podspec::EnvValue::Literal(v) = v { Some((k.clone(), v.clone())) } else { None },
            )
            .collect();
        c.behaviour = Some(Behaviour::of(&Launch {
            image: &spec.image,
            command: &spec.command,
            args: &spec.args,
            env: &env,
            hostname: "p",
            ..Launch::default()
        }));
        on_start(&mut c, &spec, 0);
        (spec, c)
    }

    fn run(spec: &ContainerSpec, c: &mut CState, now: Millis) -> Vec<Effect> {
        let (cmd, args) = (spec.command.clone(), spec.args.clone());
        let launch = Launch { image: &spec.image, command: &cmd, args: &args, hostname: "p", ..Launch::default() };
        run_due(c, spec, &launch, "10.244.1.2", 0, now)
    }

    #[test]
    fn the_docs_exec_liveness_example() {
        // touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600 -- probed every 5 s after 5 s.
        let (spec, mut c) = setup(json!({"name": "liveness", "image": "registry.k8s.io/busybox",
            "args": ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"],
            "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5, "periodSeconds": 5}}));
        assert_eq!(next_due(&c), Some(5000));
        assert!(run(&spec, &mut c, 5000).is_empty());
        assert_eq!(next_due(&c), Some(30_000), "healthy until the file goes away: no probes in between");
        let first = run(&spec, &mut c, 30_000);
        assert_eq!(
            first,
            vec![Effect::Unhealthy(
                "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory".into()
            )]
        );
        assert_eq!(next_due(&c), Some(35_000));
        assert_eq!(run(&spec, &mut c, 35_000).len(), 1);
        let third = run(&spec, &mut c, 40_000);
        assert_eq!(
            third.last(),
            Some(&Effect::Kill(
                KillReason::Liveness,
                "Container liveness failed liveness probe, will be restarted".into()
            ))
        );
    }

    #[test]
    fn readiness_flips_ready() {
        let (spec, mut c) = setup(
            json!({"name": "web", "image": "nginx", "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 2}}),
        );
        assert!(!c.ready);
        assert!(run(&spec, &mut c, 1000).is_empty());
        assert!(c.ready);
        assert_eq!(next_due(&c), None, "nothing can change for nginx");
    }

    #[test]
    fn readiness_failures_settle_and_stop() {
        let (spec, mut c) = setup(
            json!({"name": "web", "image": "nginx", "readinessProbe": {"httpGet": {"path": "/healthz", "port": 80}}}),
        );
        for t in [1000, 11_000, 21_000] {
            assert_eq!(
                run(&spec, &mut c, t),
                vec![Effect::Unhealthy("Readiness probe failed: HTTP probe failed with statuscode: 404".into())]
            );
        }
        assert!(!c.ready);
        assert_eq!(next_due(&c), None);
    }

    #[test]
    fn startup_gates_liveness() {
        let (spec, mut c) =
            setup(json!({"name": "db", "image": "mysql", "env": [{"name": "MYSQL_ROOT_PASSWORD", "value": "x"}],
            "startupProbe": {"tcpSocket": {"port": 3306}, "periodSeconds": 5, "failureThreshold": 10},
            "livenessProbe": {"tcpSocket": {"port": 3306}}}));
        assert!(!c.started);
        assert_eq!(next_due(&c), Some(1000));
        let e = run(&spec, &mut c, 1000);
        assert_eq!(e.len(), 1, "MySQL is not listening yet");
        assert_eq!(c.probes[LIVENESS].next_at, None, "liveness waits for startup");
        let _ = run(&spec, &mut c, 6000);
        let _ = run(&spec, &mut c, 11_000);
        assert!(run(&spec, &mut c, 16_000).is_empty(), "MySQL is ready at 15 s");
        assert!(c.started && c.ready);
        assert_eq!(c.probes[LIVENESS].next_at, Some(21_000));
    }

    #[test]
    fn schedule_ticks() {
        let p = Probe {
            handler: answer::Handler::Tcp { port: 1 },
            initial_delay: 5000,
            period: 10_000,
            success_threshold: 1,
            failure_threshold: 3,
            grace_seconds: None,
        };
        assert_eq!(tick_at_or_after(&p, 0, 0), 5000);
        let quick = Probe { initial_delay: 0, ..p.clone() };
        assert_eq!(tick_at_or_after(&quick, 0, 0), 1000);
        assert_eq!(tick_at_or_after(&p, 0, 5001), 15_000);
        assert_eq!(tick_at_or_after(&p, 0, 25_000), 25_000);
        assert_eq!(elapsed(5, 3), 0);
    }
}
