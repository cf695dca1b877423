//! Scenario tests of the data plane from inside a pod: `kubectl exec client -- nslookup|wget|curl|nc|
//! ping` on a whole simulated cluster, the answer following kube-proxy's rules, the endpoints, the
//! target pods' servers and CoreDNS's record rules. Each cites the behaviour it checks.

#[path = "dataplane/kube_dns.rs"]
mod kube_dns;
#[path = "dataplane/netpol.rs"]
mod netpol;
#[path = "dataplane/packets.rs"]
mod packets;

use k8s_sandbox::sim::kubectl::{self, NoFiles, Output};
use k8s_sandbox::sim::world::World;

fn kubectl(w: &mut World, line: &str) -> Output {
    kubectl::execute(w, line, None, &NoFiles)
}

fn apply(w: &mut World, yaml: &str) {
    let out = kubectl::execute(w, "apply -f -", Some(yaml), &NoFiles);
    assert!(!out.failed, "{out:?}");
}

/// A cluster with CoreDNS, an nginx Deployment `web` behind a Service, a busybox `client`, and a
/// curl pod `curler`.
fn cluster(seed: u64) -> World {
    let mut w = World::new(seed);
    kube_dns::ensure(&mut w);
    for line in [
        "create deployment web --image=nginx --replicas=2",
        "expose deployment web --port=80",
        "run client --image=busybox:1.37 -- sleep infinity",
        "run curler --image=curlimages/curl -- sleep infinity",
    ] {
        let out = kubectl(&mut w, line);
        assert!(!out.failed, "{line}: {out:?}");
    }
    w.run_for(60_000);
    w
}

fn cluster_ip(w: &mut World, svc: &str) -> String {
    kubectl(w, &format!("get svc {svc} -o jsonpath={{.spec.clusterIP}}")).stdout
}

fn exec(w: &mut World, pod: &str, cmd: &str) -> Output {
    kubectl(w, &format!("exec {pod} -- {cmd}"))
}

