//! NetworkPolicy enforced as kindnet enforces it (kindnet embeds kube-network-policies): each test
//! cites the rule of https://kubernetes.io/docs/concepts/services-networking/network-policies/ or of
//! kube-network-policies' `pkg/pipeline/networkpolicy.go` it checks. A denied connection is dropped,
//! so the client waits for its timeout, in virtual time.

use super::{apply, cluster, cluster_ip, exec, kubectl};
use k8s_sandbox::sim::world::World;

const DENY_INGRESS: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-ingress}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n";
const DENY_EGRESS: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-egress}\nspec: {podSelector: {}, policyTypes: [Egress]}\n";

fn policy(w: &mut World, yaml: &str) {
    apply(w, yaml);
    w.run_for(1_000);
}

/// "If a pod is isolated for ingress, the only allowed connections are those allowed by an ingress
/// rule": `podSelector: {}` with no rules isolates every pod of the namespace; the SYN is dropped, so
/// wget, curl and nc wait for their timeouts (a refusal would be immediate).
#[test]
fn default_deny_ingress_drops_connections() {
    let mut w = cluster(21);
    assert!(exec(&mut w, "client", "wget -q -O- -T 5 web").stdout.contains("Welcome to nginx!"));
    policy(&mut w, DENY_INGRESS);
    let t0 = w.now();
    let out = exec(&mut w, "client", "wget -q -O- -T 5 web");
    assert_eq!(out.stdout, "wget: download timed out\n");
    assert_eq!(out.stderr, "command terminated with exit code 1\n");
    assert!((5_000..5_100).contains(&(w.now() - t0)), "the timeout costs its 5 virtual seconds: {}", w.now() - t0);
    let curl = exec(&mut w, "curler", "curl -sS --connect-timeout 3 web");
    assert_eq!(curl.stdout, "curl: (28) Connection timed out after 3000 milliseconds\n");
    assert_eq!(curl.stderr, "command terminated with exit code 28\n");
    let web_ip = kubectl(&mut w, "get pods -l app=web -o jsonpath={.items[0].status.podIP}").stdout;
    let ping = exec(&mut w, "client", &format!("ping -c 1 {web_ip}"));
    assert!(ping.stdout.contains("100% packet loss"), "ICMP is dropped too: {}", ping.stdout);
    // DNS is not affected: CoreDNS lives in kube-system, which no policy isolates.
    assert!(!exec(&mut w, "client", "nslookup web.default.svc.cluster.local").failed);
}

/// "podSelector: selects particular Pods in the same namespace as the NetworkPolicy which should be
/// allowed as ingress sources": the client's label lets it in, the curl pod stays out.
#[test]
fn a_pod_selector_allows_the_labelled_client_only() {
    let mut w = cluster(22);
    policy(&mut w, DENY_INGRESS);
    policy(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-from-client}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {run: client}}}], ports: [{port: 80}]}]\n",
    );
    assert!(exec(&mut w, "client", "wget -q -O- -T 5 web").stdout.contains("Welcome to nginx!"));
    let curl = exec(&mut w, "curler", "curl -sS --connect-timeout 2 web");
    assert_eq!(curl.stdout, "curl: (28) Connection timed out after 2000 milliseconds\n");
}

/// Policies see the packet after kube-proxy's DNAT (kube-network-policies hooks POSTROUTING): the
/// port a rule names is the pod's port (the Service's targetPort), or a named container port.
#[test]
fn ports_are_the_pods_after_dnat() {
    let mut w = cluster(23);
    apply(
        &mut w,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: api, labels: {app: api}}\nspec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}, ports: [{port: 8080, targetPort: 80}]}\n",
    );
    w.run_for(30_000);
    let by_service_port = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: [{ports: [{port: 8080}]}]\n";
    policy(&mut w, by_service_port);
    assert_eq!(exec(&mut w, "client", "wget -q -O- -T 2 api:8080").stdout, "wget: download timed out\n");
    let by_name = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: [{ports: [{port: http}]}]\n";
    policy(&mut w, by_name);
    assert!(exec(&mut w, "client", "wget -q -O- -T 2 api:8080").stdout.contains("Welcome to nginx!"));
    let by_range = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: [{ports: [{port: 70, endPort: 90}]}]\n";
    policy(&mut w, by_range);
    assert!(exec(&mut w, "client", "wget -q -O- -T 2 api:8080").stdout.contains("Welcome to nginx!"));
}

