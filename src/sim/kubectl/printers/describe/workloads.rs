//! Describers for Deployment, ReplicaSet, ReplicationController and Job.

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::super::fields::{
    arr_at, at, format_label_selector, format_labels, i64_at, int_or_string, label_selector_string, opt_bool, opt_i64,
    opt_str, str_at, string_map,
};
use super::containers::describe_pod_template;
use super::writer::{PrefixWriter, rfc1123z};
use super::{DescribeContext, controller_of, creation_timestamp, events, labels_and_annotations, name_namespace};
use crate::sim::kubectl::printers::age;

/// `LabelSelectorAsSelector(...).String()`; an absent selector selects nothing and prints empty.
fn selector_text(obj: &Value) -> String {
    match at(obj, &["spec", "selector"]).filter(|s| s.is_object()) {
        Some(sel) => label_selector_string(sel).unwrap_or_default(),
        None => String::new(),
    }
}

/// `Type  Status  Reason` condition table of Deployments and ReplicaSets.
fn conditions(w: &mut PrefixWriter, obj: &Value) {
    let list = arr_at(obj, &["status", "conditions"]);
    if list.is_empty() {
        return;
    }
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(1, "----\t------\t------\n");
    for c in list {
        w.write(1, &format!("{} \t{}\t{}\n", str_at(c, &["type"]), str_at(c, &["status"]), str_at(c, &["reason"])));
    }
}

/// Whether `owned` names `owner` as its controller (by UID when both have one, else by name).
fn controlled_by(owned: &Value, owner: &Value, kind: &str) -> bool {
    let uid = str_at(owner, &["metadata", "uid"]);
    arr_at(owned, &["metadata", "ownerReferences"]).iter().any(|r| {
        at(r, &["controller"]).and_then(Value::as_bool) == Some(true)
            && if !uid.is_empty() && !str_at(r, &["uid"]).is_empty() {
                str_at(r, &["uid"]) == uid
            } else {
                str_at(r, &["kind"]) == kind && str_at(r, &["name"]) == str_at(owner, &["metadata", "name"])
            }
    })
}

/// A pod template without its `pod-template-hash` label, for `EqualIgnoreHash`.
fn without_hash(template: Option<&Value>) -> Value {
    let mut t = template.cloned().unwrap_or(Value::Null);
    if let Some(labels) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove("pod-template-hash");
    }
    t
}

/// Describes a Deployment; `ctx.replica_sets` are the ReplicaSets it may own.
pub fn describe_deployment(w: &mut PrefixWriter, d: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, d);
    creation_timestamp(w, d);
    labels_and_annotations(w, d);
    w.write(0, &format!("Selector:\t{}\n", selector_text(d)));
    w.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            i64_at(d, &["spec", "replicas"]),
            i64_at(d, &["status", "updatedReplicas"]),
            i64_at(d, &["status", "replicas"]),
            i64_at(d, &["status", "availableReplicas"]),
            i64_at(d, &["status", "unavailableReplicas"])
        ),
    );
    w.write(0, &format!("StrategyType:\t{}\n", str_at(d, &["spec", "strategy", "type"])));
    w.write(0, &format!("MinReadySeconds:\t{}\n", i64_at(d, &["spec", "minReadySeconds"])));
    if let Some(ru) = at(d, &["spec", "strategy", "rollingUpdate"]).filter(|r| r.is_object()) {
        w.write(
            0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                int_or_string(ru.get("maxUnavailable")),
                int_or_string(ru.get("maxSurge"))
            ),
        );
    }
    describe_pod_template(w, at(d, &["spec", "template"]));
    conditions(w, d);
    let mut owned: Vec<&Value> = ctx.replica_sets.iter().filter(|rs| controlled_by(rs, d, "Deployment")).collect();
    owned.stable_sort_by(|a, b| {
        let key = |rs: &Value| {
            (
                opt_str(rs, &["metadata", "creationTimestamp"]).unwrap_or("").to_string(),
                str_at(rs, &["metadata", "name"]).to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
    let template = without_hash(at(d, &["spec", "template"]));
    let new_idx = owned.iter().position(|rs| without_hash(at(rs, &["spec", "template"])) == template);
    if !owned.is_empty() {
        let fmt = |list: Vec<&Value>| {
            let items: Vec<String> = list
                .iter()
                .map(|rs| {
                    format!(
                        "{} ({}/{} replicas created)",
                        str_at(rs, &["metadata", "name"]),
                        i64_at(rs, &["status", "replicas"]),
                        i64_at(rs, &["spec", "replicas"])
                    )
                })
                .collect();
            if items.is_empty() { "<none>".to_string() } else { items.join(", ") }
        };
        let old: Vec<&Value> =
            owned.iter().enumerate().filter(|(i, _)| Some(*i) != new_idx).map(|(_, rs)| *rs).collect();
        let new: Vec<&Value> = new_idx.map(|i| vec![owned[i]]).unwrap_or_default();
        w.write(0, &format!("OldReplicaSets:\t{}\n", fmt(old)));
        w.write(0, &format!("NewReplicaSet:\t{}\n", fmt(new)));
    }
    events::describe_events(w, evs, ctx);
}

/// Describes a ReplicaSet; `ctx.pods` are the pods its selector matches.
pub fn describe_replica_set(w: &mut PrefixWriter, rs: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, rs);
    w.write(0, &format!("Selector:\t{}\n", format_label_selector(at(rs, &["spec", "selector"]))));
    labels_and_annotations(w, rs);
    if let Some(c) = controller_of(rs) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    replicas_and_pods(w, rs, "ReplicaSet", ctx);
    describe_pod_template(w, at(rs, &["spec", "template"]));
    conditions(w, rs);
    events::describe_events(w, evs, ctx);
}

/// `Replicas:` and `Pods Status:` of a ReplicaSet or ReplicationController (`getPodStatusForController`
/// counts the pods it controls among those its selector lists).
fn replicas_and_pods(w: &mut PrefixWriter, rs: &Value, kind: &str, ctx: &DescribeContext) {
    w.write(
        0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            i64_at(rs, &["status", "replicas"]),
            i64_at(rs, &["spec", "replicas"])
        ),
    );
    let mut counts = [0; 4];
    for pod in ctx.pods.iter().filter(|p| controlled_by(p, rs, kind)) {
        match str_at(pod, &["status", "phase"]) {
            "Running" => counts[0] += 1,
            "Pending" => counts[1] += 1,
            "Succeeded" => counts[2] += 1,
            "Failed" => counts[3] += 1,
            _ => {}
        }
    }
    w.write(0, "Pods Status:\t");
    w.write(
        0,
        &format!("{} Running / {} Waiting / {} Succeeded / {} Failed\n", counts[0], counts[1], counts[2], counts[3]),
    );
}

/// `describeReplicationController`: the ReplicaSet layout, with the plain map selector and no
/// `Controlled By` line.
pub fn describe_replication_controller(w: &mut PrefixWriter, rc: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, rc);
    w.write(0, &format!("Selector:\t{}\n", format_labels(&string_map(rc, &["spec", "selector"]))));
    labels_and_annotations(w, rc);
    replicas_and_pods(w, rc, "ReplicationController", ctx);
    describe_pod_template(w, at(rc, &["spec", "template"]));
    conditions(w, rc);
    events::describe_events(w, evs, ctx);
}

