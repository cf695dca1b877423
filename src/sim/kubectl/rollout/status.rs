//! `kubectl rollout status`: watches one workload and prints the status viewer's line each time it
//! changes (`polymorphichelpers/rollout_status.go`), until the rollout is done, fails, or
//! `--timeout` passes. The wait runs the cluster's virtual time forward, as real kubectl's watch
//! waits in wall time.
//!
//! The object is read (GET), then watched through an informer on its name (`until::until_with_sync`:
//! a LIST and a WATCH by `metadata.name`), and every ADDED or MODIFIED event prints a line, so the
//! same line can repeat, as with kubectl 1.33.
//!
//! Simplified: without `--timeout` real kubectl waits forever; here the wait ends after
//! [`MAX_WAIT_MS`] of virtual time with a note.

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::super::args::{FlagKind, flag};
use super::super::common::namespace;
use super::super::until::{Ended, Verdict, until_with_sync};
use super::super::{Ctx, Output};
use super::{objects, parse};
use crate::sim::apiserver::request::EventType;
use crate::sim::time::{Millis, parse_duration};

/// How long `rollout status` without `--timeout` waits before the sandbox stops it (virtual time).
pub const MAX_WAIT_MS: Millis = 15 * 60 * 1000;

fn i64_at(obj: &Value, ptr: &str) -> i64 {
    obj.at(ptr).and_then(Value::as_i64).unwrap_or(0)
}

fn name(obj: &Value) -> &str {
    obj.at("/metadata/name").and_then(Value::as_str).unwrap_or_default()
}

/// `deploymentutil.Revision` of an object: its `deployment.kubernetes.io/revision` annotation.
fn revision(obj: &Value) -> i64 {
    obj.at("/metadata/annotations/deployment.kubernetes.io~1revision")
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// The status viewer: the line to print, whether the rollout is done, or the error that ends the watch.
pub fn status_of(obj: &Value, want_revision: i64) -> Result<(String, bool), String> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    let n = name(obj);
    let generation = i64_at(obj, "/metadata/generation");
    let observed = i64_at(obj, "/status/observedGeneration");
    match kind {
        "Deployment" => {
            if want_revision > 0 && revision(obj) != want_revision {
                return Err(format!(
                    "desired revision ({want_revision}) is different from the running revision ({})",
                    revision(obj)
                ));
            }
            if generation > observed {
                return Ok(("Waiting for deployment spec update to be observed...".into(), false));
            }
            let progressing = obj
                .at("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|cs| cs.iter().find(|c| c.get("type").and_then(Value::as_str) == Some("Progressing")));
            if progressing.and_then(|c| c.get("reason")).and_then(Value::as_str) == Some("ProgressDeadlineExceeded") {
                return Err(format!("deployment {n:?} exceeded its progress deadline"));
            }
            let spec = obj.at("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            let (updated, replicas, available) = (
                i64_at(obj, "/status/updatedReplicas"),
                i64_at(obj, "/status/replicas"),
                i64_at(obj, "/status/availableReplicas"),
            );
            Ok(if updated < spec {
                (
                    format!(
                        "Waiting for deployment {n:?} rollout to finish: {updated} out of {spec} new replicas have been updated..."
                    ),
                    false,
                )
            } else if replicas > updated {
                (
                    format!(
                        "Waiting for deployment {n:?} rollout to finish: {} old replicas are pending termination...",
                        replicas - updated
                    ),
                    false,
                )
            } else if available < updated {
                (
                    format!(
                        "Waiting for deployment {n:?} rollout to finish: {available} of {updated} updated replicas are available..."
                    ),
                    false,
                )
            } else {
                (format!("deployment {n:?} successfully rolled out"), true)
            })
        }
        "DaemonSet" => {
            if obj.at("/spec/updateStrategy/type").and_then(Value::as_str).unwrap_or("RollingUpdate") != "RollingUpdate"
            {
                return Err("rollout status is only available for RollingUpdate strategy type".into());
            }
            if generation > observed {
                return Ok(("Waiting for daemon set spec update to be observed...".into(), false));
            }
            let (updated, desired, available) = (
                i64_at(obj, "/status/updatedNumberScheduled"),
                i64_at(obj, "/status/desiredNumberScheduled"),
                i64_at(obj, "/status/numberAvailable"),
            );
            Ok(if updated < desired {
                (
                    format!(
                        "Waiting for daemon set {n:?} rollout to finish: {updated} out of {desired} new pods have been updated..."
                    ),
                    false,
                )
            } else if available < desired {
                (
                    format!(
                        "Waiting for daemon set {n:?} rollout to finish: {available} of {desired} updated pods are available..."
                    ),
                    false,
                )
            } else {
                (format!("daemon set {n:?} successfully rolled out"), true)
            })
        }
        "StatefulSet" => statefulset_status(obj, generation, observed),
        other => Err(format!("no status viewer has been implemented for {}", group_kind(other))),
    }
}

fn statefulset_status(obj: &Value, generation: i64, observed: i64) -> Result<(String, bool), String> {
    if obj.at("/spec/updateStrategy/type").and_then(Value::as_str).unwrap_or("RollingUpdate") != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    if observed == 0 || generation > observed {
        return Ok(("Waiting for statefulset spec update to be observed...".into(), false));
    }
    let spec = obj.at("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let ready = i64_at(obj, "/status/readyReplicas");
    if ready < spec {
        return Ok((format!("Waiting for {} pods to be ready...", spec - ready), false));
    }
    let updated = i64_at(obj, "/status/updatedReplicas");
    // The API defaults `rollingUpdate.partition` to 0, so this is the usual path for a StatefulSet.
    if obj.at("/spec/updateStrategy/rollingUpdate").is_some_and(Value::is_object) {
        let partition = obj.at("/spec/updateStrategy/rollingUpdate/partition").and_then(Value::as_i64);
        if let Some(partition) = partition.filter(|p| updated < spec - p) {
            return Ok((
                format!(
                    "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                    spec - partition
                ),
                false,
            ));
        }
        return Ok((format!("partitioned roll out complete: {updated} new pods have been updated..."), true));
    }
    let rev = |p: &str| obj.at(p).and_then(Value::as_str).unwrap_or_default().to_string();
    let (update, current) = (rev("/status/updateRevision"), rev("/status/currentRevision"));
    if update != current {
        return Ok((
            format!("waiting for statefulset rolling update to complete {updated} pods at revision {update}..."),
            false,
        ));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {current}...",
            i64_at(obj, "/status/currentReplicas")
        ),
        true,
    ))
}

