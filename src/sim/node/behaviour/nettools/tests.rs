//! The programs against the fixed network of `fake.rs`: output, wording and exit codes of the real
//! programs on good and bad paths.

use std::collections::BTreeMap;

use super::super::interp::{Ctx, Exec};
use super::super::net::Network;
use super::super::{Step, timeline};
use super::fake::Fake;
use super::http::NGINX_WELCOME;
use crate::sim::time::Millis;

/// What the kubelet writes for a pod in `default` (kubelet `dns.go`, ClusterFirst).
const RESOLV: &str =
    "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5";

struct Ran {
    status: i32,
    out: Vec<String>,
    waited: Millis,
}

fn run_with(net: &dyn Network, busybox: bool, script: &str) -> Ran {
    run_in(net, "", busybox, script)
}

/// Runs `script` in a container of `image` (its short name) on `net`.
fn run_in(net: &dyn Network, image: &str, busybox: bool, script: &str) -> Ran {
    let files = vec![("/etc/resolv.conf".to_string(), RESOLV.to_string())];
    let ctx =
        Ctx { files: &files, hostname: "client", busybox, image, expect_exit: true, net: Some(net), ..Ctx::default() };
    let mut ex = Exec::new(&ctx, BTreeMap::new());
    ex.run_script(script);
    let out = ex
        .steps
        .iter()
        .filter_map(|s| if let Step::Log(l) = s { Some(timeline::render(l, 0, 0)) } else { None })
        .collect();
    Ran { status: ex.status, out, waited: ex.waited }
}

fn run(script: &str) -> Ran {
    run_with(&Fake::default(), true, script)
}

/// busybox nslookup 1.37: a dotless name is asked under every search domain, A then AAAA; each
/// reply is printed with a blank line after it; any NXDOMAIN makes the exit status 1.
#[test]
fn busybox_nslookup_asks_every_search_domain() {
    let r = run("nslookup web");
    assert_eq!(
        r.out,
        vec![
            "Server:\t\t10.96.0.10",
            "Address:\t10.96.0.10:53",
            "",
            "Name:\tweb.default.svc.cluster.local",
            "Address: 10.96.0.20",
            "",
            "** server can't find web.svc.cluster.local: NXDOMAIN",
            "",
            "** server can't find web.cluster.local: NXDOMAIN",
            "",
            "",
            "** server can't find web.svc.cluster.local: NXDOMAIN",
            "",
            "** server can't find web.cluster.local: NXDOMAIN",
            "",
        ]
    );
    assert_eq!(r.status, 1);
    let fqdn = run("nslookup web.default.svc.cluster.local");
    assert_eq!(fqdn.status, 0, "{:?}", fqdn.out);
    assert_eq!(fqdn.out[3..], ["Name:\tweb.default.svc.cluster.local", "Address: 10.96.0.20", "", ""]);
    let ext = run("nslookup ext.default.svc.cluster.local");
    assert_eq!(ext.out[3], "ext.default.svc.cluster.local\tcanonical name = example.com");
}

#[test]
fn nslookup_without_dns_times_out() {
    let r = run_with(&Fake { dns_down: true }, true, "nslookup web");
    assert_eq!(r.out, vec![";; connection timed out; no servers could be reached", ""]);
    assert_eq!((r.status, r.waited), (1, 5_000));
    let bind = run_with(&Fake { dns_down: true }, false, "nslookup web");
    assert_eq!(bind.status, 1);
    let missing = run("nslookup");
    assert_eq!(missing.status, 1);
    assert!(missing.out[2].starts_with("Usage: nslookup"), "{:?}", missing.out);
}

/// bind's nslookup follows the search list under ndots and prints the first name that resolves.
#[test]
fn bind_nslookup_prints_the_first_answer() {
    let r = run_with(&Fake::default(), false, "nslookup web");
    assert_eq!(
        r.out[..5],
        [
            "Server:\t\t10.96.0.10",
            "Address:\t10.96.0.10#53",
            "",
            "Name:\tweb.default.svc.cluster.local",
            "Address: 10.96.0.20"
        ]
    );
    let nx = run_with(&Fake::default(), false, "nslookup nope.svc.cluster.local");
    assert_eq!(nx.status, 1);
    assert!(nx.out.contains(&"** server can't find nope.svc.cluster.local: NXDOMAIN".to_string()), "{:?}", nx.out);
    // The last candidate, `nope` as written, leaves cluster.local: CoreDNS forwards it upstream,
    // which the sandbox does not have, and answers SERVFAIL.
    let out = run_with(&Fake::default(), false, "nslookup nope");
    assert!(out.out.contains(&"** server can't find nope: SERVFAIL".to_string()), "{:?}", out.out);
}

