//! The ServiceAccount admission plugin (`plugin/pkg/admission/serviceaccount`): a pod runs as a
//! ServiceAccount that must exist in its namespace, and gets the projected token volume
//! (`kube-api-access-<suffix>`: the token, `ca.crt` from `kube-root-ca.crt`, and the namespace) mounted at
//! `/var/run/secrets/kubernetes.io/serviceaccount` in every container, unless the pod or its
//! ServiceAccount sets `automountServiceAccountToken: false`. Mirror pods are left alone.

use serde_json::Value;

use super::cache::WatchCache;
use super::status::Status;
use crate::sim::api::defaults::admission::add_service_account_token;
use crate::sim::api::pointer::Pointer;
use crate::sim::api::{self, ResourceType};
use crate::sim::rng::Rng;

/// How many times the plugin looks for `default` before refusing (`getServiceAccount`'s `numAttempts`).
pub const DEFAULT_ACCOUNT_ATTEMPTS: u32 = 10;
/// The apiserver's timer name prefix for a pod create waiting for `default`.
pub const RETRY_TIMER: &str = "serviceaccount-retry/";

/// Whether a refusal is the missing `default` ServiceAccount, which the plugin waits for (a namespace
/// just created gets it from the controller-manager a moment later).
pub fn awaits_default(status: &Status) -> bool {
    status.message.contains("error looking up service account")
        && status.message.ends_with("serviceaccount \"default\" not found")
}

/// `rand.Int63n(100) + 100` ms between two looks.
pub fn retry_interval(rng: &mut Rng) -> crate::sim::time::Millis {
    100 + rng.next_u64() % 100
}

/// Set by the kubelet on the API copy of a static pod.
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

fn accounts() -> &'static ResourceType {
    api::resolve("serviceaccounts").expect("serviceaccounts are always served")
}

/// `Admit` and `Validate` for a pod being created in `ns`.
pub fn admit_pod(
    pod: &mut Value,
    pods: &'static ResourceType,
    name: &str,
    ns: &str,
    cache: &WatchCache,
    rng: &mut Rng,
) -> Result<(), Status> {
    if pod.at("/metadata/annotations").and_then(|a| a.get(MIRROR_ANNOTATION)).is_some() {
        return Ok(());
    }
    let account = pod.at("/spec/serviceAccountName").and_then(Value::as_str).unwrap_or("default").to_string();
    let key = api::storage_key(accounts(), Some(ns), &account);
    let Some(sa) = cache.get(&key) else {
        let why = format!("error looking up service account {ns}/{account}: serviceaccount \"{account}\" not found");
        return Err(Status::forbidden(pods, name, &why));
    };
    // The pod's own setting wins; else the ServiceAccount's; else the token is mounted.
    let automount = pod
        .at("/spec/automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or_else(|| sa.get("automountServiceAccountToken").and_then(Value::as_bool))
        .unwrap_or(true);
    if automount {
        add_service_account_token(pod, &rng.name_suffix(5));
    }
    Ok(())
}