/// The classic lesson: default-deny egress also drops the pod's DNS queries to CoreDNS, so names stop
/// resolving; an egress rule to kube-dns (namespaceSelector AND podSelector, UDP 53) brings them back.
#[test]
fn default_deny_egress_breaks_dns_until_it_is_allowed() {
    let mut w = cluster(24);
    policy(&mut w, DENY_EGRESS);
    let t0 = w.now();
    let out = exec(&mut w, "client", "nslookup web");
    assert_eq!(out.stdout, ";; connection timed out; no servers could be reached\n\n");
    assert!(w.now() - t0 >= 5_000, "nslookup waited for its answer");
    assert_eq!(exec(&mut w, "curler", "curl -sS web").stdout, "curl: (6) Could not resolve host: web\n");
    policy(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]\n    ports: [{protocol: UDP, port: 53}]\n",
    );
    let ip = cluster_ip(&mut w, "web");
    let ok = exec(&mut w, "client", "nslookup web.default.svc.cluster.local");
    assert!(ok.stdout.contains(&format!("Address: {ip}\n")), "{ok:?}");
    // Names resolve, but the connection to web is still egress the policies do not allow.
    assert_eq!(exec(&mut w, "client", "wget -q -T 2 web").stdout, "wget: download timed out\n");
}

/// A peer with both selectors is one peer (AND); the same selectors as two peers are an OR. Here a
/// namespaceSelector for `team=a` AND podSelector `app=x` does not admit the `team=a` client whose
/// label is `run=client`; as two peers it does.
#[test]
fn one_peer_is_and_two_peers_are_or() {
    let mut w = cluster(25);
    assert!(!kubectl(&mut w, "create namespace a").failed);
    assert!(!kubectl(&mut w, "label namespace a team=a").failed);
    assert!(!kubectl(&mut w, "run probe -n a --image=busybox:1.37 -- sleep infinity").failed);
    w.run_for(30_000);
    let and = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}, podSelector: {matchLabels: {app: x}}}]}]\n";
    policy(&mut w, and);
    let from_a = |w: &mut World| exec(w, "probe -n a", "wget -q -O- -T 2 web.default").stdout;
    assert_eq!(from_a(&mut w), "wget: download timed out\n");
    let or = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}, {podSelector: {matchLabels: {app: x}}}]}]\n";
    policy(&mut w, or);
    assert!(from_a(&mut w).contains("Welcome to nginx!"));
    // The default namespace is not team=a and the client is not app=x: still denied.
    assert_eq!(exec(&mut w, "client", "wget -q -T 2 web").stdout, "wget: download timed out\n");
}

/// Only a connection's first packet is decided, from the initiator's side; conntrack lets its
/// replies through. The server's own default-deny egress does not stop it answering.
#[test]
fn replies_of_allowed_connections_pass() {
    let mut w = cluster(26);
    policy(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-no-egress}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}\n",
    );
    assert!(exec(&mut w, "client", "wget -q -O- -T 5 web").stdout.contains("Welcome to nginx!"));
}

/// ipBlock peers match the other end's address, `except` carves ranges out (egress here: the web
/// pods' addresses are all in 10.244.0.0/16).
#[test]
fn ip_blocks_and_excepts() {
    let mut w = cluster(27);
    let web_ip = kubectl(&mut w, "get pods -l app=web -o jsonpath={.items[0].status.podIP}").stdout;
    let allow = |except: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: out}}\nspec:\n  podSelector: {{matchLabels: {{run: client}}}}\n  egress: [{{to: [{{ipBlock: {{cidr: 10.244.0.0/16, except: [{except}]}}}}]}}]\n"
        )
    };
    policy(&mut w, &allow("10.244.250.0/24"));
    assert!(exec(&mut w, "client", &format!("wget -q -O- -T 2 {web_ip}")).stdout.contains("Welcome to nginx!"));
    policy(&mut w, &allow(&format!("{web_ip}/32")));
    assert_eq!(exec(&mut w, "client", &format!("wget -q -T 2 {web_ip}")).stdout, "wget: download timed out\n");
}

/// Bad input is refused with `ValidateNetworkPolicy`'s paths and words and stores nothing.
#[test]
fn bad_policies_are_refused_and_change_nothing() {
    let mut w = cluster(28);
    let out = k8s_sandbox::sim::kubectl::execute(
        &mut w,
        "apply -f -",
        Some(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}], ports: [{port: http, endPort: 90}]}]\n",
        ),
        &k8s_sandbox::sim::kubectl::NoFiles,
    );
    assert!(out.failed);
    assert_eq!(
        out.stderr,
        "The NetworkPolicy \"bad\" is invalid: \n* spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric\n* spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`\n"
    );
    assert_eq!(kubectl(&mut w, "get networkpolicy").stderr, "No resources found in default namespace.\n");
    assert!(exec(&mut w, "client", "wget -q -O- -T 2 web").stdout.contains("Welcome to nginx!"));
}