#[test]
fn wget_saves_and_prints() {
    let r = run("wget web");
    assert_eq!(
        r.out,
        vec![
            "Connecting to web (10.96.0.20:80)",
            "saving to 'index.html'",
            "index.html           100% |********************************|   615  0:00:00 ETA'index.html' saved",
        ]
    );
    assert_eq!(r.status, 0);
    let q = run("wget -qO- http://web");
    assert_eq!(q.out.join("\n") + "\n", NGINX_WELCOME);
    let again = run("wget web; wget web");
    assert_eq!(again.out.last().map(String::as_str), Some("wget: can't open 'index.html': File exists"));
    assert_eq!(again.status, 1);
}

#[test]
fn wget_failures() {
    for (cmd, want, waited) in [
        ("wget nope", "wget: bad address 'nope'", 0),
        ("wget -q example.com", "wget: bad address 'example.com'", 0),
        ("wget empty", "wget: can't connect to remote host (10.96.0.30): Connection refused", 0),
        ("wget 10.244.1.5:8080", "wget: can't connect to remote host (10.244.1.5): Connection refused", 0),
        ("wget 10.1.2.3", "wget: can't connect to remote host (10.1.2.3): Connection timed out", 127_000),
        ("wget -T 5 10.1.2.3", "wget: download timed out", 5_000),
        ("wget web/missing", "wget: server returned error: HTTP/1.1 404 Not Found", 0),
        ("wget ftp://web/x", "wget: not an http or ftp url: ftp://web/x", 0),
    ] {
        let r = run(cmd);
        assert_eq!(r.out.last().map(String::as_str), Some(want), "{cmd}: {:?}", r.out);
        assert_eq!((r.status, r.waited), (1, waited), "{cmd}");
    }
    let usage = run("wget");
    assert_eq!(usage.status, 1);
    assert!(usage.out[0].starts_with("BusyBox v1.37.0"));
}

#[test]
fn curl_prints_the_body_and_its_meter() {
    let r = run_with(&Fake::default(), false, "curl -s web");
    assert_eq!(r.out.join("\n") + "\n", NGINX_WELCOME);
    let meter = run_with(&Fake::default(), false, "curl web");
    assert!(meter.out[0].starts_with("  % Total    % Received"), "{:?}", meter.out);
    assert_eq!(
        meter.out.last().map(String::as_str),
        Some("100   615  100   615    0     0   600k      0 --:--:-- --:--:-- --:--:--  600k")
    );
    let code = run_with(&Fake::default(), false, "curl -s -o /dev/null -w '%{http_code}' web");
    assert_eq!(code.out, vec!["200"]);
}

#[test]
fn curl_failures() {
    for (cmd, want, status, waited) in [
        ("curl -sS nope", "curl: (6) Could not resolve host: nope", 6, 0),
        ("curl empty", "curl: (7) Failed to connect to empty port 80 after 0 ms: Couldn't connect to server", 7, 0),
        ("curl -m 3 10.1.2.3", "curl: (28) Connection timed out after 3000 milliseconds", 28, 3_000),
        (
            "curl 10.1.2.3",
            "curl: (28) Failed to connect to 10.1.2.3 port 80 after 127000 ms: Couldn't connect to server",
            28,
            127_000,
        ),
        ("curl -f web/nope", "curl: (22) The requested URL returned error: 404", 22, 0),
        ("curl http://", "curl: (3) URL rejected: No host part in the URL", 3, 0),
        ("curl", "curl: try 'curl --help' or 'curl --manual' for more information", 2, 0),
    ] {
        let r = run_with(&Fake::default(), false, cmd);
        assert_eq!(r.out.last().map(String::as_str), Some(want), "{cmd}: {:?}", r.out);
        assert_eq!((r.status, r.waited), (status, waited), "{cmd}");
    }
    assert!(run_with(&Fake::default(), false, "curl -s nope").out.is_empty(), "-s hides errors");
}

#[test]
fn nc_and_ping() {
    assert_eq!(run("nc -z web 80").status, 0);
    let v = run("nc -zv web 80");
    assert_eq!(v.out, vec!["web (10.96.0.20:80) open"]);
    let closed = run("nc -z 10.244.1.5 81");
    assert_eq!(closed.out, vec!["nc: can't connect to remote host (10.244.1.5): Connection refused"]);
    assert_eq!(closed.status, 1);
    assert_eq!(run("nc").status, 1);
    let pod = run("ping -c 2 10.244.1.5");
    assert_eq!(pod.status, 0);
    assert_eq!(pod.out[1], "64 bytes from 10.244.1.5: seq=0 ttl=63 time=0.100 ms");
    let svc = run("ping -c 1 web");
    assert_eq!(svc.status, 1, "a ClusterIP does not answer ICMP in iptables mode");
    assert_eq!(svc.out[0], "PING web (10.96.0.20): 56 data bytes");
    assert!(svc.out.contains(&"1 packets transmitted, 0 packets received, 100% packet loss".to_string()));
}

