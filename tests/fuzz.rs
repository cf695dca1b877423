//! Property tests: whatever a learner pastes or types, the apply path and the kubectl command line
//! answer with output or an error, never a panic (a panic in the browser kills the page).
//!
//! Inputs: arbitrary bytes, generated YAML (random keys and values, deep nesting, flow style,
//! anchors and aliases, huge numbers, tabs, unicode, several documents), valid manifests with one
//! field replaced by something odd (so the odd value reaches validation, controllers and kubelets),
//! and random kubectl command lines (words, quotes, flags).

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

/// `cases` per property, or `FUZZ_CASES` for a longer hunt (`FUZZ_CASES=5000 cargo test --test fuzz`).
fn config(cases: u32) -> Config {
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    Config { cases, failure_persistence: None, ..Config::default() }
}

fn run(w: &mut World, line: &str, stdin: Option<&str>) -> Output {
    kubectl::execute(w, line, stdin, &NoFiles)
}

/// Feeds one text to both verbs; the answer must be output or an error line, never nothing.
fn apply_and_create(w: &mut World, text: &str) {
    for verb in ["apply -f -", "create -f -", "apply -f - --dry-run=server", "create -f - -o yaml"] {
        let out = run(w, verb, Some(text));
        assert!(!out.stdout.is_empty() || !out.stderr.is_empty(), "`kubectl {verb}` printed nothing for {text:?}");
    }
}

/// A cluster with only storage and API, plus a few objects so that commands find something.
fn api_only_world() -> World {
    let mut w = World::bare(7);
    run(&mut w, "create namespace demo", None);
    run(&mut w, "create deployment web --image=nginx --replicas=2", None);
    run(&mut w, "create configmap settings --from-literal=a=b -n demo", None);
    run(&mut w, "run lonely --image=busybox --labels=app=x", None);
    w
}

// ---- generated YAML ----------------------------------------------------------------------------

const KEYS: &[&str] = &[
    "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "generateName", "spec", "status",
    "containers", "initContainers", "image", "command", "args", "env", "value", "valueFrom", "ports", "containerPort",
    "resources", "limits", "requests", "cpu", "memory", "replicas", "selector", "matchLabels", "matchExpressions",
    "template", "volumes", "volumeMounts", "mountPath", "data", "stringData", "type", "restartPolicy", "nodeSelector",
    "nodeName", "tolerations", "affinity", "schedule", "jobTemplate", "completions", "parallelism", "backoffLimit",
    "rules", "http", "paths", "backend", "port", "targetPort", "clusterIP", "hard", "ownerReferences", "finalizers",
    "resourceVersion", "uid", "<<", "", "x y", "ключ", "🙂", "a:b", "-", "?",
];

const KINDS: &[&str] = &[
    "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "ConfigMap", "Secret",
    "Namespace", "Node", "ResourceQuota", "LimitRange", "PersistentVolumeClaim", "Ingress", "NetworkPolicy",
    "HorizontalPodAutoscaler", "ServiceAccount", "ClusterRole", "RoleBinding", "Lease", "Endpoints", "Event",
    "PodDisruptionBudget", "PriorityClass", "StorageClass", "Foo", "", "pod", "List",
];

const VERSIONS: &[&str] =
    &["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1", "autoscaling/v2", "rbac.authorization.k8s.io/v1", "v2", "", "a/b/c", "/"];

const SCALARS: &[&str] = &[
    "0", "-1", "1e400", "-1e400", "99999999999999999999999999", "0x1F", "0o17", ".inf", "-.inf", ".nan", "~", "null",
    "true", "yes", "No", "2024-01-01T00:00:00Z", "1.5", "500m", "1Gi", "10Ki", "1e3", "\"\"", "''", "\"a\\tb\"",
    "'it''s'", "x\ty", "\u{0}", "é", "日本語", "🚀", "|", ">", "!!binary aGVsbG8=", "!!str 1", "!custom x", "&", "*",
    "[", "]", "{", "}", ",", "#c", "%", "@", "`", "- -", "? x", "a: b", "<<: *x",
];

