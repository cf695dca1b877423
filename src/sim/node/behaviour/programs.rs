//! Programs the simulation knows by name (shells, servers, `stress`, `perl`, `python`, `agnhost`) and
//! the entry point that decides a container's behaviour from its image and command line.

mod scripts;
mod servers;

use std::collections::BTreeMap;

pub use servers::{Agnhost, HttpAnswer, ServerKind};

use super::interp::commands::{basename, run};
use super::interp::{Ctx, Effect, Exec};
use super::{Behaviour, End, Launch, Line, Piece, Server, Sigterm, Step, images};
use crate::sim::node::registry::reference::ImageRef;

const MIB: u64 = 1 << 20;

fn serve(kind: ServerKind, ports: Vec<u16>, ready_after: u64) -> Effect {
    Effect::end(End::Serve(Server { kind, ports, ready_after }))
}

/// The value of `--flag=v`, `--flag v` or `-f v` in `args`.
fn flag<'a>(args: &'a [String], names: &[&str]) -> Option<&'a str> {
    for (i, a) in args.iter().enumerate() {
        for n in names {
            if let Some(v) = a.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                return Some(v);
            }
            if a == n {
                return args.get(i + 1).map(String::as_str);
            }
        }
    }
    None
}

fn port_of(v: Option<&str>, default: u16) -> u16 {
    v.and_then(|p| p.trim_start_matches(':').rsplit(':').next()?.parse().ok()).unwrap_or(default)
}

/// A program the simulation does not know.
fn unknown(ex: &mut Exec<'_>, name: &str) -> Effect {
    if !ex.top_level {
        ex.note(format!("unknown command \"{name}\" in a script: simulated as succeeding at once"));
        return Effect { steps: vec![Step::Work(10)], unknown: Some(name.to_string()), ..Effect::default() };
    }
    main_unknown(ex, name)
}

/// An unknown program as the container's main process: it does what its pod expects of it.
fn main_unknown(ex: &mut Exec<'_>, name: &str) -> Effect {
    if ex.ctx.expect_exit {
        ex.note(format!("unknown program \"{name}\": simulated as finishing successfully after 3 s"));
        Effect { steps: vec![Step::Work(3000)], end: Some(End::Exit(0)), ..Effect::default() }
    } else {
        ex.note(format!("unknown program \"{name}\": simulated as a server running forever on its declared ports"));
        serve(ServerKind::Generic(name.to_string()), ex.ctx.ports.to_vec(), 1000)
    }
}

/// Runs a program that is not a shell builtin or coreutils command.
pub fn program(ex: &mut Exec<'_>, argv: &[Vec<Piece>], args: &[String]) -> Effect {
    let name = basename(&args[0]).to_string();
    let rest = &args[1..];
    let strip = |ex: &mut Exec<'_>, n: usize| if argv.len() > n { run(ex, &argv[n..]) } else { Effect::status(0) };
    match name.as_str() {
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" => shell(ex, &name, rest),
        "docker-entrypoint.sh"
        | "entrypoint.sh"
        | "docker-php-entrypoint"
        | "tini"
        | "dumb-init"
        | "nohup"
        | "time" => {
            let skip = 1 + rest.iter().take_while(|a| a.starts_with('-')).count();
            strip(ex, skip)
        }
        "gosu" | "su-exec" | "chpst" => strip(ex, 2),
        "env" => {
            let mut i = 1;
            while let Some((k, v)) = args.get(i).and_then(|a| a.split_once('=')) {
                ex.env.insert(k.to_string(), v.to_string());
                i += 1;
            }
            strip(ex, i)
        }
        "nginx" => nginx(ex, rest),
        "redis-server" => serve(ServerKind::Redis, vec![port_of(flag(rest, &["--port"]), 6379)], 50),
        "redis-cli" => Effect::out(vec![Line::text("PONG")]),
        "memcached" => serve(ServerKind::Memcached, vec![11211], 50),
        "mongod" => serve(ServerKind::Mongo, vec![27017], 2000),
        "rabbitmq-server" => serve(ServerKind::Generic("rabbitmq-server".into()), vec![5672, 15672], 8000),
        "httpd-foreground" | "httpd" | "apache2-foreground" | "apache2" => serve(ServerKind::Httpd, vec![80], 200),
        "postgres" => servers::postgres(ex),
        "mysqld" => servers::mysqld(ex),
        "mysqladmin" => Effect::out(vec![Line::text("mysqld is alive")]),
        "pause" => serve(ServerKind::Pause, vec![], 0),
        "agnhost" => agnhost(ex, rest),
        "server" if ex.ctx.image == "liveness" => serve(ServerKind::LivenessDemo, vec![8080], 100),
        "http-echo" => {
            let text = flag(rest, &["-text", "--text"]).unwrap_or("").to_string();
            serve(ServerKind::HttpEcho(text), vec![port_of(flag(rest, &["-listen", "--listen"]), 5678)], 50)
        }
        "hello-app" | "hello" => {
            let port = ex.env.get("PORT").and_then(|p| p.parse().ok()).unwrap_or(8080);
            serve(ServerKind::HelloApp, vec![port], 100)
        }
        // ingress-nginx's controller: nginx on 80 and 443, its health and metrics port 10254.
        "nginx-ingress-controller" => serve(ServerKind::IngressNginx, vec![80, 443, 10254], 2000),
        "stress" => stress(ex, rest),
        n if n == "perl" || n.starts_with("perl5") => scripts::perl(ex, rest).unwrap_or_else(|| unknown(ex, &name)),
        n if n == "python" || n.starts_with("python3") || n == "python2" => {
            scripts::python(ex, rest).unwrap_or_else(|| unknown(ex, &name))
        }
        "node" | "nodejs" => scripts::node(ex, rest).unwrap_or_else(|| unknown(ex, &name)),
        _ => unknown(ex, &name),
    }
}

