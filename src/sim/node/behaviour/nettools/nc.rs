//! busybox `nc HOST PORT` / `nc -z` (networking/nc_bloaty.c) and `ping` (networking/ping.c).
//!
//! `nc -z` only connects: exit 0 if something listens, 1 if not, silent unless `-v` (`HOST (IP:PORT)
//! open`). Its failures: `nc: bad address 'H'`, `nc: can't connect to remote host (IP): Connection
//! refused`. ping sends ICMP echoes: a pod answers; a ClusterIP does not, since kube-proxy's iptables
//! rules DNAT only the Service's TCP/UDP ports and nothing owns the address itself.

use super::super::interp::{Effect, Exec};
use super::super::net::{Connect, Network, TCP_CONNECT_GIVE_UP};
use super::{busybox_usage, connect, lines, lookup};

const NC_USAGE: &str = "nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen";
const PING_USAGE: &str = "ping [OPTIONS] HOST\n\nSend ICMP ECHO_REQUESTs to HOST";

/// How many echoes `ping` without `-c` sends here (the real one runs until interrupted).
const PING_DEFAULT_COUNT: u64 = 4;

pub fn nc(ex: &mut Exec<'_>, net: &dyn Network, rest: &[String]) -> Effect {
    let mut zero = false;
    let mut verbose = false;
    let mut operands = Vec::new();
    let mut i = 0;
    while let Some(a) = rest.get(i) {
        i += 1;
        if a.len() > 1 && a.starts_with('-') {
            for c in a[1..].chars() {
                match c {
                    'z' => zero = true,
                    'v' => verbose = true,
                    // Options with a value: -w SEC, -i SEC, -p PORT, -s ADDR, -e PROG.
                    'w' | 'i' | 'p' | 's' | 'e' => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
            }
        } else {
            operands.push(a.clone());
        }
    }
    let (Some(host), Some(port)) = (operands.first(), operands.get(1)) else { return busybox_usage(NC_USAGE) };
    let Ok(port) = port.parse::<u16>() else { return Effect::fail(1, format!("nc: bad port '{port}'")) };
    let ip = match lookup(ex, net, host).result {
        Ok(ips) => ips.into_iter().next().unwrap_or_default(),
        Err(_) => return Effect::fail(1, format!("nc: bad address '{host}'")),
    };
    match connect(ex, net, &ip, port, TCP_CONNECT_GIVE_UP) {
        Connect::Open(_) => {
            if !zero {
                ex.note("nc HOST PORT: the conversation is not simulated; it connects and closes".into());
            }
            let mut e = Effect::status(0);
            if verbose {
                e.err = lines(&format!("{host} ({ip}:{port}) open"));
            }
            e
        }
        Connect::Refused => Effect::fail(1, format!("nc: can't connect to remote host ({ip}): Connection refused")),
        Connect::TimedOut => Effect::fail(1, format!("nc: can't connect to remote host ({ip}): Connection timed out")),
    }
}

pub fn ping(ex: &mut Exec<'_>, net: &dyn Network, rest: &[String]) -> Effect {
    let mut count = None;
    let mut host = None;
    let mut i = 0;
    while let Some(a) = rest.get(i) {
        i += 1;
        if let Some(c) = a.strip_prefix("-c") {
            let v = if c.is_empty() { rest.get(i).inspect(|_| i += 1).cloned() } else { Some(c.to_string()) };
            match v.as_deref().map(str::parse::<u64>) {
                Some(Ok(n)) if n > 0 => count = Some(n.min(100)),
                _ => return Effect::fail(1, format!("ping: invalid number '{}'", v.unwrap_or_default())),
            }
        } else if matches!(a.as_str(), "-W" | "-w" | "-i" | "-s" | "-t" | "-I") {
            i += 1;
        } else if !a.starts_with('-') && host.is_none() {
            host = Some(a.clone());
        }
    }
    let Some(host) = host else { return busybox_usage(PING_USAGE) };
    let count = count.unwrap_or_else(|| {
        ex.note(format!("ping without -c runs until interrupted: the sandbox stops it after {PING_DEFAULT_COUNT}"));
        PING_DEFAULT_COUNT
    });
    let ip = match lookup(ex, net, &host).result {
        Ok(ips) => ips.into_iter().next().unwrap_or_default(),
        Err(_) => return Effect::fail(1, format!("ping: bad address '{host}'")),
    };
    let answered = net.ping(&ip);
    // One echo a second; the last one is waited for a second as well.
    ex.waited += count * 1000;
    let mut out = vec![format!("PING {host} ({ip}): 56 data bytes")];
    if answered {
        out.extend((0..count).map(|seq| format!("64 bytes from {ip}: seq={seq} ttl=63 time=0.100 ms")));
    }
    let received = if answered { count } else { 0 };
    out.push(String::new());
    out.push(format!("--- {host} ping statistics ---"));
    out.push(format!(
        "{count} packets transmitted, {received} packets received, {}% packet loss",
        100 - received * 100 / count
    ));
    if answered {
        out.push("round-trip min/avg/max = 0.100/0.100/0.100 ms".into());
    }
    Effect { status: i32::from(!answered), out: lines(&out.join("\n")), ..Effect::default() }
}
