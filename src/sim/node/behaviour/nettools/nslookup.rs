//! `nslookup HOST [SERVER]`: busybox's (networking/nslookup.c, 1.30 and later) in busybox images,
//! bind's elsewhere (dnsutils, netshoot).
//!
//! busybox sends its own queries: A then AAAA, a dotless name once under *each* search domain (its
//! `add_query_with_search`, which ignores `ndots`), a dotted name as written; it prints every reply
//! in turn, `** server can't find NAME: NXDOMAIN` for each failed one, a blank line after each, and
//! exits 1 if any failed. With no reply within 5 s it prints `;; connection timed out; no servers
//! could be reached`. bind's tries the search list under `ndots` and prints the first name found.

use super::super::Line;
use super::super::interp::{Effect, Exec};
use super::super::net::{DnsReply, Network, QType, Record, is_ipv4, ptr_name};
use super::{busybox_usage, lines, resolv_conf};
use crate::sim::time::Millis;

const USAGE: &str = "nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any";

/// The query types busybox knows; only A, AAAA and PTR are simulated.
const BUSYBOX_TYPES: &[&str] = &["soa", "ns", "a", "aaaa", "cname", "mx", "txt", "ptr", "srv", "any"];

/// busybox's `G.default_timeout`: 5 s per server.
const BUSYBOX_TIMEOUT: Millis = 5_000;
/// bind's nslookup: 3 tries of 5 s.
const BIND_TIMEOUT: Millis = 15_000;

pub fn run(ex: &mut Exec<'_>, net: &dyn Network, rest: &[String]) -> Effect {
    if ex.ctx.busybox { busybox(ex, net, rest) } else { bind(ex, net, rest) }
}

/// One reply line group, as busybox's `parse_reply` prints the answer section.
fn answer_lines(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .flat_map(|r| match r {
            Record::A { name, ip } => vec![format!("Name:\t{name}"), format!("Address: {ip}")],
            Record::Cname { name, target } => vec![format!("{name}\tcanonical name = {target}")],
            Record::Ptr { name, target } => vec![format!("{name}\tname = {target}")],
        })
        .collect()
}