/// `sh -c "script"`, `bash -ec "script"`, a shell reading its script from stdin, or a shell with
/// nothing to read (exits at once without a tty).
fn shell(ex: &mut Exec<'_>, name: &str, rest: &[String]) -> Effect {
    let mut i = 0;
    let mut script = None;
    while let Some(a) = rest.get(i) {
        if a.starts_with('-') && a.len() > 1 && !a.starts_with("--") {
            if a.contains('e') {
                ex.errexit = true;
            }
            if a.contains('c') {
                script = rest.get(i + 1);
                break;
            }
            i += 1;
        } else if a.starts_with("--") {
            i += 1;
        } else {
            // `sh /script.sh`: a script file the simulation cannot read.
            return unknown(ex, a);
        }
    }
    // With no `-c`, a shell reads its commands from stdin (`kubectl exec -i POD -- sh <<EOF`).
    let script = match (script, ex.stdin.take()) {
        (Some(script), _) => script.clone(),
        (None, _) if rest.iter().any(|a| a == "-c") => {
            return Effect::fail(2, format!("{name}: -c requires an argument"));
        }
        // On a terminal the shell is interactive: it prints its prompt before reading.
        (None, Some(input)) if ex.tty => {
            ex.apply(Effect::out(vec![Line::text(prompt(ex, name))]), &[]);
            input
        }
        (None, Some(input)) => input,
        // A container's main shell whose stdin the runtime keeps open (`stdin: true`) waits for a
        // line, as `sh` on a pipe nobody writes to; with stdin closed it reads end-of-file and
        // exits 0 (`kubectl run --image=busybox` without `-i` completes at once).
        (None, None) if ex.open_stdin && ex.top_level => return Effect::end(End::Forever),
        (None, None) => return Effect::status(0),
    };
    let top = ex.top_level;
    ex.top_level = false;
    ex.shells += 1;
    ex.run_script(&script);
    ex.shells -= 1;
    ex.top_level = top;
    let end = ex.end.take();
    // The outermost shell's `exit` ends the process (`kubectl attach` to a shell, `exit 3`).
    if ex.shells == 0 && matches!(end, Some(End::Exit(_))) {
        ex.exited = true;
    }
    let status = ex.status;
    match end {
        Some(End::Exit(code)) if !top => Effect::status(code),
        Some(end) => Effect::end(end),
        None if top && !ex.ctx.expect_exit && ex.last_unknown.is_some() => {
            // The script's last command is a program the simulation does not know: its main process.
            let last = ex.last_unknown.clone().unwrap_or_default();
            main_unknown(ex, &last)
        }
        None if top => Effect::end(End::Exit(status)),
        None => Effect::status(status),
    }
}

/// The prompt an interactive shell prints for root in `/`: busybox ash's `\w \$ `, bash's
/// (Debian's `/etc/bash.bashrc`: `\u@\h:\w\$ `), dash's `# `.
pub fn prompt(ex: &Exec<'_>, shell: &str) -> String {
    let host = ex.ctx.hostname.split('.').next().unwrap_or_default();
    match (shell, ex.ctx.busybox) {
        ("bash", _) => format!("root@{host}:/# "),
        (_, true) => "/ # ".to_string(),
        _ => "# ".to_string(),
    }
}

