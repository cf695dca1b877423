//! The world's view of its clients: every running component's reflectors, and which of their caches
//! disagree with the apiserver (the oracle of the fault-schedule tests, `tests/convergence.rs`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::World;
use crate::sim::api;
use crate::sim::apiserver::fields::FieldSelector;
use crate::sim::client::reflector::State;
use crate::sim::client::{ObjectKey, Reflector, object_key};
use crate::sim::component::Component;

/// `(namespace, name) → resourceVersion` of some objects.
type Versions = BTreeMap<ObjectKey, String>;

fn versions<'a>(objects: impl Iterator<Item = &'a Value>) -> Versions {
    objects.map(|o| (object_key(o), api::meta::resource_version(o).to_string())).collect()
}

impl World {
    /// Every reflector of every running component, with its owner.
    pub fn reflectors(&self) -> Vec<(Component, &Reflector)> {
        let mut groups: Vec<(Component, &[Reflector])> = vec![
            (Component::Scheduler, self.scheduler.reflectors()),
            (Component::ControllerManager, self.controllers.reflectors()),
            (Component::CloudControllerManager, self.cloud.reflectors()),
            (Component::LocalPathProvisioner, self.provisioner.reflectors()),
            (Component::MetricsServer, self.metrics_server.reflectors()),
            (Component::IngressNginx, self.ingress.reflectors()),
        ];
        for (name, node) in &self.nodes {
            groups.push((Component::Kubelet(name.clone()), node.kubelet.reflectors()));
            groups.push((Component::KubeProxy(name.clone()), node.proxy.reflectors()));
        }
        let running = groups.into_iter().filter(|(c, _)| self.is_running(c));
        running.flat_map(|(c, rs)| rs.iter().map(move |r| (c.clone(), r))).collect()
    }

    /// The reflectors whose cache differs from what the apiserver holds for their resource and field
    /// selector, each as `component resource: what differs`. A reflector that is not watching (still
    /// listing, or backing off) is listed as such.
    pub fn stale_caches(&self) -> Vec<String> {
        let mut stale = Vec::new();
        for (c, r) in self.reflectors() {
            let rt = r.resource();
            let what = format!("{c} {}", rt.plural);
            if !matches!(r.state(), State::Watching { .. }) {
                stale.push(format!("{what}: {:?}", r.state()));
                continue;
            }
            let selector = FieldSelector::parse(r.field_selector().unwrap_or("")).unwrap_or_default();
            let prefix = api::storage_prefix(rt, None);
            let truth = versions(self.apiserver.cache.list_prefix(&prefix).filter(|o| selector.matches(o)));
            let cached = versions(r.cache().list(rt, None));
            if truth != cached {
                let missing: Vec<_> = truth.keys().filter(|k| !cached.contains_key(*k)).collect();
                let extra: Vec<_> = cached.keys().filter(|k| !truth.contains_key(*k)).collect();
                let old: Vec<_> =
                    truth.iter().filter(|(k, v)| cached.get(*k).is_some_and(|c| c != *v)).map(|(k, _)| k).collect();
                stale.push(format!("{what}: missing {missing:?}, extra {extra:?}, out of date {old:?}"));
            }
        }
        stale
    }
}