/// A generated YAML node.
#[derive(Debug, Clone)]
enum Node {
    Scalar(String),
    Map(Vec<(String, Node)>, bool),
    Seq(Vec<Node>, bool),
    /// `&name node` or `*name`.
    Anchor(String, Box<Node>),
    Alias(String),
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(SCALARS).prop_map(str::to_string),
        prop::sample::select(KINDS).prop_map(str::to_string),
        prop::sample::select(VERSIONS).prop_map(str::to_string),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        "[a-z0-9.-]{0,70}",
        "\\PC{0,12}",
        "[ \t\"'\\\\:#{}\\[\\],&*!|>%@`-]{1,6}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => prop::sample::select(KEYS).prop_map(str::to_string), 1 => scalar()]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        6 => scalar().prop_map(Node::Scalar),
        1 => "[ab]".prop_map(Node::Alias),
    ];
    leaf.prop_recursive(8, 64, 6, |inner| {
        prop_oneof![
            4 => (prop::collection::vec((key(), inner.clone()), 0..6), any::<bool>()).prop_map(|(m, flow)| Node::Map(m, flow)),
            2 => (prop::collection::vec(inner.clone(), 0..5), any::<bool>()).prop_map(|(s, flow)| Node::Seq(s, flow)),
            1 => ("[ab]", inner).prop_map(|(a, n)| Node::Anchor(a, Box::new(n))),
        ]
    })
}

/// Renders a node; block style indents with `indent` spaces, flow style stays on one line.
fn render(n: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match n {
        Node::Scalar(s) => out.push_str(s),
        Node::Alias(a) => out.push_str(&format!("*{a}")),
        Node::Anchor(a, inner) => {
            out.push_str(&format!("&{a} "));
            render(inner, indent, out);
        }
        Node::Map(m, _) if m.is_empty() => out.push_str("{}"),
        Node::Seq(s, _) if s.is_empty() => out.push_str("[]"),
        Node::Map(m, true) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&format!("{k}: "));
                render(v, 0, out);
            }
            out.push('}');
        }
        Node::Seq(s, true) => {
            out.push('[');
            for (i, v) in s.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(v, 0, out);
            }
            out.push(']');
        }
        Node::Map(m, false) => {
            for (k, v) in m {
                out.push_str(&format!("\n{pad}{k}: "));
                render(v, indent + 2, out);
            }
        }
        Node::Seq(s, false) => {
            for v in s {
                out.push_str(&format!("\n{pad}- "));
                render(v, indent + 2, out);
            }
        }
    }
}

/// A whole generated stream: a header that names a kind most of the time, then the body.
fn yaml_stream() -> impl Strategy<Value = String> {
    let doc = (prop::sample::select(VERSIONS), prop::sample::select(KINDS), "[a-z]{1,8}", node(), any::<bool>(), any::<u8>());
    prop::collection::vec(doc, 1..4).prop_map(|docs| {
        let mut text = String::new();
        for (i, (version, kind, name, body, header, noise)) in docs.into_iter().enumerate() {
            if i > 0 {
                text.push_str(["\n---\n", "\n--- # next\n", "\n...\n---\n", "\n---"][noise as usize % 4]);
            }
            if header {
                text.push_str(&format!("apiVersion: {version}\nkind: {kind}\nmetadata:\n  name: {name}\nspec:"));
                render(&body, 2, &mut text);
            } else {
                render(&body, 0, &mut text);
            }
            match noise % 7 {
                0 => {
                    let at = (0..=text.len() / 2).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
                    text.insert(at, '\t');
                }
                1 => text.push_str("\n\u{feff}"),
                2 => text = text.replace('\n', "\r\n"),
                _ => {}
            }
        }
        text
    })
}

// ---- valid manifests with one odd field ----------------------------------------------------------

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
fn mutated_manifest() -> impl Strategy<Value = String> {
    (0..templates().len(), any::<prop::sample::Index>(), odd_value(), any::<bool>()).prop_map(|(t, at, value, as_json)| {
        let mut doc = templates()[t].clone();
        let mut all = Vec::new();
        paths(&doc, &mut Vec::new(), &mut all);
        set_at(&mut doc, &all[at.index(all.len())], value);
        if as_json { doc.to_string() } else { serde_yaml::to_string(&doc).expect("a JSON value always renders as YAML") }
    })
}

// ---- command lines --------------------------------------------------------------------------------

const WORDS: &[&str] = &[
    "kubectl", "get", "describe", "delete", "apply", "create", "run", "label", "annotate", "scale", "wait", "explain",
    "version", "cluster-info", "api-resources", "api-versions", "config", "edit", "logs", "exec", "rollout", "set",
    "drain", "cordon", "top", "pods", "po", "deployments", "deploy/web", "pod/lonely", "ns", "nodes", "all", "events",
    "configmap", "secret", "generic", "svc", "jobs", "cm", "web", "lonely", "demo", "-n", "demo", "-A", "--all-namespaces",
    "-o", "wide", "yaml", "json", "name", "-o=jsonpath={.items[*].metadata.name}", "-ojsonpath={.spec..image}",
    "-o=custom-columns=N:.metadata.name", "-o=go-template={{.}}", "-l", "app=x", "app!=x", "app in (x,y)", "-l=",
    "--selector=app", "--field-selector=status.phase=Running", "--field-selector=", "-w", "--watch",
    "--replicas=0", "--replicas=-1", "--replicas=99999999999999999999", "--image=nginx", "--image=", "--for=condition=Available",
    "--for=delete", "--timeout=1s", "--timeout=-1s", "--timeout=abc", "--dry-run=client", "--dry-run=bogus", "--grace-period=0",
    "--force", "--overwrite", "tier=web", "tier-", "a=b=c", "=", "-", "--", "---", "-f", "-f=-", "--from-literal=a=b",
    "--from-literal=", "--port=80", "--restart=Never", "--", "sh", "-c", "'echo hi'", "\"quoted words\"", "'", "\"", "\\",
    "\\\"", "''", "\"\"", "é", "🙂", "\t", "$(x)", "|", ">", ";", "&&", "*", "?", "{", "}", "[", "]", "%", "\u{0}",
];