fn nginx(ex: &mut Exec<'_>, rest: &[String]) -> Effect {
    if rest.iter().any(|a| a == "-v" || a == "-V") {
        return Effect::out(vec![Line::text("nginx version: nginx/1.27.3")]);
    }
    if rest.iter().any(|a| a == "-t") {
        return Effect::out(vec![
            Line::text("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok"),
            Line::text("nginx: configuration file /etc/nginx/nginx.conf test is successful"),
        ]);
    }
    if rest.iter().any(|a| a.contains("daemon off")) {
        let ports = if ex.ctx.image == "nginxhttps" { vec![80, 443] } else { vec![80] };
        return serve(ServerKind::Nginx, ports, 50);
    }
    ex.note(
        "nginx without -g 'daemon off;' forks into the background: the container's main process exits at once".into(),
    );
    Effect::status(0)
}

fn agnhost(ex: &mut Exec<'_>, rest: &[String]) -> Effect {
    let sub = rest.first().map_or("", String::as_str);
    let args = rest.get(1..).unwrap_or_default();
    match sub {
        "netexec" => {
            serve(ServerKind::Agnhost(Agnhost::Netexec), vec![port_of(flag(args, &["--http-port"]), 8080)], 100)
        }
        "serve-hostname" => {
            serve(ServerKind::Agnhost(Agnhost::ServeHostname), vec![port_of(flag(args, &["--port"]), 9376)], 100)
        }
        "liveness" => serve(ServerKind::Agnhost(Agnhost::Liveness), vec![8080], 100),
        "test-webserver" => {
            serve(ServerKind::Agnhost(Agnhost::Netexec), vec![port_of(flag(args, &["--port"]), 80)], 100)
        }
        "pause" => serve(ServerKind::Pause, vec![], 0),
        "" => Effect::out(vec![Line::text("Usage:\n  agnhost [command]")]),
        other => {
            ex.note(format!("agnhost {other}: simulated as a server on the declared ports"));
            serve(ServerKind::Generic(format!("agnhost {other}")), ex.ctx.ports.to_vec(), 100)
        }
    }
}

