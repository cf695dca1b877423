//! HTTP request lines as real clients send them, and what each asks of the apiserver.

use super::*;

fn api(method: &str, target: &str, body: &str) -> (ApiRequest, Option<RowObject>) {
    match route(method, target, "application/json", "application/json", body.as_bytes()) {
        Route::Api { request, table } => (*request, table),
        other => panic!("{method} {target}: {other:?}"),
    }
}

fn error(method: &str, target: &str, content_type: &str) -> Status {
    match route(method, target, content_type, "", b"{}") {
        Route::Error(s) => s,
        other => panic!("{method} {target}: {other:?}"),
    }
}

#[test]
fn object_paths_become_requests() {
    let (r, _) = api("GET", "/api/v1/namespaces/default/pods?limit=500", "");
    assert_eq!(
        (r.verb.clone(), r.resource.plural, r.namespace.as_deref(), r.name.as_deref()),
        (Verb::List, "pods", Some("default"), None)
    );
    let (r, _) = api("GET", "/apis/apps/v1/namespaces/web/deployments/api", "");
    assert_eq!((r.verb.clone(), r.resource.kind, r.name.as_deref()), (Verb::Get, "Deployment", Some("api")));
    let (r, _) = api("GET", "/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%29&watch=true&resourceVersion=12", "");
    assert_eq!(r.verb, Verb::Watch);
    assert_eq!(api("GET", "/api/v1/pods?watch=True", "").0.verb, Verb::Watch, "ParseBool's spellings");
    assert_eq!(r.options.label_selector.as_deref(), Some("app=web,tier in (a)"));
    assert_eq!((r.namespace, r.options.resource_version), (None, Some(12)));
    let (r, _) = api("GET", "/api/v1/namespaces/kube-system", "");
    assert_eq!((r.resource.plural, r.name.as_deref(), r.namespace), ("namespaces", Some("kube-system"), None));
    let (r, _) = api("PUT", "/api/v1/namespaces/gone/finalize", "{}");
    assert_eq!(
        (r.resource.plural, r.name.as_deref(), r.subresource.as_deref()),
        ("namespaces", Some("gone"), Some("finalize"))
    );
    let (r, _) = api(
        "POST",
        "/api/v1/namespaces/default/configmaps?dryRun=All&fieldManager=kubectl-create",
        r#"{"metadata":{"name":"c"}}"#,
    );
    assert_eq!((r.verb.clone(), r.options.dry_run), (Verb::Create, true));
    let (r, _) = api(
        "DELETE",
        "/apis/apps/v1/namespaces/default/deployments/web",
        r#"{"propagationPolicy":"Foreground","gracePeriodSeconds":0}"#,
    );
    assert_eq!(
        (r.verb.clone(), r.options.propagation_policy.as_deref(), r.options.grace_period_seconds),
        (Verb::Delete, Some("Foreground"), Some(0))
    );
    assert!(r.body.is_none(), "DeleteOptions are options, not an object");
    let r = route("PATCH", "/api/v1/nodes/n1", "application/strategic-merge-patch+json", "", b"{}");
    assert!(matches!(r, Route::Api { request, .. } if request.verb == Verb::Patch(PatchType::Strategic)));
}

#[test]
fn table_is_asked_for_in_accept() {
    let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    let r = route("GET", "/api/v1/namespaces/default/pods", "", kubectl, b"");
    assert!(matches!(r, Route::Api { table: Some(RowObject::Metadata), .. }));
    assert_eq!(api("GET", "/api/v1/pods", "").1, None);
    // `kubectl get --sort-by` asks for whole objects in the rows.
    let sorting = route("GET", "/api/v1/pods?includeObject=Object", "", kubectl, b"");
    assert!(matches!(sorting, Route::Api { table: Some(RowObject::Object), .. }));
}

#[test]
fn documents_and_the_clock() {
    assert!(matches!(route("GET", "/version?timeout=32s", "", "", b""), Route::Version));
    assert!(matches!(route("GET", "/readyz", "", "", b""), Route::Health));
    assert!(matches!(route("GET", "/apis/batch/v1", "", "", b""), Route::Resources { .. }));
    assert!(matches!(route("GET", "/openapi/v3", "", "", b""), Route::OpenApiRoot));
    assert!(
        matches!(route("GET", "/openapi/v3/apis/apps/v1?hash=x", "", "", b""), Route::OpenApi(p) if p == "apis/apps/v1")
    );
    assert!(matches!(route("POST", "/sandbox/v1/advance?duration=1m30s", "", "", b""), Route::Advance(90_000)));
    assert!(matches!(route("POST", "/sandbox/v1/advance?duration=soon", "", "", b""), Route::Error(_)));
    assert!(matches!(route("POST", "/sandbox/v1/advance?duration=25h", "", "", b""), Route::Error(_)), "a day at most");
}

