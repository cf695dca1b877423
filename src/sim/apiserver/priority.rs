//! The Priority admission plugin (`plugin/pkg/admission/priority`): a pod's `priorityClassName` is
//! resolved to `spec.priority` and `spec.preemptionPolicy` when it is created; an unknown class is
//! refused, and a pod without one gets the global default class if there is one.

use serde_json::{Value, json};

use super::cache::WatchCache;
use super::status::Status;
use crate::sim::api::pointer::Pointer;
use crate::sim::api::{self, ResourceType};

fn classes() -> &'static ResourceType {
    api::resolve("priorityclasses").expect("priorityclasses are always served")
}

/// Sets the pod's priority from its class, as the plugin's `admitPod` does on create.
pub fn admit_pod(pod: &mut Value, pods: &'static ResourceType, name: &str, cache: &WatchCache) -> Result<(), Status> {
    let class_name = pod.at("/spec/priorityClassName").and_then(Value::as_str).unwrap_or_default().to_string();
    let class = if class_name.is_empty() {
        // Only a global default changes anything: without one the pod keeps priority 0.
        let prefix = api::storage_prefix(classes(), None);
        let default = cache.list_prefix(&prefix).find(|c| c.at("/globalDefault") == Some(&json!(true))).cloned();
        let Some(c) = default else { return Ok(()) };
        pod["spec"]["priorityClassName"] = c.at("/metadata/name").cloned().unwrap_or_default();
        // The class decides, not the 0 the pod defaults filled in.
        if let Some(spec) = pod["spec"].as_object_mut() {
            spec.remove("priority");
            spec.remove("preemptionPolicy");
        }
        c
    } else {
        let key = api::storage_key(classes(), None, &class_name);
        cache.get(&key).cloned().ok_or_else(|| {
            Status::forbidden(pods, name, &format!("no PriorityClass with name {class_name} was found"))
        })?
    };
    let value = class.at("/value").and_then(Value::as_i64).unwrap_or(0);
    if let Some(given) = pod.at("/spec/priority").and_then(Value::as_i64)
        && given != value
    {
        return Err(Status::forbidden(
            pods,
            name,
            &format!(
                "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name"
            ),
        ));
    }
    let policy = class.at("/preemptionPolicy").and_then(Value::as_str).unwrap_or("PreemptLowerPriority").to_string();
    pod["spec"]["priority"] = json!(value);
    pod["spec"]["preemptionPolicy"] = json!(policy);
    Ok(())
}
