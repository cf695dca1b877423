//! `kubectl expose TYPE NAME|TYPE/NAME [--port P] [--target-port T] [--type T] [--name N]`
//! (`cmd/expose/expose.go`): a Service whose selector, ports and labels come from the exposed
//! Deployment, ReplicaSet, ReplicationController, Pod or Service.

use crate::sim::api::pointer::Pointer;
use serde_json::{Map, Value, json};

use super::args::{self, FlagKind, flag};
use super::common::{self, namespace, object_ref};
use super::target::one_target;
use super::{Ctx, Output};
use crate::sim::api;
use crate::sim::apiserver::request::{ApiRequest, Verb};

const FLAGS: &[args::FlagSpec] = &[
    flag("port", None, FlagKind::Value),
    flag("target-port", None, FlagKind::Value),
    flag("type", None, FlagKind::Value),
    flag("name", None, FlagKind::Value),
    flag("protocol", None, FlagKind::Value),
    flag("selector", None, FlagKind::Value),
    flag("labels", Some('l'), FlagKind::Value),
    flag("external-ip", None, FlagKind::Value),
    flag("cluster-ip", None, FlagKind::Value),
    flag("session-affinity", None, FlagKind::Value),
    flag("load-balancer-ip", None, FlagKind::Value),
    flag("dry-run", None, FlagKind::Value),
    flag("output", Some('o'), FlagKind::Value),
];

/// `MapBasedSelectorForObject`: the selector as `k=v,...`, or why there is none.
fn selector_of(kind: &str, obj: &Value) -> Result<Map<String, Value>, String> {
    let map = |p: &str| obj.at(p).and_then(Value::as_object).cloned().unwrap_or_default();
    match kind {
        "Pod" => {
            let labels = map("/metadata/labels");
            if labels.is_empty() { Err("the pod has no labels and cannot be exposed".into()) } else { Ok(labels) }
        }
        "Service" => {
            let sel = map("/spec/selector");
            if sel.is_empty() { Err("the service has no pod selector set".into()) } else { Ok(sel) }
        }
        "ReplicationController" => Ok(map("/spec/selector")),
        _ => {
            if let Some(exprs) =
                obj.at("/spec/selector/matchExpressions").and_then(Value::as_array).filter(|e| !e.is_empty())
            {
                return Err(format!(
                    "couldn't convert expressions - \"{}\" to map-based selector format",
                    Value::Array(exprs.clone())
                ));
            }
            let sel = map("/spec/selector/matchLabels");
            if sel.is_empty() {
                Err(format!("the {} has no labels or selectors and cannot be exposed", kind.to_lowercase()))
            } else {
                Ok(sel)
            }
        }
    }
}