#[test]
fn without_a_network_the_tools_are_not_simulated() {
    let ctx = Ctx { busybox: true, ..Ctx::default() };
    let mut ex = Exec::new(&ctx, BTreeMap::new());
    ex.run_script("until nslookup myservice; do sleep 2; done; echo ok");
    assert_eq!(ex.status, 0);
    assert!(ex.notes.iter().any(|n| n.contains("not simulated")));
}

/// Odd argv never panics and always ends with a status.
#[test]
fn arbitrary_argv_never_panics() {
    const WORDS: &[&str] = &[
        "-",
        "--",
        "-O",
        "-O-",
        "-qO-",
        "-T",
        "-T0",
        "-c",
        "-c0",
        "-m",
        "-w",
        "-o",
        "-z",
        "-zv",
        "-type=",
        "-type=mx",
        "-t=0",
        "http://",
        "https://web",
        "web:",
        "web:99999",
        ":80",
        "[::1]",
        "ftp://x",
        "é",
        "%{http_code}",
        "",
        "10.96.0.20",
        "10.244.1.5",
        "web",
        "80",
        "a..b",
        ".",
        "..",
        "x.",
        "--timeout",
        "--output",
        "-S",
    ];
    let mut seed = 7u64;
    for _ in 0..400 {
        for tool in ["nslookup", "wget", "curl", "nc", "ping"] {
            let mut argv = vec![tool.to_string()];
            for _ in 0..(seed % 5) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                argv.push(format!("'{}'", WORDS[(seed >> 33) as usize % WORDS.len()]));
            }
            let _ = run(&argv.join(" "));
            let _ = run_with(&Fake::default(), false, &argv.join(" "));
        }
    }
}

fn dnsutils(script: &str) -> Ran {
    run_in(&Fake::default(), "jessie-dnsutils", false, script)
}

/// dig 9.9.5 as jessie-dnsutils prints a CoreDNS answer: the name as written made absolute, dig's
/// tab stops, `aa` without `ra`, the message size of header, question, answer and OPT record.
#[test]
fn dig_prints_the_reply_as_bind_does() {
    let r = dnsutils("dig web.default.svc.cluster.local");
    assert_eq!(r.status, 0);
    let text = r.out.join("\n");
    assert!(text.starts_with("\n; <<>> DiG 9.9.5-9+deb8u19-Debian <<>> web.default.svc.cluster.local\n;; global options: +cmd\n;; Got answer:\n"), "{text}");
    assert!(text.contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n"), "{text}");
    assert!(text.contains(";; QUESTION SECTION:\n;web.default.svc.cluster.local.\tIN\tA\n"), "{text}");
    assert!(text.contains(";; ANSWER SECTION:\nweb.default.svc.cluster.local. 30 IN\tA\t10.96.0.20\n"), "{text}");
    assert!(
        text.contains(
            ";; SERVER: 10.96.0.10#53(10.96.0.10)\n;; WHEN: Wed Jan 01 00:00:00 UTC 2025\n;; MSG SIZE  rcvd: 74"
        ),
        "{text}"
    );
    assert_eq!(dnsutils("dig +short web.default.svc.cluster.local").out, ["10.96.0.20"]);
    // Without +search the name is asked as written: outside cluster.local, forwarded, SERVFAIL.
    let short = dnsutils("dig web").out.join("\n");
    assert!(short.contains("status: SERVFAIL") && short.contains(";web.\t\t\t\tIN\tA"), "{short}");
    assert_eq!(dnsutils("dig +search +short web").out, ["10.96.0.20"]);
    let nx = dnsutils("dig nope.default.svc.cluster.local");
    assert!(nx.out.join("\n").contains("status: NXDOMAIN"), "dig exits 0 whatever the rcode");
    assert_eq!(nx.status, 0);
}

#[test]
fn dig_and_host_failures() {
    let timed_out = run_in(&Fake { dns_down: true }, "jessie-dnsutils", false, "dig web");
    assert_eq!((timed_out.status, timed_out.waited), (9, 15_000), "3 tries of 5 s, then exit 9");
    assert_eq!(dnsutils("dig SRV _http._tcp.web.default.svc.cluster.local").status, 1, "SRV is not simulated");
    assert_eq!(dnsutils("dig +bogus web").status, 1);
    assert_eq!(dnsutils("dig -x 10.96.0.300").status, 10);
    let host = dnsutils("host web");
    assert_eq!(
        (host.status, host.out.clone()),
        (0, vec!["web.default.svc.cluster.local has address 10.96.0.20".to_string()])
    );
    let missing = dnsutils("host nope.svc.cluster.local");
    assert_eq!(
        (missing.status, missing.out),
        (1, vec!["Host nope.svc.cluster.local not found: 3(NXDOMAIN)".to_string()])
    );
    // busybox has neither: its shell says so, with 127.
    let bb = run("dig web");
    assert_eq!(bb.status, 127);
}
