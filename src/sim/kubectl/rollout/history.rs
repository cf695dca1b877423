//! `kubectl rollout history` and `kubectl rollout undo` (`polymorphichelpers/history.go`,
//! `rollback.go`): a Deployment's revisions are its ReplicaSets' `deployment.kubernetes.io/revision`
//! annotations; a StatefulSet's or DaemonSet's are its ControllerRevisions. Undo copies the chosen
//! revision's pod template back into the workload, and the controller rolls out again.

use crate::sim::api::pointer::Pointer;
use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::super::args::{FlagKind, flag};
use super::super::common::{self, list, namespace, object_ref};
use super::super::printers::tabwriter::TabWriter;
use super::super::printers::{DescribeContext, describe};
use super::super::target::{controlled_by, uid};
use super::super::{Ctx, Output};
use super::{objects, parse};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, Verb};

const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const HASH_LABEL: &str = "pod-template-hash";
/// Annotations `rollout undo` keeps from the Deployment instead of copying them from the ReplicaSet.
const ANNOTATIONS_TO_SKIP: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

fn rt(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("apps resources are always served")
}

/// One revision: its number, pod template, change cause, and the object it came from.
#[derive(Debug, Clone)]
struct Revision {
    template: Value,
    change_cause: Option<String>,
}

/// The revisions of a workload, by number (a later duplicate wins, as in kubectl's map).
fn revisions(cx: &mut Ctx, ns: &str, obj: &Value) -> Result<BTreeMap<i64, Revision>, String> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    let owner = uid(obj).to_string();
    let name = common::name_of(obj).to_string();
    let mut out = BTreeMap::new();
    let ann = |o: &Value, k: &str| {
        o.at("/metadata/annotations").and_then(|a| a.get(k)).and_then(Value::as_str).map(str::to_string)
    };
    match kind {
        "Deployment" => {
            let rss = list(cx, rt("replicasets"), Some(ns), None, None)
                .map_err(|e| format!("error: failed to retrieve replica sets from deployment {name}: {}", e.message))?;
            for rs in rss.iter().filter(|rs| controlled_by(rs, &owner)) {
                let Some(n) = ann(rs, "deployment.kubernetes.io/revision").and_then(|r| r.parse::<i64>().ok()) else {
                    continue;
                };
                out.insert(
                    n,
                    Revision {
                        template: rs.at("/spec/template").cloned().unwrap_or(json!({})),
                        change_cause: ann(rs, CHANGE_CAUSE),
                    },
                );
            }
        }
        "DaemonSet" | "StatefulSet" => {
            let crs = list(cx, rt("controllerrevisions"), Some(ns), None, None).map_err(|e| e.to_string())?;
            for cr in crs.iter().filter(|cr| controlled_by(cr, &owner)) {
                let n = cr.get("revision").and_then(Value::as_i64).unwrap_or(0);
                out.insert(
                    n,
                    Revision {
                        template: cr.at("/data/spec/template").cloned().unwrap_or(json!({})),
                        change_cause: ann(cr, CHANGE_CAUSE),
                    },
                );
            }
        }
        other => return Err(format!("error: no history viewer has been implemented for {:?}", group_kind(other))),
    }
    Ok(out)
}

fn group_kind(kind: &str) -> String {
    match kind {
        "ReplicaSet" => "ReplicaSet.apps".into(),
        "Job" | "CronJob" => format!("{kind}.batch"),
        _ => kind.into(),
    }
}

