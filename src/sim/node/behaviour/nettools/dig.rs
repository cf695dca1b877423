//! bind's `dig` and `host`, as the docs' DNS-debugging image has them
//! (`registry.k8s.io/e2e-test-images/jessie-dnsutils`: Debian jessie's dnsutils, bind 9.9.5).
//!
//! - `dig [@server] [-t TYPE | TYPE] [-x ADDR] NAME [+short] [+search] [+noall] [+answer]` sends one
//!   query for the name as written (made absolute: dig does not search unless `+search`), prints the
//!   reply in presentation format with dig's tab stops, and exits 0 whatever the rcode; with no answer
//!   it prints `;; connection timed out; no servers could be reached` after 3 tries of 5 s, exit 9.
//! - `host NAME|ADDR [SERVER]` walks the search list under `ndots` like the resolver and prints
//!   `has address` lines (or `domain name pointer`), `Host NAME not found: 3(NXDOMAIN)` and exit 1.
//!
//! Simplified: only A, AAAA and PTR are simulated (CoreDNS's SRV, TXT and SOA records are not), so an
//! NXDOMAIN reply carries no SOA in its authority section, and the query time reads 0 msec.

use super::super::interp::{Effect, Exec};
use super::super::net::{DnsReply, Network, QType, Record, is_ipv4, ptr_name};
use super::{lines, resolv_conf};
use crate::sim::time::Millis;

/// The version jessie-dnsutils prints in its banner.
const BANNER: &str = "DiG 9.9.5-9+deb8u19-Debian";
/// kind's Corefile: `kubernetes cluster.local ... { ttl 30 }`.
const TTL: u32 = 30;
/// dig's defaults: 3 tries, 5 s each.
const DIG_TIMEOUT: Millis = 15_000;

/// Whether the image ships bind's tools.
pub fn has_bind_tools(image: &str) -> bool {
    image == "jessie-dnsutils"
}

/// What dig was asked.
struct Query {
    server: Option<String>,
    name: String,
    qtype: QType,
    short: bool,
    search: bool,
    answer_only: bool,
}

fn type_name(t: QType) -> &'static str {
    match t {
        QType::A => "A",
        QType::Aaaa => "AAAA",
        QType::Ptr => "PTR",
    }
}

fn parse_type(t: &str) -> Option<Result<QType, String>> {
    let upper = t.to_ascii_uppercase();
    match upper.as_str() {
        "A" => Some(Ok(QType::A)),
        "AAAA" => Some(Ok(QType::Aaaa)),
        "PTR" => Some(Ok(QType::Ptr)),
        "SRV" | "TXT" | "MX" | "NS" | "SOA" | "CNAME" | "ANY" => Some(Err(upper)),
        _ => None,
    }
}

/// A refusal: exit status and message.
type Refusal = (i32, String);

fn not_simulated(t: &str) -> Refusal {
    (1, format!("dig: the sandbox simulates A, AAAA and PTR records only, not {t}"))
}

fn parse(args: &[String]) -> Result<Query, Refusal> {
    let mut q =
        Query { server: None, name: String::new(), qtype: QType::A, short: false, search: false, answer_only: false };
    let mut args = args.iter();
    while let Some(a) = args.next() {
        if let Some(server) = a.strip_prefix('@') {
            q.server = Some(server.to_string());
        } else if let Some(opt) = a.strip_prefix('+') {
            match opt {
                "short" => q.short = true,
                "search" => q.search = true,
                "nosearch" => q.search = false,
                "noall" => q.answer_only = true,
                "answer" | "cmd" | "nocmd" | "nostats" | "stats" | "nocomments" => {}
                _ => {
                    return Err((
                        1,
                        format!(
                            "Invalid option: +{opt}\nUsage:  dig [@global-server] [domain] [q-type] [q-class] {{q-opt}}"
                        ),
                    ));
                }
            }
        } else if a == "-x" {
            let Some(addr) = args.next() else { return Err((1, "dig: -x requires an address".into())) };
            if !is_ipv4(addr) {
                return Err((10, format!("dig: '{addr}' is not a legal IP address")));
            }
            q.name = ptr_name(addr);
            q.qtype = QType::Ptr;
        } else if a == "-t" {
            let t = args.next().cloned().unwrap_or_default();
            match parse_type(&t) {
                Some(Ok(qt)) => q.qtype = qt,
                Some(Err(t)) => return Err(not_simulated(&t)),
                None => return Err((1, format!(";; Warning, ignoring invalid type {t}"))),
            }
        } else if let Some(t) = parse_type(a) {
            // A word that names a type is the type, before or after the name (dig's `parse_args`).
            match t {
                Ok(qt) => q.qtype = qt,
                Err(t) => return Err(not_simulated(&t)),
            }
        } else if a != "IN" {
            q.name = a.clone();
        }
    }
    if q.name.is_empty() {
        // Without a name dig asks for the root's NS records, which the sandbox does not simulate.
        return Err(not_simulated("NS"));
    }
    Ok(q)
}

