//! Generated YAML for the fuzz properties: random keys and values from Kubernetes' vocabulary and
//! YAML's sharp edges, deep nesting, block and flow style, anchors and aliases, several documents.

use proptest::prelude::*;

pub const KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "generateName",
    "spec",
    "status",
    "containers",
    "initContainers",
    "image",
    "command",
    "args",
    "env",
    "value",
    "valueFrom",
    "ports",
    "containerPort",
    "resources",
    "limits",
    "requests",
    "cpu",
    "memory",
    "replicas",
    "selector",
    "matchLabels",
    "matchExpressions",
    "template",
    "volumes",
    "volumeMounts",
    "mountPath",
    "data",
    "stringData",
    "type",
    "restartPolicy",
    "nodeSelector",
    "nodeName",
    "tolerations",
    "affinity",
    "schedule",
    "jobTemplate",
    "completions",
    "parallelism",
    "backoffLimit",
    "rules",
    "http",
    "paths",
    "backend",
    "port",
    "targetPort",
    "clusterIP",
    "hard",
    "ownerReferences",
    "finalizers",
    "resourceVersion",
    "uid",
    "<<",
    "",
    "x y",
    "ключ",
    "🙂",
    "a:b",
    "-",
    "?",
];

pub const KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Service",
    "ConfigMap",
    "Secret",
    "Namespace",
    "Node",
    "ResourceQuota",
    "LimitRange",
    "PersistentVolumeClaim",
    "Ingress",
    "NetworkPolicy",
    "HorizontalPodAutoscaler",
    "ServiceAccount",
    "ClusterRole",
    "RoleBinding",
    "Lease",
    "Endpoints",
    "Event",
    "PodDisruptionBudget",
    "PriorityClass",
    "StorageClass",
    "Foo",
    "",
    "pod",
    "List",
];

pub const VERSIONS: &[&str] = &[
    "v1",
    "apps/v1",
    "batch/v1",
    "networking.k8s.io/v1",
    "policy/v1",
    "autoscaling/v2",
    "rbac.authorization.k8s.io/v1",
    "v2",
    "",
    "a/b/c",
    "/",
];

pub const SCALARS: &[&str] = &[
    "0",
    "-1",
    "1e400",
    "-1e400",
    "99999999999999999999999999",
    "0x1F",
    "0o17",
    ".inf",
    "-.inf",
    ".nan",
    "~",
    "null",
    "true",
    "yes",
    "No",
    "2024-01-01T00:00:00Z",
    "1.5",
    "500m",
    "1Gi",
    "10Ki",
    "1e3",
    "\"\"",
    "''",
    "\"a\\tb\"",
    "'it''s'",
    "x\ty",
    "\u{0}",
    "é",
    "日本語",
    "🚀",
    "|",
    ">",
    "!!binary aGVsbG8=",
    "!!str 1",
    "!custom x",
    "&",
    "*",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#c",
    "%",
    "@",
    "`",
    "- -",
    "? x",
    "a: b",
    "<<: *x",
];

/// A generated YAML node.
#[derive(Debug, Clone)]
pub enum Node {
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
pub fn render(n: &Node, indent: usize, out: &mut String) {
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
pub fn yaml_stream() -> impl Strategy<Value = String> {
    let doc =
        (prop::sample::select(VERSIONS), prop::sample::select(KINDS), "[a-z]{1,8}", node(), any::<bool>(), any::<u8>());
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