#[test]
fn bad_requests_get_the_apiservers_answers() {
    assert_eq!(error("GET", "/apis/apps/v1/namespaces/default/widgets", "").code, 404);
    assert_eq!(error("GET", "/api/v1/namespaces/default/nodes", "").code, 404, "nodes are not namespaced");
    assert_eq!(error("GET", "/nonsense", "").code, 404);
    assert_eq!(error("POST", "/api/v1/namespaces/default/pods/p/log", "").code, 404, "logs are read, not written");
    assert_eq!(error("GET", "/api/v1/namespaces/default/pods/p/log?tailLines=x", "").code, 400);
    assert!(matches!(
        route("GET", "/api/v1/namespaces/default/pods/p/log?container=c&tailLines=2", "", "", b""),
        Route::Log(r) if r.pod == "p" && r.container.as_deref() == Some("c") && r.tail_lines == Some(2)
    ));
    assert_eq!(error("POST", "/api/v1/namespaces/default/configmaps/c/eviction", "application/json").code, 404);
    assert_eq!(error("PATCH", "/api/v1/namespaces/default/pods/p", "application/xml").code, 415);
    // A JSON patch and an apply go to the apiserver (which refuses the apply with a 415 of its own).
    for (content_type, patch) in
        [("application/json-patch+json", PatchType::Json), ("application/apply-patch+yaml", PatchType::Apply)]
    {
        let r = route("PATCH", "/api/v1/namespaces/default/pods/p", content_type, "", b"[]");
        assert!(matches!(r, Route::Api { request, .. } if request.verb == Verb::Patch(patch)), "{content_type}");
    }
    // `limit` and `continue` reach a list; `resourceVersion=0` lists are served whole.
    let limited = |target: &str| match route("GET", target, "", "", b"") {
        Route::Api { request, .. } => (request.options.limit, request.options.continue_token),
        other => panic!("{other:?}"),
    };
    assert_eq!(limited("/api/v1/pods?limit=500&continue=abc"), (Some(500), Some("abc".into())));
    assert_eq!(limited("/api/v1/pods?limit=500&resourceVersion=0"), (None, None));
    assert_eq!(limited("/api/v1/pods?limit=-1&continue="), (None, None));
    assert_eq!(error("PATCH", "/api/v1/namespaces/default/pods", "application/merge-patch+json").code, 405);
    match route("POST", "/api/v1/namespaces/default/pods", "application/json", "", b"{not json") {
        Route::Error(s) => assert_eq!(s.code, 400),
        other => panic!("{other:?}"),
    }
}

#[test]
fn durations_read_as_go_reads_them() {
    for (s, want) in [
        ("90s", Some(90_000)),
        ("1m30s", Some(90_000)),
        ("500ms", Some(500)),
        ("2h", Some(7_200_000)),
        ("1.5s", Some(1500)),
    ] {
        assert_eq!(parse_duration(s), want, "{s}");
    }
    for bad in ["", "10", "1x", "-1s", "s", "1e99h"] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
}

#[test]
fn streaming_subresources_route_to_their_handlers_and_the_rest_is_404() {
    let r = route("GET", "/api/v1/namespaces/default/pods/web/attach?container=nginx&stdout=true", "", "", b"");
    assert!(
        matches!(&r, Route::Attach(a) if a.pod == "web" && a.container.as_deref() == Some("nginx") && a.stdout),
        "{r:?}"
    );
    assert!(matches!(
        route("POST", "/api/v1/namespaces/default/pods/web/attach?stderr=1", "", "", b""),
        Route::Attach(_)
    ));
    // Attach is a pod's: a deployment has none, and a cluster-wide pod path names no namespace.
    assert_eq!(error("GET", "/apis/apps/v1/namespaces/default/deployments/web/attach?stdout=true", "").code, 404);
    let forward = route("POST", "/api/v1/namespaces/default/pods/web/portforward", "", "", b"");
    assert!(matches!(&forward, Route::PortForward(p) if p.namespace == "default" && p.pod == "web"), "{forward:?}");
    assert!(matches!(
        route("GET", "/api/v1/namespaces/x/pods/web/portforward?ports=80", "", "", b""),
        Route::PortForward(_)
    ));
    assert_eq!(error("PUT", "/api/v1/namespaces/default/pods/web/portforward", "").code, 404);
    assert_eq!(error("POST", "/api/v1/namespaces/default/services/web/portforward", "").code, 404);
    assert_eq!(error("GET", "/api/v1/namespaces/default/pods/web/proxy", "").code, 404);
    assert_eq!(error("GET", "/api/v1/namespaces/default/pods/web/attach", "").code, 400);
}
