//! The service account controller (`pkg/controller/serviceaccount`): every active namespace has a
//! `default` ServiceAccount, recreated if deleted (pods without `serviceAccountName` run as it).

use serde_json::json;

use super::Controller;
use super::objects;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::Informers;
use crate::sim::client::{Action, Change, ObjectKey};
use crate::sim::rng::Rng;
use crate::sim::time::Millis;

pub const DEFAULT_NAME: &str = "default";

fn namespaces() -> &'static ResourceType {
    api::resolve("namespaces").expect("namespaces are always served")
}

fn accounts() -> &'static ResourceType {
    api::resolve("serviceaccounts").expect("serviceaccounts are always served")
}

#[derive(Debug, Default)]
pub struct ServiceAccountsController;

/// `syncNamespace`: create `default` in an active namespace that lacks it.
pub fn sync(inf: &Informers, ns: &str) -> Vec<Action> {
    let Some(n) = inf.get(namespaces(), "", ns) else { return Vec::new() };
    if objects::is_deleting(n)
        || objects::str_at(n, "/status/phase") == "Terminating"
        || inf.get(accounts(), ns, DEFAULT_NAME).is_some()
    {
        return Vec::new();
    }
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": DEFAULT_NAME, "namespace": ns}});
    vec![Action::Create { resource: accounts(), namespace: Some(ns.to_string()), object: sa }]
}

impl Controller for ServiceAccountsController {
    fn name(&self) -> &'static str {
        "serviceaccount"
    }

    fn event_source(&self) -> &'static str {
        "service-account-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["namespaces", "serviceaccounts"]
    }

    /// `--concurrent-serviceaccount-syncs` defaults to 1.
    fn workers(&self) -> usize {
        1
    }

    fn keys_for(&mut self, change: &Change, _inf: &Informers) -> Vec<ObjectKey> {
        let obj = &change.new;
        match change.resource.plural {
            "namespaces" if change.event != EventType::Deleted => vec![(String::new(), objects::name(obj).to_string())],
            "serviceaccounts" if change.event == EventType::Deleted && objects::name(obj) == DEFAULT_NAME => {
                vec![(String::new(), objects::namespace(obj).to_string())]
            }
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, key: &ObjectKey, inf: &Informers, _now: Millis, _rng: &mut Rng) -> Vec<Action> {
        sync(inf, &key.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controllers::testutil::*;

    fn ns(name: &str, terminating: bool) -> serde_json::Value {
        let mut n = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "uid": name}, "status": {"phase": "Active"}});
        if terminating {
            n["metadata"]["deletionTimestamp"] = json!("2025-01-01T00:00:00Z");
            n["status"]["phase"] = json!("Terminating");
        }
        n
    }

    #[test]
    fn default_account_in_every_active_namespace() {
        let mut inf = Informers::default();
        inf.insert(ns("team", false));
        inf.insert(ns("going", true));
        let made = creates(&sync(&inf, "team"), "ServiceAccount");
        assert_eq!(made[0]["metadata"]["name"], "default");
        assert!(sync(&inf, "going").is_empty(), "not in a terminating namespace");
        assert!(sync(&inf, "missing").is_empty());
        let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "team", "uid": "sa"}});
        inf.insert(sa.clone());
        assert!(sync(&inf, "team").is_empty());
        let ch = inf.remove(sa).expect("change");
        assert_eq!(
            ServiceAccountsController.keys_for(&ch, &inf),
            vec![(String::new(), "team".to_string())],
            "deleted: recreated"
        );
    }
}
