//! The informers' label index: `(resource, label key, label value)` → objects, so that a Service's
//! selector reads the pods that can match it instead of every pod of its namespace.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::ResourceId;
use crate::sim::api::selector::object_labels;
use crate::sim::client::ObjectKey;

#[derive(Debug, Default, Clone)]
pub struct LabelIndex {
    buckets: BTreeMap<(ResourceId, String, String), BTreeSet<ObjectKey>>,
}

/// The string-valued labels of an object (others never match a selector).
fn pairs(obj: &Value) -> impl Iterator<Item = (&String, &str)> {
    object_labels(obj).into_iter().flatten().filter_map(|(k, v)| Some((k, v.as_str()?)))
}

impl LabelIndex {
    pub fn add(&mut self, rid: ResourceId, key: &ObjectKey, obj: &Value) {
        for (k, v) in pairs(obj) {
            self.buckets.entry((rid, k.clone(), v.to_string())).or_default().insert(key.clone());
        }
    }

    pub fn remove(&mut self, rid: ResourceId, key: &ObjectKey, obj: &Value) {
        for (k, v) in pairs(obj) {
            let bucket = (rid, k.clone(), v.to_string());
            if let Some(set) = self.buckets.get_mut(&bucket) {
                set.remove(key);
                if set.is_empty() {
                    self.buckets.remove(&bucket);
                }
            }
        }
    }

    fn bucket(&self, rid: ResourceId, key: &str, value: &str) -> Option<&BTreeSet<ObjectKey>> {
        self.buckets.get(&(rid, key.to_string(), value.to_string()))
    }

    /// Keys of the objects labelled `key=value` in `namespace`, in key order (client-go's `ByIndex`).
    pub fn keys<'a>(
        &'a self,
        rid: ResourceId,
        namespace: &'a str,
        key: &str,
        value: &str,
    ) -> impl Iterator<Item = &'a ObjectKey> + 'a {
        in_namespace(self.bucket(rid, key, value), namespace)
    }

    /// Candidates for a map selector (every pair must match) in `namespace`: the smallest of its pairs'
    /// buckets. Callers still check the whole selector. A pair no object has (or a value that is not a
    /// string) leaves no candidate; an empty selector selects nothing, as for a Service.
    pub fn candidates<'a>(
        &'a self,
        rid: ResourceId,
        namespace: &'a str,
        selector: &Map<String, Value>,
    ) -> impl Iterator<Item = &'a ObjectKey> + 'a {
        let mut smallest: Option<&BTreeSet<ObjectKey>> = None;
        for (k, v) in selector {
            let Some(set) = v.as_str().and_then(|v| self.bucket(rid, k, v)) else {
                smallest = None;
                break;
            };
            if smallest.is_none_or(|s| set.len() < s.len()) {
                smallest = Some(set);
            }
        }
        in_namespace(smallest, namespace)
    }
}

/// The keys of one namespace: a contiguous range, since keys sort by namespace first.
fn in_namespace<'a>(
    set: Option<&'a BTreeSet<ObjectKey>>,
    namespace: &'a str,
) -> impl Iterator<Item = &'a ObjectKey> + 'a {
    set.into_iter()
        .flat_map(move |s| s.range((namespace.to_string(), String::new())..))
        .take_while(move |(ns, _)| ns == namespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PODS: ResourceId = ("", "pods");

    fn pod(ns: &str, name: &str, labels: Value) -> (ObjectKey, Value) {
        ((ns.into(), name.into()), json!({"metadata": {"namespace": ns, "name": name, "labels": labels}}))
    }

    #[test]
    fn buckets_follow_adds_and_removes_per_namespace() {
        let mut idx = LabelIndex::default();
        let a = pod("default", "a", json!({"app": "web", "tier": "front"}));
        let b = pod("default", "b", json!({"app": "web", "tier": "back"}));
        let c = pod("other", "c", json!({"app": "web"}));
        let odd = pod("default", "odd", json!({"app": 5}));
        for (k, o) in [&a, &b, &c, &odd] {
            idx.add(PODS, k, o);
        }
        let names = |it: Box<dyn Iterator<Item = &ObjectKey> + '_>| it.map(|k| k.1.clone()).collect::<Vec<_>>();
        assert_eq!(names(Box::new(idx.keys(PODS, "default", "app", "web"))), ["a", "b"]);
        assert_eq!(names(Box::new(idx.keys(PODS, "other", "app", "web"))), ["c"]);
        assert_eq!(names(Box::new(idx.keys(("apps", "replicasets"), "default", "app", "web"))), [] as [&str; 0]);

        let sel = json!({"app": "web", "tier": "front"});
        let sel = sel.as_object().expect("map");
        assert_eq!(names(Box::new(idx.candidates(PODS, "default", sel))), ["a"], "the smallest bucket");
        let missing = json!({"app": "web", "tier": "nope"});
        assert_eq!(idx.candidates(PODS, "default", missing.as_object().expect("map")).count(), 0);
        assert_eq!(idx.candidates(PODS, "default", &Map::new()).count(), 0, "empty selects nothing");
        let number = json!({"app": 5});
        assert_eq!(idx.candidates(PODS, "default", number.as_object().expect("map")).count(), 0);

        idx.remove(PODS, &a.0, &a.1);
        idx.remove(PODS, &b.0, &b.1);
        assert_eq!(idx.keys(PODS, "default", "app", "web").count(), 0);
        idx.remove(PODS, &c.0, &c.1);
        idx.remove(PODS, &odd.0, &odd.1);
        assert!(idx.buckets.is_empty(), "emptied buckets are dropped");
    }
}