/// Host-network sources are no pod to kube-network-policies (its pod-IP index skips them), and what
/// the node's root processes send is accepted before any policy (`meta skuid 0 accept`): to a pod on
/// the same node it passes; to a pod on another node it is decided there, on arrival, where only an
/// `ipBlock` holding the node's address can admit it.
#[test]
fn host_network_sources() {
    let mut w = cluster(29);
    apply(
        &mut w,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: hostnet}\nspec: {hostNetwork: true, nodeName: sandbox-worker, containers: [{name: c, image: busybox:1.37, command: [sleep, infinity]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: near, labels: {app: near}}\nspec: {nodeName: sandbox-worker, containers: [{name: web, image: nginx}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: far, labels: {app: far}}\nspec: {nodeName: sandbox-worker2, containers: [{name: web, image: nginx}]}\n",
    );
    w.run_for(30_000);
    let ip = |w: &mut World, pod: &str| kubectl(w, &format!("get pod {pod} -o jsonpath={{.status.podIP}}")).stdout;
    let (near, far) = (ip(&mut w, "near"), ip(&mut w, "far"));
    policy(&mut w, DENY_INGRESS);
    let get = |w: &mut World, ip: &str| exec(w, "hostnet", &format!("wget -q -O- -T 2 {ip}")).stdout;
    assert!(get(&mut w, &near).contains("Welcome to nginx!"), "same node: skuid 0 bypass");
    assert_eq!(get(&mut w, &far), "wget: download timed out\n", "another node: decided on arrival");
    policy(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: from-nodes}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 172.18.0.0/16}}]}]\n",
    );
    assert!(get(&mut w, &far).contains("Welcome to nginx!"), "the nodes' network as an ipBlock");
    // A namespaceSelector matching every namespace still matches no host-network source.
    assert!(!kubectl(&mut w, "delete networkpolicy from-nodes").failed);
    policy(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all-pods}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {}}]}]\n",
    );
    assert_eq!(get(&mut w, &far), "wget: download timed out\n");
    assert!(exec(&mut w, "client", &format!("wget -q -O- -T 2 {far}")).stdout.contains("Welcome to nginx!"));
}

/// kube-network-policies decides in POSTROUTING, before kube-proxy's masquerade: a NodePort
/// connection from a pod keeps the pod as its source for the backend's ingress rules. To another
/// node's NodePort the packet first leaves as addressed to that node, so an egress policy that
/// allows only the backend pods drops it at the sending node.
#[test]
fn node_ports_are_decided_before_masquerade() {
    let mut w = cluster(30);
    assert!(!kubectl(&mut w, "expose deployment web --name=webnp --type=NodePort --port=80").failed);
    w.run_for(2_000);
    let node_port = kubectl(&mut w, "get svc webnp -o jsonpath={.spec.ports[0].nodePort}").stdout;
    let client_node = kubectl(&mut w, "get pod client -o jsonpath={.spec.nodeName}").stdout;
    let other = ["sandbox-control-plane", "sandbox-worker", "sandbox-worker2"]
        .into_iter()
        .find(|n| *n != client_node)
        .expect("three nodes");
    let other_ip = kubectl(&mut w, &format!("get node {other} -o jsonpath={{.status.addresses[0].address}}")).stdout;
    policy(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-from-client}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {run: client}}}]}]\n",
    );
    let url = format!("wget -q -O- -T 2 {other_ip}:{node_port}");
    assert!(exec(&mut w, "client", &url).stdout.contains("Welcome to nginx!"), "the client pod is the source");
    policy(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: client-to-web}\nspec:\n  podSelector: {matchLabels: {run: client}}\n  egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]\n",
    );
    assert_eq!(exec(&mut w, "client", &url).stdout, "wget: download timed out\n", "dropped as it leaves");
    // Through the ClusterIP (DNAT on the sending node) the packet leaves addressed to a web pod.
    let ip = cluster_ip(&mut w, "web");
    assert!(exec(&mut w, "client", &format!("wget -q -O- -T 2 {ip}")).stdout.contains("Welcome to nginx!"));
}