/// Flags whose values kubectl parses itself (templates, selectors, durations, numbers), with values
/// from the alphabet of their little languages, quoted so that they reach the parser in one piece.
fn parsed_flag() -> impl Strategy<Value = String> {
    let flags = prop::sample::select(&[
        "-o=jsonpath=", "-o=custom-columns=", "-o=go-template=", "-l=", "--selector=", "--field-selector=", "--for=",
        "--for=jsonpath=", "--for=condition=", "--timeout=", "--replicas=", "--grace-period=", "--sort-by=", "-o=",
    ][..]);
    (flags, "[{}\\[\\]().,*@?=!<>:'\"$a-z0-9 _-]{0,24}").prop_map(|(f, v)| format!("'{f}{}'", v.replace('\'', "")))
}

fn command_line() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        8 => prop::sample::select(WORDS).prop_map(str::to_string),
        2 => parsed_flag(),
        1 => "\\PC{0,10}",
        1 => "--[a-z-]{1,12}(=[a-z0-9]{0,5})?",
    ];
    prop::collection::vec(word, 0..9).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut w = World::bare(1);
        apply_and_create(&mut w, &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn generated_yaml_never_panics(text in yaml_stream()) {
        let mut w = World::bare(1);
        apply_and_create(&mut w, &text);
    }

    #[test]
    fn parsed_flag_values_never_panic(
        verb in prop::sample::select(&["get", "get -w", "describe", "wait", "scale", "label", "annotate", "delete", "run x --image=y", "create deployment d --image=y"][..]),
        target in prop::sample::select(&["pods", "deploy/web", "pod/lonely", "all", "nodes", "cm -n demo", "pods -A", "ns", ""][..]),
        flags in prop::collection::vec(parsed_flag(), 1..3),
    ) {
        let mut w = api_only_world();
        let line = format!("{verb} {target} {}", flags.join(" "));
        let out = run(&mut w, &line, None);
        for id in out.watching.iter().map(|x| x.watch_id) {
            w.run_for(1000);
            w.close_kubectl_watch(id);
        }
    }

    #[test]
    fn command_lines_never_panic(line in command_line(), stdin in proptest::option::of("\\PC{0,40}")) {
        let mut w = api_only_world();
        let out = run(&mut w, &line, stdin.as_deref());
        for id in out.watching.iter().map(|x| x.watch_id) {
            w.run_for(1000);
            w.close_kubectl_watch(id);
        }
    }
}

proptest! {
    // Each case runs a whole cluster for a while, so fewer cases.
    #![proptest_config(config(64))]

    /// The odd value passes through admission (or not), and then the scheduler, the controllers and the
    /// kubelets see whatever was stored: none of them may panic on it.
    #[test]
    fn odd_fields_never_panic_the_cluster(text in mutated_manifest()) {
        let mut w = World::new(3);
        let out = run(&mut w, "apply -f -", Some(&text));
        prop_assert!(!out.combined().is_empty());
        w.run_for(20_000);
        run(&mut w, "get all -A -o wide", None);
        run(&mut w, "describe pods", None);
        run(&mut w, "apply -f -", Some(&text));
        run(&mut w, "delete -f -", Some(&text));
        w.run_for(5_000);
    }
}

/// The generator itself: block and flow rendering of one small tree, so a broken renderer (which
/// would make the properties above test nothing) shows here.
#[test]
fn renderer_writes_block_and_flow_yaml() {
    let tree = Node::Map(vec![("a".into(), Node::Seq(vec![Node::Scalar("1".into()), Node::Map(vec![("b".into(), Node::Scalar("x".into()))], true)], false))], false);
    let mut text = String::new();
    render(&tree, 0, &mut text);
    assert_eq!(text, "\na: \n  - 1\n  - {b: x}");
    let parsed: serde_yaml::Value = serde_yaml::from_str(&text).expect("the rendering is YAML");
    assert_eq!(parsed["a"][1]["b"], serde_yaml::Value::from("x"));
}
