//! Scenario tests of ingress-nginx as kind's guide installs it: a whole cluster, the guide's
//! `kubectl apply -f URL`, Ingresses, and `wget`/`curl` from a pod through the controller. Each
//! cites the ingress-nginx behaviour it checks.

use crate::sim::kubectl::{self, NoFiles, Output};
use crate::sim::world::World;

use super::manifest::KIND_URL;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn apply(w: &mut World, yaml: &str) {
    let out = kubectl::execute(w, "apply -f -", Some(yaml), &NoFiles);
    assert!(!out.failed, "{out:?}");
}

/// An http-echo Deployment `name` answering `name` (agnhost's serve-hostname, answering its pod's
/// name, when `hostname`), behind a Service on port 80.
fn echo(name: &str, replicas: u32, hostname: bool) -> String {
    let (image, args) = if hostname {
        ("registry.k8s.io/e2e-test-images/agnhost:2.53", "[serve-hostname, --port=5678]".to_string())
    } else {
        ("hashicorp/http-echo:1.0", format!("[\"-text={name}\", \"-listen=:5678\"]"))
    };
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n      - name: echo\n        image: {image}\n        args: {args}\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  selector: {{app: {name}}}\n  ports: [{{port: 80, targetPort: 5678}}]\n"
    )
}

fn path(p: &str, kind: &str, svc: &str) -> String {
    format!(
        "      - {{path: \"{p}\", pathType: {kind}, backend: {{service: {{name: {svc}, port: {{number: 80}}}}}}}}\n"
    )
}

/// A cluster with ingress-nginx installed from the guide's URL, a busybox `client` and the echo
/// backends `a`, `b` (two replicas), `c`, and `empty` (a Service whose selector matches nothing).
fn cluster(seed: u64) -> World {
    let mut w = World::new(seed);
    let out = kubectl(&mut w, &format!("apply -f {KIND_URL}"));
    assert!(!out.failed && out.stdout.contains("ingressclass.networking.k8s.io/nginx created"), "{out:?}");
    for (name, n) in [("a", 1), ("b", 2), ("c", 1)] {
        apply(&mut w, &echo(name, n, name == "b"));
    }
    apply(
        &mut w,
        "apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec:\n  selector: {app: nobody}\n  ports: [{port: 80}]\n",
    );
    let out = kubectl(&mut w, "run client --image=busybox:1.37 -- sleep infinity");
    assert!(!out.failed, "{out:?}");
    w.run_for(60_000);
    w
}

/// What `wget -q -O-` from the client to the controller's Service with this Host prints (its
/// stdout and stderr, as `kubectl exec` without a terminal passes both on).
fn get(w: &mut World, host: &str, path: &str) -> String {
    let out = kubectl(
        w,
        &format!(
            "exec client -- wget -q -O- -T 5 --header 'Host: {host}' http://ingress-nginx-controller.ingress-nginx.svc{path}"
        ),
    );
    out.stdout
}

fn error(status: &str) -> String {
    format!("wget: server returned error: HTTP/1.1 {status}\n")
}

fn ingress(name: &str, spec: &str) -> String {
    format!("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\nspec:\n{spec}")
}

/// `updateServerLocations` and nginx's location order: an exact (`=`) location first, then the
/// longest prefix; Prefix matches by whole path elements, ImplementationSpecific as nginx's string
/// prefix; a request no location takes gets the server's `/`.
#[test]
fn paths_are_matched_exact_first_then_longest_prefix() {
    let mut w = cluster(1);
    let rules = format!(
        "  ingressClassName: nginx\n  rules:\n  - host: foo.local\n    http:\n      paths:\n{}{}{}{}",
        path("/", "Prefix", "a"),
        path("/b", "Prefix", "b"),
        path("/b/c", "Exact", "c"),
        path("/img", "ImplementationSpecific", "c"),
    );
    apply(&mut w, &ingress("paths", &rules));
    w.run_for(2_000);
    for (p, want) in [
        ("/", "a"),
        ("/x/y", "a"),
        ("/b", "b"),
        ("/b/", "b"),
        ("/b/c", "c"),
        ("/b/c/d", "b"),
        ("/bee", "a"),
        ("/img", "c"),
        ("/imgs/x", "c"),
    ] {
        let got = get(&mut w, "foo.local", p);
        assert!(got.starts_with(want) && got.len() > 1, "{p}: {got:?}");
    }
}