/// Describes a Job.
pub fn describe_job(w: &mut PrefixWriter, job: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, job);
    w.write(0, &format!("Selector:\t{}\n", selector_text(job)));
    labels_and_annotations(w, job);
    if let Some(c) = controller_of(job) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(p) = opt_i64(job, &["spec", "parallelism"]) {
        w.write(0, &format!("Parallelism:\t{p}\n"));
    }
    match opt_i64(job, &["spec", "completions"]) {
        Some(c) => w.write(0, &format!("Completions:\t{c}\n")),
        None => w.write(0, "Completions:\t<unset>\n"),
    }
    let mode = opt_str(job, &["spec", "completionMode"]);
    if let Some(m) = mode {
        w.write(0, &format!("Completion Mode:\t{m}\n"));
    }
    if let Some(s) = opt_bool(job, &["spec", "suspend"]) {
        w.write(0, &format!("Suspend:\t{s}\n"));
    }
    if let Some(b) = opt_i64(job, &["spec", "backoffLimit"]) {
        w.write(0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(t) = opt_i64(job, &["spec", "ttlSecondsAfterFinished"]) {
        w.write(0, &format!("TTL Seconds After Finished:\t{t}\n"));
    }
    let start = opt_str(job, &["status", "startTime"]);
    let done = opt_str(job, &["status", "completionTime"]);
    if let Some(s) = start {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(Some(s))));
    }
    if let Some(c) = done {
        w.write(0, &format!("Completed At:\t{}\n", rfc1123z(Some(c))));
    }
    if let Some(d) = age::between(start, done) {
        w.write(0, &format!("Duration:\t{d}\n"));
    }
    if let Some(a) = opt_i64(job, &["spec", "activeDeadlineSeconds"]) {
        w.write(0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    let (active, succeeded, failed) =
        (i64_at(job, &["status", "active"]), i64_at(job, &["status", "succeeded"]), i64_at(job, &["status", "failed"]));
    match opt_i64(job, &["status", "ready"]) {
        None => w.write(0, &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n")),
        Some(r) => w.write(
            0,
            &format!("Pods Statuses:\t{active} Active ({r} Ready) / {succeeded} Succeeded / {failed} Failed\n"),
        ),
    }
    if mode == Some("Indexed") {
        w.write(0, &format!("Completed Indexes:\t{}\n", cap_indexes(str_at(job, &["status", "completedIndexes"]), 50)));
    }
    describe_pod_template(w, at(job, &["spec", "template"]));
    events::describe_events(w, evs, ctx);
}

/// `capIndexesListOrNone`: cut a long index list after the first comma past `limit`.
fn cap_indexes(indexes: &str, limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".into();
    }
    match indexes.bytes().enumerate().skip(limit).find(|&(_, b)| b == b',') {
        Some((i, _)) => format!("{}...", &indexes[..=i]),
        None => indexes.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn caps_long_index_lists() {
        assert_eq!(cap_indexes("", 50), "<none>");
        assert_eq!(cap_indexes("1,2,3", 50), "1,2,3");
        assert_eq!(cap_indexes("0-10,12,14,16", 5), "0-10,12,...");
    }

    #[test]
    fn empty_objects_describe_without_panicking() {
        let ctx = DescribeContext::default();
        for f in [describe_deployment, describe_replica_set, describe_job] {
            let mut w = PrefixWriter::new();
            f(&mut w, &json!({}), None, &ctx);
            assert!(w.finish().starts_with("Name:"));
        }
    }
}