/// Fields at dig's tab stops (TTL at column 24, class 32, type 40, data 48), reached with tabs of
/// width 8; a field whose stop is already passed is set off by one space.
fn columns(fields: &[(&str, usize)]) -> String {
    let (mut line, mut col) = (String::new(), 0);
    for (i, (text, stop)) in fields.iter().enumerate() {
        if i > 0 && col >= *stop {
            line.push(' ');
            col += 1;
        }
        while col < *stop {
            line.push('\t');
            col = (col / 8 + 1) * 8;
        }
        line.push_str(text);
        col += text.len();
    }
    line
}

fn absolute(name: &str) -> String {
    if name.ends_with('.') { name.to_string() } else { format!("{name}.") }
}

fn record_line(r: &Record) -> String {
    let (name, ty, data) = match r {
        Record::A { name, ip } if ip.contains(':') => (name, "AAAA", ip.clone()),
        Record::A { name, ip } => (name, "A", ip.clone()),
        Record::Cname { name, target } => (name, "CNAME", absolute(target)),
        Record::Ptr { name, target } => (name, "PTR", absolute(target)),
    };
    let owner = absolute(name);
    let ttl = TTL.to_string();
    columns(&[(&owner, 0), (&ttl, 24), ("IN", 32), (ty, 40), (&data, 48)])
}

fn record_data(r: &Record) -> String {
    match r {
        Record::A { ip, .. } => ip.clone(),
        Record::Cname { target, .. } | Record::Ptr { target, .. } => absolute(target),
    }
}

/// The length of a name on the wire: each label with its length byte, then the root.
fn wire_name(name: &str) -> usize {
    name.trim_end_matches('.').split('.').filter(|l| !l.is_empty()).map(|l| l.len() + 1).sum::<usize>() + 1
}

/// The reply's size: header, question, answers (owner compressed to a pointer), the OPT record.
fn message_size(name: &str, records: &[Record]) -> usize {
    let answers: usize = records
        .iter()
        .map(|r| {
            2 + 10
                + match r {
                    Record::A { ip, .. } if ip.contains(':') => 16,
                    Record::A { .. } => 4,
                    Record::Cname { target, .. } | Record::Ptr { target, .. } => wire_name(target),
                }
        })
        .sum();
    12 + wire_name(name) + 4 + answers + 11
}