/// nginx's server selection as ingress-nginx writes it: the exact host first, then `*.domain`
/// (`buildServerName`: a one-label regex), else the catch-all whose `/` is the default backend:
/// 404 with nginx's page and no version (`server_tokens off`). The class's status address is
/// written (`--publish-status-address=localhost`) and each change is a `Sync` event.
#[test]
fn hosts_exact_then_wildcard_else_the_default_backends_404() {
    let mut w = cluster(2);
    let rules = format!(
        "  rules:\n  - host: foo.example.com\n    http:\n      paths:\n{}  - host: \"*.example.com\"\n    http:\n      paths:\n{}",
        path("/", "Prefix", "a"),
        path("/", "Prefix", "c"),
    );
    apply(&mut w, &ingress("hosts", &rules));
    w.run_for(2_000);
    assert_eq!(get(&mut w, "foo.example.com", "/"), "a\n");
    assert_eq!(get(&mut w, "bar.example.com:80", "/"), "c\n");
    assert_eq!(get(&mut w, "a.b.example.com", "/"), error("404 Not Found"));
    // busybox has no curl (`executable file not found`): the curl image has.
    let no_curl = kubectl(&mut w, "exec client -- curl -s http://ingress-nginx-controller.ingress-nginx.svc/");
    assert!(no_curl.stderr.contains("exec: \"curl\": executable file not found in $PATH"), "{no_curl:?}");
    kubectl(&mut w, "run curler --image=curlimages/curl:8.11.1 -- sleep infinity");
    w.run_for(20_000);
    let curl = kubectl(
        &mut w,
        "exec curler -- curl -s -H 'Host: nobody.local' http://ingress-nginx-controller.ingress-nginx.svc/",
    );
    assert_eq!(
        curl.stdout,
        "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        "{curl:?}"
    );
    w.run_for(60_000);
    let got = kubectl(&mut w, "get ing hosts -o jsonpath={.status.loadBalancer.ingress[0].hostname}");
    assert_eq!(got.stdout, "localhost");
    let events =
        kubectl(&mut w, "get events --field-selector involvedObject.name=hosts -o jsonpath={.items[*].reason}");
    assert_eq!(events.stdout, "Sync");
}

/// A backend with no ready endpoint, or a Service that does not exist, is an upstream with no
/// servers: 503 Service Temporarily Unavailable. Endpoints are used directly, round robin (the Lua
/// balancer's default), not through the ClusterIP.
#[test]
fn no_endpoints_or_no_service_is_503_and_endpoints_take_turns() {
    let mut w = cluster(3);
    let rules = format!(
        "  ingressClassName: nginx\n  rules:\n  - http:\n      paths:\n{}{}{}",
        path("/empty", "Prefix", "empty"),
        path("/missing", "Prefix", "missing"),
        path("/b", "Prefix", "b"),
    );
    apply(&mut w, &ingress("errors", &rules));
    w.run_for(2_000);
    for p in ["/empty", "/missing"] {
        assert_eq!(get(&mut w, "any.local", p), error("503 Service Temporarily Unavailable"), "{p}");
    }
    let hosts: Vec<String> = (0..4).map(|_| get(&mut w, "any.local", "/b/x")).collect();
    assert!(hosts.iter().all(|h| h.starts_with("b-")), "{hosts:?}");
    assert_ne!(hosts[0], hosts[1], "round robin: {hosts:?}");
    assert_eq!((&hosts[0], &hosts[1]), (&hosts[2], &hosts[3]), "round robin: {hosts:?}");
}

/// Ingresses of another class are not this controller's (`GetIngressClass`): no route, no status,
/// no event. The legacy annotation must say `nginx`.
#[test]
fn other_classes_are_ignored() {
    let mut w = cluster(4);
    apply(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: other}\nspec: {controller: example.com/other}\n",
    );
    let other = format!(
        "  ingressClassName: other\n  rules:\n  - host: other.local\n    http:\n      paths:\n{}",
        path("/", "Prefix", "a")
    );
    apply(&mut w, &ingress("other", &other));
    let legacy = format!("  rules:\n  - host: legacy.local\n    http:\n      paths:\n{}", path("/", "Prefix", "a"));
    apply(
        &mut w,
        &ingress("legacy", &legacy)
            .replace("  name: legacy\n", "  name: legacy\n  annotations: {kubernetes.io/ingress.class: traefik}\n"),
    );
    w.run_for(61_000);
    for host in ["other.local", "legacy.local"] {
        assert_eq!(get(&mut w, host, "/"), error("404 Not Found"), "{host}");
    }
    let status = kubectl(&mut w, "get ing -o jsonpath={.items[*].status.loadBalancer.ingress}");
    assert_eq!(status.stdout, "", "no status written");
    assert_eq!(kubectl(&mut w, "get events --field-selector reason=Sync").stdout, "");
}