fn busybox(ex: &mut Exec<'_>, net: &dyn Network, rest: &[String]) -> Effect {
    let mut types = Vec::new();
    let mut timeout = BUSYBOX_TIMEOUT;
    let mut i = 0;
    while let Some(a) = rest.get(i).filter(|a| a.starts_with('-')) {
        let (opt, val) = a[1..].split_once('=').unwrap_or((&a[1..], ""));
        match opt {
            "type" | "querytype" => {
                let v = val.to_ascii_lowercase();
                if !BUSYBOX_TYPES.contains(&v.as_str()) {
                    return Effect::fail(1, format!("nslookup: invalid query type \"{val}\""));
                }
                match v.as_str() {
                    "a" => types.push(QType::A),
                    "aaaa" => types.push(QType::Aaaa),
                    "ptr" => types.push(QType::Ptr),
                    other => {
                        ex.note(format!("nslookup -type={other}: only A, AAAA and PTR records are simulated"));
                        types.push(QType::A);
                    }
                }
            }
            "t" | "timeout" => match val.parse::<u64>() {
                Ok(s) if s >= 1 => timeout = s.saturating_mul(1000),
                _ => return Effect::fail(1, format!("nslookup: invalid number '{val}'")),
            },
            "port" | "retry" | "debug" => {}
            _ => return busybox_usage(USAGE),
        }
        i += 1;
    }
    let (Some(host), server, None) = (rest.get(i), rest.get(i + 1), rest.get(i + 2)) else {
        return busybox_usage(USAGE);
    };
    let conf = resolv_conf(ex);
    let servers: Vec<String> = match server {
        Some(s) if is_ipv4(s) => vec![s.clone()],
        Some(s) => return Effect::fail(1, format!("nslookup: bad address '{s}'")),
        None => conf.nameservers.clone(),
    };
    // add_query_with_search: PTR and dotted names as written, a dotless one under each domain.
    let names = |t: QType| -> Vec<(QType, String)> {
        if t == QType::Ptr || host.contains('.') || conf.search.is_empty() {
            vec![(t, if t == QType::Ptr && is_ipv4(host) { ptr_name(host) } else { host.clone() })]
        } else {
            conf.search.iter().map(|d| (t, format!("{host}.{d}"))).collect()
        }
    };
    let queries: Vec<(QType, String)> = if !types.is_empty() {
        types.iter().flat_map(|t| names(*t)).collect()
    } else if is_ipv4(host) {
        names(QType::Ptr)
    } else {
        names(QType::A).into_iter().chain(names(QType::Aaaa)).collect()
    };
    for server in &servers {
        let replies: Vec<DnsReply> =
            queries.iter().map(|(t, n)| net.dns(server, n.strip_suffix('.').unwrap_or(n), *t)).collect();
        if replies.iter().all(|r| *r == DnsReply::Timeout) {
            ex.waited += timeout;
            continue;
        }
        let mut out = vec![format!("Server:\t\t{server}"), format!("Address:\t{server}:53"), String::new()];
        let mut status = 0;
        let mut unanswered = Vec::new();
        for ((_, name), reply) in queries.iter().zip(&replies) {
            match reply {
                DnsReply::Answer(records) => out.extend(answer_lines(records)),
                DnsReply::NxDomain => out.push(format!("** server can't find {name}: NXDOMAIN")),
                DnsReply::ServFail => out.push(format!("** server can't find {name}: SERVFAIL")),
                DnsReply::Timeout => {
                    unanswered.push(name.clone());
                    continue;
                }
            }
            if !matches!(reply, DnsReply::Answer(_)) {
                status = 1;
            }
            out.push(String::new());
        }
        if !unanswered.is_empty() {
            ex.waited += timeout;
            out.extend(unanswered.iter().map(|n| format!("*** Can't find {n}: No answer")));
            out.push(String::new());
        }
        return Effect { status, out: out.into_iter().map(Line::text).collect(), ..Effect::default() };
    }
    Effect { status: 1, out: lines(";; connection timed out; no servers could be reached\n\n"), ..Effect::default() }
}

/// bind's `nslookup`: the search list under `ndots`, the first name that answers.
fn bind(ex: &mut Exec<'_>, net: &dyn Network, rest: &[String]) -> Effect {
    let operands: Vec<&String> = rest.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(host) = operands.first() else {
        return Effect::fail(1, "nslookup: interactive mode is not available in this sandbox".into());
    };
    let conf = resolv_conf(ex);
    let server = match operands.get(1) {
        Some(s) if is_ipv4(s) => s.to_string(),
        Some(s) => return Effect::fail(1, format!("nslookup: couldn't get address for '{s}': not found")),
        None => conf.nameservers.first().cloned().unwrap_or_else(|| "127.0.0.1".into()),
    };
    let header = format!("Server:\t\t{server}\nAddress:\t{server}#53\n");
    let (candidates, qtype) =
        if is_ipv4(host) { (vec![ptr_name(host)], QType::Ptr) } else { (conf.candidates(host), QType::A) };
    let mut last = DnsReply::NxDomain;
    for name in &candidates {
        last = net.dns(&server, name, qtype);
        if let DnsReply::Answer(records) = &last {
            let text = format!("{header}\n{}\n", answer_lines(records).join("\n"));
            return Effect { out: lines(&text), ..Effect::default() };
        }
        if last != DnsReply::NxDomain {
            break;
        }
    }
    let text = match last {
        DnsReply::Timeout => {
            ex.waited += BIND_TIMEOUT;
            ";; connection timed out; no servers could be reached\n\n".to_string()
        }
        DnsReply::ServFail => format!("{header}\n** server can't find {host}: SERVFAIL\n\n"),
        _ => format!("{header}\n** server can't find {host}: NXDOMAIN\n\n"),
    };
    Effect { status: 1, out: lines(&text), ..Effect::default() }
}
