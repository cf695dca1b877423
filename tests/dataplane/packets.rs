//! The data plane's packets as messages: a program's DNS query and connection travel the simulated
//! network hop by hop, each hop naming what decided it. Checked against kube-proxy's iptables mode
//! (`pkg/proxy/iptables/proxier.go`: `KUBE-SERVICES` jumps to the Service port's `KUBE-SVC-*`
//! chain, which picks a `KUBE-SEP-*` chain that DNATs to the endpoint; a port with no endpoints is
//! REJECTed from the filter table's `KUBE-SERVICES`), the cluster DNS (the pod's resolv.conf sends
//! the query to 10.96.0.10, DNAT-ed to a CoreDNS pod first) and kindnet's policy agent (a denied
//! first packet is dropped, never answered).

use k8s_sandbox::sim::trace::{Fate, TraceEntry};
use k8s_sandbox::sim::world::World;

use super::{apply, cluster, exec, kubectl};

/// The packets sent from message id `from` on, once they have all arrived.
fn packets(w: &mut World, from: u64) -> Vec<TraceEntry> {
    w.run_for(1_000);
    w.k.trace.entries().iter().filter(|e| e.id >= from && e.kind == "packet").cloned().collect()
}

fn hop(e: &TraceEntry) -> (String, String) {
    (e.from.to_string(), e.to.to_string())
}

/// `wget web`: the DNS query goes to a CoreDNS pod through the kube-dns Service's chains, the answer
/// comes back, then the SYN follows `KUBE-SERVICES` → `KUBE-SVC-*` → `KUBE-SEP-*` to a web pod, which
/// answers; each kube-proxy hop names the rules it matched.
#[test]
fn wget_to_a_service_follows_the_chains() {
    let mut w = cluster(11);
    let start = w.k.next_id();
    let out = exec(&mut w, "client", "wget -q -O- web");
    assert!(!out.failed, "{out:?}");
    let p = packets(&mut w, start);
    // DNS first: client → its node's rules → a CoreDNS pod, and the reply.
    assert!(p[0].from.starts_with("pod/default/client") && p[0].to.starts_with("kube-proxy/"), "{p:#?}");
    assert!(p[0].summary.contains("10.96.0.10:53 DNS query A web.default.svc.cluster.local"), "{}", p[0].summary);
    let dnat = p[1].decision.as_deref().unwrap_or_default();
    assert!(dnat.starts_with("KUBE-SERVICES → KUBE-SVC-") && dnat.contains(" → KUBE-SEP-"), "{dnat}");
    let coredns = p.iter().position(|e| e.to.starts_with("pod/kube-system/coredns-")).expect("reaches CoreDNS");
    assert!(p[coredns + 1].from.starts_with("pod/kube-system/coredns-"));
    assert!(p[coredns + 1].summary.contains("DNS reply NOERROR A 10.96."), "{}", p[coredns + 1].summary);
    // Then the connection: the rules DNAT it to a web pod, which answers SYN-ACK.
    let syn = coredns + 2;
    assert!(p[syn].summary.ends_with(":80 SYN"), "{}", p[syn].summary);
    let web = p.iter().position(|e| e.to.starts_with("pod/default/web-")).expect("reaches a web pod");
    assert!(p[web + 1].summary.ends_with("SYN-ACK") && hop(&p[web + 1]).1 == "pod/default/client");
    // The matched rules, in chain order, as iptables-save prints them (the inspector highlights them).
    let via = &p[syn + 1];
    assert!(via.decision.as_deref().unwrap_or_default().contains("DNAT to 10.244."), "{via:?}");
    // Each hop is sent once the one before it arrived, so the path reads in order.
    assert!(p.windows(2).all(|ab| ab[1].sent_at >= ab[0].deliver_at), "{p:#?}");
    assert!(p.iter().all(|e| e.fate == Fate::Delivered));
}

/// A Service with no endpoints: the sending node's REJECT answers (connection refused), and the
/// packet goes no further.
#[test]
fn a_service_without_endpoints_is_rejected_on_the_sending_node() {
    let mut w = cluster(12);
    assert!(!kubectl(&mut w, "create service clusterip empty --tcp=80:80").failed);
    w.run_for(2_000);
    let start = w.k.next_id();
    let out = exec(&mut w, "client", "wget -q -O- -T 2 empty");
    assert!(out.failed);
    let p = packets(&mut w, start);
    let last = p.last().expect("packets");
    assert!(last.from.starts_with("kube-proxy/") && last.to == "pod/default/client".into(), "{last:?}");
    assert!(last.summary.ends_with("RST"), "{}", last.summary);
    assert!(last.decision.as_deref().unwrap_or_default().contains("REJECT"), "{last:?}");
    assert!(!p.iter().any(|e| e.to.starts_with("pod/default/web")));
}

/// kindnet's agent drops the first packet a default-deny ingress policy denies: the hop leaving the
/// sending node is filtered, and nothing reaches the web pod or answers.
#[test]
fn a_network_policy_drop_stops_at_the_agent() {
    let mut w = cluster(13);
    apply(
        &mut w,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n",
    );
    let start = w.k.next_id();
    let out = exec(&mut w, "client", "wget -q -O- -T 2 web");
    assert!(out.failed);
    let p = packets(&mut w, start);
    let dropped: Vec<&TraceEntry> = p.iter().filter(|e| e.fate == Fate::Filtered).collect();
    assert_eq!(dropped.len(), 1, "{p:#?}");
    assert!(dropped[0].from.starts_with("kindnet/"), "{:?}", dropped[0]);
    assert!(dropped[0].decision.as_deref().unwrap_or_default().contains("isolated for ingress"));
    assert_eq!(p.last().map(|e| e.id), Some(dropped[0].id), "the path ends where it is dropped");
    assert!(!p.iter().any(|e| e.from.starts_with("pod/default/web")));
}

/// The same seed and commands give the same packets (no new random draws: the DNAT's own draw picks
/// the endpoint).
#[test]
fn packets_are_deterministic() {
    let run = || {
        let mut w = cluster(14);
        let start = w.k.next_id();
        exec(&mut w, "client", "wget -q -O- web");
        packets(&mut w, start)
            .into_iter()
            .map(|e| (e.from.to_string(), e.to.to_string(), e.summary))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}
