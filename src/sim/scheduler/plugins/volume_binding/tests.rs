//! VolumeBinding's PreFilter and Filter verdicts, as tables (upstream `volume_binding_test.go`).

use serde_json::{Value, json};

use super::binder::{BIND_CONFLICT, NODE_CONFLICT, PV_NOT_EXIST, Plan};
use super::*;
use crate::sim::scheduler::framework::Code;
use crate::sim::scheduler::testing::{node_info, pod};

fn claim(name: &str, volume: &str, class: &str, deleting: bool) -> Value {
    let mut c = json!({"metadata": {"namespace": "default", "name": name, "uid": format!("uid-{name}")},
        "spec": {"volumeName": volume, "storageClassName": class, "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}}});
    if !volume.is_empty() {
        c["metadata"]["annotations"] = json!({"pv.kubernetes.io/bind-completed": "yes"});
    }
    if deleting {
        c["metadata"]["deletionTimestamp"] = json!("2025-01-01T00:00:00Z");
    }
    c
}

/// A volume on `node` (by hostname affinity), free unless `claim` names its claim.
fn volume(name: &str, class: &str, size: &str, node: &str, claim: Option<&str>) -> Value {
    let mut v = json!({"metadata": {"name": name}, "spec": {"capacity": {"storage": size}, "storageClassName": class,
        "accessModes": ["ReadWriteOnce"], "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}},
        "status": {"phase": "Available"}});
    if let Some(c) = claim {
        v["spec"]["claimRef"] = json!({"namespace": "default", "name": c, "uid": format!("uid-{c}")});
        v["status"]["phase"] = json!("Bound");
    }
    v
}

fn class(name: &str, provisioner: &str) -> Value {
    json!({"metadata": {"name": name}, "provisioner": provisioner, "volumeBindingMode": "WaitForFirstConsumer"})
}

fn cluster() -> Cluster {
    let mut c = Cluster::default();
    let v = c.volumes_mut();
    v.set_class(&class("standard", "rancher.io/local-path"), false);
    v.set_class(&class("local", "kubernetes.io/no-provisioner"), false);
    v.set_class(&json!({"metadata": {"name": "manual"}, "provisioner": "x"}), false);
    for c in [
        claim("bound", "pv1", "manual", false),
        claim("waiting", "", "fast", false),
        claim("late", "", "standard", false),
        claim("going", "pv2", "manual", true),
        claim("on-w1", "pv-w1", "local", false),
        claim("lost-volume", "gone", "manual", false),
        claim("local-late", "", "local", false),
        claim("local-late2", "", "local", false),
    ] {
        v.set_claim(&c);
    }
    let mut half = claim("half", "pv1", "manual", false);
    half["metadata"]["annotations"] = json!({});
    v.set_claim(&half);
    v.set_volume(&volume("pv1", "manual", "1Gi", "w1", Some("bound")), false);
    v.set_volume(&volume("pv-w1", "local", "1Gi", "w1", Some("on-w1")), false);
    v.set_volume(&volume("free-w2", "local", "5Gi", "w2", None), false);
    v.set_volume(&volume("small-w2", "local", "1Gi", "w2", None), false);
    c
}

fn uses(claims: &[&str]) -> PodInfo {
    let vols: Vec<_> = claims.iter().map(|c| json!({"name": c, "persistentVolumeClaim": {"claimName": c}})).collect();
    pod("p", "", "", json!({"volumes": vols}))
}

fn node(name: &str) -> NodeInfo {
    node_info(name, "4", "8Gi", json!({"metadata": {"labels": {"kubernetes.io/hostname": name}}}))
}

#[test]
fn pre_filter_table() {
    let cluster = cluster();
    let cases: [(&[&str], Option<&str>); 7] = [
        (&[], None),
        (&["bound"], None),
        (&["late"], None),
        (&["bound", "waiting"], Some(UNBOUND_IMMEDIATE)),
        (&["half"], Some(UNBOUND_IMMEDIATE)),
        (&["missing"], Some("persistentvolumeclaim \"missing\" not found")),
        (&["going"], Some("persistentvolumeclaim \"going\" is being deleted")),
    ];
    for (claims, want) in cases {
        let got = VolumeBinding::default().pre_filter(&uses(claims), &cluster);
        match want {
            None => assert!(got.is_ok(), "{claims:?}"),
            Some(msg) => {
                let s = got.expect_err("rejected");
                assert_eq!((s.code, s.message()), (Code::UnschedulableAndUnresolvable, msg.to_string()), "{claims:?}");
            }
        }
    }
    let eph = pod("web-0", "", "", json!({"volumes": [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {}}}]}));
    assert_eq!(eph.claims, ["web-0-scratch"]);
}

/// Each row: the pod's claims, the node, and the reasons Filter gives (none: the node passes).
#[test]
fn filter_reasons_table() {
    let cluster = cluster();
    let cases: [(&[&str], &str, &[&str]); 9] = [
        (&["bound"], "w1", &[]),
        (&["on-w1"], "w1", &[]),
        (&["on-w1"], "w2", &[NODE_CONFLICT]),
        (&["lost-volume"], "w1", &[PV_NOT_EXIST]),
        (&["late"], "w1", &[]),
        (&["local-late"], "w2", &[]),
        (&["local-late"], "w1", &[BIND_CONFLICT]),
        (&["on-w1", "local-late"], "w3", &[NODE_CONFLICT, BIND_CONFLICT]),
        (&["local-late", "local-late2"], "w2", &[]),
    ];
    for (claims, n, want) in cases {
        let mut vb = VolumeBinding::default();
        assert!(vb.pre_filter(&uses(claims), &cluster).is_ok(), "{claims:?}");
        let s = vb.filter(&uses(claims), &node(n));
        let got: Vec<String> = s.reasons.iter().map(|r| r.to_string()).collect();
        assert_eq!(got, *want, "{claims:?} on {n}");
        if !want.is_empty() {
            assert_eq!(s.code, Code::UnschedulableAndUnresolvable);
        }
    }
}

#[test]
fn the_plan_binds_the_smallest_free_volume_and_provisions_the_rest() {
    let cluster = cluster();
    let claims = binder::PodClaims::gather(&uses(&["local-late", "late"]), cluster.volumes());
    let plan = claims.find("w2", &node("w2").node.labels).expect("fits w2");
    let want =
        Plan { static_bindings: vec![("local-late".into(), "small-w2".into())], provisions: vec!["late".into()] };
    assert_eq!(plan, want);
}

#[test]
fn a_selected_node_narrows_the_search() {
    let mut cluster = cluster();
    let mut c = claim("late", "", "standard", false);
    c["metadata"]["annotations"] = json!({"volume.kubernetes.io/selected-node": "w2"});
    cluster.volumes_mut().set_claim(&c);
    let mut vb = VolumeBinding::default();
    let nodes = vb.pre_filter(&uses(&["late"]), &cluster).expect("passes");
    assert_eq!(nodes, Some(["w2".to_string()].into()));
    assert!(!vb.filter(&uses(&["late"]), &node("w1")).is_success());
}

/// Upstream's PreScore returns Skip without a scorer, and the scorer exists only with the alpha
/// StorageCapacityScoring gate: with or without claims, static bindings or provisioning, it skips.
#[test]
fn pre_score_skips_while_capacity_scoring_is_off() {
    let cluster = cluster();
    let nodes = [node("w1"), node("w2")];
    let feasible: Vec<&NodeInfo> = nodes.iter().collect();
    for claims in [&[][..], &["bound"], &["local-late", "late"]] {
        let mut vb = VolumeBinding::default();
        assert!(vb.pre_filter(&uses(claims), &cluster).is_ok(), "{claims:?}");
        assert!(!vb.pre_score(&uses(claims), &cluster, &feasible), "{claims:?}");
    }
}
