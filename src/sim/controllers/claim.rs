//! `ControllerRefManager`: a controller owns what its controllerRef says, adopts orphans its selector
//! matches, and releases what it owns but no longer matches (`kubectl label pod web-x app-` makes a
//! ReplicaSet let go of the pod and create a replacement).

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::objects;
use crate::sim::api::ResourceType;
use crate::sim::api::selector;
use crate::sim::apiserver::request::PatchType;
use crate::sim::client::Action;
use crate::sim::client::Informers;

/// What `owner` controls after claiming, and the patches that adopt or release children.
#[derive(Debug, Default)]
pub struct Claimed<'a> {
    pub owned: Vec<&'a Value>,
    pub patches: Vec<Action>,
}

/// Claims children of `child_rt` for `owner` (of `owner_rt`) with `sel` (a LabelSelector).
pub fn claim<'a>(
    inf: &'a Informers,
    owner: &'a Value,
    owner_rt: &ResourceType,
    child_rt: &'static ResourceType,
    sel: Option<&Value>,
) -> Claimed<'a> {
    let mut out = Claimed::default();
    let owner_uid = objects::uid(owner);
    for child in inf.controlled_by(child_rt, owner_uid) {
        if selector::selects(sel, child) {
            out.owned.push(child);
        } else if !objects::is_deleting(owner) {
            out.patches.push(release(child, child_rt, owner_uid));
        }
    }
    if objects::is_deleting(owner) {
        return out;
    }
    for orphan in inf.orphans(child_rt, objects::namespace(owner)) {
        if !objects::is_deleting(orphan) && selector::selects(sel, orphan) {
            out.patches.push(adopt(orphan, child_rt, owner, owner_rt));
            out.owned.push(orphan);
        }
    }
    out
}

/// The patch that adds `owner` as controller of `child` (conditional on the child's resourceVersion).
pub fn adopt(child: &Value, child_rt: &'static ResourceType, owner: &Value, owner_rt: &ResourceType) -> Action {
    let mut refs = objects::owner_refs(child).to_vec();
    refs.push(objects::controller_ref_to(owner, owner_rt));
    patch_refs(child, child_rt, refs)
}

/// The patch that removes `owner_uid` from `child`'s ownerReferences.
pub fn release(child: &Value, child_rt: &'static ResourceType, owner_uid: &str) -> Action {
    let refs = objects::owner_refs(child)
        .iter()
        .filter(|r| r.get("uid").and_then(Value::as_str) != Some(owner_uid))
        .cloned()
        .collect();
    patch_refs(child, child_rt, refs)
}

fn patch_refs(child: &Value, child_rt: &'static ResourceType, refs: Vec<Value>) -> Action {
    let mut meta = json!({"ownerReferences": refs, "uid": objects::uid(child)});
    if let Some(rv) = child.at("/metadata/resourceVersion") {
        meta["resourceVersion"] = rv.clone();
    }
    let ns = objects::namespace(child);
    Action::Patch {
        resource: child_rt,
        namespace: (!ns.is_empty()).then(|| ns.to_string()),
        name: objects::name(child).to_string(),
        patch_type: PatchType::Merge,
        patch: json!({"metadata": meta}),
        status: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api;

    fn pod(name: &str, app: &str, owner: Option<&str>) -> Value {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": name, "uid": format!("u-{name}"), "labels": {"app": app}, "resourceVersion": "7"}});
        if let Some(o) = owner {
            p["metadata"]["ownerReferences"] =
                json!([{"uid": o, "controller": true, "kind": "ReplicaSet", "name": "rs"}]);
        }
        p
    }

    #[test]
    fn claims_owned_adopts_matching_orphans_releases_mismatches() {
        let pods = api::resolve("pods").expect("served");
        let rss = api::resolve("replicasets").expect("served");
        let rs = json!({"metadata": {"namespace": "default", "name": "rs", "uid": "rs1"}});
        let mut inf = Informers::default();
        inf.insert(pod("owned", "web", Some("rs1")));
        inf.insert(pod("relabeled", "other", Some("rs1")));
        inf.insert(pod("orphan", "web", None));
        inf.insert(pod("stranger", "db", None));
        let sel = json!({"matchLabels": {"app": "web"}});
        let c = claim(&inf, &rs, rss, pods, Some(&sel));
        let names: Vec<&str> = c.owned.iter().map(|p| objects::name(p)).collect();
        assert_eq!(names, vec!["owned", "orphan"]);
        assert_eq!(c.patches.len(), 2);
        let Action::Patch { name, patch, .. } = &c.patches[0] else { panic!("release is a patch") };
        assert_eq!(name, "relabeled");
        assert_eq!(patch["metadata"]["ownerReferences"], json!([]));
        let Action::Patch { name, patch, .. } = &c.patches[1] else { panic!("adopt is a patch") };
        assert_eq!(name, "orphan");
        assert_eq!(patch["metadata"]["ownerReferences"][0]["uid"], "rs1");
        assert_eq!(patch["metadata"]["resourceVersion"], "7", "adoption is conditional");
    }

    #[test]
    fn a_deleting_owner_adopts_and_releases_nothing() {
        let pods = api::resolve("pods").expect("served");
        let rss = api::resolve("replicasets").expect("served");
        let rs = json!({"metadata": {"namespace": "default", "name": "rs", "uid": "rs1", "deletionTimestamp": "2025-01-01T00:00:00Z"}});
        let mut inf = Informers::default();
        inf.insert(pod("relabeled", "other", Some("rs1")));
        inf.insert(pod("orphan", "web", None));
        let c = claim(&inf, &rs, rss, pods, Some(&json!({"matchLabels": {"app": "web"}})));
        assert!(c.owned.is_empty());
        assert!(c.patches.is_empty());
    }
}
