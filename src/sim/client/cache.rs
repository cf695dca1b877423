//! The informer cache: every object a component watches, by resource then key, shared with the
//! apiserver's watch cache (no copies), and the `Change`s a watch event makes to it.

use crate::sim::api::pointer::Pointer;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::sim::api::ResourceType;
use crate::sim::protocol::request::EventType;

/// `(namespace, name)`; cluster-scoped objects have an empty namespace.
pub type ObjectKey = (String, String);

/// The key of an object in a cache.
pub fn object_key(obj: &Value) -> ObjectKey {
    let s = |p: &str| obj.at(p).and_then(Value::as_str).unwrap_or_default().to_string();
    (s("/metadata/namespace"), s("/metadata/name"))
}

/// Identifies a resource in caches: `(group, plural)`; versions of one resource share it.
pub fn resource_id(rt: &ResourceType) -> (&'static str, &'static str) {
    (rt.group, rt.plural)
}

/// The informer caches of one component: every object it watches, by resource then key. Objects are
/// the apiserver's own (shared, never copied): a cache holds a reference, as client-go's shared
/// informers hand out pointers into one store.
#[derive(Debug, Default, Clone)]
pub struct Cache {
    objects: BTreeMap<(&'static str, &'static str), BTreeMap<ObjectKey, Arc<Value>>>,
}

/// A change seen by an informer, with the object before it when there was one.
#[derive(Debug, Clone)]
pub struct Change {
    pub resource: &'static ResourceType,
    pub event: EventType,
    pub old: Option<Arc<Value>>,
    pub new: Arc<Value>,
}

impl Cache {
    /// Applies one watch event; returns what changed (bookmarks change nothing).
    pub fn apply(&mut self, rt: &'static ResourceType, event: EventType, obj: Arc<Value>) -> Option<Change> {
        let map = self.objects.entry(resource_id(rt)).or_default();
        let key = object_key(&obj);
        let old = match event {
            EventType::Bookmark => return None,
            EventType::Added | EventType::Modified => map.insert(key, obj.clone()),
            EventType::Deleted => map.remove(&key),
        };
        Some(Change { resource: rt, event, old, new: obj })
    }

    /// The cached object itself, shared (a re-list's purge hands it back as the deleted object).
    pub fn get_shared(&self, rt: &ResourceType, namespace: &str, name: &str) -> Option<Arc<Value>> {
        self.objects.get(&resource_id(rt))?.get(&(namespace.to_string(), name.to_string())).cloned()
    }

    pub fn get(&self, rt: &ResourceType, namespace: &str, name: &str) -> Option<&Value> {
        self.objects.get(&resource_id(rt))?.get(&(namespace.to_string(), name.to_string())).map(|v| &**v)
    }

    /// Objects of one resource, in key order; `namespace: None` lists all namespaces.
    pub fn list<'a>(&'a self, rt: &ResourceType, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Value> + 'a {
        // Keys sort by namespace first, so one namespace is a contiguous range: the namespace index
        // client-go's informers keep comes free with the key order.
        let start = (namespace.unwrap_or_default().to_string(), String::new());
        self.objects
            .get(&resource_id(rt))
            .into_iter()
            .flat_map(move |m| m.range(start.clone()..))
            .take_while(move |((ns, _), _)| namespace.is_none_or(|want| ns == want))
            .map(|(_, v)| &**v)
    }

    /// The keys of one resource's cached objects, in key order.
    pub fn keys<'a>(&'a self, rt: &ResourceType) -> impl Iterator<Item = ObjectKey> + 'a {
        self.objects.get(&resource_id(rt)).into_iter().flat_map(|m| m.keys().cloned())
    }

    /// Forgets every object (a restarted process starts empty).
    pub fn clear(&mut self) {
        self.objects.clear();
    }

    pub fn count(&self, rt: &ResourceType) -> usize {
        self.objects.get(&resource_id(rt)).map_or(0, BTreeMap::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pods() -> &'static ResourceType {
        crate::sim::api::resolve("pods").expect("pods are served")
    }

    #[test]
    fn listing_one_namespace_reads_only_its_range() {
        let mut c = Cache::default();
        for (ns, name) in [("b", "y"), ("a", "z"), ("", "node"), ("c", "x"), ("b", "x"), ("bb", "w")] {
            c.apply(pods(), EventType::Added, json!({"metadata": {"namespace": ns, "name": name}}).into());
        }
        let names = |ns: Option<&str>| -> Vec<String> { c.list(pods(), ns).map(|o| object_key(o).1).collect() };
        assert_eq!(names(Some("b")), ["x", "y"]);
        assert_eq!(names(Some("")), ["node"]);
        assert!(names(Some("nope")).is_empty());
        assert_eq!(names(None), ["node", "z", "x", "y", "w", "x"]);
    }

    #[test]
    fn cache_tracks_add_modify_delete() {
        let mut c = Cache::default();
        let p = json!({"metadata": {"namespace": "default", "name": "a", "resourceVersion": "2"}});
        let ch = c.apply(pods(), EventType::Added, p.clone().into()).expect("an add is a change");
        assert!(ch.old.is_none());
        let p2 = json!({"metadata": {"namespace": "default", "name": "a", "resourceVersion": "3"}});
        let ch = c.apply(pods(), EventType::Modified, p2.clone().into()).expect("a modify is a change");
        assert_eq!(ch.old.as_deref(), Some(&p));
        assert_eq!(c.get(pods(), "default", "a"), Some(&p2));
        assert_eq!(c.list(pods(), Some("other")).count(), 0);
        c.apply(pods(), EventType::Deleted, p2.into());
        assert_eq!(c.count(pods()), 0);
        assert!(c.apply(pods(), EventType::Bookmark, json!({}).into()).is_none());
    }
}