/// `DescribePodTemplate`, taken from the ReplicaSet describer's `Pod Template:` section.
fn print_template(template: &Value, now: u64) -> String {
    let rs = json!({"kind": "ReplicaSet", "metadata": {"name": "x"}, "spec": {"template": template}});
    let ctx = DescribeContext { now, hide_events: true, ..DescribeContext::default() };
    let text = describe("ReplicaSet", &rs, &[], &ctx);
    let mut lines = text.lines().skip_while(|l| !l.starts_with("Pod Template:"));
    let mut out = String::new();
    if let Some(first) = lines.next() {
        out.push_str(first);
        out.push('\n');
    }
    for l in lines.take_while(|l| l.starts_with(' ') || l.is_empty()) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

pub fn history(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = parse(
        words,
        "history",
        &[flag("revision", None, FlagKind::Int), flag("selector", Some('l'), FlagKind::Value)],
    )?;
    let want = p.int("revision").unwrap_or(0);
    if want < 0 {
        return Err(format!("error: revision must be a positive integer: {want}"));
    }
    let ns = namespace(&p);
    for (rt, obj) in objects(cx, &p, out)? {
        let name = common::name_of(&obj).to_string();
        let revs = revisions(cx, &ns, &obj)?;
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
        let info = if revs.is_empty() {
            "No rollout history found.".to_string()
        } else if want > 0 {
            let r = revs.get(&want).ok_or("error: unable to find the specified revision")?;
            print_template(&r.template, cx.world.now())
        } else {
            let mut w = TabWriter::for_describe();
            w.write(if kind == "StatefulSet" { "REVISION\n" } else { "REVISION\tCHANGE-CAUSE\n" });
            for (n, r) in &revs {
                if kind == "StatefulSet" {
                    w.write(&format!("{n}\n"));
                } else {
                    w.write(&format!("{n}\t{}\n", r.change_cause.as_deref().unwrap_or("<none>")));
                }
            }
            w.finish()
        };
        // The name printer's "operation" is `<with revision #N>\n<history>`, hence the odd layout.
        let with = if want > 0 { format!("with revision #{want}") } else { String::new() };
        out.stdout.push_str(&format!("{} {with}\n{info}\n", object_ref(rt, &name)));
    }
    Ok(())
}

/// `equalIgnoreHash`: pod templates equal apart from the `pod-template-hash` label.
fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(HASH_LABEL);
    }
    t
}

/// The revision `undo` goes back to: `--to-revision`, or the one before the latest.
fn pick(revs: &BTreeMap<i64, Revision>, to: i64, kind: &str, name: &str) -> Result<(i64, Revision), String> {
    if to > 0 {
        return revs
            .get(&to)
            .map(|r| (to, r.clone()))
            .ok_or_else(|| format!("error: unable to find specified revision {to} in history"));
    }
    let mut newest_first = revs.iter().rev();
    newest_first.next();
    match newest_first.next() {
        Some((n, r)) => Ok((*n, r.clone())),
        None if kind == "Deployment" => Err(format!("error: no rollout history found for deployment {name:?}")),
        None => Err("error: no last revision to roll back to".into()),
    }
}

pub fn undo(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = parse(
        words,
        "undo",
        &[
            flag("to-revision", None, FlagKind::Int),
            flag("selector", Some('l'), FlagKind::Value),
            flag("dry-run", None, FlagKind::Value),
        ],
    )?;
    let to = p.int("to-revision").unwrap_or(0);
    if to < 0 {
        return Err(format!("error: unable to find specified revision {to} in history"));
    }
    let ns = namespace(&p);
    let dry_run = p.get("dry-run").is_some_and(|d| d != "none");
    for (rt, obj) in objects(cx, &p, out)? {
        let name = common::name_of(&obj).to_string();
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
        if !matches!(kind.as_str(), "Deployment" | "DaemonSet" | "StatefulSet") {
            return Err(format!("error: no rollbacker has been implemented for {:?}", group_kind(&kind)));
        }
        let revs = revisions(cx, &ns, &obj)?;
        let (n, rev) = pick(&revs, to, &kind, &name)?;
        if dry_run {
            out.stdout.push_str(&format!(
                "{} will roll back to {}\n",
                object_ref(rt, &name),
                print_template(&rev.template, cx.world.now())
            ));
            continue;
        }
        if obj.at("/spec/paused").and_then(Value::as_bool) == Some(true) {
            return Err(format!(
                "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/{name}' and try again"
            ));
        }
        let current = obj.at("/spec/template").cloned().unwrap_or(json!({}));
        if without_hash(&rev.template) == without_hash(&current) {
            out.out(format!(
                "{} skipped rollback (current template already matches revision {n})",
                object_ref(rt, &name)
            ));
            continue;
        }
        let mut updated = obj.clone();
        updated["spec"]["template"] =
            if kind == "Deployment" { without_hash(&rev.template) } else { rev.template.clone() };
        if kind == "Deployment" {
            updated["metadata"]["annotations"] =
                Value::Object(rollback_annotations(&obj, &revision_rs_annotations(cx, &ns, &obj, n)));
        }
        let req = ApiRequest::new(0, Verb::Update, rt).in_namespace(Some(&ns)).named(&name).with_body(updated);
        match cx.world.call(req) {
            Ok(_) => out.out(format!("{} rolled back", object_ref(rt, &name))),
            Err(e) => out.err(format!("error: failed restoring revision {n}: {}", e.message)),
        }
    }
    Ok(())
}

