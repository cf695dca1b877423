//! Valid manifests with one field replaced by an odd value, so that the value gets past decoding and
//! reaches validation, and when it is accepted, the scheduler, the controllers and the kubelets.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::yaml::SCALARS;

fn templates() -> Vec<Value> {
    let pod_spec = json!({"containers": [{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "echo hi; sleep 5"],
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "ports": [{"containerPort": 80}], "env": [{"name": "A", "value": "1"}],
        "livenessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 5}, "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
        "volumes": [{"name": "v", "emptyDir": {}}], "restartPolicy": "Always"});
    let template = json!({"metadata": {"labels": {"app": "x"}}, "spec": pod_spec});
    vec![
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "x"}}, "spec": pod_spec}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "x"}}, "template": template}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
            "spec": {"replicas": 2, "serviceName": "s", "selector": {"matchLabels": {"app": "x"}}, "template": template}}),
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ds"},
            "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": template}}),
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
            "spec": {"completions": 2, "parallelism": 2, "backoffLimit": 1, "template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}}}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
            "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
                "containers": [{"name": "c", "image": "busybox", "command": ["date"]}]}}}}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
            "spec": {"type": "NodePort", "selector": {"app": "x"}, "ports": [{"port": 80, "targetPort": 8080}]}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"k": "v"}}),
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "3", "requests.memory": "1Gi"}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
            "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "svc", "port": {"number": 80}}}}]}}]}}),
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "x"}}}}),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}, "minReplicas": 1, "maxReplicas": 3}}),
    ]
}

fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        Just(json!(u64::MAX)),
        Just(json!(-0.5)),
        Just(json!(1e300)),
        "\\PC{0,20}".prop_map(Value::String),
        prop::sample::select(SCALARS).prop_map(|s| Value::String(s.to_string())),
        Just(json!({})),
        Just(json!([])),
        Just(json!([{}])),
        Just(json!({"a": [1, "b", null]})),
    ]
}

/// Every path (object keys and array indexes) inside a value, root excluded.
fn paths(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    let children: Vec<(Value, &Value)> = match v {
        Value::Object(m) => m.iter().map(|(k, c)| (json!(k), c)).collect(),
        Value::Array(a) => a.iter().enumerate().map(|(i, c)| (json!(i), c)).collect(),
        _ => return,
    };
    for (k, c) in children {
        prefix.push(k);
        out.push(prefix.clone());
        paths(c, prefix, out);
        prefix.pop();
    }
}

fn set_at(v: &mut Value, path: &[Value], new: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut cur = v;
    for p in parents {
        cur = match (cur, p) {
            (Value::Object(m), Value::String(k)) => m.get_mut(k.as_str()).expect("the path came from this value"),
            (Value::Array(a), Value::Number(i)) => &mut a[i.as_u64().expect("an index") as usize],
            _ => return,
        };
    }
    match (cur, last) {
        (Value::Object(m), Value::String(k)) => {
            m.insert(k.clone(), new);
        }
        (Value::Array(a), Value::Number(i)) => a[i.as_u64().expect("an index") as usize] = new,
        _ => {}
    }
}

/// A valid manifest with the value at one of its paths replaced (or removed, when the new value is a
/// marker), as JSON or YAML text.
pub fn mutated_manifest() -> impl Strategy<Value = String> {
    (0..templates().len(), any::<prop::sample::Index>(), odd_value(), any::<bool>()).prop_map(
        |(t, at, value, as_json)| {
            let mut doc = templates()[t].clone();
            let mut all = Vec::new();
            paths(&doc, &mut Vec::new(), &mut all);
            set_at(&mut doc, &all[at.index(all.len())], value);
            if as_json {
                doc.to_string()
            } else {
                serde_yaml::to_string(&doc).expect("a JSON value always renders as YAML")
            }
        },
    )
}
