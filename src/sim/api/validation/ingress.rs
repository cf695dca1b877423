//! Ingress and IngressClass: HTTP routing into the cluster.

use super::names::{is_dns1035_label, is_dns1123_subdomain, is_valid_port_name, is_valid_port_num};
use super::service::is_ip;
use super::{BadValue, Errs, child, index};
use crate::sim::api::meta::{array_at, at, i64_at, str_at};
use serde_json::Value;

fn validate_host(host: &str, path: &str, errs: &mut Errs) {
    if is_ip(host) {
        errs.invalid_str(path, host, "must be a DNS name, not an IP address");
    } else if let Some(rest) = host.strip_prefix("*.") {
        errs.each_invalid(path, host, is_dns1123_subdomain(rest));
    } else {
        errs.each_invalid(path, host, is_dns1123_subdomain(host));
    }
}

fn validate_backend(b: &Value, path: &str, errs: &mut Errs) {
    let service = b.get("service").filter(|v| !v.is_null());
    let resource = b.get("resource").filter(|v| !v.is_null());
    match (service, resource) {
        (Some(_), Some(_)) => errs.invalid_str(path, "", "cannot set both resource and service backends"),
        (None, Some(r)) => {
            for f in ["kind", "name"] {
                if str_at(r, &[f]).unwrap_or("").is_empty() {
                    errs.required(&child(&child(path, "resource"), f), "");
                }
            }
        }
        (Some(s), None) => {
            let sp = child(path, "service");
            match str_at(s, &["name"]).unwrap_or("") {
                "" => errs.required(&child(&sp, "name"), ""),
                n => errs.each_invalid(&child(&sp, "name"), n, is_dns1035_label(n)),
            }
            let name = str_at(s, &["port", "name"]).unwrap_or("");
            let number = i64_at(s, &["port", "number"]).unwrap_or(0);
            match (name.is_empty(), number == 0) {
                (false, false) => errs.invalid_str(path, "", "cannot set both port name & port number"),
                (false, true) => errs.each_invalid(&format!("{sp}.port.name"), name, is_valid_port_name(name)),
                (true, false) => is_valid_port_num(number)
                    .iter()
                    .for_each(|m| errs.invalid_int(&format!("{sp}.port.number"), number, m)),
                (true, true) => errs.required(path, "port name or number is required"),
            }
        }
        (None, None) => errs.invalid_str(path, "", "resource or service backend is required"),
    }
}

/// Ingress: rules or a default backend; hosts, paths, path types and backends.
pub(super) fn validate_ingress(obj: &Value, errs: &mut Errs) {
    let spec = at(obj, &["spec"]).unwrap_or(&Value::Null);
    let rules = array_at(spec, &["rules"]);
    let default_backend = spec.get("defaultBackend").filter(|v| !v.is_null());
    if rules.is_empty() && default_backend.is_none() {
        errs.invalid(
            "spec",
            BadValue::Raw("[]networking.IngressRule(nil)".into()),
            "either `defaultBackend` or `rules` must be specified",
        );
    }
    if let Some(b) = default_backend {
        validate_backend(b, "spec.defaultBackend", errs);
    }
    if let Some(class) = str_at(spec, &["ingressClassName"]) {
        errs.each_invalid("spec.ingressClassName", class, is_dns1123_subdomain(class));
    }
    for (i, rule) in rules.iter().enumerate() {
        let rp = index("spec.rules", i);
        if let Some(host) = str_at(rule, &["host"]).filter(|h| !h.is_empty()) {
            validate_host(host, &child(&rp, "host"), errs);
        }
        let Some(http) = rule.get("http").filter(|v| !v.is_null()) else { continue };
        let paths = array_at(http, &["paths"]);
        let pp = child(&rp, "http.paths");
        if paths.is_empty() {
            errs.required(&pp, "");
        }
        for (j, p) in paths.iter().enumerate() {
            let ip = index(&pp, j);
            let path = str_at(p, &["path"]).unwrap_or("");
            match str_at(p, &["pathType"]).unwrap_or("") {
                "" => errs.required(&child(&ip, "pathType"), "pathType must be specified"),
                "Exact" | "Prefix" => {
                    if !path.starts_with('/') {
                        errs.invalid_str(&child(&ip, "path"), path, "must be an absolute path");
                    }
                }
                "ImplementationSpecific" => {
                    if !path.is_empty() && !path.starts_with('/') {
                        errs.invalid_str(&child(&ip, "path"), path, "must be an absolute path");
                    }
                }
                other => {
                    errs.unsupported(&child(&ip, "pathType"), other, &["Exact", "ImplementationSpecific", "Prefix"])
                }
            }
            validate_backend(at(p, &["backend"]).unwrap_or(&Value::Null), &child(&ip, "backend"), errs);
        }
    }
    for (i, tls) in array_at(spec, &["tls"]).iter().enumerate() {
        for (j, h) in array_at(tls, &["hosts"]).iter().enumerate() {
            validate_host(h.as_str().unwrap_or(""), &index(&child(&index("spec.tls", i), "hosts"), j), errs);
        }
    }
}