pub fn dig(ex: &mut Exec<'_>, net: &dyn Network, args: &[String]) -> Effect {
    let q = match parse(args) {
        Ok(q) => q,
        Err((status, why)) => return Effect::fail(status, why),
    };
    let conf = resolv_conf(ex);
    let server = q.server.clone().or_else(|| conf.nameservers.first().cloned()).unwrap_or_else(|| "127.0.0.1".into());
    let candidates = if q.search && !q.name.ends_with('.') { conf.candidates(&q.name) } else { vec![q.name.clone()] };
    let mut asked = String::new();
    let mut reply = DnsReply::NxDomain;
    for name in &candidates {
        asked = name.trim_end_matches('.').to_string();
        reply = net.dns(&server, &asked, q.qtype);
        if reply != DnsReply::NxDomain {
            break;
        }
    }
    let banner = format!("\n; <<>> {BANNER} <<>> {}\n;; global options: +cmd", args.join(" "));
    if reply == DnsReply::Timeout {
        ex.waited += DIG_TIMEOUT;
        if q.short {
            return Effect {
                status: 9,
                out: lines(";; connection timed out; no servers could be reached"),
                ..Effect::default()
            };
        }
        let text = format!("{banner}\n;; connection timed out; no servers could be reached");
        return Effect { status: 9, out: lines(&text), ..Effect::default() };
    }
    let (status, records): (&str, &[Record]) = match &reply {
        DnsReply::Answer(r) => ("NOERROR", r),
        DnsReply::NxDomain => ("NXDOMAIN", &[]),
        _ => ("SERVFAIL", &[]),
    };
    if q.short {
        let text: Vec<String> = records.iter().map(record_data).collect();
        return Effect { out: text.iter().map(|t| super::super::Line::text(t.clone())).collect(), ..Effect::default() };
    }
    let answers: Vec<String> = records.iter().map(record_line).collect();
    if q.answer_only {
        return Effect {
            out: answers.iter().map(|t| super::super::Line::text(t.clone())).collect(),
            ..Effect::default()
        };
    }
    // A deterministic message id from the question and the time (dig draws a random one).
    let id = (asked.bytes().fold(ex.now(), |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % 65_536) as u16;
    let aa = if status == "SERVFAIL" { "" } else { " aa" };
    let question = format!(";{}", absolute(&asked));
    let mut text = format!(
        "{banner}\n;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: {status}, id: {id}\n\
         ;; flags: qr{aa} rd; QUERY: 1, ANSWER: {}, AUTHORITY: 0, ADDITIONAL: 1\n\
         ;; WARNING: recursion requested but not available\n\n\
         ;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 4096\n;; QUESTION SECTION:\n{}\n",
        records.len(),
        columns(&[(&question, 0), ("IN", 32), (type_name(q.qtype), 40)]),
    );
    if !answers.is_empty() {
        text.push_str(&format!("\n;; ANSWER SECTION:\n{}\n", answers.join("\n")));
    }
    text.push_str(&format!(
        "\n;; Query time: 0 msec\n;; SERVER: {server}#53({server})\n;; WHEN: {}\n;; MSG SIZE  rcvd: {}\n",
        super::super::timeline::c_date(ex.now(), true),
        message_size(&asked, records)
    ));
    Effect { out: lines(&text), ..Effect::default() }
}

pub fn host(ex: &mut Exec<'_>, net: &dyn Network, args: &[String]) -> Effect {
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(name) = operands.first() else {
        return Effect::fail(1, "Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n            [-R number] [-m flag] hostname [server]".into());
    };
    let conf = resolv_conf(ex);
    let server = operands.get(1).map(|s| s.to_string()).or_else(|| conf.nameservers.first().cloned());
    let server = server.unwrap_or_else(|| "127.0.0.1".into());
    let header = operands.get(1).map(|s| format!("Using domain server:\nName: {s}\nAddress: {s}#53\nAliases: \n\n"));
    let (candidates, qtype) =
        if is_ipv4(name) { (vec![ptr_name(name)], QType::Ptr) } else { (conf.candidates(name), QType::A) };
    let mut last = DnsReply::NxDomain;
    for c in &candidates {
        last = net.dns(&server, c.trim_end_matches('.'), qtype);
        if let DnsReply::Answer(records) = &last {
            let mut text = header.clone().unwrap_or_default();
            for r in records {
                text.push_str(&match r {
                    Record::A { name, ip } => format!("{name} has address {ip}\n"),
                    Record::Cname { name, target } => format!("{name} is an alias for {}\n", absolute(target)),
                    Record::Ptr { name, target } => format!("{name} domain name pointer {}\n", absolute(target)),
                });
            }
            return Effect { out: lines(&text), ..Effect::default() };
        }
        if last != DnsReply::NxDomain {
            break;
        }
    }
    let text = match last {
        DnsReply::Timeout => {
            ex.waited += 10_000;
            ";; connection timed out; no servers could be reached".to_string()
        }
        DnsReply::ServFail => format!("{}Host {name} not found: 2(SERVFAIL)", header.unwrap_or_default()),
        _ => format!("{}Host {name} not found: 3(NXDOMAIN)", header.unwrap_or_default()),
    };
    Effect { status: 1, out: lines(&text), ..Effect::default() }
}