/// `250M`, `1G`, `128k`, `1024`: stress's byte sizes (powers of 1024).
pub fn stress_bytes(s: &str) -> Option<u64> {
    let (num, mult) = match s.chars().last()? {
        'b' | 'B' => (&s[..s.len() - 1], 1),
        'k' | 'K' => (&s[..s.len() - 1], 1 << 10),
        'm' | 'M' => (&s[..s.len() - 1], 1 << 20),
        'g' | 'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mult)
}

fn stress(ex: &mut Exec<'_>, rest: &[String]) -> Effect {
    let count = |names: &[&str]| flag(rest, names).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    let (cpu, io, vm, hdd) =
        (count(&["--cpu", "-c"]), count(&["--io", "-i"]), count(&["--vm", "-m"]), count(&["--hdd", "-d"]));
    if rest.iter().any(|a| a == "--help" || a == "-?") || cpu + io + vm + hdd == 0 {
        let usage = Line::text(
            "`stress' imposes certain types of compute stress on your system\n\nUsage: stress [OPTION [ARG]] ...",
        );
        return Effect {
            status: i32::from(!rest.iter().any(|a| a == "--help")),
            out: vec![usage],
            ..Effect::default()
        };
    }
    let bytes = flag(rest, &["--vm-bytes"]).and_then(stress_bytes).unwrap_or(256 << 20);
    let hang = flag(rest, &["--vm-hang"]).is_some();
    ex.cpu_hint = cpu * 1000 + if hang { 0 } else { vm * 1000 };
    ex.memory_hint = MIB;
    let mut steps = vec![Step::Log(Line::text(format!(
        "stress: info: [1] dispatching hogs: {cpu} cpu, {io} io, {vm} vm, {hdd} hdd"
    )))];
    if vm > 0 {
        steps.push(Step::Alloc(bytes.saturating_mul(u64::from(vm))));
    }
    let end = match flag(rest, &["--timeout", "-t"]).and_then(|t| super::interp::commands::sleep_ms(t).ok().flatten()) {
        Some(t) => {
            steps.push(Step::Sleep(t));
            steps.push(Step::Log(Line::text(format!("stress: info: [1] successful run completed in {}s", t / 1000))));
            End::Exit(0)
        }
        None => End::Forever,
    };
    Effect { steps, end: Some(end), ..Effect::default() }
}

/// Kubernetes expands `$(VAR)` in command and args from the container's environment (`$$` escapes).
pub fn expand_env_refs(arg: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = arg;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(close) = inner.find(')')
            && let Some(v) = env.get(&inner[..close])
        {
            out.push_str(v);
            rest = &inner[close + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// See [`Behaviour::of`].
pub fn behaviour_of(l: &Launch<'_>) -> Behaviour {
    let repository = ImageRef::parse(l.image).map(|r| r.repository()).unwrap_or_else(|_| l.image.to_string());
    let d = images::defaults(&repository);
    let short = repository.rsplit('/').next().unwrap_or(&repository).to_string();
    let mut env: BTreeMap<String, String> = d.env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    env.insert("HOSTNAME".into(), l.hostname.to_string());
    env.insert("HOME".into(), "/root".into());
    for (k, v) in l.env {
        env.insert(k.clone(), v.clone());
    }
    let argv = super::argv::argv_of(l, &d, &env);
    let ctx = Ctx {
        files: l.files,
        mounts: l.mounts,
        host: l.host.map(|(fs, _)| fs),
        start: l.host.map_or(0, |(_, t)| t),
        hostname: l.hostname,
        busybox: d.busybox,
        ports: l.ports,
        expect_exit: l.expect_exit,
        image: &short,
        net: None,
    };
    let mut ex = Exec::new(&ctx, env);
    ex.top_level = true;
    ex.open_stdin = l.open_stdin;
    let effect = if argv.is_empty() {
        main_unknown(&mut ex, &short)
    } else {
        let pieces: Vec<Vec<Piece>> = argv.iter().map(|a| vec![Piece::Text(a.clone())]).collect();
        run(&mut ex, &pieces)
    };
    ex.apply(effect, &[]);
    let end = ex.end.take().unwrap_or(End::Exit(ex.status));
    let sigterm = match (&end, ex.trap_term) {
        (End::Serve(s), _) => s.kind.sigterm(),
        (_, Some(code)) => Sigterm::Exit { after: 10, code },
        _ => Sigterm::Ignore,
    };
    let (memory, cpu_millis) = match &end {
        End::Serve(s) => (s.kind.memory(), s.kind.cpu()),
        End::Loop(body) if body.iter().all(|s| s.duration() == 0 || matches!(s, Step::Work(_))) => (MIB, 1000),
        End::Loop(_) => (MIB + ex.memory_hint, 1),
        _ => (MIB + ex.memory_hint, ex.cpu_hint),
    };
    Behaviour { steps: ex.steps, end, sigterm, memory, cpu_millis, has_shell: d.has_shell, notes: ex.notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stress_sizes() {
        assert_eq!(stress_bytes("250M"), Some(250 << 20));
        assert_eq!(stress_bytes("1G"), Some(1 << 30));
        assert_eq!(stress_bytes("128k"), Some(128 << 10));
        assert_eq!(stress_bytes("100"), Some(100));
        assert_eq!(stress_bytes("lots"), None);
        assert_eq!(stress_bytes(""), None);
    }

    #[test]
    fn kubernetes_env_references() {
        let env: BTreeMap<String, String> = [("ITEM".to_string(), "apple".to_string())].into();
        assert_eq!(expand_env_refs("echo $(ITEM)", &env), "echo apple");
        assert_eq!(expand_env_refs("echo $(date)", &env), "echo $(date)", "unknown names stay for the shell");
        assert_eq!(expand_env_refs("cost $$(ITEM)", &env), "cost $(ITEM)");
        assert_eq!(expand_env_refs("$(ITEM", &env), "$(ITEM");
    }

    #[test]
    fn flags_and_ports() {
        let args: Vec<String> = ["--http-port=9000", "-text", "hi"].iter().map(|s| s.to_string()).collect();
        assert_eq!(flag(&args, &["--http-port"]), Some("9000"));
        assert_eq!(flag(&args, &["-text"]), Some("hi"));
        assert_eq!(port_of(Some(":5678"), 1), 5678);
        assert_eq!(port_of(Some("0.0.0.0:80"), 1), 80);
        assert_eq!(port_of(None, 7), 7);
    }
}