/// IngressClass: a domain-prefixed controller name.
pub(super) fn validate_ingress_class(obj: &Value, errs: &mut Errs) {
    match str_at(obj, &["spec", "controller"]).unwrap_or("") {
        "" => errs.required("spec.controller", ""),
        c if c.len() > 250 => errs.too_long("spec.controller", 250),
        c => {
            let domain = c.split('/').next().unwrap_or("");
            if !c.contains('/') || !is_dns1123_subdomain(domain).is_empty() {
                errs.invalid_str("spec.controller", c, "must be a domain-prefixed path (such as \"acme.io/foo\")");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(f: fn(&Value, &mut Errs), obj: Value) -> Vec<String> {
        let mut errs = Errs::default();
        f(&obj, &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    fn ingress(path: Value) -> Value {
        json!({"spec": {"ingressClassName": "nginx", "rules": [{"host": "foo.bar.com", "http": {"paths": [path]}}]}})
    }

    #[test]
    fn ingress_table() {
        let ok =
            json!({"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}});
        assert!(run(validate_ingress, ingress(ok)).is_empty());
        assert!(run(validate_ingress, json!({"spec": {"defaultBackend": {"resource": {"apiGroup": "k8s.example.com", "kind": "StorageBucket", "name": "static"}}}})).is_empty());
        let cases = [
            (
                json!({"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}),
                "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
            ),
            (
                json!({"path": "api", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}),
                "spec.rules[0].http.paths[0].path: Invalid value: \"api\": must be an absolute path",
            ),
            (
                json!({"path": "/", "pathType": "Regex", "backend": {"service": {"name": "web", "port": {"number": 80}}}}),
                "spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"",
            ),
            (
                json!({"path": "/", "pathType": "Exact", "backend": {"service": {"name": "web", "port": {}}}}),
                "spec.rules[0].http.paths[0].backend: Required value: port name or number is required",
            ),
            (
                json!({"path": "/", "pathType": "Exact", "backend": {}}),
                "spec.rules[0].http.paths[0].backend: Invalid value: \"\": resource or service backend is required",
            ),
        ];
        for (path, want) in cases {
            assert_eq!(run(validate_ingress, ingress(path)), [want]);
        }
        assert_eq!(
            run(validate_ingress, json!({"spec": {}})),
            [
                "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"
            ]
        );
        assert_eq!(
            run(validate_ingress, json!({"spec": {"rules": [{"host": "1.2.3.4"}]}})),
            ["spec.rules[0].host: Invalid value: \"1.2.3.4\": must be a DNS name, not an IP address"]
        );
        assert!(run(validate_ingress, json!({"spec": {"rules": [{"host": "*.foo.com"}]}})).is_empty());
    }

    #[test]
    fn ingress_classes() {
        assert!(run(validate_ingress_class, json!({"spec": {"controller": "k8s.io/ingress-nginx"}})).is_empty());
        assert_eq!(
            run(validate_ingress_class, json!({"spec": {"controller": "nginx"}})),
            ["spec.controller: Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")"]
        );
        assert_eq!(run(validate_ingress_class, json!({"spec": {}})), ["spec.controller: Required value"]);
    }
}