/// The kubelet's resolv.conf for ClusterFirst (dns.go): the kube-dns Service, the namespace's search
/// path, ndots:5.
#[test]
fn resolv_conf_is_the_kubelets() {
    let mut w = cluster(1);
    assert_eq!(
        exec(&mut w, "client", "cat /etc/resolv.conf").stdout,
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
}

/// CoreDNS's kubernetes plugin: `<svc>.<ns>.svc.cluster.local` is the ClusterIP; the other search
/// domains are NXDOMAIN, so busybox's nslookup (which asks under every one) exits 1.
#[test]
fn nslookup_finds_the_cluster_ip() {
    let mut w = cluster(2);
    let ip = cluster_ip(&mut w, "web");
    let out = exec(&mut w, "client", "nslookup web.default.svc.cluster.local");
    assert_eq!(
        out.stdout,
        format!(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: {ip}\n\n\n"
        )
    );
    assert!(!out.failed, "{out:?}");
    let short = exec(&mut w, "client", "nslookup web");
    assert!(short.stdout.contains(&format!("Address: {ip}\n")), "{}", short.stdout);
    assert!(short.stdout.contains("** server can't find web.svc.cluster.local: NXDOMAIN"));
    assert_eq!(short.stderr, "command terminated with exit code 1\n");
    let nx = exec(&mut w, "client", "nslookup nope.default.svc.cluster.local");
    assert!(nx.stdout.contains("** server can't find nope.default.svc.cluster.local: NXDOMAIN"), "{}", nx.stdout);
}

/// The docs' DNS-debugging pod (jessie-dnsutils): dig asks for the name as written and prints CoreDNS's
/// authoritative answer (kind's `ttl 30`); host walks the search path; `-x` finds the Service's PTR.
/// Images without bind's tools do not have them (runc's words at the top level).
#[test]
fn dig_and_host_ask_coredns() {
    let mut w = cluster(3);
    kubectl(
        &mut w,
        "run dnsutils --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 --command -- sleep infinity",
    );
    w.run_for(30_000);
    let ip = cluster_ip(&mut w, "web");
    let dig = exec(&mut w, "dnsutils", "dig web.default.svc.cluster.local").stdout;
    assert!(dig.contains(&format!("web.default.svc.cluster.local. 30 IN\tA\t{ip}\n")), "{dig}");
    assert!(dig.contains("status: NOERROR") && dig.contains(";; SERVER: 10.96.0.10#53(10.96.0.10)"), "{dig}");
    assert_eq!(exec(&mut w, "dnsutils", "dig +short +search web").stdout, format!("{ip}\n"));
    assert_eq!(
        exec(&mut w, "dnsutils", "host web").stdout,
        format!("web.default.svc.cluster.local has address {ip}\n")
    );
    let ptr = exec(&mut w, "dnsutils", &format!("host {ip}")).stdout;
    assert!(ptr.ends_with("domain name pointer web.default.svc.cluster.local.\n"), "{ptr}");
    let missing = exec(&mut w, "client", "dig web");
    assert!(missing.stderr.contains("exec: \"dig\": executable file not found in $PATH"), "{missing:?}");
}

/// wget through the ClusterIP: kube-proxy DNATs to an nginx pod, which serves its welcome page.
#[test]
fn wget_and_curl_reach_nginx_through_the_service() {
    let mut w = cluster(3);
    let ip = cluster_ip(&mut w, "web");
    let out = exec(&mut w, "client", "wget -O- web");
    assert!(
        out.stdout.starts_with(&format!("Connecting to web ({ip}:80)\nwriting to stdout\n<!DOCTYPE html>")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("<title>Welcome to nginx!</title>"));
    let curl = exec(&mut w, "curler", "curl -s http://web.default.svc.cluster.local");
    assert!(curl.stdout.contains("<h1>Welcome to nginx!</h1>"), "{curl:?}");
    let bad = exec(&mut w, "client", "wget -q nope");
    assert_eq!(bad.stdout, "wget: bad address 'nope'\n");
    assert_eq!(bad.stderr, "command terminated with exit code 1\n");
    let curl_bad = exec(&mut w, "curler", "curl -sS nope");
    assert_eq!(curl_bad.stdout, "curl: (6) Could not resolve host: nope\n");
    assert_eq!(curl_bad.stderr, "command terminated with exit code 6\n");
}

/// kube-proxy writes a REJECT rule for a Service without endpoints: the connection is refused at
/// once. A closed port on a pod is refused by the pod's kernel.
#[test]
fn no_endpoints_and_closed_ports_are_refused() {
    let mut w = cluster(4);
    apply(
        &mut w,
        "apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec: {selector: {app: none}, ports: [{port: 80}]}\n",
    );
    w.run_for(2_000);
    let ip = cluster_ip(&mut w, "empty");
    let t0 = w.now();
    let out = exec(&mut w, "client", "wget -q empty");
    assert_eq!(out.stdout, format!("wget: can't connect to remote host ({ip}): Connection refused\n"));
    assert!(w.now() - t0 < 100, "a refusal costs no waiting (only kubectl's own GET of the pod)");
    let pod_ip = kubectl(&mut w, "get pod client -o jsonpath={.status.podIP}").stdout;
    let closed = exec(&mut w, "client", &format!("nc -z {pod_ip} 81"));
    assert!(closed.failed);
    let curl = exec(&mut w, "curler", "curl -sS empty");
    assert_eq!(curl.stdout, "curl: (7) Failed to connect to empty port 80 after 0 ms: Couldn't connect to server\n");
}

/// An address nobody has times out, and the timeout costs its virtual seconds.
#[test]
fn unknown_addresses_time_out_in_virtual_time() {
    let mut w = cluster(5);
    let t0 = w.now();
    let out = exec(&mut w, "client", "wget -T 5 10.1.2.3");
    assert_eq!(out.stdout, "Connecting to 10.1.2.3 (10.1.2.3:80)\nwget: download timed out\n");
    assert!((5_000..5_100).contains(&(w.now() - t0)), "{}", w.now() - t0);
    let ip = cluster_ip(&mut w, "web");
    let ping = exec(&mut w, "client", &format!("ping -c 1 {ip}"));
    assert!(ping.stdout.contains("100% packet loss"), "a ClusterIP answers no ICMP: {}", ping.stdout);
}

/// With CoreDNS scaled to zero, kube-dns has no ready endpoint: queries get no answer.
#[test]
fn without_coredns_lookups_time_out() {
    let mut w = cluster(6);
    assert!(!kubectl(&mut w, "scale deployment coredns -n kube-system --replicas=0").failed);
    w.run_for(60_000);
    let out = exec(&mut w, "client", "nslookup web");
    assert_eq!(out.stdout, ";; connection timed out; no servers could be reached\n\n");
    let curl = exec(&mut w, "curler", "curl -sS web");
    assert_eq!(curl.stdout, "curl: (6) Could not resolve host: web\n");
}

/// A StatefulSet's pods behind a headless Service get `<pod>.<svc>` names (the Kubernetes DNS spec);
/// the headless name answers every ready pod.
#[test]
fn headless_service_and_statefulset_names() {
    let mut w = cluster(7);
    apply(
        &mut w,
        "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {clusterIP: None, selector: {app: db}, ports: [{port: 80}]}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n  replicas: 2\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: nginx, image: nginx, ports: [{containerPort: 80}]}]}\n",
    );
    w.run_for(90_000);
    let ip0 = kubectl(&mut w, "get pod db-0 -o jsonpath={.status.podIP}").stdout;
    let one = exec(&mut w, "client", "nslookup db-0.db.default.svc.cluster.local");
    assert!(one.stdout.contains(&format!("Address: {ip0}\n")), "{}", one.stdout);
    let all = exec(&mut w, "client", "nslookup db.default.svc.cluster.local");
    assert_eq!(all.stdout.matches("Name:\tdb.default.svc.cluster.local").count(), 2, "{}", all.stdout);
    let page = exec(&mut w, "client", "wget -qO- db-1.db");
    assert!(page.stdout.contains("Welcome to nginx!"), "{page:?}");
}

/// A pod on a node that is powered off does not answer: the connection times out.
#[test]
fn a_pod_on_a_stopped_node_times_out() {
    let mut w = cluster(8);
    let client_node = kubectl(&mut w, "get pod client -o jsonpath={.spec.nodeName}").stdout;
    let mut target = None;
    for i in 0..2 {
        let ip = kubectl(&mut w, &format!("get pods -l app=web -o jsonpath={{.items[{i}].status.podIP}}")).stdout;
        let node = kubectl(&mut w, &format!("get pods -l app=web -o jsonpath={{.items[{i}].spec.nodeName}}")).stdout;
        if node != client_node {
            target = Some((ip, node));
        }
    }
    let (ip, node) = target.expect("seed 8 puts a web pod on another node than the client");
    w.set_node_running(&node, false).expect("the node exists");
    let got = exec(&mut w, "client", &format!("wget -T 3 -q {ip}"));
    assert_eq!(got.stdout, "wget: download timed out\n");
}

/// The same seed and commands give the same endpoints, draw for draw.
#[test]
fn endpoint_choice_is_deterministic() {
    let run = || {
        let mut w = cluster(9);
        apply(
            &mut w,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: who}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: who}}\n  template:\n    metadata: {labels: {app: who}}\n    spec: {containers: [{name: h, image: registry.k8s.io/e2e-test-images/agnhost:2.53, args: [serve-hostname], ports: [{containerPort: 9376}]}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: who}\nspec: {selector: {app: who}, ports: [{port: 80, targetPort: 9376}]}\n",
        );
        w.run_for(60_000);
        (0..12).map(|_| exec(&mut w, "client", "wget -qO- who").stdout).collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run());
    let distinct: std::collections::BTreeSet<&String> = a.iter().collect();
    assert!(distinct.len() > 1, "the statistic rules spread connections: {a:?}");
    assert!(a.iter().all(|h| h.starts_with("who-")), "{a:?}");
}
