//! Arbitrary HTTP requests as `sandbox serve` reads them: methods, paths built from the API's own
//! words and odd ones, query parameters with odd values, content types and bodies (JSON objects,
//! protobuf-looking bytes, noise), for the router and then the simulated apiserver behind it.

use proptest::prelude::*;

/// A method, real or not.
pub fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE"]),
        1 => prop::sample::select(vec!["HEAD", "OPTIONS", "get", "BREW"]),
    ]
    .prop_map(str::to_string)
}

/// A path segment: the API's words, names, and noise (percent escapes, dots, empty).
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "api", "apis", "v1", "apps", "batch", "namespaces", "default", "demo", "kube-system", "pods",
            "deployments", "configmaps", "services", "nodes", "jobs", "web", "settings", "status", "scale",
            "binding", "eviction", "finalize", "log", "exec", "attach", "portforward", "openapi", "v3", "version", "sandbox", "advance",
            "widgets", "storage.k8s.io", "networking.k8s.io",
        ])
        .prop_map(str::to_string),
        1 => "[a-z0-9.%-]{0,12}",
        1 => Just("..".to_string()),
    ]
}

/// A path's beginning: mostly the API's real prefixes, so that most requests reach a resource.
fn prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "/api/v1", "/api/v1/namespaces/default", "/api/v1/namespaces/demo", "/apis/apps/v1",
            "/apis/apps/v1/namespaces/default", "/apis/batch/v1/namespaces/default", "/openapi/v3",
            "/apis/networking.k8s.io/v1/namespaces/default", "/api/v1/namespaces/nope",
        ])
        .prop_map(str::to_string),
        1 => Just(String::new()),
    ]
}

/// A path as real clients send them: a served collection, maybe a name, maybe a subresource; or
/// sometimes any segments at all after a prefix.
fn path() -> impl Strategy<Value = String> {
    let word = |words: Vec<&'static str>| prop::sample::select(words).prop_map(str::to_string);
    let collection = word(vec![
        "/api/v1/namespaces/default/pods",
        "/api/v1/namespaces/default/configmaps",
        "/api/v1/namespaces/default/services",
        "/api/v1/namespaces/default/events",
        "/api/v1/namespaces/demo/configmaps",
        "/api/v1/namespaces/nope/pods",
        "/api/v1/namespaces",
        "/api/v1/nodes",
        "/api/v1/pods",
        "/apis/apps/v1/namespaces/default/deployments",
        "/apis/apps/v1/namespaces/default/replicasets",
        "/apis/batch/v1/namespaces/default/jobs",
        "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies",
    ]);
    prop_oneof![
        3 => (
            collection,
            prop::option::of(word(vec!["web", "settings", "lonely", "demo", "default", "nope", "sandbox-worker"])),
            prop::option::of(word(vec![
                "status", "scale", "binding", "eviction", "log", "finalize", "exec", "attach", "portforward",
            ])),
        )
            .prop_map(|(c, name, sub)| [Some(c), name, sub].into_iter().flatten().collect::<Vec<_>>().join("/")),
        1 => (prefix(), prop::collection::vec(segment(), 0..5))
            .prop_map(|(prefix, segs)| format!("{prefix}/{}", segs.join("/"))),
    ]
}

/// A request target: a prefix, the rest of the path, and a query.
pub fn target() -> impl Strategy<Value = String> {
    let param = (
        prop::sample::select(vec![
            "watch",
            "limit",
            "continue",
            "resourceVersion",
            "labelSelector",
            "fieldSelector",
            "dryRun",
            "fieldValidation",
            "as",
            "timeoutSeconds",
            "allowWatchBookmarks",
            "sendInitialEvents",
            "duration",
            "propagationPolicy",
            "gracePeriodSeconds",
            "fieldManager",
            "force",
            "stdout",
            "stdin",
            "container",
            "x",
        ]),
        prop_oneof![
            Just("true".to_string()),
            Just("All".to_string()),
            Just("Strict".to_string()),
            Just("Table".to_string()),
            Just("0".to_string()),
            Just("-1".to_string()),
            Just("99999999999999999999".to_string()),
            Just("app%3Dweb".to_string()),
            Just("metadata.name%3Dweb".to_string()),
            // `continue` tokens: an old revision, a path outside the prefix, a future revision.
            Just("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJkZWZhdWx0L2FcdTAwMDAifQ".to_string()),
            Just("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiLi4vLi4vc2VjcmV0cyJ9".to_string()),
            Just("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OTk5OTk5OTksInN0YXJ0IjoiZGVmYXVsdC9hIn0".to_string()),
            "[ -~]{0,8}",
        ],
    );
    (path(), prop::collection::vec(param, 0..4)).prop_map(|(path, params)| {
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) }
    })
}

pub fn content_type() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "application/json",
        "application/yaml",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/json-patch+json",
        "application/apply-patch+yaml",
        "application/vnd.kubernetes.protobuf",
        "text/plain",
    ])
    .prop_map(str::to_string)
}

pub fn accept() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "application/json",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        "application/vnd.kubernetes.protobuf",
        "*/*",
    ])
    .prop_map(str::to_string)
}

/// A body: nothing, JSON objects shaped like the API's, JSON of the wrong shape, or bytes.
pub fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        Just(br#"{"metadata":{"name":"c"},"data":{"a":"1"}}"#.to_vec()),
        Just(br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#.to_vec()),
        Just(br#"{"spec":{"replicas":3}}"#.to_vec()),
        Just(br#"[{"op":"replace","path":"/spec/replicas","value":2}]"#.to_vec()),
        Just(br#"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"web"},"target":{"kind":"Node","name":"nope"}}"#.to_vec()),
        Just(br#"{"kind":"DeleteOptions","propagationPolicy":"Sideways"}"#.to_vec()),
        Just(b"[]".to_vec()),
        Just(b"null".to_vec()),
        Just(b"k8s\x00\x0a\x02\x0a\x00".to_vec()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}
