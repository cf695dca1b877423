//! Host ports a pod binds on its node, and when two bindings clash (the `NodePorts` rule, which the
//! scheduler filters with and the kubelet admits with).

use serde_json::Value;

/// A host port a container binds on its node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub protocol: String,
    /// `0.0.0.0` when unset: every address of the node.
    pub ip: String,
    pub port: i64,
}

impl HostPort {
    /// Two bindings clash on the same protocol and port when their addresses overlap.
    pub fn conflicts(&self, other: &HostPort) -> bool {
        self.port == other.port
            && self.protocol == other.protocol
            && (self.ip == other.ip || self.ip == "0.0.0.0" || other.ip == "0.0.0.0")
    }
}

/// The host ports of one container (`ports[].hostPort > 0`).
pub fn host_ports(container: &Value) -> Vec<HostPort> {
    container
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let port = p.get("hostPort").and_then(Value::as_i64).filter(|p| *p > 0)?;
            let s =
                |k: &str, d: &str| p.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or(d).to_string();
            Some(HostPort { protocol: s("protocol", "TCP"), ip: s("hostIP", "0.0.0.0"), port })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ports_clash_on_protocol_port_and_overlapping_address() {
        let c = json!({"ports": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 53, "hostPort": 53,
            "protocol": "UDP", "hostIP": "10.0.0.1"}, {"containerPort": 9}, {"hostPort": "x"}]});
        let ports = host_ports(&c);
        assert_eq!(ports.len(), 2);
        let other = |proto: &str, ip: &str, port| HostPort { protocol: proto.into(), ip: ip.into(), port };
        assert!(ports[0].conflicts(&other("TCP", "10.0.0.9", 8080)));
        assert!(!ports[0].conflicts(&other("UDP", "0.0.0.0", 8080)));
        assert!(!ports[1].conflicts(&other("UDP", "10.0.0.2", 53)));
        assert!(ports[1].conflicts(&other("UDP", "0.0.0.0", 53)));
        assert!(host_ports(&json!(null)).is_empty());
    }
}
