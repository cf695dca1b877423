use super::*;
use crate::sim::api::pointer::Pointer;
use crate::sim::store::KeyValue;
use serde_json::json;

fn cache_with(quotas: &[Value]) -> WatchCache {
    let rt = api::resolve("resourcequotas").expect("served");
    let kvs: Vec<KeyValue> = quotas
        .iter()
        .enumerate()
        .map(|(i, q)| KeyValue {
            key: api::storage_key(rt, Some("ns"), str_at(q, &["metadata", "name"]).unwrap_or("")).as_str().into(),
            value: serde_json::to_vec(q).expect("json").into(),
            create_revision: 10 + i as i64,
            mod_revision: 10 + i as i64,
            version: 1,
            lease: None,
        })
        .collect();
    let mut cache = WatchCache::default();
    cache.refill(&kvs, 20);
    cache
}

fn quota(name: &str, spec: Value, hard: Value, used: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name, "namespace": "ns"},
        "spec": spec, "status": {"hard": hard, "used": used}})
}

fn pod(class: Option<&str>, resources: Value) -> Value {
    let mut p = json!({"metadata": {"name": "p", "namespace": "ns"},
        "spec": {"containers": [{"name": "web", "image": "nginx", "resources": resources}]}, "status": {"phase": "Pending"}});
    if let Some(c) = class {
        p["spec"]["priorityClassName"] = json!(c);
    }
    p
}

fn pods() -> &'static ResourceType {
    api::resolve("pods").expect("served")
}

fn admit_pod(cache: &WatchCache, p: &Value) -> Result<Vec<QuotaCharge>, String> {
    admit(p, pods(), "p", "ns", cache, 0).map_err(|s| s.message)
}

/// `CheckRequest`: the charge is status.used + the request, compared on the quota's revision.
#[test]
fn a_create_charges_the_quotas_that_select_it() {
    let cache =
        cache_with(&[quota("pods-2", json!({"hard": {"pods": "2"}}), json!({"pods": "2"}), json!({"pods": "1"}))]);
    let charges = admit_pod(&cache, &pod(None, json!({}))).expect("one pod fits");
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].revision, 10);
    assert_eq!(charges[0].quota["status"]["used"], json!({"pods": "2"}));
    assert!(charges[0].quota.at("/metadata/resourceVersion").is_none());
}

#[test]
fn a_create_over_the_limit_is_refused_in_upstreams_words() {
    let cache =
        cache_with(&[quota("pods-2", json!({"hard": {"pods": "2"}}), json!({"pods": "2"}), json!({"pods": "2"}))]);
    assert_eq!(
        admit_pod(&cache, &pod(None, json!({}))),
        Err("pods \"p\" is forbidden: exceeded quota: pods-2, requested: pods=1, used: pods=2, limited: pods=2".into())
    );
}

/// A quota scoped to class `high` neither constrains nor counts pods of other classes.
#[test]
fn a_scoped_quota_leaves_other_pods_alone() {
    let hard = json!({"pods": "10", "cpu": "1", "memory": "1Gi"});
    let spec = json!({"hard": hard, "scopeSelector": {"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}});
    let cache = cache_with(&[quota("pods-high", spec, hard.clone(), json!({"pods": "0", "cpu": "0", "memory": "0"}))]);
    assert_eq!(admit_pod(&cache, &pod(None, json!({}))), Ok(Vec::new()));
    assert_eq!(admit_pod(&cache, &pod(Some("low"), json!({}))), Ok(Vec::new()));
    assert_eq!(
        admit_pod(&cache, &pod(Some("high"), json!({}))),
        Err("pods \"p\" is forbidden: failed quota: pods-high: must specify cpu for: web; memory for: web".into())
    );
    let charges =
        admit_pod(&cache, &pod(Some("high"), json!({"requests": {"cpu": "500m", "memory": "200Mi"}}))).expect("fits");
    assert_eq!(charges[0].quota["status"]["used"], json!({"pods": "1", "cpu": "500m", "memory": "200Mi"}));
}

#[test]
fn a_quota_the_controller_has_not_counted_yet() {
    let fresh = json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "ns"},
        "spec": {"hard": {"pods": "2"}}});
    let cache = cache_with(&[fresh]);
    assert_eq!(
        admit_pod(&cache, &pod(None, json!({}))),
        Ok(Vec::new()),
        "no status.hard: the quota matches nothing yet"
    );
    let cache = cache_with(&[quota("q", json!({"hard": {"pods": "2"}}), json!({"pods": "2"}), json!({}))]);
    assert_eq!(
        admit_pod(&cache, &pod(None, json!({}))),
        Err("pods \"p\" is forbidden: status unknown for quota: q, resources: pods".into())
    );
}

#[test]
fn object_counts_charge_other_kinds() {
    let cache = cache_with(&[quota(
        "objects",
        json!({"hard": {"services": "1", "count/configmaps": "5"}}),
        json!({"services": "1", "count/configmaps": "5"}),
        json!({"services": "1", "count/configmaps": "0"}),
    )]);
    let svc = api::resolve("services").expect("served");
    let err = admit(&json!({"spec": {"type": "ClusterIP"}}), svc, "s", "ns", &cache, 0).map_err(|s| s.message);
    assert_eq!(
        err,
        Err("services \"s\" is forbidden: exceeded quota: objects, requested: services=1, used: services=1, limited: services=1".into())
    );
    let cm = api::resolve("configmaps").expect("served");
    let charges = admit(&json!({}), cm, "c", "ns", &cache, 0).expect("fits");
    assert_eq!(charges[0].quota["status"]["used"]["count/configmaps"], json!("1"));
}