/// The annotations of the Deployment's ReplicaSet with revision `n`.
fn revision_rs_annotations(cx: &mut Ctx, ns: &str, d: &Value, n: i64) -> Map<String, Value> {
    let owner = uid(d).to_string();
    let rss = list(cx, rt("replicasets"), Some(ns), None, None).unwrap_or_default();
    rss.iter()
        .filter(|rs| controlled_by(rs, &owner))
        .find(|rs| {
            rs.at("/metadata/annotations/deployment.kubernetes.io~1revision").and_then(Value::as_str)
                == Some(n.to_string().as_str())
        })
        .and_then(|rs| rs.at("/metadata/annotations")?.as_object().cloned())
        .unwrap_or_default()
}

/// The Deployment's annotations after a rollback: the skipped keys from the Deployment, the rest
/// from the ReplicaSet (so a recorded change cause comes back with its template).
fn rollback_annotations(d: &Value, rs_annotations: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(current) = d.at("/metadata/annotations").and_then(Value::as_object) {
        for k in ANNOTATIONS_TO_SKIP {
            if let Some(v) = current.get(*k) {
                out.insert((*k).to_string(), v.clone());
            }
        }
    }
    for (k, v) in rs_annotations {
        if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revs(ns: &[i64]) -> BTreeMap<i64, Revision> {
        ns.iter()
            .map(|n| {
                (
                    *n,
                    Revision {
                        template: json!({"spec": {"containers": [{"name": "c", "image": format!("img:{n}")}]}}),
                        change_cause: None,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn undo_picks_the_previous_or_the_asked_revision() {
        assert_eq!(pick(&revs(&[1, 2, 3]), 0, "Deployment", "web").map(|r| r.0), Ok(2));
        assert_eq!(pick(&revs(&[1, 2, 3]), 1, "Deployment", "web").map(|r| r.0), Ok(1));
        assert_eq!(
            pick(&revs(&[1, 2]), 7, "Deployment", "web").map(|r| r.0),
            Err("error: unable to find specified revision 7 in history".into())
        );
        assert_eq!(
            pick(&revs(&[1]), 0, "Deployment", "web").map(|r| r.0),
            Err("error: no rollout history found for deployment \"web\"".into())
        );
        assert_eq!(
            pick(&revs(&[1]), 0, "StatefulSet", "db").map(|r| r.0),
            Err("error: no last revision to roll back to".into())
        );
    }

    #[test]
    fn hash_label_is_ignored_when_comparing_templates() {
        let a = json!({"metadata": {"labels": {"app": "web", HASH_LABEL: "abc"}}, "spec": {}});
        let b = json!({"metadata": {"labels": {"app": "web"}}, "spec": {}});
        assert_eq!(without_hash(&a), without_hash(&b));
        assert_ne!(without_hash(&a), without_hash(&json!({"metadata": {"labels": {"app": "db"}}, "spec": {}})));
    }

    #[test]
    fn rollback_keeps_revision_annotations_and_copies_the_rest() {
        let d = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "3", "team": "a"}}});
        let rs: Map<String, Value> =
            serde_json::from_value(json!({"deployment.kubernetes.io/revision": "1", CHANGE_CAUSE: "first"}))
                .expect("a map");
        let got = rollback_annotations(&d, &rs);
        assert_eq!(Value::Object(got), json!({"deployment.kubernetes.io/revision": "3", CHANGE_CAUSE: "first"}));
    }

    #[test]
    fn template_section_of_the_describer() {
        let t = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}});
        let text = print_template(&t, 0);
        assert!(text.starts_with("Pod Template:\n  Labels:"), "{text}");
        assert!(text.contains("nginx:1.27"), "{text}");
        assert!(!text.contains("Events:"), "{text}");
    }
}
