//! The DefaultIngressClass admission plugin (`plugin/pkg/admission/network/defaultingressclass`): an
//! Ingress created without `spec.ingressClassName` and without the legacy `kubernetes.io/ingress.class`
//! annotation gets the IngressClass annotated `ingressclass.kubernetes.io/is-default-class: "true"`
//! (the newest, then the first by name, when several are). Updates are not defaulted.

use serde_json::{Value, json};

use super::cache::WatchCache;
use crate::sim::api;
use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;

/// The annotation that marks the default class.
pub const IS_DEFAULT_CLASS: &str = "ingressclass.kubernetes.io/is-default-class";
/// The legacy annotation that names a class (`networkingv1beta1.AnnotationIngressClass`).
const LEGACY_CLASS: &str = "kubernetes.io/ingress.class";

/// `getDefaultClass`: the newest default class, ties broken by name.
fn default_class(cache: &WatchCache) -> Option<String> {
    let rt = api::resolve("ingressclasses")?;
    let text = |c: &Value, p: &str| c.at(p).and_then(Value::as_str).unwrap_or("").to_string();
    let prefix = api::storage_prefix(rt, None);
    let mut defaults: Vec<&Value> = cache
        .list_prefix(&prefix)
        .filter(|c| {
            c.at("/metadata/annotations").and_then(|a| a.get(IS_DEFAULT_CLASS)).and_then(Value::as_str) == Some("true")
        })
        .collect();
    defaults.stable_sort_by(|a, b| {
        let (ta, tb) = (text(a, "/metadata/creationTimestamp"), text(b, "/metadata/creationTimestamp"));
        tb.cmp(&ta).then_with(|| text(a, "/metadata/name").cmp(&text(b, "/metadata/name")))
    });
    defaults.first().map(|c| text(c, "/metadata/name"))
}

/// `Admit` on create: fills in the default class of an Ingress that names none.
pub fn admit_ingress(ingress: &mut Value, cache: &WatchCache) {
    let named = ingress.at("/spec/ingressClassName").is_some_and(|v| !v.is_null())
        || ingress.at("/metadata/annotations").and_then(|a| a.get(LEGACY_CLASS)).is_some();
    if named {
        return;
    }
    let Some(name) = default_class(cache) else { return };
    if let Some(spec) = ingress.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("ingressClassName".into(), json!(name));
    } else if let Some(obj) = ingress.as_object_mut() {
        obj.insert("spec".into(), json!({"ingressClassName": name}));
    }
}