/// kind's guide reaches the controller through its node's ports 80 and 443 (`hostPort`, the CNI
/// portmap plugin); the proxied connection is the controller pod's, so a NetworkPolicy that isolates
/// the backend drops it and nginx answers 504 after its tries.
#[test]
fn through_the_nodes_host_port_and_subject_to_network_policy() {
    let mut w = cluster(5);
    apply(&mut w, &ingress("web", &format!("  rules:\n  - http:\n      paths:\n{}", path("/", "Prefix", "a"))));
    w.run_for(2_000);
    let node_ip = kubectl(&mut w, "get pods -n ingress-nginx -o jsonpath={.items[0].status.hostIP}").stdout;
    let via_node = kubectl(&mut w, &format!("exec client -- wget -q -O- -T 5 http://{node_ip}/"));
    assert_eq!(via_node.stdout, "a\n", "{via_node:?}");
    apply(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec:\n  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Ingress]\n",
    );
    assert_eq!(get(&mut w, "x", "/"), error("504 Gateway Time-out"));
}

/// The URL of kind's guide is the only one the sandbox can fetch; any other does not resolve and
/// changes nothing.
#[test]
fn other_urls_do_not_resolve() {
    let mut w = World::new(6);
    let out = kubectl(&mut w, "apply -f https://raw.githubusercontent.com/x/y/main/deploy.yaml");
    assert!(out.failed);
    assert_eq!(
        out.stderr,
        "Unable to connect to the server: dial tcp: lookup raw.githubusercontent.com on 127.0.0.53:53: no such host\n"
    );
    assert_eq!(
        kubectl(&mut w, "get ns ingress-nginx").stderr,
        "Error from server (NotFound): namespaces \"ingress-nginx\" not found\n"
    );
}

/// The DefaultIngressClass admission plugin: once `nginx` is annotated as the default class, an
/// Ingress created without a class gets `ingressClassName: nginx`; one with the legacy annotation,
/// or created before, keeps none.
#[test]
fn the_default_class_is_filled_in_on_create() {
    let mut w = cluster(7);
    let rule = format!("  rules:\n  - http:\n      paths:\n{}", path("/", "Prefix", "a"));
    apply(&mut w, &ingress("before", &rule));
    let out = kubectl(&mut w, "annotate ingressclass nginx ingressclass.kubernetes.io/is-default-class=true");
    assert!(!out.failed, "{out:?}");
    apply(&mut w, &ingress("after", &rule));
    let legacy = ingress("legacy", &rule)
        .replace("  name: legacy\n", "  name: legacy\n  annotations: {kubernetes.io/ingress.class: nginx}\n");
    apply(&mut w, &legacy);
    let classes = kubectl(&mut w, "get ing after before legacy -o jsonpath={.items[*].spec.ingressClassName}");
    assert_eq!(classes.stdout, "nginx");
    let cols = kubectl(&mut w, "get ing after");
    assert!(cols.stdout.lines().nth(1).is_some_and(|l| l.starts_with("after   nginx   *")), "{cols:?}");
}

/// The packets (sender, receiver, summary, decision, filtered) sent since trace id `since`.
fn packets(w: &World, since: u64) -> Vec<(String, String, String, String, bool)> {
    let entries = w.k.trace.entries().iter().filter(|e| e.id >= since && e.kind == "packet");
    entries
        .map(|e| {
            let filtered = e.fate == crate::sim::trace::Fate::Filtered;
            (e.from.to_string(), e.to.to_string(), e.summary.clone(), e.decision.clone().unwrap_or_default(), filtered)
        })
        .collect()
}

