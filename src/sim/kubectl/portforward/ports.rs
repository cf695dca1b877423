//! The port arguments of `kubectl port-forward`, as kubectl 1.33 reads them: named ports resolved in
//! the pod or the Service (`convertPodNamedPortToNumber`, `translateServicePortToTargetPort`,
//! `kubectl/pkg/util/service_port.go`), UDP-only ports refused (`checkUDPPorts`), then client-go's
//! `parsePorts` and `parseAddresses` (`tools/portforward/portforward.go`).

use serde_json::Value;

use crate::sim::api::pointer::Pointer;

/// `[LOCAL:]REMOTE` as kubectl splits it (`splitPort`): anything but exactly one colon is the first
/// part twice (so `1:2:3` means `1`, as upstream reads it).
fn split_port(port: &str) -> (&str, &str) {
    let parts: Vec<&str> = port.split(':').collect();
    match parts.as_slice() {
        [local, remote] => (local, remote),
        _ => (parts[0], parts[0]),
    }
}

/// Go's `strconv.Atoi` success (kubectl tells numbers from port names with it).
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn name_of(obj: &Value) -> &str {
    obj.at("/metadata/name").and_then(Value::as_str).unwrap_or_default()
}

/// The pod's containers' ports: `(name, containerPort, protocol)`.
fn container_ports(pod: &Value) -> Vec<(String, i64, String)> {
    let containers = pod.at("/spec/containers").and_then(Value::as_array).cloned().unwrap_or_default();
    containers
        .iter()
        .flat_map(|c| c.get("ports").and_then(Value::as_array).cloned().unwrap_or_default())
        .map(|p| {
            let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            let protocol = Some(text("protocol")).filter(|s| !s.is_empty()).unwrap_or_else(|| "TCP".into());
            (text("name"), p.get("containerPort").and_then(Value::as_i64).unwrap_or(0), protocol)
        })
        .collect()
}

/// `lookupContainerPortNumberByName`.
fn pod_port_by_name(pod: &Value, name: &str) -> Result<i64, String> {
    container_ports(pod)
        .into_iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, port, _)| port)
        .ok_or_else(|| format!("Pod '{}' does not have a named port '{name}'", name_of(pod)))
}

/// The Service's ports: `(name, port, targetPort, protocol)`.
fn service_ports(svc: &Value) -> Vec<(String, i64, Value, String)> {
    let ports = svc.at("/spec/ports").and_then(Value::as_array).cloned().unwrap_or_default();
    ports
        .iter()
        .map(|p| {
            let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            let protocol = Some(text("protocol")).filter(|s| !s.is_empty()).unwrap_or_else(|| "TCP".into());
            let target = p.get("targetPort").cloned().unwrap_or(Value::Null);
            (text("name"), p.get("port").and_then(Value::as_i64).unwrap_or(0), target, protocol)
        })
        .collect()
}

/// `LookupServicePortNumberByName`.
fn service_port_by_name(svc: &Value, name: &str) -> Result<i64, String> {
    service_ports(svc)
        .into_iter()
        .find(|(n, ..)| n == name)
        .map(|(_, port, ..)| port)
        .ok_or_else(|| format!("Service '{}' does not have a named port '{name}'", name_of(svc)))
}

/// `LookupContainerPortNumberByServicePort`: a headless Service's port is the pod's; an omitted
/// targetPort is the port; a named one is the pod's port of that name.
fn target_port(svc: &Value, pod: &Value, port: i64) -> Result<i64, String> {
    let Some((_, _, target, _)) = service_ports(svc).into_iter().find(|(_, p, ..)| *p == port) else {
        return Err(format!("Service {} does not have a service port {port}", name_of(svc)));
    };
    if svc.at("/spec/clusterIP").and_then(Value::as_str) == Some("None") {
        return Ok(port);
    }
    match target {
        Value::String(name) => pod_port_by_name(pod, &name),
        other => Ok(other.as_i64().filter(|t| *t != 0).unwrap_or(port)),
    }
}

