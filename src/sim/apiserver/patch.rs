//! Patches: JSON merge patch (RFC 7386) and strategic merge patch (lists merged by their merge key).

use serde_json::{Map, Value};

/// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("target was just made an object");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// The merge key of a list field, by the field's name, as the Kubernetes OpenAPI
/// `x-kubernetes-patch-merge-key` declares it for the fields learners patch.
fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "containers" | "initContainers" | "ephemeralContainers" | "volumes" | "env" | "imagePullSecrets" => "name",
        "ports" => "containerPort",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "tolerations" | "finalizers" => return None,
        _ => return None,
    })
}

/// Strategic merge patch: like a merge patch, but lists with a merge key merge element by element
/// (`$patch: delete` removes one), and primitive lists such as `finalizers` are replaced.
pub fn strategic_merge_patch(target: &mut Value, patch: &Value) {
    smp(target, patch, "")
}

fn smp(target: &mut Value, patch: &Value, field: &str) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if k.starts_with("$setElementOrder") || k == "$retainKeys" {
                    continue;
                }
                if v.is_null() {
                    t.remove(k);
                } else if let Some(existing) = t.get_mut(k) {
                    smp(existing, v, k);
                } else {
                    let mut fresh = Value::Null;
                    smp(&mut fresh, v, k);
                    t.insert(k.clone(), fresh);
                }
            }
        }
        (Value::Array(t), Value::Array(p)) if merge_key(field).is_some() => {
            let key = merge_key(field).expect("checked just above");
            for item in p {
                let id = item.get(key);
                let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                let pos = id.and_then(|id| t.iter().position(|e| e.get(key) == Some(id)));
                match (pos, delete) {
                    (Some(i), true) => {
                        t.remove(i);
                    }
                    (None, true) => {}
                    (Some(i), false) => smp(&mut t[i], item, ""),
                    (None, false) => {
                        let mut fresh = Value::Null;
                        smp(&mut fresh, item, "");
                        t.push(fresh);
                    }
                }
            }
        }
        (t, p) => {
            let mut clean = p.clone();
            strip_directives(&mut clean);
            *t = clean;
        }
    }
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with('$'));
            m.values_mut().for_each(strip_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc7386_examples() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1, 2]});
        merge_patch(&mut t, &json!({"a": [3]}));
        assert_eq!(t, json!({"a": [3]}), "merge patch replaces lists");
    }

    #[test]
    fn strategic_patch_merges_containers_by_name() {
        let mut t =
            json!({"spec": {"containers": [{"name": "a", "image": "nginx:1"}, {"name": "b", "image": "redis"}]}});
        strategic_merge_patch(&mut t, &json!({"spec": {"containers": [{"name": "a", "image": "nginx:2"}]}}));
        assert_eq!(
            t,
            json!({"spec": {"containers": [{"name": "a", "image": "nginx:2"}, {"name": "b", "image": "redis"}]}})
        );
    }

    #[test]
    fn strategic_patch_delete_directive_and_primitive_lists() {
        let mut t =
            json!({"metadata": {"finalizers": ["x", "y"]}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let p = json!({"metadata": {"finalizers": ["y"]}, "spec": {"containers": [{"name": "a", "$patch": "delete"}]}});
        strategic_merge_patch(&mut t, &p);
        assert_eq!(t, json!({"metadata": {"finalizers": ["y"]}, "spec": {"containers": [{"name": "b"}]}}));
    }

    #[test]
    fn patch_onto_non_object_replaces() {
        let mut t = json!(3);
        merge_patch(&mut t, &json!({"a": 1}));
        assert_eq!(t, json!({"a": 1}));
    }
}
