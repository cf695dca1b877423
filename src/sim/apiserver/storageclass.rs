//! The DefaultStorageClass admission plugin (`plugin/pkg/admission/storage/storageclass/setdefault`): a
//! claim created without `storageClassName` gets the cluster's default class (annotated
//! `storageclass.kubernetes.io/is-default-class: "true"`; the newest when several are). A claim that sets
//! `storageClassName: ""` asks for no class and keeps it.

use serde_json::{Value, json};

use super::cache::WatchCache;
use crate::sim::api::pointer::Pointer;
use crate::sim::api::{self, ResourceType};

/// The annotation that marks the default class.
pub const IS_DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";

fn classes() -> &'static ResourceType {
    api::resolve("storageclasses").expect("storageclasses are always served")
}

/// `GetDefaultClass`: the default class, the newest (then the first by name) when several are marked.
pub fn default_class(cache: &WatchCache) -> Option<Value> {
    let prefix = api::storage_prefix(classes(), None);
    let is_default = |c: &&Value| {
        c.at("/metadata/annotations").and_then(|a| a.get(IS_DEFAULT_CLASS)).and_then(Value::as_str) == Some("true")
    };
    let created = |c: &Value| c.at("/metadata/creationTimestamp").and_then(Value::as_str).unwrap_or("").to_string();
    let mut best: Option<&Value> = None;
    for c in cache.list_prefix(&prefix).filter(is_default) {
        if best.is_none_or(|b| created(c) > created(b)) {
            best = Some(c);
        }
    }
    best.cloned()
}

/// `Admit`: fills in the default class of a claim that names none.
pub fn admit_claim(claim: &mut Value, cache: &WatchCache) {
    let named = claim.at("/spec/storageClassName").is_some_and(|v| !v.is_null())
        || claim.at("/metadata/annotations").and_then(|a| a.get(api::meta::BETA_STORAGE_CLASS)).is_some();
    if named {
        return;
    }
    let Some(name) = default_class(cache).and_then(|c| c.at("/metadata/name").cloned()) else { return };
    if let Some(spec) = claim.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("storageClassName".into(), name);
    } else if let Some(obj) = claim.as_object_mut() {
        obj.insert("spec".into(), json!({"storageClassName": name}));
    }
}