/// `checkUDPPorts`: a remote port (by number or name) that only UDP declares cannot be forwarded.
/// `declared` are `(name, number, protocol)`.
fn check_udp(ports: &[String], declared: &[(String, i64, String)], by_name: impl Fn(&str) -> Result<i64, String>) -> Result<(), String> {
    let only_udp = |n: i64| {
        declared.iter().any(|(_, p, proto)| *p == n && proto == "UDP")
            && !declared.iter().any(|(_, p, proto)| *p == n && proto == "TCP")
    };
    for port in ports {
        let (_, remote) = split_port(port);
        let number = match atoi(remote) {
            Some(n) => n,
            None => by_name(remote)?,
        };
        if only_udp(number) {
            return Err(format!("UDP protocol is not supported for {remote}"));
        }
    }
    Ok(())
}

/// The ports for a pod (or a workload's pod): names become the container's port numbers.
pub fn for_pod(ports: &[String], pod: &Value) -> Result<Vec<String>, String> {
    let declared = container_ports(pod);
    check_udp(ports, &declared, |name| pod_port_by_name(pod, name))?;
    ports
        .iter()
        .map(|port| {
            let (local, remote) = split_port(port);
            if remote.is_empty() {
                return Err("remote port cannot be empty".to_string());
            }
            let number = match atoi(remote) {
                Some(_) => remote.to_string(),
                None => pod_port_by_name(pod, remote)?.to_string(),
            };
            Ok(if local != remote { format!("{local}:{number}") } else { number })
        })
        .collect()
}

/// The ports for a Service: each Service port becomes the targetPort of the pod chosen.
pub fn for_service(ports: &[String], svc: &Value, pod: &Value) -> Result<Vec<String>, String> {
    let declared: Vec<(String, i64, String)> =
        service_ports(svc).into_iter().map(|(name, port, _, proto)| (name, port, proto)).collect();
    check_udp(ports, &declared, |name| service_port_by_name(svc, name))?;
    ports
        .iter()
        .map(|port| {
            let (local, remote) = split_port(port);
            let mut local = local.to_string();
            let number = match atoi(remote) {
                Some(n) => n,
                None => {
                    let n = service_port_by_name(svc, remote)?;
                    if local == remote {
                        local = n.to_string();
                    }
                    n
                }
            };
            if !(0..=65535).contains(&number) {
                return Err(format!("port {port} is not a valid port number"));
            }
            let remote = target_port(svc, pod, number)?.to_string();
            Ok(if local != remote { format!("{local}:{remote}") } else { remote })
        })
        .collect()
}

/// Go's `strconv.ParseUint(s, 10, 16)` error text.
fn parse_u16(s: &str) -> Result<u16, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.ParseUint: parsing {s:?}: invalid syntax"));
    }
    s.parse::<u16>().map_err(|_| format!("strconv.ParseUint: parsing {s:?}: value out of range"))
}

/// client-go's `parsePorts`: `(local, remote)`, local 0 meaning any free port (`:5000`).
pub fn parse(ports: &[String]) -> Result<Vec<(u16, u16)>, String> {
    if ports.is_empty() {
        return Err("you must specify at least 1 port".into());
    }
    ports
        .iter()
        .map(|port| {
            let parts: Vec<&str> = port.split(':').collect();
            let (local, remote) = match parts.as_slice() {
                [both] => (*both, *both),
                ["", remote] => ("0", *remote),
                [local, remote] => (*local, *remote),
                _ => return Err(format!("invalid port format '{port}'")),
            };
            let local = parse_u16(local).map_err(|e| format!("error parsing local port '{local}': {e}"))?;
            let remote = parse_u16(remote).map_err(|e| format!("error parsing remote port '{remote}': {e}"))?;
            if remote == 0 {
                return Err("remote port must be > 0".into());
            }
            Ok((local, remote))
        })
        .collect()
}

/// Whether `s` is an IPv4 address as Go's sloppy parser reads one (leading zeros allowed).
fn ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