/// nginx proxies to the endpoint's own address (`proxy_pass http://upstream_balancer`, the Lua
/// balancer picking `ip:port` from the EndpointSlices), not the ClusterIP: after the client's
/// connection to the controller's pod, the controller's pod opens its own, which no Service rule
/// matches (the first hop is kindnet's), and its HTTP answer goes back to the client. Each hop is
/// caused by the one before; the first proxied one names the location, the upstream and the endpoint.
#[test]
fn the_proxied_connection_is_drawn_hop_by_hop() {
    let mut w = cluster(8);
    apply(&mut w, &ingress("web", &format!("  rules:\n  - http:\n      paths:\n{}", path("/foo", "Prefix", "a"))));
    w.run_for(2_000);
    let since = w.k.next_id();
    assert_eq!(get(&mut w, "x", "/foo"), "a\n");
    w.run_for(1_000);
    let hops = packets(&w, since);
    let is_nginx = |c: &str| c.starts_with("pod/ingress-nginx/ingress-nginx-controller-");
    let accepted = hops.iter().position(|h| is_nginx(&h.0) && h.1 == "pod/default/client" && h.2.ends_with("SYN-ACK"));
    let accepted = accepted.unwrap_or_else(|| panic!("the client's connection is accepted: {hops:#?}"));
    let proxied = &hops[accepted + 1..];
    let first = &proxied[0];
    assert!(is_nginx(&first.0) && first.1.starts_with("kindnet/") && first.2.ends_with(":5678 SYN"), "{first:?}");
    assert_eq!(
        first.3.split(" → endpoint ").next(),
        Some("server _ (catch-all), location = /foo (Prefix /foo of Ingress default/web) → upstream default-a-80"),
        "{first:?}"
    );
    let backend = proxied.iter().position(|h| h.1.starts_with("pod/default/a-")).expect("reaches a's pod");
    let answer = &proxied[backend + 1];
    assert!(
        answer.0.starts_with("pod/default/a-") && is_nginx(&answer.1) && answer.2.ends_with("SYN-ACK"),
        "{answer:?}"
    );
    let last = proxied.last().expect("nginx's answer");
    assert!(is_nginx(&last.0) && last.1 == "pod/default/client", "{last:?}");
    assert!(last.2.ends_with("HTTP/1.1 200 OK") && last.3.starts_with("nginx passes on "), "{last:?}");
    assert_eq!(proxied.len(), backend + 3, "nothing after the answer: {proxied:#?}");
    let entries: Vec<_> = w.k.trace.entries().iter().filter(|e| e.id >= since && e.kind == "packet").collect();
    let from_accept = &entries[accepted..];
    assert!(from_accept.windows(2).all(|p| p[1].cause == Some(p[0].id)), "each hop caused by the one before");
}

/// A NetworkPolicy that isolates the backend drops nginx's connection where kindnet decides it;
/// the drop ends that try, not the request: nginx's 504 still goes back to the client.
#[test]
fn a_dropped_proxied_connection_is_drawn_and_answered_504() {
    let mut w = cluster(9);
    apply(&mut w, &ingress("web", &format!("  rules:\n  - http:\n      paths:\n{}", path("/", "Prefix", "a"))));
    apply(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec:\n  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Ingress]\n",
    );
    w.run_for(2_000);
    let since = w.k.next_id();
    assert_eq!(get(&mut w, "x", "/"), error("504 Gateway Time-out"));
    w.run_for(1_000);
    let hops = packets(&w, since);
    let dropped = hops.iter().position(|h| h.4).unwrap_or_else(|| panic!("a drop: {hops:#?}"));
    assert!(hops[dropped].0.starts_with("kindnet/") || hops[dropped].0.starts_with("pod/ingress-nginx/"));
    assert!(hops[dropped].3.starts_with("dropped: the destination pod is isolated for ingress"), "{hops:#?}");
    let last = hops.last().expect("nginx's answer");
    assert!(last.1 == "pod/default/client" && last.2.ends_with("HTTP/1.1 504 Gateway Time-out"), "{last:?}");
    assert!(last.3.contains("upstream default-a-80: an endpoint tried did not answer"), "{last:?}");
}

/// A request that starts at a node rather than a pod (the learner's `curl localhost` through the
/// node's hostPort): whatever records the client's side, nginx's own connection is the controller
/// pod's and is recorded all the same.
#[test]
fn from_a_node_nginxs_own_connection_is_recorded() {
    use crate::sim::dataplane::view::PodNetwork;
    use crate::sim::node::behaviour::net::{Connect, Network};
    use crate::sim::node::behaviour::nettools::http::Response;
    let mut w = cluster(10);
    apply(&mut w, &ingress("web", &format!("  rules:\n  - http:\n      paths:\n{}", path("/", "Prefix", "a"))));
    w.run_for(2_000);
    let node = kubectl(&mut w, "get pods -n ingress-nginx -o jsonpath={.items[0].spec.nodeName}").stdout;
    let node_ip = kubectl(&mut w, "get pods -n ingress-nginx -o jsonpath={.items[0].status.hostIP}").stdout;
    let now = w.now();
    let World { nodes, apiserver, k, ingress, .. } = &mut w;
    let view = PodNetwork::new(nodes, &apiserver.cache, &mut k.rng, &node, now).with_ingress(ingress);
    let Connect::Open(peer) = view.connect(&node_ip, 80) else { panic!("the hostPort is open") };
    assert_eq!(view.http(&peer, "localhost", "/"), Response::Http { status: 200, body: "a\n".into() });
    let hops = view.take_hops();
    let first = hops.first().expect("nginx's connection");
    assert!(first.from.to_string().starts_with("pod/ingress-nginx/") && first.to.to_string().starts_with("kindnet/"));
    assert!(hops.iter().any(|h| h.packet.what == "SYN-ACK" && h.from.to_string().starts_with("pod/default/a-")));
}
