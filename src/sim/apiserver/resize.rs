//! The PersistentVolumeClaimResize admission plugin (`plugin/pkg/admission/storage/persistentvolume/resize`):
//! a claim's storage request may grow only once it is Bound and only when its class, the same before
//! and after, sets `allowVolumeExpansion: true`. kind's `standard` class (local-path) does not, so
//! there a bigger request is refused. It validates after the claim's own validation, as upstream's
//! validating admission runs after the registry strategy.

use serde_json::Value;

use super::cache::WatchCache;
use super::status::Status;
use crate::sim::api::meta::{storage_class, str_at};
use crate::sim::api::pointer::Pointer;
use crate::sim::api::quantity::{Quantity, parse_quantity};
use crate::sim::api::{self, ResourceType};

/// `Validate` on an update of a claim (not its status): `Forbidden` in upstream's words, or nothing.
pub fn validate(rt: &ResourceType, old: &Value, new: &Value, cache: &WatchCache) -> Result<(), Status> {
    if rt.kind != "PersistentVolumeClaim" {
        return Ok(());
    }
    let size = |c: &Value| {
        str_at(c, &["spec", "resources", "requests", "storage"])
            .and_then(|q| parse_quantity(q).ok())
            .unwrap_or(Quantity::from_millis(0))
    };
    if size(new) <= size(old) {
        return Ok(());
    }
    let name = str_at(old, &["metadata", "name"]).unwrap_or("");
    if str_at(old, &["status", "phase"]) != Some("Bound") {
        return Err(Status::forbidden(rt, name, "Only bound persistent volume claims can be expanded"));
    }
    if !allows_resize(old, new, cache) {
        return Err(Status::forbidden(
            rt,
            name,
            "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
        ));
    }
    Ok(())
}

/// `allowResize`: both versions name the same non-empty class, it exists, and it allows expansion.
fn allows_resize(old: &Value, new: &Value, cache: &WatchCache) -> bool {
    let class = storage_class(new);
    if class.is_empty() || storage_class(old) != class {
        return false;
    }
    let rt = api::resolve("storageclasses").expect("storageclasses are always served");
    cache
        .get(&api::storage_key(rt, None, class))
        .and_then(|sc| sc.at("/allowVolumeExpansion"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}