/// `schema.GroupKind.String()` for the kinds kubectl may be asked about.
fn group_kind(kind: &str) -> String {
    match kind {
        "ReplicaSet" | "ControllerRevision" => format!("{kind}.apps"),
        "Job" | "CronJob" => format!("{kind}.batch"),
        _ => kind.to_string(),
    }
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let specs = [
        flag("watch", Some('w'), FlagKind::Bool),
        flag("revision", None, FlagKind::Int),
        flag("timeout", None, FlagKind::Value),
        flag("selector", Some('l'), FlagKind::Value),
    ];
    let p = parse(words, "status", &specs)?;
    let want_revision = p.int("revision").unwrap_or(0);
    if want_revision < 0 {
        return Err(format!("error: revision must be a positive integer: {want_revision}"));
    }
    let timeout = match p.get("timeout") {
        None => None,
        Some(t) => Some(parse_duration(t).ok_or_else(|| {
            format!("error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"")
        })?)
        .filter(|t| *t > 0),
    };
    let watch = p.get("watch").is_none_or(|w| w != "false");
    let found = objects(cx, &p, out)?;
    if out.failed {
        return Ok(());
    }
    let [(rt, obj)] = found.as_slice() else {
        return Err(format!(
            "error: rollout status is only supported on individual resources and resource collections - {} resources were found",
            found.len()
        ));
    };
    let ns = namespace(&p);
    let name = name(obj).to_string();
    let deadline = cx.world.now() + timeout.unwrap_or(MAX_WAIT_MS);
    let missing = crate::sim::apiserver::status::Status::not_found(rt, &name).to_string();
    let exists = |exists: bool| if exists { Verdict::Wait } else { Verdict::Fail(missing.clone()) };
    // Every ADDED or MODIFIED event prints the status viewer's line, as kubectl's watch handler does.
    let each = |e: EventType, obj: &Value| match e {
        EventType::Deleted => Verdict::Fail("error: object has been deleted".into()),
        EventType::Bookmark => Verdict::Wait,
        _ => match status_of(obj, want_revision) {
            Err(e) => Verdict::Fail(format!("error: {e}")),
            Ok((line, done)) => {
                out.out(&line);
                if done || !watch { Verdict::Done } else { Verdict::Wait }
            }
        },
    };
    match until_with_sync(cx, rt, &ns, &name, deadline, exists, each).map_err(|e| e.to_string())? {
        Ended::Done => Ok(()),
        Ended::Failed(e) => Err(e),
        Ended::TimedOut if timeout.is_none() => {
            out.err("(the sandbox stopped waiting after 15m of virtual time; real kubectl would keep watching until Ctrl+C)");
            Ok(())
        }
        Ended::TimedOut => Err("error: timed out waiting for the condition".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy(spec: i64, status: Value) -> Value {
        json!({"kind": "Deployment", "metadata": {"name": "web", "generation": 2, "annotations": {"deployment.kubernetes.io/revision": "2"}},
               "spec": {"replicas": spec}, "status": status})
    }

    #[test]
    fn deployment_lines_in_kubectl_words() {
        let cases = [
            (json!({"observedGeneration": 1}), "Waiting for deployment spec update to be observed...", false),
            (
                json!({"observedGeneration": 2, "updatedReplicas": 1, "replicas": 3}),
                "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...",
                false,
            ),
            (
                json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 4}),
                "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...",
                false,
            ),
            (
                json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3, "availableReplicas": 1}),
                "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available...",
                false,
            ),
            (
                json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3, "availableReplicas": 3}),
                "deployment \"web\" successfully rolled out",
                true,
            ),
        ];
        for (status, line, done) in cases {
            assert_eq!(status_of(&deploy(3, status), 0), Ok((line.to_string(), done)));
        }
    }

    #[test]
    fn deployment_errors() {
        let timed_out = deploy(
            3,
            json!({"observedGeneration": 2, "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}),
        );
        assert_eq!(status_of(&timed_out, 0), Err("deployment \"web\" exceeded its progress deadline".into()));
        assert_eq!(
            status_of(&deploy(1, json!({})), 3),
            Err("desired revision (3) is different from the running revision (2)".into())
        );
        assert_eq!(status_of(&json!({"kind": "Pod"}), 0), Err("no status viewer has been implemented for Pod".into()));
        assert_eq!(
            status_of(&json!({"kind": "ReplicaSet"}), 0),
            Err("no status viewer has been implemented for ReplicaSet.apps".into())
        );
    }

    #[test]
    fn daemonset_and_statefulset_lines() {
        let ds = json!({"kind": "DaemonSet", "metadata": {"name": "agent", "generation": 1},
                        "status": {"observedGeneration": 1, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 2}});
        assert_eq!(
            status_of(&ds, 0),
            Ok((
                "Waiting for daemon set \"agent\" rollout to finish: 2 of 3 updated pods are available...".into(),
                false
            ))
        );
        let ondelete = json!({"kind": "DaemonSet", "spec": {"updateStrategy": {"type": "OnDelete"}}});
        assert!(status_of(&ondelete, 0).is_err());
        let sts = json!({"kind": "StatefulSet", "metadata": {"name": "db", "generation": 1}, "spec": {"replicas": 3},
                         "status": {"observedGeneration": 1, "readyReplicas": 1}});
        assert_eq!(status_of(&sts, 0), Ok(("Waiting for 2 pods to be ready...".into(), false)));
        let done = json!({"kind": "StatefulSet", "metadata": {"name": "db", "generation": 1}, "spec": {"replicas": 1},
                          "status": {"observedGeneration": 1, "readyReplicas": 1, "currentReplicas": 1, "updateRevision": "db-1", "currentRevision": "db-1"}});
        assert_eq!(
            status_of(&done, 0),
            Ok(("statefulset rolling update complete 1 pods at revision db-1...".into(), true))
        );
        let mut defaulted = done.clone();
        defaulted["spec"]["updateStrategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}});
        defaulted["status"]["updatedReplicas"] = json!(1);
        assert_eq!(
            status_of(&defaulted, 0),
            Ok(("partitioned roll out complete: 1 new pods have been updated...".into(), true))
        );
        defaulted["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = json!(0);
        defaulted["status"]["updatedReplicas"] = json!(0);
        assert_eq!(
            status_of(&defaulted, 0),
            Ok(("Waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated...".into(), false))
        );
    }
}