/// client-go's `parseAddresses`: `localhost` is `127.0.0.1` and `::1` (a port fails only if both
/// do: `all`), any other must be an IP (failing alone); sorted by address text. Each is
/// `(address, network, all)`; an address given twice keeps its last failure mode, as upstream's map.
pub fn addresses(given: &[String]) -> Result<Vec<(String, &'static str, bool)>, String> {
    let mut parsed: Vec<(String, &'static str, bool)> = Vec::new();
    let mut add = |a: &str, net: &'static str, all: bool, only_if_new: bool| match parsed.iter_mut().find(|(p, ..)| p == a) {
        Some(_) if only_if_new => {}
        Some(entry) => *entry = (a.to_string(), net, all),
        None => parsed.push((a.to_string(), net, all)),
    };
    for a in given {
        if a == "localhost" {
            add("127.0.0.1", "tcp4", true, true);
            add("::1", "tcp6", true, true);
        } else if ipv4(a) {
            add(a, "tcp4", false, false);
        } else if a.contains(':') && a.parse::<std::net::Ipv6Addr>().is_ok() {
            add(a, "tcp6", false, false);
        } else {
            return Err(format!("{a} is not a valid IP"));
        }
    }
    parsed.sort();
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    fn pod() -> Value {
        json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "ports": [
            {"name": "http", "containerPort": 8080},
            {"name": "dns", "containerPort": 53, "protocol": "UDP"}]}]}})
    }

    #[test]
    fn pod_ports_resolve_names_as_kubectl_does() {
        assert_eq!(for_pod(&words(&["8000:http", "http", "80"]), &pod()), Ok(words(&["8000:8080", "8080", "80"])));
        assert_eq!(for_pod(&words(&["1:2:3"]), &pod()), Ok(words(&["1"])), "splitPort keeps the first part");
        assert_eq!(for_pod(&words(&["x"]), &pod()), Err("Pod 'web' does not have a named port 'x'".into()));
        assert_eq!(for_pod(&words(&["8080:"]), &pod()), Err("remote port cannot be empty".into()));
        assert_eq!(for_pod(&words(&["dns"]), &pod()), Err("UDP protocol is not supported for dns".into()));
    }

    #[test]
    fn service_ports_become_target_ports() {
        let svc = json!({"metadata": {"name": "web"}, "spec": {"clusterIP": "10.96.0.5", "ports": [
            {"name": "web", "port": 80, "targetPort": "http"},
            {"name": "plain", "port": 81},
            {"name": "num", "port": 82, "targetPort": 9090}]}});
        assert_eq!(
            for_service(&words(&["8080:80", "web", "81", ":82"]), &svc, &pod()),
            Ok(words(&["8080:8080", "80:8080", "81", ":9090"]))
        );
        assert_eq!(for_service(&words(&["8080:99"]), &svc, &pod()), Err("Service web does not have a service port 99".into()));
        assert_eq!(for_service(&words(&["nope"]), &svc, &pod()), Err("Service 'web' does not have a named port 'nope'".into()));
        assert_eq!(for_service(&words(&["1:70000"]), &svc, &pod()), Err("port 1:70000 is not a valid port number".into()));
    }

    #[test]
    fn parse_ports_and_addresses_word_errors_as_client_go() {
        assert_eq!(parse(&words(&["8080:80", ":5000", "9000"])), Ok(vec![(8080, 80), (0, 5000), (9000, 9000)]));
        assert_eq!(parse(&words(&["x:80"])), Err("error parsing local port 'x': strconv.ParseUint: parsing \"x\": invalid syntax".into()));
        assert_eq!(parse(&words(&["70000"])), Err("error parsing local port '70000': strconv.ParseUint: parsing \"70000\": value out of range".into()));
        assert_eq!(parse(&words(&["0"])), Err("remote port must be > 0".into()));
        assert_eq!(parse(&words(&["1:2:3"])), Err("invalid port format '1:2:3'".into()));
        assert_eq!(
            addresses(&words(&["localhost", "0.0.0.0"])),
            Ok(vec![("0.0.0.0".into(), "tcp4", false), ("127.0.0.1".into(), "tcp4", true), ("::1".into(), "tcp6", true)])
        );
        assert_eq!(addresses(&words(&["nope"])), Err("nope is not a valid IP".into()));
    }
}