/// `PortsForObject` / `MultiProtocolsForObject`: container ports (or a Service's ports) with protocols.
fn ports_of(kind: &str, obj: &Value) -> Vec<(i64, String)> {
    let containers = match kind {
        "Pod" => obj.at("/spec/containers"),
        "Service" => {
            return obj
                .at("/spec/ports")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| {
                            Some((
                                p.get("port")?.as_i64()?,
                                p.get("protocol").and_then(Value::as_str).unwrap_or("TCP").to_string(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
        }
        _ => obj.at("/spec/template/spec/containers"),
    };
    containers
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .flat_map(|c| c.get("ports").and_then(Value::as_array).cloned().unwrap_or_default())
                .filter_map(|p| {
                    Some((
                        p.get("containerPort")?.as_i64()?,
                        p.get("protocol").and_then(Value::as_str).unwrap_or("TCP").to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `parseLabels`: `k=v,k2=v2`.
fn parse_labels(spec: &str) -> Result<Map<String, Value>, String> {
    let mut m = Map::new();
    for part in spec.split(',') {
        let kv: Vec<&str> = part.split('=').collect();
        if kv.len() != 2 {
            return Err(format!("unexpected label spec: {part}"));
        }
        if kv[0].is_empty() {
            return Err("unexpected empty label key".into());
        }
        m.insert(kv[0].to_string(), json!(kv[1]));
    }
    Ok(m)
}

/// `intstr.Parse`: a number if it is one, otherwise a (named) string.
fn int_or_string(s: &str) -> Value {
    s.parse::<i64>().map_or_else(|_| json!(s), |n| json!(n))
}

/// Builds the Service (`createService`).
fn service(name: &str, kind: &str, obj: &Value, p: &args::Parsed) -> Result<Value, String> {
    let selector = match p.get("selector") {
        Some(s) => parse_labels(s).map_err(|e| format!("error: {e}"))?,
        None => selector_of(kind, obj)
            .map_err(|e| format!("error: couldn't retrieve selectors via --selector flag or introspection: {e}"))?,
    };
    let found = ports_of(kind, obj);
    let ports: Vec<(i64, String)> = match p.get("port") {
        Some(port) => {
            let n: i64 = port.parse().map_err(|_| format!("error: strconv.Atoi: parsing {port:?}: invalid syntax"))?;
            vec![(n, found.iter().find(|(p, _)| *p == n).map_or("TCP".to_string(), |(_, proto)| proto.clone()))]
        }
        None if found.is_empty() && p.get("cluster-ip") != Some("None") => {
            return Err("error: couldn't find port via --port flag or introspection".into());
        }
        None => found,
    };
    let target = p.get("target-port");
    let specs: Vec<Value> = ports
        .iter()
        .enumerate()
        .map(|(i, (port, proto))| {
            let mut sp = json!({"port": port, "protocol": p.get("protocol").unwrap_or(proto), "targetPort": target.map_or(json!(port), int_or_string)});
            if ports.len() > 1 {
                sp["name"] = json!(format!("port-{}", i + 1));
            }
            sp
        })
        .collect();
    let labels = match p.get("labels") {
        Some(l) => parse_labels(l).map_err(|e| format!("error: {e}"))?,
        None => obj.at("/metadata/labels").and_then(Value::as_object).cloned().unwrap_or_default(),
    };
    let mut svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": {"selector": selector, "ports": specs}});
    if !labels.is_empty() {
        svc["metadata"]["labels"] = Value::Object(labels);
    }
    if let Some(t) = p.get("type") {
        svc["spec"]["type"] = json!(t);
        if let (true, Some(ip)) = (t == "LoadBalancer", p.get("load-balancer-ip")) {
            svc["spec"]["loadBalancerIP"] = json!(ip);
        }
    }
    if let Some(ip) = p.get("external-ip") {
        svc["spec"]["externalIPs"] = json!([ip]);
    }
    if let Some(ip) = p.get("cluster-ip") {
        svc["spec"]["clusterIP"] = json!(ip);
    }
    match p.get("session-affinity") {
        None => {}
        Some(a @ ("None" | "ClientIP")) => svc["spec"]["sessionAffinity"] = json!(a),
        Some(a) => return Err(format!("error: unknown session affinity: {a}")),
    }
    Ok(svc)
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl expose --help' for usage."))?;
    if p.positional.is_empty() {
        return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into());
    }
    let (rt, name, _) = one_target(&p.positional, false)?;
    if !matches!(rt.kind, "Pod" | "Service" | "ReplicationController" | "Deployment" | "ReplicaSet") {
        let gk = if rt.group.is_empty() { rt.kind.to_string() } else { format!("{}.{}", rt.kind, rt.group) };
        return Err(format!("error: cannot expose a {gk}"));
    }
    let ns = namespace(&p);
    let obj = common::get_one(cx, rt, &ns, &name).map_err(|e| e.to_string())?;
    // Service names are DNS-1035 labels: at most 63 characters.
    let svc_name = p.get("name").map(str::to_string).unwrap_or_else(|| name.chars().take(63).collect());
    let svc = service(&svc_name, rt.kind, &obj, &p)?;
    let svc_rt = api::resolve("services").expect("services are always served");
    match p.get("dry-run") {
        Some("client") => {
            out.out(format!("{} exposed (dry run)", object_ref(svc_rt, &svc_name)));
            return Ok(());
        }
        Some("server" | "none") | None => {}
        Some(other) => {
            return Err(format!(
                "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ));
        }
    }
    let mut req = ApiRequest::new(0, Verb::Create, svc_rt).in_namespace(Some(&ns)).with_body(svc);
    req.options.dry_run = p.get("dry-run") == Some("server");
    cx.world.call(req).map_err(|e| e.to_string())?;
    let suffix = if p.get("dry-run") == Some("server") { " (server dry run)" } else { "" };
    out.out(format!("{} exposed{suffix}", object_ref(svc_rt, &svc_name)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> args::Parsed {
        args::parse(&args::split_words(s).expect("splits"), FLAGS).expect("parses")
    }

    fn deploy() -> Value {
        json!({"kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
               "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080}]}]}}}})
    }

    #[test]
    fn service_from_a_deployment() {
        let svc = service(
            "web",
            "Deployment",
            &deploy(),
            &parsed("deployment web --port=80 --target-port=8080 --type=NodePort"),
        )
        .expect("builds");
        assert_eq!(svc["spec"]["selector"], json!({"app": "web"}));
        assert_eq!(svc["spec"]["ports"], json!([{"port": 80, "protocol": "TCP", "targetPort": 8080}]));
        assert_eq!(svc["spec"]["type"], "NodePort");
        assert_eq!(svc["metadata"]["labels"], json!({"app": "web"}));
        let introspected = service("web", "Deployment", &deploy(), &parsed("deployment web")).expect("builds");
        assert_eq!(introspected["spec"]["ports"], json!([{"port": 8080, "protocol": "TCP", "targetPort": 8080}]));
    }

    #[test]
    fn refusals_in_kubectl_words() {
        let mut no_ports = deploy();
        no_ports["spec"]["template"]["spec"]["containers"][0].as_object_mut().expect("an object").remove("ports");
        assert_eq!(
            service("web", "Deployment", &no_ports, &parsed("d web")),
            Err("error: couldn't find port via --port flag or introspection".into())
        );
        let pod = json!({"kind": "Pod", "metadata": {"name": "p"}});
        assert_eq!(
            service("p", "Pod", &pod, &parsed("pod p --port=80")),
            Err("error: couldn't retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed".into())
        );
        let mut exprs = deploy();
        exprs["spec"]["selector"]["matchExpressions"] = json!([{"key": "a", "operator": "Exists"}]);
        assert!(
            service("web", "Deployment", &exprs, &parsed("d web --port=80"))
                .is_err_and(|e| e.contains("couldn't convert expressions"))
        );
        assert_eq!(parse_labels("a=b,c"), Err("unexpected label spec: c".into()));
        assert_eq!(int_or_string("http"), json!("http"));
    }

    #[test]
    fn several_ports_get_names() {
        let mut d = deploy();
        d["spec"]["template"]["spec"]["containers"][0]["ports"] =
            json!([{"containerPort": 80}, {"containerPort": 443}]);
        let svc = service("web", "Deployment", &d, &parsed("d web")).expect("builds");
        assert_eq!(
            svc["spec"]["ports"][1],
            json!({"port": 443, "protocol": "TCP", "targetPort": 443, "name": "port-2"})
        );
    }
}
